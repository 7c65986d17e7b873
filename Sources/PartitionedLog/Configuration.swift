/// How the log stores and keeps data. Defaults in parentheses.
public struct LogConfiguration: Sendable {
    /// When an acknowledged append is on disk.
    public enum FsyncPolicy: Sendable, Equatable {
        /// Every acknowledged append has been `fdatasync`ed; concurrent appends share one fsync (group commit).
        case always
        /// Appends are acknowledged once written; the log syncs at most this long after. A machine crash
        /// (not a process crash) may lose up to that window of acknowledged appends. Readers still only see
        /// synced records, so no sink ever gets ahead of the log.
        case interval(Duration)
    }

    /// `<data-dir>/log`.
    public var directory: String
    /// (`.always`)
    public var fsync: FsyncPolicy
    /// How often retention and compaction run (30 s).
    public var maintenanceInterval: Duration
    /// Threads doing writes and fsyncs, shared by all partitions (4): this many partitions fsync at once.
    public var writeThreads: Int
    /// Threads doing reads, index lookups and maintenance I/O (2).
    public var readThreads: Int
    /// Wall clock in milliseconds since the epoch: record timestamps, segment age, retention. Injected so
    /// that time-based behaviour is testable.
    public var clock: any LogClock

    public init(
        directory: String,
        fsync: FsyncPolicy = .always,
        maintenanceInterval: Duration = .seconds(30),
        writeThreads: Int = 4,
        readThreads: Int = 2,
        clock: any LogClock = SystemLogClock()
    ) {
        self.directory = directory
        self.fsync = fsync
        self.maintenanceInterval = maintenanceInterval
        self.writeThreads = writeThreads
        self.readThreads = readThreads
        self.clock = clock
    }
}

/// How one topic is partitioned, stored and kept. Defaults in parentheses.
public struct TopicConfiguration: Sendable, Equatable {
    public enum Cleanup: String, Sendable, Codable {
        /// Delete whole old segments by age and size.
        case delete
        /// Keep the latest record per key; tombstones (null values) expire after `tombstoneRetention`.
        case compact
    }

    public enum Compression: String, Sendable, Codable {
        case none
        /// zlib (deflate) per batch.
        case zlib
    }

    /// Fixed at creation: the key → partition mapping depends on it. (4)
    public var partitions: Int
    /// (`.delete`)
    public var cleanup: Cleanup
    /// (`.none`)
    public var compression: Compression
    /// Roll the active segment at this size (128 MiB).
    public var segmentBytes: Int
    /// Roll the active segment once it is this old, so that retention can reach quiet topics (1 day).
    public var segmentAge: Duration
    /// Delete segments whose newest record is older than this; nil keeps them (7 days). `.delete` only.
    public var retentionAge: Duration?
    /// Delete the oldest segments while the partition is larger than this; nil: no limit. `.delete` only.
    public var retentionBytes: Int?
    /// How long a tombstone is kept after compaction could drop it (1 day). `.compact` only.
    public var tombstoneRetention: Duration

    public init(
        partitions: Int = 4,
        cleanup: Cleanup = .delete,
        compression: Compression = .none,
        segmentBytes: Int = 128 << 20,
        segmentAge: Duration = .seconds(86_400),
        retentionAge: Duration? = .seconds(7 * 86_400),
        retentionBytes: Int? = nil,
        tombstoneRetention: Duration = .seconds(86_400)
    ) {
        self.partitions = partitions
        self.cleanup = cleanup
        self.compression = compression
        self.segmentBytes = segmentBytes
        self.segmentAge = segmentAge
        self.retentionAge = retentionAge
        self.retentionBytes = retentionBytes
        self.tombstoneRetention = tombstoneRetention
    }

    func validate(topic: String) throws(LogError) {
        guard (1...LogLimits.maxPartitions).contains(partitions) else {
            throw LogError(.invalidArgument, "topic \(topic): partitions must be 1-\(LogLimits.maxPartitions)")
        }
        guard segmentBytes >= 4096, segmentBytes <= LogLimits.maxSegmentBytes else {
            throw LogError(.invalidArgument, "topic \(topic): segment size must be 4 KiB-2 GiB")
        }
        guard segmentAge > .zero, tombstoneRetention >= .zero else {
            throw LogError(.invalidArgument, "topic \(topic): durations must be positive")
        }
    }
}

/// Milliseconds since the Unix epoch.
public protocol LogClock: Sendable {
    func nowMilliseconds() -> Int64
}

public struct SystemLogClock: LogClock {
    public init() {}
    public func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
