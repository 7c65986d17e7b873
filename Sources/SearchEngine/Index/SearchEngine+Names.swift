#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Index names: validation as OpenSearch does it, and resolving index expressions.
extension SearchEngine {
    /// OpenSearch's `MetadataCreateIndexService.validateIndexName`, checks and messages in its order.
    public static func validateIndexName(_ name: String) throws(SearchError) {
        func invalid(_ reason: String) -> SearchError {
            SearchError("invalid_index_name_exception", "Invalid index name [\(name)], \(reason)", status: 400, index: name, details: [("index_uuid", "_na_")])
        }
        let forbidden: Set<Character> = ["\\", "/", "*", "?", "\"", "<", ">", "|", " ", ","]
        if name.contains(where: { forbidden.contains($0) }) {
            throw invalid("must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]")
        }
        if name.isEmpty { throw invalid("must not be empty") }
        if name.contains("#") { throw invalid("must not contain '#'") }
        if name.contains(":") { throw invalid("must not contain ':'") }
        if let first = name.first, first == "_" || first == "-" || first == "+" { throw invalid("must not start with '_', '-', or '+'") }
        let bytes = name.utf8.count
        if bytes > SearchLimits.maxIndexNameBytes { throw invalid("index name is too long, (\(bytes) > \(SearchLimits.maxIndexNameBytes))") }
        if name == "." || name == ".." { throw invalid("must not be '.' or '..'") }
        if name.lowercased() != name { throw invalid("must be lowercase") }
    }

    /// Resolves an index expression: comma-separated names, `*` wildcards, `_all` (or empty or `*`) for every
    /// index, and `-pattern` to exclude what earlier parts matched. A missing concrete name is
    /// `index_not_found_exception`; so is an expression matching nothing unless `allowNoIndices`.
    public func resolve(_ expression: String, allowNoIndices: Bool = false) throws(SearchError) -> [SearchIndex] {
        let all = catalog.withLock { $0 }
        let parts = expression.split(separator: ",", omittingEmptySubsequences: true).map { String($0).trimmingSpaces() }
        var selected: [String] = []
        var seen: Set<String> = []
        func add(_ name: String) { if seen.insert(name).inserted { selected.append(name) } }
        if parts.isEmpty || parts == ["_all"] || parts == ["*"] {
            all.keys.sorted().forEach(add)
        } else {
            for (position, part) in parts.enumerated() {
                if part.hasPrefix("-"), position > 0 {
                    let pattern = String(part.dropFirst())
                    selected.removeAll { Self.matches(pattern, $0) }
                    seen = Set(selected)
                } else if part == "_all" {
                    all.keys.sorted().forEach(add)
                } else if part.contains("*") {
                    let matched = all.keys.filter { Self.matches(part, $0) }.sorted()
                    if matched.isEmpty, !allowNoIndices { throw .indexNotFound(part) }
                    matched.forEach(add)
                } else {
                    guard all[part] != nil else { throw .indexNotFound(part) }
                    add(part)
                }
            }
        }
        if selected.isEmpty, !allowNoIndices, !parts.isEmpty, parts != ["_all"], parts != ["*"] { throw .indexNotFound(expression) }
        return selected.compactMap { all[$0] }
    }

    /// Glob matching with `*` only (OpenSearch's `Regex.simpleMatch`).
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let pieces = pattern.split(separator: "*", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard pieces.count > 1 else { return pattern == name }
        let text = Array(name.utf8)
        guard let first = pieces.first, let last = pieces.last, text.count >= first.count + last.count,
            text.starts(with: first), text.suffix(last.count).elementsEqual(last)
        else { return false }
        var position = first.count
        let end = text.count - last.count
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let found = Self.find(piece, in: text, from: position, before: end) else { return false }
            position = found + piece.count
        }
        return true
    }

    private static func find(_ needle: [UInt8], in text: [UInt8], from start: Int, before end: Int) -> Int? {
        guard end - start >= needle.count else { return nil }
        for offset in start...(end - needle.count) where text[offset..<offset + needle.count].elementsEqual(needle) { return offset }
        return nil
    }
}

/// Milliseconds since the epoch (wall clock), for creation dates.
func wallClockMillis() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
}
