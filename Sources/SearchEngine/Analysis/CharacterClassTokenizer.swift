/// Lucene's `CharTokenizer` family: maximal runs of scalars that satisfy a predicate, split at
/// `maxLength` UTF-16 units (`LetterTokenizer` for `simple`, `WhitespaceTokenizer` for `whitespace`).
enum CharacterClassTokenizer {
    static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, maxLength: Int, isTokenScalar: (UInt32) -> Bool, into sink: inout TokenSink) {
        var index = 0
        var start = -1
        var units = 0
        while index < bytes.count {
            let (value, length) = UTF8Scalars.decode(bytes, at: index)
            if isTokenScalar(value) {
                if start < 0 { start = index }
                index += length
                units += value >= 0x1_0000 ? 2 : 1
                if units >= maxLength {
                    sink.emit(bytes, start: start, end: index)
                    start = -1
                    units = 0
                }
            } else {
                if start >= 0 { sink.emit(bytes, start: start, end: index) }
                start = -1
                units = 0
                index += length
            }
        }
        if start >= 0 { sink.emit(bytes, start: start, end: index) }
    }

    /// Java's `Character.isLetter`: general category L*.
    static func isLetter(_ value: UInt32) -> Bool {
        if value < 0x80 { return (value | 0x20) &- 0x61 < 26 }
        guard let scalar = Unicode.Scalar(value) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Not Java's `Character.isWhitespace` (space/line/paragraph separators other than no-break spaces,
    /// and U+0009–U+000D, U+001C–U+001F).
    static func isNotWhitespace(_ value: UInt32) -> Bool {
        if value < 0x80 { return !(value == 0x20 || (0x09...0x0D).contains(value) || (0x1C...0x1F).contains(value)) }
        if value == 0xA0 || value == 0x2007 || value == 0x202F { return true }
        guard let scalar = Unicode.Scalar(value) else { return true }
        switch scalar.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return false
        default: return true
        }
    }
}
