/// Phrase matching over positions (Lucene's `PhraseQuery`/`MultiPhraseQuery`): documents containing every
/// position's terms, then the phrase frequency — exact matches counted when `slop` is 0, else Lucene's
/// sloppy frequency (each match of edit distance d adds 1/(d+1)). Scored by BM25 with that frequency.
final class PhraseScorer: Scorer {
    /// One phrase position: the union of its alternative terms' postings.
    private struct Slot {
        var iterators: [any PostingsIterator]
        var docs: [Int32]
        let offset: Int32
        let cost: Int

        var doc: Int32 { docs.min() ?? Scorer.end }

        mutating func advance(_ target: Int32) -> Int32 {
            for index in iterators.indices where docs[index] < target {
                docs[index] = iterators[index].advance(to: target) ?? Scorer.end
            }
            return doc
        }

        /// Positions of the slot's terms in document `doc`, ascending.
        func positions(_ doc: Int32) -> [Int32] {
            var result: [Int32] = []
            for index in iterators.indices where docs[index] == doc {
                result += iterators[index].positions().map(\.position)
            }
            if iterators.count > 1 { result.sort() }
            return result
        }
    }

    private var slots: [Slot]
    private let slop: Int
    private let bm25: BM25?
    private let norms: FieldNorms?
    private var frequency: Float = 0

    /// `positions`: per phrase position its offset and the postings of its terms (none missing).
    init(positions: [(offset: Int32, postings: [any Postings])], slop: Int, bm25: BM25?, norms: FieldNorms?) {
        slots = positions.map { position in
            Slot(iterators: position.postings.map { $0.makeIterator() }, docs: position.postings.map { _ in -1 },
                 offset: position.offset, cost: position.postings.reduce(0) { $0 + $1.docFreq })
        }
        self.slop = slop
        self.bm25 = bm25
        self.norms = norms
    }

    override var cost: Int { slots.map(\.cost).min() ?? 0 }
    override var maxScore: Float { bm25?.maxScore ?? 0 }

    override func nextDoc() -> Int32 { doc == Self.end ? doc : advance(doc + 1) }

    override func advance(_ target: Int32) -> Int32 {
        var candidate = target
        while true {
            candidate = align(candidate)
            guard candidate != Self.end else { break }
            frequency = slop == 0 || slots.count == 1 ? exactFrequency(candidate) : sloppyFrequency(candidate)
            if frequency > 0 { break }
            guard candidate < Self.end - 1 else {
                candidate = Self.end
                break
            }
            candidate += 1
        }
        doc = candidate
        return doc
    }

    /// The first document ≥ `target` that every slot contains.
    private func align(_ target: Int32) -> Int32 {
        var candidate = target
        var agreed = 0
        var index = 0
        while agreed < slots.count {
            let position = slots[index].advance(candidate)
            if position == Self.end { return Self.end }
            if position > candidate {
                candidate = position
                agreed = 1
            } else {
                agreed += 1
            }
            index = (index + 1) % slots.count
        }
        return candidate
    }

    private func exactFrequency(_ doc: Int32) -> Float {
        let lists = slots.map { $0.positions(doc) }
        var cursors = [Int](repeating: 0, count: lists.count)
        var count = 0
        starts: for first in lists[0] {
            let start = first - slots[0].offset
            for slot in 1..<max(1, lists.count) where lists.count > 1 {
                let wanted = start + slots[slot].offset
                while cursors[slot] < lists[slot].count && lists[slot][cursors[slot]] < wanted { cursors[slot] += 1 }
                guard cursors[slot] < lists[slot].count else { break starts }
                if lists[slot][cursors[slot]] != wanted { continue starts }
            }
            count += 1
        }
        return Float(count)
    }

    /// Lucene's `SloppyPhraseMatcher` frequency (without its special handling of repeated terms): phrase
    /// positions in a queue by relative position; the one at the front moves until it passes the next,
    /// and every window no longer than `slop` counts `1 / (1 + length)`.
    private func sloppyFrequency(_ doc: Int32) -> Float {
        var lists = slots.map { $0.positions(doc) }
        var cursors = [Int](repeating: 0, count: lists.count)
        func position(_ slot: Int) -> Int32 { lists[slot][cursors[slot]] - slots[slot].offset }
        var end = Int32.min
        for slot in lists.indices { end = max(end, position(slot)) }
        var queue = Array(lists.indices)
        func popSmallest() -> Int {
            var best = 0
            for index in queue.indices.dropFirst() where (position(queue[index]), queue[index]) < (position(queue[best]), queue[best]) { best = index }
            return queue.remove(at: best)
        }
        func smallestPosition() -> Int32 { queue.map { position($0) }.min() ?? .max }
        var frequency: Float = 0
        var current = popSmallest()
        var matchLength = end - position(current)
        var next = smallestPosition()
        while cursors[current] + 1 < lists[current].count {
            cursors[current] += 1
            if position(current) > end { end = position(current) }
            if position(current) > next {
                if matchLength <= slop { frequency += 1 / (1 + Float(matchLength)) }
                queue.append(current)
                current = popSmallest()
                next = smallestPosition()
                matchLength = end - position(current)
            } else {
                matchLength = min(matchLength, end - position(current))
            }
        }
        if matchLength <= slop { frequency += 1 / (1 + Float(matchLength)) }
        lists.removeAll()
        return frequency
    }

    override func score() -> Float {
        guard let bm25 else { return 0 }
        return bm25.score(freq: frequency, norm: norms?.normByte(doc) ?? 1)
    }
}
