import StreamProcessing

/// Turns a `QueryNode` into a `CompiledQuery` for one index: resolves fields in its mapping, analyzes query
/// text, parses values by field type (OpenSearch's `QueryBuilder.toQuery` on a shard). Errors here are
/// shard errors (`query_shard_exception`, `number_format_exception`, `parse_exception`, ...).
struct QueryCompiler {
    let mapping: IndexMapping
    let indexName: String
    /// Epoch milliseconds for date math (`now`).
    let now: Int64

    /// What a field path is in this index.
    enum Field {
        case text(FieldMapping)
        case keyword
        /// long, integer, short, byte.
        case integer(FieldType)
        /// double, float, half_float.
        case floating(FieldType)
        case date(FieldMapping)
        case boolean
        case id
        case index
        case object
        case unmapped
    }

    func resolve(_ path: String) -> Field {
        if path == "_id" { return .id }
        if path == "_index" { return .index }
        guard let field = mapping.field(path) else { return .unmapped }
        switch field.type {
        case .text: return .text(field)
        case .keyword: return .keyword
        case .long, .integer, .short, .byte: return .integer(field.type)
        case .double, .float, .halfFloat: return .floating(field.type)
        case .date: return .date(field)
        case .boolean: return .boolean
        case .object: return .object
        }
    }

    func compile(_ node: QueryNode) throws(SearchError) -> CompiledQuery {
        switch node {
        case .matchAll(let options): return .boosted(.matchAll, options.boost)
        case .matchNone: return .matchNone
        case .match(let spec): return try match(spec)
        case .matchPhrase(let spec): return try phrase(spec)
        case .multiMatch(let spec): return try multiMatch(spec)
        case .queryString(let spec): return try queryString(spec)
        case .simpleQueryString(let spec): return try simpleQueryString(spec)
        case .term(let spec): return try term(spec)
        case .terms(let spec): return try terms(spec)
        case .range(let spec): return try range(spec)
        case .exists(let field, let options): return .boosted(exists(field), options.boost)
        case .prefix(let spec): return try prefix(spec)
        case .wildcard(let spec): return try wildcard(spec)
        case .regexp(let spec): return try regexp(spec)
        case .fuzzy(let spec): return try fuzzy(spec)
        case .ids(let ids, let options): return .boosted(.ids(ids), options.boost)
        case .bool(let spec): return try bool(spec)
        case .constantScore(let filter, let options): return .boosted(.constantScore(try compile(filter)), options.boost)
        case .disMax(let queries, let tieBreaker, let options):
            var compiled: [CompiledQuery] = []
            for query in queries { compiled.append(try compile(query)) }
            return .boosted(.disMax(compiled, tieBreaker: tieBreaker), options.boost)
        }
    }

    private func bool(_ spec: BoolQuerySpec) throws(SearchError) -> CompiledQuery {
        if spec.must.isEmpty && spec.should.isEmpty && spec.filter.isEmpty && spec.mustNot.isEmpty {
            return .boosted(.matchAll, spec.options.boost)
        }
        var clauses = BoolClauses()
        for node in spec.must { clauses.must.append(try compile(node)) }
        for node in spec.should { clauses.should.append(try compile(node)) }
        for node in spec.filter { clauses.filter.append(try compile(node)) }
        for node in spec.mustNot { clauses.mustNot.append(try compile(node)) }
        clauses.minimumShouldMatch = try Self.minimumShouldMatch(spec.minimumShouldMatch, optional: clauses.should.count, hasRequired: !clauses.must.isEmpty || !clauses.filter.isEmpty)
        if clauses.must.isEmpty && clauses.should.isEmpty && clauses.filter.isEmpty {
            // OpenSearch's pure-negative fix: all documents (as a filter: score 0) but the excluded ones.
            clauses.filter.append(.matchAll)
        }
        return .boosted(.bool(clauses), spec.options.boost)
    }

    /// The number of optional clauses that must match: the spec (`Queries.calculateMinShouldMatch`), else 1
    /// when there are only optional clauses (Lucene's pure disjunction), else 0.
    static func minimumShouldMatch(_ spec: String?, optional: Int, hasRequired: Bool) throws(SearchError) -> Int {
        guard let spec else { return hasRequired || optional == 0 ? 0 : 1 }
        guard let count = MinimumShouldMatch.calculate(optional, spec) else {
            throw SearchError.queryShard("failed to create query: For input string: \"\(spec)\"")
        }
        return count == 0 && !hasRequired && optional > 0 ? 1 : count
    }

    // MARK: Exact values

