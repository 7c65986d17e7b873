/// Walks the matching documents of one segment in ascending order and scores the current one (Lucene's
/// `Scorer` with its `DocIdSetIterator`). `doc` is -1 before the first call and `Scorer.end` after the last.
/// Deleted documents are not filtered here: the collector skips them, as Lucene's `acceptDocs` do.
class Scorer {
    static let end = Int32.max

    final var doc: Int32 = -1

    /// Estimated number of matches: a conjunction leads with its cheapest clause.
    var cost: Int { 0 }
    /// An upper bound of `score()` (lets the collector stop early once no later document can compete).
    var maxScore: Float { .infinity }
    /// Verifiers (doc-values checks) answer `verify` for any document cheaply; a conjunction checks them
    /// against its candidates instead of advancing them.
    var isVerifier: Bool { false }

    func nextDoc() -> Int32 { doc = Self.end; return doc }
    /// The first match ≥ `target` (`target` > `doc`).
    func advance(_ target: Int32) -> Int32 {
        while doc < target { _ = nextDoc() }
        return doc
    }
    func score() -> Float { 0 }
    /// For verifiers: whether `doc` matches (leaves `doc` at that document when it does).
    func verify(_ target: Int32) -> Bool {
        if doc < target { _ = advance(target) }
        return doc == target
    }
}

/// One term's postings, scored by BM25 (nil `bm25`: constant `constant`). Fields without norms (keyword,
/// boolean) index documents only, so their frequency is 1 as in Lucene: every match scores the same.
final class TermScorer: Scorer {
    private var postings: any PostingsIterator
    private let bm25: BM25?
    private let norms: FieldNorms?
    private let constant: Float
    private let count: Int

    init(postings: any Postings, bm25: BM25?, norms: FieldNorms?, constant: Float = 0) {
        self.postings = postings.makeIterator()
        self.bm25 = bm25
        self.norms = norms
        self.constant = constant
        count = postings.docFreq
    }

    override var cost: Int { count }
    override var maxScore: Float {
        guard let bm25 else { return constant }
        return norms == nil ? bm25.score(freq: 1, norm: 1) : bm25.maxScore
    }

    override func nextDoc() -> Int32 {
        doc = postings.nextDoc() ?? Self.end
        return doc
    }

    override func advance(_ target: Int32) -> Int32 {
        doc = postings.advance(to: target) ?? Self.end
        return doc
    }

    override func score() -> Float {
        guard let bm25 else { return constant }
        guard let norms else { return bm25.score(freq: 1, norm: 1) }
        return bm25.score(freq: Float(postings.freq), norm: norms.normByte(doc))
    }
}

/// Every document 0..<maxDoc with a constant score (`match_all`).
final class AllDocsScorer: Scorer {
    private let maxDoc: Int32
    private let constant: Float

    init(maxDoc: Int, score: Float) {
        self.maxDoc = Int32(maxDoc)
        constant = score
    }

    override var cost: Int { Int(maxDoc) }
    override var maxScore: Float { constant }
    override var isVerifier: Bool { true }

    override func nextDoc() -> Int32 {
        doc = doc != Self.end && doc + 1 < maxDoc ? doc + 1 : Self.end
        return doc
    }

    override func advance(_ target: Int32) -> Int32 {
        doc = target < maxDoc ? target : Self.end
        return doc
    }

    override func verify(_ target: Int32) -> Bool {
        guard target < maxDoc else { return false }
        doc = target
        return true
    }

    override func score() -> Float { constant }
}

/// A fixed set of documents (multi-term queries collected term at a time) with a constant score.
final class DocSetScorer: Scorer {
    private let bits: [UInt64]
    private let count: Int
    private let constant: Float

    /// `bits`: one bit per document of the segment.
    init(bits: [UInt64], count: Int, score: Float) {
        self.bits = bits
        self.count = count
        constant = score
    }

    override var cost: Int { count }
    override var maxScore: Float { constant }
    override var isVerifier: Bool { true }

    override func nextDoc() -> Int32 { doc == Self.end ? doc : advance(doc + 1) }

