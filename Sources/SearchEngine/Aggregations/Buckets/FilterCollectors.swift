import StreamProcessing

/// The matches of filter queries in the current segment, as bitsets (one query evaluation per segment).
struct SegmentFilters {
    let matchers: [@Sendable (IndexSnapshot, SegmentView) -> [Int32]]
    private(set) var bits: [[UInt64]] = []

    init(queries: [JSONValue], context: AggregationContext) throws(SearchError) {
        var matchers: [@Sendable (IndexSnapshot, SegmentView) -> [Int32]] = []
        for query in queries { matchers.append(try context.filter(query)) }
        self.matchers = matchers
    }

    mutating func enter(_ segment: AggregationSegment) {
        let words = (segment.reader.maxDoc + 63) / 64
        bits = matchers.map { matcher in
            var set = [UInt64](repeating: 0, count: words)
            for doc in matcher(segment.snapshot, segment.matches.view) { set[Int(doc) >> 6] |= 1 << UInt64(doc & 63) }
            return set
        }
    }

    @inline(__always)
    func matches(_ filter: Int, _ doc: Int32) -> Bool {
        bits[filter][Int(doc) >> 6] & (1 << UInt64(doc & 63)) != 0
    }
}

/// `filter`: one bucket, the documents that also match the query. Its bucket is its owner's, so a `filter`
/// at the top level keeps its sub-aggregations single-owner.
final class FilterCollector: AggregationCollector {
    private var filters: SegmentFilters
    private let subs: SubAggregations
    private var counts: [Int64] = []

    init(request: AggregationRequest, query: JSONValue, environment: AggregationEnvironment, singleOwner: Bool) throws(SearchError) {
        filters = try SegmentFilters(queries: [query], context: environment.context)
        subs = try SubAggregations(request.subAggregations, environment: environment, singleOwner: singleOwner)
    }

    func enter(_ segment: AggregationSegment) {
        filters.enter(segment)
        subs.enter(segment)
    }

    func leave() { subs.leave() }

    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        for index in 0..<count where filters.matches(0, docs[index]) {
            let owner = Int(owners[index])
            if owner >= counts.count { counts += repeatElement(0, count: owner + 1 - counts.count) }
            counts[owner] += 1
            if !subs.isEmpty { subs.emit(docs[index], owners[index]) }
        }
    }

    private func count(_ owner: Int32) -> Int64 { Int(owner) < counts.count ? counts[Int(owner)] : 0 }

    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        [("doc_count", .integer(count(owner)))] + (try subs.render(owner: owner))
    }

    func sortValue(owner: Int32, metric: String?) -> Double { Double(count(owner)) }
    func canSort(by metric: String?) -> Bool { metric == nil || metric == "_count" || metric == "doc_count" }
}

/// `filters`: a bucket per query (keyed by name, or a list), and `other_bucket` for documents matching none.
/// Bucket ordinal = owner × buckets + filter.
final class FiltersCollector: AggregationCollector {
    private let spec: FiltersSpec
    private var filters: SegmentFilters
    private let subs: SubAggregations
    private let environment: AggregationEnvironment
    private var counts: [Int64] = []
    private var bucketCount: Int { spec.filters.count + (spec.otherBucketKey == nil ? 0 : 1) }

    init(request: AggregationRequest, spec: FiltersSpec, environment: AggregationEnvironment) throws(SearchError) {
        self.spec = spec
        self.environment = environment
        filters = try SegmentFilters(queries: spec.filters.map(\.query), context: environment.context)
        subs = try SubAggregations(request.subAggregations, environment: environment, singleOwner: false)
    }

    func enter(_ segment: AggregationSegment) {
        filters.enter(segment)
        subs.enter(segment)
    }

    func leave() { subs.leave() }

    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        let buckets = bucketCount, filterCount = spec.filters.count
        for index in 0..<count {
            let doc = docs[index]
            let base = Int(owners[index]) * buckets
            if base + buckets > counts.count { counts += repeatElement(0, count: base + buckets - counts.count) }
            var matchedAny = false
            for filter in 0..<filterCount where filters.matches(filter, doc) {
                matchedAny = true
                counts[base + filter] += 1
                if !subs.isEmpty { subs.emit(doc, Int32(base + filter)) }
            }
            if !matchedAny, spec.otherBucketKey != nil {
                counts[base + filterCount] += 1
                if !subs.isEmpty { subs.emit(doc, Int32(base + filterCount)) }
            }
        }
    }

    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        try environment.consumeBuckets(bucketCount)
        var names = spec.filters.map(\.name)
        if let other = spec.otherBucketKey { names.append(other) }
        var buckets: [(name: String, value: JSONValue)] = []
        for (position, name) in names.enumerated() {
            let ordinal = owner == SubAggregations.emptyOwner ? owner : Int32(Int(owner) * bucketCount + position)
            let count = Int(ordinal) < counts.count ? counts[Int(ordinal)] : 0
            let body = [("doc_count", JSONValue.integer(count))] + (try subs.render(owner: ordinal))
            buckets.append((name, .object(JSONObject(body))))
        }
        if spec.keyed { return [("buckets", .object(JSONObject(buckets)))] }
        return [("buckets", .array(buckets.map(\.value)))]
    }
}

/// `top_hits`: remembers each bucket's documents per segment; the query side renders them.
final class TopHitsCollector: AggregationCollector {
    private let body: JSONObject
    private let environment: AggregationEnvironment
    /// Per owner: (segment index, documents) runs in collection order.
    private var documents: [[(segment: Int, docs: [Int32])]] = []
    private var segment = 0

    init(body: JSONObject, environment: AggregationEnvironment) {
        self.body = body
        self.environment = environment
    }

    func enter(_ segment: AggregationSegment) { self.segment = segment.index }
    func leave() {}

    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        for index in 0..<count {
            let owner = Int(owners[index])
            if owner >= documents.count { documents += repeatElement([], count: owner + 1 - documents.count) }
            if documents[owner].last?.segment == segment {
                documents[owner][documents[owner].count - 1].docs.append(docs[index])
            } else {
                documents[owner].append((segment, [docs[index]]))
            }
        }
    }

    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        let runs = Int(owner) < documents.count ? documents[Int(owner)] : []
        var merged: [Int: [Int32]] = [:]
        for run in runs { merged[run.segment, default: []] += run.docs }
        var matches: [(IndexSnapshot, SegmentMatches)] = []
        for (index, docs) in merged.sorted(by: { $0.key < $1.key }) {
            let segment = environment.segments[index]
            let sorted = docs.sorted()
            let scores = sorted.map { Self.score(of: $0, in: segment.matches) }
            matches.append((segment.snapshot, SegmentMatches(view: segment.matches.view, docs: sorted, scores: scores)))
        }
        return try environment.context.topHits(body, matches).members
    }

    /// The query score of a matched document (the matches are ascending).
    private static func score(of doc: Int32, in matches: SegmentMatches) -> Float {
        var low = 0, high = matches.docs.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if matches.docs[middle] == doc { return middle < matches.scores.count ? matches.scores[middle] : 1 }
            if matches.docs[middle] < doc { low = middle + 1 } else { high = middle - 1 }
        }
        return 1
    }
}
