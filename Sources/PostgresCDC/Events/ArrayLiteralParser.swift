/// PostgreSQL array literals (`array_out`) → JSON arrays, each element mapped with the element type.
///
/// Handles `{1,2,NULL}`, nested dimensions `{{1,2},{3,4}}`, quoted elements with backslash escapes
/// (`{"a \"b\"","c\\d"}`), unquoted `NULL` (any case) as null while quoted `"NULL"` is the string, and the
/// `[1:3]={...}` prefix that `array_out` writes when a lower bound is not 1 (the bounds are dropped: JSON
/// arrays start at 0). The delimiter is `,`, which every type with a mapping uses (only `box` uses `;`).
struct ArrayLiteralParser {
    /// PostgreSQL's MAXDIM.
    static let maximumDepth = 6

    private let text: UnsafeBufferPointer<UInt8>
    private let element: ScalarKind
    private var index = 0
    private var scratch: [UInt8] = []

    static func append(_ text: UnsafeBufferPointer<UInt8>, element: ScalarKind,
                       to output: inout [UInt8]) throws(ValueMappingFailure) {
        var parser = ArrayLiteralParser(text: text, element: element)
        try parser.parse(into: &output)
    }

    private init(text: UnsafeBufferPointer<UInt8>, element: ScalarKind) {
        self.text = text
        self.element = element
    }

    private mutating func parse(into output: inout [UInt8]) throws(ValueMappingFailure) {
        skipWhitespace()
        if peek == UInt8(ascii: "[") { try skipDimensions() }
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { throw malformed("expected {") }
        try parseLevel(depth: 1, into: &output)
        skipWhitespace()
        guard index == text.count else { throw malformed("text after the closing }") }
    }

    /// `[lower:upper]` (or `[upper]`) once per dimension, then `=`.
    private mutating func skipDimensions() throws(ValueMappingFailure) {
        while peek == UInt8(ascii: "[") {
            while index < text.count, text[index] != UInt8(ascii: "]") { index += 1 }
            guard index < text.count else { throw malformed("unterminated dimension") }
            index += 1
        }
        skipWhitespace()
        guard peek == UInt8(ascii: "=") else { throw malformed("expected = after the dimensions") }
        index += 1
    }

    /// At a `{`: one dimension, recursively.
    private mutating func parseLevel(depth: Int, into output: inout [UInt8]) throws(ValueMappingFailure) {
        guard depth <= Self.maximumDepth else { throw malformed("more than \(Self.maximumDepth) dimensions") }
        index += 1  // {
        output.append(UInt8(ascii: "["))
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            output.append(UInt8(ascii: "]"))
            return
        }
        while true {
            skipWhitespace()
            switch peek {
            case UInt8(ascii: "{"): try parseLevel(depth: depth + 1, into: &output)
            case UInt8(ascii: "\""): try parseQuoted(into: &output)
            case nil: throw malformed("unterminated array")
            default: try parseUnquoted(into: &output)
            }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","):
                index += 1
                output.append(UInt8(ascii: ","))
            case UInt8(ascii: "}"):
                index += 1
                output.append(UInt8(ascii: "]"))
                return
            default:
                throw malformed("expected , or }")
            }
        }
    }

    private mutating func parseQuoted(into output: inout [UInt8]) throws(ValueMappingFailure) {
        index += 1  // "
        scratch.removeAll(keepingCapacity: true)
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                try mapElement(into: &output)
                return
            }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < text.count else { break }
            }
            scratch.append(text[index])
            index += 1
        }
        throw malformed("unterminated quoted element")
    }

    private mutating func parseUnquoted(into output: inout [UInt8]) throws(ValueMappingFailure) {
        scratch.removeAll(keepingCapacity: true)
        var trimmedCount = 0  // scratch's length without trailing unescaped whitespace
        var escaped = false  // `N\ULL` is the string, as in array_in
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") { break }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "\"") { throw malformed("unexpected \(Character(Unicode.Scalar(byte)))") }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < text.count else { throw malformed("dangling backslash") }
                scratch.append(text[index])
                trimmedCount = scratch.count
                escaped = true
            } else {
                scratch.append(byte)
                if !Self.isWhitespace(byte) { trimmedCount = scratch.count }
            }
            index += 1
        }
        scratch.removeLast(scratch.count - trimmedCount)
        let isNull = !escaped && scratch.withUnsafeBufferPointer { JSONBytes.equalsIgnoringCase($0, "null") }
        if isNull {
            JSONBytes.append("null", to: &output)
        } else {
            try mapElement(into: &output)
        }
    }

    private func mapElement(into output: inout [UInt8]) throws(ValueMappingFailure) {
        let element = self.element
        try scratch.withUnsafeBufferPointer { bytes throws(ValueMappingFailure) in try element.append(bytes, to: &output) }
    }

    private var peek: UInt8? { index < text.count ? text[index] : nil }

    private mutating func skipWhitespace() {
        while index < text.count, Self.isWhitespace(text[index]) { index += 1 }
    }

    /// `array_in`'s `scanner_isspace`.
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    private func malformed(_ what: String) -> ValueMappingFailure {
        ValueMappingFailure("malformed array literal: \(what)")
    }
}
