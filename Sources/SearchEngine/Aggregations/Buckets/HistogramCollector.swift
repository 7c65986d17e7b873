import StreamProcessing

/// `date_histogram` and `histogram`: each value is rounded to its bucket key (epoch ms for dates, the
/// sortable bits of a double key for numbers) and (enclosing bucket, key) pairs get dense ordinals. Values of
/// a batch are read first (one doc-value call per document), the rounding prepared once for the batch's
/// range, then keyed in a tight loop.
final class HistogramCollector: AggregationCollector {
    enum Mode {
        case date(DateRounding)
        case numeric(interval: Double, offset: Double)
    }

    let request: AggregationRequest
    let mode: Mode
    let field: AggregationField
    let subs: SubAggregations
    let environment: AggregationEnvironment
    let zone: ZoneRules
    let minDocCount: Int
    let keyed: Bool
    let order: [BucketOrder]
    /// Extended and hard bounds as bucket keys' units (ms, or the double value).
    let extendedBounds: (min: Double?, max: Double?)?
    let hardBounds: (min: Double?, max: Double?)?
    /// `missing` as a number of the field.
    private let missing: Double?
    private(set) var ordinals = BucketOrdinals()
    private(set) var counts: [Int64] = []
    /// Bucket ordinals per enclosing bucket, built when results are first read.
    var ownerIndex: [Int32: [Int32]]?
    private var values: (any NumericDocValues)?
    private var segmentIsDouble = false
    private var singleValued = true
    private let buffer: UnsafeMutablePointer<Int64>
    private let present: UnsafeMutablePointer<Bool>

    convenience init(request: AggregationRequest, spec: DateHistogramSpec, environment: AggregationEnvironment) throws(SearchError) {
        let zone = try spec.timeZone.map { (id) throws(SearchError) in try ZoneRules.parse(.string(id), type: "date_histogram") } ?? .utc
        let rounding = DateRounding(interval: spec.interval, zone: zone, offset: spec.offset)
        try self.init(
            request: request, mode: .date(rounding), source: spec.source, zone: zone, minDocCount: spec.minDocCount, keyed: spec.keyed,
            order: spec.order, environment: environment, type: "date_histogram",
            bounds: (spec.extendedBounds.map { ($0.min, $0.max) }, spec.hardBounds.map { ($0.min, $0.max) }))
    }

    convenience init(request: AggregationRequest, spec: HistogramSpec, environment: AggregationEnvironment) throws(SearchError) {
        try self.init(
            request: request, mode: .numeric(interval: spec.interval, offset: spec.offset), source: spec.source, zone: .utc,
            minDocCount: spec.minDocCount, keyed: spec.keyed, order: spec.order, environment: environment, type: "histogram",
            bounds: (spec.extendedBounds.map { ($0.min.map(JSONValue.double), $0.max.map(JSONValue.double)) },
                     spec.hardBounds.map { ($0.min.map(JSONValue.double), $0.max.map(JSONValue.double)) }))
    }

    private init(
        request: AggregationRequest, mode: Mode, source: ValueSourceSpec, zone: ZoneRules, minDocCount: Int, keyed: Bool, order: [BucketOrder],
        environment: AggregationEnvironment, type: String, bounds: (extended: (JSONValue?, JSONValue?)?, hard: (JSONValue?, JSONValue?)?)
    ) throws(SearchError) {
        self.request = request
        self.mode = mode
        self.zone = zone
        self.minDocCount = minDocCount
        self.keyed = keyed
        self.order = order
        self.environment = environment
        let field = try AggregationField(source, aggregation: type, environment: environment) { $0 != .keyword }
        self.field = field
        let now = environment.context.now
        func number(_ value: JSONValue?) throws(SearchError) -> Double? {
            guard let value else { return nil }
            if case .date = mode { return try field.number(value, now: now, zone: zone, asDate: true) }
            return try field.number(value, now: now, zone: zone)
        }
        missing = try number(source.missing)
        extendedBounds = try bounds.extended.map { (pair) throws(SearchError) in (try number(pair.0), try number(pair.1)) }
        hardBounds = try bounds.hard.map { (pair) throws(SearchError) in (try number(pair.0), try number(pair.1)) }
        if let extendedBounds, let low = extendedBounds.min, let high = extendedBounds.max, low > high {
            throw .illegalArgument(
                "[extended_bounds.min][\(Self.boundText(low, mode))] cannot be greater than [extended_bounds.max][\(Self.boundText(high, mode))] for histogram aggregation [\(request.name)]")
        }
        subs = try SubAggregations(request.subAggregations, environment: environment, singleOwner: false)
        try subs.validate(order)
        buffer = .allocate(capacity: SubAggregations.batchSize)
        present = .allocate(capacity: SubAggregations.batchSize)
    }

    deinit {
        buffer.deallocate()
        present.deallocate()
    }

    private static func boundText(_ value: Double, _ mode: Mode) -> String {
        if case .date = mode { return String(Int64(value)) }
        return AggregationFormatting.javaDouble(value)
    }

    func enter(_ segment: AggregationSegment) {
        values = field.numericValues(in: segment)
        segmentIsDouble = field.isDouble(in: segment)
        singleValued = values?.isSingleValued ?? true
        subs.enter(segment)
    }

