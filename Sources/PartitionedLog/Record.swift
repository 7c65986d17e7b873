/// One record as a producer hands it to the log.
public struct LogRecord: Sendable, Equatable {
    /// Chooses the partition (see `Partitioner`) and, in compacted topics, what "latest" is per.
    public var key: [UInt8]?
    /// nil is a tombstone: in a compacted topic it deletes the key.
    public var value: [UInt8]?
    public var headers: [LogHeader]
    /// Milliseconds since the epoch; nil takes the log's clock at append.
    public var timestamp: Int64?
    /// An explicit partition, overriding the key's (e.g. a marker every partition must carry, such as a
    /// table truncate, so each partition's consumer meets it in order). Must be below the partition count.
    public var partition: Int?

    public init(key: [UInt8]?, value: [UInt8]?, headers: [LogHeader] = [], timestamp: Int64? = nil, partition: Int? = nil) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.partition = partition
    }

    var encodedSizeEstimate: Int {
        32 + (key?.count ?? 0) + (value?.count ?? 0) + headers.reduce(0) { $0 + 6 + $1.name.utf8.count + $1.value.count }
    }
}

public struct LogHeader: Sendable, Equatable {
    public var name: String
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// A record read back, with its place in the log.
public struct StoredRecord: Sendable, Equatable {
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [LogHeader]
    public var timestamp: Int64
}

/// A topic's partition.
public struct TopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int

    public init(topic: String, partition: Int) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)/\(partition)" }
}

/// Where an appended record landed.
public struct RecordPosition: Sendable, Hashable {
    public var partition: TopicPartition
    public var offset: Int64
}

/// What a read returns.
public struct ReadResult: Sendable {
    public var records: [StoredRecord]
    /// The offset to read from next (past the last record returned, or past skipped gaps).
    public var nextOffset: Int64
    /// The partition's end (next offset to be written and visible) when the read was made.
    public var endOffset: Int64
}
