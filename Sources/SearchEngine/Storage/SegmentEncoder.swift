/// Writes one segment in `SegmentFormat`, driven in this order: the documents (`addDocument` per doc, in
/// doc-id order, then `endDocuments`); each inverted field (`beginField`, terms in byte order with
/// `beginTerm` / `addDoc` (+ `addPosition` × freq) / `endTerm`, `endField`); numeric and sorted-set doc
/// values; `finish`. The indexing buffer and merges both drive it, so every segment is written by this code.
struct SegmentEncoder {
    private var out: SegmentOutput
    private var meta: SegmentMeta
    private let maxDoc: Int

    // Documents.
    private var sourceOffsets: [UInt64] = [0]
    private var idOffsets: [UInt32] = [0]
    private var idBytes: [UInt8] = []
    private var seqNos: [Int64] = []
    private var versions: [Int64] = []
    private var sourceBytesAt = 0

    // The current inverted field.
    private var field: InvertedFieldMeta?
    private var termOffsets: [UInt32] = []
    private var termBytes: [UInt8] = []
    private var termInfos: [UInt8] = []
    private var docsWithField: [UInt64] = []
    private var positionsField = false
    private var fieldTermCount = 0
    private var fieldSumDocFreq: Int64 = 0
    private var fieldSumTotalTermFreq: Int64 = 0

    // The current term.
    private var docStream: [UInt8] = []
    private var positionStream: [UInt8] = []
    private var skips: [UInt8] = []
    private var termDocFreq = 0
    private var termTotalFreq = 0
    private var lastDoc: Int32 = -1
    private var pendingDoc: Int32 = -1
    private var pendingFreq: Int32 = 0
    private var pendingPositionsStart = 0
    private var lastPosition: Int32 = 0
    private var lastStartOffset: Int32 = 0

    /// `file`: write to this (new, empty) file as encoding goes; nil to build the bytes in memory.
    init(maxDoc: Int, file: StorageFile?) {
        self.maxDoc = maxDoc
        out = SegmentOutput(file: file)
        meta = SegmentMeta(maxDoc: maxDoc)
        out.buffer += SegmentFormat.headerMagic
        out.buffer.appendLE(SegmentFormat.version)
        out.buffer.appendLE(UInt64(0))
        sourceBytesAt = out.position
        seqNos.reserveCapacity(maxDoc)
        versions.reserveCapacity(maxDoc)
        sourceOffsets.reserveCapacity(maxDoc + 1)
        idOffsets.reserveCapacity(maxDoc + 1)
    }

    // MARK: Documents

    mutating func addDocument(source: UnsafeRawBufferPointer, id: UnsafeRawBufferPointer, seqNo: Int64, version: Int64) throws(SearchError) {
        out.buffer.append(contentsOf: source)
        sourceOffsets.append(sourceOffsets[sourceOffsets.count - 1] + UInt64(source.count))
        idBytes.append(contentsOf: id)
        idOffsets.append(UInt32(idBytes.count))
        seqNos.append(seqNo)
        versions.append(version)
        try out.spillIfLarge()
    }

    mutating func endDocuments() throws(SearchError) {
        var stored = StoredMeta()
        stored.sourceBytesAt = sourceBytesAt
        stored.sourceBytesLength = Int(sourceOffsets[sourceOffsets.count - 1])
        stored.sourceOffsetsAt = appendTable(sourceOffsets)
        stored.idBytesAt = out.position
        stored.idBytesLength = idBytes.count
        out.buffer += idBytes
        stored.idOffsetsAt = appendTable(idOffsets)
        stored.seqNosAt = appendTable(seqNos)
        stored.versionsAt = appendTable(versions)
        let bloom = Self.bloomFilter(idOffsets: idOffsets, idBytes: idBytes)
        stored.bloomBits = bloom.count * 64
        stored.bloomAt = appendTable(bloom)
        meta.stored = stored
        idBytes = []
        seqNos = []
        versions = []
        try out.spillIfLarge()
    }

    private static func bloomFilter(idOffsets: [UInt32], idBytes: [UInt8]) -> [UInt64] {
        let count = idOffsets.count - 1
        guard count > 0 else { return [] }
        var bits = 64
        while bits < count * SegmentFormat.bloomBitsPerDoc { bits <<= 1 }
        var words = [UInt64](repeating: 0, count: bits / 64)
        idBytes.withUnsafeBytes { raw in
            for doc in 0..<count {
                let id = UnsafeRawBufferPointer(rebasing: raw[Int(idOffsets[doc])..<Int(idOffsets[doc + 1])])
                for bit in BloomProbes(hash: StableHash.hash(id), bits: bits) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
            }
        }
        return words
    }

