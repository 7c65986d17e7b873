import StreamProcessing

/// `terms`: one bucket per distinct value. Keywords are counted by segment ordinal: each segment's ordinals
/// are mapped (lazily, once per ordinal) to term ids shared by all segments, so per document the work is an
/// array lookup; numbers are keyed by their doc-value bits. Buckets of one enclosing bucket (top level)
/// are the term ids themselves; under a multi-bucket parent (owner, key) pairs get ordinals from a hash.
final class TermsCollector: AggregationCollector {
    enum Keys {
        /// UTF-8 terms, key = term id.
        case keyword
        /// key = Int64 value (long, date, boolean).
        case long
        /// key = `SortableNumber.sortableBits` of the double.
        case double
    }

    let request: AggregationRequest
    let spec: TermsSpec
    let field: AggregationField
    let keys: Keys
    let subs: SubAggregations
    let environment: AggregationEnvironment
    /// Term ids are bucket ordinals (no enclosing multi-bucket aggregation).
    private let dense: Bool
    /// Bucket ordinals and documents per bucket ordinal.
    private(set) var state = State()
    /// Term bytes per term id, and the reverse.
    private(set) var terms: [TermBytes] = []
    private var termIDs: [TermBytes: Int32] = [:]
    private let filter: TermsValueFilter
    /// The key documents without a value count under (`missing`), or nil.
    private var missingKey: Int64?
    private var missingTerm: TermBytes?

    // The current segment.
    private var keywordValues: (any SortedSetDocValues)?
    private var numericValues: (any NumericDocValues)?
    private var segmentIsDouble = false
    private var singleValued = true
    /// Segment ordinal → term id; -1 not yet looked up, -2 excluded.
    private var segmentTerms: UnsafeMutablePointer<Int32>?

    init(request: AggregationRequest, spec: TermsSpec, environment: AggregationEnvironment, singleOwner: Bool) throws(SearchError) {
        self.request = request
        self.spec = spec
        self.environment = environment
        field = try AggregationField(spec.source, aggregation: "terms", environment: environment) { _ in true }
        switch field.type {
        case .keyword?, nil: keys = .keyword
        case .double?: keys = .double
        default: keys = field.types.contains(.double) ? .double : .long
        }
        dense = singleOwner && keys == .keyword
        filter = try TermsValueFilter(include: spec.include, exclude: spec.exclude, keys: keys, field: field, name: request.name, now: environment.context.now)
        subs = try SubAggregations(request.subAggregations, environment: environment, singleOwner: false)
        try subs.validate(spec.order)
        state.isMatrix = !dense && keys == .keyword && subs.isEmpty
        if let missing = spec.source.missing {
            if keys == .keyword {
                missingTerm = Array((missing.stringValue ?? missing.jsonText).utf8)
            } else if let number = try field.number(missing, now: environment.context.now) {
                missingKey = keys == .double ? SortableNumber.sortableBits(number) : Int64(number)
            }
        }
    }

    deinit { segmentTerms?.deallocate() }

    struct State {
        var ordinals: BucketOrdinals
        var counts: [Int64] = []
        /// Keywords under a multi-bucket parent, no sub-aggregations: `counts[owner << shift | term id]`, a matrix
        /// whose row length (a power of two) doubles as term ids grow — no hashing per document. Falls back to
        /// (owner, term) ordinals when it would grow past `matrixLimit` entries.
        var isMatrix = false
        var shift = 4

        init(ordinals: BucketOrdinals = BucketOrdinals()) { self.ordinals = ordinals }
    }

    static let matrixLimit = 1 << 23

    func enter(_ segment: AggregationSegment) {
        keywordValues = nil
        numericValues = nil
        segmentTerms?.deallocate()
        segmentTerms = nil
        switch keys {
        case .keyword:
            if let values = field.keywordValues(in: segment) {
                keywordValues = values
                singleValued = values.isSingleValued
                let map = UnsafeMutablePointer<Int32>.allocate(capacity: max(values.valueCount, 1))
                map.initialize(repeating: -1, count: max(values.valueCount, 1))
                segmentTerms = map
            }
        case .long, .double:
            numericValues = field.numericValues(in: segment)
            segmentIsDouble = field.isDouble(in: segment)
            singleValued = numericValues?.isSingleValued ?? true
        }
        if missingTerm != nil, missingKey == nil, let term = missingTerm {
            missingKey = Int64(termID(term, &state) ?? -1)
        }
        subs.enter(segment)
    }

