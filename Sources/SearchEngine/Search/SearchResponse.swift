import StreamProcessing

/// Pieces of the `_search` response body.
enum SearchResponse {
    /// A score as OpenSearch prints it: the Float's shortest decimal form (0.2876821, not 0.28768208622932434).
    static func float(_ value: Float) -> JSONValue {
        guard value.isFinite else { return .double(Double(value)) }
        return .double(Double(value.description) ?? Double(value))
    }

    static func shards(_ count: Int) -> JSONValue {
        .object(JSONObject([("total", .integer(Int64(count))), ("successful", .integer(Int64(count))), ("skipped", .integer(0)), ("failed", .integer(0))]))
    }

    static func total(_ count: Int, _ track: SearchRequest.TrackTotalHits) -> JSONValue? {
        switch track {
        case .none: return nil
        case .exact: return totalObject(count, "eq")
        case .upTo(let limit): return count > limit ? totalObject(limit, "gte") : totalObject(count, "eq")
        }
    }

    private static func totalObject(_ value: Int, _ relation: String) -> JSONValue {
        .object(JSONObject([("value", .integer(Int64(value))), ("relation", .string(relation))]))
    }
}
