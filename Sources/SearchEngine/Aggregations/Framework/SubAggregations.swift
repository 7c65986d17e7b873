import StreamProcessing

/// The sub-aggregations of a bucket aggregation (or the top-level ones): their collectors, and a batch of
/// (document, bucket ordinal) pairs that the parent fills and hands on when full or when the segment ends.
final class SubAggregations {
    let requests: [AggregationRequest]
    let collectors: [any AggregationCollector]
    static let batchSize = 2048
    /// The owner sub-aggregations are asked about for a bucket without documents (gap filling, `min_doc_count: 0`).
    static let emptyOwner = Int32.max
    private let docs: UnsafeMutablePointer<Int32>
    private let owners: UnsafeMutablePointer<Int32>
    private var pending = 0

    /// `singleOwner`: every document these collectors see belongs to bucket 0 (top level, or under
    /// single-bucket aggregations only), which lets them keep flat per-key state.
    init(_ requests: [AggregationRequest], environment: AggregationEnvironment, singleOwner: Bool) throws(SearchError) {
        self.requests = requests
        var collectors: [any AggregationCollector] = []
        for request in requests {
            collectors.append(try makeCollector(request, environment: environment, singleOwner: singleOwner))
        }
        self.collectors = collectors
        let capacity = requests.isEmpty ? 1 : Self.batchSize
        docs = .allocate(capacity: capacity)
        owners = .allocate(capacity: capacity)
    }

    deinit {
        docs.deallocate()
        owners.deallocate()
    }

    var isEmpty: Bool { collectors.isEmpty }

    func enter(_ segment: AggregationSegment) {
        for collector in collectors { collector.enter(segment) }
    }

    /// Queues one document for bucket `owner`.
    @inline(__always)
    func emit(_ doc: Int32, _ owner: Int32) {
        docs[pending] = doc
        owners[pending] = owner
        pending += 1
        if pending == Self.batchSize { flush() }
    }

    /// Hands a whole batch on as it is (after anything queued).
    func forward(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        flush()
        for collector in collectors { collector.collect(docs, owners, count) }
    }

    func flush() {
        guard pending > 0 else { return }
        for collector in collectors { collector.collect(docs, owners, pending) }
        pending = 0
    }

    func leave() {
        flush()
        for collector in collectors { collector.leave() }
    }

    /// The members this level adds to a bucket (or to the `aggregations` object): one per sub-aggregation.
    func render(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        var members: [(name: String, value: JSONValue)] = []
        members.reserveCapacity(collectors.count)
        for (request, collector) in zip(requests, collectors) {
            var body: [(name: String, value: JSONValue)] = []
            if let meta = request.meta { body.append(("meta", .object(meta))) }
            body += try collector.result(owner: owner)
            members.append((request.name, .object(JSONObject(body))))
        }
        return members
    }

    func collector(named name: String) -> (any AggregationCollector)? {
        zip(requests, collectors).first { $0.0.name == name }?.1
    }

    /// Checks that every sub-aggregation an order names exists and gives a single value to sort by.
    func validate(_ orders: [BucketOrder]) throws(SearchError) {
        for order in orders {
            guard case .subAggregation(let name, let metric, _) = order else { continue }
            let path = metric.map { "\(name).\($0)" } ?? name
            guard let collector = collector(named: name) else {
                throw SearchError(
                    "aggregation_execution_exception",
                    "Invalid aggregation order path [\(path)]. The provided aggregation [\(name)] either does not exist, or is a pipeline aggregation and cannot be used to sort the buckets.",
                    status: 500)
            }
            guard collector.canSort(by: metric) else {
                throw SearchError(
                    "aggregation_execution_exception",
                    "Invalid aggregation order path [\(path)]. Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.",
                    status: 500)
            }
        }
    }
}

/// The collector for one request.
func makeCollector(_ request: AggregationRequest, environment: AggregationEnvironment, singleOwner: Bool) throws(SearchError) -> any AggregationCollector {
    switch request.kind {
    case .terms(let spec): return try TermsCollector(request: request, spec: spec, environment: environment, singleOwner: singleOwner)
    case .dateHistogram(let spec): return try HistogramCollector(request: request, spec: spec, environment: environment)
    case .histogram(let spec): return try HistogramCollector(request: request, spec: spec, environment: environment)
    case .range(let spec): return try RangeCollector(request: request, spec: spec, environment: environment)
    case .cardinality(let spec): return try CardinalityCollector(request: request, spec: spec, environment: environment, singleOwner: singleOwner)
    case .metric(let spec): return try MetricCollector(request: request, spec: spec, environment: environment, singleOwner: singleOwner)
    case .topHits(let body): return TopHitsCollector(body: body, environment: environment)
    case .filter(let query): return try FilterCollector(request: request, query: query, environment: environment, singleOwner: singleOwner)
    case .filters(let spec): return try FiltersCollector(request: request, spec: spec, environment: environment)
    }
}
