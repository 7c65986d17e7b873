import StreamProcessing

/// What one aggregation computes, with its parsed parameters.
enum AggregationKind: Sendable {
    case terms(TermsSpec)
    case dateHistogram(DateHistogramSpec)
    case histogram(HistogramSpec)
    /// `range` and `date_range` (`isDate`).
    case range(RangeSpec)
    case cardinality(CardinalitySpec)
    /// value_count, sum, avg, min, max, stats.
    case metric(MetricSpec)
    /// The `top_hits` body, handed to `AggregationContext.topHits`.
    case topHits(JSONObject)
    /// The `filter` query.
    case filter(JSONValue)
    case filters(FiltersSpec)

    var typeName: String {
        switch self {
        case .terms: "terms"
        case .dateHistogram: "date_histogram"
        case .histogram: "histogram"
        case .range(let spec): spec.isDate ? "date_range" : "range"
        case .cardinality: "cardinality"
        case .metric(let spec): spec.metric.rawValue
        case .topHits: "top_hits"
        case .filter: "filter"
        case .filters: "filters"
        }
    }

    /// Bucket aggregations take sub-aggregations; metric ones refuse them.
    var acceptsSubAggregations: Bool {
        switch self {
        case .terms, .dateHistogram, .histogram, .range, .filter, .filters: true
        case .cardinality, .metric, .topHits: false
        }
    }

    static func parse(type: String, name: String, body: JSONObject) throws(SearchError) -> AggregationKind {
        switch type {
        case "terms": return .terms(try TermsSpec(name: name, body))
        case "date_histogram": return .dateHistogram(try DateHistogramSpec(name: name, body))
        case "histogram": return .histogram(try HistogramSpec(name: name, body))
        case "range": return .range(try RangeSpec(name: name, isDate: false, body))
        case "date_range": return .range(try RangeSpec(name: name, isDate: true, body))
        case "cardinality": return .cardinality(try CardinalitySpec(body))
        case "top_hits": return .topHits(body)
        case "filter": return .filter(.object(body))
        case "filters": return .filters(try FiltersSpec(body))
        default:
            if let metric = MetricSpec.Metric(rawValue: type) { return .metric(try MetricSpec(metric: metric, body)) }
            if registeredTypes.contains(type) {
                throw .illegalArgument("Aggregation type [\(type)] is not supported by this engine")
            }
            throw .parsing("Unknown aggregation type [\(type)]\(AggregationSuggestions.didYouMean(type, among: registeredTypes))")
        }
    }

    /// The aggregation names an OpenSearch 2.x node registers (bucket, metric and pipeline), which its
    /// "did you mean" suggestions are drawn from.
    static let registeredTypes: [String] = [
        "avg", "weighted_avg", "sum", "min", "max", "stats", "extended_stats", "value_count", "percentiles", "percentile_ranks",
        "median_absolute_deviation", "cardinality", "global", "missing", "filter", "filters", "adjacency_matrix", "sampler",
        "diversified_sampler", "terms", "rare_terms", "significant_terms", "significant_text", "range", "date_range", "ip_range",
        "histogram", "date_histogram", "variable_width_histogram", "auto_date_histogram", "geo_distance", "geohash_grid",
        "geotile_grid", "nested", "reverse_nested", "top_hits", "geo_bounds", "geo_centroid", "scripted_metric", "composite",
        "multi_terms", "matrix_stats", "children", "parent", "avg_bucket", "sum_bucket", "min_bucket", "max_bucket",
        "stats_bucket", "extended_stats_bucket", "percentiles_bucket", "derivative", "cumulative_sum", "bucket_script",
        "bucket_selector", "bucket_sort", "serial_diff", "moving_avg", "moving_fn",
    ]
}

/// OpenSearch's "did you mean" hints (`SuggestingErrorOnUnknown`): candidates whose Lucene Levenshtein similarity
/// exceeds 0.5, most similar first, ties by name.
enum AggregationSuggestions {
    static func didYouMean(_ unknown: String, among candidates: [String]) -> String {
        let scored = candidates.compactMap { candidate -> (Float, String)? in
            let similarity = levenshteinSimilarity(unknown, candidate)
            return similarity > 0.5 ? (similarity, candidate) : nil
        }
        guard !scored.isEmpty else { return "" }
        let keys = scored.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }.map(\.1)
        if keys.count == 1 { return " did you mean [\(keys[0])]?" }
        return " did you mean any of [\(keys.joined(separator: ", "))]?"
    }

    /// Lucene's `LevenshteinDistance.getDistance`: 1 − edits / max(length).
    static func levenshteinSimilarity(_ target: String, _ other: String) -> Float {
        let a = Array(target.utf16), b = Array(other.utf16)
        if a.isEmpty || b.isEmpty { return a.count == b.count ? 1 : 0 }
        var previous = Array(0...a.count)
        var current = [Int](repeating: 0, count: a.count + 1)
        for j in 1...b.count {
            current[0] = j
            for i in 1...a.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[i] = min(current[i - 1] + 1, previous[i] + 1, previous[i - 1] + cost)
            }
            swap(&previous, &current)
        }
        return 1 - Float(previous[a.count]) / Float(max(a.count, b.count))
    }
}
