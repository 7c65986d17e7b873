import StreamProcessing

/// A `_search` request: the body and the URL parameters, parsed and validated (syntax only: fields are
/// resolved per index when searching). `SearchExecutor.search` runs it.
public struct SearchRequest: Sendable {
    public enum TrackTotalHits: Sendable, Equatable {
        /// No `hits.total` in the response.
        case none
        /// Count exactly up to this many, then report `gte`.
        case upTo(Int)
        case exact
    }

    /// nil: `match_all`.
    public var query: ParsedQuery?
    public var from = 0
    public var size = 10
    /// Empty: by `_score` descending.
    public var sort: [SortField] = []
    /// `search_after`: the sort values of the last hit of the previous page.
    public var searchAfter: [JSONValue]?
    public var trackTotalHits = TrackTotalHits.upTo(QueryLimits.defaultTrackTotalHitsUpTo)
    public var trackScores = false
    public var source = SourceFilter()
    public var minScore: Float?
    public var postFilter: ParsedQuery?
    public var highlight: HighlightRequest?
    public var aggregations: [AggregationRequest] = []
    public var docvalueFields: [String] = []
    /// `stored_fields: _none_`: neither `_source` nor `_id` in hits.
    public var storedFieldsNone = false
    public var version = false
    public var seqNoPrimaryTerm = false
    /// `terminate_after`: stop counting after this many matches per index.
    public var terminateAfter: Int?
    /// The `pit` member (`{"id": ..., "keep_alive": ...}`), for the REST layer to resolve.
    public var pit: JSONObject?
    /// `explain`, `profile`, `timeout`, ... accepted and ignored.
    public var ignoredMembers: [String] = []

    /// Set by `withTiebreaker()`: the appended `_shard_doc` criterion is not shown in hits.
    var hiddenTiebreaker = false

    public init() {}

    /// The request with `_shard_doc` appended to the sort (unless it already ends with `_doc` or
    /// `_shard_doc`), so that `search_after` with the previous page's `SearchPage.lastSortValues` continues
    /// exactly where that page ended — what scroll and point-in-time paging need. The added criterion is
    /// not shown in hits' `sort` (nor is `sort` shown at all when the request had none).
    public func withTiebreaker() -> SearchRequest {
        if let last = sort.last?.target, last == .doc || last == .shardDoc { return self }
        var request = self
        if request.sort.isEmpty { request.sort = [SortField(target: .score)] }
        request.sort.append(SortField(target: .shardDoc))
        request.hiddenTiebreaker = true
        request.hidesAllSortValues = sort.isEmpty
        return request
    }

    /// Whether hits show no `sort` (a tiebreaker was added to a request that had no sort).
    var hidesAllSortValues = false

    var sortsByScoreOnly: Bool { sort.isEmpty || (sort.count == 1 && sort[0].target == .score && sort[0].descending) }
    var usesScore: Bool { sort.isEmpty || sort.contains { $0.target == .score } || trackScores || minScore != nil }
    /// Whether matching documents are scored while collecting: not for `size: 0` (OpenSearch then counts
    /// without scoring and answers `max_score: null`) unless `min_score` or a `top_hits` aggregation needs it.
    var collectsScores: Bool { usesScore && (size > 0 || minScore != nil || aggregations.contains { $0.needsScores }) }

    public static func parse(body: JSONObject?, parameters: [String: String]) throws(SearchError) -> SearchRequest {
        var request = SearchRequest()
        if let body { try request.read(body) }
        try request.read(parameters: parameters)
        guard request.from >= 0 else { throw SearchError.illegalArgument("[from] parameter cannot be negative, found [\(request.from)]") }
        guard request.size >= 0 else { throw SearchError.illegalArgument("[size] parameter cannot be negative, found [\(request.size)]") }
        if let after = request.searchAfter {
            if request.from > 0 { throw SearchError.illegalArgument("`from` parameter must be set to 0 when `search_after` is used.") }
            let expected = max(1, request.sort.count)
            if after.count != expected {
                throw SearchError.illegalArgument("search_after has \(after.count) value(s) but sort has \(expected).")
            }
        }
        return request
    }

