import StreamProcessing

/// The sort of one search in one index: the criteria resolved against the index's mapping, the keys of
/// each segment, the `search_after` bound translated into each segment's keys, and the sort values shown
/// in hits. Without `sort`, the single criterion is `_score` descending.
struct SortPlan: Sendable {
    let fields: [SortField]
    let kinds: [SortFieldKind]
    /// Position of the snapshot among the searched ones (for `_shard_doc`).
    let snapshotIndex: Int
    /// Per segment, the number of documents in the segments before it (for `_doc`).
    let docBases: [Int64]

    init(sort: [SortField], snapshot: IndexSnapshot, snapshotIndex: Int) throws(SearchError) {
        fields = sort.isEmpty ? [SortField(target: .score)] : sort
        var kinds: [SortFieldKind] = []
        for field in fields { kinds.append(try SortFieldKind.resolve(field, in: snapshot.mapping)) }
        self.kinds = kinds
        self.snapshotIndex = snapshotIndex
        var bases: [Int64] = []
        var base: Int64 = 0
        for view in snapshot.segments {
            bases.append(base)
            base += Int64(view.segment.maxDoc)
        }
        docBases = bases
    }

    var descending: [Bool] { fields.map(\.descending) }

    /// The key of a document without a value: after all others with `_last` (the default), before with `_first`.
    private func defaultMissingKey(_ index: Int) -> Int64 {
        fields[index].missingSortsFirst == fields[index].descending ? .max : .min
    }

    /// The keys of one segment, one per criterion.
    func segmentKeys(_ segmentIndex: Int, _ view: SegmentView) -> [SegmentSortKey] {
        let segment = view.segment
        return fields.indices.map { index in
            let field = fields[index]
            var missing = defaultMissingKey(index)
            switch kinds[index] {
            case .score: return SegmentSortKey(source: .score, missingKey: 0)
            case .doc: return SegmentSortKey(source: .position(base: docBases[segmentIndex]), missingKey: 0)
            case .shardDoc:
                return SegmentSortKey(source: .position(base: Int64(snapshotIndex) << 40 | docBases[segmentIndex]), missingKey: 0)
            case .long(let name, let format):
                if case .value(let value) = field.missing, let key = try? Self.longKey(value, format: format) { missing = key }
                guard let values = segment.numericDocValues(name) else { return SegmentSortKey(source: .missing, missingKey: missing) }
                return SegmentSortKey(source: .numeric(values, Self.numericMode(field.effectiveMode, double: false)), missingKey: missing)
            case .double(let name):
                if case .value(let value) = field.missing, let key = Self.doubleKey(value) { missing = key }
                guard let values = segment.numericDocValues(name) else { return SegmentSortKey(source: .missing, missingKey: missing) }
                return SegmentSortKey(source: .numeric(values, Self.numericMode(field.effectiveMode, double: true)), missingKey: missing)
            case .keyword(let name):
                let values = segment.sortedSetDocValues(name)
                if case .value(let value) = field.missing, let text = DSLValue.text(value) {
                    missing = Self.keywordKey(Array(text.utf8), values)
                }
                guard let values else { return SegmentSortKey(source: .missing, missingKey: missing) }
                return SegmentSortKey(source: .keyword(values, useMax: field.effectiveMode == .max), missingKey: missing)
            case .unmapped: return SegmentSortKey(source: .missing, missingKey: missing)
            }
        }
    }

    private static func numericMode(_ mode: SortField.Mode, double: Bool) -> SegmentSortKey.Numeric {
        switch mode {
        case .min: .min
        case .max: .max
        case .sum: double ? .doubleSum : .sum
        case .avg: double ? .doubleAvg : .avg
        case .median: double ? .doubleMedian : .median
        }
    }

    /// A keyword's key in a segment: `2·ordinal + 1` when present, else `2·insertion point`.
    static func keywordKey(_ term: TermBytes, _ values: (any SortedSetDocValues)?) -> Int64 {
        guard let values else { return 0 }
        if let ordinal = values.ordinal(of: term) { return 2 * Int64(ordinal) + 1 }
        var low = 0
        var high = values.valueCount
        while low < high {
            let middle = (low + high) / 2
            if values.term(forOrdinal: Int32(middle)).lexicographicallyPrecedes(term) { low = middle + 1 } else { high = middle }
        }
        return 2 * Int64(low)
    }

