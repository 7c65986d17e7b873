/// The meta block's binary encoding. Every number is a UInt64 (offsets and counts) or UInt8 (flags); names are
/// a UInt16 length and UTF-8 bytes. Decoding checks every length against the block, and every structure's
/// extent against the file (`validate`).
extension SegmentMeta {
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.appendLE(UInt64(maxDoc))
        for value in [stored.sourceOffsetsAt, stored.sourceBytesAt, stored.sourceBytesLength, stored.idOffsetsAt, stored.idBytesAt,
                      stored.idBytesLength, stored.seqNosAt, stored.versionsAt, stored.bloomAt, stored.bloomBits] {
            out.appendLE(UInt64(value))
        }
        out.appendLE(UInt64(inverted.count))
        for field in inverted {
            Self.appendName(field.name, to: &out)
            out.append(field.positions ? 1 : 0)
            for value in [field.termCount, field.termOffsetsAt, field.termBytesAt, field.termBytesLength, field.termInfosAt, field.normsAt, field.docCount] {
                out.appendLE(UInt64(value))
            }
            out.appendLE(UInt64(field.sumTotalTermFreq))
            out.appendLE(UInt64(field.sumDocFreq))
        }
        out.appendLE(UInt64(numeric.count))
        for field in numeric {
            Self.appendName(field.name, to: &out)
            out.append(field.multiValued ? 1 : 0)
            for value in [field.valuesAt, field.valueCount, field.offsetsAt] { out.appendLE(UInt64(value)) }
        }
        out.appendLE(UInt64(sortedSets.count))
        for field in sortedSets {
            Self.appendName(field.name, to: &out)
            out.append(field.multiValued ? 1 : 0)
            for value in [field.termCount, field.termOffsetsAt, field.termBytesAt, field.termBytesLength, field.ordinalsAt, field.ordinalCount, field.offsetsAt] {
                out.appendLE(UInt64(value))
            }
        }
        return out
    }

    private static func appendName(_ name: String, to out: inout [UInt8]) {
        let bytes = Array(name.utf8.prefix(Int(UInt16.max)))
        out.appendLE(UInt16(bytes.count))
        out += bytes
    }

    static func decode(_ block: UnsafeRawBufferPointer, file: String) throws(SearchError) -> SegmentMeta {
        var reader = MetaReader(block: block, file: file)
        var meta = SegmentMeta(maxDoc: try reader.int())
        meta.stored = StoredMeta(
            sourceOffsetsAt: try reader.int(), sourceBytesAt: try reader.int(), sourceBytesLength: try reader.int(),
            idOffsetsAt: try reader.int(), idBytesAt: try reader.int(), idBytesLength: try reader.int(),
            seqNosAt: try reader.int(), versionsAt: try reader.int(), bloomAt: try reader.int(), bloomBits: try reader.int())
        for _ in 0..<(try reader.count()) {
            let name = try reader.name()
            let positions = try reader.flag()
            meta.inverted.append(InvertedFieldMeta(
                name: name, positions: positions, termCount: try reader.int(), termOffsetsAt: try reader.int(), termBytesAt: try reader.int(),
                termBytesLength: try reader.int(), termInfosAt: try reader.int(), normsAt: try reader.int(), docCount: try reader.int(),
                sumTotalTermFreq: Int64(try reader.int()), sumDocFreq: Int64(try reader.int())))
        }
        for _ in 0..<(try reader.count()) {
            let name = try reader.name()
            let multiValued = try reader.flag()
            meta.numeric.append(NumericFieldMeta(name: name, multiValued: multiValued, valuesAt: try reader.int(), valueCount: try reader.int(), offsetsAt: try reader.int()))
        }
        for _ in 0..<(try reader.count()) {
            let name = try reader.name()
            let multiValued = try reader.flag()
            meta.sortedSets.append(SortedSetFieldMeta(
                name: name, multiValued: multiValued, termCount: try reader.int(), termOffsetsAt: try reader.int(), termBytesAt: try reader.int(),
                termBytesLength: try reader.int(), ordinalsAt: try reader.int(), ordinalCount: try reader.int(), offsetsAt: try reader.int()))
        }
        guard reader.position == block.count else { throw .corruptIndex(file: file, "segment meta block has \(block.count - reader.position) trailing bytes") }
        return meta
    }
}

private struct MetaReader {
    let block: UnsafeRawBufferPointer
    let file: String
    var position = 0

    init(block: UnsafeRawBufferPointer, file: String) {
        self.block = block
        self.file = file
    }

    mutating func int() throws(SearchError) -> Int {
        guard block.count - position >= 8 else { throw .corruptIndex(file: file, "segment meta block truncated") }
        let value = block.loadLE(UInt64.self, at: position)
        position += 8
        guard value <= UInt64(Int.max >> 2) else { throw .corruptIndex(file: file, "segment meta value \(value) out of range") }
        return Int(value)
    }

    /// A count of entries: each takes at least 8 bytes, so a count larger than the block is corrupt.
    mutating func count() throws(SearchError) -> Int {
        let value = try int()
        guard value <= block.count / 8 else { throw .corruptIndex(file: file, "segment meta count \(value) out of range") }
        return value
    }

    mutating func flag() throws(SearchError) -> Bool {
        guard position < block.count else { throw .corruptIndex(file: file, "segment meta block truncated") }
        defer { position += 1 }
        switch block[position] {
        case 0: return false
        case 1: return true
        case let other: throw .corruptIndex(file: file, "segment meta flag \(other) invalid")
        }
    }

    mutating func name() throws(SearchError) -> String {
        guard block.count - position >= 2 else { throw .corruptIndex(file: file, "segment meta block truncated") }
        let length = Int(block.loadLE(UInt16.self, at: position))
        position += 2
        guard block.count - position >= length else { throw .corruptIndex(file: file, "segment meta name past the end") }
        defer { position += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: block[position..<position + length]), as: UTF8.self)
    }
}
