import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func storeLE<T: FixedWidthInteger>(_ value: T, at position: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: position, as: T.self) }
    }

    /// Variable-length unsigned integer: 7 bits per byte, low bits first, high bit = more (Lucene's VInt).
    @inline(__always)
    mutating func appendVInt(_ value: UInt32) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    mutating func appendVLong(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Pads with zeros to a multiple of `alignment`, so fixed-width tables start aligned.
    mutating func pad(to alignment: Int) {
        while count % alignment != 0 { append(0) }
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_: T.Type, at position: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: position, as: T.self))
    }
}

/// Zigzag: small signed deltas as small unsigned VInts.
@inline(__always) func zigzag(_ value: Int32) -> UInt32 { UInt32(bitPattern: (value << 1) ^ (value >> 31)) }
@inline(__always) func unzigzag(_ value: UInt32) -> Int32 { Int32(bitPattern: value >> 1) ^ -Int32(bitPattern: value & 1) }

/// Reads VInts from a byte range. Reading past `end` yields zeros instead of faulting: with a verified CRC it
/// never happens, and a bug cannot read outside the segment.
struct VIntReader {
    let base: UnsafeRawPointer
    var position: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from position: Int, to end: Int) {
        // `bytes` is never empty for a segment (header + footer); an empty buffer reads nothing.
        self.base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
        self.position = position
        self.end = bytes.baseAddress == nil ? position : min(end, bytes.count)
    }

    @inline(__always)
    mutating func readVInt() -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while position < end {
            let byte = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            result |= UInt32(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 28 { return result }
        }
        return result
    }

    @inline(__always)
    mutating func readVLong() -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { return result }
        }
        return result
    }

    mutating func skip(_ count: Int) { position = min(end, position + count) }
}

enum CRC32 {
    static func checksum(_ buffer: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return previous }
        var crc = UInt(previous)
        var pointer = base.assumingMemoryBound(to: UInt8.self)
        var remaining = buffer.count
        // zlib takes a 32-bit length: feed huge buffers in pieces.
        while remaining > 0 {
            let chunk = Swift.min(remaining, 1 << 30)
            crc = crc32(crc, pointer, UInt32(chunk))
            pointer += chunk
            remaining -= chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}

/// Compares two byte strings as unsigned bytes (memcmp order, the term dictionary's order).
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let common = min(a.count, b.count)
    if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
        let c = memcmp(pa, pb, common)
        if c != 0 { return Int(c) }
    }
    return a.count - b.count
}

/// `withUnsafeBytes` with a typed `SearchError` (the standard library's only rethrows `any Error`).
extension Array where Element == UInt8 {
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws(SearchError) -> R) throws(SearchError) -> R {
        let result: Result<R, SearchError> = withUnsafeBytes { raw in
            do throws(SearchError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
