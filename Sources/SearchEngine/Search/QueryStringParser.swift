/// Lucene's classic query syntax as `query_string` accepts it: terms, `field:value`, `"phrases"~slop`,
/// `AND`/`OR`/`NOT`/`&&`/`||`/`!`, `+`/`-`, parentheses, `*`/`?` wildcards, `term~N` fuzzy, `/regexp/`,
/// ranges `[a TO b]`, `{a TO b}` (mixed brackets allowed, `*` open) and `>=a`, `>a`, `<=a`, `<a`, boosts
/// `^N`, `_exists_:field`. Clause occurrence follows Lucene's `QueryParserBase.addClause` exactly, so
/// `a AND b OR c` means what it means in OpenSearch.
struct QueryStringParser {
    private let characters: [Character]
    private var index = 0
    private let isOperatorAnd: Bool

    init(_ text: String, isOperatorAnd: Bool) {
        characters = Array(text)
        self.isOperatorAnd = isOperatorAnd
    }

    static func parse(_ text: String, isOperatorAnd: Bool) throws(QueryStringSyntaxError) -> QueryStringNode {
        var parser = QueryStringParser(text, isOperatorAnd: isOperatorAnd)
        let clauses = try parser.query(field: nil, depth: 0)
        guard parser.index >= parser.characters.count else { throw QueryStringSyntaxError(message: "Encountered \" \")\" \") \"\" at column \(parser.index + 1)") }
        return .group(clauses, boost: 1)
    }

    private enum Conjunction { case none, and, or }
    private enum Modifier { case none, required, prohibited }

    // MARK: Grammar

    private mutating func query(field: String?, depth: Int) throws(QueryStringSyntaxError) -> [QueryStringClause] {
        guard depth < 64 else { throw QueryStringSyntaxError(message: "too many nested parentheses") }
        var clauses: [QueryStringClause] = []
        var first = true
        while true {
            skipSpace()
            if atEnd || peek == ")" { break }
            let conjunction = first ? Conjunction.none : readConjunction()
            if conjunction != .none {
                skipSpace()
                if atEnd || peek == ")" { throw QueryStringSyntaxError(message: "Encountered \"<EOF>\" after an operator") }
            }
            let modifier = readModifier()
            skipSpace()
            if atEnd || peek == ")" { throw QueryStringSyntaxError(message: "Encountered \"<EOF>\" after a modifier") }
            let node = try clause(field: field, depth: depth)
            add(&clauses, conjunction, modifier, node)
            first = false
        }
        return clauses
    }

    /// Lucene's `addClause`.
    private func add(_ clauses: inout [QueryStringClause], _ conjunction: Conjunction, _ modifier: Modifier, _ node: QueryStringNode?) {
        if !clauses.isEmpty && conjunction == .and && clauses[clauses.count - 1].occur != .mustNot {
            clauses[clauses.count - 1].occur = .must
        }
        if !clauses.isEmpty && isOperatorAnd && conjunction == .or && clauses[clauses.count - 1].occur != .mustNot {
            clauses[clauses.count - 1].occur = .should
        }
        guard let node else { return }
        let prohibited = modifier == .prohibited
        let required: Bool
        if isOperatorAnd {
            required = !prohibited && conjunction != .or
        } else {
            required = modifier == .required || (conjunction == .and && !prohibited)
        }
        clauses.append(QueryStringClause(occur: prohibited ? .mustNot : required ? .must : .should, node: node))
    }

    private mutating func readConjunction() -> Conjunction {
        if matchWord("AND") || matchSymbol("&&") { return .and }
        if matchWord("OR") || matchSymbol("||") { return .or }
        return .none
    }

    private mutating func readModifier() -> Modifier {
        if peek == "+" { index += 1; return .required }
        if peek == "-" || peek == "!" { index += 1; return .prohibited }
        if matchWord("NOT") { return .prohibited }
        return .none
    }

