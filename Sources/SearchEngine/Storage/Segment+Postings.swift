/// A term's postings in a segment: either the doc id kept inline (docs-only, one document) or the encoded
/// streams described in `SegmentFormat`.
struct SegmentPostings: Postings {
    let storage: SegmentStorage
    /// File offset of the postings, or the doc id when `isInline`.
    let offset: Int
    let docFreq: Int
    let totalTermFreq: Int64
    let positions: Bool
    /// End of the segment body: no read goes past it.
    let end: Int

    var isInline: Bool { !positions && docFreq == 1 }

    func makeIterator() -> any PostingsIterator { iterator() }

    func iterator() -> SegmentPostingsIterator { SegmentPostingsIterator(self) }
}

/// Walks one posting list: doc deltas (and for text fields frequencies and position lengths) from the doc
/// stream, jumping whole blocks through the skip entries in `advance(to:)`.
struct SegmentPostingsIterator: PostingsIterator {
    private let storage: SegmentStorage
    private let positionsField: Bool
    private let docFreq: Int
    private let inlineDoc: Int32
    private var reader: VIntReader
    private let skipsAt: Int
    private let skipCount: Int
    private let docStreamStart: Int
    private let positionStreamStart: Int
    private var docsRead = 0
    private var doc: Int32 = -1
    private(set) var freq: Int32 = 0
    private var positionsAt = 0
    private var positionsLength = 0
    private var nextPositionsAt = 0

    init(_ postings: SegmentPostings) {
        storage = postings.storage
        positionsField = postings.positions
        docFreq = postings.docFreq
        let bytes = postings.storage.bytes
        if postings.isInline {
            inlineDoc = Int32(truncatingIfNeeded: postings.offset)
            reader = VIntReader(bytes, from: 0, to: 0)
            skipsAt = 0
            skipCount = 0
            docStreamStart = 0
            positionStreamStart = 0
            return
        }
        inlineDoc = -1
        var header = VIntReader(bytes, from: postings.offset, to: postings.end)
        skipCount = Int(header.readVInt())
        skipsAt = header.position
        header.skip(skipCount * SegmentFormat.skipEntrySize)
        let docStreamLength = Int(header.readVInt())
        docStreamStart = header.position
        positionStreamStart = min(postings.end, docStreamStart + docStreamLength)
        reader = VIntReader(bytes, from: docStreamStart, to: positionStreamStart)
        nextPositionsAt = positionStreamStart
    }

    mutating func nextDoc() -> Int32? {
        guard docsRead < docFreq else {
            doc = Int32.max
            return nil
        }
        docsRead += 1
        if inlineDoc >= 0 {
            doc = inlineDoc
            freq = 1
            return doc
        }
        if positionsField {
            let code = reader.readVInt()
            doc &+= Int32(bitPattern: code >> 1)
            freq = code & 1 == 1 ? 1 : Int32(bitPattern: reader.readVInt())
            positionsAt = nextPositionsAt
            positionsLength = Int(reader.readVInt())
            nextPositionsAt = positionsAt + positionsLength
        } else {
            doc &+= Int32(bitPattern: reader.readVInt())
            freq = 1
        }
        return doc
    }

    mutating func advance(to target: Int32) -> Int32? {
        if doc >= target, docsRead > 0 { return doc == Int32.max ? nil : doc }
        if skipCount > 0 { skip(to: target) }
        while let next = nextDoc() {
            if next >= target { return next }
        }
        return nil
    }

    /// Jumps to the start of the block holding the first doc ≥ target, when that block lies ahead.
    private mutating func skip(to target: Int32) {
        let blockSize = SearchLimits.postingsBlockSize
        let current = docsRead / blockSize
        let bytes = storage.bytes
        var low = current
        var high = skipCount
        while low < high {
            let middle = (low + high) / 2
            let lastDoc = Int32(bitPattern: bytes.loadLE(UInt32.self, at: skipsAt + middle * SegmentFormat.skipEntrySize))
            if lastDoc < target { low = middle + 1 } else { high = middle }
        }
        // Block `low` holds the target (or, when low == skipCount, the tail after the last full block).
        guard low > current, low > 0 else { return }
        let entry = skipsAt + (low - 1) * SegmentFormat.skipEntrySize
        doc = Int32(bitPattern: bytes.loadLE(UInt32.self, at: entry))
        reader.position = docStreamStart + Int(bytes.loadLE(UInt32.self, at: entry + 4))
        nextPositionsAt = positionStreamStart + Int(bytes.loadLE(UInt32.self, at: entry + 8))
        docsRead = low * blockSize
    }

    func positions() -> [(position: Int32, startOffset: Int32, endOffset: Int32)] {
        guard positionsField, positionsLength > 0 else { return [] }
        var reader = VIntReader(storage.bytes, from: positionsAt, to: positionsAt + positionsLength)
        var result: [(position: Int32, startOffset: Int32, endOffset: Int32)] = []
        result.reserveCapacity(Int(freq))
        var position: Int32 = 0
        var start: Int32 = 0
        for _ in 0..<freq {
            position &+= Int32(bitPattern: reader.readVInt())
            start &+= unzigzag(reader.readVInt())
            let length = Int32(bitPattern: reader.readVInt())
            result.append((position, start, start &+ length))
        }
        return result
    }
}
