import PosixFiles

/// Where an encoder writes a segment: a growing byte array, spilled to a file in large chunks when one is
/// given (merges and flushes of big segments, so memory stays bounded), with the CRC computed as bytes go.
struct SegmentOutput {
    /// Bytes not yet written to the file (all of them for a heap segment).
    var buffer: [UInt8] = []
    private(set) var spilled = 0
    private var crc: UInt32 = 0
    private let file: StorageFile?

    /// Spill once this much is buffered.
    static let spillBytes = 8 << 20

    init(file: StorageFile?) {
        self.file = file
        buffer.reserveCapacity(file == nil ? 1 << 16 : Self.spillBytes + (1 << 20))
    }

    var position: Int { spilled + buffer.count }

    /// Pads with zeros so the next byte's file offset is a multiple of `alignment`.
    mutating func align(_ alignment: Int) {
        while position % alignment != 0 { buffer.append(0) }
    }

    mutating func spillIfLarge() throws(SearchError) {
        if file != nil, buffer.count >= Self.spillBytes { try spill() }
    }

    private mutating func spill() throws(SearchError) {
        guard let file else { return }
        try file.write(buffer, at: spilled)
        crc = buffer.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        spilled += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Appends the footer (with the CRC over everything before it). For a heap output returns the bytes; for a
    /// file, writes and fsyncs it and returns nil.
    mutating func finish(metaOffset: Int, metaLength: Int, maxDoc: Int) throws(SearchError) -> [UInt8]? {
        buffer.appendLE(UInt64(metaOffset))
        buffer.appendLE(UInt64(metaLength))
        buffer.appendLE(UInt32(maxDoc))
        buffer.appendLE(UInt32(0))
        let total = buffer.withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
        buffer.appendLE(total)
        buffer += SegmentFormat.footerMagic
        guard let file else { return buffer }
        try spill()
        try file.fullSync()
        return nil
    }
}
