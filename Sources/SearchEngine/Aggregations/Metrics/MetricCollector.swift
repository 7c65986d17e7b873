import StreamProcessing

/// `value_count`, `sum`, `avg`, `min`, `max` and `stats`: per enclosing bucket a count, a compensated
/// (Kahan) sum as OpenSearch keeps it, a minimum and a maximum.
final class MetricCollector: AggregationCollector {
    private let metric: MetricSpec.Metric
    private let field: AggregationField
    /// `missing` as the field's number (as raw doc-value bits for the column's type is not needed: doubles here).
    private let missing: Double?
    private var state = MetricState()
    private var numeric: (any NumericDocValues)?
    private var keywords: (any SortedSetDocValues)?
    private var isDouble = false
    private var singleValued = false

    init(request: AggregationRequest, spec: MetricSpec, environment: AggregationEnvironment, singleOwner: Bool) throws(SearchError) {
        metric = spec.metric
        let keywordAllowed = spec.metric == .valueCount
        field = try AggregationField(spec.source, aggregation: spec.metric.rawValue, environment: environment) { type in
            type != .keyword || keywordAllowed
        }
        if let value = spec.source.missing {
            missing = field.type == .keyword ? 0 : try field.number(value, now: environment.context.now)
        } else {
            missing = nil
        }
    }

    func enter(_ segment: AggregationSegment) {
        numeric = field.numericValues(in: segment)
        keywords = field.keywordValues(in: segment)
        isDouble = field.isDouble(in: segment)
        singleValued = numeric?.isSingleValued ?? keywords?.isSingleValued ?? true
    }

    func leave() {
        numeric = nil
        keywords = nil
    }

    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        var highest: Int32 = 0
        for index in 0..<count where owners[index] > highest { highest = owners[index] }
        // Moved out of `self` for the loop, so that updates need no uniqueness or exclusivity checks.
        var state = self.state
        self.state = MetricState()
        state.grow(to: Int(highest) + 1)
        if let keywords {
            collectKeywords(keywords, docs, owners, count, &state)
        } else if let numeric {
            collectNumbers(numeric, docs, owners, count, &state)
        } else if let missing {
            for index in 0..<count { state.add(missing, to: Int(owners[index])) }
        }
        self.state = state
    }

    private func collectNumbers(_ values: any NumericDocValues, _ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int, _ state: inout MetricState) {
        let isDouble = isDouble, missing = missing
        for index in 0..<count {
            let owner = Int(owners[index])
            if singleValued {
                if let raw = values.first(docs[index]) {
                    state.add(isDouble ? SortableNumber.double(fromSortableBits: raw) : Double(raw), to: owner)
                } else if let missing {
                    state.add(missing, to: owner)
                }
            } else {
                let all = values.values(docs[index])
                if all.isEmpty, let missing { state.add(missing, to: owner) }
                for raw in all { state.add(isDouble ? SortableNumber.double(fromSortableBits: raw) : Double(raw), to: owner) }
            }
        }
    }

    private func collectKeywords(_ values: any SortedSetDocValues, _ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int, _ state: inout MetricState) {
        for index in 0..<count {
            let found = singleValued ? (values.firstOrdinal(docs[index]) == nil ? 0 : 1) : values.ordinals(docs[index]).count
            let owner = Int(owners[index])
            state.counts[owner] += Int64(found == 0 && missing != nil ? 1 : found)
        }
    }

    private struct Values {
        var count: Int64 = 0, sum: Double = 0, minimum: Double = .infinity, maximum: Double = -.infinity
        var average: Double { count == 0 ? .nan : sum / Double(count) }
    }

    private func values(_ owner: Int32) -> Values {
        let index = Int(owner)
        guard index < state.counts.count else { return Values() }
        return Values(count: state.counts[index], sum: state.sums[index], minimum: state.minimums[index], maximum: state.maximums[index])
    }

    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        let v = values(owner)
        let format = field.dateFormat
        func text(_ number: Double) -> JSONValue {
            .string(format.map { AggregationFormatting.date(Int64(number), format: $0, zone: .utc) } ?? AggregationFormatting.javaDouble(number))
        }
        switch metric {
        case .valueCount: return [("value", .integer(v.count))]
        case .sum: return [("value", .double(v.sum))] + (format != nil ? [("value_as_string", text(v.sum))] : [])
        case .avg, .min, .max:
            let value = metric == .avg ? v.average : metric == .min ? v.minimum : v.maximum
            guard v.count > 0, value.isFinite else { return [("value", .null)] }
            return [("value", .double(value))] + (format != nil ? [("value_as_string", text(value))] : [])
        case .stats:
            guard v.count > 0 else { return [("count", .integer(0)), ("min", .null), ("max", .null), ("avg", .null), ("sum", .double(0))] }
            var members: [(name: String, value: JSONValue)] = [
                ("count", .integer(v.count)), ("min", .double(v.minimum)), ("max", .double(v.maximum)), ("avg", .double(v.average)), ("sum", .double(v.sum)),
            ]
            if format != nil {
                members += [("min_as_string", text(v.minimum)), ("max_as_string", text(v.maximum)), ("avg_as_string", text(v.average)), ("sum_as_string", text(v.sum))]
            }
            return members
        }
    }

    func sortValue(owner: Int32, metric name: String?) -> Double {
        let v = values(owner)
        switch (metric, name) {
        case (.valueCount, _), (.stats, "count"?): return Double(v.count)
        case (.sum, _), (.stats, "sum"?): return v.sum
        case (.avg, _), (.stats, "avg"?): return v.average
        case (.min, _), (.stats, "min"?): return v.minimum
        case (.max, _), (.stats, "max"?): return v.maximum
        default: return .nan
        }
    }

    func canSort(by name: String?) -> Bool {
        if metric == .stats { return ["count", "sum", "avg", "min", "max"].contains(name ?? "") }
        return name == nil || name == "value"
    }
}

/// Per enclosing bucket: count, compensated sum, minimum, maximum.
struct MetricState {
    var counts: [Int64] = []
    var sums: [Double] = []
    var compensations: [Double] = []
    var minimums: [Double] = []
    var maximums: [Double] = []

    mutating func grow(to owners: Int) {
        guard owners > counts.count else { return }
        let added = owners - counts.count
        counts += repeatElement(0, count: added)
        sums += repeatElement(0, count: added)
        compensations += repeatElement(0, count: added)
        minimums += repeatElement(.infinity, count: added)
        maximums += repeatElement(-.infinity, count: added)
    }

    @inline(__always)
    mutating func add(_ value: Double, to owner: Int) {
        counts[owner] += 1
        // OpenSearch's CompensatedSum.
        if !value.isFinite {
            sums[owner] += value
        } else if sums[owner].isFinite {
            let corrected = value + compensations[owner]
            let updated = sums[owner] + corrected
            compensations[owner] = corrected - (updated - sums[owner])
            sums[owner] = updated
        }
        if value < minimums[owner] { minimums[owner] = value }
        if value > maximums[owner] { maximums[owner] = value }
    }
}