    private mutating func clause(field inherited: String?, depth: Int) throws(QueryStringSyntaxError) -> QueryStringNode {
        var field = inherited
        let start = index
        if let name = fieldName() {
            field = name
        } else {
            index = start
        }
        skipSpace()
        if atEnd { throw QueryStringSyntaxError(message: "Encountered \"<EOF>\" after field [\(field ?? "")]") }
        if peek == "(" {
            index += 1
            let clauses = try query(field: field, depth: depth + 1)
            guard peek == ")" else { throw QueryStringSyntaxError(message: "Encountered \"<EOF>\": expected \")\"") }
            index += 1
            return .group(clauses, boost: try boost())
        }
        if field == "_exists_" {
            let name = readTermText()
            guard !name.text.isEmpty else { throw QueryStringSyntaxError(message: "_exists_ requires a field name") }
            return .exists(field: name.text, boost: try boost())
        }
        return try term(field: field)
    }

    /// `name:` (the name may hold escaped characters and `*` wildcards, e.g. `title*:x`, `*:*`).
    private mutating func fieldName() -> String? {
        guard !atEnd, peek != "\"", peek != "(", peek != "[", peek != "{", peek != "/" else { return nil }
        let (text, _) = readTermText()
        guard !text.isEmpty, peek == ":" else { return nil }
        index += 1
        return text
    }

    private mutating func term(field: String?) throws(QueryStringSyntaxError) -> QueryStringNode {
        switch peek {
        case "\"":
            let text = try quoted()
            var slop: Int?
            if peek == "~" {
                index += 1
                slop = readNumber().map { Int($0) } ?? 0
            }
            return .phrase(field: field, text: text, slop: slop, boost: try boost())
        case "[", "{": return try range(field: field)
        case "/":
            index += 1
            var pattern = ""
            while !atEnd && peek != "/" {
                if peek == "\\", index + 1 < characters.count { pattern.append(characters[index]); index += 1 }
                pattern.append(characters[index])
                index += 1
            }
            guard peek == "/" else { throw QueryStringSyntaxError(message: "Lexical error: unterminated regular expression") }
            index += 1
            return .regexp(field: field, pattern: pattern, boost: try boost())
        default: break
        }
        let (text, hasWildcard) = readTermText()
        guard !text.isEmpty else {
            throw QueryStringSyntaxError(message: "Encountered \"\(atEnd ? "<EOF>" : String(characters[index]))\" at column \(index + 1)")
        }
        if peek == "~" {
            index += 1
            let similarity = readNumber()
            let edits: Int? = similarity.map { $0 >= 1 ? Int($0) : ($0 > 0 ? 2 : 0) }
            return .fuzzy(field: field, text: text, edits: edits.map { min($0, 2) }, boost: try boost())
        }
        let node: QueryStringNode
        if let range = comparison(text, field: field) {
            node = range
        } else if text == "*" && (field == nil || field == "*") {
            node = .matchAll(boost: 1)
        } else if text == "*", let field {
            node = .exists(field: field, boost: 1)
        } else if hasWildcard {
            node = .wildcard(field: field, pattern: text, boost: 1)
        } else {
            node = .term(field: field, text: text, boost: 1)
        }
        return node.boosted(try boost())
    }

    private mutating func range(field: String?) throws(QueryStringSyntaxError) -> QueryStringNode {
        let includeLower = peek == "["
        index += 1
        skipSpace()
        let lower = try rangeBound()
        skipSpace()
        guard matchWord("TO") else { throw QueryStringSyntaxError(message: "Encountered a range without \"TO\"") }
        skipSpace()
        let upper = try rangeBound()
        skipSpace()
        guard peek == "]" || peek == "}" else { throw QueryStringSyntaxError(message: "Encountered \"<EOF>\": expected \"]\" or \"}\"") }
        let includeUpper = peek == "]"
        index += 1
        return .range(field: field, lower: lower, upper: upper, includeLower: includeLower, includeUpper: includeUpper, boost: try boost())
    }

