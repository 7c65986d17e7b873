import Foundation
import StreamProcessing

/// Runs `_search` and `_count` over index snapshots.
///
/// Scroll and point-in-time: keep the snapshots of the first page and pass them back for every page, so
/// every page sees the same documents. To page, the REST layer either
/// - asks for the next page with `search_after` (recommended; no result-window limit): add `_shard_doc`
///   as the last sort criterion (`SearchRequest.withTiebreaker()`), then set `searchAfter` to the `sort`
///   values of the last hit of the previous page (`SearchPage.lastSortValues`), keeping `from` at 0; or
/// - advances `from` by `size` (simple, but limited to `index.max_result_window` documents in all).
/// `searchPage(_:over:)` returns both the response body and the last hit's sort values for that purpose.
public enum SearchExecutor {
    /// One page of results: the response body, and the sort values of its last hit (nil when empty).
    public struct SearchPage: Sendable {
        public var body: JSONObject
        public var lastSortValues: [JSONValue]?
    }

    public static func search(_ request: SearchRequest, over snapshots: [IndexSnapshot]) throws(SearchError) -> JSONObject {
        try searchPage(request, over: snapshots).body
    }

    public static func searchPage(_ request: SearchRequest, over snapshots: [IndexSnapshot]) throws(SearchError) -> SearchPage {
        try searchPage(request, over: snapshots, now: currentMillis())
    }

    static func searchPage(_ request: SearchRequest, over unordered: [IndexSnapshot], now: Int64) throws(SearchError) -> SearchPage {
        let started = ContinuousClock.now
        let snapshots = unordered.enumerated().sorted { ($0.element.indexName, $0.offset) < ($1.element.indexName, $1.offset) }.map(\.element)
        let window = request.from + request.size
        for snapshot in snapshots where window > snapshot.maxResultWindow {
            throw SearchError.shardFailure(.resultWindowTooLarge(window, limit: snapshot.maxResultWindow), index: snapshot.indexName)
        }
        let prepared = try prepare(request, snapshots, now: now)
        var collection = try collect(request, prepared)
        let hits = collection.merged.finish().dropFirst(request.from)
        var body = JSONObject()
        body.members.append(("took", .integer(millis(since: started))))
        body.members.append(("timed_out", .bool(false)))
        if request.terminateAfter != nil { body.members.append(("terminated_early", .bool(collection.terminatedEarly))) }
        body.members.append(("_shards", SearchResponse.shards(snapshots.count)))
        var hitsObject = JSONObject()
        if let total = SearchResponse.total(collection.total, request.trackTotalHits) { hitsObject.members.append(("total", total)) }
        let showsScores = request.usesScore
        hitsObject.members.append(("max_score", showsScores ? collection.maxScore.map(SearchResponse.float) ?? .null : .null))
        let rendered = try hits.map { (hit) throws(SearchError) in try render(hit, request, prepared[hit.snapshot], showsScores: showsScores) }
        hitsObject.members.append(("hits", .array(rendered)))
        body.members.append(("hits", .object(hitsObject)))
        if !request.aggregations.isEmpty {
            let context = aggregationContext(request, prepared, now: now)
            let matches = prepared.indices.map { (snapshot: prepared[$0].snapshot, segments: collection.aggregationMatches[$0]) }
            body.members.append(("aggregations", .object(try AggregationExecutor.run(request.aggregations, matches: matches, context: context))))
        }
        let last = hits.last.map { hit in hit.keys.indices.map { prepared[hit.snapshot].sort.sortValue(hit.keys[$0], $0) } }
        return SearchPage(body: body, lastSortValues: last)
    }

    /// `_count`: the number of live documents matching `query` (the query object, or a body with a `query`
    /// member; nil: all), with the `q`/`df`/`default_operator`/`analyzer`/`lenient` URL parameters.
    public static func count(query: JSONValue?, parameters: [String: String], over snapshots: [IndexSnapshot]) throws(SearchError) -> Int {
        var body: JSONObject?
        if let query {
            if case .object(let object) = query, object.members.count == 1, object.members[0].name == "query" {
                body = object
            } else if case .object(let object) = query, object.members.isEmpty {
                body = nil
            } else {
                body = JSONObject([("query", query)])
            }
        }
        var countParameters = parameters.filter { ["q", "df", "default_operator", "analyzer", "lenient", "analyze_wildcard"].contains($0.key) }
        countParameters["size"] = "0"
        var request = try SearchRequest.parse(body: body, parameters: countParameters)
        request.trackTotalHits = .exact
        request.sort = [SortField(target: .doc)]
        let prepared = try prepare(request, snapshots, now: currentMillis())
        var total = 0
        for index in prepared.indices {
            if case .all = prepared[index].weight {
                total += prepared[index].snapshot.liveDocCount
                continue
            }
            for view in prepared[index].snapshot.segments {
                guard let scorer = prepared[index].weight.scorer(view) else { continue }
                var doc = scorer.nextDoc()
                while doc != Scorer.end {
                    if view.isLive(doc) { total += 1 }
                    doc = scorer.nextDoc()
                }
            }
        }
        return total
    }

    static func currentMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    private static func millis(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = (ContinuousClock.now - start).components
        return elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
    }
}
