/// Reads a document's JSON straight from its bytes (RFC 8259, UTF-8 validated, depth bounded), handing
/// the walker member names and scalar values without building a tree: strings without escapes are slices
/// of the source, escaped ones are decoded into a scratch buffer. Notes whether any whitespace sits
/// between tokens (a compact source is stored as given).
struct SourceReader {
    static let maximumDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var sawWhitespace = false
    /// Decoded text of the last escaped string.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// A string value: a range of the source (`escaped == false`) or the contents of `scratch`.
    struct StringSlice {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    func failure(_ reason: String) -> SearchError {
        SearchError("mapper_parsing_exception", "failed to parse", causedBy: [SearchError("json_parse_exception", "\(reason) at byte \(index)")])
    }

    @inline(__always)
    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09:
                sawWhitespace = true
                index += 1
            default: return
            }
        }
    }

    /// The next non-space byte (not consumed), or nil at the end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipSpace()
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func expect(_ byte: UInt8) throws(SearchError) {
        guard peek() == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// After a member or element: true when another follows (`,`), false at the closing byte.
    mutating func next(closing: UInt8) throws(SearchError) -> Bool {
        switch peek() {
        case UInt8(ascii: ",")?:
            index += 1
            return true
        case closing?:
            index += 1
            return false
        default: throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
        }
    }

    /// A member name, as a String (short names are stored inline, without allocation).
    mutating func readName() throws(SearchError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw failure("expected a member name") }
        let slice = try readString()
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
        index += 1
        if slice.escaped { return String(decoding: scratch, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[slice.start..<slice.end]), as: UTF8.self)
    }

    /// Reads a string (the opening quote at `index`), validating UTF-8 and decoding escapes.
    mutating func readString() throws(SearchError) -> StringSlice {
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if !ascii, !UTF8Validation.isValid(UnsafeBufferPointer(rebasing: bytes[start..<index])) { throw failure("invalid UTF-8 in a string") }
                index += 1
                return StringSlice(start: start, end: index - 1, escaped: false)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("control character in a string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        guard index < bytes.count else { throw failure("unterminated string") }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        try readEscapedRest()
        guard UTF8Validation.isValid(scratch) else { throw failure("invalid UTF-8 in a string") }
        return StringSlice(start: start, end: index - 1, escaped: true)
    }

    private mutating func readEscapedRest() throws(SearchError) {
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"): UTF8Scalars.append(try unicodeEscape(), to: &scratch)
                default: throw failure("unknown escape")
                }
            default:
                if byte < 0x20 { throw failure("control character in a string") }
                scratch.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    private mutating func unicodeEscape() throws(SearchError) -> UInt32 {
        let high = try hex4()
        guard (0xD800..<0xDC00).contains(high) else {
            guard !(0xDC00..<0xE000).contains(high) else { throw failure("lone low surrogate") }
            return high
        }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw failure("lone high surrogate") }
        index += 2
        let low = try hex4()
        guard (0xDC00..<0xE000).contains(low) else { throw failure("invalid low surrogate") }
        return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    }

    private mutating func hex4() throws(SearchError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("unexpected end") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// A number's text (validated as JSON requires) and its value when it is an integer that fits Int64.
    mutating func readNumber() throws(SearchError) -> (start: Int, end: Int, integer: Int64?) {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        var value: Int64 = 0
        var overflow = false
        while index < bytes.count, bytes[index] &- 0x30 < 10 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(bytes[index] &- 0x30))
            overflow = overflow || o1 || o2
            value = sum
            index += 1
        }
        guard index > digitsStart else { throw failure("unexpected character") }
        if bytes[digitsStart] == UInt8(ascii: "0"), index - digitsStart > 1 { throw failure("leading zero") }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fraction = index
            while index < bytes.count, bytes[index] &- 0x30 < 10 { index += 1 }
            guard index > fraction else { throw failure("digits expected after '.'") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponent = index
            while index < bytes.count, bytes[index] &- 0x30 < 10 { index += 1 }
            guard index > exponent else { throw failure("digits expected in the exponent") }
        }
        guard isInteger else { return (start, index, nil) }
        if overflow {
            // -9223372036854775808 overflows the positive accumulation by one.
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return (start, index, Int64(text))
        }
        return (start, index, bytes[start] == UInt8(ascii: "-") ? -value : value)
    }

    mutating func readLiteral(_ word: StaticString) throws(SearchError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("unexpected end") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw failure("unexpected character") }
        index += count
    }

    /// Reads past one value of any kind, validating it.
    mutating func skipValue(depth: Int) throws(SearchError) {
        guard depth < Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth)") }
        switch peek() {
        case UInt8(ascii: "{")?:
            index += 1
            if peek() == UInt8(ascii: "}") {
                index += 1
                return
            }
            repeat {
                _ = try readName()
                try skipValue(depth: depth + 1)
            } while try next(closing: UInt8(ascii: "}"))
        case UInt8(ascii: "[")?:
            index += 1
            if peek() == UInt8(ascii: "]") {
                index += 1
                return
            }
            repeat { try skipValue(depth: depth + 1) } while try next(closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\"")?: _ = try readString()
        case UInt8(ascii: "t")?: try readLiteral("true")
        case UInt8(ascii: "f")?: try readLiteral("false")
        case UInt8(ascii: "n")?: try readLiteral("null")
        case nil: throw failure("unexpected end")
        default: _ = try readNumber()
        }
    }
}

/// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
enum UTF8Validation {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { isValid($0) }
    }

    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard index + length <= count, bytes[index + 1] >= lower, bytes[index + 1] <= upper else { return false }
            for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
