import SearchEngine
import StreamProcessing

/// Index administration: create, delete, exists, get, `_mapping`, `_settings`, `_refresh`.
extension RestAPI {
    func indexRoute(_ name: String, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        switch request.method {
        case .put: return try await createIndex(name, request)
        case .delete: return try await deleteIndices(name, request)
        case .head: return indexExists(name, request)
        default: return try getIndices(name, request)
        }
    }

    /// `PUT /{index}` with `settings`, `mappings` and (empty) `aliases`.
    private func createIndex(_ name: String, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        let body = try request.jsonObject() ?? JSONObject()
        var settings: JSONObject?
        var mappings: JSONObject?
        for (key, value) in body.members {
            switch key {
            case "settings": settings = try Self.object(value, key)
            case "mappings": mappings = try Self.object(value, key)
            case "aliases":
                guard try Self.object(value, key).members.isEmpty else {
                    throw .illegalArgument("aliases are not supported by this server")
                }
            default:
                throw SearchError("parse_exception", "unknown key [\(key)] for create index", status: 400)
            }
        }
        let engine = self.engine
        let (givenSettings, givenMappings) = (settings, mappings)
        let index = try await blocking { () throws(SearchError) in
            try engine.createIndex(name, settings: givenSettings, mappings: givenMappings)
        }
        return .json(JSONObject([("acknowledged", .bool(true)), ("shards_acknowledged", .bool(true)), ("index", .string(index.name))]))
    }

    private static func object(_ value: JSONValue, _ key: String) throws(SearchError) -> JSONObject {
        guard case .object(let object) = value else {
            throw SearchError("parse_exception", "[\(key)] must be an object", status: 400)
        }
        return object
    }

    /// `DELETE /{index}`: names, lists and wildcards (`allow_no_indices` defaults to true, so a wildcard
    /// matching nothing is acknowledged; a missing concrete name is 404).
    private func deleteIndices(_ expression: String, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        let names = try resolve(expression, request).map(\.name)
        let engine = self.engine
        try await blocking { () throws(SearchError) in
            for name in names { try engine.deleteIndex(name) }
        }
        return .acknowledged()
    }

    /// `HEAD /{index}`: 200 when every named index exists, else 404; no body.
    private func indexExists(_ expression: String, _ request: RestRequest) -> RestResponse {
        let found = (try? resolve(expression, request, allowNoIndicesDefault: false)).map { !$0.isEmpty } ?? false
        return RestResponse(status: found ? 200 : 404, body: .empty)
    }

    /// `GET /{index}`: aliases, mappings and settings of each index.
    private func getIndices(_ expression: String, _ request: RestRequest) throws(SearchError) -> RestResponse {
        let indices = try resolve(expression, request)
        return .json(JSONObject(indices.map { index in
            (index.name, .object(JSONObject([
                ("aliases", .object(JSONObject())),
                ("mappings", .object(index.mapping.json())),
                ("settings", .object(index.settingsJSON())),
            ])))
        }))
    }

    /// `GET /_mapping`, `GET|PUT|POST /{index}/_mapping`.
    func mapping(_ expression: String?, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        let indices = try resolve(expression, request)
        guard request.method == .put || request.method == .post else {
            return .json(JSONObject(indices.map { ($0.name, .object(JSONObject([("mappings", .object($0.mapping.json()))]))) }))
        }
        let body = try request.requiredJSONObject()
        try await blocking { () throws(SearchError) in
            for index in indices { try index.putMapping(body) }
        }
        return .acknowledged()
    }

    /// `GET /_settings`, `GET /{index}/_settings`.
    func settings(_ expression: String?, _ request: RestRequest) throws(SearchError) -> RestResponse {
        let indices = try resolve(expression, request)
        return .json(JSONObject(indices.map { ($0.name, .object(JSONObject([("settings", .object($0.settingsJSON()))]))) }))
    }

    /// `POST|GET /_refresh`, `/{index}/_refresh`.
    func refresh(_ expression: String?, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        let indices = try resolve(expression, request)
        try await blocking { () throws(SearchError) in
            for index in indices { index.refresh() }
        }
        let shards = indices.reduce(0) { $0 + 1 + $1.numberOfReplicas }
        return .json(JSONObject([("_shards", .object(JSONObject([
            ("total", .integer(Int64(shards))), ("successful", .integer(Int64(indices.count))), ("failed", .integer(0)),
        ])))]))
    }
}
