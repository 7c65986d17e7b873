/// The fixed header in front of every batch. Little-endian:
///
/// ```
///  0  baseOffset        i64   offset of the batch's first record
///  8  length            u32   bytes after this field (the whole batch is 12 + length bytes)
/// 12  magic             u32   "MPLB"
/// 16  crc               u32   CRC-32 of bytes [0, 8) followed by bytes [20, 12 + length): the offset is
///                             protected too, yet producers checksum the bulk before offsets are known
///                             and the writer folds the offset in with `crc32_combine`
/// 20  version           u8    1
/// 21  attributes        u8    bit 0 zlib payload; bit 1 the group continues in the next batch;
///                             bit 2 part of a multi-partition group (see `txnId`)
/// 22  reserved          u16   0
/// 24  lastOffsetDelta   u32   last record's offset − baseOffset (gaps only after compaction)
/// 28  recordCount       u32
/// 32  firstTimestamp    i64   ms since the epoch
/// 40  maxTimestamp      i64
/// 48  txnId             i64   multi-partition group id, 0 if none
/// 56  payloadSize       u32   payload size before compression
/// 60  payload                 records, each: offsetDelta u32, timestamp i64, key length i32 (−1 null),
///                             key, value length i32 (−1 null), value, header count u16, then per header
///                             name length u16, name (UTF-8), value length u32, value
/// ```
struct BatchHeader: Equatable {
    static let size = 60
    static let magic: UInt32 = 0x424C_504D  // "MPLB" read as little-endian
    static let version: UInt8 = 1
    /// Bytes of the header read before the length is known.
    static let prefixSize = 12

    struct Attributes: OptionSet, Equatable {
        let rawValue: UInt8
        static let zlib = Attributes(rawValue: 1 << 0)
        static let groupContinues = Attributes(rawValue: 1 << 1)
        static let transactional = Attributes(rawValue: 1 << 2)
        static let known: Attributes = [.zlib, .groupContinues, .transactional]
    }

    var baseOffset: Int64
    var length: UInt32
    var crc: UInt32
    var attributes: Attributes
    var lastOffsetDelta: UInt32
    var recordCount: UInt32
    var firstTimestamp: Int64
    var maxTimestamp: Int64
    var txnId: Int64
    var payloadSize: UInt32

    var totalSize: Int { Self.prefixSize + Int(length) }
    var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }
    var nextOffset: Int64 { lastOffset + 1 }
    var continuesGroup: Bool { attributes.contains(.groupContinues) }

    /// Parses and checks everything but the CRC (which needs the whole batch).
    static func parse(_ buffer: UnsafeRawBufferPointer, what: @autoclosure () -> String) throws(LogError) -> BatchHeader {
        guard buffer.count >= size else { throw LogError(.corrupt, "\(what()): batch header truncated") }
        let header = BatchHeader(
            baseOffset: buffer.loadLE(Int64.self, at: 0),
            length: buffer.loadLE(UInt32.self, at: 8),
            crc: buffer.loadLE(UInt32.self, at: 16),
            attributes: Attributes(rawValue: buffer[21]),
            lastOffsetDelta: buffer.loadLE(UInt32.self, at: 24),
            recordCount: buffer.loadLE(UInt32.self, at: 28),
            firstTimestamp: buffer.loadLE(Int64.self, at: 32),
            maxTimestamp: buffer.loadLE(Int64.self, at: 40),
            txnId: buffer.loadLE(Int64.self, at: 48),
            payloadSize: buffer.loadLE(UInt32.self, at: 56)
        )
        guard buffer.loadLE(UInt32.self, at: 12) == magic else { throw LogError(.corrupt, "\(what()): bad magic") }
        guard buffer[20] == version else { throw LogError(.corrupt, "\(what()): unknown batch version \(buffer[20])") }
        guard header.attributes.isSubset(of: .known), buffer.loadLE(UInt16.self, at: 22) == 0 else {
            throw LogError(.corrupt, "\(what()): unknown attributes")
        }
        guard header.totalSize >= size, header.totalSize <= LogLimits.maxBatchBytes,
            Int(header.payloadSize) <= LogLimits.maxBatchBytes, header.recordCount > 0,
            header.lastOffsetDelta >= header.recordCount - 1, header.baseOffset >= 0
        else { throw LogError(.corrupt, "\(what()): batch bounds out of range") }
        return header
    }

    /// Checks a whole batch's CRC.
    static func verifyCRC(_ batch: UnsafeRawBufferPointer, header: BatchHeader, what: @autoclosure () -> String)
        throws(LogError)
    {
        guard batch.count == header.totalSize else { throw LogError(.corrupt, "\(what()): size mismatch") }
        let prefix = Checksum.crc32(UnsafeRawBufferPointer(rebasing: batch[0..<8]))
        guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: batch[20...]), continuing: prefix) == header.crc else {
            throw LogError(.corrupt, "\(what()): CRC mismatch")
        }
    }

    /// Sets a batch's base offset and its CRC, given the CRC of its bytes from 20 on (`bodyCRC`).
    static func seal(_ bytes: inout [UInt8], at start: Int, size: Int, baseOffset: Int64, bodyCRC: UInt32) {
        bytes.storeLE(baseOffset, at: start)
        let crc = Checksum.combine(Checksum.crc32(of: baseOffset), bodyCRC, secondLength: size - 20)
        bytes.storeLE(crc, at: start + 16)
    }
}
