/// Finds the line on which each key of a TOML file is set, so that errors can name it.
///
/// TOMLKit reports positions for syntax errors only, so this scans the text: table headers
/// (`[sources.community]`, quoted parts allowed), `key = value` lines (dotted and quoted keys allowed),
/// skipping comments and the insides of multi-line strings. It runs only on files TOMLKit has already
/// parsed, so it need not validate anything.
struct TOMLKeyLocator {
    private(set) var lines: [String: Int] = [:]

    init(text: String) {
        var table: [String] = []
        var multilineDelimiter: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingWhitespace()
            if let delimiter = multilineDelimiter {
                if line.contains(delimiter) { multilineDelimiter = nil }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let isArray = line.hasPrefix("[[")
                let inner = line.dropFirst(isArray ? 2 : 1).prefix { $0 != "]" }
                table = Self.splitKey(String(inner))
                lines[table.joined(separator: "."), default: lineNumber] = lineNumber
                continue
            }
            guard let equals = Self.indexOfAssignment(in: line) else { continue }
            let key = Self.splitKey(String(line[..<equals]))
            let path = (table + key).joined(separator: ".")
            lines[path] = lineNumber
            // Every dotted prefix is a table defined here unless it was defined earlier.
            for length in 1..<max(1, key.count) {
                lines[(table + key.prefix(length)).joined(separator: "."), default: lineNumber] = lineNumber
            }
            let value = line[line.index(after: equals)...].trimmingWhitespace()
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
                if !value.dropFirst(3).contains(delimiter) { multilineDelimiter = delimiter }
            }
        }
    }

    /// The line of a dotted path, or of its nearest enclosing table.
    func line(of path: String) -> Int? {
        var parts = path.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            if let line = lines[parts.joined(separator: ".")] { return line }
            parts.removeLast()
        }
        return nil
    }

    /// The position of the `=` that ends the key, outside quotes.
    private static func indexOfAssignment(in line: String) -> String.Index? {
        var quote: Character?
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "=" {
                return index
            }
        }
        return nil
    }

    /// `a."b.c".d` → `["a", "b.c", "d"]`.
    static func splitKey(_ key: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in key {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                parts.append(current.trimmingWhitespace())
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingWhitespace())
        return parts
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
