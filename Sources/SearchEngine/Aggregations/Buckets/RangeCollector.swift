import StreamProcessing

/// `range` and `date_range`: fixed buckets `[from, to)`, sorted by (from, to) as OpenSearch sorts them. Bucket
/// ordinal = owner × ranges + range, so no table is needed.
final class RangeCollector: AggregationCollector {
    struct Range {
        var key: String
        var from: Double
        var to: Double
    }

    let request: AggregationRequest
    let ranges: [Range]
    let field: AggregationField
    let keyed: Bool
    let subs: SubAggregations
    let environment: AggregationEnvironment
    let zone: ZoneRules
    /// Dates (or a `format`) print `from_as_string` / `to_as_string` and date keys.
    let format: DateFormat?
    private let missing: Double?
    private var counts: [Int64] = []
    private var values: (any NumericDocValues)?
    private var segmentIsDouble = false
    private var singleValued = true

    init(request: AggregationRequest, spec: RangeSpec, environment: AggregationEnvironment) throws(SearchError) {
        self.request = request
        self.environment = environment
        keyed = spec.keyed
        let type = spec.isDate ? "date_range" : "range"
        let field = try AggregationField(spec.source, aggregation: type, environment: environment) { $0 != .keyword }
        self.field = field
        zone = try spec.timeZone.map { (id) throws(SearchError) in try ZoneRules.parse(.string(id), type: type) } ?? .utc
        let format = field.type == .date || spec.isDate ? (field.dateFormat ?? .default) : nil
        self.format = format
        let now = environment.context.now
        let zone = zone, isDate = spec.isDate || field.type == .date
        func bound(_ value: JSONValue?, _ infinity: Double) throws(SearchError) -> Double {
            guard let value, value != .null else { return infinity }
            return try field.number(value, now: now, zone: zone, asDate: isDate) ?? infinity
        }
        var ranges: [Range] = []
        for entry in spec.ranges {
            let from = try bound(entry.from, -.infinity), to = try bound(entry.to, .infinity)
            ranges.append(Range(key: entry.key ?? "", from: from, to: to))
        }
        for index in ranges.indices where ranges[index].key.isEmpty {
            ranges[index].key = Self.generatedKey(ranges[index], format: format, zone: zone)
        }
        // Stable sort by (from, to), like OpenSearch's InPlaceMergeSorter.
        self.ranges = ranges.enumerated().sorted { a, b in
            if a.element.from != b.element.from { return a.element.from < b.element.from }
            if a.element.to != b.element.to { return a.element.to < b.element.to }
            return a.offset < b.offset
        }.map(\.element)
        missing = try spec.source.missing.map { (value) throws(SearchError) in try field.number(value, now: now, zone: zone, asDate: isDate) } ?? nil
        subs = try SubAggregations(request.subAggregations, environment: environment, singleOwner: false)
    }

    /// OpenSearch's `generateKey`: `from-to` with `*` for an open end, numbers as Java prints doubles.
    private static func generatedKey(_ range: Range, format: DateFormat?, zone: ZoneRules) -> String {
        (range.from.isInfinite ? "*" : text(range.from, format, zone)) + "-" + (range.to.isInfinite ? "*" : text(range.to, format, zone))
    }

    private static func text(_ value: Double, _ format: DateFormat?, _ zone: ZoneRules) -> String {
        if let format { return AggregationFormatting.date(Int64(value), format: format, zone: zone) }
        return AggregationFormatting.javaDouble(value)
    }

    private func text(_ value: Double) -> String { Self.text(value, format, zone) }

    func enter(_ segment: AggregationSegment) {
        values = field.numericValues(in: segment)
        segmentIsDouble = field.isDouble(in: segment)
        singleValued = values?.isSingleValued ?? true
        subs.enter(segment)
    }

    func leave() {
        subs.leave()
        values = nil
    }

    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        var highest: Int32 = 0
        for index in 0..<count where owners[index] > highest { highest = owners[index] }
        let needed = (Int(highest) + 1) * ranges.count
        if counts.count < needed { counts += repeatElement(0, count: needed - counts.count) }
        let isDouble = segmentIsDouble
        for index in 0..<count {
            let doc = docs[index]
            let base = Int(owners[index]) * ranges.count
            if singleValued || values == nil {
                let value: Double
                if let raw = values?.first(doc) {
                    value = isDouble ? SortableNumber.double(fromSortableBits: raw) : Double(raw)
                } else if let missing {
                    value = missing
                } else {
                    continue
                }
                for (position, range) in ranges.enumerated() where value >= range.from && value < range.to {
                    counts[base + position] += 1
                    if !subs.isEmpty { subs.emit(doc, Int32(base + position)) }
                }
            } else if let values {
                var all = values.values(doc).map { isDouble ? SortableNumber.double(fromSortableBits: $0) : Double($0) }
                if all.isEmpty, let missing { all = [missing] }
                for (position, range) in ranges.enumerated() where all.contains(where: { $0 >= range.from && $0 < range.to }) {
                    counts[base + position] += 1
                    if !subs.isEmpty { subs.emit(doc, Int32(base + position)) }
                }
            }
        }
    }

    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        try environment.consumeBuckets(ranges.count)
        var buckets: [(key: String, body: JSONObject)] = []
        for (position, range) in ranges.enumerated() {
            let ordinal = owner == SubAggregations.emptyOwner ? owner : Int32(Int(owner) * ranges.count + position)
            let count = Int(ordinal) < counts.count ? counts[Int(ordinal)] : 0
            var members: [(name: String, value: JSONValue)] = keyed ? [] : [("key", .string(range.key))]
            if range.from.isFinite {
                members.append(("from", .double(range.from)))
                if format != nil { members.append(("from_as_string", .string(text(range.from)))) }
            }
            if range.to.isFinite {
                members.append(("to", .double(range.to)))
                if format != nil { members.append(("to_as_string", .string(text(range.to)))) }
            }
            members.append(("doc_count", .integer(count)))
            members += try subs.render(owner: ordinal)
            buckets.append((range.key, JSONObject(members)))
        }
        if keyed { return [("buckets", .object(JSONObject(buckets.map { ($0.key, .object($0.body)) })))] }
        return [("buckets", .array(buckets.map { .object($0.body) }))]
    }
}
