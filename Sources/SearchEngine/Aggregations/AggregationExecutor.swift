import StreamProcessing

/// Runs aggregations over the documents a query matched, segment by segment, and renders the response's
/// `aggregations` object as OpenSearch 2.x does (members in request order).
public enum AggregationExecutor {
    public static func run(
        _ requests: [AggregationRequest], matches: [(snapshot: IndexSnapshot, segments: [SegmentMatches])], context: AggregationContext
    ) throws(SearchError) -> JSONObject {
        var segments: [AggregationSegment] = []
        for (snapshotIndex, entry) in matches.enumerated() {
            for segmentMatches in entry.segments {
                segments.append(AggregationSegment(index: segments.count, snapshotIndex: snapshotIndex, snapshot: entry.snapshot, matches: segmentMatches))
            }
        }
        let environment = AggregationEnvironment(segments: segments, snapshots: matches.map(\.snapshot), context: context)
        let root = try SubAggregations(requests, environment: environment, singleOwner: true)
        let zeros = UnsafeMutablePointer<Int32>.allocate(capacity: SubAggregations.batchSize)
        zeros.initialize(repeating: 0, count: SubAggregations.batchSize)
        defer { zeros.deallocate() }
        for segment in segments where !segment.matches.docs.isEmpty {
            root.enter(segment)
            segment.matches.docs.withUnsafeBufferPointer { docs in
                guard let base = docs.baseAddress else { return }
                var start = 0
                while start < docs.count {
                    let length = min(SubAggregations.batchSize, docs.count - start)
                    root.forward(base + start, zeros, length)
                    start += length
                }
            }
            root.leave()
        }
        return JSONObject(try root.render(owner: 0))
    }
}
