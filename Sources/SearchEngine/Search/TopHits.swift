/// One collected hit: where it is, its score, and its sort keys (comparable across segments and indices).
struct CollectedHit {
    var snapshot: Int
    var segment: Int
    var doc: Int32
    var score: Float
    var keys: [SortKey]
}

/// The best `capacity` documents of one segment by segment-local sort keys, a binary heap with the worst
/// entry at the root (Lucene's `FieldValueHitQueue`): a document enters only if it beats the root, so the
/// cost per non-competitive document is one comparison and nothing is allocated per document.
struct SegmentTopHits {
    let capacity: Int
    let keyCount: Int
    let descending: [Bool]
    private(set) var keys: [Int64] = []
    private(set) var docs: [Int32] = []
    private(set) var scores: [Float] = []
    /// Entry indices; `heap[0]` is the worst.
    private var heap: [Int] = []

    init(capacity: Int, descending: [Bool]) {
        self.capacity = capacity
        keyCount = descending.count
        self.descending = descending
        keys.reserveCapacity(min(capacity, 1024) * keyCount)
    }

    var isFull: Bool { heap.count >= capacity }
    var count: Int { heap.count }

    /// The keys of the worst entry (valid when not empty).
    func worstKey(_ index: Int) -> Int64 { keys[heap[0] * keyCount + index] }

    /// Whether entry `a` comes after entry `b` in the result order (keys, then doc ascending).
    @inline(__always) private func isWorse(_ a: Int, _ b: Int) -> Bool {
        for index in 0..<keyCount {
            let left = keys[a * keyCount + index]
            let right = keys[b * keyCount + index]
            if left != right { return descending[index] ? left < right : left > right }
        }
        return docs[a] > docs[b]
    }

    /// Whether a new document (visited after every entry, so it loses ties) beats the worst entry.
    @inline(__always) func beatsWorst(_ candidate: UnsafeBufferPointer<Int64>) -> Bool {
        let worst = heap[0] * keyCount
        for index in 0..<keyCount {
            let left = candidate[index]
            let right = keys[worst + index]
            if left != right { return descending[index] ? left > right : left < right }
        }
        return false
    }

    mutating func offer(_ doc: Int32, score: Float, keys candidate: UnsafeBufferPointer<Int64>) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            let entry = docs.count
            docs.append(doc)
            scores.append(score)
            keys.append(contentsOf: candidate)
            heap.append(entry)
            siftUp(heap.count - 1)
        } else if beatsWorst(candidate) {
            let entry = heap[0]
            docs[entry] = doc
            scores[entry] = score
            for index in 0..<keyCount { keys[entry * keyCount + index] = candidate[index] }
            siftDown(0)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard isWorse(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var worst = left
            if left + 1 < heap.count && isWorse(heap[left + 1], heap[left]) { worst = left + 1 }
            guard isWorse(heap[worst], heap[parent]) else { return }
            heap.swapAt(worst, parent)
            parent = worst
        }
    }

    /// The entries (unordered): doc, score and local keys.
    func entries() -> [(doc: Int32, score: Float, keys: ArraySlice<Int64>)] {
        heap.map { entry in (docs[entry], scores[entry], keys[entry * keyCount..<(entry + 1) * keyCount]) }
    }
}

/// The best hits over all segments and indices, merged from each segment's best.
struct MergedTopHits {
    let capacity: Int
    let descending: [Bool]
    private(set) var hits: [CollectedHit] = []

    init(capacity: Int, descending: [Bool]) {
        self.capacity = capacity
        self.descending = descending
    }

    /// Result order: keys, then index, segment and document order.
    func precedes(_ a: CollectedHit, _ b: CollectedHit) -> Bool {
        for index in descending.indices {
            let comparison = SortKey.compare(a.keys[index], b.keys[index])
            if comparison != 0 { return descending[index] ? comparison > 0 : comparison < 0 }
        }
        return (a.snapshot, a.segment, a.doc) < (b.snapshot, b.segment, b.doc)
    }

    mutating func add(_ segmentHits: [CollectedHit]) {
        hits += segmentHits
        if hits.count > capacity {
            hits.sort(by: precedes)
            hits.removeLast(hits.count - capacity)
        }
    }

    /// The hits in result order.
    mutating func finish() -> [CollectedHit] {
        hits.sort(by: precedes)
        if hits.count > capacity { hits.removeLast(hits.count - capacity) }
        return hits
    }

    /// The score a later document must beat when sorting by score only (nil until `capacity` hits are held).
    var scoreBar: Float? {
        guard capacity > 0, hits.count >= capacity else { return nil }
        return hits.map(\.score).min()
    }
}
