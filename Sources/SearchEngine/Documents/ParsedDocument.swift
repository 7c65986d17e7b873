/// What the indexer needs from one document, produced by `DocumentParser` from its JSON `_source` and the
/// index mapping: the terms of every indexed field, the doc values of every sortable/aggregatable field,
/// and the `_source` bytes to store. Field names are full dotted paths (`user.name`, `title.keyword`).
public struct ParsedDocument: Sendable {
    public var id: String
    /// The `_source` as stored and returned (compact JSON, members in the order given).
    public var source: [UInt8]
    public var indexedFields: [IndexedField]
    public var docValues: [DocValuesField]
    /// Mappings added by dynamic mapping while parsing this document (empty when none); the writer merges
    /// them into the index mapping before the document becomes searchable.
    public var dynamicMappings: [String: FieldMapping]

    public init(id: String, source: [UInt8], indexedFields: [IndexedField] = [], docValues: [DocValuesField] = [], dynamicMappings: [String: FieldMapping] = [:]) {
        self.id = id
        self.source = source
        self.indexedFields = indexedFields
        self.docValues = docValues
        self.dynamicMappings = dynamicMappings
    }
}

/// Term bytes as stored in the inverted index: UTF-8 for text and keyword, `SortableNumber` encoding
/// (8 bytes, big-endian, order-preserving) for long/integer/double/float/date/boolean.
public typealias TermBytes = [UInt8]

/// One token of an analyzed field.
public struct Token: Sendable, Hashable {
    public var term: TermBytes
    /// Position in the field (increments by one per token; across values of an array field a gap of 100,
    /// OpenSearch's `position_increment_gap`, so phrases never match across values).
    public var position: Int32
    /// UTF-8 byte offsets in the original value (for highlighting).
    public var startOffset: Int32
    public var endOffset: Int32

    public init(term: TermBytes, position: Int32, startOffset: Int32, endOffset: Int32) {
        self.term = term
        self.position = position
        self.startOffset = startOffset
        self.endOffset = endOffset
    }
}

/// What the inverted index keeps of a field.
public enum IndexOptions: Sendable, Hashable {
    /// Doc ids only (keyword, numbers, dates, booleans, `_id`).
    case docs
    /// Doc ids, term frequencies and positions (text).
    case positions
}

public struct IndexedField: Sendable {
    public var name: String
    public var options: IndexOptions
    /// The field's tokens, all values of the field in this document, positions already assigned.
    public var tokens: [Token]
    /// Whether the field has norms (its length counts for BM25): text fields do, the rest do not.
    public var hasNorms: Bool

    public init(name: String, options: IndexOptions, tokens: [Token], hasNorms: Bool) {
        self.name = name
        self.options = options
        self.tokens = tokens
        self.hasNorms = hasNorms
    }
}

/// Column-oriented values for sorting and aggregations.
public struct DocValuesField: Sendable {
    public var name: String
    public var values: DocValues

    public init(name: String, values: DocValues) {
        self.name = name
        self.values = values
    }
}

public enum DocValues: Sendable {
    /// long/integer/date (epoch millis)/boolean (0/1), all values of the field in this document.
    case longs([Int64])
    /// double/float values.
    case doubles([Double])
    /// keyword values (UTF-8 bytes).
    case keywords([TermBytes])
}

/// Order-preserving 8-byte encodings, so that numeric terms sort as numbers in the term dictionary
/// (range queries walk it) — the role Lucene's points play.
public enum SortableNumber {
    public static func encode(_ value: Int64) -> TermBytes {
        let flipped = UInt64(bitPattern: value) ^ (1 << 63)
        return (0..<8).map { UInt8(truncatingIfNeeded: flipped >> (56 - 8 * UInt64($0))) }
    }

    public static func encode(_ value: Double) -> TermBytes {
        encode(sortableBits(value))
    }

    /// The Int64 whose signed order is the double's order (Lucene's `NumericUtils.doubleToSortableLong`).
    public static func sortableBits(_ value: Double) -> Int64 {
        let bits = Int64(bitPattern: (value == 0 ? 0.0 : value).bitPattern)
        return bits ^ ((bits >> 63) & 0x7fff_ffff_ffff_ffff)
    }

    public static func double(fromSortableBits bits: Int64) -> Double {
        Double(bitPattern: UInt64(bitPattern: bits ^ ((bits >> 63) & 0x7fff_ffff_ffff_ffff)))
    }

    public static func decodeLong(_ term: TermBytes) -> Int64? {
        guard term.count == 8 else { return nil }
        var raw: UInt64 = 0
        for byte in term { raw = raw << 8 | UInt64(byte) }
        return Int64(bitPattern: raw ^ (1 << 63))
    }
}
