import Logging
import Metrics
import PosixFiles
import Synchronization

/// The appliance's Kafka: named topics of partitioned, durable, replayable records.
///
/// Layout: `<directory>/<topic>/<partition>/<base offset>.{log,index,timeindex}`, `<topic>/topic.conf`,
/// `__transactions` (multi-partition commit decisions), `__consumer_offsets/<group>.offsets`.
///
/// `append` returns once the records are durable (see `LogConfiguration.FsyncPolicy`); readers see only
/// durable, decided records; a failed write or fsync stops the whole log (fail-stop) and the next start
/// recovers from disk. Blocking file I/O runs on the log's own threads, never on Swift's cooperative pool.
public final class PartitionedLog: Sendable {
    let context: LogContext
    public let directory: String
    let topics: Mutex<[String: Topic]>
    let transactions: TransactionLog
    let consumers: ConsumerOffsets
    /// Multi-partition groups are queued in every partition under this lock, so that all partitions see them
    /// in the same order (two groups waiting on each other's partitions would deadlock); the streamed group
    /// takes its partitions under it too (see `GroupOrder`).
    let groupOrder = Mutex(GroupOrder())

    private init(context: LogContext, transactions: TransactionLog, consumers: ConsumerOffsets, topics: [String: Topic]) {
        self.context = context
        self.directory = context.configuration.directory
        self.transactions = transactions
        self.consumers = consumers
        self.topics = Mutex(topics)
    }

    /// Opens the log, recovering every topic found on disk (see `SegmentLoader`).
    public static func open(
        _ configuration: LogConfiguration, logger: Logger, metricsFactory: (any MetricsFactory)? = nil
    ) async throws -> PartitionedLog {
        let context = LogContext(
            configuration: configuration, logger: logger, metricsFactory: metricsFactory ?? MetricsSystem.factory)
        do {
            return try await context.onReadThread {
                let directory = configuration.directory
                try FileSystem.makeDirectories(directory)
                let transactions = try TransactionLog(directory: directory)
                let consumers = try ConsumerOffsets(directory: "\(directory)/__consumer_offsets")
                var topics: [String: Topic] = [:]
                for name in try FileSystem.list(directory)
                where !name.hasPrefix("__") && FileSystem.exists("\(directory)/\(name)/topic.conf") {
                    let topicDirectory = "\(directory)/\(name)"
                    let settings = try Topic.load(directory: topicDirectory)
                    topics[name] = try openTopic(name, directory: topicDirectory, settings, context, transactions)
                }
                return PartitionedLog(context: context, transactions: transactions, consumers: consumers, topics: topics)
            }
        } catch {
            await context.shutdown()
            throw error
        }
    }

    private static func openTopic(
        _ name: String, directory: String, _ settings: TopicConfiguration, _ context: LogContext,
        _ transactions: TransactionLog
    ) throws(LogError) -> Topic {
        var partitions: [Partition] = []
        for number in 0..<settings.partitions {
            let (partition, _) = try Partition.open(
                id: TopicPartition(topic: name, partition: number), directory: "\(directory)/\(number)",
                topic: settings, context: context, isCommitted: transactions.isCommitted)
            partitions.append(partition)
        }
        return Topic(name: name, directory: directory, partitions: partitions, configuration: settings)
    }

    /// Creates a topic, or checks an existing one against `configuration` (the partition count and cleanup
    /// policy cannot change; the other settings are updated).
    public func createTopic(_ name: String, _ configuration: TopicConfiguration = TopicConfiguration()) async throws {
        try Topic.validate(name: name)
        try configuration.validate(topic: name)
        if let existing = topics.withLock({ $0[name] }) {
            try await context.onReadThread { try existing.update(configuration) }
            return
        }
        let context = self.context
        let transactions = self.transactions
        let directory = "\(self.directory)/\(name)"
        let topic = try await context.onReadThread {
            try FileSystem.makeDirectories(directory)
            try Topic.store(configuration, directory: directory)
            return try Self.openTopic(name, directory: directory, configuration, context, transactions)
        }
        topics.withLock { $0[name] = $0[name] ?? topic }
    }

    func topic(_ name: String) throws(LogError) -> Topic {
        guard let topic = topics.withLock({ $0[name] }) else { throw LogError(.unknownTopic, "unknown topic \(name)") }
        return topic
    }

    func partition(_ id: TopicPartition) throws(LogError) -> Partition {
        let topic = try topic(id.topic)
        guard topic.partitions.indices.contains(id.partition) else {
            throw LogError(.invalidArgument, "topic \(id.topic) has no partition \(id.partition)")
        }
        return topic.partitions[id.partition]
    }

    public var topicNames: [String] { topics.withLock { $0.keys.sorted() } }

    public func partitionCount(of topic: String) throws -> Int { try self.topic(topic).partitions.count }

    // MARK: Appending

    /// Appends one record to the partition its key hashes to; returns where it landed once it is durable.
    public func append(_ record: LogRecord, to topic: String) async throws -> RecordPosition {
        try await append([record], to: topic)[0]
    }

