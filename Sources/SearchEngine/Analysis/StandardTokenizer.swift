/// Lucene's `StandardTokenizer` (the grammar of `StandardTokenizerImpl.jflex`, Unicode UAX#29 word breaks),
/// written by hand over UTF-8 bytes. At each position the longest of these matches is a token:
///
/// - words: runs of letters and digits joined as UAX#29 WB5–WB13b allow (`can't`, `e.g`, `3.14`, `1,000`,
///   `A:B`, `foo_bar`, `R2D2`), Hangul runs and Katakana runs;
/// - one Han ideograph or one Hiragana character;
/// - runs of South-East Asian script (Thai, Lao, Myanmar, Khmer) kept whole;
/// - emoji: a character or presentation/modifier sequence, ZWJ sequences, keycaps, flag pairs (Lucene 8+
///   makes these `<EMOJI>` tokens, so do we);
///
/// everything else (spaces, punctuation, symbols) separates tokens and is dropped. Characters of the classes
/// Extend/Format/ZWJ stay with the character before them (WB4). Class lookups go through two tables (ASCII,
/// BMP); only supplementary-plane scalars are classified on the fly.
enum StandardTokenizer {
    typealias W = WordBreak

    static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, maxLength: Int, into sink: inout TokenSink) {
        W.ascii.withUnsafeBufferPointer { ascii in
            W.bmp.withUnsafeBufferPointer { bmp in
                var scanner = Scanner(bytes: bytes, ascii: ascii, bmp: bmp)
                scanner.run(maxLength: maxLength, into: &sink)
            }
        }
    }

    enum Core: UInt8 { case none, letter, hebrew, hebrewQuote, numeric, katakana }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        let ascii: UnsafeBufferPointer<UInt8>
        let bmp: UnsafeBufferPointer<UInt8>

        /// The class byte and byte length of the scalar at `index` (`index < bytes.count`).
        @inline(__always)
        func unit(_ index: Int) -> (cls: UInt8, length: Int) {
            let lead = bytes[index]
            if lead < 0x80 { return (ascii[Int(lead)], 1) }
            let (value, length) = UTF8Scalars.decode(bytes, at: index)
            return (value < 0x1_0000 ? bmp[Int(value)] : W.classify(value), length)
        }

        @inline(__always)
        func isAbsorbed(_ cls: UInt8) -> Bool {
            let base = cls & W.classMask
            return base == W.extend || base == W.zwj || base == W.presentationSelector
        }

        /// The index after any Extend/Format/ZWJ/variation selectors at `index` (WB4).
        @inline(__always)
        func skipAbsorbed(_ index: Int) -> Int {
            var index = index
            while index < bytes.count {
                let lead = bytes[index]
                if lead < 0x80 { return index }
                let (cls, length) = unit(index)
                guard isAbsorbed(cls) else { return index }
                index += length
            }
            return index
        }

        mutating func run(maxLength: Int, into sink: inout TokenSink) {
            var index = 0
            let count = bytes.count
            while index < count {
                let (cls, length) = unit(index)
                var end = index
                switch cls & W.classMask {
                case W.aLetter, W.hebrewLetter, W.numeric, W.katakana, W.extendNumLet: end = matchWord(index)
                case W.han, W.hiragana: end = skipAbsorbed(index + length)
                case W.southEastAsian: end = matchSouthEastAsian(index)
                case W.regionalIndicator: end = matchFlag(index, length)
                default: break
                }
                if cls & (W.emojiCharFlag | W.emojiModifierBaseFlag) != 0 || cls & W.classMask == W.zwj || cls & W.classMask == W.emojiModifier
                    || (cls & W.keycapBaseFlag != 0 && index + 1 < count && bytes[index + 1] >= 0x80)
                {
                    end = max(end, matchEmoji(index, cls))
                }
                if end > index {
                    let cut = UTF8Scalars.cut(bytes, start: index, end: end, maxLength: maxLength)
                    sink.emit(bytes, start: index, end: cut)
                    index = cut
                } else {
                    index += length
                }
            }
        }

        // MARK: Words (WB5–WB13b)

        /// The end of the longest word starting at `start` (`start` when none does, e.g. a lone `_`).
        func matchWord(_ start: Int) -> Int {
            var index = start
            var accepted = start
            var last = Core.none
            var afterExtendNumLet = false
            var pendingMid: UInt8 = 0
            let count = bytes.count
            while index < count {
                let lead = bytes[index]
                let cls: UInt8
                let length: Int
                if lead < 0x80 {
                    cls = ascii[Int(lead)]
                    length = 1
                } else {
                    (cls, length) = unit(index)
                }
                let base = cls & W.classMask
                if base == W.aLetter || base == W.numeric || base == W.hebrewLetter || base == W.katakana {
                    let core = Self.core(base)
                    if pendingMid != 0 || afterExtendNumLet || last == .none || last == .katakana || core == .katakana {
                        guard joins(last, core, mid: pendingMid, afterExtendNumLet: afterExtendNumLet) else { return accepted }
                        pendingMid = 0
                        afterExtendNumLet = false
                    }
                    index += length
                    if index < count, bytes[index] >= 0x80 { index = skipAbsorbed(index) }
                    last = core
                    accepted = index
                } else if base == W.extendNumLet {
                    if pendingMid != 0 { return accepted }
                    index = skipAbsorbed(index + length)
                    afterExtendNumLet = true
                    if last != .none { accepted = index }
                } else if base >= W.midLetter && base <= W.doubleQuote {
                    if pendingMid != 0 || afterExtendNumLet || last == .none || last == .katakana || last == .hebrewQuote { return accepted }
                    index = skipAbsorbed(index + length)
                    if last == .hebrew && base == W.singleQuote {
                        // WB7a: Hebrew_Letter × Single_Quote — the quote belongs to the word even at its end.
                        last = .hebrewQuote
                        accepted = index
                    } else {
                        pendingMid = base
                    }
                } else {
                    return accepted
                }
            }
            return accepted
        }

        @inline(__always)
        static func core(_ base: UInt8) -> Core {
            switch base {
            case W.aLetter: .letter
            case W.hebrewLetter: .hebrew
            case W.numeric: .numeric
            default: .katakana
            }
        }

        /// Whether a letter/digit/katakana `next` continues a word whose last core character was `last`.
        @inline(__always)
        func joins(_ last: Core, _ next: Core, mid: UInt8, afterExtendNumLet: Bool) -> Bool {
            if last == .none || afterExtendNumLet { return true }
            let lastIsLetter = last == .letter || last == .hebrew
            let nextIsLetter = next == .letter || next == .hebrew
            if mid != 0 {
                if lastIsLetter && nextIsLetter {
                    // WB6/WB7, WB7b/WB7c
                    return mid == W.midLetter || mid == W.midNumLet || mid == W.singleQuote || (mid == W.doubleQuote && last == .hebrew && next == .hebrew)
                }
                if last == .numeric && next == .numeric {
                    return mid == W.midNum || mid == W.midNumLet || mid == W.singleQuote  // WB11/WB12
                }
                return false
            }
            if last == .katakana || next == .katakana { return last == next }  // WB13
            return true  // WB5, WB8, WB9, WB10 (and letters after a Hebrew letter's quote)
        }

        // MARK: Other runs

        func matchSouthEastAsian(_ start: Int) -> Int {
            var index = start
            while index < bytes.count {
                let (cls, length) = unit(index)
                guard cls & W.classMask == W.southEastAsian else { break }
                index = skipAbsorbed(index + length)
            }
            return index
        }

        /// A flag: two regional indicators (the first at `start`, `firstLength` bytes long).
        func matchFlag(_ start: Int, _ firstLength: Int) -> Int {
            let index = skipAbsorbed(start + firstLength)
            guard index < bytes.count else { return start }
            let (cls, length) = unit(index)
            guard cls & W.classMask == W.regionalIndicator else { return start }
            return skipAbsorbed(index + length)
        }
    }
}
