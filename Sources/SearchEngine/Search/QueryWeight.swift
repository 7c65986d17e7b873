/// A query bound to one index snapshot: index-wide statistics gathered (Lucene's `Weight`), boosts pushed
/// down to the leaves, multi-term expansions chosen. `scorer(_:)` gives the scorer of one segment.
indirect enum QueryWeight: Sendable {
    case none
    case all(score: Float)
    case term(field: String, term: TermBytes, bm25: BM25?, constant: Float, hasNorms: Bool)
    case termSet(field: String, terms: [TermBytes], score: Float)
    /// Fuzzy expansions, each its own BM25 (blended statistics, per-term boost).
    case terms(field: String, terms: [(term: TermBytes, bm25: BM25?)], hasNorms: Bool)
    case phrase(field: String, positions: [(offset: Int32, terms: [TermBytes])], slop: Int, bm25: BM25?)
    case multiTerm(field: String, matcher: TermMatcher, score: Float)
    case numericRange(field: String, lower: Int64, upper: Int64, isDouble: Bool, score: Float)
    case exists(fields: [ExistsField], score: Float)
    case ids([String], score: Float)
    case bool(must: [QueryWeight], should: [QueryWeight], filter: [QueryWeight], mustNot: [QueryWeight], minimumShouldMatch: Int, scoring: Bool)
    case disMax([QueryWeight], tieBreaker: Float)
    case constant(QueryWeight, score: Float)

    /// The scorer of one segment, nil when nothing in it can match.
    func scorer(_ view: SegmentView) -> Scorer? {
        let segment = view.segment
        switch self {
        case .none: return nil
        case .all(let score): return AllDocsScorer(maxDoc: segment.maxDoc, score: score)
        case .term(let field, let term, let bm25, let constant, let hasNorms):
            guard let postings = segment.postings(field, term) else { return nil }
            return TermScorer(postings: postings, bm25: bm25, norms: hasNorms ? segment.norms(field) : nil, constant: constant)
        case .termSet(let field, let terms, let score):
            let lists = terms.compactMap { segment.postings(field, $0) }
            if lists.isEmpty { return nil }
            if lists.count == 1 { return TermScorer(postings: lists[0], bm25: nil, norms: nil, constant: score) }
            let (bits, count) = DocSetScorer.bits(maxDoc: segment.maxDoc, lists)
            return DocSetScorer(bits: bits, count: count, score: score)
        case .terms(let field, let terms, let hasNorms):
            let norms = hasNorms ? segment.norms(field) : nil
            let scorers: [Scorer] = terms.compactMap { entry in
                segment.postings(field, entry.term).map { TermScorer(postings: $0, bm25: entry.bm25, norms: norms) }
            }
            if scorers.isEmpty { return nil }
            return scorers.count == 1 ? scorers[0] : DisjunctionScorer(scorers)
        case .phrase(let field, let positions, let slop, let bm25):
            var lists: [(offset: Int32, postings: [any Postings])] = []
            for position in positions {
                let postings = position.terms.compactMap { segment.postings(field, $0) }
                if postings.isEmpty { return nil }
                lists.append((position.offset, postings))
            }
            return PhraseScorer(positions: lists, slop: slop, bm25: bm25, norms: segment.norms(field))
        case .multiTerm(let field, let matcher, let score):
            return Self.multiTermScorer(segment, field, matcher, score)
        case .numericRange(let field, let lower, let upper, _, let score):
            if let values = segment.numericDocValues(field) {
                return CheckingScorer.numericRange(values: values, lower: lower, upper: upper, maxDoc: segment.maxDoc, score: score)
            }
            let matcher = TermMatcher(kind: .range(lower: SortableNumber.encode(lower), upper: SortableNumber.encode(upper), includeLower: true, includeUpper: true))
            return Self.multiTermScorer(segment, field, matcher, score)
        case .exists(let fields, let score): return Self.existsScorer(segment, fields, score)
        case .ids(let ids, let score):
            var lists: [any Postings] = []
            let indexed = segment.fieldStatistics("_id") != nil
            var bits = [UInt64](repeating: 0, count: (segment.maxDoc + 63) / 64)
            for id in ids {
                if indexed {
                    if let postings = segment.postings("_id", Array(id.utf8)) { lists.append(postings) }
                } else if let doc = segment.doc(forID: id) {
                    bits[Int(doc) >> 6] |= 1 << UInt64(doc & 63)
                }
            }
            if indexed {
                guard !lists.isEmpty else { return nil }
                let (collected, count) = DocSetScorer.bits(maxDoc: segment.maxDoc, lists)
                return DocSetScorer(bits: collected, count: count, score: score)
            }
            let count = bits.reduce(0) { $0 + $1.nonzeroBitCount }
            return count == 0 ? nil : DocSetScorer(bits: bits, count: count, score: score)
        case .bool(let must, let should, let filter, let mustNot, let minimumShouldMatch, let scoring):
            return Self.boolScorer(view, must: must, should: should, filter: filter, mustNot: mustNot, minimumShouldMatch: minimumShouldMatch, scoring: scoring)
        case .disMax(let weights, let tieBreaker):
            let scorers = weights.compactMap { $0.scorer(view) }
            if scorers.isEmpty { return nil }
            return scorers.count == 1 ? scorers[0] : DisjunctionScorer(scorers, combination: .max(tieBreaker: tieBreaker))
        case .constant(let inner, let score):
            return inner.scorer(view).map { ConstantScorer($0, score: score) }
        }
    }

    private static func multiTermScorer(_ segment: any SegmentReading, _ field: String, _ matcher: TermMatcher, _ score: Float) -> Scorer? {
        var iterator = segment.terms(field, from: matcher.seek)
        var lists: [any Postings] = []
        while let (term, postings) = iterator.next() {
            if matcher.isPastEnd(term) { break }
            if matcher.matches(term) { lists.append(postings) }
        }
        if lists.isEmpty { return nil }
        if lists.count == 1 { return TermScorer(postings: lists[0], bm25: nil, norms: nil, constant: score) }
        let (bits, count) = DocSetScorer.bits(maxDoc: segment.maxDoc, lists)
        return DocSetScorer(bits: bits, count: count, score: score)
    }

    private static func existsScorer(_ segment: any SegmentReading, _ fields: [ExistsField], _ score: Float) -> Scorer? {
        var checks: [(Int32) -> Bool] = []
        var termLists: [any Postings] = []
        for field in fields {
            switch field.source {
            case .numericDocValues:
                if let values = segment.numericDocValues(field.path) { checks.append { values.first($0) != nil } }
            case .keywordDocValues:
                if let values = segment.sortedSetDocValues(field.path) { checks.append { values.firstOrdinal($0) != nil } }
            case .norms:
                if let norms = segment.norms(field.path) { checks.append { norms.normByte($0) != 0 } }
            case .terms:
                var iterator = segment.terms(field.path, from: nil)
                while let (_, postings) = iterator.next() { termLists.append(postings) }
            }
        }
        if !termLists.isEmpty {
            let (bits, _) = DocSetScorer.bits(maxDoc: segment.maxDoc, termLists)
            checks.append { bits[Int($0) >> 6] & (1 << UInt64($0 & 63)) != 0 }
        }
        return checks.isEmpty ? nil : CheckingScorer.exists(checks: checks, maxDoc: segment.maxDoc, score: score)
    }

    private static func boolScorer(
        _ view: SegmentView, must: [QueryWeight], should: [QueryWeight], filter: [QueryWeight], mustNot: [QueryWeight],
        minimumShouldMatch: Int, scoring: Bool
    ) -> Scorer? {
        var required: [Scorer] = []
        for weight in must {
            guard let scorer = weight.scorer(view) else { return nil }
            required.append(scorer)
        }
        var filtering: [Scorer] = []
        for weight in filter {
            guard let scorer = weight.scorer(view) else { return nil }
            filtering.append(scorer)
        }
        let optional = should.compactMap { $0.scorer(view) }
        if optional.count < minimumShouldMatch { return nil }
        var main: Scorer
        if required.isEmpty && filtering.isEmpty {
            guard !optional.isEmpty else { return nil }
            main = optional.count == 1 ? optional[0] : DisjunctionScorer(optional, minimumShouldMatch: minimumShouldMatch)
        } else {
            if minimumShouldMatch > 0 {
                required.append(optional.count == 1 ? optional[0] : DisjunctionScorer(optional, minimumShouldMatch: minimumShouldMatch))
            }
            main = required.count == 1 && filtering.isEmpty ? required[0] : ConjunctionScorer(scoring: required, filtering: filtering)
            if minimumShouldMatch == 0 && scoring && !optional.isEmpty {
                main = RequiredOptionalScorer(required: main, optional: optional.count == 1 ? optional[0] : DisjunctionScorer(optional))
            }
        }
        let excluded = mustNot.compactMap { $0.scorer(view) }
        return excluded.isEmpty ? main : ExclusionScorer(main: main, excluded: excluded)
    }
}