    // MARK: Inverted fields

    mutating func beginField(_ name: String, positions: Bool) {
        field = InvertedFieldMeta(
            name: name, positions: positions, termCount: 0, termOffsetsAt: 0, termBytesAt: 0, termBytesLength: 0, termInfosAt: 0, normsAt: 0,
            docCount: 0, sumTotalTermFreq: 0, sumDocFreq: 0)
        termOffsets = [0]
        termBytes.removeAll(keepingCapacity: true)
        termInfos.removeAll(keepingCapacity: true)
        docsWithField = [UInt64](repeating: 0, count: (maxDoc + 63) / 64)
        positionsField = positions
        fieldTermCount = 0
        fieldSumDocFreq = 0
        fieldSumTotalTermFreq = 0
    }

    /// Terms must come in strictly ascending byte order.
    mutating func beginTerm(_ term: UnsafeRawBufferPointer) {
        termBytes.append(contentsOf: term)
        termOffsets.append(UInt32(termBytes.count))
        docStream.removeAll(keepingCapacity: true)
        positionStream.removeAll(keepingCapacity: true)
        skips.removeAll(keepingCapacity: true)
        termDocFreq = 0
        termTotalFreq = 0
        lastDoc = -1
        pendingDoc = -1
    }

    /// Docs ascending within a term. For positions fields, `freq` positions follow with `addPosition`.
    @inline(__always)
    mutating func addDoc(_ doc: Int32, freq: Int32) {
        if pendingDoc >= 0 { finishDoc() }
        docsWithField[Int(doc) >> 6] |= 1 << UInt64(doc & 63)
        pendingDoc = doc
        pendingFreq = positionsField ? max(1, freq) : 1
        pendingPositionsStart = positionStream.count
        lastPosition = 0
        lastStartOffset = 0
    }

    @inline(__always)
    mutating func addPosition(_ position: Int32, startOffset: Int32, endOffset: Int32) {
        positionStream.appendVInt(UInt32(bitPattern: position &- lastPosition))
        positionStream.appendVInt(zigzag(startOffset &- lastStartOffset))
        positionStream.appendVInt(UInt32(bitPattern: max(0, endOffset &- startOffset)))
        lastPosition = position
        lastStartOffset = startOffset
    }

    private mutating func finishDoc() {
        let delta = UInt32(bitPattern: pendingDoc &- lastDoc)
        if positionsField {
            if pendingFreq == 1 {
                docStream.appendVInt(delta << 1 | 1)
            } else {
                docStream.appendVInt(delta << 1)
                docStream.appendVInt(UInt32(pendingFreq))
            }
            docStream.appendVInt(UInt32(positionStream.count - pendingPositionsStart))
        } else {
            docStream.appendVInt(delta)
        }
        lastDoc = pendingDoc
        termDocFreq += 1
        termTotalFreq += Int(pendingFreq)
        pendingDoc = -1
        if termDocFreq % SearchLimits.postingsBlockSize == 0 {
            skips.appendLE(UInt32(bitPattern: lastDoc))
            skips.appendLE(UInt32(docStream.count))
            skips.appendLE(UInt32(positionStream.count))
        }
    }

    mutating func endTerm() throws(SearchError) {
        if pendingDoc >= 0 { finishDoc() }
        let postingsOffset: UInt64
        if !positionsField, termDocFreq == 1 {
            postingsOffset = UInt64(lastDoc)
        } else {
            postingsOffset = UInt64(out.position)
            let skipCount = termDocFreq > SearchLimits.postingsBlockSize ? skips.count / SegmentFormat.skipEntrySize : 0
            out.buffer.appendVInt(UInt32(skipCount))
            if skipCount > 0 { out.buffer += skips }
            out.buffer.appendVInt(UInt32(docStream.count))
            out.buffer += docStream
            out.buffer += positionStream
        }
        termInfos.appendLE(postingsOffset)
        termInfos.appendLE(UInt32(termDocFreq))
        termInfos.appendLE(UInt32(truncatingIfNeeded: termTotalFreq))
        fieldTermCount += 1
        fieldSumDocFreq += Int64(termDocFreq)
        fieldSumTotalTermFreq += Int64(termTotalFreq)
        if out.buffer.count >= SegmentOutput.spillBytes { try out.spillIfLarge() }
    }