    /// A term-level query for one value: the exact term on text/keyword, the number or date on numeric
    /// fields (OpenSearch's `MappedFieldType.termQuery`).
    func exact(_ path: String, _ value: JSONValue, format: String? = nil) throws(SearchError) -> CompiledQuery {
        let text = DSLValue.text(value) ?? ""
        switch resolve(path) {
        case .text: return .term(field: path, term: Array(text.utf8), hasNorms: true)
        case .keyword: return .term(field: path, term: Array(text.utf8), hasNorms: false)
        case .integer(let type):
            guard let number = try Self.integer(value, type: type) else { return .matchNone }
            return .termSet(field: path, terms: [SortableNumber.encode(number)])
        case .floating(let type):
            let number = try Self.floating(value, type: type)
            return .termSet(field: path, terms: [SortableNumber.encode(number)])
        case .date(let field):
            let dateFormat = try DateFormat(pattern: format ?? field.effectiveFormat)
            let lower = try DateMath.parse(text, now: now, format: dateFormat, roundUp: false)
            let upper = try DateMath.parse(text, now: now, format: dateFormat, roundUp: true)
            return .numericRange(field: path, lower: lower, upper: upper, isDouble: false)
        case .boolean: return .term(field: path, term: SortableNumber.encode(Int64(try Self.boolean(value) ? 1 : 0)), hasNorms: false)
        case .id: return .ids([text])
        case .index: return text == indexName ? .matchAll : .matchNone
        case .object, .unmapped: return .matchNone
        }
    }

    /// A whole number for an integer field; nil when the value has a fraction (it matches nothing).
    static func integer(_ value: JSONValue, type: FieldType) throws(SearchError) -> Int64? {
        let number: Int64
        switch value {
        case .integer(let exact): number = exact
        case .double(let double):
            guard double.rounded(.towardZero) == double else { return nil }
            guard let exact = Int64(exactly: double) else { throw outOfRange(DSLValue.text(value) ?? "", type) }
            number = exact
        case .string(let text):
            let trimmed = DSLValue.trim(text)
            if let exact = Int64(trimmed) {
                number = exact
            } else if let double = Double(trimmed), double.isFinite {
                guard double.rounded(.towardZero) == double else { return nil }
                guard let exact = Int64(exactly: double) else { throw outOfRange(text, type) }
                number = exact
            } else {
                throw SearchError.numberFormat(text)
            }
        default: throw SearchError.numberFormat(DSLValue.text(value) ?? "")
        }
        let bounds: ClosedRange<Int64> = switch type {
        case .integer: Int64(Int32.min)...Int64(Int32.max)
        case .short: Int64(Int16.min)...Int64(Int16.max)
        case .byte: Int64(Int8.min)...Int64(Int8.max)
        default: Int64.min...Int64.max
        }
        guard bounds.contains(number) else { throw outOfRange(String(number), type) }
        return number
    }

    private static func outOfRange(_ text: String, _ type: FieldType) -> SearchError {
        .queryShard("failed to create query: Value [\(text)] is out of range for \(type == .integer ? "an integer" : "a \(type.rawValue)")")
    }

    /// A number for a floating-point field, rounded to the field's precision (float fields hold Floats).
    static func floating(_ value: JSONValue, type: FieldType) throws(SearchError) -> Double {
        let number: Double
        switch value {
        case .integer(let exact): number = Double(exact)
        case .double(let double): number = double
        case .string(let text):
            guard let double = Double(DSLValue.trim(text)) else { throw SearchError.numberFormat(text) }
            number = double
        default: throw SearchError.numberFormat(DSLValue.text(value) ?? "")
        }
        return type == .double ? number : Double(Float(number))
    }

