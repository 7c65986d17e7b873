/// The REST layer's limits, together with their reasons (as SQLite keeps `sqliteLimit.h`). The engine's own
/// limits live in `SearchLimits` (SearchEngine); the ones a REST user meets are listed here too, by name.
public enum SearchAPILimits {
    /// Default request body limit (OpenSearch's `http.max_content_length`, 100 MiB). A body is held in memory
    /// whole while it is parsed; a `_bulk` of that size is a few hundred thousand documents.
    public static let defaultMaxContentLength = 100 << 20
    /// Open scroll contexts (OpenSearch's `search.max_open_scroll_context`, 500). Each holds index snapshots,
    /// whose segments (memory and file handles) cannot be released until it is cleared or expires.
    public static let maxOpenScrollContexts = 500
    /// Open point-in-time contexts (OpenSearch's `search.max_open_pit_context`, 300), for the same reason.
    public static let maxOpenPointInTimeContexts = 300
    /// Longest keep-alive a scroll or point in time may ask for (OpenSearch's `search.max_keep_alive`, 24 h).
    public static let maxKeepAlive: Duration = .seconds(24 * 3600)
    /// How often expired scroll and point-in-time contexts are released (OpenSearch's
    /// `search.keep_alive_interval`, 1 m; shorter here because a context pins whole snapshots).
    public static let contextReaperInterval: Duration = .seconds(5)
    /// Default wait of `_cluster/health?wait_for_status=` (OpenSearch's default `timeout`, 30 s).
    public static let defaultHealthTimeout: Duration = .seconds(30)
    /// Searches in one `_msearch` run at once (OpenSearch's `max_concurrent_searches` default for one node
    /// is about the search thread pool size; here the machine's cores are the limit anyway).
    public static let maxConcurrentMultiSearches = 4

    // Enforced by the engine (SearchEngine), listed here so that the limits a REST user meets are in one place:
    // - `index.max_result_window` (10,000): `from + size` of a search (`SearchLimits.defaultMaxResultWindow`,
    //   per index setting). Scrolls and `search_after` page past it.
    // - `indices.query.bool.max_clause_count` (1,024): clauses of a query after rewriting (the query parser).
    // - Index names: lower case, no path characters, at most 255 bytes (`SearchEngine.validateIndexName`).
    // - `_id`: at most 512 bytes (`SearchLimits.maxIDBytes`).
}
