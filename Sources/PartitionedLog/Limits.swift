/// The log's hard limits, kept together with their reasons (as SQLite keeps `sqliteLimit.h`).
public enum LogLimits {
    /// Largest encoded batch (header + payload, compressed or not). Bounds what a reader or recovery ever
    /// holds in memory for one batch, and what a corrupt length field can make us allocate.
    public static let maxBatchBytes = 16 << 20
    /// Producers split a group into batches of about this much uncompressed payload: big enough that
    /// compression and CRC work on a good chunk, small enough that a reader's batch fits a read buffer.
    public static let targetBatchBytes = 1 << 20
    /// Largest single record (key + value + headers): it must fit one batch.
    public static let maxRecordBytes = maxBatchBytes - BatchHeader.size - 1024
    /// Segment positions are stored as 32-bit offsets in the index: a segment never grows past 2 GiB.
    public static let maxSegmentBytes = 1 << 31
    /// Bytes of queued (not yet written) appends per partition before producers wait: back-pressure,
    /// not buffering. One group larger than this is still admitted when the queue is empty.
    public static let maxPendingBytesPerPartition = 32 << 20
    /// Most bytes one flush writes with one `write` + `fdatasync`; more waits for the next round.
    public static let maxFlushBytes = 16 << 20
    /// A sparse index entry every this many bytes of segment (Kafka's `index.interval.bytes`).
    public static let indexIntervalBytes = 4096
    /// Read buffer for recovery scans and readers: memory per reader is this, whatever the log's size.
    public static let readBufferBytes = 1 << 20
    /// Keys the compactor remembers per pass (16-byte digests + offset): bounds its memory to ~40 MiB;
    /// a partition with more distinct keys is compacted over several passes.
    public static let compactionMapEntries = 1_000_000
    /// The transactions file is rewritten to its live entries once it grows past this.
    public static let transactionLogCompactBytes = 1 << 20
    /// Longest topic name (it is a directory name).
    public static let maxTopicNameLength = 200
    /// Most partitions per topic.
    public static let maxPartitions = 256
    /// Longest header name and most headers per record.
    public static let maxHeaderNameBytes = 1024
    public static let maxHeadersPerRecord = 1024
}
