import SearchEngine
import StreamProcessing

/// `POST|PUT /_bulk`, `/{index}/_bulk`.
extension RestAPI {
    /// Items are grouped by index and each group goes to the log in one `write` (in request order within the
    /// index); missing indices are created first (except for deletes). The response lists every item in
    /// request order with its status, and `errors` when any failed.
    func bulk(_ defaultIndex: String?, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        let start = ContinuousClock.now
        let refresh = try RefreshPolicy(parameter: request.parameter("refresh"))
        let parsed = try BulkRequest(request.body, defaultIndex: defaultIndex, nowMillis: WallClock.nowMillis())
        var items = parsed.items
        var results = [DocumentResult?](repeating: nil, count: items.count)
        var targets: [String: SearchIndex] = [:]
        for (name, positions) in Self.groupByIndex(items) {
            let index: SearchIndex
            do {
                index = try await bulkTarget(name, needsCreation: positions.contains { items[$0].action != .delete })
            } catch {
                for position in positions where items[position].error == nil { items[position].error = error }
                continue
            }
            targets[name] = index
            let writable = positions.filter { items[$0].error == nil }
            let operations = writable.compactMap { items[$0].operation }
            guard !operations.isEmpty else { continue }
            let written = try await writer.write(operations, to: index, refresh: refresh)
            for (position, result) in zip(writable, written) { results[position] = result }
        }
        var errors = false
        let rendered = items.indices.map { position -> JSONValue in
            let item = items[position]
            let body = Self.bulkItem(item, result: results[position], index: targets[item.index], refresh: refresh)
            if body.failed { errors = true }
            return .object(JSONObject([(item.action.rawValue, .object(body.json))]))
        }
        let took = Int64((ContinuousClock.now - start).milliseconds)
        return .json(JSONObject([("took", .integer(took)), ("errors", .bool(errors)), ("items", .array(rendered))]))
    }

    /// Item positions per index name, names in order of first appearance.
    private static func groupByIndex(_ items: [BulkRequest.Item]) -> [(String, [Int])] {
        var order: [String] = []
        var groups: [String: [Int]] = [:]
        for (position, item) in items.enumerated() {
            if groups[item.index] == nil { order.append(item.index) }
            groups[item.index, default: []].append(position)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    private func bulkTarget(_ name: String, needsCreation: Bool) async throws(SearchError) -> SearchIndex {
        if let index = engine.index(name) { return index }
        guard needsCreation else { throw .indexNotFound(name) }
        return try await indexForWriting(name)
    }

    private static func bulkItem(_ item: BulkRequest.Item, result: DocumentResult?, index: SearchIndex?, refresh: RefreshPolicy) -> (json: JSONObject, failed: Bool) {
        let failure = item.error ?? result?.error ?? (result == nil ? RestErrors.internalError(SearchError("exception", "no result")) : nil)
        if let failure {
            var error = ErrorBody.json(failure)["error"]?.objectValue ?? JSONObject()
            error.members.removeAll { $0.name == "root_cause" }
            return (JSONObject([
                ("_index", .string(item.index)), ("_id", .string(item.id)), ("status", .integer(Int64(failure.status))), ("error", .object(error)),
            ]), true)
        }
        guard let result, let index else { return (JSONObject(), true) }
        var json = writeResponse(index: index, id: item.id, result, refresh: refresh)
        json.members.append(("status", .integer(Int64(result.status))))
        return (json, false)
    }
}

extension Duration {
    var milliseconds: Int { Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000) }
}
