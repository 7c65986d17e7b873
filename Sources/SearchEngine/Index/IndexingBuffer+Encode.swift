/// Turning the buffer into a segment: documents in doc order, then per field the terms in byte order with
/// their tokens grouped by a counting sort on term id (tokens of a term stay in doc order).
extension IndexingBuffer {
    /// The buffer as an in-memory segment, with the deletes made while buffered as its live docs.
    func makeSegment(name: String) throws(SearchError) -> (segment: Segment, liveDocs: LiveDocs?) {
        var encoder = SegmentEncoder(maxDoc: Int(docCount), file: nil)
        try encode(into: &encoder)
        guard let bytes = try encoder.finish() else { throw SearchError("illegal_state_exception", "in-memory segment produced no bytes", status: 500) }
        return (try Segment(name: name, encoded: bytes), liveDocs)
    }

    var liveDocs: LiveDocs? {
        guard deletedCount > 0 else { return nil }
        var live = LiveDocs(maxDoc: Int(docCount))
        for doc in 0..<docCount where isDeleted(doc) { live.delete(doc) }
        return live
    }

    func encode(into encoder: inout SegmentEncoder) throws(SearchError) {
        try sourceBytes.withRawBytes { (sources) throws(SearchError) in
            try idBytes.withRawBytes { (ids) throws(SearchError) in
                for doc in 0..<Int(docCount) {
                    try encoder.addDocument(
                        source: UnsafeRawBufferPointer(rebasing: sources[sourceStarts[doc]..<sourceStarts[doc + 1]]),
                        id: UnsafeRawBufferPointer(rebasing: ids[idStarts[doc]..<idStarts[doc + 1]]), seqNo: seqNos[doc], version: versions[doc])
                }
            }
        }
        try encoder.endDocuments()
        for field in fields.sorted(by: { $0.name < $1.name }) { try encode(field, into: &encoder) }
        for field in numerics.sorted(by: { $0.name < $1.name }) {
            let (offsets, values) = Self.column(docs: field.docs, values: field.values, maxDoc: Int(docCount))
            try encoder.addNumeric(field.name, offsets: offsets, values: values)
        }
        for field in keywords.sorted(by: { $0.name < $1.name }) { try encode(field, into: &encoder) }
    }

    private func encode(_ field: InvertedFieldBuffer, into encoder: inout SegmentEncoder) throws(SearchError) {
        let termCount = field.terms.count
        var starts = [Int32](repeating: 0, count: termCount + 1)
        for term in field.termIDs { starts[Int(term) + 1] += 1 }
        for index in 0..<termCount { starts[index + 1] += starts[index] }
        var cursor = starts
        var order = [Int32](repeating: 0, count: field.termIDs.count)
        for (token, term) in field.termIDs.enumerated() {
            order[Int(cursor[Int(term)])] = Int32(token)
            cursor[Int(term)] += 1
        }
        encoder.beginField(field.name, positions: field.positions)
        try field.terms.arena.withRawBytes { (arena) throws(SearchError) in
            for term in field.terms.sortedIDs() {
                let start = Int(field.terms.starts[Int(term)]), end = Int(field.terms.starts[Int(term) + 1])
                encoder.beginTerm(UnsafeRawBufferPointer(rebasing: arena[start..<end]))
                var index = Int(starts[Int(term)])
                let last = Int(starts[Int(term) + 1])
                while index < last {
                    let doc = field.docs[Int(order[index])]
                    var next = index + 1
                    while next < last, field.docs[Int(order[next])] == doc { next += 1 }
                    encoder.addDoc(doc, freq: Int32(next - index))
                    if field.positions {
                        for token in order[index..<next].map({ Int($0) }) {
                            encoder.addPosition(field.tokenPositions[token], startOffset: field.startOffsets[token], endOffset: field.endOffsets[token])
                        }
                    }
                    index = next
                }
                try encoder.endTerm()
            }
        }
        var norms: [UInt8]?
        if field.hasNorms {
            var bytes = [UInt8](repeating: 0, count: Int(docCount))
            for (doc, length) in field.lengths.enumerated() where length > 0 { bytes[doc] = SmallFloat.intToByte4(length) }
            norms = bytes
        }
        try encoder.endField(norms: norms)
    }

    private func encode(_ field: KeywordFieldBuffer, into encoder: inout SegmentEncoder) throws(SearchError) {
        let sorted = field.terms.sortedIDs()
        var ordinalOfTerm = [Int32](repeating: 0, count: sorted.count)
        var termOffsets: [UInt32] = [0]
        var termBytes: [UInt8] = []
        for (ordinal, term) in sorted.enumerated() {
            ordinalOfTerm[Int(term)] = Int32(ordinal)
            termBytes += field.terms.arena[Int(field.terms.starts[Int(term)])..<Int(field.terms.starts[Int(term) + 1])]
            termOffsets.append(UInt32(termBytes.count))
        }
        let (offsets, ordinals) = Self.ordinalColumn(docs: field.docs, ordinals: field.termIDs.map { ordinalOfTerm[Int($0)] }, maxDoc: Int(docCount))
        try encoder.addSortedSet(field.name, termOffsets: termOffsets, termBytes: termBytes, offsets: offsets, ordinals: ordinals)
    }

    /// A numeric column from doc-ascending (doc, value) pairs: dense single-valued (offsets nil) when every doc
    /// has exactly one value, else per-doc offsets with each doc's values sorted.
    static func column(docs: [Int32], values: [Int64], maxDoc: Int) -> (offsets: [UInt32]?, values: [Int64]) {
        if docs.count == maxDoc, docs.enumerated().allSatisfy({ $0.offset == Int($0.element) }) { return (nil, values) }
        var offsets = [UInt32](repeating: 0, count: maxDoc + 1)
        for doc in docs { offsets[Int(doc) + 1] += 1 }
        for doc in 0..<maxDoc { offsets[doc + 1] += offsets[doc] }
        var sorted = values
        for doc in 0..<maxDoc where offsets[doc + 1] - offsets[doc] > 1 {
            sorted[Int(offsets[doc])..<Int(offsets[doc + 1])].sort()
        }
        return (offsets, sorted)
    }

    /// An ordinal column: single-valued (one ordinal or -1 per doc, offsets nil) when no doc has two distinct
    /// values, else per-doc offsets over each doc's sorted distinct ordinals.
    static func ordinalColumn(docs: [Int32], ordinals: [Int32], maxDoc: Int) -> (offsets: [UInt32]?, ordinals: [Int32]) {
        var perDoc: [[Int32]] = []
        var single = [Int32](repeating: -1, count: maxDoc)
        var multi = false
        for (doc, ordinal) in zip(docs, ordinals) {
            let current = single[Int(doc)]
            if current < 0 { single[Int(doc)] = ordinal } else if current != ordinal { multi = true }
        }
        guard multi else { return (nil, single) }
        perDoc = [[Int32]](repeating: [], count: maxDoc)
        for (doc, ordinal) in zip(docs, ordinals) { perDoc[Int(doc)].append(ordinal) }
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(maxDoc + 1)
        var flat: [Int32] = []
        for values in perDoc {
            flat += Set(values).sorted()
            offsets.append(UInt32(flat.count))
        }
        return (offsets, flat)
    }
}
