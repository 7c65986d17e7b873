/// timestamp and timestamptz text (`DateStyle = ISO`) → ISO 8601 strings.
///
/// `2024-01-02 03:04:05.123456` becomes `"2024-01-02T03:04:05.123456"`; with a zone, `+00` (what
/// `TimeZone = UTC` gives) becomes `Z` and another offset is written `+05:30` (`+05` as `+05:00`; historical
/// offsets with seconds keep them). `infinity`, `-infinity` and BC values go out as sent: ISO 8601 has no
/// word for the first two, and the proleptic-calendar year of the third would surprise more than help.
enum TimestampMapping {
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, withZone: Bool, to output: inout [UInt8]) throws(ValueMappingFailure) {
        if JSONBytes.equals(bytes, "infinity") || JSONBytes.equals(bytes, "-infinity") || endsWithBC(bytes) {
            try JSONBytes.appendString(bytes, to: &output)
            return
        }
        guard let shape = parse(bytes, withZone: withZone) else {
            throw ValueMappingFailure("timestamp text is not in ISO format (the session needs DateStyle = ISO)")
        }
        output.append(JSONBytes.quote)
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<shape.space]))
        output.append(UInt8(ascii: "T"))
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(shape.space + 1)..<shape.zone]))
        if withZone { appendOffset(UnsafeBufferPointer(rebasing: bytes[shape.zone...]), to: &output) }
        output.append(JSONBytes.quote)
    }

    private static func endsWithBC(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count > 3 && bytes[bytes.count - 3] == UInt8(ascii: " ") && bytes[bytes.count - 2] == UInt8(ascii: "B")
            && bytes[bytes.count - 1] == UInt8(ascii: "C")
    }

    /// Checks `Y+-MM-DD HH:MM:SS[.f+][±HH[:MM[:SS]]]` and returns where the space and the zone are
    /// (`zone` is the end when there is none).
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, withZone: Bool) -> (space: Int, zone: Int)? {
        var index = 0
        func digits(_ minimum: Int, _ maximum: Int) -> Bool {
            let start = index
            while index < bytes.count, index - start < maximum, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - start >= minimum
        }
        func byte(_ expected: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: expected) else { return false }
            index += 1
            return true
        }
        guard digits(4, 9), byte("-"), digits(2, 2), byte("-"), digits(2, 2) else { return nil }
        let space = index
        guard byte(" "), digits(2, 2), byte(":"), digits(2, 2), byte(":"), digits(2, 2) else { return nil }
        if byte("."), !digits(1, 9) { return nil }
        let zone = index
        if withZone {
            guard byte("+") || byte("-"), digits(2, 2) else { return nil }
            if byte(":"), !digits(2, 2) { return nil }
            if byte(":"), !digits(2, 2) { return nil }
        }
        return index == bytes.count ? (space, zone) : nil
    }

    /// `±HH[:MM[:SS]]`, already checked: all zeros → `Z`, else `±HH:MM[:SS]`.
    private static func appendOffset(_ offset: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        if offset.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ":") }) {
            output.append(UInt8(ascii: "Z"))
            return
        }
        output.append(contentsOf: offset)
        if offset.count == 3 { JSONBytes.append(":00", to: &output) }
    }
}
