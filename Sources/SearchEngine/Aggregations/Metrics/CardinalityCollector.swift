import StreamProcessing

/// `cardinality`: distinct values per enclosing bucket. Keywords are hashed once per segment ordinal (at the
/// top level: ordinals are only marked while collecting and hashed when the segment ends); numbers are
/// hashed per value with `BitMixer.mix64`, as OpenSearch does.
final class CardinalityCollector: AggregationCollector {
    private let field: AggregationField
    private let precision: Int
    private var counters: [CardinalityCounter] = []
    private let missingHash: UInt64?
    private let singleOwner: Bool

    private var keywords: (any SortedSetDocValues)?
    private var numbers: (any NumericDocValues)?
    private var segmentIsDouble = false
    private var singleValued = true
    /// Keywords, top level: the ordinals seen in this segment (a bitset).
    private var seen: [UInt64] = []
    /// Keywords under a multi-bucket parent: hash per ordinal, computed on first sight (`hashed` bitset).
    private var ordinalHashes: [UInt64] = []
    private var hashed: [UInt64] = []

    init(request: AggregationRequest, spec: CardinalitySpec, environment: AggregationEnvironment, singleOwner: Bool) throws(SearchError) {
        field = try AggregationField(spec.source, aggregation: "cardinality", environment: environment) { _ in true }
        precision = CardinalityCounter.precision(threshold: spec.precisionThreshold)
        self.singleOwner = singleOwner
        if let missing = spec.source.missing {
            if field.type == .keyword || field.type == nil {
                missingHash = AggregationHashing.murmur3x64(Array((missing.stringValue ?? missing.jsonText).utf8))
            } else if let number = try field.number(missing, now: environment.context.now) {
                missingHash = field.type == .double
                    ? AggregationHashing.mix64(Int64(bitPattern: number.bitPattern)) : AggregationHashing.mix64(Int64(number))
            } else {
                missingHash = nil
            }
        } else {
            missingHash = nil
        }
    }

    func enter(_ segment: AggregationSegment) {
        keywords = field.keywordValues(in: segment)
        numbers = field.numericValues(in: segment)
        segmentIsDouble = field.isDouble(in: segment)
        singleValued = keywords?.isSingleValued ?? numbers?.isSingleValued ?? true
        if let keywords {
            let words = (keywords.valueCount + 63) / 64
            if singleOwner {
                seen = [UInt64](repeating: 0, count: words)
            } else {
                ordinalHashes = [UInt64](repeating: 0, count: keywords.valueCount)
                hashed = [UInt64](repeating: 0, count: words)
            }
        }
    }

    func leave() {
        if singleOwner, let keywords, !seen.isEmpty {
            var counter = counter(for: 0)
            for (word, bits) in seen.enumerated() where bits != 0 {
                var remaining = bits
                while remaining != 0 {
                    let ordinal = Int32(word * 64 + remaining.trailingZeroBitCount)
                    counter.add(AggregationHashing.murmur3x64(keywords.term(forOrdinal: ordinal)))
                    remaining &= remaining - 1
                }
            }
            counters[0] = counter
        }
        keywords = nil
        numbers = nil
        seen = []
        ordinalHashes = []
        hashed = []
    }

    private func counter(for owner: Int) -> CardinalityCounter {
        while counters.count <= owner { counters.append(CardinalityCounter(precision: precision)) }
        return counters[owner]
    }

    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        var highest: Int32 = 0
        for index in 0..<count where owners[index] > highest { highest = owners[index] }
        _ = counter(for: Int(highest))
        var counters = self.counters
        self.counters = []
        defer { self.counters = counters }
        if let keywords {
            if singleOwner {
                markOrdinals(keywords, docs, count, &counters)
            } else {
                hashOrdinals(keywords, docs, owners, count, &counters)
            }
        } else if let numbers {
            hashNumbers(numbers, docs, owners, count, &counters)
        } else if let missingHash {
            for index in 0..<count { counters[Int(owners[index])].add(missingHash) }
        }
    }

    private func markOrdinals(_ values: any SortedSetDocValues, _ docs: UnsafePointer<Int32>, _ count: Int, _ counters: inout [CardinalityCounter]) {
        for index in 0..<count {
            if singleValued {
                if let ordinal = values.firstOrdinal(docs[index]) {
                    seen[Int(ordinal) >> 6] |= 1 << UInt64(ordinal & 63)
                } else if let missingHash {
                    counters[0].add(missingHash)
                }
            } else {
                let ordinals = values.ordinals(docs[index])
                if ordinals.isEmpty, let missingHash { counters[0].add(missingHash) }
                for ordinal in ordinals { seen[Int(ordinal) >> 6] |= 1 << UInt64(ordinal & 63) }
            }
        }
    }

    private func hashOrdinals(_ values: any SortedSetDocValues, _ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int, _ counters: inout [CardinalityCounter]) {
        for index in 0..<count {
            let owner = Int(owners[index])
            let ordinals = singleValued ? values.firstOrdinal(docs[index]).map { [$0] } ?? [] : values.ordinals(docs[index])
            if ordinals.isEmpty, let missingHash { counters[owner].add(missingHash) }
            for ordinal in ordinals {
                let position = Int(ordinal)
                if hashed[position >> 6] & (1 << UInt64(position & 63)) == 0 {
                    ordinalHashes[position] = AggregationHashing.murmur3x64(values.term(forOrdinal: ordinal))
                    hashed[position >> 6] |= 1 << UInt64(position & 63)
                }
                counters[owner].add(ordinalHashes[position])
            }
        }
    }

    private func hashNumbers(_ values: any NumericDocValues, _ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int, _ counters: inout [CardinalityCounter]) {
        let isDouble = segmentIsDouble
        @inline(__always) func hash(_ raw: Int64) -> UInt64 {
            // Doubles hash their IEEE bits (Java's doubleToLongBits), not the sortable form.
            AggregationHashing.mix64(isDouble ? Int64(bitPattern: SortableNumber.double(fromSortableBits: raw).bitPattern) : raw)
        }
        for index in 0..<count {
            let owner = Int(owners[index])
            if singleValued {
                if let raw = values.first(docs[index]) {
                    counters[owner].add(hash(raw))
                } else if let missingHash {
                    counters[owner].add(missingHash)
                }
            } else {
                let all = values.values(docs[index])
                if all.isEmpty, let missingHash { counters[owner].add(missingHash) }
                for raw in all { counters[owner].add(hash(raw)) }
            }
        }
    }

    func result(owner: Int32) throws(SearchError) -> [(name: String, value: JSONValue)] {
        [("value", .integer(cardinality(owner)))]
    }

    private func cardinality(_ owner: Int32) -> Int64 {
        Int(owner) < counters.count ? counters[Int(owner)].cardinality : 0
    }

    func sortValue(owner: Int32, metric: String?) -> Double { Double(cardinality(owner)) }

    func canSort(by metric: String?) -> Bool { metric == nil || metric == "value" }
}
