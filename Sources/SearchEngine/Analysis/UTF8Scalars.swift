/// Decoding scalars straight from UTF-8 bytes (the analyzers' input is a Swift String's UTF-8 view, which is
/// always valid UTF-8; a truncated sequence is read as one byte rather than past the end).
enum UTF8Scalars {
    /// The scalar value starting at `index` and its length in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        let count = bytes.count
        if lead < 0xE0 {
            guard index + 1 < count else { return (lead, 1) }
            return ((lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F), 2)
        }
        if lead < 0xF0 {
            guard index + 2 < count else { return (lead, 1) }
            return ((lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F), 3)
        }
        guard index + 3 < count else { return (lead, 1) }
        let value = (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
        return (value, 4)
    }

    @inline(__always)
    static func append(_ value: UInt32, to output: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            output.append(UInt8(truncatingIfNeeded: value))
        case 0x80..<0x800:
            output.append(UInt8(truncatingIfNeeded: 0xC0 | value >> 6))
            output.append(UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
        case 0x800..<0x1_0000:
            output.append(UInt8(truncatingIfNeeded: 0xE0 | value >> 12))
            output.append(UInt8(truncatingIfNeeded: 0x80 | (value >> 6) & 0x3F))
            output.append(UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
        default:
            output.append(UInt8(truncatingIfNeeded: 0xF0 | value >> 18))
            output.append(UInt8(truncatingIfNeeded: 0x80 | (value >> 12) & 0x3F))
            output.append(UInt8(truncatingIfNeeded: 0x80 | (value >> 6) & 0x3F))
            output.append(UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
        }
    }

    /// Where a token of `maxLength` UTF-16 units starting at `start` must end, given that it would end at
    /// `end` (Lucene measures token length in Java chars).
    static func cut(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int, maxLength: Int) -> Int {
        if end - start <= maxLength { return end }
        var index = start
        var units = 0
        while index < end {
            let (value, length) = decode(bytes, at: index)
            let width = value >= 0x1_0000 ? 2 : 1
            if units + width > maxLength { break }
            units += width
            index += length
        }
        return index > start ? index : min(end, start + decode(bytes, at: start).length)
    }
}

/// Java's `Character.toLowerCase` (simple case mapping) over UTF-8, with an ASCII fast path.
enum LowerCase {
    /// Lower-case mapping of the BMP (`0` where a scalar maps to itself), built on first use.
    static let bmp: [UInt16] = (0..<0x1_0000).map { mapping(UInt32($0)) }

    private static func mapping(_ value: UInt32) -> UInt16 {
        guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenLowercased else { return 0 }
        if value == 0x130 { return 0x69 }  // Java maps İ to i; the full mapping adds a combining dot
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        guard lower.count == 1, let first = lower.first, first.value < 0x1_0000 else { return 0 }
        return UInt16(first.value)
    }

    static func lowercase(_ value: UInt32) -> UInt32 {
        if value < 0x1_0000 {
            let mapped = bmp[Int(value)]
            return mapped == 0 ? value : UInt32(mapped)
        }
        guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenLowercased else { return value }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        guard lower.count == 1, let first = lower.first else { return value }
        return first.value
    }

    static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            var output = Array(bytes)
            var hasUpper = false
            for byte in bytes where byte &- 0x41 < 26 {
                hasUpper = true
                break
            }
            if hasUpper {
                output.withUnsafeMutableBufferPointer { buffer in
                    for index in buffer.indices where buffer[index] &- 0x41 < 26 { buffer[index] |= 0x20 }
                }
            }
            return output
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 4)
        var index = 0
        while index < bytes.count {
            let (value, length) = UTF8Scalars.decode(bytes, at: index)
            if value < 0x80 {
                let byte = UInt8(truncatingIfNeeded: value)
                output.append(byte &- 0x41 < 26 ? byte | 0x20 : byte)
            } else {
                UTF8Scalars.append(lowercase(value), to: &output)
            }
            index += length
        }
        return output
    }
}
