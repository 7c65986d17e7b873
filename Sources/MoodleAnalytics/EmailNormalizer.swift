/// The `normalize` of DESIGN.md's Q2: a community user administers a site when the normalized emails are
/// equal.
///
/// - Trims Unicode whitespace and newlines at both ends (`Character.isWhitespace`: spaces, tabs, CR/LF,
///   NBSP, U+2028, ideographic space, ...; inner whitespace is kept).
/// - Lower-cases with Swift's Unicode-aware, locale-independent `lowercased()` (`É` → `é`, `İ` → `i̇`).
///   SQL computing the same answer must lower-case the same way (e.g. PostgreSQL `lower()` under an ICU
///   or `C.UTF-8` collation agrees for letters outside the Turkish/Greek special cases).
/// - With `foldPlusTags`, removes a `+tag` from the local part: everything from the first `+` up to the
///   last `@` (`ann+moodle@x.org` → `ann@x.org`). A text with no `@` has no local part and is left as is.
///
/// An empty result means "no email": `matches` is false for it, so it never joins anything.
public struct EmailNormalizer: Hashable, Sendable {
    public var foldPlusTags: Bool

    public init(foldPlusTags: Bool = false) {
        self.foldPlusTags = foldPlusTags
    }

    public func normalize(_ email: String) -> String {
        var lowered = Self.asciiTrimmedLowercased(email) ?? {
            let trimmed = email.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
            return String(trimmed).lowercased()
        }()
        if foldPlusTags, let at = lowered.lastIndex(of: "@"), let plus = lowered[..<at].firstIndex(of: "+") {
            lowered.removeSubrange(plus..<at)
        }
        return lowered
    }

    /// The common case without Unicode machinery: an all-ASCII text, trimmed of ASCII whitespace (what
    /// `Character.isWhitespace` is in ASCII: tab, LF, VT, FF, CR, space) and lower-cased byte by byte; nil for
    /// anything else. (`CR LF` is one Character but both halves are whitespace, so trimming agrees.)
    static func asciiTrimmedLowercased(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            let isSpace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
            var start = 0
            var end = bytes.count
            while start < end, isSpace(bytes[start]) { start += 1 }
            while end > start, isSpace(bytes[end - 1]) { end -= 1 }
            var changed = start > 0 || end < bytes.count
            for index in start..<end {
                let byte = bytes[index]
                if byte >= 0x80 { return nil }
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { changed = true }
            }
            guard changed else { return String(decoding: bytes, as: UTF8.self) }
            return String(unsafeUninitializedCapacity: end - start) { output in
                for index in start..<end {
                    let byte = bytes[index]
                    output[index - start] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                }
                return end - start
            }
        }
    }

    /// Whether two emails are the same administrator address: equal after normalizing, and not empty.
    public func matches(_ a: String, _ b: String) -> Bool {
        let normalized = normalize(a)
        return !normalized.isEmpty && normalized == normalize(b)
    }
}
