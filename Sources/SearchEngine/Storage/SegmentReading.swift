/// The read side of one immutable segment, as queries and aggregations see it. Doc ids are dense,
/// 0..<maxDoc, local to the segment; deleted documents are filtered by the searcher's live-docs view,
/// not here. Implemented by `Segment` (Storage/), whose bytes live in memory after a refresh and in a
/// memory-mapped, checksummed file once flushed — the same reader for both.
public protocol SegmentReading: AnyObject, Sendable {
    /// A stable name, e.g. `_3`; unique within an index.
    var name: String { get }
    /// Number of documents in the segment, deleted ones included.
    var maxDoc: Int { get }

    /// Field statistics for BM25 (Lucene's `CollectionStatistics`): documents with the field, and the sum
    /// of the field's lengths over them. nil when no document of the segment has the field indexed.
    func fieldStatistics(_ field: String) -> FieldStatistics?

    /// The field's postings for a term; nil when the term does not occur.
    func postings(_ field: String, _ term: TermBytes) -> (any Postings)?
    /// The field's terms in byte order, starting at the first term ≥ `from` (all terms when nil). Used by
    /// prefix, wildcard, regexp, fuzzy and range queries.
    func terms(_ field: String, from: TermBytes?) -> any TermIterator
    /// The field's length in tokens for `doc` (as BM25 sees it: Lucene's lossy SmallFloat norm decoded), 0 when
    /// the document has no value or the field has no norms.
    func fieldLength(_ field: String, doc: Int32) -> Int32
    /// The field's norms for scoring loops: one field lookup, then a byte load per document (`fieldLength`
    /// looks the field up on every call). nil when the field has no norms. (Added by storage-index.)
    func norms(_ field: String) -> FieldNorms?

    /// Numeric doc values (long/integer/date/boolean as Int64; double/float as `SortableNumber.sortableBits`).
    func numericDocValues(_ field: String) -> (any NumericDocValues)?
    /// Keyword doc values: per document the ordinals of its values, and the ordinal → term table (sorted).
    func sortedSetDocValues(_ field: String) -> (any SortedSetDocValues)?

    /// The stored `_source` bytes of a document, and its `_id`.
    func source(_ doc: Int32) -> [UInt8]
    func id(_ doc: Int32) -> String
    /// The document with this `_id` in this segment (live or not), if any.
    func doc(forID id: String) -> Int32?
    /// `_seq_no`, `_version` and `_primary_term` of a document.
    func seqNo(_ doc: Int32) -> Int64
    func version(_ doc: Int32) -> Int64
}

public struct FieldStatistics: Sendable, Hashable {
    /// Documents (deleted ones included, as in Lucene) that have at least one token in the field.
    public var docCount: Int
    /// Total number of tokens of the field over those documents.
    public var sumTotalTermFreq: Int64

    public init(docCount: Int, sumTotalTermFreq: Int64) {
        self.docCount = docCount
        self.sumTotalTermFreq = sumTotalTermFreq
    }
}

/// A term's posting list: ascending doc ids with their frequencies and (for text) positions and offsets.
public protocol Postings: Sendable {
    /// Number of documents containing the term (deleted ones included).
    var docFreq: Int { get }
    /// Sum of the term's frequencies over all documents.
    var totalTermFreq: Int64 { get }
    func makeIterator() -> any PostingsIterator
}

/// Walks a posting list. `nextDoc()` returns the next doc id or nil at the end; `advance(to:)` returns the first
/// doc id ≥ target. After either, `freq` and `positions()` describe the current document.
public protocol PostingsIterator {
    mutating func nextDoc() -> Int32?
    mutating func advance(to target: Int32) -> Int32?
    var freq: Int32 { get }
    /// Positions (and UTF-8 offsets) of the term in the current document; empty for `docs`-only fields.
    func positions() -> [(position: Int32, startOffset: Int32, endOffset: Int32)]
}

public protocol TermIterator {
    /// The next term (and its postings), or nil at the end.
    mutating func next() -> (term: TermBytes, postings: any Postings)?
}

/// Numeric column. Multi-valued fields give all values of a document, ascending.
public protocol NumericDocValues: Sendable {
    func values(_ doc: Int32) -> [Int64]
    /// The smallest value of the document (the common single-valued case without allocating), nil when none.
    func first(_ doc: Int32) -> Int64?
    /// True when no document of the segment has more than one value: aggregations then read `first` only.
    var isSingleValued: Bool { get }
}

/// Keyword column: per document the sorted ordinals of its values; ordinals index a sorted term table.
public protocol SortedSetDocValues: Sendable {
    var valueCount: Int { get }
    func ordinals(_ doc: Int32) -> [Int32]
    func firstOrdinal(_ doc: Int32) -> Int32?
    /// True when no document of the segment has more than one value: aggregations then read `firstOrdinal` only.
    var isSingleValued: Bool { get }
    func term(forOrdinal ordinal: Int32) -> TermBytes
    /// The ordinal of a term, or nil when absent.
    func ordinal(of term: TermBytes) -> Int32?
}

extension NumericDocValues {
    /// Conservative default (correct, slower): implementations that know better say so.
    public var isSingleValued: Bool { false }
}

extension SortedSetDocValues {
    /// Conservative default (correct, slower): implementations that know better say so.
    public var isSingleValued: Bool { false }
}
