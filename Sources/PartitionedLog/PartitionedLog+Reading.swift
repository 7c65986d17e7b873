import CoreMetrics
import Logging
import Synchronization

/// Reading, waiting, consumer groups and inspection.
extension PartitionedLog {
    /// Reads from `offset` on: at least one batch when records are there, then up to `maxRecords` records
    /// and about `maxBytes` bytes. Only durable, decided records are returned; each batch is CRC-checked.
    public func read(
        _ partition: TopicPartition, from offset: Int64, maxRecords: Int = 1000, maxBytes: Int = 1 << 20
    ) async throws -> ReadResult {
        let partition = try self.partition(partition)
        return try await context.onReadThread {
            try partition.read(from: offset, maxRecords: max(1, maxRecords), maxBytes: max(1, maxBytes))
        }
    }

    /// Waits until the record at `offset` (a consumer's next offset) is readable: true when it is, false on
    /// timeout or cancellation. No polling: appends wake the waiters.
    public func waitForRecords(_ partition: TopicPartition, from offset: Int64, timeout: Duration) async throws -> Bool {
        let partition = try self.partition(partition)
        return await partition.waitForRecords(from: offset, timeout: timeout)
    }

    /// The first offset whose record's timestamp (ms since the epoch) is at or after `timestamp`; nil when
    /// no readable record is that recent.
    public func offset(_ partition: TopicPartition, forTimestamp timestamp: Int64) async throws -> Int64? {
        let partition = try self.partition(partition)
        return try await context.onReadThread { try partition.offset(forTimestamp: timestamp) }
    }

    /// The first offset still stored and the offset after the last readable record.
    public func offsets(_ partition: TopicPartition) throws -> (start: Int64, end: Int64) {
        let view = try self.partition(partition).view
        return (view.startOffset, view.visibleEnd)
    }

    // MARK: Consumer groups

    /// Registers a durable consumer group on topics: retention keeps what it has not committed.
    public func registerConsumer(_ group: String, topics: Set<String>) async throws {
        try Topic.validate(name: group)
        let consumers = self.consumers
        try await context.onReadThread { try consumers.register(group, topics: topics) }
    }

    public func unregisterConsumer(_ group: String) async throws {
        let consumers = self.consumers
        try await context.onReadThread { try consumers.unregister(group) }
    }

    /// Durably stores a group's next offsets to read (atomic: all of them or, after a crash, none).
    public func commit(_ group: String, offsets: [TopicPartition: Int64]) async throws {
        let consumers = self.consumers
        try await context.onReadThread { try consumers.commit(group, offsets: offsets) }
    }

    public func committedOffsets(_ group: String) -> [TopicPartition: Int64] {
        consumers.group(group)?.offsets ?? [:]
    }

    /// Records between a group's committed offset and the end, per partition of its topics.
    public func lag(_ group: String) -> [TopicPartition: Int64] {
        guard let registered = consumers.group(group) else { return [:] }
        var lag: [TopicPartition: Int64] = [:]
        for name in registered.topics {
            guard let topic = topics.withLock({ $0[name] }) else { continue }
            for partition in topic.partitions {
                let view = partition.view
                let committed = max(registered.offsets[partition.id] ?? view.startOffset, view.startOffset)
                lag[partition.id] = max(0, view.visibleEnd - committed)
                context.metrics.consumerLag(group: group, partition.id).record(lag[partition.id] ?? 0)
            }
        }
        return lag
    }

    public var consumerGroups: [String] { consumers.all.keys.sorted() }

    // MARK: Inspection

    public func describe() -> [TopicDescription] {
        let now = context.now
        let topics = self.topics.withLock { $0.values.sorted { $0.name < $1.name } }
        return topics.map { topic in
            TopicDescription(
                name: topic.name, configuration: topic.configuration,
                partitions: topic.partitions.map { $0.describe(now: now) })
        }
    }
}

public struct TopicDescription: Sendable {
    public var name: String
    public var configuration: TopicConfiguration
    public var partitions: [PartitionDescription]
}

public struct PartitionDescription: Sendable {
    public var partition: Int
    public var startOffset: Int64
    public var endOffset: Int64
    public var sizeBytes: Int
    public var segments: Int
    /// Appended records per second over the last minute.
    public var recordsPerSecond: Double
    /// Bytes retention would have deleted but keeps for a durable consumer that has not committed past them.
    public var retentionHeldBytes: Int
}

extension Partition {
    func describe(now: Int64) -> PartitionDescription {
        let (segments, end, rate, held) = state.withLock {
            ($0.segments, $0.visibleEnd, $0.rate.perSecond(now: now, end: $0.visibleEnd), $0.retentionHeldBytes)
        }
        return PartitionDescription(
            partition: id.partition, startOffset: segments[0].baseOffset, endOffset: end,
            sizeBytes: segments.reduce(0) { $0 + $1.size }, segments: segments.count, recordsPerSecond: rate,
            retentionHeldBytes: held)
    }
}
