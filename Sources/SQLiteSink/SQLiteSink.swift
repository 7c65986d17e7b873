import Foundation
import GRDB
import Logging
import Metrics
import MoodleAnalytics
import PartitionedLog
import ServiceLifecycle
import Synchronization

/// The SQLite sink as a service: consumes every captured table's topic (and the sources' relation records)
/// from the log, keeps the mirror tables and the two answers, and commits each batch — mirror rows, answer
/// rows, dead letters, derived-topic records and the consumed offsets — in one SQLite transaction. After the
/// commit it appends the queued derived-topic records to the log (`changelog_outbox`: a crash before that
/// re-appends them, which compacted topics absorb) and commits the offsets to the log's consumer registry,
/// so retention keeps what the sink has not consumed.
public final class SQLiteSink: Service, Sendable {
    public let configuration: SinkConfiguration
    public let database: SinkDatabase
    private let log: PartitionedLog
    private let logger: Logger
    private let progress = Mutex(SinkProgress())

    public init(configuration: SinkConfiguration, log: PartitionedLog, logger: Logger) throws {
        self.configuration = configuration
        self.log = log
        self.logger = logger
        database = try SinkDatabase(path: configuration.path)
    }

    /// What the sink has done so far (for readiness and the console).
    public var status: SinkProgress { progress.withLock { $0 } }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.consume() }
        } catch is CancellationError {
            return
        }
    }

    private func consume() async throws {
        for topic in DerivedTopic.all where configuration.analytics != nil {
            try await log.createTopic(topic, TopicConfiguration(partitions: 1, cleanup: .compact, retentionAge: nil))
        }
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            let state = SinkState(configuration: configuration)
            do {
                try await database.pool.write { db in try state.load(db) }
                try await flushOutbox()
                progress.withLock { $0.loaded() }
                try await loop(state)
                return
            } catch is CancellationError {
                return
            } catch {
                if log.failure != nil { throw error }
                // The state may be ahead of what committed: drop it and reload from the database.
                progress.withLock { $0.failed("\(error)") }
                logger.error("sink batch failed; reloading its state from the database", metadata: ["error": "\(error)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    private func loop(_ state: SinkState) async throws {
        var registered: Set<String> = []
        // The next batch is read and decoded while this one is written (unless a truncate makes its offsets
        // depend on the apply).
        var prefetch: Task<Batch, any Error>?
        defer { prefetch?.cancel() }
        while !Task.isCancelled {
            let batch: Batch
            if let pending = prefetch {
                batch = try await pending.value
                prefetch = nil
            } else {
                batch = try await fetch(state.offsets)
            }
            if registered != batch.topics {
                try await log.registerConsumer(configuration.consumerGroup, topics: batch.topics)
                registered = batch.topics
            }
            guard batch.records > 0 || batch.truncates else {
                try await Task.sleep(for: configuration.idlePoll)
                continue
            }
            if !batch.truncates {
                var cursor = state.offsets
                for fetched in batch.relations + batch.data { cursor[fetched.partition] = fetched.nextOffset }
                prefetch = Task { try await self.fetch(cursor) }
            }
            let started = ContinuousClock.now
            let applied = try await database.pool.write { db in
                try state.apply(relations: batch.relations, data: batch.data, db)
            }
            try await flushOutbox()
            try await log.commit(configuration.consumerGroup, offsets: state.offsets)
            let elapsed = started.duration(to: .now)
            Timer(label: "sink_batch_duration_seconds").record(duration: elapsed)
            Counter(label: "sink_records_total").increment(by: applied)
            for (source, count) in state.batchDeadLetters {
                Counter(label: "sink_dead_letters_total", dimensions: [("source", source)]).increment(by: count)
            }
            progress.withLock { $0.committed(records: applied, took: elapsed) }
        }
    }

    private struct Batch {
        var relations: [FetchedPartition] = []
        var data: [FetchedPartition] = []
        var records = 0
        var truncates = false
        var topics: Set<String> = []
    }

    /// The next records of every partition, within the batch bounds. Each data topic's partitions are all
    /// present (possibly empty), so a truncate every partition has reached is seen as such. Data first, then
    /// relation records up to their end: a table's relation record precedes its events in the log.
    private func fetch(_ offsets: [TopicPartition: Int64]) async throws -> Batch {
        var batch = Batch()
        var budget = configuration.maxBatchRecords
        var bytes = configuration.maxBatchBytes
        let names = log.topicNames
        let prefixes = configuration.sources.map { "\($0)." }
        for topic in names where prefixes.contains(where: topic.hasPrefix) {
            batch.topics.insert(topic)
            for partition in 0..<(try log.partitionCount(of: topic)) {
                let id = TopicPartition(topic: topic, partition: partition)
                var fetched = try await read(id, offsets, maxRecords: budget, maxBytes: bytes)
                if let cut = fetched.records.firstIndex(where: { $0.key == nil && $0.value != nil }) {
                    fetched.truncate = fetched.records[cut]
                    fetched.nextOffset = fetched.records[cut].offset
                    fetched.records.removeSubrange(cut...)
                    batch.truncates = true
                }
                budget -= fetched.records.count
                bytes -= fetched.records.reduce(0) { $0 + ($1.value?.count ?? 0) + ($1.key?.count ?? 0) }
                batch.records += fetched.records.count
                fetched.decoded = fetched.records.map(DecodedEvent.decode)
                batch.data.append(fetched)
            }
        }
        for source in configuration.sources where names.contains("_cdc.\(source)") {
            let id = TopicPartition(topic: "_cdc.\(source)", partition: 0)
            batch.topics.insert(id.topic)
            let fetched = try await read(id, offsets, maxRecords: 100_000, maxBytes: 64 << 20)
            batch.records += fetched.records.count
            batch.relations.append(fetched)
        }
        return batch
    }

    private func read(_ id: TopicPartition, _ offsets: [TopicPartition: Int64], maxRecords: Int, maxBytes: Int) async throws -> FetchedPartition {
        let (start, end) = try log.offsets(id)
        var offset = offsets[id] ?? start
        if offset < start {
            logger.error("records the sink had not consumed were removed by retention", metadata: ["partition": "\(id)", "from": "\(offset)", "to": "\(start)"])
            offset = start
        }
        guard offset < end, maxRecords > 0, maxBytes > 0 else { return FetchedPartition(partition: id, records: [], nextOffset: offset) }
        let result = try await log.read(id, from: offset, maxRecords: maxRecords, maxBytes: maxBytes)
        return FetchedPartition(partition: id, records: result.records, nextOffset: result.nextOffset)
    }

    /// Appends the queued derived-topic records, then removes them from the queue.
    private func flushOutbox() async throws {
        while true {
            let queued = try await database.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT seq, topic, key, value FROM changelog_outbox ORDER BY seq LIMIT 10000")
            }
            guard let last = queued.last else { return }
            let records: [(topic: String, record: LogRecord)] = queued.map { row in
                let key: Data = row["key"]
                let value: Data? = row["value"]
                return (row["topic"], LogRecord(key: Array(key), value: value.map(Array.init)))
            }
            _ = try await log.appendAtomically(records)
            let upTo: Int64 = last["seq"]
            try await database.pool.write { db in
                try db.execute(sql: "DELETE FROM changelog_outbox WHERE seq <= ?", arguments: [upTo])
            }
        }
    }
}

/// The sink's progress, for readiness, metrics and the console.
public struct SinkProgress: Sendable {
    public private(set) var batches = 0
    public private(set) var records = 0
    public private(set) var lastCommit: Date?
    public private(set) var lastBatchSeconds: Double = 0
    public private(set) var lastError: String?
    public private(set) var ready = false

    mutating func loaded() {
        ready = true
        lastError = nil
    }

    mutating func committed(records count: Int, took: Duration) {
        batches += 1
        records += count
        lastCommit = Date()
        lastBatchSeconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        lastError = nil
    }

    mutating func failed(_ message: String) {
        lastError = message
    }
}