    func leave() {
        subs.leave()
        values = nil
    }

    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        var start = 0
        while start < count {
            let length = min(count - start, SubAggregations.batchSize)
            if singleValued || values == nil {
                collectSingle(docs + start, owners + start, length)
            } else {
                collectMultiple(docs + start, owners + start, length)
            }
            start += length
        }
    }

    private var isDateMode: Bool {
        if case .date = mode { return true }
        return false
    }

    /// A raw doc value in the buffer's units: epoch ms for dates, a double's bit pattern for numbers.
    @inline(__always)
    private func normalized(_ raw: Int64, isDouble: Bool, dates: Bool) -> Int64 {
        if dates { return isDouble ? Int64(SortableNumber.double(fromSortableBits: raw)) : raw }
        return Int64(bitPattern: (isDouble ? SortableNumber.double(fromSortableBits: raw) : Double(raw)).bitPattern)
    }

    @inline(__always)
    private func number(_ stored: Int64, dates: Bool) -> Double {
        dates ? Double(stored) : Double(bitPattern: UInt64(bitPattern: stored))
    }

    @inline(__always)
    private func loadValues<Values: NumericDocValues>(
        _ values: Values, _ docs: UnsafePointer<Int32>, _ count: Int, dates: Bool, isDouble: Bool, missing: Int64?
    ) {
        for index in 0..<count {
            if let raw = values.first(docs[index]) {
                buffer[index] = normalized(raw, isDouble: isDouble, dates: dates)
                present[index] = true
            } else if let missing {
                buffer[index] = missing
                present[index] = true
            } else {
                present[index] = false
            }
        }
    }

    /// Reads the batch's values into `buffer` (see `normalized`), returning their range.
    private func load(_ docs: UnsafePointer<Int32>, _ count: Int) -> (low: Double, high: Double)? {
        let dates = isDateMode, isDouble = segmentIsDouble
        let missingStored: Int64? = missing.map { dates ? Int64($0) : Int64(bitPattern: $0.bitPattern) }
        if let values {
            // The segment's own column type, known here, lets the loop call `first` directly.
            if let column = values as? SegmentNumericDocValues {
                loadValues(column, docs, count, dates: dates, isDouble: isDouble, missing: missingStored)
            } else {
                loadValues(values, docs, count, dates: dates, isDouble: isDouble, missing: missingStored)
            }
        } else if let missingStored {
            for index in 0..<count {
                buffer[index] = missingStored
                present[index] = true
            }
        } else {
            return nil
        }
        var low = Double.infinity, high = -Double.infinity
        for index in 0..<count where present[index] {
            let value = number(buffer[index], dates: dates)
            low = min(low, value)
            high = max(high, value)
        }
        return low <= high ? (low, high) : nil
    }

    private func collectSingle(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        guard let range = load(docs, count) else { return }
        var ordinals = self.ordinals
        var counts = self.counts
        self.ordinals = .placeholder
        self.counts = []
        defer {
            self.ordinals = ordinals
            self.counts = counts
        }
        let subs = subs.isEmpty ? nil : subs
        switch mode {
        case .date(let rounding):
            rounding.prepare(minimum: Int64(range.low), maximum: Int64(range.high))
            var table = rounding.table
            let bounded = hardBounds != nil
            for index in 0..<count where present[index] {
                let key = table.key(buffer[index])
                if bounded, !inHardBounds(Double(key)) { continue }
                add(docs[index], owners[index], key, &ordinals, &counts, subs)
            }
        case .numeric(let interval, let offset):
            for index in 0..<count where present[index] {
                let value = Double(bitPattern: UInt64(bitPattern: buffer[index]))
                let key = ((value - offset) / interval).rounded(.down) * interval + offset
                guard inHardBounds(key) else { continue }
                add(docs[index], owners[index], SortableNumber.sortableBits(key), &ordinals, &counts, subs)
            }
        }
    }

    @inline(__always)
    private func add(_ doc: Int32, _ owner: Int32, _ key: Int64, _ ordinals: inout BucketOrdinals, _ counts: inout [Int64], _ subs: SubAggregations?) {
        let ordinal = ordinals.ordinal(owner: owner, key: key)
        if Int(ordinal) == counts.count { counts.append(0) }
        counts[Int(ordinal)] += 1
        subs?.emit(doc, ordinal)
    }

    @inline(__always)
    private func inHardBounds(_ key: Double) -> Bool {
        guard let hardBounds else { return true }
        if let low = hardBounds.min, key < low { return false }
        if let high = hardBounds.max, key > high { return false }
        return true
    }

    /// Multi-valued documents: every distinct bucket of a document counts it once.
    private func collectMultiple(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        guard let values else { return }
        let subs = subs.isEmpty ? nil : subs
        let dates = isDateMode, isDouble = segmentIsDouble
        for index in 0..<count {
            var all = values.values(docs[index]).map { normalized($0, isDouble: isDouble, dates: dates) }
            if all.isEmpty, let missing { all = [dates ? Int64(missing) : Int64(bitPattern: missing.bitPattern)] }
            var previous: Int64?
            for stored in all {
                let key: Int64
                switch mode {
                case .date(let rounding): key = rounding.round(stored)
                case .numeric(let interval, let offset):
                    let value = number(stored, dates: false)
                    key = SortableNumber.sortableBits(((value - offset) / interval).rounded(.down) * interval + offset)
                }
                guard key != previous, inHardBounds(keyValue(key)) else { continue }
                previous = key
                add(docs[index], owners[index], key, &ordinals, &counts, subs)
            }
        }
    }

    /// A stored key as a number (ms, or the double key).
    func keyValue(_ key: Int64) -> Double {
        if case .date = mode { return Double(key) }
        return SortableNumber.double(fromSortableBits: key)
    }
}
