import SearchEngine
import StreamProcessing

/// A point in time: the snapshots of its indices as of its creation.
struct PointInTime: Sendable {
    var snapshots: [IndexSnapshot]
}

/// OpenSearch's point-in-time API: `POST /{index}/_search/point_in_time?keep_alive=1m`,
/// `DELETE /_search/point_in_time` (body `{"pit_id": [...]}`), `GET|DELETE /_search/point_in_time/_all`.
/// Searches use one with `"pit": {"id": ..., "keep_alive": ...}` and no index in the path.
extension RestAPI {
    func createPointInTime(_ expression: String, _ request: RestRequest) throws(SearchError) -> RestResponse {
        guard let text = request.parameter("keep_alive") else {
            throw RestErrors.validation(["keep alive not specified"])
        }
        let keepAlive = try Self.keepAlive(text)
        let indices = try resolve(expression, request)
        let creation = WallClock.nowMillis()
        let id = try pointsInTime.open(PointInTime(snapshots: indices.map { $0.snapshot() }), keepAlive: keepAlive, creationTime: creation)
        return .json(JSONObject([
            ("pit_id", .string(id)),
            ("_shards", Self.readShards(indices.count)),
            ("creation_time", .integer(creation)),
        ]))
    }

    func pointsInTimeRoute(all: Bool, _ request: RestRequest) throws(SearchError) -> RestResponse {
        if all, request.method == .get {
            let pits = pointsInTime.list().map { entry in
                JSONValue.object(JSONObject([
                    ("pit_id", .string(entry.id)), ("creation_time", .integer(entry.creationTime)),
                    ("keep_alive", .integer(Int64(entry.keepAlive.milliseconds))),
                ]))
            }
            return .json(JSONObject([("pits", .array(pits))]))
        }
        var outcomes: [(id: String, freed: Bool)] = []
        if all {
            outcomes = pointsInTime.removeAll().map { ($0.id, true) }
        } else {
            let body = try request.requiredJSONObject()
            let ids: [String]
            switch body["pit_id"] {
            case .string(let id)?: ids = [id]
            case .array(let values)?: ids = values.compactMap(\.stringValue)
            default: throw RestErrors.validation(["no pit ids specified"])
            }
            outcomes = ids.map { ($0, pointsInTime.remove([$0]) == 1) }
        }
        let results = outcomes.map { JSONValue.object(JSONObject([("successful", .bool($0.freed)), ("pit_id", .string($0.id))])) }
        return .json(JSONObject([("pits", .array(results))]))
    }

    /// A keep-alive parameter, at most `search.max_keep_alive`.
    static func keepAlive(_ text: String) throws(SearchError) -> Duration {
        let duration = try TimeValue.parse(text, name: "keep_alive")
        guard duration <= SearchAPILimits.maxKeepAlive else {
            throw .illegalArgument(
                "Keep alive for request (\(text)) is too large. It must be less than (24h). This limit can be set by changing the [search.max_keep_alive] cluster level setting.")
        }
        return duration
    }
}
