import StreamProcessing

/// `query_string` and `simple_query_string`: the text parsed into `QueryStringNode`s, then each leaf built
/// per field (the node's own field, else `fields`, else `default_field`, default `*` = every text and
/// keyword field, leniently), the per-field queries combined by `dis_max` (`query_string`, `tie_breaker`) or
/// summed (`simple_query_string`).
extension QueryCompiler {
    struct QueryStringOptions {
        var fields: [(path: String, boost: Float, lenient: Bool)]
        var tieBreaker: Float
        var isOperatorAnd: Bool
        var analyzer: String?
        var lenient: Bool
        var allowLeadingWildcard = true
        var fuzziness = Fuzziness.auto(low: 3, high: 6)
        var fuzzyPrefixLength = 0
        var fuzzyMaxExpansions = QueryLimits.defaultMaxExpansions
        var fuzzyTranspositions = true
        var phraseSlop = 0
    }

    func queryString(_ spec: QueryStringSpec) throws(SearchError) -> CompiledQuery {
        let root: QueryStringNode
        do {
            root = try QueryStringParser.parse(spec.query, isOperatorAnd: spec.isOperatorAnd)
        } catch {
            throw SearchError.queryShard("Failed to parse query [\(spec.query)]")
        }
        let patterns = spec.fields.isEmpty ? [spec.defaultField ?? "*"] : spec.fields
        var options = QueryStringOptions(fields: expandFields(patterns), tieBreaker: spec.tieBreaker, isOperatorAnd: spec.isOperatorAnd,
                                         analyzer: spec.analyzer, lenient: spec.lenient)
        options.allowLeadingWildcard = spec.allowLeadingWildcard
        options.fuzziness = spec.fuzziness
        options.fuzzyPrefixLength = spec.fuzzyPrefixLength
        options.fuzzyMaxExpansions = spec.fuzzyMaxExpansions
        options.fuzzyTranspositions = spec.fuzzyTranspositions
        options.phraseSlop = spec.phraseSlop
        let query = try compile(root, options, minimumShouldMatch: spec.minimumShouldMatch, query: spec.query) ?? .matchNone
        return .boosted(query, spec.options.boost)
    }

    func simpleQueryString(_ spec: SimpleQueryStringSpec) throws(SearchError) -> CompiledQuery {
        guard let root = SimpleQueryStringParser.parse(spec.query, flags: spec.flags, isOperatorAnd: spec.isOperatorAnd) else { return .matchNone }
        var options = QueryStringOptions(fields: expandFields(spec.fields), tieBreaker: 1, isOperatorAnd: spec.isOperatorAnd,
                                         analyzer: spec.analyzer, lenient: spec.lenient)
        options.fuzzyPrefixLength = spec.fuzzyPrefixLength
        options.fuzzyMaxExpansions = spec.fuzzyMaxExpansions
        options.fuzzyTranspositions = spec.fuzzyTranspositions
        let wrapped: QueryStringNode = if case .group = root { root } else { .group([QueryStringClause(occur: .should, node: root)], boost: 1) }
        let query = try compile(wrapped, options, minimumShouldMatch: spec.minimumShouldMatch, query: spec.query) ?? .matchNone
        return .boosted(query, spec.options.boost)
    }

    /// nil when the node produces no query (text that analyzes to nothing).
    private func compile(_ node: QueryStringNode, _ options: QueryStringOptions, minimumShouldMatch: String?, query: String) throws(SearchError) -> CompiledQuery? {
        switch node {
        case .group(let clauses, let boost):
            var bool = BoolClauses()
            for clause in clauses {
                guard let compiled = try compile(clause.node, options, minimumShouldMatch: nil, query: query) else { continue }
                switch clause.occur {
                case .must: bool.must.append(compiled)
                case .should: bool.should.append(compiled)
                case .mustNot: bool.mustNot.append(compiled)
                }
            }
            if bool.must.isEmpty && bool.should.isEmpty && bool.mustNot.isEmpty { return nil }
            if minimumShouldMatch == nil && bool.mustNot.isEmpty && bool.must.count + bool.should.count == 1 {
                return .boosted(bool.must.first ?? bool.should[0], boost)
            }
            bool.minimumShouldMatch = try Self.minimumShouldMatch(minimumShouldMatch, optional: bool.should.count, hasRequired: !bool.must.isEmpty)
            if bool.must.isEmpty && bool.should.isEmpty { bool.filter.append(.matchAll) }
            return .boosted(.bool(bool), boost)
        case .matchAll(let boost): return .boosted(.matchAll, boost)
        case .exists(let field, let boost): return .boosted(exists(field), boost)
        default:
            return try perField(node, options, query: query)
        }
    }

