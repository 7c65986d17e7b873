import BlockingIO
import Logging
import PartitionedLog
import SearchEngine
import ServiceLifecycle
import Synchronization

/// The REST API's write path: the log is the search engine's translog.
///
/// `write` appends the operations to the `_search.writes` topic (durable once `append` returns) and waits
/// for this service's applier, which reads the topic in order and applies each record to its index; the
/// results come back through a per-record token. Every index records, in its commit point, the offset of
/// the translog it has consumed; at start the applier reads from the smallest such offset and skips what
/// each index already holds, so a crash loses nothing that was acknowledged and applies nothing twice.
/// Index commits run every `commitInterval` (and at shutdown); after them the log's consumer group is
/// committed, so retention never drops a record an index still needs.
public final class DocumentLog: DocumentWriting, Service, Sendable {
    public static let topic = "_search.writes"
    public static let consumerGroup = "search-translog"
    /// The key under which indices record the translog offset they consumed.
    public static let offsetKey = "\(topic)/0"

    private let log: PartitionedLog
    private let engine: SearchEngine
    private let logger: Logger
    private let commitInterval: Duration
    private let mailboxes = Mutex(Mailboxes())
    private let nextToken: Atomic<UInt64>
    /// The next translog offset to apply (the loop writes it; the final commit reads it).
    private let position = Mutex<Int64>(0)

    public init(log: PartitionedLog, engine: SearchEngine, logger: Logger, commitInterval: Duration = .seconds(5)) {
        self.log = log
        self.engine = engine
        self.logger = logger
        self.commitInterval = commitInterval
        // Tokens of an earlier process may come back in replayed records: start from a random base.
        nextToken = Atomic(UInt64.random(in: 1...(UInt64.max >> 1)))
    }

    // MARK: Writing

    public func write(_ operations: [DocumentOperation], to index: SearchIndex, refresh: RefreshPolicy) async throws(SearchError) -> [DocumentResult] {
        guard !operations.isEmpty else { return [] }
        let chunks = Self.chunks(of: operations)
        var tokens: [UInt64] = []
        var records: [LogRecord] = []
        for chunk in chunks {
            let token = nextToken.wrappingAdd(1, ordering: .relaxed).newValue
            tokens.append(token)
            let record = TranslogRecord(indexUUID: index.uuid, token: token, operations: chunk)
            records.append(LogRecord(key: nil, value: record.encoded(), partition: 0))
        }
        let boxes = try mailboxes.withLock { (state) throws(SearchError) -> [Mailbox] in
            if let failure = state.failure { throw failure }
            return tokens.map { token in
                let box = Mailbox()
                state.pending[token] = box
                return box
            }
        }
        do {
            try await ensureTopic()
            _ = try await log.append(records, to: Self.topic)
        } catch {
            mailboxes.withLock { state in for token in tokens { state.pending[token] = nil } }
            throw SearchError("translog_exception", "the write could not be appended to the log: \(error)", status: 500)
        }
        var results: [DocumentResult] = []
        results.reserveCapacity(operations.count)
        for box in boxes {
            results += try await box.value()
        }
        if refresh != .none { await index.refreshOnWriterQueue() }
        return results
    }

    /// Operations split so that each record stays well under the log's record size limit.
    private static func chunks(of operations: [DocumentOperation]) -> [[DocumentOperation]] {
        let budget = 8 << 20
        var chunks: [[DocumentOperation]] = [[]]
        var size = 0
        for operation in operations {
            let cost = TranslogRecord.encodedSize(operation)
            if size + cost > budget, !chunks[chunks.count - 1].isEmpty {
                chunks.append([])
                size = 0
            }
            chunks[chunks.count - 1].append(operation)
            size += cost
        }
        return chunks
    }

    private func ensureTopic() async throws {
        if !log.topicNames.contains(Self.topic) {
            try await log.createTopic(Self.topic, TopicConfiguration(partitions: 1, cleanup: .delete, retentionAge: nil))
        }
    }

    // MARK: Applying

    public func run() async throws {
        defer { fail(SearchError("translog_exception", "the search write path has stopped", status: 503)) }
        try await ensureTopic()
        try await log.registerConsumer(Self.consumerGroup, topics: [Self.topic])
        let partition = TopicPartition(topic: Self.topic, partition: 0)
        position.withLock { [start = try startPosition(partition)] in $0 = start }
        do {
            try await cancelWhenGracefulShutdown { try await self.loop(partition) }
        } catch is CancellationError {}
        // Graceful shutdown cancels the loop, not this task: the last commit still runs.
        try await commit(through: position.withLock { $0 })
    }

