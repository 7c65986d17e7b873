/// One input of a merge: a segment and the deletes to leave out.
struct MergeSource {
    let segment: Segment
    let liveDocs: LiveDocs?
}

/// Writes the live documents of several segments as one new segment: stored documents copied, postings
/// merged term by term (a k-way merge of the sorted term dictionaries, doc ids renumbered), norm bytes
/// copied as they are, doc values and keyword term tables merged. Nothing is re-analysed, so every
/// document keeps its terms, `_seq_no` and `_version`.
struct SegmentMerger {
    let sources: [MergeSource]
    /// Per source: old doc → new doc, -1 for a deleted one.
    let docMaps: [[Int32]]
    let maxDoc: Int

    init(_ sources: [MergeSource]) {
        self.sources = sources
        var next: Int32 = 0
        var maps: [[Int32]] = []
        for source in sources {
            var map = [Int32](repeating: -1, count: source.segment.maxDoc)
            for doc in 0..<source.segment.maxDoc where source.liveDocs?.contains(Int32(doc)) ?? true {
                map[doc] = next
                next += 1
            }
            maps.append(map)
        }
        docMaps = maps
        maxDoc = Int(next)
    }

    /// Encodes the merged segment into `file` (written and fsynced; the caller renames it into place).
    func write(to file: StorageFile) throws(SearchError) {
        var encoder = SegmentEncoder(maxDoc: maxDoc, file: file)
        for (index, source) in sources.enumerated() {
            let segment = source.segment
            for doc in 0..<Int32(segment.maxDoc) where docMaps[index][Int(doc)] >= 0 {
                try segment.withSource(doc) { (bytes) throws(SearchError) in
                    try encoder.addDocument(source: bytes, id: segment.idBytes(doc), seqNo: segment.seqNo(doc), version: segment.version(doc))
                }
            }
        }
        try encoder.endDocuments()
        let fieldNames = Set(sources.flatMap { $0.segment.meta.inverted.map(\.name) }).sorted()
        for name in fieldNames { try mergeField(name, into: &encoder) }
        for name in Set(sources.flatMap { $0.segment.numericFieldNames }).sorted() { try mergeNumeric(name, into: &encoder) }
        for name in Set(sources.flatMap { $0.segment.sortedSetFieldNames }).sorted() { try mergeSortedSet(name, into: &encoder) }
        _ = try encoder.finish()
    }

    private func mergeField(_ name: String, into encoder: inout SegmentEncoder) throws(SearchError) {
        let infos = sources.map { $0.segment.inverted[name] }
        let positions = infos.contains { $0?.positions == true }
        encoder.beginField(name, positions: positions)
        var iterators = sources.enumerated().map { SegmentTermIterator(segment: $0.element.segment, info: infos[$0.offset], index: 0) }
        var heads = iterators.indices.map { iterators[$0].nextInPlace() }
        while true {
            var smallest: UnsafeRawBufferPointer?
            for head in heads { if let head, smallest.map({ compareBytes(head.term, $0) < 0 }) ?? true { smallest = head.term } }
            guard let term = smallest else { break }
            encoder.beginTerm(term)
            var added = 0
            for index in heads.indices {
                guard let head = heads[index], compareBytes(head.term, term) == 0 else { continue }
                added += addPostings(head.postings, map: docMaps[index], positions: positions, into: &encoder)
            }
            // `term` points into a source segment's bytes, which stay mapped: advancing is safe after use.
            for index in heads.indices {
                if let head = heads[index], compareBytes(head.term, term) == 0 { heads[index] = iterators[index].nextInPlace() }
            }
            if added > 0 { try encoder.endTerm() } else { encoder.abandonTerm() }
        }
        var norms: [UInt8]?
        if infos.contains(where: { ($0?.normsAt ?? 0) > 0 }) {
            var bytes = [UInt8](repeating: 0, count: maxDoc)
            for (index, source) in sources.enumerated() {
                guard let fieldNorms = source.segment.norms(name) else { continue }
                for (old, new) in docMaps[index].enumerated() where new >= 0 { bytes[Int(new)] = fieldNorms.normByte(Int32(old)) }
            }
            norms = bytes
        }
        try encoder.endField(norms: norms)
    }

    private func addPostings(_ postings: SegmentPostings, map: [Int32], positions: Bool, into encoder: inout SegmentEncoder) -> Int {
        var iterator = postings.iterator()
        var added = 0
        while let doc = iterator.nextDoc() {
            let new = map[Int(doc)]
            guard new >= 0 else { continue }
            encoder.addDoc(new, freq: iterator.freq)
            if positions {
                for position in iterator.positions() {
                    encoder.addPosition(position.position, startOffset: position.startOffset, endOffset: position.endOffset)
                }
            }
            added += 1
        }
        return added
    }

    private func mergeNumeric(_ name: String, into encoder: inout SegmentEncoder) throws(SearchError) {
        var docs: [Int32] = []
        var values: [Int64] = []
        for (index, source) in sources.enumerated() {
            guard let column = source.segment.segmentNumericDocValues(name) else { continue }
            for (old, new) in docMaps[index].enumerated() where new >= 0 { column.appendValues(Int32(old), to: &values, docs: &docs, as: new) }
        }
        let (offsets, sorted) = IndexingBuffer.column(docs: docs, values: values, maxDoc: maxDoc)
        try encoder.addNumeric(name, offsets: offsets, values: sorted)
    }

    private func mergeSortedSet(_ name: String, into encoder: inout SegmentEncoder) throws(SearchError) {
        let columns = sources.map { $0.segment.segmentSortedSetDocValues(name) }
        // Merge the sorted term tables; each source's ordinals map to the merged ordinal.
        var maps = columns.map { [Int32](repeating: 0, count: $0?.valueCount ?? 0) }
        var positions = [Int](repeating: 0, count: columns.count)
        var termOffsets: [UInt32] = [0]
        var termBytes: [UInt8] = []
        while true {
            var smallest: UnsafeRawBufferPointer?
            for (index, column) in columns.enumerated() {
                guard let column, positions[index] < column.valueCount else { continue }
                let term = column.termBytes(forOrdinal: Int32(positions[index]))
                if smallest.map({ compareBytes(term, $0) < 0 }) ?? true { smallest = term }
            }
            guard let term = smallest else { break }
            let ordinal = Int32(termOffsets.count - 1)
            termBytes.append(contentsOf: term)
            termOffsets.append(UInt32(termBytes.count))
            for (index, column) in columns.enumerated() {
                guard let column, positions[index] < column.valueCount, compareBytes(column.termBytes(forOrdinal: Int32(positions[index])), term) == 0 else { continue }
                maps[index][positions[index]] = ordinal
                positions[index] += 1
            }
        }
        var docs: [Int32] = []
        var ordinals: [Int32] = []
        for (index, column) in columns.enumerated() {
            guard let column else { continue }
            for (old, new) in docMaps[index].enumerated() where new >= 0 {
                column.appendOrdinals(Int32(old), map: maps[index], to: &ordinals, docs: &docs, as: new)
            }
        }
        let (offsets, column) = IndexingBuffer.ordinalColumn(docs: docs, ordinals: ordinals, maxDoc: maxDoc)
        try encoder.addSortedSet(name, termOffsets: termOffsets, termBytes: termBytes, offsets: offsets, ordinals: column)
    }
}
