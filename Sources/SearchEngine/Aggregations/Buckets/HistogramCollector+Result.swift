import StreamProcessing

extension HistogramCollector {
    struct Bucket {
        var ordinal: Int32?
        var key: Int64
        var count: Int64
    }

    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        if ownerIndex == nil { ownerIndex = ordinals.ordinalsByOwner() }
        var buckets = (ownerIndex?[owner] ?? []).map { Bucket(ordinal: $0, key: ordinals.keys[Int($0)], count: counts[Int($0)]) }
        buckets.sort { $0.key < $1.key }
        if minDocCount == 0 {
            buckets = try filled(buckets)
        } else {
            buckets.removeAll { $0.count < Int64(minDocCount) }
        }
        if order != [.key(ascending: true)] { buckets.sort(by: precedes) }
        try environment.consumeBuckets(buckets.count)
        if keyed {
            var members: [(name: String, value: JSONValue)] = []
            for bucket in buckets { members.append((keyText(bucket.key), .object(try render(bucket)))) }
            return [("buckets", .object(JSONObject(members)))]
        }
        var rendered: [JSONValue] = []
        rendered.reserveCapacity(buckets.count)
        for bucket in buckets { rendered.append(.object(try render(bucket))) }
        return [("buckets", .array(rendered))]
    }

    private func render(_ bucket: Bucket) throws(SearchError) -> JSONObject {
        var members: [(name: String, value: JSONValue)] = []
        switch mode {
        case .date:
            members.append(("key_as_string", .string(keyText(bucket.key))))
            members.append(("key", .integer(bucket.key)))
        case .numeric:
            members.append(("key", .double(keyValue(bucket.key))))
        }
        members.append(("doc_count", .integer(bucket.count)))
        members += try subs.render(owner: bucket.ordinal ?? SubAggregations.emptyOwner)
        return JSONObject(members)
    }

    private func keyText(_ key: Int64) -> String {
        switch mode {
        case .date: AggregationFormatting.date(key, format: field.dateFormat ?? .default, zone: zone)
        case .numeric: AggregationFormatting.javaDouble(keyValue(key))
        }
    }

    /// With `min_doc_count: 0`: empty buckets between the first and last bucket, widened to `extended_bounds`
    /// and kept within `hard_bounds`, as OpenSearch's `addEmptyBuckets` does.
    private func filled(_ buckets: [Bucket]) throws(SearchError) -> [Bucket] {
        var low = buckets.first.map { keyValue($0.key) }
        var high = buckets.last.map { keyValue($0.key) }
        if let bounds = extendedBounds {
            if let minimum = bounds.min, buckets.isEmpty ? bounds.max != nil : true { low = Swift.min(low ?? .infinity, roundedValue(minimum)) }
            if let maximum = bounds.max, buckets.isEmpty ? bounds.min != nil : true { high = Swift.max(high ?? -.infinity, roundedValue(maximum)) }
        }
        if let bounds = hardBounds {
            if let minimum = bounds.min, let current = low { low = Swift.max(current, roundedValue(minimum)) }
            if let maximum = bounds.max, let current = high { high = Swift.min(current, maximum) }
        }
        guard let low, let high, low <= high else { return buckets }
        let keys = try allKeys(from: low, through: high)
        var existing: [Int64: Bucket] = [:]
        for bucket in buckets { existing[bucket.key] = bucket }
        var result = keys.map { existing.removeValue(forKey: $0) ?? Bucket(ordinal: nil, key: $0, count: 0) }
        if !existing.isEmpty {
            result += existing.values
            result.sort { $0.key < $1.key }
        }
        return result
    }

    private func roundedValue(_ value: Double) -> Double {
        switch mode {
        case .date(let rounding): Double(rounding.round(Int64(value)))
        case .numeric(let interval, let offset): ((value - offset) / interval).rounded(.down) * interval + offset
        }
    }

    /// Every bucket key in `[low, high]` (both bucket keys), refusing more than the bucket limit.
    private func allKeys(from low: Double, through high: Double) throws(SearchError) -> [Int64] {
        switch mode {
        case .date(let rounding):
            let count = rounding.keyCount(from: Int64(low), through: Int64(high))
            if count > Int64(AggregationEnvironment.maxBuckets) { throw AggregationEnvironment.tooManyBuckets(Int(clamping: count)) }
            return rounding.keys(from: Int64(low), through: Int64(high))
        case .numeric(let interval, let offset):
            let count = (high - low) / interval + 1
            if count > Double(AggregationEnvironment.maxBuckets) { throw AggregationEnvironment.tooManyBuckets(Int(clamping: Int64(min(count, 1e18)))) }
            func round(_ value: Double) -> Double { ((value - offset) / interval).rounded(.down) * interval + offset }
            var keys: [Int64] = []
            var key = round(low)
            while key <= high {
                keys.append(SortableNumber.sortableBits(key))
                key = round(key + interval + interval / 2)
            }
            return keys
        }
    }

    private func precedes(_ a: Bucket, _ b: Bucket) -> Bool {
        for order in order + [.key(ascending: true)] {
            let comparison: Int
            switch order {
            case .count(let ascending): comparison = directed(a.count == b.count ? 0 : a.count < b.count ? -1 : 1, ascending)
            case .key(let ascending): comparison = directed(a.key == b.key ? 0 : a.key < b.key ? -1 : 1, ascending)
            case .subAggregation(let name, let metric, let ascending):
                guard let collector = subs.collector(named: name) else { continue }
                let left = collector.sortValue(owner: a.ordinal ?? SubAggregations.emptyOwner, metric: metric)
                let right = collector.sortValue(owner: b.ordinal ?? SubAggregations.emptyOwner, metric: metric)
                comparison = directed(AggregationOrdering.compare(left, right), ascending)
            }
            if comparison != 0 { return comparison < 0 }
        }
        return false
    }

    private func directed(_ comparison: Int, _ ascending: Bool) -> Int { ascending ? comparison : -comparison }
}
