/// Documents matching every clause. Iterating clauses are advanced leap-frog style from the cheapest one;
/// verifiers (doc-values checks) are only asked about the candidates. Scores are the sum of the scoring
/// clauses, in Double then rounded, as Lucene's `ConjunctionScorer`.
final class ConjunctionScorer: Scorer {
    private let lead: Scorer
    private let others: [Scorer]
    private let verifiers: [Scorer]
    private let scoring: [Scorer]

    /// `scoring`: the clauses whose scores count (must); the rest only filter.
    init(scoring: [Scorer], filtering: [Scorer]) {
        let all = scoring + filtering
        var iterating = all.filter { !$0.isVerifier }.sorted { $0.cost < $1.cost }
        var verifiers = all.filter(\.isVerifier).sorted { $0.cost < $1.cost }
        if iterating.isEmpty { iterating = [verifiers.removeFirst()] }
        lead = iterating[0]
        others = Array(iterating.dropFirst())
        self.verifiers = verifiers
        self.scoring = scoring
    }

    override var cost: Int { lead.cost }
    override var maxScore: Float {
        var sum = 0.0
        for scorer in scoring { sum += Double(scorer.maxScore) }
        return Float(sum)
    }

    override func nextDoc() -> Int32 { align(lead.nextDoc()) }
    override func advance(_ target: Int32) -> Int32 { align(lead.advance(target)) }

    private func align(_ start: Int32) -> Int32 {
        var target = start
        candidates: while target != Self.end {
            for other in others {
                var position = other.doc
                if position < target { position = other.advance(target) }
                if position > target {
                    target = lead.advance(position)
                    continue candidates
                }
            }
            for verifier in verifiers where !verifier.verify(target) {
                target = lead.nextDoc()
                continue candidates
            }
            doc = target
            return doc
        }
        doc = Self.end
        return doc
    }

    override func score() -> Float {
        var sum = 0.0
        for scorer in scoring { sum += Double(scorer.score()) }
        return Float(sum)
    }
}

/// Documents matching at least `minimumShouldMatch` of the clauses; scored by the sum of the matching
/// clauses (`bool` should) or by the best plus `tieBreaker` times the others (`dis_max`).
final class DisjunctionScorer: Scorer {
    enum Combination { case sum, max(tieBreaker: Float) }

    private let subs: [Scorer]
    private let minimumShouldMatch: Int
    private let combination: Combination

    init(_ subs: [Scorer], minimumShouldMatch: Int = 1, combination: Combination = .sum) {
        self.subs = subs
        self.minimumShouldMatch = max(1, minimumShouldMatch)
        self.combination = combination
    }

    override var cost: Int { subs.reduce(0) { $0 + $1.cost } }
    override var maxScore: Float {
        switch combination {
        case .sum:
            var sum = 0.0
            for sub in subs { sum += Double(sub.maxScore) }
            return Float(sum)
        case .max(let tieBreaker):
            let best = subs.map(\.maxScore).max() ?? 0
            var others = 0.0
            for sub in subs { others += Double(sub.maxScore) }
            return Float(Double(best) + (others - Double(best)) * Double(tieBreaker))
        }
    }

    override func nextDoc() -> Int32 {
        for sub in subs where sub.doc == doc { _ = sub.nextDoc() }
        return settle()
    }

    override func advance(_ target: Int32) -> Int32 {
        for sub in subs where sub.doc < target { _ = sub.advance(target) }
        return settle()
    }

    /// Moves to the smallest document among the clauses that enough of them match.
    private func settle() -> Int32 {
        while true {
            var smallest = Self.end
            var matching = 0
            for sub in subs {
                if sub.doc < smallest {
                    smallest = sub.doc
                    matching = 1
                } else if sub.doc == smallest {
                    matching += 1
                }
            }
            if smallest == Self.end || matching >= minimumShouldMatch {
                doc = smallest
                return doc
            }
            for sub in subs where sub.doc == smallest { _ = sub.nextDoc() }
        }
    }

    override func score() -> Float {
        switch combination {
        case .sum:
            var sum = 0.0
            for sub in subs where sub.doc == doc { sum += Double(sub.score()) }
            return Float(sum)
        case .max(let tieBreaker):
            var best: Float = 0
            var others = 0.0
            for sub in subs where sub.doc == doc {
                let score = sub.score()
                if score >= best {
                    others += Double(best)
                    best = score
                } else {
                    others += Double(score)
                }
            }
            return Float(Double(best) + others * Double(tieBreaker))
        }
    }
}

/// A required scorer plus optional clauses that add to the score when they match (Lucene's `ReqOptSumScorer`).
final class RequiredOptionalScorer: Scorer {
    private let required: Scorer
    private let optional: Scorer

    init(required: Scorer, optional: Scorer) {
        self.required = required
        self.optional = optional
    }

    override var cost: Int { required.cost }
    override var maxScore: Float { Float(Double(required.maxScore) + Double(optional.maxScore)) }
    override var isVerifier: Bool { false }

    override func nextDoc() -> Int32 {
        doc = required.nextDoc()
        return doc
    }

    override func advance(_ target: Int32) -> Int32 {
        doc = required.advance(target)
        return doc
    }

    override func score() -> Float {
        var sum = Double(required.score())
        if optional.doc < doc { _ = optional.advance(doc) }
        if optional.doc == doc { sum += Double(optional.score()) }
        return Float(sum)
    }
}

/// The main scorer's documents that none of the excluded scorers match (`must_not`).
final class ExclusionScorer: Scorer {
    private let main: Scorer
    private let excluded: [Scorer]

    init(main: Scorer, excluded: [Scorer]) {
        self.main = main
        self.excluded = excluded
    }

    override var cost: Int { main.cost }
    override var maxScore: Float { main.maxScore }

    override func nextDoc() -> Int32 { skipExcluded(main.nextDoc()) }
    override func advance(_ target: Int32) -> Int32 { skipExcluded(main.advance(target)) }

    private func skipExcluded(_ start: Int32) -> Int32 {
        var candidate = start
        while candidate != Self.end && isExcluded(candidate) { candidate = main.nextDoc() }
        doc = candidate
        return doc
    }

    private func isExcluded(_ candidate: Int32) -> Bool {
        for scorer in excluded {
            if scorer.isVerifier {
                if scorer.verify(candidate) { return true }
            } else {
                if scorer.doc < candidate { _ = scorer.advance(candidate) }
                if scorer.doc == candidate { return true }
            }
        }
        return false
    }

    override func score() -> Float { main.score() }
}