    func leave() {
        subs.leave()
    }

    /// The term id of term bytes (assigned when new), or nil when include/exclude rejects the term.
    private func termID(_ term: TermBytes, _ state: inout State) -> Int32? {
        if let id = termIDs[term] { return id }
        guard filter.accepts(term: term) else { return nil }
        let id = Int32(terms.count)
        terms.append(term)
        termIDs[term] = id
        if dense { state.counts.append(0) }
        if state.isMatrix, Int(id) >= 1 << state.shift { widenMatrix(&state) }
        return id
    }

    /// Doubles the matrix rows (more term ids), or gives it up for ordinals when too large.
    private func widenMatrix(_ state: inout State) {
        let rows = state.counts.count >> state.shift
        guard rows << (state.shift + 1) <= Self.matrixLimit else { return leaveMatrix(&state) }
        var widened = [Int64](repeating: 0, count: rows << (state.shift + 1))
        for row in 0..<rows {
            for column in 0..<(1 << state.shift) { widened[row << (state.shift + 1) | column] = state.counts[row << state.shift | column] }
        }
        state.counts = widened
        state.shift += 1
    }

    /// Adds matrix rows up to `owner`, or gives the matrix up for ordinals when too large.
    private func growMatrix(_ state: inout State, to owner: Int32) {
        let needed = (Int(owner) + 1) << state.shift
        guard needed <= Self.matrixLimit else { return leaveMatrix(&state) }
        state.counts += repeatElement(0, count: Swift.min(Swift.max(needed, state.counts.count * 2), Self.matrixLimit) - state.counts.count)
    }

    private func leaveMatrix(_ state: inout State) {
        let matrix = state.counts
        state.counts = []
        state.isMatrix = false
        for (index, count) in matrix.enumerated() where count > 0 {
            let ordinal = state.ordinals.ordinal(owner: Int32(index >> state.shift), key: Int64(index & ((1 << state.shift) - 1)))
            if Int(ordinal) == state.counts.count { state.counts.append(0) }
            state.counts[Int(ordinal)] = count
        }
    }

    @inline(__always)
    private func count(_ doc: Int32, owner: Int32, key: Int64, _ state: inout State, _ subs: SubAggregations?) {
        if state.isMatrix {
            let index = Int(owner) << state.shift | Int(key)
            if index >= state.counts.count { growMatrix(&state, to: owner) }
            if state.isMatrix {
                state.counts[index] += 1
                return
            }
        }
        let ordinal: Int32
        if dense {
            ordinal = Int32(truncatingIfNeeded: key)
        } else {
            ordinal = state.ordinals.ordinal(owner: owner, key: key)
            if Int(ordinal) == state.counts.count { state.counts.append(0) }
        }
        state.counts[Int(ordinal)] += 1
        subs?.emit(doc, ordinal)
    }

    func collect(_ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int) {
        // Moved out of `self` for the loop: updates then need no uniqueness or exclusivity checks.
        var state = self.state
        self.state = State(ordinals: .placeholder)
        defer { self.state = state }
        let subs = subs.isEmpty ? nil : subs
        if let values = keywordValues, let map = segmentTerms {
            // The segment's own column type, known here, lets the loop call it directly.
            if let column = values as? SegmentSortedSetDocValues {
                collectKeywords(column, map, docs, owners, count, &state, subs)
            } else {
                collectKeywords(values, map, docs, owners, count, &state, subs)
            }
        } else if let values = numericValues {
            collectNumbers(values, docs, owners, count, &state, subs)
        } else if let missingKey, missingKey >= 0 || keys != .keyword {
            for index in 0..<count { self.count(docs[index], owner: owners[index], key: missingKey, &state, subs) }
        }
    }

