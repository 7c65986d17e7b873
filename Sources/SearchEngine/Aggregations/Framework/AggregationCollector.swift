import StreamProcessing

/// One segment the aggregations run over, with the documents the query matched in it.
struct AggregationSegment {
    /// Position among all segments of the search (all indices).
    let index: Int
    let snapshotIndex: Int
    let snapshot: IndexSnapshot
    let matches: SegmentMatches

    var reader: any SegmentReading { matches.view.segment }
}

/// State shared by the collectors of one `AggregationExecutor.run`.
final class AggregationEnvironment {
    let segments: [AggregationSegment]
    let snapshots: [IndexSnapshot]
    let context: AggregationContext
    /// OpenSearch's `search.max_buckets` default.
    static let maxBuckets = 65_535
    private var bucketCount = 0

    init(segments: [AggregationSegment], snapshots: [IndexSnapshot], context: AggregationContext) {
        self.segments = segments
        self.snapshots = snapshots
        self.context = context
    }

    /// Counts buckets about to be rendered against the limit, as OpenSearch's `MultiBucketConsumer` does.
    func consumeBuckets(_ count: Int) throws(SearchError) {
        bucketCount += count
        if bucketCount > Self.maxBuckets { throw Self.tooManyBuckets(bucketCount) }
    }

    static func tooManyBuckets(_ count: Int) -> SearchError {
        SearchError(
            "too_many_buckets_exception",
            "Trying to create too many buckets. Must be less than or equal to: [\(maxBuckets)] but was [\(count)]. This limit can be set by changing the [search.max_buckets] cluster level setting.",
            status: 400, details: [("max_buckets", String(maxBuckets))])
    }
}

/// An aggregation being computed: Lucene's collector with bucket ordinals. Documents arrive in batches per
/// segment with the ordinal of the enclosing bucket ("owner") of each; a bucket aggregation gives its own
/// buckets dense ordinals, which become the owners of its sub-aggregations. Results are read per owner once
/// every segment has been collected.
protocol AggregationCollector: AnyObject {
    /// Starts a segment: reads its doc values.
    func enter(_ segment: AggregationSegment)
    /// `docs[i]` (of the current segment) belongs to the enclosing bucket `owners[i]`. A document may come
    /// more than once with different owners (a multi-valued parent), never twice with the same one.
    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int)
    /// Ends the current segment (bucket aggregations hand their pending documents on).
    func leave()
    /// The response body of this aggregation for one enclosing bucket.
    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)]
    /// The value a parent orders its buckets by (`order: {"<name>": ...}` / `{"<name>.<metric>": ...}`), as
    /// OpenSearch compares them (NaN for no value where OpenSearch has NaN).
    func sortValue(owner: Int32, metric: String?) -> Double
    /// Whether `sortValue(owner:metric:)` means anything for this metric name.
    func canSort(by metric: String?) -> Bool
}

extension AggregationCollector {
    func sortValue(owner: Int32, metric: String?) -> Double { .nan }
    func canSort(by metric: String?) -> Bool { false }
}
