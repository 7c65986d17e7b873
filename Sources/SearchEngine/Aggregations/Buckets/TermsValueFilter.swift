import StreamProcessing

/// `include` / `exclude` of a terms aggregation: a regular expression matching the whole term, exact values,
/// or a hash partition (`{"partition": p, "num_partitions": n}`). Evaluated once per distinct term.
struct TermsValueFilter {
    private var includeRegex: Regex<AnyRegexOutput>?
    private var excludeRegex: Regex<AnyRegexOutput>?
    private var includeTerms: Set<TermBytes>?
    private var excludeTerms: Set<TermBytes>?
    private var includeNumbers: Set<Int64>?
    private var excludeNumbers: Set<Int64>?
    private var partition: (index: Int, count: Int)?

    /// Whether numbers need checking at all (the common case does not).
    var filtersNumbers: Bool { includeNumbers != nil || excludeNumbers != nil || partition != nil }

    init(include: TermsFilterSpec?, exclude: TermsFilterSpec?, keys: TermsCollector.Keys, field: AggregationField, name: String, now: Int64) throws(SearchError) {
        for (spec, including) in [(include, true), (exclude, false)] {
            guard let spec else { continue }
            switch spec {
            case .regex(let pattern):
                guard keys == .keyword else {
                    throw SearchError(
                        "aggregation_execution_exception",
                        "Aggregation [\(name)] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields",
                        status: 500)
                }
                let regex: Regex<AnyRegexOutput>
                do { regex = try Regex(pattern) } catch {
                    throw .illegalArgument("Invalid regular expression [\(pattern)] in [\(including ? "include" : "exclude")]")
                }
                if including { includeRegex = regex } else { excludeRegex = regex }
            case .values(let values):
                if keys == .keyword {
                    let terms = Set(values.map { TermBytes(($0.stringValue ?? $0.jsonText).utf8) })
                    if including { includeTerms = terms } else { excludeTerms = terms }
                } else {
                    var numbers = Set<Int64>()
                    for value in values {
                        guard let number = try? field.number(value, now: now) else { continue }
                        numbers.insert(keys == .double ? SortableNumber.sortableBits(number) : Int64(number))
                    }
                    if including { includeNumbers = numbers } else { excludeNumbers = numbers }
                }
            case .partition(let index, let count):
                guard including else { throw .illegalArgument("Partitioning is only supported for [include]") }
                partition = (index, count)
            }
        }
    }

    func accepts(term: TermBytes) -> Bool {
        if let includeTerms, !includeTerms.contains(term) { return false }
        if let excludeTerms, excludeTerms.contains(term) { return false }
        if let partition {
            let hash = Int(AggregationHashing.murmur3x86(term, seed: 31))
            guard ((hash % partition.count) + partition.count) % partition.count == partition.index else { return false }
        }
        if includeRegex != nil || excludeRegex != nil {
            let text = String(decoding: term, as: UTF8.self)
            if let includeRegex, (try? includeRegex.wholeMatch(in: text)) == nil { return false }
            if let excludeRegex, (try? excludeRegex.wholeMatch(in: text)) != nil { return false }
        }
        return true
    }

    func accepts(number key: Int64) -> Bool {
        if let includeNumbers, !includeNumbers.contains(key) { return false }
        if let excludeNumbers, excludeNumbers.contains(key) { return false }
        if let partition {
            let hash = Int(truncatingIfNeeded: AggregationHashing.mix64(key))
            guard ((hash % partition.count) + partition.count) % partition.count == partition.index else { return false }
        }
        return true
    }
}