    /// Appends records, each to the partition its key hashes to. Each partition's share is one group (all
    /// or nothing in that partition, even across a crash); for all-or-nothing across partitions and topics
    /// use `appendAtomically`. Returns positions in the order of `records`.
    public func append(_ records: [LogRecord], to topic: String) async throws -> [RecordPosition] {
        try await appendGroups(records.map { (topic, $0) }, txn: false)
    }

    /// Appends records to any topics and partitions so that readers see all of them or none of them, even
    /// across a crash (one source transaction). Spread over several partitions, the group is written and
    /// synced in each, then its commit is synced in `__transactions`, and only then becomes visible.
    public func appendAtomically(_ records: [(topic: String, record: LogRecord)]) async throws -> [RecordPosition] {
        try await appendGroups(records, txn: true)
    }

    private func appendGroups(_ records: [(topic: String, record: LogRecord)], txn: Bool) async throws -> [RecordPosition] {
        guard !records.isEmpty else { return [] }
        if let failed = context.failed { throw failed }
        let start = ContinuousClock.now
        defer { context.metrics.appendDuration.record(duration: ContinuousClock.now - start) }
        let shares = try shares(of: records)
        let txnId = txn && shares.count > 1 ? transactions.allocateId() : 0
        let parts = try encode(shares, of: records, txnId: txnId)
        let bases: [Int64]
        if txnId != 0 {
            bases = try await appendMultiPartition(parts.map { ($0.0, $0.1) }, txnId: txnId)
        } else if parts.count == 1 {
            bases = [try await parts[0].0.append(parts[0].1)]
        } else {
            bases = try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
                for (number, (partition, encoded, _)) in parts.enumerated() {
                    group.addTask { (number, try await partition.append(encoded)) }
                }
                var bases = [Int64](repeating: 0, count: parts.count)
                for try await (number, base) in group { bases[number] = base }
                return bases
            }
        }
        var positions = [RecordPosition?](repeating: nil, count: records.count)
        for ((partition, _, indices), base) in zip(parts, bases) {
            for (delta, index) in indices.enumerated() {
                positions[index] = RecordPosition(partition: partition.id, offset: base + Int64(delta))
            }
        }
        return positions.compactMap { $0 }
    }

    /// Checks records and splits them by partition, remembering each record's place in the input.
    func shares(of records: [(topic: String, record: LogRecord)]) throws(LogError) -> [TopicPartition: [Int]] {
        var shares: [TopicPartition: [Int]] = [:]
        var topicsSeen: [String: Topic] = [:]
        for (index, (topicName, record)) in records.enumerated() {
            let topic: Topic
            if let seen = topicsSeen[topicName] { topic = seen } else { topic = try self.topic(topicName) }
            topicsSeen[topicName] = topic
            if topic.configuration.cleanup == .compact, record.key == nil {
                throw LogError(.missingKey, "topic \(topicName) is compacted: every record needs a key")
            }
            try Self.validateHeaders(record)
            let partition: Int
            if let explicit = record.partition {
                guard explicit >= 0, explicit < topic.partitions.count else {
                    throw LogError(.invalidArgument, "topic \(topicName) has \(topic.partitions.count) partition(s); a record asked for partition \(explicit)")
                }
                partition = explicit
            } else {
                partition = Partitioner.partition(for: record.key, partitions: topic.partitions.count)
            }
            let id = TopicPartition(topic: topicName, partition: partition)
            shares[id, default: []].append(index)
        }
        return shares
    }

    /// Encodes each partition's share as one group, in partition order.
    func encode(_ shares: [TopicPartition: [Int]], of records: [(topic: String, record: LogRecord)], txnId: Int64)
        throws(LogError) -> [(Partition, EncodedGroup, [Int])]
    {
        let now = context.now
        var parts: [(Partition, EncodedGroup, [Int])] = []
        for (id, indices) in shares.sorted(by: { $0.key < $1.key }) {
            let partition = try partition(id)
            let group = try BatchCodec.encodeGroup(
                indices.map { records[$0].record }, now: now, compression: partition.topic.compression, txnId: txnId)
            parts.append((partition, group, indices))
        }
        return parts
    }

    private static func validateHeaders(_ record: LogRecord) throws(LogError) {
        guard record.headers.count <= LogLimits.maxHeadersPerRecord,
            record.headers.allSatisfy({ $0.name.utf8.count <= LogLimits.maxHeaderNameBytes })
        else {
            throw LogError(.recordTooLarge, "a record has more than \(LogLimits.maxHeadersPerRecord) headers or a header name over \(LogLimits.maxHeaderNameBytes) bytes")
        }
    }

    // MARK: Lifecycle

    /// Stops the log: refuses new appends, finishes queued ones (syncing them), wakes waiting readers, and
    /// stops the log's threads.
    public func close() async {
        closeGroupOrder()
        let partitions = topics.withLock { $0.values.flatMap(\.partitions) }
        for partition in partitions { partition.beginClose() }
        for partition in partitions { await partition.waitUntilIdle() }
        for partition in partitions { partition.wakeAllWaiters() }
        await context.shutdown()
    }

    /// The error that stopped the log, if it stopped (fail-stop).
    public var failure: LogError? { context.failed }

    /// Returns the error that stops the log when it stops, or nil if the calling task is cancelled first.
    public func waitForFailure() async -> LogError? { await context.waitForFailure() }
}