    override func advance(_ target: Int32) -> Int32 {
        var word = Int(target) >> 6
        guard word < bits.count else { doc = Self.end; return doc }
        var current = bits[word] & (~0 << UInt64(target & 63))
        while current == 0 {
            word += 1
            guard word < bits.count else { doc = Self.end; return doc }
            current = bits[word]
        }
        doc = Int32(word << 6 + current.trailingZeroBitCount)
        return doc
    }

    override func verify(_ target: Int32) -> Bool {
        let word = Int(target) >> 6
        guard word < bits.count, bits[word] & (1 << UInt64(target & 63)) != 0 else { return false }
        doc = target
        return true
    }

    override func score() -> Float { constant }

    /// Collects the documents of postings lists into a bitset.
    static func bits(maxDoc: Int, _ postings: [any Postings]) -> (bits: [UInt64], count: Int) {
        var bits = [UInt64](repeating: 0, count: (maxDoc + 63) / 64)
        var count = 0
        for list in postings {
            var iterator = list.makeIterator()
            while let doc = iterator.nextDoc() {
                let word = Int(doc) >> 6
                let bit: UInt64 = 1 << UInt64(doc & 63)
                if bits[word] & bit == 0 {
                    bits[word] |= bit
                    count += 1
                }
            }
        }
        return (bits, count)
    }
}

/// Documents that pass a per-document check (doc values, norms): a verifier in conjunctions, a scan of the
/// segment when it leads. Every match scores `constant`.
final class CheckingScorer: Scorer {
    private let matches: (Int32) -> Bool
    private let maxDoc: Int32
    private let constant: Float

    init(maxDoc: Int, score: Float, matches: @escaping (Int32) -> Bool) {
        self.matches = matches
        self.maxDoc = Int32(maxDoc)
        constant = score
    }

    /// Documents whose numeric doc value lies in an inclusive range (any value, for multi-valued fields).
    static func numericRange(values: any NumericDocValues, lower: Int64, upper: Int64, maxDoc: Int, score: Float) -> CheckingScorer {
        if values.isSingleValued {
            return CheckingScorer(maxDoc: maxDoc, score: score) { target in
                guard let value = values.first(target) else { return false }
                return value >= lower && value <= upper
            }
        }
        return CheckingScorer(maxDoc: maxDoc, score: score) { target in
            guard let first = values.first(target) else { return false }
            if first > upper { return false }
            if first >= lower { return true }
            return values.values(target).contains { $0 >= lower && $0 <= upper }
        }
    }

    /// Documents with a value in a field: any of `checks` passes.
    static func exists(checks: [(Int32) -> Bool], maxDoc: Int, score: Float) -> CheckingScorer {
        CheckingScorer(maxDoc: maxDoc, score: score) { target in checks.contains { $0(target) } }
    }

    override var cost: Int { Int(maxDoc) }
    override var maxScore: Float { constant }
    override var isVerifier: Bool { true }

    override func nextDoc() -> Int32 { doc == Self.end ? doc : advance(doc + 1) }

    override func advance(_ target: Int32) -> Int32 {
        var candidate = target
        while candidate < maxDoc {
            if matches(candidate) {
                doc = candidate
                return doc
            }
            candidate += 1
        }
        doc = Self.end
        return doc
    }

    override func verify(_ target: Int32) -> Bool {
        guard target < maxDoc, matches(target) else { return false }
        doc = target
        return true
    }

    override func score() -> Float { constant }
}

/// Wraps a scorer to give every match the same score (`constant_score`, filters inside scoring clauses).
final class ConstantScorer: Scorer {
    private let inner: Scorer
    private let constant: Float

    init(_ inner: Scorer, score: Float) {
        self.inner = inner
        constant = score
    }

    override var cost: Int { inner.cost }
    override var maxScore: Float { constant }
    override var isVerifier: Bool { inner.isVerifier }

    override func nextDoc() -> Int32 {
        doc = inner.nextDoc()
        return doc
    }

    override func advance(_ target: Int32) -> Int32 {
        doc = inner.advance(target)
        return doc
    }

    override func verify(_ target: Int32) -> Bool {
        guard inner.verify(target) else { return false }
        doc = target
        return true
    }

    override func score() -> Float { constant }
}