    /// Drops the term begun last (a merge found all its documents deleted).
    mutating func abandonTerm() {
        termOffsets.removeLast()
        termBytes.removeSubrange(Int(termOffsets[termOffsets.count - 1])...)
    }

    /// `norms`: one byte per doc (`SmallFloat.intToByte4` of the field length), for fields with norms.
    mutating func endField(norms: [UInt8]?) throws(SearchError) {
        guard var current = field else { return }
        field = nil
        current.termCount = fieldTermCount
        current.sumDocFreq = fieldSumDocFreq
        current.sumTotalTermFreq = fieldSumTotalTermFreq
        guard current.termCount > 0 else { return }
        current.termOffsetsAt = appendTable(termOffsets)
        current.termBytesAt = out.position
        current.termBytesLength = termBytes.count
        out.buffer += termBytes
        out.align(8)
        current.termInfosAt = out.position
        out.buffer += termInfos
        if let norms, norms.count == maxDoc {
            current.normsAt = out.position
            out.buffer += norms
        }
        current.docCount = docsWithField.reduce(0) { $0 + $1.nonzeroBitCount }
        meta.inverted.append(current)
        try out.spillIfLarge()
    }

    // MARK: Doc values

    /// `offsets` (maxDoc + 1 entries into `values`) for multi-valued or sparse columns; nil when `values` has
    /// exactly one value per doc. Values of a doc must be ascending.
    mutating func addNumeric(_ name: String, offsets: [UInt32]?, values: [Int64]) throws(SearchError) {
        let valuesAt = appendTable(values)
        let offsetsAt = offsets.map { appendTable($0) } ?? 0
        meta.numeric.append(NumericFieldMeta(name: name, multiValued: offsets != nil, valuesAt: valuesAt, valueCount: values.count, offsetsAt: offsetsAt))
        try out.spillIfLarge()
    }

    /// `terms`: the sorted term table (offsets with a leading 0, bytes). `offsets` as for `addNumeric`; when
    /// nil, `ordinals` has one entry per doc, -1 for none.
    mutating func addSortedSet(_ name: String, termOffsets: [UInt32], termBytes: [UInt8], offsets: [UInt32]?, ordinals: [Int32]) throws(SearchError) {
        let termOffsetsAt = appendTable(termOffsets)
        let termBytesAt = out.position
        out.buffer += termBytes
        let ordinalsAt = appendTable(ordinals)
        let offsetsAt = offsets.map { appendTable($0) } ?? 0
        meta.sortedSets.append(SortedSetFieldMeta(
            name: name, multiValued: offsets != nil, termCount: termOffsets.count - 1, termOffsetsAt: termOffsetsAt, termBytesAt: termBytesAt,
            termBytesLength: termBytes.count, ordinalsAt: ordinalsAt, ordinalCount: ordinals.count, offsetsAt: offsetsAt))
        try out.spillIfLarge()
    }

    // MARK: Finish

    /// The segment's bytes (heap output), or nil once written and fsynced (file output).
    mutating func finish() throws(SearchError) -> [UInt8]? {
        out.align(8)
        let metaOffset = out.position
        let block = meta.encoded()
        out.buffer += block
        return try out.finish(metaOffset: metaOffset, metaLength: block.count, maxDoc: maxDoc)
    }

    /// Appends a fixed-width table 8-byte aligned; returns where it starts.
    private mutating func appendTable<T: FixedWidthInteger>(_ values: [T]) -> Int {
        out.align(8)
        let at = out.position
        values.withUnsafeBytes { raw in
            if T.self == UInt8.self || 1.littleEndian == 1 {
                out.buffer.append(contentsOf: raw)
            } else {
                for value in values { out.buffer.appendLE(value) }
            }
        }
        return at
    }
}

/// The bit positions a hash sets in a Bloom filter of `bits` bits (a power of two): double hashing.
struct BloomProbes: Sequence, IteratorProtocol {
    private let h1: UInt64
    private let h2: UInt64
    private let mask: UInt64
    private var index: UInt64 = 0

    init(hash: UInt64, bits: Int) {
        h1 = hash
        h2 = (hash >> 32) | 1
        mask = UInt64(bits - 1)
    }

    mutating func next() -> Int? {
        guard index < UInt64(SegmentFormat.bloomProbes) else { return nil }
        defer { index += 1 }
        return Int((h1 &+ index &* h2 &* 0x9E37_79B9) & mask)
    }
}