    /// A leaf on each of its fields, combined.
    private func perField(_ node: QueryStringNode, _ options: QueryStringOptions, query: String) throws(SearchError) -> CompiledQuery? {
        let field: String?
        let boost: Float
        switch node {
        case .term(let name, _, let value), .fuzzy(let name, _, _, let value), .wildcard(let name, _, let value), .regexp(let name, _, let value),
            .phrase(let name, _, _, let value), .range(let name, _, _, _, _, let value):
            field = name
            boost = value
        default: return nil
        }
        let fields = field.map { expandFields([$0]) } ?? options.fields
        var queries: [CompiledQuery] = []
        for (path, fieldBoost, fieldLenient) in fields {
            do {
                if let leaf = try leaf(node, path: path, options, query: query) { queries.append(.boosted(leaf, fieldBoost)) }
            } catch {
                if !(options.lenient || fieldLenient) || error.type == "query_shard_exception" && error.reason.hasPrefix("Failed to parse query") { throw error }
            }
        }
        guard !queries.isEmpty else { return field == nil && fields.isEmpty ? nil : .matchNone }
        let combined = queries.count == 1 ? queries[0] : .disMax(queries, tieBreaker: options.tieBreaker)
        return .boosted(combined, boost)
    }

    private func leaf(_ node: QueryStringNode, path: String, _ options: QueryStringOptions, query: String) throws(SearchError) -> CompiledQuery? {
        let resolved = resolve(path)
        let textual: Bool = switch resolved {
        case .text, .keyword: true
        default: false
        }
        let hasNorms = if case .text = resolved { true } else { false }
        switch node {
        case .term(_, let text, _):
            guard textual else { return try exact(path, .string(text)) }
            let tokens = try analyze(text, path, options.analyzer)
            if tokens.isEmpty { return nil }
            let terms = tokens.map { CompiledQuery.term(field: path, term: $0.term, hasNorms: hasNorms) }
            if terms.count == 1 { return terms[0] }
            return .bool(options.isOperatorAnd ? BoolClauses(must: terms) : BoolClauses(should: terms, minimumShouldMatch: 1))
        case .fuzzy(_, let text, let edits, _):
            guard textual else { return try exact(path, .string(text)) }
            let fuzzy = FuzzyOptions(fuzziness: edits.map(Fuzziness.edits) ?? options.fuzziness, prefixLength: options.fuzzyPrefixLength,
                                     maxExpansions: options.fuzzyMaxExpansions, transpositions: options.fuzzyTranspositions)
            return fuzzyTerm(path, normalize(text, resolved), fuzzy, hasNorms: hasNorms)
        case .wildcard(_, let pattern, _):
            guard textual else { return try exact(path, .string(pattern)) }
            if !options.allowLeadingWildcard, pattern.hasPrefix("*") || pattern.hasPrefix("?") {
                throw SearchError.queryShard("Failed to parse query [\(query)]")
            }
            let normalized = normalize(pattern, resolved)
            let body = normalized.dropLast()
            if normalized.hasSuffix("*"), !body.contains("*"), !body.contains("?"), !body.contains("\\") {
                return .multiTerm(field: path, matcher: TermMatcher(kind: .prefix(Array(body.utf8))))
            }
            return .multiTerm(field: path, matcher: TermMatcher(kind: .wildcard(WildcardPattern(normalized))))
        case .regexp(_, let pattern, _):
            guard textual else { return .matchNone }
            return try regexp(PatternQuerySpec(field: path, pattern: pattern))
        case .phrase(_, let text, let slop, _):
            return try phrase(PhraseQuerySpec(field: path, text: text, slop: slop ?? options.phraseSlop, analyzer: options.analyzer))
        case .range(_, let lower, let upper, let includeLower, let includeUpper, _):
            let spec = RangeQuerySpec(field: path, lower: lower.map(JSONValue.string), upper: upper.map(JSONValue.string),
                                      includeLower: includeLower, includeUpper: includeUpper)
            return try range(spec)
        default: return nil
        }
    }

    /// Multi-term text is not analyzed but normalized: lower-cased for text fields whose analyzer lower-cases.
    private func normalize(_ text: String, _ field: Field) -> String {
        guard case .text(let mapping) = field else { return text }
        switch mapping.searchAnalyzerValue.kind {
        case .standard, .simple: return text.lowercased()
        default: return text
        }
    }
}
