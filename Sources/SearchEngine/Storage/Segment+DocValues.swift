extension Segment {
    public func numericDocValues(_ field: String) -> (any NumericDocValues)? {
        segmentNumericDocValues(field)
    }

    func segmentNumericDocValues(_ field: String) -> SegmentNumericDocValues? {
        numeric[field].map { SegmentNumericDocValues(storage: storage, info: $0, maxDoc: maxDoc) }
    }

    public func sortedSetDocValues(_ field: String) -> (any SortedSetDocValues)? {
        segmentSortedSetDocValues(field)
    }

    func segmentSortedSetDocValues(_ field: String) -> SegmentSortedSetDocValues? {
        sortedSets[field].map { SegmentSortedSetDocValues(storage: storage, info: $0, maxDoc: maxDoc) }
    }

    var numericFieldNames: [String] { meta.numeric.map(\.name) }
    var sortedSetFieldNames: [String] { meta.sortedSets.map(\.name) }
}

/// A numeric column: one Int64 per doc when dense and single-valued, else per-doc ranges of ascending values.
struct SegmentNumericDocValues: NumericDocValues {
    let storage: SegmentStorage
    let info: NumericFieldMeta
    let maxDoc: Int

    /// The dense layout holds exactly one value per document (a sparse or multi-valued column has offsets).
    var isSingleValued: Bool { !info.multiValued }

    @inline(__always)
    func range(_ doc: Int32) -> Range<Int> {
        guard doc >= 0, Int(doc) < maxDoc else { return 0..<0 }
        guard info.multiValued else { return Int(doc)..<Int(doc) + 1 }
        let bytes = storage.bytes
        let start = Int(bytes.loadLE(UInt32.self, at: info.offsetsAt + Int(doc) * 4))
        return start..<Int(bytes.loadLE(UInt32.self, at: info.offsetsAt + Int(doc) * 4 + 4))
    }

    func values(_ doc: Int32) -> [Int64] {
        range(doc).map { storage.bytes.loadLE(Int64.self, at: info.valuesAt + $0 * 8) }
    }

    @inline(__always)
    func first(_ doc: Int32) -> Int64? {
        let range = range(doc)
        return range.isEmpty ? nil : storage.bytes.loadLE(Int64.self, at: info.valuesAt + range.lowerBound * 8)
    }
}

/// A keyword column: the sorted term table and per-doc ordinals.
struct SegmentSortedSetDocValues: SortedSetDocValues {
    let storage: SegmentStorage
    let info: SortedSetFieldMeta
    let maxDoc: Int

    var valueCount: Int { info.termCount }

    /// Without offsets, a column holds one ordinal per document (-1 for none).
    var isSingleValued: Bool { !info.multiValued }

    @inline(__always)
    func range(_ doc: Int32) -> Range<Int> {
        guard doc >= 0, Int(doc) < maxDoc else { return 0..<0 }
        let bytes = storage.bytes
        guard info.multiValued else {
            return bytes.loadLE(Int32.self, at: info.ordinalsAt + Int(doc) * 4) < 0 ? 0..<0 : Int(doc)..<Int(doc) + 1
        }
        let start = Int(bytes.loadLE(UInt32.self, at: info.offsetsAt + Int(doc) * 4))
        return start..<Int(bytes.loadLE(UInt32.self, at: info.offsetsAt + Int(doc) * 4 + 4))
    }

    func ordinals(_ doc: Int32) -> [Int32] {
        range(doc).map { storage.bytes.loadLE(Int32.self, at: info.ordinalsAt + $0 * 4) }
    }

    @inline(__always)
    func firstOrdinal(_ doc: Int32) -> Int32? {
        let range = range(doc)
        return range.isEmpty ? nil : storage.bytes.loadLE(Int32.self, at: info.ordinalsAt + range.lowerBound * 4)
    }

    func termBytes(forOrdinal ordinal: Int32) -> UnsafeRawBufferPointer {
        guard ordinal >= 0, Int(ordinal) < info.termCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return termTableEntry(storage.bytes, offsetsAt: info.termOffsetsAt, bytesAt: info.termBytesAt, Int(ordinal))
    }

    func term(forOrdinal ordinal: Int32) -> TermBytes { Array(termBytes(forOrdinal: ordinal)) }

    func ordinal(of term: TermBytes) -> Int32? {
        term.withUnsafeBytes { wanted in
            var low = 0
            var high = info.termCount
            while low < high {
                let middle = (low + high) / 2
                if compareBytes(termBytes(forOrdinal: Int32(middle)), wanted) < 0 { low = middle + 1 } else { high = middle }
            }
            guard low < info.termCount, compareBytes(termBytes(forOrdinal: Int32(low)), wanted) == 0 else { return nil }
            return Int32(low)
        }
    }
}

extension SegmentNumericDocValues {
    /// Appends the doc's values without allocating (merges).
    @inline(__always)
    func appendValues(_ doc: Int32, to values: inout [Int64], docs: inout [Int32], as newDoc: Int32) {
        for index in range(doc) {
            values.append(storage.bytes.loadLE(Int64.self, at: info.valuesAt + index * 8))
            docs.append(newDoc)
        }
    }
}

extension SegmentSortedSetDocValues {
    /// Appends the doc's ordinals, mapped through `map`, without allocating (merges).
    @inline(__always)
    func appendOrdinals(_ doc: Int32, map: [Int32], to ordinals: inout [Int32], docs: inout [Int32], as newDoc: Int32) {
        for index in range(doc) {
            ordinals.append(map[Int(storage.bytes.loadLE(Int32.self, at: info.ordinalsAt + index * 4))])
            docs.append(newDoc)
        }
    }
}
