/// Emoji sequences, as Lucene's grammar (after Unicode TR#51 `emoji_sequence`) matches them:
///
///     element  = ZWJ* EmojiChar Ext* FE0F? | (ZWJ* ModifierBase Ext*)? Modifier Ext*
///     sequence = element (ZWJ element)* | KeycapBase Ext* FE0F? U+20E3 Ext*
///
/// where `Ext` is Extend/Format/ZWJ without the variation selectors (tag sequences are Format characters,
/// so they follow their base as `Ext`). Flags (regional-indicator pairs) are matched by the main loop.
extension StandardTokenizer.Scanner {
    private typealias W = WordBreak

    /// The end of the longest emoji sequence starting at `start` (whose class byte is `cls`), or `start`.
    func matchEmoji(_ start: Int, _ cls: UInt8) -> Int {
        if cls & W.keycapBaseFlag != 0 { return matchKeycap(start) }
        guard var element = matchElement(start) else { return start }
        while true {
            var next: (end: Int, endsWithJoiner: Bool)?
            if element.endsWithJoiner {
                next = matchElement(element.end)
            } else if element.end < bytes.count, unit(element.end).cls & W.classMask == W.zwj {
                next = matchElement(element.end + 3)
            }
            guard let following = next else { return element.end }
            element = following
        }
    }

    private func matchKeycap(_ start: Int) -> Int {
        var index = skipExtensions(start + 1).end
        if index + 2 < bytes.count, bytes[index] == 0xEF, bytes[index + 1] == 0xB8, bytes[index + 2] == 0x8F { index += 3 }  // U+FE0F
        guard index + 2 < bytes.count, bytes[index] == 0xE2, bytes[index + 1] == 0x83, bytes[index + 2] == 0xA3 else { return start }  // U+20E3
        return skipExtensions(index + 3).end
    }

    /// One emoji element; `endsWithJoiner` when its trailing extensions end with a ZWJ (which may then join
    /// the next element).
    private func matchElement(_ start: Int) -> (end: Int, endsWithJoiner: Bool)? {
        var index = start
        while index < bytes.count, unit(index).cls & W.classMask == W.zwj { index += 3 }
        guard index < bytes.count else { return nil }
        let (cls, length) = unit(index)
        if cls & W.classMask == W.emojiModifier { return skipExtensions(index + length) }
        if cls & W.emojiModifierBaseFlag != 0 {
            let afterBase = skipExtensions(index + length).end
            if afterBase < bytes.count {
                let (modifier, modifierLength) = unit(afterBase)
                if modifier & W.classMask == W.emojiModifier { return skipExtensions(afterBase + modifierLength) }
            }
        }
        guard cls & W.emojiCharFlag != 0 else { return nil }
        let extended = skipExtensions(index + length)
        if extended.end < bytes.count, UTF8Scalars.decode(bytes, at: extended.end).value == 0xFE0F {
            return (extended.end + 3, false)
        }
        return extended
    }

    /// Skips Extend/Format/ZWJ except the variation selectors U+FE0E/U+FE0F.
    private func skipExtensions(_ start: Int) -> (end: Int, endsWithJoiner: Bool) {
        var index = start
        var joiner = false
        while index < bytes.count, bytes[index] >= 0x80 {
            let (cls, length) = unit(index)
            let base = cls & W.classMask
            guard base == W.extend || base == W.zwj else { break }
            joiner = base == W.zwj
            index += length
        }
        return (index, joiner)
    }
}