    private mutating func read(_ body: JSONObject) throws(SearchError) {
        for (key, value) in body {
            switch key {
            case "query": query = try QueryParser.parse(value)
            case "from": from = try DSLValue.int(value, "search", key)
            case "size": size = try DSLValue.int(value, "search", key)
            case "sort": sort = try SortParser.parse(value)
            case "search_after":
                guard case .array(let values) = value else { throw SearchError.parsing("[search_after] must be an array") }
                searchAfter = values
            case "track_total_hits": trackTotalHits = try Self.trackTotalHits(value)
            case "track_scores": trackScores = try DSLValue.bool(value, "search", key)
            case "_source": source = try SourceFilter.parse(value)
            case "min_score": minScore = try DSLValue.float(value, "search", key)
            case "post_filter": postFilter = try QueryParser.parse(value)
            case "highlight": highlight = try HighlightRequest.parse(value)
            case "aggs", "aggregations":
                guard case .object(let object) = value else { throw SearchError.parsing("Aggregation definition for [\(key)] starts with a [\(DSLValue.kind(value))], expected a [START_OBJECT].") }
                aggregations = try AggregationRequest.parse(object)
            case "docvalue_fields": docvalueFields = try Self.fieldNames(value)
            case "stored_fields": storedFieldsNone = try DSLValue.strings(value, "search", key) == ["_none_"]
            case "version": version = try DSLValue.bool(value, "search", key)
            case "seq_no_primary_term": seqNoPrimaryTerm = try DSLValue.bool(value, "search", key)
            case "terminate_after": terminateAfter = try DSLValue.int(value, "search", key)
            case "pit": pit = value.objectValue
            case "explain", "profile", "timeout", "stats", "indices_boost", "fields", "collapse", "slice", "ext", "script_fields", "suggest", "rescore":
                ignoredMembers.append(key)
            default:
                throw SearchError.parsing("Unknown key for a \(DSLValue.kind(value)) in [\(key)].")
            }
        }
    }

    private mutating func read(parameters: [String: String]) throws(SearchError) {
        if let text = parameters["q"] {
            var spec = QueryStringSpec(query: text)
            spec.defaultField = parameters["df"]
            if let op = parameters["default_operator"] { spec.isOperatorAnd = try QueryParser.isOperatorAnd(.string(op), "query_string") }
            spec.analyzer = parameters["analyzer"]
            spec.lenient = parameters["lenient"] == "true"
            spec.analyzeWildcard = parameters["analyze_wildcard"] == "true"
            query = ParsedQuery(node: .queryString(spec))
        }
        if let text = parameters["from"] { from = try Self.integer(text, "from") }
        if let text = parameters["size"] { size = try Self.integer(text, "size") }
        if let text = parameters["sort"] { sort = try SortParser.parse(parameter: text) }
        if let text = parameters["track_total_hits"] {
            trackTotalHits = try Self.trackTotalHits(text == "true" || text == "false" ? .bool(text == "true") : .string(text))
        }
        if let text = parameters["track_scores"] { trackScores = text == "true" }
        source.apply(parameters: parameters)
        if let text = parameters["docvalue_fields"] { docvalueFields = text.split(separator: ",").map(String.init) }
        if parameters["stored_fields"] == "_none_" { storedFieldsNone = true }
        if let text = parameters["version"] { version = text == "true" }
        if let text = parameters["seq_no_primary_term"] { seqNoPrimaryTerm = text == "true" }
        if let text = parameters["terminate_after"] { terminateAfter = try Self.integer(text, "terminate_after") }
    }

    private static func integer(_ text: String, _ name: String) throws(SearchError) -> Int {
        guard let value = Int(text) else { throw SearchError.illegalArgument("Failed to parse int parameter [\(name)] with value [\(text)]") }
        return value
    }

    private static func trackTotalHits(_ value: JSONValue) throws(SearchError) -> TrackTotalHits {
        switch value {
        case .bool(let flag): return flag ? .exact : .none
        default:
            let count = try DSLValue.int(value, "search", "track_total_hits")
            guard count >= -1 else {
                throw SearchError.illegalArgument("[track_total_hits] parameter must be positive or equals to -1, got \(count)")
            }
            return count == -1 ? .none : .upTo(count)
        }
    }

    private static func fieldNames(_ value: JSONValue) throws(SearchError) -> [String] {
        guard case .array(let entries) = value else { return try DSLValue.strings(value, "search", "docvalue_fields") }
        var names: [String] = []
        for entry in entries {
            if case .object(let object) = entry, let field = object["field"] {
                names.append(try DSLValue.string(field, "search", "docvalue_fields"))
            } else {
                names.append(try DSLValue.string(entry, "search", "docvalue_fields"))
            }
        }
        return names
    }
}
