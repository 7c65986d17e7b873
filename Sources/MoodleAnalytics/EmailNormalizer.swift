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
        let trimmed = email.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        var lowered = String(trimmed).lowercased()
        if foldPlusTags, let at = lowered.lastIndex(of: "@"), let plus = lowered[..<at].firstIndex(of: "+") {
            lowered.removeSubrange(plus..<at)
        }
        return lowered
    }

    /// Whether two emails are the same administrator address: equal after normalizing, and not empty.
    public func matches(_ a: String, _ b: String) -> Bool {
        let normalized = normalize(a)
        return !normalized.isEmpty && normalized == normalize(b)
    }
}