    private func loop(_ partition: TopicPartition) async throws {
        var lastCommit = ContinuousClock.now
        var next = position.withLock { $0 }
        while !Task.isCancelled {
            if try await log.waitForRecords(partition, from: next, timeout: .milliseconds(500)) {
                let result = try await log.read(partition, from: next, maxRecords: 256, maxBytes: 32 << 20)
                let records = result.records
                await SearchIndex.performOnWriterQueue { for record in records { self.apply(record) } }
                next = result.nextOffset
                position.withLock { [next] in $0 = next }
            }
            if ContinuousClock.now - lastCommit >= commitInterval {
                try await commit(through: next)
                lastCommit = .now
            }
        }
    }

    /// The smallest translog offset some index has not yet applied.
    private func startPosition(_ partition: TopicPartition) throws -> Int64 {
        let (start, end) = try log.offsets(partition)
        var position = end
        for index in engine.indices {
            position = min(position, index.appliedOffsets[Self.offsetKey] ?? start)
        }
        if position < start {
            logger.error("translog records an index had not committed were removed by retention", metadata: ["from": "\(position)", "to": "\(start)"])
            position = start
        }
        return position
    }

    private func apply(_ stored: StoredRecord) {
        let record: TranslogRecord
        do {
            guard let value = stored.value else { return }
            record = try TranslogRecord.decode(value)
        } catch {
            logger.error("skipping an undecodable translog record", metadata: ["offset": "\(stored.offset)", "error": "\(error)"])
            return
        }
        let consumed = [Self.offsetKey: stored.offset + 1]
        guard let index = engine.indices.first(where: { $0.uuid == record.indexUUID }) else {
            let error = SearchError("index_not_found_exception", "the index was deleted before the write was applied", status: 404)
            deliver(record.token, record.operations.map { _ in DocumentResult(outcome: nil, error: error, version: -1, seqNo: -2, primaryTerm: 0) })
            return
        }
        // Already in the index (replay after a restart)?
        if stored.offset < index.appliedOffsets[Self.offsetKey] ?? 0 { return }
        deliver(record.token, index.apply(record.operations, consumed: consumed))
    }

    private func deliver(_ token: UInt64, _ results: [DocumentResult]) {
        let box = mailboxes.withLock { $0.pending.removeValue(forKey: token) }
        box?.fulfil(.success(results))
    }

    private func fail(_ error: SearchError) {
        let boxes = mailboxes.withLock { state in
            state.failure = error
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for box in boxes { box.fulfil(.failure(error)) }
    }

    /// Commits every index that has translog writes (or a translog offset) behind `position`: all records
    /// before it are applied, so each index may record it as consumed. Then the consumer group follows.
    private func commit(through position: Int64) async throws {
        for index in engine.indices where index.committedOffsets[Self.offsetKey] ?? -1 < position {
            _ = await index.applyOnWriterQueue([], consumed: [Self.offsetKey: position])
            try await runBlocking(name: "moodle-pipeline.search-commit") { try index.commit() }
        }
        try await log.commit(Self.consumerGroup, offsets: [TopicPartition(topic: Self.topic, partition: 0): position])
    }
}

private struct Mailboxes {
    var pending: [UInt64: Mailbox] = [:]
    var failure: SearchError?
}

/// One record's results, handed from the applier to the waiting writer (whichever comes first waits).
private final class Mailbox: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<[DocumentResult], any Error>)
        case done(Result<[DocumentResult], SearchError>)
    }

    private let state = Mutex(State.empty)

    func fulfil(_ result: Result<[DocumentResult], SearchError>) {
        let waiter = state.withLock { state -> CheckedContinuation<[DocumentResult], any Error>? in
            switch state {
            case .waiting(let continuation):
                state = .done(result)
                return continuation
            case .empty:
                state = .done(result)
                return nil
            case .done:
                return nil
            }
        }
        waiter?.resume(with: result.mapError { $0 as any Error })
    }

    func value() async throws(SearchError) -> [DocumentResult] {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<[DocumentResult], SearchError>? in
                    if case .done(let result) = state { return result }
                    state = .waiting(continuation)
                    return nil
                }
                if let ready { continuation.resume(with: ready.mapError { $0 as any Error }) }
            }
        } catch let error as SearchError {
            throw error
        } catch {
            throw SearchError("translog_exception", "\(error)", status: 500)
        }
    }
}
