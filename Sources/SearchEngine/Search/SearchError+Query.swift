/// The errors the query side raises, in OpenSearch's words. Errors found while parsing the request body
/// (unknown query, malformed clause) are returned as they are; errors OpenSearch finds on the shard (a value
/// the field cannot hold, a bad `query_string`, limits) come wrapped in `search_phase_execution_exception`
/// ("all shards failed"), as `SearchExecutor` does with `shardFailure(_:)`.
extension SearchError {
    static func queryShard(_ reason: String, index: String? = nil) -> SearchError {
        SearchError("query_shard_exception", reason, status: 400, index: index)
    }

    /// A value that does not parse as the field's number type (`term`, `range`, `match` on numbers).
    static func numberFormat(_ text: String) -> SearchError {
        SearchError("query_shard_exception", "failed to create query: For input string: \"\(text)\"", status: 400,
                    causedBy: [SearchError("number_format_exception", "For input string: \"\(text)\"", status: 400)])
    }

    static func tooManyClauses(_ limit: Int) -> SearchError {
        SearchError("too_many_clauses", "maxClauseCount is set to \(limit)", status: 500)
    }

    static func resultWindowTooLarge(_ window: Int, limit: Int) -> SearchError {
        .illegalArgument(
            "Result window is too large, from + size must be less than or equal to: [\(limit)] but was [\(window)]. "
                + "See the scroll api for a more efficient way to request large data sets. "
                + "This limit can be set by changing the [index.max_result_window] index level setting.")
    }

    /// OpenSearch's wrapper for errors raised on the shards: every index failed the same way.
    static func shardFailure(_ cause: SearchError, index: String?) -> SearchError {
        var cause = cause
        if cause.index == nil { cause.index = index }
        return SearchError("search_phase_execution_exception", "all shards failed", status: cause.status,
                           details: [("phase", "query"), ("grouped", "true")], causedBy: [cause])
    }
}

/// The limits the query side enforces, with OpenSearch's defaults.
public enum QueryLimits {
    /// `indices.query.bool.max_clause_count`: leaf clauses of a query after rewriting (match terms, fuzzy
    /// expansions, query_string terms).
    public static let maxClauseCount = 1024
    /// Nesting of compound queries (`bool` in `bool` ...): OpenSearch's `indices.query.max_nested_depth` is 20.
    public static let maxNestedDepth = 20
    /// `index.max_regex_length`.
    public static let maxRegexLength = 1000
    /// Automaton states a `regexp` may compile to (Lucene's `DEFAULT_DETERMINIZE_WORK_LIMIT` is 10,000).
    public static let maxRegexStates = 10_000
    /// `index.max_terms_count` for a `terms` query.
    public static let maxTermsCount = 65_536
    /// Default `max_expansions` of `fuzzy`, `match` with fuzziness and `match_phrase_prefix`.
    public static let defaultMaxExpansions = 50
    /// Default `track_total_hits`.
    public static let defaultTrackTotalHitsUpTo = 10_000
}