    static func longKey(_ value: JSONValue, format: DateFormat?) throws(SearchError) -> Int64 {
        switch value {
        case .integer(let number): return number
        case .double(let number): return Int64(exactly: number.rounded()) ?? (number < 0 ? .min : .max)
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text):
            if let number = Int64(text) { return number }
            if text == "true" || text == "false" { return text == "true" ? 1 : 0 }
            if let millis = (format ?? DateFormat.default).parse(text) { return millis }
            throw SearchError.numberFormat(text)
        default: throw SearchError.illegalArgument("Failed to parse search_after value [\(DSLValue.text(value) ?? "null")]")
        }
    }

    static func doubleKey(_ value: JSONValue) -> Int64? {
        switch value {
        case .integer(let number): return SortableNumber.sortableBits(Double(number))
        case .double(let number): return SortableNumber.sortableBits(number)
        case .string(let text): return Double(text).map(SortableNumber.sortableBits)
        default: return nil
        }
    }

    // MARK: search_after

    /// The `search_after` values as keys of one segment (documents must sort strictly after them).
    func afterKeys(_ values: [JSONValue], _ segmentKeys: [SegmentSortKey], _ view: SegmentView) throws(SearchError) -> [Int64] {
        var keys: [Int64] = []
        for index in fields.indices {
            let value = values[index]
            if value == .null {
                keys.append(segmentKeys[index].missingKey)
                continue
            }
            switch kinds[index] {
            case .score:
                guard let number = DSLValue.text(value).flatMap(Float.init) else { throw SearchError.illegalArgument("Failed to parse search_after value for field [_score].") }
                keys.append(SegmentSortKey.scoreKey(number))
            case .doc, .shardDoc:
                keys.append(try Self.longKey(value, format: nil))
            case .long(_, let format):
                keys.append(try Self.longKey(value, format: format))
            case .unmapped(numeric: true):
                keys.append(try Self.longKey(value, format: nil))
            case .double:
                guard let key = Self.doubleKey(value) else { throw SearchError.illegalArgument("Failed to parse search_after value [\(DSLValue.text(value) ?? "")]") }
                keys.append(key)
            case .keyword(let name):
                keys.append(Self.keywordKey(Array((DSLValue.text(value) ?? "").utf8), view.segment.sortedSetDocValues(name)))
            case .unmapped:
                keys.append(Self.keywordKey(Array((DSLValue.text(value) ?? "").utf8), nil))
            }
        }
        return keys
    }

    // MARK: Global keys and sort values

    /// A segment key as a key comparable across segments.
    func globalKey(_ key: Int64, _ index: Int, _ segmentKey: SegmentSortKey) -> SortKey {
        guard case .keyword(let values, _) = segmentKey.source else {
            if kinds[index].isKeyword, key != .min, key != .max, case .value(let value) = fields[index].missing {
                return .bytes(Array((DSLValue.text(value) ?? "").utf8))
            }
            return .number(key)
        }
        if key == .min || key == .max { return .number(key) }
        if key & 1 == 1 { return .bytes(values.term(forOrdinal: Int32((key - 1) / 2))) }
        if case .value(let value) = fields[index].missing { return .bytes(Array((DSLValue.text(value) ?? "").utf8)) }
        return .number(key)
    }

    /// The value shown in a hit's `sort` array.
    func sortValue(_ key: SortKey, _ index: Int) -> JSONValue {
        switch key {
        case .bytes(let bytes): return .string(String(decoding: bytes, as: UTF8.self))
        case .number(let number):
            switch kinds[index] {
            case .score: return SearchResponse.float(SegmentSortKey.score(fromKey: number))
            case .doc, .shardDoc: return .integer(number)
            case .long(_, let format):
                if let format, number != .min, number != .max { return .string(format.format(number)) }
                return .integer(number)
            case .double:
                if number == .max { return .double(.infinity) }
                if number == .min { return .double(-.infinity) }
                return .double(SortableNumber.double(fromSortableBits: number))
            case .keyword: return .null
            case .unmapped(let numeric): return numeric ? .integer(number) : .null
            }
        }
    }
}
