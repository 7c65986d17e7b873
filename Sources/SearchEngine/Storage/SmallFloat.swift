/// Lucene's `SmallFloat` one-byte length encoding, which `BM25Similarity.computeNorm` stores as the norm of a
/// field: exact below 24, then 4 significant bits. Decoding the byte gives the length BM25 actually uses,
/// so scores match Lucene's (and OpenSearch's) bit for bit.
public enum SmallFloat {
    /// Float-like encoding of a non-negative integer keeping the order and 4 significant bits.
    static func longToInt4(_ value: Int64) -> Int32 {
        let numBits = 64 - value.leadingZeroBitCount
        if numBits < 4 { return Int32(value) }
        let shift = numBits - 4
        var encoded = Int32(truncatingIfNeeded: value >> Int64(shift)) & 0x07
        encoded |= Int32(shift + 1) << 3
        return encoded
    }

    static func int4ToLong(_ value: Int32) -> Int64 {
        let bits = Int64(value & 0x07)
        let shift = (value >> 3) - 1
        return shift == -1 ? bits : (bits | 0x08) << Int64(shift)
    }

    static let numFreeValues: Int32 = 255 - longToInt4(Int64(Int32.max))

    /// The norm byte of a field with `length` tokens.
    public static func intToByte4(_ length: Int32) -> UInt8 {
        let length = max(0, length)
        if length < numFreeValues { return UInt8(length) }
        return UInt8(truncatingIfNeeded: numFreeValues + longToInt4(Int64(length - numFreeValues)))
    }

    public static func byte4ToInt(_ byte: UInt8) -> Int32 {
        let value = Int32(byte)
        if value < numFreeValues { return value }
        return Int32(truncatingIfNeeded: Int64(numFreeValues) + int4ToLong(value - numFreeValues))
    }

    /// `byte4ToInt` of every byte value, for decoding norms without branches.
    public static let lengthTable: [Int32] = (0...255).map { byte4ToInt(UInt8($0)) }
}
