/// One immutable segment: the reader of `SegmentFormat` bytes, on the heap after a refresh or memory-mapped
/// once flushed. Opening checks the magic numbers, the format version, the CRC over the whole file and the
/// extent of every structure, so later reads need only cheap bounds.
public final class Segment: SegmentReading {
    public let name: String
    public let maxDoc: Int
    let storage: SegmentStorage
    /// The file it was read from, or `<name> (memory)`; named in every error.
    let file: String
    let meta: SegmentMeta
    /// Where the body ends (the meta block starts): no structure reaches past it.
    let dataEnd: Int
    let inverted: [String: InvertedFieldMeta]
    let numeric: [String: NumericFieldMeta]
    let sortedSets: [String: SortedSetFieldMeta]

    /// Size in bytes (of the file, or of the heap copy).
    public var byteSize: Int { storage.bytes.count }
    /// Whether the bytes are a memory-mapped file (flushed) rather than a heap copy.
    var isMapped: Bool { storage.backing == .mapped }

    init(name: String, storage: SegmentStorage, file: String) throws(SearchError) {
        let bytes = storage.bytes
        let (metaOffset, metaLength, footerMaxDoc) = try Self.checkFrame(bytes, file: file)
        let meta = try SegmentMeta.decode(UnsafeRawBufferPointer(rebasing: bytes[metaOffset..<metaOffset + metaLength]), file: file)
        guard meta.maxDoc == footerMaxDoc, meta.maxDoc <= SearchLimits.maxSegmentDocs else {
            throw .corruptIndex(file: file, "segment maxDoc \(meta.maxDoc) disagrees with the footer's \(footerMaxDoc)")
        }
        var validator = SegmentValidator(bytes: bytes, dataEnd: metaOffset, maxDoc: meta.maxDoc, file: file)
        try validator.validate(meta)
        self.name = name
        self.maxDoc = meta.maxDoc
        self.storage = storage
        self.file = file
        self.meta = meta
        self.dataEnd = metaOffset
        self.inverted = Dictionary(meta.inverted.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.numeric = Dictionary(meta.numeric.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.sortedSets = Dictionary(meta.sortedSets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A heap segment from encoded bytes.
    convenience init(name: String, encoded: [UInt8]) throws(SearchError) {
        try self.init(name: name, storage: SegmentStorage(copying: encoded), file: "\(name) (memory)")
    }

    /// A flushed segment, memory-mapped from `path`.
    convenience init(name: String, path: String) throws(SearchError) {
        try self.init(name: name, storage: SegmentStorage(mapping: path), file: path)
    }

    /// Header and footer magic, version, CRC; returns the meta block's place and the footer's maxDoc.
    private static func checkFrame(_ bytes: UnsafeRawBufferPointer, file: String) throws(SearchError) -> (Int, Int, Int) {
        let size = bytes.count
        guard size >= SegmentFormat.headerSize + SegmentFormat.footerSize else { throw .corruptIndex(file: file, "segment of \(size) bytes is truncated") }
        guard Array(bytes[0..<4]) == SegmentFormat.headerMagic else { throw .corruptIndex(file: file, "not a segment file (bad header magic)") }
        let version = bytes.loadLE(UInt32.self, at: 4)
        guard version == SegmentFormat.version else { throw .corruptIndex(file: file, "segment format version \(version) is not supported (expected \(SegmentFormat.version))") }
        guard Array(bytes[(size - 4)..<size]) == SegmentFormat.footerMagic else { throw .corruptIndex(file: file, "segment footer magic missing (truncated file?)") }
        let stored = bytes.loadLE(UInt32.self, at: size - 8)
        let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<(size - 8)]))
        guard stored == computed else { throw .corruptIndex(file: file, "segment checksum failed (expected \(stored), computed \(computed))") }
        let footer = size - SegmentFormat.footerSize
        let metaOffset = bytes.loadLE(UInt64.self, at: footer)
        let metaLength = bytes.loadLE(UInt64.self, at: footer + 8)
        let maxDoc = Int(bytes.loadLE(UInt32.self, at: footer + 16))
        guard metaOffset >= UInt64(SegmentFormat.headerSize), metaLength <= UInt64(footer), metaOffset <= UInt64(footer) - metaLength else {
            throw .corruptIndex(file: file, "segment meta block out of bounds")
        }
        return (Int(metaOffset), Int(metaLength), maxDoc)
    }

    // MARK: SegmentReading — fields

    public func fieldStatistics(_ field: String) -> FieldStatistics? {
        guard let info = inverted[field], info.docCount > 0 else { return nil }
        return FieldStatistics(docCount: info.docCount, sumTotalTermFreq: info.sumTotalTermFreq)
    }

    public func fieldLength(_ field: String, doc: Int32) -> Int32 {
        norms(field)?.length(doc) ?? 0
    }

    public func norms(_ field: String) -> FieldNorms? {
        guard let info = inverted[field], info.normsAt > 0 else { return nil }
        return FieldNorms(storage: storage, at: info.normsAt, maxDoc: maxDoc)
    }

    /// Names of the inverted fields (for `exists`-style checks and merges).
    public var indexedFieldNames: [String] { meta.inverted.map(\.name) }

    // MARK: SegmentReading — stored

    public func source(_ doc: Int32) -> [UInt8] {
        guard doc >= 0, Int(doc) < maxDoc else { return [] }
        let bytes = storage.bytes
        let start = Int(bytes.loadLE(UInt64.self, at: meta.stored.sourceOffsetsAt + Int(doc) * 8))
        let end = Int(bytes.loadLE(UInt64.self, at: meta.stored.sourceOffsetsAt + Int(doc) * 8 + 8))
        return Array(bytes[(meta.stored.sourceBytesAt + start)..<(meta.stored.sourceBytesAt + end)])
    }

    /// The `_source` bytes in place (valid while the segment is alive).
    func withSource<R>(_ doc: Int32, _ body: (UnsafeRawBufferPointer) throws(SearchError) -> R) throws(SearchError) -> R {
        let bytes = storage.bytes
        let start = Int(bytes.loadLE(UInt64.self, at: meta.stored.sourceOffsetsAt + Int(doc) * 8))
        let end = Int(bytes.loadLE(UInt64.self, at: meta.stored.sourceOffsetsAt + Int(doc) * 8 + 8))
        return try body(UnsafeRawBufferPointer(rebasing: bytes[(meta.stored.sourceBytesAt + start)..<(meta.stored.sourceBytesAt + end)]))
    }

    func idBytes(_ doc: Int32) -> UnsafeRawBufferPointer {
        let bytes = storage.bytes
        let start = Int(bytes.loadLE(UInt32.self, at: meta.stored.idOffsetsAt + Int(doc) * 4))
        let end = Int(bytes.loadLE(UInt32.self, at: meta.stored.idOffsetsAt + Int(doc) * 4 + 4))
        return UnsafeRawBufferPointer(rebasing: bytes[(meta.stored.idBytesAt + start)..<(meta.stored.idBytesAt + end)])
    }

    public func id(_ doc: Int32) -> String {
        guard doc >= 0, Int(doc) < maxDoc else { return "" }
        return String(decoding: idBytes(doc), as: UTF8.self)
    }

    public func doc(forID id: String) -> Int32? {
        var id = id
        return id.withUTF8 { doc(forID: UnsafeRawBufferPointer($0)) }
    }

    func doc(forID id: UnsafeRawBufferPointer) -> Int32? {
        guard mightContain(id: id), let info = inverted["_id"], let index = termIndex(info, id) else { return nil }
        // The newest document with the id: older versions replaced before a refresh share the segment.
        var iterator = termPostings(info, index).iterator()
        var last: Int32?
        while let doc = iterator.nextDoc() { last = doc }
        return last
    }

    /// The Bloom filter: false means the id is certainly not in this segment.
    func mightContain(id: UnsafeRawBufferPointer) -> Bool {
        let bits = meta.stored.bloomBits
        guard bits > 0 else { return false }
        let bytes = storage.bytes
        for bit in BloomProbes(hash: StableHash.hash(id), bits: bits) {
            let word = bytes.loadLE(UInt64.self, at: meta.stored.bloomAt + (bit >> 6) * 8)
            if word & (1 << UInt64(bit & 63)) == 0 { return false }
        }
        return true
    }

    public func seqNo(_ doc: Int32) -> Int64 {
        guard doc >= 0, Int(doc) < maxDoc else { return -1 }
        return storage.bytes.loadLE(Int64.self, at: meta.stored.seqNosAt + Int(doc) * 8)
    }

    public func version(_ doc: Int32) -> Int64 {
        guard doc >= 0, Int(doc) < maxDoc else { return -1 }
        return storage.bytes.loadLE(Int64.self, at: meta.stored.versionsAt + Int(doc) * 8)
    }
}

/// A field's norms, decoded to lengths as BM25 sees them (`SmallFloat.byte4ToInt`). A fast path for scorers:
/// one lookup of the field, then one byte load per document.
public struct FieldNorms: Sendable {
    let storage: SegmentStorage
    let at: Int
    let maxDoc: Int

    @inline(__always) public func length(_ doc: Int32) -> Int32 {
        guard doc >= 0, Int(doc) < maxDoc else { return 0 }
        return SmallFloat.lengthTable[Int(storage.bytes[at + Int(doc)])]
    }

    /// The raw norm byte (`SmallFloat.intToByte4` of the length), for scorers that cache per byte value.
    @inline(__always) public func normByte(_ doc: Int32) -> UInt8 {
        guard doc >= 0, Int(doc) < maxDoc else { return 0 }
        return storage.bytes[at + Int(doc)]
    }
}
