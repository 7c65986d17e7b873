@testable import PostgresCDC
import Testing

@Suite("standby status updates and resume filters, without I/O")
struct FeedbackTests {
    let start = ContinuousClock.now

    @Test func reportsOnlyWhatIsDurable() throws {
        var feedback = Feedback(interval: .seconds(10), start: LSN(100))
        // First update goes out at once; flush is the durable position, not what was received.
        feedback.receivedPosition(LSN(500))
        let flush = feedback.flushPosition(durable: LSN(200), idlePosition: nil)
        let update = feedback.update(flush: flush, now: start, replyRequested: false, clock: 0)
        let first = try #require(update)
        #expect(Self.flushed(first) == 200)
        #expect(Self.written(first) == 500)
        // Nothing new and within the interval: silent.
        #expect(feedback.update(flush: LSN(200), now: start + .seconds(1), replyRequested: false, clock: 0) == nil)
        // The server asks: answer at once.
        #expect(feedback.update(flush: LSN(200), now: start + .seconds(2), replyRequested: true, clock: 0) != nil)
        // Durable advanced, but right after the last update: wait a little, so as not to wake the server per group.
        #expect(feedback.update(flush: LSN(300), now: start + .seconds(2) + .milliseconds(5), replyRequested: false, clock: 0) == nil)
        // Durable advanced: report.
        #expect(feedback.update(flush: LSN(300), now: start + .seconds(3), replyRequested: false, clock: 0).map(Self.flushed) == 300)
        // The interval passed: report again even without progress (back-pressure must not silence us).
        #expect(feedback.update(flush: LSN(300), now: start + .seconds(14), replyRequested: false, clock: 0) != nil)
    }

    @Test func idlePositionOnlyWhenNothingIsPending() {
        let feedback = Feedback(interval: .seconds(10), start: LSN(100))
        #expect(feedback.flushPosition(durable: LSN(150), idlePosition: nil) == LSN(150))
        #expect(feedback.flushPosition(durable: LSN(150), idlePosition: LSN(900)) == LSN(900))
        // Never backwards.
        #expect(feedback.flushPosition(durable: LSN(50), idlePosition: nil) == LSN(100))
    }

    @Test func snapshotVisibility() {
        // xmin 100, xmax 110, 103 and 105 in progress.
        let snapshot = "100:110:103,105"
        #expect(KeyComparer.visible(99, in: snapshot))
        #expect(KeyComparer.visible(104, in: snapshot))
        #expect(!KeyComparer.visible(103, in: snapshot))
        #expect(!KeyComparer.visible(110, in: snapshot))
        #expect(!KeyComparer.visible(200, in: snapshot))
        // 64-bit xids with an epoch compare by their low 32 bits, modulo wraparound.
        let wrapped = "\((UInt64(1) << 32) + 10):\((UInt64(1) << 32) + 20):"
        #expect(KeyComparer.visible(UInt32.max - 5, in: wrapped))
        #expect(KeyComparer.visible(15, in: wrapped))
        #expect(!KeyComparer.visible(25, in: wrapped))
    }

    static func flushed(_ message: [UInt8]) -> UInt64 { integer(message, at: 9) }
    static func written(_ message: [UInt8]) -> UInt64 { integer(message, at: 1) }
    static func integer(_ message: [UInt8], at position: Int) -> UInt64 {
        message[position..<(position + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