    private func collectKeywords<Values: SortedSetDocValues>(
        _ values: Values, _ map: UnsafeMutablePointer<Int32>, _ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int,
        _ state: inout State, _ subs: SubAggregations?
    ) {
        let missing = missingKey.flatMap { $0 >= 0 ? $0 : nil }
        for index in 0..<count {
            let doc = docs[index]
            if singleValued {
                guard let ordinal = values.firstOrdinal(doc) else {
                    if let missing { self.count(doc, owner: owners[index], key: missing, &state, subs) }
                    continue
                }
                var id = map[Int(ordinal)]
                if id == -1 { id = resolve(ordinal, values, map, &state) }
                if id >= 0 { self.count(doc, owner: owners[index], key: Int64(id), &state, subs) }
            } else {
                let ordinals = values.ordinals(doc)
                if ordinals.isEmpty, let missing { self.count(doc, owner: owners[index], key: missing, &state, subs) }
                for ordinal in ordinals {
                    var id = map[Int(ordinal)]
                    if id == -1 { id = resolve(ordinal, values, map, &state) }
                    if id >= 0 { self.count(doc, owner: owners[index], key: Int64(id), &state, subs) }
                }
            }
        }
    }

    private func resolve<Values: SortedSetDocValues>(_ ordinal: Int32, _ values: Values, _ map: UnsafeMutablePointer<Int32>, _ state: inout State) -> Int32 {
        let id = termID(values.term(forOrdinal: ordinal), &state) ?? -2
        map[Int(ordinal)] = id
        return id
    }

    private func collectNumbers(
        _ values: any NumericDocValues, _ docs: UnsafePointer<Int32>, _ owners: UnsafePointer<Int32>, _ count: Int, _ state: inout State, _ subs: SubAggregations?
    ) {
        let convert = keys == .double && !segmentIsDouble
        let filtering = filter.filtersNumbers
        for index in 0..<count {
            let doc = docs[index]
            if singleValued {
                guard let raw = values.first(doc) else {
                    if let missingKey { self.count(doc, owner: owners[index], key: missingKey, &state, subs) }
                    continue
                }
                let key = convert ? SortableNumber.sortableBits(Double(raw)) : raw
                if !filtering || filter.accepts(number: key) { self.count(doc, owner: owners[index], key: key, &state, subs) }
            } else {
                let all = values.values(doc)
                if all.isEmpty, let missingKey { self.count(doc, owner: owners[index], key: missingKey, &state, subs) }
                var previous: Int64?
                for raw in all where raw != previous {
                    previous = raw
                    let key = convert ? SortableNumber.sortableBits(Double(raw)) : raw
                    if !filtering || filter.accepts(number: key) { self.count(doc, owner: owners[index], key: key, &state, subs) }
                }
            }
        }
    }

    /// The buckets of one enclosing bucket with documents: (ordinal, key, count); no ordinal in the matrix layout.
    func buckets(of owner: Int32) -> [(ordinal: Int32?, key: Int64, count: Int64)] {
        let counts = state.counts
        if dense { return counts.indices.filter { counts[$0] > 0 }.map { (Int32($0), Int64($0), counts[$0]) } }
        if state.isMatrix {
            let row = Int(owner) << state.shift
            guard owner != SubAggregations.emptyOwner, row < counts.count else { return [] }
            return (0..<Swift.min(1 << state.shift, terms.count)).filter { counts[row | $0] > 0 }.map { (nil, Int64($0), counts[row | $0]) }
        }
        if ownerIndex == nil { ownerIndex = state.ordinals.ordinalsByOwner() }
        return (ownerIndex?[owner] ?? []).map { ($0, state.ordinals.keys[Int($0)], counts[Int($0)]) }
    }

    private var ownerIndex: [Int32: [Int32]]?

    /// Adds every term of the field (from all segments of every index) with no documents, for `min_doc_count: 0`.
    func addAllTerms() {
        guard keys == .keyword else { return }
        for (snapshotIndex, snapshot) in environment.snapshots.enumerated() where field.types[snapshotIndex] == .keyword {
            for view in snapshot.segments {
                guard let values = view.segment.sortedSetDocValues(field.name) else { continue }
                for ordinal in 0..<Int32(values.valueCount) {
                    let term = values.term(forOrdinal: ordinal)
                    if termIDs[term] == nil { _ = termID(term, &state) }
                }
            }
        }
    }

    func term(_ id: Int64) -> TermBytes { terms[Int(id)] }

}
