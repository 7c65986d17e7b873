/// The engine's storage limits, kept together with their reasons (as SQLite keeps `sqliteLimit.h`).
public enum SearchLimits {
    /// Bytes the indexing buffer may hold (tokens, terms, sources, doc values) before its documents are
    /// turned into a segment and written out, whether or not a refresh made them visible. Bounds the
    /// writer's memory between refreshes (Lucene's `ramBufferSizeMB` is 16 MiB; our buffer is less compact).
    public static let indexingBufferBytes = 16 << 20
    /// Bytes of refreshed but unflushed (heap) segments per index before they are written to files and
    /// memory-mapped: the OS pages them from then on, so memory stays bounded without a commit.
    public static let maxHeapSegmentBytes = 32 << 20
    /// Documents per segment: doc ids are Int32, term frequencies and offsets within a segment UInt32.
    public static let maxSegmentDocs = 1 << 30
    /// Largest segment file a merge produces; bigger segments are left alone (Lucene's
    /// `max_merged_segment`, 5 GiB), so a merge never rewrites the whole index.
    public static let maxMergedSegmentBytes = 5 << 30
    /// A segment is merged when this many segments of similar size exist (Lucene's `segments_per_tier`).
    public static let segmentsPerTier = 10
    /// Most segments one merge combines (Lucene's `max_merge_at_once`).
    public static let maxMergeAtOnce = 10
    /// A segment with more than this fraction of deleted documents is rewritten by itself.
    public static let maxDeletedFraction = 0.3
    /// Segments smaller than this count as one tier (Lucene's `floor_segment`, 2 MiB).
    public static let floorSegmentBytes = 2 << 20
    /// Documents per skip block in a posting list: `advance(to:)` jumps whole blocks.
    public static let postingsBlockSize = 128
    /// Longest term the inverted index accepts (Lucene's `MAX_TERM_LENGTH`, 32766 bytes): longer ones are dropped.
    public static let maxTermBytes = 32766
    /// Longest `_id` (OpenSearch refuses ids longer than 512 bytes).
    public static let maxIDBytes = 512
    /// Longest index name, in UTF-8 bytes (OpenSearch's `MAX_INDEX_NAME_BYTES`).
    public static let maxIndexNameBytes = 255
    /// Deleted documents remembered for versioning (OpenSearch's `index.gc_deletes`, 60 s): a document
    /// indexed again within this time continues the deleted one's `_version`.
    public static let deleteTombstoneLifetime: Duration = .seconds(60)
    /// Default `index.max_result_window`.
    public static let defaultMaxResultWindow = 10_000
    /// Default `index.refresh_interval`.
    public static let defaultRefreshInterval: Duration = .seconds(1)
    /// Longest metadata or commit file read back (mappings with thousands of fields stay far below this);
    /// bounds what a corrupt length makes us allocate.
    public static let maxMetadataFileBytes = 64 << 20
}
