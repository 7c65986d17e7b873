/// Parses one row of PostgreSQL's COPY text format (tab-separated, `\N` for NULL, backslash escapes) into
/// the same `TupleData` the stream delivers, so that snapshot rows and streamed rows encode alike.
enum CopyTextRow {
    static func parse(_ line: UnsafeRawBufferPointer, columns: Int) throws(CaptureError) -> TupleData {
        var values: [TupleData.Value] = []
        values.reserveCapacity(columns)
        var end = line.count
        if end > 0, line[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        var field: [UInt8] = []
        var index = 0
        var isNull = false
        func finish() {
            values.append(isNull ? .null : .text(field))
            field = []
            isNull = false
        }
        while index < end {
            let byte = line[index]
            if byte == UInt8(ascii: "\t") {
                finish()
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "\\"), index + 1 < end else {
                field.append(byte)
                index += 1
                continue
            }
            let next = line[index + 1]
            index += 2
            switch next {
            case UInt8(ascii: "N") where field.isEmpty && (index == end || line[index] == UInt8(ascii: "\t")): isNull = true
            case UInt8(ascii: "b"): field.append(8)
            case UInt8(ascii: "f"): field.append(12)
            case UInt8(ascii: "n"): field.append(10)
            case UInt8(ascii: "r"): field.append(13)
            case UInt8(ascii: "t"): field.append(9)
            case UInt8(ascii: "v"): field.append(11)
            case UInt8(ascii: "x"):
                var value: UInt8 = 0
                var digits = 0
                while digits < 2, index < end, let digit = hexDigit(line[index]) {
                    value = value << 4 | digit
                    index += 1
                    digits += 1
                }
                field.append(digits == 0 ? UInt8(ascii: "x") : value)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(next - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < end, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(line[index]) {
                    value = value << 3 | UInt32(line[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                field.append(UInt8(truncatingIfNeeded: value))
            default: field.append(next)
            }
        }
        finish()
        guard values.count == columns else {
            throw CaptureError(.snapshot, "COPY returned \(values.count) columns, expected \(columns)")
        }
        return TupleData(values)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
