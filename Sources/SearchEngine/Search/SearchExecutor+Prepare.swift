import StreamProcessing

/// One searched index, ready to run: the query compiled against its mapping and weighed with its
/// statistics, the post filter, the sort resolved, the terms to highlight.
struct PreparedIndex: Sendable {
    let snapshot: IndexSnapshot
    let position: Int
    let weight: QueryWeight
    let postFilter: QueryWeight?
    let sort: SortPlan
    let highlightTerms: [String: HighlightTerms]
}

extension SearchExecutor {
    /// Compiles and weighs the request for every index. Errors are shard failures
    /// (`search_phase_execution_exception` wrapping the cause), as OpenSearch reports them.
    static func prepare(_ request: SearchRequest, _ snapshots: [IndexSnapshot], now: Int64) throws(SearchError) -> [PreparedIndex] {
        var prepared: [PreparedIndex] = []
        for (position, snapshot) in snapshots.enumerated() {
            do {
                prepared.append(try prepare(request, snapshot, position: position, now: now))
            } catch {
                throw SearchError.shardFailure(error, index: snapshot.indexName)
            }
        }
        return prepared
    }

    private static func prepare(_ request: SearchRequest, _ snapshot: IndexSnapshot, position: Int, now: Int64) throws(SearchError) -> PreparedIndex {
        let compiler = QueryCompiler(mapping: snapshot.mapping, indexName: snapshot.indexName, now: now)
        let compiled = try request.query.map { (query) throws(SearchError) in try compiler.compile(query.node) } ?? .matchAll
        let builder = WeightBuilder(snapshot: snapshot)
        let weight = try builder.weight(compiled, scoring: request.usesScore)
        let postFilter = try request.postFilter.map { (filter) throws(SearchError) in
            try WeightBuilder(snapshot: snapshot).weight(try compiler.compile(filter.node), scoring: false)
        }
        var highlightTerms: [String: HighlightTerms] = [:]
        if let highlight = request.highlight {
            let source = try highlight.highlightQuery.map { (query) throws(SearchError) in try compiler.compile(query.node) } ?? compiled
            source.highlightTerms(into: &highlightTerms)
        }
        let sort = try SortPlan(sort: request.sort, snapshot: snapshot, snapshotIndex: position)
        return PreparedIndex(snapshot: snapshot, position: position, weight: weight, postFilter: postFilter, sort: sort, highlightTerms: highlightTerms)
    }
}
