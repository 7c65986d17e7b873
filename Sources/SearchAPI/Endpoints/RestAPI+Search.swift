import SearchEngine
import StreamProcessing

/// `_search` (with `scroll` and `pit`), `_count`, `_msearch`.
extension RestAPI {
    /// URL parameters the REST layer consumes itself (not passed on to `SearchRequest.parse`).
    private static let restParameters: Set<String> = [
        "pretty", "filter_path", "error_trace", "human", "scroll", "ignore_unavailable", "allow_no_indices", "expand_wildcards",
        "rest_total_hits_as_int", "typed_keys", "source", "source_content_type",
    ]

    /// `GET|POST /_search`, `/{index}/_search`.
    func search(_ expression: String?, _ request: RestRequest) throws(SearchError) -> RestResponse {
        let body = try request.jsonObject()
        let parameters = request.parameters.filter { !Self.restParameters.contains($0.key) }
        var parsed = try SearchRequest.parse(body: body, parameters: parameters)
        var response: JSONObject
        if let pit = parsed.pit {
            guard expression == nil else {
                throw RestErrors.validation(["[indices] cannot be used with point in time. Do not specify any index with point in time."])
            }
            parsed.pit = nil
            response = try searchPointInTime(parsed, pit)
        } else if let scroll = request.parameter("scroll") {
            response = try openScroll(parsed, keepAlive: Self.keepAlive(scroll), indices: resolve(expression, request))
        } else {
            let snapshots = try resolve(expression, request).map { $0.snapshot() }
            response = try SearchExecutor.search(parsed, over: snapshots)
        }
        return .json(try Self.adjust(response, request))
    }

    /// `GET|POST /_count`, `/{index}/_count`: `{count, _shards}`.
    func count(_ expression: String?, _ request: RestRequest) throws(SearchError) -> RestResponse {
        let body = try request.jsonObject()
        if let body {
            for (key, _) in body.members where key != "query" {
                throw SearchError("parsing_exception", "request does not support [\(key)]", status: 400)
            }
        }
        let snapshots = try resolve(expression, request).map { $0.snapshot() }
        let parameters = request.parameters.filter { !Self.restParameters.contains($0.key) }
        let count = try SearchExecutor.count(query: body.map { .object($0) }, parameters: parameters, over: snapshots)
        return .json(JSONObject([("count", .integer(Int64(count))), ("_shards", Self.readShards(snapshots.count))]))
    }

    /// `GET|POST /_msearch`, `/{index}/_msearch`: NDJSON header/body pairs; each response carries its own
    /// `status`, and a failed search is an error object in its place.
    func multiSearch(_ expression: String?, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        let start = ContinuousClock.now
        guard let content = request.content else { throw RestErrors.bodyRequired }
        guard content.last == UInt8(ascii: "\n") else { throw .illegalArgument("The msearch request must be terminated by a newline [\\n]") }
        var lines = LineReader(content)
        var responses: [JSONValue] = []
        while let (headerLine, _) = lines.next() {
            let header = try RestJSON.object(Array(headerLine))
            guard let (bodyLine, _) = lines.next() else { throw .illegalArgument("The msearch request must be terminated by a newline [\\n]") }
            let item = try multiSearchItem(header: header, body: Array(bodyLine), defaultIndex: expression, request)
            do {
                var response = try search(item.index, item.request).bodyObject
                response.members.append(("status", .integer(200)))
                responses.append(.object(response))
            } catch {
                responses.append(.object(ErrorBody.json(error)))
            }
            await Task.yield()
        }
        if responses.isEmpty { throw RestErrors.validation(["no requests added"]) }
        let took = Int64((ContinuousClock.now - start).milliseconds)
        return .json(JSONObject([("took", .integer(took)), ("responses", .array(responses))]))
    }

    /// One search of an `_msearch`: the header's index and options become the path and parameters of a
    /// `_search` request.
    private func multiSearchItem(header: JSONObject, body: [UInt8], defaultIndex: String?, _ request: RestRequest) throws(SearchError) -> (index: String?, request: RestRequest) {
        var item = request
        item.body = body
        item.parameters = request.parameters.filter { Self.restParameters.contains($0.key) && $0.key != "scroll" }
        item.parameters["source"] = nil
        var index = defaultIndex
        for (key, value) in header.members {
            switch (key, value) {
            case ("index", .string(let name)): index = name
            case ("index", .array(let names)): index = names.compactMap(\.stringValue).joined(separator: ",")
            case (_, .string(let text)): item.parameters[key] = text
            case (_, .bool(let flag)): item.parameters[key] = flag ? "true" : "false"
            case (_, .integer(let number)): item.parameters[key] = String(number)
            default: throw .illegalArgument("key [\(key)] is not supported in the metadata section")
            }
        }
        return (index, item)
    }

    /// Response adjustments selected by URL parameters: `rest_total_hits_as_int`.
    private static func adjust(_ response: JSONObject, _ request: RestRequest) throws(SearchError) -> JSONObject {
        guard try request.flag("rest_total_hits_as_int") else { return response }
        var response = response
        guard let position = response.members.firstIndex(where: { $0.name == "hits" }),
              case .object(var hits) = response.members[position].value,
              let totalPosition = hits.members.firstIndex(where: { $0.name == "total" }),
              case .object(let total) = hits.members[totalPosition].value, let value = total["value"] else { return response }
        hits.members[totalPosition].value = value
        response.members[position].value = .object(hits)
        return response
    }
}

extension RestResponse {
    /// The JSON object of a response (for embedding it in another, as `_msearch` does).
    var bodyObject: JSONObject {
        if case .json(.object(let object)) = body { return object }
        return JSONObject()
    }
}
