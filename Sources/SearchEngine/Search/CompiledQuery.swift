/// A query resolved against one index's mapping — Lucene's query objects: terms are bytes as indexed,
/// text has been analyzed, dates and numbers are parsed. `QueryWeight.make` turns it into weights with the
/// index's statistics, and those into per-segment scorers.
indirect enum CompiledQuery: Sendable {
    case matchAll
    case matchNone
    /// A BM25-scored term (text, keyword, boolean fields). `hasNorms`: text fields.
    case term(field: String, term: TermBytes, hasNorms: Bool)
    /// Constant-score set of exact terms (`terms`, term queries on numeric fields).
    case termSet(field: String, terms: [TermBytes])
    /// Index-wide top `maxExpansions` terms within the edit distance, scored as Lucene's blended rewrite.
    case fuzzy(field: String, matcher: FuzzyMatcher, maxExpansions: Int, hasNorms: Bool)
    /// Phrase: each position (relative offset) with its alternative terms; `prefix` expands into the last
    /// position (`match_phrase_prefix`). Exact when `slop` is 0, sloppy otherwise.
    case phrase(field: String, positions: [PhrasePosition], slop: Int, prefix: PhrasePrefix?)
    /// Constant-score terms chosen by walking the term dictionary (prefix, wildcard, regexp, term range).
    case multiTerm(field: String, matcher: TermMatcher)
    /// Constant-score numeric range, bounds inclusive, in doc-value space (longs, or double sortable bits).
    case numericRange(field: String, lower: Int64, upper: Int64, isDouble: Bool)
    /// Documents with a value in any of the fields.
    case exists(fields: [ExistsField])
    case ids([String])
    case bool(BoolClauses)
    case disMax([CompiledQuery], tieBreaker: Float)
    case constantScore(CompiledQuery)
    case boost(CompiledQuery, Float)

    static func boosted(_ query: CompiledQuery, _ boost: Float) -> CompiledQuery {
        boost == 1 ? query : .boost(query, boost)
    }
}

struct PhrasePosition: Sendable {
    var offset: Int32
    var terms: [TermBytes]
}

struct PhrasePrefix: Sendable {
    var prefix: TermBytes
    var maxExpansions: Int
}

struct ExistsField: Sendable {
    enum Source: Sendable { case numericDocValues, keywordDocValues, norms, terms }
    var path: String
    var source: Source
}

struct BoolClauses: Sendable {
    var must: [CompiledQuery] = []
    var should: [CompiledQuery] = []
    var filter: [CompiledQuery] = []
    var mustNot: [CompiledQuery] = []
    var minimumShouldMatch = 0
}

extension CompiledQuery {
    /// The terms and matchers a document's text is highlighted with, per field (negated clauses excluded).
    func highlightTerms(into terms: inout [String: HighlightTerms]) {
        switch self {
        case .term(let field, let term, _): terms[field, default: HighlightTerms()].exact.insert(term)
        case .termSet(let field, let values): terms[field, default: HighlightTerms()].exact.formUnion(values)
        case .fuzzy(let field, let matcher, _, _): terms[field, default: HighlightTerms()].fuzzy.append(matcher)
        case .phrase(let field, let positions, _, let prefix):
            for position in positions { terms[field, default: HighlightTerms()].exact.formUnion(position.terms) }
            if let prefix { terms[field, default: HighlightTerms()].matchers.append(TermMatcher(kind: .prefix(prefix.prefix))) }
        case .multiTerm(let field, let matcher): terms[field, default: HighlightTerms()].matchers.append(matcher)
        case .bool(let clauses):
            for clause in clauses.must + clauses.should + clauses.filter { clause.highlightTerms(into: &terms) }
        case .disMax(let queries, _): for query in queries { query.highlightTerms(into: &terms) }
        case .constantScore(let inner), .boost(let inner, _): inner.highlightTerms(into: &terms)
        case .matchAll, .matchNone, .numericRange, .exists, .ids: break
        }
    }
}

/// What a field's tokens are highlighted for.
struct HighlightTerms: Sendable {
    var exact = Set<TermBytes>()
    var matchers: [TermMatcher] = []
    var fuzzy: [FuzzyMatcher] = []

    func matches(_ term: TermBytes) -> Bool {
        exact.contains(term) || matchers.contains { $0.matches(term) } || fuzzy.contains { $0.distance(term) != nil }
    }
}
