/// Term dictionary lookups: binary search over the sorted term table.
extension Segment {
    @inline(__always)
    func term(_ info: InvertedFieldMeta, _ index: Int) -> UnsafeRawBufferPointer {
        termTableEntry(storage.bytes, offsetsAt: info.termOffsetsAt, bytesAt: info.termBytesAt, index)
    }

    /// The index of `term` in the field's table, or nil.
    func termIndex(_ info: InvertedFieldMeta, _ term: UnsafeRawBufferPointer) -> Int? {
        let index = lowerBound(info, term)
        guard index < info.termCount, compareBytes(self.term(info, index), term) == 0 else { return nil }
        return index
    }

    /// The first index whose term is ≥ `term`.
    func lowerBound(_ info: InvertedFieldMeta, _ term: UnsafeRawBufferPointer) -> Int {
        var low = 0
        var high = info.termCount
        while low < high {
            let middle = (low + high) / 2
            if compareBytes(self.term(info, middle), term) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func termPostings(_ info: InvertedFieldMeta, _ index: Int) -> SegmentPostings {
        let bytes = storage.bytes
        let at = info.termInfosAt + index * SegmentFormat.termInfoSize
        return SegmentPostings(
            storage: storage, offset: Int(bytes.loadLE(UInt64.self, at: at)), docFreq: Int(bytes.loadLE(UInt32.self, at: at + 8)),
            totalTermFreq: Int64(bytes.loadLE(UInt32.self, at: at + 12)), positions: info.positions, end: dataEnd)
    }

    public func postings(_ field: String, _ term: TermBytes) -> (any Postings)? {
        segmentPostings(field, term)
    }

    /// The concrete postings (no existential), for callers in this module.
    func segmentPostings(_ field: String, _ term: TermBytes) -> SegmentPostings? {
        guard let info = inverted[field] else { return nil }
        let index = term.withUnsafeBytes { termIndex(info, $0) }
        return index.map { termPostings(info, $0) }
    }

    public func terms(_ field: String, from: TermBytes?) -> any TermIterator {
        guard let info = inverted[field] else { return SegmentTermIterator(segment: self, info: nil, index: 0) }
        let start = from.map { term in term.withUnsafeBytes { lowerBound(info, $0) } } ?? 0
        return SegmentTermIterator(segment: self, info: info, index: start)
    }

    /// Number of distinct terms of a field.
    public func termCount(_ field: String) -> Int { inverted[field]?.termCount ?? 0 }
}

@inline(__always)
func termTableEntry(_ bytes: UnsafeRawBufferPointer, offsetsAt: Int, bytesAt: Int, _ index: Int) -> UnsafeRawBufferPointer {
    let start = Int(bytes.loadLE(UInt32.self, at: offsetsAt + index * 4))
    let end = Int(bytes.loadLE(UInt32.self, at: offsetsAt + index * 4 + 4))
    return UnsafeRawBufferPointer(rebasing: bytes[(bytesAt + start)..<(bytesAt + end)])
}

struct SegmentTermIterator: TermIterator {
    let segment: Segment
    let info: InvertedFieldMeta?
    var index: Int

    mutating func next() -> (term: TermBytes, postings: any Postings)? {
        guard let info, index < info.termCount else { return nil }
        defer { index += 1 }
        return (Array(segment.term(info, index)), segment.termPostings(info, index))
    }

    /// The next term's bytes in place and its postings, without copying (merges).
    mutating func nextInPlace() -> (term: UnsafeRawBufferPointer, postings: SegmentPostings)? {
        guard let info, index < info.termCount else { return nil }
        defer { index += 1 }
        return (segment.term(info, index), segment.termPostings(info, index))
    }
}
