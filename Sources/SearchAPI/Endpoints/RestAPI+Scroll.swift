import SearchEngine
import StreamProcessing

/// A scroll: the snapshots of its first page, the request (with a `_shard_doc` tiebreaker so pages follow
/// each other exactly with `search_after`) and where the last page ended.
struct ScrollCursor: Sendable {
    var request: SearchRequest
    var snapshots: [IndexSnapshot]
    /// Sort values of the last hit returned; nil once a page came back empty.
    var after: [JSONValue]?
    /// Whether the client asked for sort values (else they are left out of hits, as OpenSearch does).
    var showsSort: Bool
}

/// Scroll: `?scroll=1m` on a search opens one; `GET|POST /_search/scroll` continues it (body
/// `{scroll, scroll_id}`, parameters, or the id in the path); `DELETE /_search/scroll` clears (ids as a string,
/// an array, or `_all`).
extension RestAPI {
    func openScroll(_ request: SearchRequest, keepAlive: Duration, indices: [SearchIndex]) throws(SearchError) -> JSONObject {
        if request.from > 0 { throw RestErrors.validation(["using [from] is not allowed in a scroll context"]) }
        if request.searchAfter != nil { throw .illegalArgument("`search_after` cannot be used in a scroll context.") }
        let snapshots = indices.map { $0.snapshot() }
        let paged = request.pagedForScroll()
        let page = try SearchExecutor.searchPage(paged, over: snapshots)
        var continuation = paged
        continuation.aggregations = []
        let cursor = ScrollCursor(request: continuation, snapshots: snapshots, after: page.lastSortValues, showsSort: !request.sort.isEmpty)
        let id = try scrolls.open(cursor, keepAlive: keepAlive, creationTime: WallClock.nowMillis())
        return Self.scrollResponse(page.body, id: id, showsSort: cursor.showsSort)
    }

    func scroll(_ pathID: String?, _ request: RestRequest) throws(SearchError) -> RestResponse {
        let body = try request.jsonObject()
        if request.method == .delete { return try clearScroll(pathID, body: body, request) }
        guard let id = pathID ?? body?["scroll_id"]?.stringValue ?? request.parameter("scroll_id") else {
            throw RestErrors.validation(["scrollId is missing"])
        }
        let keepAlive = try (body?["scroll"]?.stringValue ?? request.parameter("scroll")).map { (text) throws(SearchError) in try Self.keepAlive(text) }
        var cursor = try scrolls.use(id, keepAlive: keepAlive).payload
        let page = try continueScroll(&cursor)
        scrolls.update(id, cursor)
        return .json(Self.scrollResponse(page, id: id, showsSort: cursor.showsSort))
    }

    private func continueScroll(_ cursor: inout ScrollCursor) throws(SearchError) -> JSONObject {
        var request = cursor.request
        guard let after = cursor.after else {
            // The previous page was the last: answer an empty page without searching again.
            request.size = 0
            return try SearchExecutor.search(request, over: cursor.snapshots)
        }
        request.searchAfter = after
        let page = try SearchExecutor.searchPage(request, over: cursor.snapshots)
        cursor.after = page.lastSortValues
        return page.body
    }

    private func clearScroll(_ pathID: String?, body: JSONObject?, _ request: RestRequest) throws(SearchError) -> RestResponse {
        var ids: [String] = pathID.map { $0.split(separator: ",").map(String.init) } ?? []
        switch body?["scroll_id"] {
        case .string(let id)?: ids.append(id)
        case .array(let values)?: ids += values.compactMap(\.stringValue)
        default: break
        }
        if let parameter = request.parameter("scroll_id") { ids += parameter.split(separator: ",").map(String.init) }
        guard !ids.isEmpty else { throw RestErrors.validation(["no scroll ids specified"]) }
        let freed: Int
        if ids.contains("_all") {
            freed = scrolls.removeAll().count
        } else {
            for id in ids where !GeneratedID.looksRandom(id, bytes: SearchContextStore<ScrollCursor>.idBytes) {
                throw .illegalArgument("Cannot parse scroll id")
            }
            freed = scrolls.remove(ids)
        }
        return .json(JSONObject([("succeeded", .bool(true)), ("num_freed", .integer(Int64(freed)))]), status: freed > 0 ? 200 : 404)
    }

    /// `_scroll_id` first, as OpenSearch writes it; the tiebreaker's sort values left out unless asked for.
    private static func scrollResponse(_ body: JSONObject, id: String, showsSort: Bool) -> JSONObject {
        var members: [(name: String, value: JSONValue)] = [("_scroll_id", .string(id))]
        members += body.members.map { member in
            guard member.name == "hits", !showsSort, case .object(var hits) = member.value else { return member }
            hits.members = hits.members.map { entry in
                guard entry.name == "hits", case .array(let list) = entry.value else { return entry }
                return (entry.name, .array(list.map(Self.withoutSort)))
            }
            return (member.name, .object(hits))
        }
        return JSONObject(members)
    }

    private static func withoutSort(_ hit: JSONValue) -> JSONValue {
        guard case .object(var object) = hit else { return hit }
        object.members.removeAll { $0.name == "sort" }
        return .object(object)
    }

    /// A search over a point in time: its snapshots, its keep-alive renewed; the response carries `pit_id`.
    func searchPointInTime(_ request: SearchRequest, _ pit: JSONObject) throws(SearchError) -> JSONObject {
        guard let id = pit["id"]?.stringValue else { throw SearchError.parsing("[pit] requires an [id]") }
        let keepAlive = try pit["keep_alive"]?.stringValue.map { (text) throws(SearchError) in try Self.keepAlive(text) }
        let entry = try pointsInTime.use(id, keepAlive: keepAlive)
        var body = try SearchExecutor.search(request, over: entry.payload.snapshots)
        body.members.insert(("pit_id", .string(id)), at: 0)
        return body
    }
}

extension SearchRequest {
    /// The request with a total order, so `search_after` pages continue exactly: `_shard_doc` added as the
    /// last criterion (after `_score` when there was no sort).
    func pagedForScroll() -> SearchRequest {
        var copy = self
        if copy.sort.isEmpty { copy.sort = [SortField(target: .score)] }
        if !copy.sort.contains(where: { $0.target == .shardDoc }) { copy.sort.append(SortField(target: .shardDoc)) }
        return copy
    }
}
