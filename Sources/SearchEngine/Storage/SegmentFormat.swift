/// The on-disk (and in-memory) layout of one segment, `<name>.seg`:
///
///     header   "SEGM" · format version (UInt32) · 8 reserved bytes
///     body     per inverted field: postings of each term, then the term table (UInt32 offsets · term
///              bytes), term infos (16 bytes per term), norms (one byte per doc); numeric doc values
///              (UInt32 per-doc offsets when multi-valued · Int64 values); sorted-set doc values (term table ·
///              per-doc ordinals); stored `_source`s (UInt64 offsets · bytes); `_id`s (UInt32 offsets · bytes);
///              `_seq_no` and `_version` columns (Int64 per doc); an `_id` Bloom filter
///     meta     the section table: every structure's offset and size, field names and statistics
///     footer   meta offset (UInt64) · meta length (UInt64) · maxDoc (UInt32) · reserved (UInt32) ·
///              CRC-32 of everything before it (UInt32) · "MGES"
///
/// All integers little-endian; fixed-width tables start 8-byte aligned. A term's postings: VInt skip count,
/// skip entries (last doc, doc-stream end, position-stream end: 3 × UInt32, one per full block of
/// `SearchLimits.postingsBlockSize` docs), VInt doc-stream length, the doc stream, then (positions fields)
/// the position stream. Doc stream per doc: docs-only fields VInt doc delta; positions fields
/// VInt (delta << 1 | freq == 1), VInt freq when not 1, VInt byte length of its positions. Positions per
/// occurrence: VInt position delta, zigzag VInt start-offset delta, VInt length. A docs-only term with one
/// document keeps that doc id in its term info instead of postings.
enum SegmentFormat {
    static let headerMagic: [UInt8] = Array("SEGM".utf8)
    static let footerMagic: [UInt8] = Array("MGES".utf8)
    static let version: UInt32 = 1
    static let headerSize = 16
    static let footerSize = 32
    static let termInfoSize = 16
    static let skipEntrySize = 12
    /// Bits of Bloom filter per `_id` and hash probes: about 1.5 % false positives.
    static let bloomBitsPerDoc = 10
    static let bloomProbes = 3
}

/// Where one inverted field's structures are, and its statistics.
struct InvertedFieldMeta: Sendable {
    var name: String
    var positions: Bool
    var termCount: Int
    /// UInt32 × (termCount + 1) offsets into the term bytes.
    var termOffsetsAt: Int
    var termBytesAt: Int
    var termBytesLength: Int
    /// `SegmentFormat.termInfoSize` × termCount.
    var termInfosAt: Int
    /// maxDoc norm bytes, or 0 when the field has no norms.
    var normsAt: Int
    var docCount: Int
    var sumTotalTermFreq: Int64
    var sumDocFreq: Int64
}

/// Numeric doc values: single-valued dense columns are one Int64 per doc; others have per-doc offsets.
struct NumericFieldMeta: Sendable {
    var name: String
    var multiValued: Bool
    var valuesAt: Int
    var valueCount: Int
    /// UInt32 × (maxDoc + 1) when `multiValued`, else 0.
    var offsetsAt: Int
}

/// Keyword doc values: a sorted term table and per-doc ordinals (Int32 per doc, -1 for none, when
/// single-valued; per-doc offsets into an ordinal array otherwise).
struct SortedSetFieldMeta: Sendable {
    var name: String
    var multiValued: Bool
    var termCount: Int
    var termOffsetsAt: Int
    var termBytesAt: Int
    var termBytesLength: Int
    var ordinalsAt: Int
    var ordinalCount: Int
    var offsetsAt: Int
}

/// Stored fields and per-document columns.
struct StoredMeta: Sendable {
    var sourceOffsetsAt = 0
    var sourceBytesAt = 0
    var sourceBytesLength = 0
    var idOffsetsAt = 0
    var idBytesAt = 0
    var idBytesLength = 0
    var seqNosAt = 0
    var versionsAt = 0
    var bloomAt = 0
    /// A power of two (0 when the segment is empty).
    var bloomBits = 0
}

/// The meta block: everything a reader needs to find every structure.
struct SegmentMeta: Sendable {
    var maxDoc: Int
    var stored = StoredMeta()
    var inverted: [InvertedFieldMeta] = []
    var numeric: [NumericFieldMeta] = []
    var sortedSets: [SortedSetFieldMeta] = []
}

/// A 64-bit hash of bytes that is the same in every process (Swift's `Hasher` is seeded per process), for
/// the persisted `_id` Bloom filter and the indexing buffer's term tables.
enum StableHash {
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            h = mix(h ^ bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        if index < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(bytes[index]) << shift
                shift += 8
                index += 1
            }
            h = mix(h ^ tail)
        }
        return finalize(h)
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: 0xA076_1D64_78BD_642F)
        return product.high ^ product.low
    }

    @inline(__always)
    static func finalize(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }
}
