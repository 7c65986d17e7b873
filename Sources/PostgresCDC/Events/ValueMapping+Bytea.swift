/// bytea text → base64 JSON string.
///
/// The reader sets `bytea_output = hex`, so values come as `\x0a1b…`. The older escape format (printable
/// bytes as is, `\\` for a backslash, `\ooo` octal for the rest) is decoded too: it cannot be mistaken for
/// hex, because in escape format a leading backslash is always doubled.
enum ByteaMapping {
    static func appendBase64(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) throws(ValueMappingFailure) {
        let decoded = try decode(bytes)
        decoded.withUnsafeBufferPointer { appendBase64(of: $0, to: &output) }
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(ValueMappingFailure) -> [UInt8] {
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x") {
            return try decodeHex(UnsafeBufferPointer(rebasing: bytes[2...]))
        }
        return try decodeEscape(bytes)
    }

    private static func decodeHex(_ hex: UnsafeBufferPointer<UInt8>) throws(ValueMappingFailure) -> [UInt8] {
        guard hex.count % 2 == 0 else { throw ValueMappingFailure("bytea hex text has an odd number of digits") }
        var decoded = [UInt8](repeating: 0, count: hex.count / 2)
        var valid = true
        decoded.withUnsafeMutableBufferPointer { out in
            for index in 0..<out.count {
                let high = nibble(hex[2 * index]), low = nibble(hex[2 * index + 1])
                valid = valid && high < 16 && low < 16
                out[index] = high << 4 | (low & 0xF)
            }
        }
        guard valid else { throw ValueMappingFailure("bytea hex text has a non-hex digit") }
        return decoded
    }

    @inline(__always)
    private static func nibble(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: 0xFF
        }
    }

    private static func decodeEscape(_ text: UnsafeBufferPointer<UInt8>) throws(ValueMappingFailure) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                index += 1
                continue
            }
            if index + 1 < text.count, text[index + 1] == UInt8(ascii: "\\") {
                decoded.append(byte)
                index += 2
                continue
            }
            guard index + 3 < text.count, let value = octal(text[index + 1], text[index + 2], text[index + 3]) else {
                throw ValueMappingFailure("bytea text is neither hex (\\x...) nor valid escape format; set bytea_output = hex")
            }
            decoded.append(value)
            index += 4
        }
        return decoded
    }

    private static func octal(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8? {
        let zero = UInt8(ascii: "0")
        guard (zero...zero + 3).contains(a), (zero...zero + 7).contains(b), (zero...zero + 7).contains(c) else { return nil }
        return (a - zero) << 6 | (b - zero) << 3 | (c - zero)
    }

    /// Standard base64 (RFC 4648 §4, with padding), as a JSON string.
    static func appendBase64(of data: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        output.append(JSONBytes.quote)
        output.reserveCapacity(output.count + (data.count + 2) / 3 * 4 + 1)
        alphabet.withUTF8Buffer { table in
            var index = 0
            while index + 3 <= data.count {
                let chunk = UInt32(data[index]) << 16 | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2])
                output.append(table[Int(chunk >> 18)])
                output.append(table[Int(chunk >> 12 & 0x3F)])
                output.append(table[Int(chunk >> 6 & 0x3F)])
                output.append(table[Int(chunk & 0x3F)])
                index += 3
            }
            let rest = data.count - index
            if rest > 0 {
                let chunk = UInt32(data[index]) << 16 | (rest == 2 ? UInt32(data[index + 1]) << 8 : 0)
                output.append(table[Int(chunk >> 18)])
                output.append(table[Int(chunk >> 12 & 0x3F)])
                output.append(rest == 2 ? table[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "="))
                output.append(UInt8(ascii: "="))
            }
        }
        output.append(JSONBytes.quote)
    }
}
