import Foundation
import BlockingIO
import Logging
import PartitionedLog
import Synchronization

/// What the capture thread hands to the log appender, in source commit order.
enum CaptureWork: Sendable {
    typealias Records = [(topic: String, record: LogRecord)]
    /// Whole transactions (or one snapshot chunk) and the state after them: appended atomically, together
    /// with that state. Consecutive groups are merged into one append (never split).
    case group(Records, CaptureState, transactions: Int)
    /// A transaction too big to hold: its events arrive in parts of one streamed atomic group.
    case largeBegin
    case largePart(Records)
    case largeCommit(Records, CaptureState)
}

/// Appends what the capture thread produces to the log, and publishes the end LSN of the last durable
/// transaction — the only position the reader may report to PostgreSQL as flushed.
struct LogAppender: Sendable {
    let log: PartitionedLog
    let configuration: CaptureConfiguration
    let topicConfiguration: TopicConfiguration
    let handoff: Handoff<CaptureWork>
    let durableEnd: DurablePosition
    let status: CaptureStatus
    let logger: Logger

    init(
        log: PartitionedLog, configuration: CaptureConfiguration, topicConfiguration: TopicConfiguration,
        handoff: Handoff<CaptureWork>, durableEnd: DurablePosition, status: CaptureStatus, logger: Logger
    ) {
        self.log = log
        self.configuration = configuration
        self.topicConfiguration = topicConfiguration
        self.handoff = handoff
        self.durableEnd = durableEnd
        self.status = status
        self.logger = logger
    }

    /// Runs until the handoff is closed and drained. On failure closes the handoff (so the capture thread
    /// stops too) and aborts any open streamed group.
    func run() async throws {
        var known = Set(log.topicNames)
        var open: AtomicGroupWriter?
        var openEvents = 0
        do {
            while true {
                let items = await handoff.takeAll()
                if items.isEmpty { break }
                var batch: CaptureWork.Records = []
                var batchState: CaptureState?
                var batchTransactions = 0
                for item in items {
                    switch item {
                    case .group(let records, let state, let transactions):
                        batch += records
                        batchState = state
                        batchTransactions += transactions
                        continue
                    default: break
                    }
                    if let state = batchState {
                        try await append(batch, state, transactions: batchTransactions, known: &known)
                        batch = []
                        batchState = nil
                        batchTransactions = 0
                    }
                    switch item {
                    case .largeBegin:
                        open = try log.beginAtomicGroup()
                        openEvents = 0
                    case .largePart(let records):
                        try await ensureTopics(records, known: &known)
                        try await writer(open).append(broadcastingTruncates(records))
                        openEvents += records.count
                    case .largeCommit(let records, let state):
                        let group = try writer(open)
                        try await ensureTopics(records, known: &known)
                        try await group.append(broadcastingTruncates(records) + [(configuration.stateTopic, state.record())])
                        try await group.commit()
                        open = nil
                        published(state, transactions: 1, events: openEvents + records.count)
                    case .group: break
                    }
                }
                if let state = batchState { try await append(batch, state, transactions: batchTransactions, known: &known) }
            }
            if let open { await open.abort() }
        } catch {
            handoff.close()
            if let open { await open.abort() }
            throw error
        }
    }

    private func writer(_ open: AtomicGroupWriter?) throws(CaptureError) -> AtomicGroupWriter {
        guard let open else { throw CaptureError(.protocolViolation, "a large transaction's part arrived without its beginning") }
        return open
    }

    private func append(_ records: CaptureWork.Records, _ state: CaptureState, transactions: Int, known: inout Set<String>) async throws {
        try await ensureTopics(records, known: &known)
        _ = try await log.appendAtomically(broadcastingTruncates(records) + [(configuration.stateTopic, state.record())])
        published(state, transactions: transactions, events: records.count)
    }

    private func published(_ state: CaptureState, transactions: Int, events: Int) {
        durableEnd.advance(to: state.lastEnd)
        status.durable(state, transactions: transactions, events: events)
    }

    /// A truncate event (the only keyless record on a table topic) goes to every partition of the table's
    /// topic, so that each partition's consumer meets it in order with the rows of that partition: the rows
    /// before it in any partition were written before the truncate, the rows after it after.
    private func broadcastingTruncates(_ records: CaptureWork.Records) throws -> CaptureWork.Records {
        guard records.contains(where: { $0.record.key == nil && $0.topic != configuration.stateTopic }) else { return records }
        var result: CaptureWork.Records = []
        result.reserveCapacity(records.count + 8)
        for (topic, record) in records {
            guard record.key == nil, topic != configuration.stateTopic else {
                result.append((topic, record))
                continue
            }
            for partition in 0..<(try log.partitionCount(of: topic)) {
                var copy = record
                copy.partition = partition
                result.append((topic, copy))
            }
        }
        return result
    }

    /// Creates the topics of tables seen for the first time (e.g. added to the publication later).
    private func ensureTopics(_ records: CaptureWork.Records, known: inout Set<String>) async throws {
        for (topic, _) in records where !known.contains(topic) {
            try await log.createTopic(topic, topicConfiguration)
            known.insert(topic)
            logger.info("created topic", metadata: ["topic": "\(topic)"])
        }
    }
}

/// The end LSN of the last source transaction durable in the log: written by the appender, read by the
/// capture thread when it reports `flush` to the server.
final class DurablePosition: Sendable {
    private let value: Atomic<UInt64>
    init(_ lsn: LSN) { value = Atomic(lsn.value) }
    var lsn: LSN { LSN(value.load(ordering: .acquiring)) }
    func advance(to lsn: LSN) { value.store(max(lsn.value, value.load(ordering: .relaxed)), ordering: .releasing) }
}
