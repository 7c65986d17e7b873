import StreamProcessing

extension TermsCollector {
    struct Bucket {
        /// nil for a bucket without documents (`min_doc_count: 0`).
        var ordinal: Int32?
        var key: Int64
        var count: Int64
    }

    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        var buckets = buckets(of: owner).map { Bucket(ordinal: $0.ordinal, key: $0.key, count: $0.count) }.filter { $0.count > 0 }
        if spec.minDocCount == 0, keys == .keyword {
            addAllTerms()
            var present = Set(buckets.map(\.key))
            for id in 0..<Int64(terms.count) where present.insert(id).inserted {
                buckets.append(Bucket(ordinal: nil, key: id, count: 0))
            }
        }
        // One shard: it returns its `shard_size` best buckets, the reduce keeps `size` of those with enough documents.
        let shardSize = max(spec.shardSize ?? (spec.size * 3 / 2 + 10), spec.size)
        let total = buckets.reduce(Int64(0)) { $0 + $1.count }
        let orders = spec.order + [.key(ascending: true)]
        let top = Self.best(shardSize, of: buckets) { self.precedes($0, $1, orders) }
        var other = total - top.reduce(Int64(0)) { $0 + $1.count }
        let candidates = top.filter { $0.count >= Int64(spec.minDocCount) }
        let returned = candidates.prefix(spec.size)
        other += candidates.dropFirst(spec.size).reduce(Int64(0)) { $0 + $1.count }
        try environment.consumeBuckets(returned.count)
        var rendered: [JSONValue] = []
        rendered.reserveCapacity(returned.count)
        for bucket in returned { rendered.append(.object(try render(bucket))) }
        return [("doc_count_error_upper_bound", .integer(0)), ("sum_other_doc_count", .integer(other)), ("buckets", .array(rendered))]
    }

    private func render(_ bucket: Bucket) throws(SearchError) -> JSONObject {
        var members: [(name: String, value: JSONValue)] = []
        switch keys {
        case .keyword: members.append(("key", .string(String(decoding: term(bucket.key), as: UTF8.self))))
        case .double: members.append(("key", .double(SortableNumber.double(fromSortableBits: bucket.key))))
        case .long:
            members.append(("key", .integer(bucket.key)))
            if field.type == .boolean {
                members.append(("key_as_string", .string(bucket.key != 0 ? "true" : "false")))
            } else if let format = field.dateFormat {
                members.append(("key_as_string", .string(AggregationFormatting.date(bucket.key, format: format, zone: .utc))))
            }
        }
        members.append(("doc_count", .integer(bucket.count)))
        members += try subs.render(owner: bucket.ordinal ?? SubAggregations.emptyOwner)
        return JSONObject(members)
    }

    /// The first `count` buckets in `precedes` order, sorted: a full sort when that is most of them, else one
    /// pass keeping the best so far in a sorted array (under a date_histogram every week's terms are ranked,
    /// and only `shard_size` of hundreds of terms are wanted).
    static func best(_ count: Int, of buckets: [Bucket], by precedes: (Bucket, Bucket) -> Bool) -> [Bucket] {
        guard count > 0 else { return [] }
        if buckets.count <= count * 4 { return Array(buckets.sorted(by: precedes).prefix(count)) }
        var kept: [Bucket] = []
        kept.reserveCapacity(count + 1)
        for bucket in buckets {
            if kept.count == count, let worst = kept.last, !precedes(bucket, worst) { continue }
            // After every kept bucket that precedes it or ties with it: the same order as a stable sort.
            var low = 0, high = kept.count
            while low < high {
                let middle = (low + high) / 2
                if precedes(bucket, kept[middle]) { high = middle } else { low = middle + 1 }
            }
            kept.insert(bucket, at: low)
            if kept.count > count { kept.removeLast() }
        }
        return kept
    }

    /// The requested order, then key ascending (OpenSearch's compound order): `orders` ends with the key.
    private func precedes(_ a: Bucket, _ b: Bucket, _ orders: [BucketOrder]) -> Bool {
        for order in orders {
            let comparison = compare(a, b, order)
            if comparison != 0 { return comparison < 0 }
        }
        return false
    }

    private func compare(_ a: Bucket, _ b: Bucket, _ order: BucketOrder) -> Int {
        switch order {
        case .count(let ascending):
            return directed(a.count == b.count ? 0 : a.count < b.count ? -1 : 1, ascending)
        case .key(let ascending):
            if keys == .keyword {
                let left = term(a.key), right = term(b.key)
                if left == right { return 0 }
                return directed(left.lexicographicallyPrecedes(right) ? -1 : 1, ascending)
            }
            return directed(a.key == b.key ? 0 : a.key < b.key ? -1 : 1, ascending)
        case .subAggregation(let name, let metric, let ascending):
            guard let collector = subs.collector(named: name) else { return 0 }
            let left = collector.sortValue(owner: a.ordinal ?? SubAggregations.emptyOwner, metric: metric)
            let right = collector.sortValue(owner: b.ordinal ?? SubAggregations.emptyOwner, metric: metric)
            return directed(AggregationOrdering.compare(left, right), ascending)
        }
    }

    private func directed(_ comparison: Int, _ ascending: Bool) -> Int { ascending ? comparison : -comparison }
}

enum AggregationOrdering {
    /// Java's `Double.compare`: NaN above everything, -0.0 below 0.0.
    static func compare(_ a: Double, _ b: Double) -> Int {
        if a < b { return -1 }
        if a > b { return 1 }
        if a.isNaN || b.isNaN { return a.isNaN ? (b.isNaN ? 0 : 1) : -1 }
        if a == 0, b == 0, a.sign != b.sign { return a.sign == .minus ? -1 : 1 }
        return 0
    }
}
