import StreamProcessing

/// A sort value comparable across segments and indices: numbers (scores, longs, dates, double sortable
/// bits, doc positions) and keyword bytes. A missing keyword is `.number(.min)` or `.number(.max)`, which
/// sort before or after every term.
enum SortKey: Sendable, Equatable {
    case number(Int64)
    case bytes([UInt8])

    static func compare(_ left: SortKey, _ right: SortKey) -> Int {
        switch (left, right) {
        case (.number(let a), .number(let b)): return a < b ? -1 : a > b ? 1 : 0
        case (.bytes(let a), .bytes(let b)):
            if a == b { return 0 }
            return a.lexicographicallyPrecedes(b) ? -1 : 1
        case (.number(let a), .bytes): return a == .max ? 1 : -1
        case (.bytes, .number(let b)): return b == .max ? -1 : 1
        }
    }
}

/// How one sort criterion reads documents in one index.
enum SortFieldKind: Sendable {
    case score
    case doc
    case shardDoc
    /// long, integer, short, byte, date, boolean doc values.
    case long(field: String, dateFormat: DateFormat?)
    /// double, float doc values (sortable bits).
    case double(field: String)
    case keyword(field: String)
    /// Not mapped in this index (with `unmapped_type`): every document is missing.
    case unmapped(numeric: Bool)

    /// The field's kind in `snapshot`, or OpenSearch's error for text fields and unmapped fields.
    static func resolve(_ sort: SortField, in mapping: IndexMapping) throws(SearchError) -> SortFieldKind {
        switch sort.target {
        case .score: return .score
        case .doc: return .doc
        case .shardDoc: return .shardDoc
        case .field(let name):
            guard let field = mapping.field(name), field.type != .object else {
                if name == "_id" || name == "_index" { return .keyword(field: name) }
                guard let unmapped = sort.unmappedType else { throw SearchError.queryShard("No mapping found for [\(name)] in order to sort on") }
                return .unmapped(numeric: unmapped != "keyword" && unmapped != "text")
            }
            switch field.type {
            case .text:
                throw SearchError.illegalArgument(
                    "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [\(name)] in order to load field data by uninverting the inverted index. Note that this can use significant memory.")
            case .keyword: return .keyword(field: name)
            case .double, .float, .halfFloat: return .double(field: name)
            case .date: return .long(field: name, dateFormat: try sort.format.map { (pattern) throws(SearchError) in try DateFormat(pattern: pattern) })
            default: return .long(field: name, dateFormat: nil)
            }
        }
    }

    var isKeyword: Bool {
        switch self {
        case .keyword: true
        case .unmapped(let numeric): !numeric
        default: false
        }
    }
}

/// Reads one sort criterion's key for the documents of one segment, as an Int64 that orders like the
/// value (keyword: `2·ordinal + 1`, with a custom missing term between ordinals at `2·insertion point`).
struct SegmentSortKey {
    enum Source {
        case score
        case position(base: Int64)
        case numeric(any NumericDocValues, Numeric)
        case keyword(any SortedSetDocValues, useMax: Bool)
        case missing
    }

    enum Numeric { case min, max, sum, avg, median, doubleSum, doubleAvg, doubleMedian }

    let source: Source
    /// The key of a document without a value.
    let missingKey: Int64

    @inline(__always) func key(_ doc: Int32, score: Float) -> Int64 {
        switch source {
        case .score: return Self.scoreKey(score)
        case .position(let base): return base + Int64(doc)
        case .numeric(let values, let mode):
            if values.isSingleValued || mode == .min {
                return values.first(doc) ?? missingKey
            }
            return Self.combine(values.values(doc), mode) ?? missingKey
        case .keyword(let values, let useMax):
            if useMax && !values.isSingleValued {
                guard let last = values.ordinals(doc).last else { return missingKey }
                return 2 * Int64(last) + 1
            }
            guard let first = values.firstOrdinal(doc) else { return missingKey }
            return 2 * Int64(first) + 1
        case .missing: return missingKey
        }
    }

    static func scoreKey(_ score: Float) -> Int64 {
        let bits = Int32(bitPattern: score.bitPattern)
        return Int64(bits ^ ((bits >> 31) & 0x7fff_ffff))
    }

    static func score(fromKey key: Int64) -> Float {
        let bits = Int32(truncatingIfNeeded: key)
        return Float(bitPattern: UInt32(bitPattern: bits ^ ((bits >> 31) & 0x7fff_ffff)))
    }

    private static func combine(_ values: [Int64], _ mode: Numeric) -> Int64? {
        guard !values.isEmpty else { return nil }
        switch mode {
        case .min: return values.first
        case .max: return values.last
        case .sum: return values.reduce(0, &+)
        case .avg: return Int64((Double(values.reduce(0, &+)) / Double(values.count)).rounded())
        case .median:
            let middle = values.count / 2
            return values.count % 2 == 1 ? values[middle] : Int64((Double(values[middle - 1]) + Double(values[middle])) / 2)
        case .doubleSum, .doubleAvg, .doubleMedian:
            let doubles = values.map(SortableNumber.double(fromSortableBits:))
            let result: Double
            switch mode {
            case .doubleSum: result = doubles.reduce(0, +)
            case .doubleAvg: result = doubles.reduce(0, +) / Double(doubles.count)
            default:
                let middle = doubles.count / 2
                result = doubles.count % 2 == 1 ? doubles[middle] : (doubles[middle - 1] + doubles[middle]) / 2
            }
            return SortableNumber.sortableBits(result)
        }
    }
}
