import StreamProcessing

extension SearchExecutor {
    /// What aggregations get from the query side: `filter` (a query's live matches in one segment),
    /// `top_hits` rendering, and `now` for date math.
    static func aggregationContext(_ request: SearchRequest, _ prepared: [PreparedIndex], now: Int64) -> AggregationContext {
        let snapshots = prepared.map(\.snapshot)
        return AggregationContext(
            filter: { (json: JSONValue) throws(SearchError) -> @Sendable (IndexSnapshot, SegmentView) -> [Int32] in
                let weights = try filterWeights(json, snapshots, now: now)
                return { snapshot, view in
                    guard let weight = weights[snapshot.indexName], let scorer = weight.scorer(view) else { return [] }
                    var docs: [Int32] = []
                    var doc = scorer.nextDoc()
                    while doc != Scorer.end {
                        if view.isLive(doc) { docs.append(doc) }
                        doc = scorer.nextDoc()
                    }
                    return docs
                }
            },
            topHits: { (body: JSONObject, matches: [(IndexSnapshot, SegmentMatches)]) throws(SearchError) -> JSONObject in
                try topHits(body, matches, now: now)
            },
            now: now)
    }

    private static func filterWeights(_ json: JSONValue, _ snapshots: [IndexSnapshot], now: Int64) throws(SearchError) -> [String: QueryWeight] {
        let query = try QueryParser.parse(json)
        var weights: [String: QueryWeight] = [:]
        for snapshot in snapshots {
            let compiler = QueryCompiler(mapping: snapshot.mapping, indexName: snapshot.indexName, now: now)
            weights[snapshot.indexName] = try WeightBuilder(snapshot: snapshot).weight(try compiler.compile(query.node), scoring: false)
        }
        return weights
    }

    /// A `top_hits` aggregation over one bucket's matches: `from`, `size` (3), `sort`, `_source`, `highlight`,
    /// `version`, `seq_no_primary_term`, `docvalue_fields`; rendered as `{"hits": {total, max_score, hits}}`.
    static func topHits(_ body: JSONObject, _ matches: [(IndexSnapshot, SegmentMatches)], now: Int64) throws(SearchError) -> JSONObject {
        var members = body.members.filter { !["explain", "track_scores", "stored_fields", "script_fields", "fields"].contains($0.name) }
        if body["size"] == nil { members.append(("size", .integer(3))) }
        var request = try SearchRequest.parse(body: JSONObject(members), parameters: [:])
        request.trackScores = body["track_scores"] == .bool(true)
        var snapshots: [IndexSnapshot] = []
        for (snapshot, _) in matches where !snapshots.contains(where: { $0.indexName == snapshot.indexName }) { snapshots.append(snapshot) }
        let prepared = try prepare(request, snapshots, now: now)
        let capacity = request.from + request.size
        var merged = MergedTopHits(capacity: capacity, descending: prepared.first?.sort.descending ?? [true])
        var total = 0
        var maxScore: Float?
        for (snapshot, segmentMatches) in matches {
            guard let index = prepared.firstIndex(where: { $0.snapshot.indexName == snapshot.indexName }),
                let segmentIndex = snapshot.segments.firstIndex(where: { $0.segment === segmentMatches.view.segment })
            else { continue }
            let keys = prepared[index].sort.segmentKeys(segmentIndex, segmentMatches.view)
            var top = SegmentTopHits(capacity: capacity, descending: prepared[index].sort.descending)
            var scratch = [Int64](repeating: 0, count: keys.count)
            for (doc, score) in zip(segmentMatches.docs, segmentMatches.scores) {
                total += 1
                maxScore = max(maxScore ?? score, score)
                for position in keys.indices { scratch[position] = keys[position].key(doc, score: score) }
                scratch.withUnsafeBufferPointer { top.offer(doc, score: score, keys: $0) }
            }
            merged.add(top.entries().map { entry in
                CollectedHit(snapshot: index, segment: segmentIndex, doc: entry.doc, score: entry.score,
                             keys: entry.keys.indices.map { prepared[index].sort.globalKey(entry.keys[$0], $0 - entry.keys.startIndex, keys[$0 - entry.keys.startIndex]) })
            })
        }
        let showsScores = request.sort.isEmpty || request.sort.contains { $0.target == .score } || request.trackScores
        let hits = try merged.finish().dropFirst(request.from).map { (hit) throws(SearchError) in
            try render(hit, request, prepared[hit.snapshot], showsScores: showsScores)
        }
        var hitsObject = JSONObject()
        hitsObject.members.append(("total", .object(JSONObject([("value", .integer(Int64(total))), ("relation", .string("eq"))]))))
        hitsObject.members.append(("max_score", showsScores ? maxScore.map(SearchResponse.float) ?? .null : .null))
        hitsObject.members.append(("hits", .array(hits)))
        return JSONObject([("hits", .object(hitsObject))])
    }
}
