import StreamProcessing

/// What aggregations need from the query side, provided by the search executor.
public struct AggregationContext: Sendable {
    /// Parses a query (`filter` / `filters` aggregations); the returned function gives the ascending live
    /// documents of one segment that match it.
    public var filter: @Sendable (JSONValue) throws(SearchError) -> @Sendable (IndexSnapshot, SegmentView) -> [Int32]
    /// Renders a `top_hits` aggregation (its body, the bucket's matches) as its response object (`{"hits": {...}}`).
    public var topHits: @Sendable (JSONObject, [(IndexSnapshot, SegmentMatches)]) throws(SearchError) -> JSONObject
    /// Epoch milliseconds for date math (`now-1M/M`).
    public var now: Int64

    public init(
        filter: @escaping @Sendable (JSONValue) throws(SearchError) -> @Sendable (IndexSnapshot, SegmentView) -> [Int32],
        topHits: @escaping @Sendable (JSONObject, [(IndexSnapshot, SegmentMatches)]) throws(SearchError) -> JSONObject,
        now: Int64
    ) {
        self.filter = filter
        self.topHits = topHits
        self.now = now
    }
}
