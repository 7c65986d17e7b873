/// A point-in-time view of one index: its mapping and its segments with the live documents of each as of
/// one refresh. Immutable: a search, a scroll or a point-in-time holds one and sees nothing change, while
/// the writer refreshes and merges; segments stay readable for as long as a snapshot references them.
public struct IndexSnapshot: Sendable {
    public let indexName: String
    public let mapping: IndexMapping
    public let segments: [SegmentView]
    /// `index.max_result_window`: the most `from + size` a search of this index may ask for.
    public let maxResultWindow: Int

    public init(indexName: String, mapping: IndexMapping, segments: [SegmentView], maxResultWindow: Int = SearchLimits.defaultMaxResultWindow) {
        self.indexName = indexName
        self.mapping = mapping
        self.segments = segments
        self.maxResultWindow = maxResultWindow
    }

    /// Live documents over all segments.
    public var liveDocCount: Int { segments.reduce(0) { $0 + $1.liveCount } }
}

public struct SegmentView: Sendable {
    public let segment: any SegmentReading
    /// nil when every document of the segment is live.
    public let liveDocs: LiveDocs?

    public init(segment: any SegmentReading, liveDocs: LiveDocs?) {
        self.segment = segment
        self.liveDocs = liveDocs
    }

    @inline(__always) public func isLive(_ doc: Int32) -> Bool { liveDocs?.contains(doc) ?? true }
    public var liveCount: Int { segment.maxDoc - (liveDocs?.deletedCount ?? 0) }
}

/// A bitset of the live documents of a segment (copy-on-write: a snapshot keeps the version it was given).
public struct LiveDocs: Sendable, Hashable {
    public private(set) var words: [UInt64]
    public private(set) var deletedCount: Int

    public init(maxDoc: Int) {
        words = [UInt64](repeating: ~0, count: (maxDoc + 63) / 64)
        deletedCount = 0
        let tail = maxDoc % 64
        if tail != 0 { words[words.count - 1] = (1 << UInt64(tail)) - 1 }
    }

    public init(words: [UInt64], deletedCount: Int) {
        self.words = words
        self.deletedCount = deletedCount
    }

    @inline(__always) public func contains(_ doc: Int32) -> Bool {
        words[Int(doc) >> 6] & (1 << UInt64(doc & 63)) != 0
    }

    /// Marks `doc` deleted; false when it already was.
    @discardableResult public mutating func delete(_ doc: Int32) -> Bool {
        let bit: UInt64 = 1 << UInt64(doc & 63)
        guard words[Int(doc) >> 6] & bit != 0 else { return false }
        words[Int(doc) >> 6] &= ~bit
        deletedCount += 1
        return true
    }
}

/// The documents of one segment a query matched, ascending, with their scores (all 1 when not scored).
public struct SegmentMatches: Sendable {
    public let view: SegmentView
    public let docs: [Int32]
    public let scores: [Float]

    public init(view: SegmentView, docs: [Int32], scores: [Float]) {
        self.view = view
        self.docs = docs
        self.scores = scores
    }
}