    private mutating func rangeBound() throws(QueryStringSyntaxError) -> String? {
        if peek == "\"" { return try quoted() }
        var text = ""
        while !atEnd, let character = peekCharacter, !character.isWhitespace, character != "]", character != "}" {
            if character == "\\", index + 1 < characters.count { index += 1 }
            text.append(characters[index])
            index += 1
        }
        guard !text.isEmpty else { throw QueryStringSyntaxError(message: "Encountered an empty range bound") }
        return text == "*" ? nil : text
    }

    /// `>=10`, `>10`, `<=10`, `<10` (OpenSearch's one-sided ranges), from a term's text.
    private func comparison(_ text: String, field: String?) -> QueryStringNode? {
        for (symbol, greater, inclusive) in [(">=", true, true), ("<=", false, true), (">", true, false), ("<", false, false)] where text.hasPrefix(symbol) {
            let bound = String(text.dropFirst(symbol.count))
            guard !bound.isEmpty else { return nil }
            return greater
                ? .range(field: field, lower: bound, upper: nil, includeLower: inclusive, includeUpper: true, boost: 1)
                : .range(field: field, lower: nil, upper: bound, includeLower: true, includeUpper: inclusive, boost: 1)
        }
        return nil
    }

    private mutating func quoted() throws(QueryStringSyntaxError) -> String {
        index += 1
        var text = ""
        while !atEnd && peek != "\"" {
            if peek == "\\", index + 1 < characters.count { index += 1 }
            text.append(characters[index])
            index += 1
        }
        guard peek == "\"" else { throw QueryStringSyntaxError(message: "Lexical error at end of input: unterminated quoted string") }
        index += 1
        return text
    }

    private mutating func boost() throws(QueryStringSyntaxError) -> Float {
        guard peek == "^" else { return 1 }
        index += 1
        guard let value = readNumber() else { throw QueryStringSyntaxError(message: "Encountered \"^\" without a boost value") }
        return Float(value)
    }

    private mutating func readNumber() -> Double? {
        var text = ""
        while let character = peekCharacter, character.isNumber || character == "." {
            text.append(character)
            index += 1
        }
        return Double(text)
    }

    /// A bare term: up to white space or a special character; `\` escapes; `-` and `+` allowed after the
    /// first character. Returns whether it has an unescaped `*` or `?`.
    private mutating func readTermText() -> (text: String, hasWildcard: Bool) {
        var text = ""
        var hasWildcard = false
        while let character = peekCharacter {
            if character == "\\" {
                guard index + 1 < characters.count else { index += 1; break }
                let escaped = characters[index + 1]
                if escaped == "*" || escaped == "?" { text.append("\\") }
                text.append(escaped)
                index += 2
                continue
            }
            if character.isWhitespace || Self.special.contains(character) {
                if (character == "-" || character == "+") && !text.isEmpty {
                    text.append(character)
                    index += 1
                    continue
                }
                break
            }
            if character == "*" || character == "?" { hasWildcard = true }
            text.append(character)
            index += 1
        }
        return (text, hasWildcard)
    }

    private static let special: Set<Character> = ["+", "-", "!", "(", ")", ":", "^", "[", "]", "\"", "{", "}", "~", "/"]

    // MARK: Scanning

    private var atEnd: Bool { index >= characters.count }
    private var peek: Character? { peekCharacter }
    private var peekCharacter: Character? { index < characters.count ? characters[index] : nil }

    private mutating func skipSpace() {
        while let character = peekCharacter, character.isWhitespace { index += 1 }
    }

    /// An upper-case keyword followed by white space, `(` or the end.
    private mutating func matchWord(_ word: String) -> Bool {
        let letters = Array(word)
        guard index + letters.count <= characters.count, Array(characters[index..<index + letters.count]) == letters else { return false }
        let after = index + letters.count
        if after < characters.count && !characters[after].isWhitespace && characters[after] != "(" && characters[after] != "\"" { return false }
        index = after
        return true
    }

    private mutating func matchSymbol(_ symbol: String) -> Bool {
        let letters = Array(symbol)
        guard index + letters.count <= characters.count, Array(characters[index..<index + letters.count]) == letters else { return false }
        index += letters.count
        return true
    }
}
