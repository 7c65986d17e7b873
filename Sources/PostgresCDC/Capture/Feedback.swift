import Foundation
import BlockingIO
import Logging
/// When to send a standby status update, and what it says. Pure: the session feeds it positions and the
/// time; it answers with the message to send, if any.
///
/// - `flushed` is what PostgreSQL may forget: the end of the last transaction durable in the log, or, when
///   nothing is pending anywhere, the position the server last said it had sent (a keepalive's WAL end) —
///   every transaction before it has been received, and none of them is waiting to be logged.
/// - An update goes out when the server asks for one, when `flushed` advanced (at most every
///   `minimumSpacing`: each update wakes the walsender, and under load one per appended group cost a tenth of
///   the capture thread), and at least every `interval` regardless (even while the log applies back-pressure).
struct Feedback {
    let interval: Duration
    var minimumSpacing: Duration = .milliseconds(20)
    private(set) var sentFlush: LSN
    private(set) var lastSent: ContinuousClock.Instant?
    /// The highest position received from the server (keepalive WAL end or a message's LSN).
    private(set) var received: LSN

    init(interval: Duration, start: LSN) {
        self.interval = interval
        sentFlush = start
        received = start
    }

    mutating func receivedPosition(_ lsn: LSN) {
        received = max(received, lsn)
    }

    /// The position to report: `durable`, or `idlePosition` when nothing is pending.
    func flushPosition(durable: LSN, idlePosition: LSN?) -> LSN {
        max(sentFlush, max(durable, idlePosition ?? .zero))
    }

    /// The status update to send now, if one is due.
    mutating func update(flush: LSN, now: ContinuousClock.Instant, replyRequested: Bool, clock: Int64) -> [UInt8]? {
        let elapsed = lastSent.map { $0.duration(to: now) }
        let due = replyRequested || elapsed.map { $0 >= interval || (flush > sentFlush && $0 >= minimumSpacing) } ?? true
        guard due else { return nil }
        sentFlush = max(sentFlush, flush)
        lastSent = now
        return ReplicationMessage.statusUpdate(written: max(received, sentFlush), flushed: sentFlush, applied: sentFlush, clock: clock)
    }
}
