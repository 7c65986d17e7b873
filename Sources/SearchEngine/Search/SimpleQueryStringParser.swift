/// The `simple_query_string` syntax (Lucene's `SimpleQueryParser`), which never fails: `+` and, `|` or,
/// `-` not, `"phrase"`, `~N` (fuzziness after a word, slop after a phrase), `prefix*`, `( )`, `\` escapes;
/// an operator whose flag is off is an ordinary character. Terms fold left: a run of the same operator
/// extends one boolean, a different one wraps what came before. `-x` is `(*:* AND NOT x)` as in Lucene,
/// so with the default `or` operator `a -b` also matches documents without `b`.
struct SimpleQueryStringParser {
    typealias Flags = SimpleQueryStringSpec.Flags

    private let characters: [Character]
    private let flags: Flags
    private let defaultOccur: QueryStringClause.Occur
    private var index = 0

    static func parse(_ text: String, flags: Flags, isOperatorAnd: Bool) -> QueryStringNode? {
        var parser = SimpleQueryStringParser(characters: Array(text), flags: flags, defaultOccur: isOperatorAnd ? .must : .should)
        return parser.subQuery(depth: 0)
    }

    private init(characters: [Character], flags: Flags, defaultOccur: QueryStringClause.Occur) {
        self.characters = characters
        self.flags = flags
        self.defaultOccur = defaultOccur
    }

    private struct State {
        var top: QueryStringNode?
        var topOccur: QueryStringClause.Occur?
        var current: QueryStringClause.Occur?
        var negations = 0
    }

    private mutating func subQuery(depth: Int) -> QueryStringNode? {
        var state = State()
        while index < characters.count {
            let character = characters[index]
            if character == "(" && flags.contains(.precedence) && depth < 32 {
                index += 1
                let inner = subQuery(depth: depth + 1)
                add(inner, to: &state)
            } else if character == ")" && flags.contains(.precedence) && depth > 0 {
                index += 1
                return state.top
            } else if character == "\"" && flags.contains(.phrase) {
                add(phrase(), to: &state)
            } else if character == "+" && flags.contains(.and) {
                index += 1
                if state.top != nil { state.current = .must }
            } else if character == "|" && flags.contains(.or) {
                index += 1
                if state.top != nil { state.current = .should }
            } else if character == "-" && flags.contains(.not) && state.negations >= 0 {
                index += 1
                state.negations += 1
            } else if flags.contains(.whitespace) && character.isWhitespace {
                index += 1
            } else {
                add(term(), to: &state)
            }
        }
        return state.top
    }

    /// Lucene's `buildQueryTree`.
    private func add(_ node: QueryStringNode?, to state: inout State) {
        defer {
            state.negations = 0
            state.current = nil
        }
        guard var branch = node else { return }
        if state.negations % 2 == 1 {
            branch = .group([QueryStringClause(occur: .mustNot, node: branch), QueryStringClause(occur: .should, node: .matchAll(boost: 1))], boost: 1)
        }
        guard let top = state.top else {
            state.top = branch
            return
        }
        let occur = state.current ?? defaultOccur
        if case .group(var clauses, 1) = top, state.topOccur == occur {
            clauses.append(QueryStringClause(occur: occur, node: branch))
            state.top = .group(clauses, boost: 1)
        } else {
            state.top = .group([QueryStringClause(occur: occur, node: top), QueryStringClause(occur: occur, node: branch)], boost: 1)
        }
        state.topOccur = occur
    }

    private mutating func phrase() -> QueryStringNode? {
        index += 1
        var text = ""
        while index < characters.count && characters[index] != "\"" {
            if characters[index] == "\\" && flags.contains(.escape) && index + 1 < characters.count { index += 1 }
            text.append(characters[index])
            index += 1
        }
        if index < characters.count { index += 1 }
        var slop: Int?
        if flags.contains(.near), index < characters.count, characters[index] == "~" {
            index += 1
            slop = number() ?? 0
        }
        return text.isEmpty ? nil : .phrase(field: nil, text: text, slop: slop ?? 0, boost: 1)
    }

    private mutating func term() -> QueryStringNode? {
        var text = ""
        while index < characters.count {
            let character = characters[index]
            if character == "\\" && flags.contains(.escape) {
                if index + 1 < characters.count { text.append(characters[index + 1]) }
                index += 2
                continue
            }
            if (flags.contains(.whitespace) && character.isWhitespace) || (character == "|" && flags.contains(.or))
                || (character == "+" && flags.contains(.and)) || (character == "(" && flags.contains(.precedence))
                || (character == ")" && flags.contains(.precedence)) || (character == "\"" && flags.contains(.phrase))
                || (character == "~" && flags.contains(.fuzzy)) {
                break
            }
            text.append(character)
            index += 1
        }
        if flags.contains(.fuzzy), index < characters.count, characters[index] == "~" {
            index += 1
            let edits = number()
            return text.isEmpty ? nil : .fuzzy(field: nil, text: text, edits: min(edits ?? 2, 2), boost: 1)
        }
        if text.isEmpty { return nil }
        if flags.contains(.prefix), text.hasSuffix("*"), text.count > 1 {
            return .wildcard(field: nil, pattern: text, boost: 1)
        }
        return .term(field: nil, text: text, boost: 1)
    }

    private mutating func number() -> Int? {
        var digits = ""
        while index < characters.count, characters[index].isNumber {
            digits.append(characters[index])
            index += 1
        }
        return Int(digits)
    }
}
