import CZlib

/// CRC-32 (IEEE 802.3 polynomial, as zlib and gzip compute it).
enum Checksum {
    /// The CRC of `first ‖ second` from the CRC of each and the second's length (zlib's `crc32_combine`).
    static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: crc32_combine(uLong(first), uLong(second), off_t(secondLength)))
    }

    static func crc32(of value: Int64) -> UInt32 {
        withUnsafeBytes(of: value.littleEndian) { crc32($0) }
    }

    static func crc32(_ buffer: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return previous }
        var crc = UInt(previous)
        var pointer = base.assumingMemoryBound(to: UInt8.self)
        var remaining = buffer.count
        // zlib takes a 32-bit length: feed huge buffers in pieces.
        while remaining > 0 {
            let chunk = Swift.min(remaining, 1 << 30)
            crc = CZlib.crc32(crc, pointer, UInt32(chunk))
            pointer += chunk
            remaining -= chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}

