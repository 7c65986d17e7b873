/// Builds the `QueryWeight` of a compiled query over one index snapshot: term statistics summed over all its
/// segments (deleted documents included, as Lucene's per-shard statistics), boosts multiplied down the tree,
/// fuzzy and phrase-prefix expansions chosen index-wide, leaf clauses counted against `max_clause_count`.
final class WeightBuilder {
    let snapshot: IndexSnapshot
    private var fieldStatistics: [String: FieldStatistics] = [:]
    private(set) var clauseCount = 0

    init(snapshot: IndexSnapshot) {
        self.snapshot = snapshot
    }

    /// `scoring`: whether scores are needed below this point (false in filters and when sorting by field).
    func weight(_ query: CompiledQuery, boost: Float = 1, scoring: Bool) throws(SearchError) -> QueryWeight {
        switch query {
        case .matchAll:
            try count(1)
            return .all(score: boost)
        case .matchNone: return .none
        case .term(let field, let term, let hasNorms):
            try count(1)
            guard scoring else { return .term(field: field, term: term, bm25: nil, constant: boost, hasNorms: false) }
            let docFreq = self.docFreq(field, term)
            guard docFreq > 0 else { return .none }
            return .term(field: field, term: term, bm25: bm25(field, docFreqs: [docFreq], boost: boost), constant: boost, hasNorms: hasNorms)
        case .termSet(let field, let terms):
            try count(1)
            return terms.isEmpty ? .none : .termSet(field: field, terms: terms, score: boost)
        case .fuzzy(let field, let matcher, let maxExpansions, let hasNorms):
            return try fuzzy(field, matcher, maxExpansions: maxExpansions, hasNorms: hasNorms, boost: boost, scoring: scoring)
        case .phrase(let field, let positions, let slop, let prefix):
            return try phrase(field, positions, slop: slop, prefix: prefix, boost: boost, scoring: scoring)
        case .multiTerm(let field, let matcher):
            try count(1)
            return .multiTerm(field: field, matcher: matcher, score: boost)
        case .numericRange(let field, let lower, let upper, let isDouble):
            try count(1)
            return .numericRange(field: field, lower: lower, upper: upper, isDouble: isDouble, score: boost)
        case .exists(let fields):
            try count(1)
            return .exists(fields: fields, score: boost)
        case .ids(let ids):
            try count(1)
            return ids.isEmpty ? .none : .ids(ids, score: boost)
        case .bool(let clauses):
            var must: [QueryWeight] = []
            var should: [QueryWeight] = []
            var filter: [QueryWeight] = []
            var mustNot: [QueryWeight] = []
            for clause in clauses.must { must.append(try weight(clause, boost: boost, scoring: scoring)) }
            for clause in clauses.should { should.append(try weight(clause, boost: boost, scoring: scoring)) }
            for clause in clauses.filter { filter.append(try weight(clause, scoring: false)) }
            for clause in clauses.mustNot { mustNot.append(try weight(clause, scoring: false)) }
            return .bool(must: must, should: should, filter: filter, mustNot: mustNot, minimumShouldMatch: clauses.minimumShouldMatch, scoring: scoring)
        case .disMax(let queries, let tieBreaker):
            var weights: [QueryWeight] = []
            for query in queries { weights.append(try weight(query, boost: boost, scoring: scoring)) }
            return .disMax(weights, tieBreaker: tieBreaker)
        case .constantScore(let inner):
            return .constant(try weight(inner, scoring: false), score: boost)
        case .boost(let inner, let factor):
            return try weight(inner, boost: boost * factor, scoring: scoring)
        }
    }

    private func count(_ clauses: Int) throws(SearchError) {
        clauseCount += clauses
        if clauseCount > QueryLimits.maxClauseCount { throw SearchError.tooManyClauses(QueryLimits.maxClauseCount) }
    }

    // MARK: Statistics

    /// The field's statistics over all segments (Lucene's `CollectionStatistics`).
    func statistics(_ field: String) -> FieldStatistics {
        if let known = fieldStatistics[field] { return known }
        var total = FieldStatistics(docCount: 0, sumTotalTermFreq: 0)
        for view in snapshot.segments {
            guard let statistics = view.segment.fieldStatistics(field) else { continue }
            total.docCount += statistics.docCount
            total.sumTotalTermFreq += statistics.sumTotalTermFreq
        }
        fieldStatistics[field] = total
        return total
    }

