/// Unicode word-break classes (UAX#29 `Word_Break`, as Lucene's `StandardTokenizer` grammar uses them) of
/// every scalar, computed once from the standard library's Unicode properties. The low five bits of a class
/// byte are the `WordBreak` value; the high bits flag the scalar's emoji roles.
enum WordBreak {
    static let other: UInt8 = 0
    static let aLetter: UInt8 = 1
    static let hebrewLetter: UInt8 = 2
    static let numeric: UInt8 = 3
    static let katakana: UInt8 = 4
    static let extendNumLet: UInt8 = 5
    static let midLetter: UInt8 = 6
    static let midNum: UInt8 = 7
    static let midNumLet: UInt8 = 8
    static let singleQuote: UInt8 = 9
    static let doubleQuote: UInt8 = 10
    /// `Extend` and `Format` (absorbed by the preceding character, UAX#29 WB4).
    static let extend: UInt8 = 11
    /// U+200D ZERO WIDTH JOINER: absorbed like `extend`, and joins emoji.
    static let zwj: UInt8 = 12
    /// U+FE0E/U+FE0F variation selectors: absorbed like `extend` except after emoji.
    static let presentationSelector: UInt8 = 13
    static let han: UInt8 = 14
    static let hiragana: UInt8 = 15
    /// `Line_Break=Complex_Context`: Thai, Lao, Myanmar, Khmer, ... (runs are kept whole).
    static let southEastAsian: UInt8 = 16
    static let regionalIndicator: UInt8 = 17
    /// Emoji skin-tone modifiers (their own class, as in Unicode 9 which Lucene's grammar uses).
    static let emojiModifier: UInt8 = 18

    static let classMask: UInt8 = 0x1F
    static let emojiCharFlag: UInt8 = 0x20
    static let emojiModifierBaseFlag: UInt8 = 0x40
    static let keycapBaseFlag: UInt8 = 0x80

    /// Classes of the 128 ASCII bytes.
    static let ascii: [UInt8] = (0..<128).map { classify(UInt32($0)) }

    /// Classes of the Basic Multilingual Plane, built on first use (a few milliseconds, 64 KiB).
    static let bmp: [UInt8] = (0..<0x1_0000).map { classify(UInt32($0)) }

    /// The class byte of any scalar value (surrogates and invalid values are `other`). Kept out of line:
    /// `Unicode.Scalar.Properties` is resilient, and inlining it would put a metadata call and a dynamic
    /// stack allocation into every caller's prologue.
    @inline(never)
    static func classify(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return other }
        let properties = scalar.properties
        var flags: UInt8 = 0
        switch value {
        case 0x30...0x39, 0x23, 0x2A: flags |= keycapBaseFlag
        case 0x1F1E6...0x1F1FF, 0x1F3FB...0x1F3FF: break
        default: if properties.isEmoji { flags |= emojiCharFlag }
        }
        if properties.isEmojiModifierBase { flags |= emojiModifierBaseFlag }
        return baseClass(value, properties) | flags
    }

    private static func baseClass(_ value: UInt32, _ properties: Unicode.Scalar.Properties) -> UInt8 {
        if let explicit = explicitClass(value) { return explicit }
        let category = properties.generalCategory
        if category == .connectorPunctuation { return extendNumLet }
        if isKatakana(value) { return katakana }
        if isHiragana(value) { return hiragana }
        if properties.isGraphemeExtend || category == .spacingMark { return extend }
        if category == .format { return value == 0x200B ? other : extend }
        if category == .otherLetter, (0x05D0...0x05F2).contains(value) || (0xFB1D...0xFB4F).contains(value) { return hebrewLetter }
        if category == .decimalNumber { return numeric }
        if isSouthEastAsian(value, category) { return southEastAsian }
        if isHan(value, properties) { return han }
        if properties.isIdeographic { return other }
        if properties.isAlphabetic || isExtraALetter(value) { return aLetter }
        return other
    }

    /// Scalars whose class is listed by value in WordBreakProperty.txt.
    private static func explicitClass(_ value: UInt32) -> UInt8? {
        switch value {
        case 0x200D: zwj
        case 0xFE0E, 0xFE0F: presentationSelector
        case 0x1F3FB...0x1F3FF: emojiModifier
        case 0x1F1E6...0x1F1FF: regionalIndicator
        case 0x22: doubleQuote
        case 0x27: singleQuote
        case 0x2E, 0x2018, 0x2019, 0x2024, 0xFE52, 0xFF07, 0xFF0E: midNumLet
        case 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2027, 0xFE13, 0xFE55, 0xFF1A: midLetter
        case 0x2C, 0x3B, 0x37E, 0x589, 0x60C, 0x60D, 0x66C, 0x7F8, 0x2044, 0xFE10, 0xFE14, 0xFE50, 0xFE54, 0xFF0C, 0xFF1B: midNum
        case 0x66B: numeric
        case 0x202F: extendNumLet
        default: nil
        }
    }

    private static func isKatakana(_ value: UInt32) -> Bool {
        switch value {
        case 0x3031...0x3035, 0x309B, 0x309C, 0x30A0...0x30FA, 0x30FC...0x30FF, 0x31F0...0x31FF, 0x32D0...0x32FE,
            0x3300...0x3357, 0xFF66...0xFF9D, 0x1AFF0...0x1AFFE, 0x1B000, 0x1B120...0x1B122, 0x1B155, 0x1B164...0x1B167:
            true
        default: false
        }
    }

    private static func isHiragana(_ value: UInt32) -> Bool {
        switch value {
        case 0x3041...0x3096, 0x309D...0x309F, 0x1B001...0x1B11F, 0x1B132, 0x1B150...0x1B152, 0x1F200: true
        default: false
        }
    }

    /// `Line_Break=Complex_Context`, approximated as the letters and marks of the South-East Asian scripts.
    private static func isSouthEastAsian(_ value: UInt32, _ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .otherLetter, .modifierLetter, .nonspacingMark, .spacingMark: break
        default: return false
        }
        switch value {
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF, 0x1950...0x19DF, 0x1A20...0x1AAF, 0xA9E0...0xA9FF, 0xAA60...0xAADF,
            0x11700...0x1174F:
            return true
        default: return false
        }
    }

    /// `Script=Han`, approximated: ideographs outside Tangut/Nushu/Khitan, the CJK radicals, U+3005 and U+303B.
    private static func isHan(_ value: UInt32, _ properties: Unicode.Scalar.Properties) -> Bool {
        switch value {
        case 0x2E80...0x2FDF, 0x3005, 0x3007, 0x3021...0x3029, 0x3038...0x303B: return true
        case 0x3006, 0x16FE0...0x16FFF, 0x17000...0x18DFF, 0x1B170...0x1B2FF: return false
        default: return properties.isIdeographic
        }
    }

    /// Non-alphabetic scalars WordBreakProperty.txt lists as ALetter (modifier letters, Armenian, Hebrew punctuation).
    private static func isExtraALetter(_ value: UInt32) -> Bool {
        switch value {
        case 0x02C2...0x02C5, 0x02D2...0x02D7, 0x02DE...0x02DF, 0x02E5...0x02EB, 0x02ED, 0x02EF...0x02FF, 0x055A...0x055C, 0x055E,
            0x058A, 0x05F3, 0xA708...0xA716, 0xA720...0xA721, 0xA789...0xA78A, 0xAB5B:
            true
        default: false
        }
    }
}
