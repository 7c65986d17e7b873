import StreamProcessing

/// `match`, `match_phrase`, `match_phrase_prefix` and `multi_match` (OpenSearch's `MatchQuery` /
/// `MultiMatchQuery`): query text analyzed with the field's search analyzer (or `analyzer`), one term query
/// per token combined by `operator` and `minimum_should_match`; phrases keep token positions.
extension QueryCompiler {
    func match(_ spec: MatchQuerySpec) throws(SearchError) -> CompiledQuery {
        .boosted(try matchField(spec.field, spec), spec.options.boost)
    }

    /// The match query on one field, without the spec's boost (multi_match reuses it per field).
    private func matchField(_ path: String, _ spec: MatchQuerySpec) throws(SearchError) -> CompiledQuery {
        let hasNorms: Bool
        switch resolve(path) {
        case .text: hasNorms = true
        case .keyword: hasNorms = false
        case .unmapped, .object: return .matchNone
        default:
            do {
                return try exact(path, .string(spec.text))
            } catch {
                if spec.lenient { return .matchNone }
                throw error
            }
        }
        let tokens = try analyze(spec.text, path, spec.analyzer)
        if tokens.isEmpty { return spec.zeroTermsAll ? .matchAll : .matchNone }
        let queries = tokens.map { token -> CompiledQuery in
            guard let fuzzy = spec.fuzzy else { return .term(field: path, term: token.term, hasNorms: hasNorms) }
            return fuzzyTerm(path, String(decoding: token.term, as: UTF8.self), fuzzy, hasNorms: hasNorms)
        }
        if queries.count == 1 { return queries[0] }
        var clauses = BoolClauses()
        if spec.isOperatorAnd {
            clauses.must = queries
        } else {
            clauses.should = queries
            clauses.minimumShouldMatch = try Self.minimumShouldMatch(spec.minimumShouldMatch, optional: queries.count, hasRequired: false)
        }
        return .bool(clauses)
    }

    func analyze(_ text: String, _ path: String, _ analyzer: String?) throws(SearchError) -> [Token] {
        let chosen = try analyzer.map { (name) throws(SearchError) in try Analyzer.named(name) } ?? mapping.searchAnalyzer(for: path)
        return chosen.analyze(text)
    }

    func phrase(_ spec: PhraseQuerySpec) throws(SearchError) -> CompiledQuery {
        .boosted(try phraseField(spec.field, spec), spec.options.boost)
    }

    private func phraseField(_ path: String, _ spec: PhraseQuerySpec) throws(SearchError) -> CompiledQuery {
        let hasNorms: Bool
        switch resolve(path) {
        case .text: hasNorms = true
        case .keyword:
            if spec.isPrefix { return .multiTerm(field: path, matcher: TermMatcher(kind: .prefix(Array(spec.text.utf8)))) }
            hasNorms = false
        case .unmapped, .object: return .matchNone
        default: return try exact(path, .string(spec.text))
        }
        var tokens = try analyze(spec.text, path, spec.analyzer)
        if tokens.isEmpty { return spec.zeroTermsAll ? .matchAll : .matchNone }
        var prefix: PhrasePrefix?
        if spec.isPrefix, let last = tokens.popLast() {
            prefix = PhrasePrefix(prefix: last.term, maxExpansions: spec.maxExpansions)
        } else if tokens.count == 1 {
            return .term(field: path, term: tokens[0].term, hasNorms: hasNorms)
        }
        let base = tokens.first?.position ?? 0
        var positions: [PhrasePosition] = []
        for token in tokens {
            let offset = token.position - base
            if let last = positions.last, last.offset == offset {
                positions[positions.count - 1].terms.append(token.term)
            } else {
                positions.append(PhrasePosition(offset: offset, terms: [token.term]))
            }
        }
        return .phrase(field: path, positions: positions, slop: spec.slop, prefix: prefix)
    }

    func multiMatch(_ spec: MultiMatchQuerySpec) throws(SearchError) -> CompiledQuery {
        let fields = expandFields(spec.fields)
        var queries: [CompiledQuery] = []
        for (path, boost, lenient) in fields {
            let query: CompiledQuery
            switch spec.kind {
            case .phrase, .phrasePrefix:
                let phrase = PhraseQuerySpec(field: path, text: spec.text, slop: spec.slop, isPrefix: spec.kind == .phrasePrefix,
                                             maxExpansions: spec.maxExpansions, analyzer: spec.analyzer, zeroTermsAll: spec.zeroTermsAll)
                query = try lenientOrThrow(lenient || spec.lenient) { () throws(SearchError) in try phraseField(path, phrase) }
            case .bestFields, .mostFields, .crossFields, .boolPrefix:
                let match = MatchQuerySpec(field: path, text: spec.text, isOperatorAnd: spec.isOperatorAnd, minimumShouldMatch: spec.minimumShouldMatch,
                                           fuzzy: spec.fuzzy, analyzer: spec.analyzer, lenient: lenient || spec.lenient, zeroTermsAll: spec.zeroTermsAll)
                query = try matchField(path, match)
            }
            if case .matchNone = query { continue }
            queries.append(.boosted(query, boost))
        }
        guard !queries.isEmpty else { return .matchNone }
        let combined: CompiledQuery
        switch spec.kind {
        case .mostFields, .crossFields:
            // cross_fields is approximated by most_fields: per-field scores summed (no blended term statistics).
            combined = queries.count == 1 ? queries[0] : .bool(BoolClauses(should: queries, minimumShouldMatch: 1))
        default:
            combined = queries.count == 1 ? queries[0] : .disMax(queries, tieBreaker: spec.tieBreaker ?? 0)
        }
        return .boosted(combined, spec.options.boost)
    }

    private func lenientOrThrow(_ lenient: Bool, _ body: () throws(SearchError) -> CompiledQuery) throws(SearchError) -> CompiledQuery {
        do { return try body() } catch { if lenient { return .matchNone }; throw error }
    }

    /// Field patterns (`title^2`, `name.*`, `*`) to mapped fields with their boosts. `*` alone (also the
    /// default when none are given) means every text and keyword field, leniently (OpenSearch's
    /// `index.query.default_field`); other patterns take every matching field.
    func expandFields(_ patterns: [String]) -> [(path: String, boost: Float, lenient: Bool)] {
        var result: [(path: String, boost: Float, lenient: Bool)] = []
        for pattern in patterns.isEmpty ? ["*"] : patterns {
            var name = pattern
            var boost: Float = 1
            if let caret = pattern.lastIndex(of: "^"), let value = Float(pattern[pattern.index(after: caret)...]) {
                name = String(pattern[..<caret])
                boost = value
            }
            if name == "*" || name == "_all" {
                for (path, field) in mapping.allFields() where field.index && (field.type == .text || field.type == .keyword) {
                    result.append((path, boost, true))
                }
            } else if name.contains("*") {
                let glob = WildcardPattern(name)
                for (path, field) in mapping.allFields() where field.index && glob.matches(Array(path.utf8)) {
                    result.append((path, boost, false))
                }
            } else {
                result.append((name, boost, false))
            }
        }
        return result
    }
}