    func docFreq(_ field: String, _ term: TermBytes) -> Int {
        var total = 0
        for view in snapshot.segments { total += view.segment.postings(field, term)?.docFreq ?? 0 }
        return total
    }

    private func bm25(_ field: String, docFreqs: [Int], boost: Float) -> BM25 {
        let statistics = statistics(field)
        let docCount = max(statistics.docCount, docFreqs.max() ?? 0)
        let idf = docFreqs.count == 1 ? BM25.idf(docFreq: docFreqs[0], docCount: docCount) : BM25.idf(docFreqs: docFreqs, docCount: docCount)
        return BM25(boost: boost, idf: idf, avgdl: BM25.averageLength(sumTotalTermFreq: statistics.sumTotalTermFreq, docCount: statistics.docCount))
    }

    // MARK: Expansions

    /// Lucene's `TopTermsBlendedFreqScoringRewrite`: the `maxExpansions` terms with the best fuzzy boost
    /// (ties: smaller term first) over all segments; each scored as a term query with that boost and the
    /// largest document frequency among them (blended), the clauses summed.
    private func fuzzy(_ field: String, _ matcher: FuzzyMatcher, maxExpansions: Int, hasNorms: Bool, boost: Float, scoring: Bool) throws(SearchError) -> QueryWeight {
        var candidates: [TermBytes: (boost: Float, docFreq: Int)] = [:]
        for view in snapshot.segments {
            var iterator = view.segment.terms(field, from: matcher.prefixBytes.isEmpty ? nil : matcher.prefixBytes)
            while let (term, postings) = iterator.next() {
                if !term.starts(with: matcher.prefixBytes) { break }
                guard let (edits, length) = matcher.distance(term) else { continue }
                let termBoost = matcher.boost(edits: edits, candidateLength: length)
                candidates[term, default: (termBoost, 0)].docFreq += postings.docFreq
            }
        }
        let chosen = candidates.sorted { left, right in
            left.value.boost != right.value.boost ? left.value.boost > right.value.boost : left.key.lexicographicallyPrecedes(right.key)
        }.prefix(maxExpansions)
        if chosen.isEmpty { return .none }
        try count(chosen.count)
        let blendedDocFreq = chosen.map(\.value.docFreq).max() ?? 0
        let terms = chosen.map { entry in
            (term: entry.key, bm25: scoring ? bm25(field, docFreqs: [blendedDocFreq], boost: boost * entry.value.boost) : nil)
        }
        return .terms(field: field, terms: terms.sorted { $0.term.lexicographicallyPrecedes($1.term) }, hasNorms: hasNorms)
    }

    private func phrase(_ field: String, _ positions: [PhrasePosition], slop: Int, prefix: PhrasePrefix?, boost: Float, scoring: Bool) throws(SearchError) -> QueryWeight {
        var resolved = positions.map { (offset: $0.offset, terms: $0.terms) }
        if let prefix {
            let expansions = prefixExpansions(field, prefix)
            guard !expansions.isEmpty else { return .none }
            resolved.append((offset: (positions.last?.offset ?? -1) + 1, terms: expansions))
        }
        var docFreqs: [Int] = []
        for index in resolved.indices {
            let frequencies = resolved[index].terms.map { docFreq(field, $0) }
            resolved[index].terms = zip(resolved[index].terms, frequencies).filter { $0.1 > 0 }.map(\.0)
            guard !resolved[index].terms.isEmpty else { return .none }
            docFreqs += frequencies.filter { $0 > 0 }
        }
        try count(docFreqs.count)
        return .phrase(field: field, positions: resolved, slop: slop, bm25: scoring ? bm25(field, docFreqs: docFreqs, boost: boost) : nil)
    }

    /// The first `maxExpansions` terms (in byte order over all segments) starting with the prefix.
    private func prefixExpansions(_ field: String, _ prefix: PhrasePrefix) -> [TermBytes] {
        var found = Set<TermBytes>()
        for view in snapshot.segments {
            var iterator = view.segment.terms(field, from: prefix.prefix)
            var taken = 0
            while taken < prefix.maxExpansions, let (term, _) = iterator.next() {
                guard term.starts(with: prefix.prefix) else { break }
                found.insert(term)
                taken += 1
            }
        }
        return Array(found.sorted { $0.lexicographicallyPrecedes($1) }.prefix(prefix.maxExpansions))
    }
}