    static func boolean(_ value: JSONValue) throws(SearchError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"), .string(""): return false
        default:
            throw SearchError.queryShard("failed to create query: Can't parse boolean value [\(DSLValue.text(value) ?? "")], expected [true] or [false]")
        }
    }

    // MARK: Term-level queries

    private func term(_ spec: TermQuerySpec) throws(SearchError) -> CompiledQuery {
        if spec.caseInsensitive {
            switch resolve(spec.field) {
            case .text, .keyword:
                let value = (DSLValue.text(spec.value) ?? "").lowercased()
                return .boosted(.multiTerm(field: spec.field, matcher: TermMatcher(kind: .caseInsensitiveTerm(value))), spec.options.boost)
            default: break
            }
        }
        return .boosted(try exact(spec.field, spec.value), spec.options.boost)
    }

    private func terms(_ spec: TermsQuerySpec) throws(SearchError) -> CompiledQuery {
        var terms: [TermBytes] = []
        var others: [CompiledQuery] = []
        for value in spec.values {
            switch try exact(spec.field, value) {
            case .term(_, let term, _): terms.append(term)
            case .termSet(_, let set): terms += set
            case .matchNone: break
            case let other: others.append(other)
            }
        }
        var query: CompiledQuery = .termSet(field: spec.field, terms: terms)
        if !others.isEmpty {
            query = .constantScore(.bool(BoolClauses(should: others + (terms.isEmpty ? [] : [query]), minimumShouldMatch: 1)))
        }
        return .boosted(query, spec.options.boost)
    }

    func exists(_ path: String) -> CompiledQuery {
        var fields: [ExistsField] = []
        switch resolve(path) {
        case .object, .unmapped:
            let prefix = path + "."
            for (subPath, field) in mapping.allFields() where subPath.hasPrefix(prefix) { fields.append(Self.existsField(subPath, field)) }
        case .id, .index: return .matchAll
        default:
            if let field = mapping.field(path) { fields.append(Self.existsField(path, field)) }
        }
        return fields.isEmpty ? .matchNone : .exists(fields: fields)
    }

    private static func existsField(_ path: String, _ field: FieldMapping) -> ExistsField {
        switch field.type {
        case .text: return ExistsField(path: path, source: .norms)
        case .keyword: return ExistsField(path: path, source: field.hasDocValues ? .keywordDocValues : .terms)
        default: return ExistsField(path: path, source: field.hasDocValues ? .numericDocValues : .terms)
        }
    }

    private func requireTextual(_ path: String, _ query: String) throws(SearchError) -> Bool {
        switch resolve(path) {
        case .text, .keyword: return true
        case .id: return true
        case .unmapped, .object: return false
        case .index: return true
        default:
            let type = mapping.field(path)?.type.rawValue ?? "unknown"
            throw SearchError.queryShard("failed to create query: Can only use \(query) queries on keyword and text fields - not on [\(path)] which is of type [\(type)]")
        }
    }

    private func prefix(_ spec: PatternQuerySpec) throws(SearchError) -> CompiledQuery {
        guard try requireTextual(spec.field, "prefix") else { return .matchNone }
        let kind: TermMatcher.Kind = spec.caseInsensitive ? .caseInsensitivePrefix(spec.pattern.lowercased()) : .prefix(Array(spec.pattern.utf8))
        return .boosted(.multiTerm(field: spec.field, matcher: TermMatcher(kind: kind)), spec.options.boost)
    }

    private func wildcard(_ spec: PatternQuerySpec) throws(SearchError) -> CompiledQuery {
        guard try requireTextual(spec.field, "wildcard") else { return .matchNone }
        let pattern = WildcardPattern(spec.pattern, caseInsensitive: spec.caseInsensitive)
        return .boosted(.multiTerm(field: spec.field, matcher: TermMatcher(kind: .wildcard(pattern))), spec.options.boost)
    }

    func regexp(_ spec: PatternQuerySpec) throws(SearchError) -> CompiledQuery {
        let length = spec.pattern.utf16.count
        guard length <= QueryLimits.maxRegexLength else {
            throw SearchError.illegalArgument("The length of regex [\(length)] used in the Regexp Query request has exceeded the allowed maximum of [\(QueryLimits.maxRegexLength)]. This maximum can be set by changing the [index.max_regex_length] index level setting.")
        }
        guard try requireTextual(spec.field, "regexp") else { return .matchNone }
        let automaton = try RegexAutomaton(spec.pattern, caseInsensitive: spec.caseInsensitive, maxStates: spec.maxStates)
        return .boosted(.multiTerm(field: spec.field, matcher: TermMatcher(kind: .regexp(automaton))), spec.options.boost)
    }

    private func fuzzy(_ spec: FuzzyQuerySpec) throws(SearchError) -> CompiledQuery {
        guard try requireTextual(spec.field, "fuzzy") else { return .matchNone }
        let text = DSLValue.text(spec.value) ?? ""
        let hasNorms = if case .text = resolve(spec.field) { true } else { false }
        return .boosted(fuzzyTerm(spec.field, text, spec.fuzzy, hasNorms: hasNorms), spec.options.boost)
    }

    func fuzzyTerm(_ field: String, _ text: String, _ options: FuzzyOptions, hasNorms: Bool) -> CompiledQuery {
        let edits = options.fuzziness.maxEdits(termLength: text.unicodeScalars.count)
        guard edits > 0 else { return .term(field: field, term: Array(text.utf8), hasNorms: hasNorms) }
        let matcher = FuzzyMatcher(term: text, maxEdits: edits, prefixLength: options.prefixLength, transpositions: options.transpositions)
        return .fuzzy(field: field, matcher: matcher, maxExpansions: options.maxExpansions, hasNorms: hasNorms)
    }
}

/// OpenSearch's `Queries.calculateMinShouldMatch`: `3`, `-2`, `75%`, `-25%`, and conditional specs
/// `2<-25% 9<-3`. nil when the spec does not parse.
enum MinimumShouldMatch {
    static func calculate(_ optional: Int, _ spec: String) -> Int? {
        let spec = DSLValue.trim(spec)
        if spec.contains("<") {
            var result = optional
            let normalized = spec.replacing(" <", with: "<").replacing("< ", with: "<")
            for part in normalized.split(separator: " ") {
                let pieces = part.split(separator: "<", maxSplits: 1)
                guard pieces.count == 2, let bound = Int(pieces[0]) else { return nil }
                if optional <= bound { return result }
                guard let value = calculate(optional, String(pieces[1])) else { return nil }
                result = value
            }
            return result
        }
        var result = optional
        if spec.hasSuffix("%") {
            guard let percent = Int(spec.dropLast()) else { return nil }
            let calc = Float(result * percent) * (1 / Float(100))
            result = calc < 0 ? result + Int(calc) : Int(calc)
        } else {
            guard let calc = Int(spec) else { return nil }
            result = calc < 0 ? result + calc : calc
        }
        return max(result, 0)
    }
}
