import StreamProcessing

/// What collecting over all indices produced.
struct Collection {
    var merged: MergedTopHits
    var total = 0
    var maxScore: Float?
    /// Per index, the matches of every segment (only when aggregations need them).
    var aggregationMatches: [[SegmentMatches]] = []
    var terminatedEarly = false
}

extension SearchExecutor {
    /// Walks every segment of every index once: counts matches (up to `track_total_hits`), keeps the best
    /// `from + size` hits, records all matches when aggregations need them. When sorting by score only,
    /// a segment is left as soon as enough hits are counted and no remaining document can beat the
    /// current best (its scorer's maximum score is not above the worst kept score).
    static func collect(_ request: SearchRequest, _ prepared: [PreparedIndex]) throws(SearchError) -> Collection {
        let capacity = request.from + request.size
        let descending = prepared.first?.sort.descending ?? [true]
        var collection = Collection(merged: MergedTopHits(capacity: capacity, descending: descending))
        collection.aggregationMatches = prepared.map { _ in [] }
        let countLimit: Int = switch request.trackTotalHits {
        case .none: 0
        case .upTo(let limit): limit
        case .exact: .max
        }
        for index in prepared.indices {
            var collectedInIndex = 0
            for segmentIndex in prepared[index].snapshot.segments.indices {
                try collectSegment(request, prepared[index], segmentIndex, capacity: capacity, countLimit: countLimit,
                                   collectedInIndex: &collectedInIndex, into: &collection)
            }
        }
        return collection
    }

    private static func collectSegment(
        _ request: SearchRequest, _ prepared: PreparedIndex, _ segmentIndex: Int, capacity: Int, countLimit: Int,
        collectedInIndex: inout Int, into collection: inout Collection
    ) throws(SearchError) {
        let view = prepared.snapshot.segments[segmentIndex]
        let wantsAggregations = !request.aggregations.isEmpty
        guard let scorer = prepared.weight.scorer(view) else {
            if wantsAggregations { collection.aggregationMatches[prepared.position].append(SegmentMatches(view: view, docs: [], scores: [])) }
            return
        }
        let postFilter = prepared.postFilter.map { $0.scorer(view) }
        let keys = prepared.sort.segmentKeys(segmentIndex, view)
        let after = try request.searchAfter.map { (values) throws(SearchError) in try prepared.sort.afterKeys(values, keys, view) }
        let scoring = request.collectsScores
        let scoreOnly = request.sortsByScoreOnly && request.minScore == nil && after == nil && !wantsAggregations && request.terminateAfter == nil
        var top = SegmentTopHits(capacity: capacity, descending: prepared.sort.descending)
        var matchDocs: [Int32] = []
        var matchScores: [Float] = []
        var scratch = [Int64](repeating: 0, count: keys.count)
        let needsHits = capacity > 0
        let maxScore = scorer.maxScore
        if scoreOnly, collection.total > countLimit, let bar = collection.merged.scoreBar, maxScore <= bar { return }
        let liveDocs = view.liveDocs
        scratch.withUnsafeMutableBufferPointer { buffer in
            let candidate = UnsafeBufferPointer(buffer)
            var doc = scorer.nextDoc()
            while doc != Scorer.end {
                defer { doc = scorer.nextDoc() }
                if let liveDocs, !liveDocs.contains(doc) { continue }
                let score = scoring ? scorer.score() : 0
                if let minScore = request.minScore, score < minScore { continue }
                if wantsAggregations {
                    matchDocs.append(doc)
                    matchScores.append(score)
                }
                if let postFilter {
                    guard let filter = postFilter, filter.verify(doc) else { continue }
                }
                collection.total += 1
                collectedInIndex += 1
                if scoring { collection.maxScore = max(collection.maxScore ?? score, score) }
                if needsHits {
                    for index in buffer.indices { buffer[index] = keys[index].key(doc, score: score) }
                    if let after, !isAfter(candidate, after, prepared.sort.descending) { continue }
                    top.offer(doc, score: score, keys: candidate)
                }
                if let limit = request.terminateAfter, collectedInIndex >= limit {
                    collection.terminatedEarly = true
                    break
                }
                if collection.total > countLimit && !wantsAggregations {
                    if !needsHits { break }
                    if scoreOnly && top.isFull {
                        let worst = SegmentSortKey.score(fromKey: top.worstKey(0))
                        if maxScore <= max(worst, collection.merged.scoreBar ?? worst) { break }
                    }
                }
            }
        }
        if wantsAggregations {
            collection.aggregationMatches[prepared.position].append(SegmentMatches(view: view, docs: matchDocs, scores: matchScores))
        }
        let hits = top.entries().map { entry in
            CollectedHit(snapshot: prepared.position, segment: segmentIndex, doc: entry.doc, score: entry.score,
                         keys: entry.keys.indices.map { position in
                             let index = position - entry.keys.startIndex
                             return prepared.sort.globalKey(entry.keys[position], index, keys[index])
                         })
        }
        collection.merged.add(hits)
    }

    /// Whether a document's keys sort strictly after the `search_after` keys.
    @inline(__always) static func isAfter(_ keys: UnsafeBufferPointer<Int64>, _ after: [Int64], _ descending: [Bool]) -> Bool {
        for index in after.indices where keys[index] != after[index] {
            return descending[index] ? keys[index] < after[index] : keys[index] > after[index]
        }
        return false
    }
}
