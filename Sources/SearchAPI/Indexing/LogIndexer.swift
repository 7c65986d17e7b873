import BlockingIO
import Logging
import Metrics
import PartitionedLog
import SearchEngine
import ServiceLifecycle
import Synchronization

/// Keeps indices current from topics of the log, exactly once: each index records in its commit point the
/// offsets it consumed (`<topic>/<partition>` → next offset); at start the indexer reads from there and
/// skips any record an index already holds. A TRUNCATE reaches every partition of its topic; the index is
/// emptied once all partitions have reached it (records before it, in every partition, are applied first).
public final class LogIndexer: Service, Sendable {
    public static let consumerGroup = "search-indexer"
    /// Bytes of records read from one partition per pass: with the decoded documents and the operations built
    /// from them, this is the indexer's own share of memory beside the index's buffer.
    static let maxReadBytes = 4 << 20
    /// How long an idle pass waits before looking at the log again: part of every change's way into `_search`.
    static let idlePoll: Duration = .milliseconds(5)

    private let feeds: [IndexFeed]
    private let log: PartitionedLog
    private let engine: SearchEngine
    private let logger: Logger
    private let commitInterval: Duration
    private let maxRecordsPerPartition: Int
    private let progress = Mutex(IndexerProgress())
    /// Next offset to read per partition (only the loop writes it; the final commit reads it).
    private let positions = Mutex<[TopicPartition: Int64]>([:])

    public init(feeds: [IndexFeed], log: PartitionedLog, engine: SearchEngine, logger: Logger,
                commitInterval: Duration = .seconds(5), maxRecordsPerPartition: Int = 5_000) {
        self.feeds = feeds
        self.log = log
        self.engine = engine
        self.logger = logger
        self.commitInterval = commitInterval
        self.maxRecordsPerPartition = maxRecordsPerPartition
    }

    public var status: IndexerProgress { progress.withLock { $0 } }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {}
        // Graceful shutdown cancels the loop, not this task: the last commit still runs.
        try await commit(positions.withLock { $0 })
    }

    private func loop() async throws {
        var lastCommit = ContinuousClock.now
        var registered: Set<String> = []
        while !Task.isCancelled {
            let present = Set(feeds.map(\.topic)).intersection(log.topicNames)
            if present != registered, !present.isEmpty {
                try await log.registerConsumer(Self.consumerGroup, topics: present)
                registered = present
            }
            var applied = 0
            for feed in feeds where present.contains(feed.topic) {
                var current = positions.withLock { $0 }
                applied += try await advance(feed, &current)
                positions.withLock { [current] in $0 = current }
            }
            if ContinuousClock.now - lastCommit >= commitInterval {
                try await commit(positions.withLock { $0 })
                lastCommit = .now
            }
            progress.withLock { $0.caughtUp = applied == 0 }
            if applied == 0 { try await Task.sleep(for: Self.idlePoll) }
        }
    }

    /// Applies the next records of every partition of the feed's topic; returns how many it applied.
    private func advance(_ feed: IndexFeed, _ positions: inout [TopicPartition: Int64]) async throws -> Int {
        let index = try openIndex(feed)
        let partitions = try log.partitionCount(of: feed.topic)
        var atTruncate: [TopicPartition: Int64] = [:]
        var applied = 0
        for number in 0..<partitions {
            let partition = TopicPartition(topic: feed.topic, partition: number)
            let key = Self.offsetKey(partition)
            let (start, end) = try log.offsets(partition)
            var position = positions[partition] ?? index.appliedOffsets[key] ?? start
            if position < start {
                logger.error("records the index had not consumed were removed by retention", metadata: ["partition": "\(partition)"])
                position = start
            }
            guard position < end else {
                positions[partition] = position
                continue
            }
            let result = try await log.read(partition, from: position, maxRecords: maxRecordsPerPartition, maxBytes: Self.maxReadBytes)
            var operations: [DocumentOperation] = []
            var next = result.nextOffset
            let held = index.appliedOffsets[key] ?? 0
            for record in result.records where record.offset >= held {
                switch feed.change(record) {
                case .index(let id, let source): operations.append(DocumentOperation(id: id, kind: .index(source: source)))
                case .delete(let id): operations.append(DocumentOperation(id: id, kind: .delete))
                case .skip(let reason):
                    logger.warning("a record does not make a document", metadata: ["partition": "\(partition)", "offset": "\(record.offset)", "reason": "\(reason)"])
                case .truncate:
                    atTruncate[partition] = record.offset
                    next = record.offset
                }
                if atTruncate[partition] != nil { break }
            }
            let results = await index.applyOnWriterQueue(operations, consumed: [key: next])
            report(results, index: feed.index)
            applied += operations.count
            positions[partition] = next
        }
        if atTruncate.count == partitions {
            let consumed = Dictionary(uniqueKeysWithValues: atTruncate.map { (Self.offsetKey($0.key), $0.value + 1) })
            let removed = await index.deleteDocumentsOnWriterQueue(where: { _ in true }, consumed: consumed)
            logger.info("a truncate emptied the index", metadata: ["index": "\(feed.index)", "documents": "\(removed)"])
            for (partition, offset) in atTruncate { positions[partition] = offset + 1 }
            applied += 1
        }
        return applied
    }

    private func report(_ results: [DocumentResult], index: String) {
        var failures = 0
        for result in results where result.error != nil {
            failures += 1
            logger.error("a document was rejected", metadata: ["index": "\(index)", "error": "\(result.error?.description ?? "")"])
        }
        Counter(label: "search_index_documents_total", dimensions: [("index", index)]).increment(by: results.count - failures)
        if failures > 0 { Counter(label: "search_index_rejected_total", dimensions: [("index", index)]).increment(by: failures) }
        progress.withLock { $0.documents += results.count - failures; $0.rejected += failures }
    }

    private func openIndex(_ feed: IndexFeed) throws -> SearchIndex {
        if let index = engine.index(feed.index) { return index }
        do {
            return try engine.createIndex(feed.index, settings: feed.settings, mappings: feed.mappings)
        } catch {
            // Created concurrently (e.g. by a REST request) — use it.
            if let index = engine.index(feed.index) { return index }
            throw error
        }
    }

    /// Commits the fed indices, then the consumer group at what they committed.
    private func commit(_ positions: [TopicPartition: Int64]) async throws {
        guard !positions.isEmpty else { return }
        for name in Set(feeds.map(\.index)) {
            guard let index = engine.index(name) else { continue }
            let committed = index.committedOffsets
            if index.appliedOffsets.contains(where: { committed[$0.key] != $0.value }) {
                try await runBlocking(name: "moodle-pipeline.search-commit") { try index.commit() }
            }
        }
        var committed: [TopicPartition: Int64] = [:]
        for feed in feeds {
            guard let index = engine.index(feed.index) else { continue }
            for (partition, _) in positions where partition.topic == feed.topic {
                if let offset = index.committedOffsets[Self.offsetKey(partition)] {
                    committed[partition] = min(committed[partition] ?? offset, offset)
                }
            }
        }
        if !committed.isEmpty { try await log.commit(Self.consumerGroup, offsets: committed) }
        progress.withLock { $0.commits += 1 }
    }

    static func offsetKey(_ partition: TopicPartition) -> String { "\(partition.topic)/\(partition.partition)" }
}

/// What the indexer has done (for readiness and the console).
public struct IndexerProgress: Sendable {
    public var documents = 0
    public var rejected = 0
    public var commits = 0
    /// True when the last pass found nothing new to apply.
    public var caughtUp = false
}
