/// Lucene's `RegExp` syntax (the subset OpenSearch users write) compiled to an NFA over Unicode scalars and
/// run by simulation, so no input can make it explode: `.`, `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, `|`,
/// `(...)`, `[...]` with ranges and `^` negation, `"literal"`, `\` escapes, `@` (any string), `#` (nothing).
/// Matches whole terms (Lucene's regexps are anchored). Intersection `&`, complement `~` and numeric
/// intervals `<n-m>` are refused (they need a determinized automaton).
struct RegexAutomaton: Sendable {
    struct CharClass: Sendable {
        var ranges: [ClosedRange<UInt32>]
        var negated = false
        static let any = CharClass(ranges: [0...0x10FFFF])

        @inline(__always) func contains(_ scalar: UInt32) -> Bool {
            var inside = false
            for range in ranges where range.contains(scalar) { inside = true; break }
            return inside != negated
        }
    }

    enum Edge: Sendable {
        case epsilon(Int)
        case chars(CharClass, Int)
    }

    private(set) var edges: [[Edge]] = []
    private(set) var start = 0
    private(set) var accept = 0

    /// The literal text every match starts with (to seek the term dictionary), empty when none.
    private(set) var literalPrefix: [UInt8] = []

    init(_ pattern: String, caseInsensitive: Bool = false, maxStates: Int) throws(SearchError) {
        var parser = RegexParser(scalars: Array(pattern.unicodeScalars).map { $0.value }, caseInsensitive: caseInsensitive)
        let tree = try parser.parse()
        var builder = Builder(maxStates: maxStates)
        let (start, end) = try builder.build(tree)
        edges = builder.edges
        self.start = start
        accept = end
        if !caseInsensitive { literalPrefix = Array(String(String.UnicodeScalarView(tree.literalPrefix.compactMap(Unicode.Scalar.init))).utf8) }
    }

    /// Whether the automaton accepts the whole term (UTF-8 bytes).
    func matches(_ term: TermBytes) -> Bool {
        var current = Set<Int>()
        var next = Set<Int>()
        close(start, into: &current)
        var iterator = String(decoding: term, as: UTF8.self).unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            next.removeAll(keepingCapacity: true)
            for state in current {
                for edge in edges[state] {
                    if case .chars(let charClass, let target) = edge, charClass.contains(scalar.value) { close(target, into: &next) }
                }
            }
            if next.isEmpty { return false }
            swap(&current, &next)
        }
        return current.contains(accept)
    }

    private func close(_ state: Int, into set: inout Set<Int>) {
        guard set.insert(state).inserted else { return }
        for edge in edges[state] {
            if case .epsilon(let target) = edge { close(target, into: &set) }
        }
    }

    // MARK: Construction

    indirect enum Node {
        case empty
        case nothing
        case chars(CharClass)
        case concat([Node])
        case union([Node])
        case repeatRange(Node, min: Int, max: Int?)

        var literalPrefix: [UInt32] { literalRun.prefix }

        /// The literal characters this node starts with, and whether it is nothing but them.
        private var literalRun: (prefix: [UInt32], complete: Bool) {
            switch self {
            case .empty: return ([], true)
            case .chars(let charClass) where !charClass.negated && charClass.ranges.count == 1 && charClass.ranges[0].count == 1:
                return ([charClass.ranges[0].lowerBound], true)
            case .concat(let parts):
                var prefix: [UInt32] = []
                for part in parts {
                    let run = part.literalRun
                    prefix += run.prefix
                    if !run.complete { return (prefix, false) }
                }
                return (prefix, true)
            default: return ([], false)
            }
        }
    }

    private struct Builder {
        var edges: [[Edge]] = []
        let maxStates: Int

        mutating func newState() throws(SearchError) -> Int {
            guard edges.count < maxStates else {
                throw SearchError("too_complex_to_determinize_exception",
                                  "Determinizing automaton would result in more than \(maxStates) states.", status: 400)
            }
            edges.append([])
            return edges.count - 1
        }

        mutating func build(_ node: Node) throws(SearchError) -> (Int, Int) {
            let start = try newState()
            let end = try newState()
            switch node {
            case .empty: edges[start].append(.epsilon(end))
            case .nothing: break
            case .chars(let charClass): edges[start].append(.chars(charClass, end))
            case .concat(let parts):
                var last = start
                for part in parts {
                    let (partStart, partEnd) = try build(part)
                    edges[last].append(.epsilon(partStart))
                    last = partEnd
                }
                edges[last].append(.epsilon(end))
            case .union(let alternatives):
                for alternative in alternatives {
                    let (altStart, altEnd) = try build(alternative)
                    edges[start].append(.epsilon(altStart))
                    edges[altEnd].append(.epsilon(end))
                }
            case .repeatRange(let inner, let min, let max):
                var last = start
                for _ in 0..<min {
                    let (innerStart, innerEnd) = try build(inner)
                    edges[last].append(.epsilon(innerStart))
                    last = innerEnd
                }
                if let max {
                    for _ in min..<max {
                        let (innerStart, innerEnd) = try build(inner)
                        edges[last].append(.epsilon(innerStart))
                        edges[last].append(.epsilon(end))
                        last = innerEnd
                    }
                } else {
                    let (innerStart, innerEnd) = try build(inner)
                    edges[last].append(.epsilon(innerStart))
                    edges[innerEnd].append(.epsilon(innerStart))
                    edges[innerEnd].append(.epsilon(end))
                }
                edges[last].append(.epsilon(end))
            }
            return (start, end)
        }
    }
}

/// Recursive descent over Lucene's regexp grammar: union ← concatenation ← repetition ← atom.
private struct RegexParser {
    let scalars: [UInt32]
    let caseInsensitive: Bool
    var index = 0

    init(scalars: [UInt32], caseInsensitive: Bool) {
        self.scalars = scalars
        self.caseInsensitive = caseInsensitive
    }

    mutating func parse() throws(SearchError) -> RegexAutomaton.Node {
        let node = try union()
        if index < scalars.count { throw error("unexpected character '\(character(scalars[index]))'") }
        return node
    }

    private func error(_ text: String) -> SearchError {
        .illegalArgument("\(text) at position \(index)")
    }

    private func character(_ scalar: UInt32) -> String { Unicode.Scalar(scalar).map { String($0) } ?? "?" }

    private func peek(_ ascii: Character) -> Bool {
        index < scalars.count && scalars[index] == ascii.unicodeScalars.first?.value
    }

    private mutating func union() throws(SearchError) -> RegexAutomaton.Node {
        var alternatives = [try concatenation()]
        while peek("|") {
            index += 1
            alternatives.append(try concatenation())
        }
        return alternatives.count == 1 ? alternatives[0] : .union(alternatives)
    }

    private mutating func concatenation() throws(SearchError) -> RegexAutomaton.Node {
        var parts: [RegexAutomaton.Node] = []
        while index < scalars.count && !peek("|") && !peek(")") {
            parts.append(try repetition())
        }
        return parts.isEmpty ? .empty : parts.count == 1 ? parts[0] : .concat(parts)
    }

    private mutating func repetition() throws(SearchError) -> RegexAutomaton.Node {
        var node = try atom()
        while index < scalars.count {
            if peek("*") { node = .repeatRange(node, min: 0, max: nil) }
            else if peek("+") { node = .repeatRange(node, min: 1, max: nil) }
            else if peek("?") { node = .repeatRange(node, min: 0, max: 1) }
            else if peek("{") { node = try bounded(node); continue }
            else { break }
            index += 1
        }
        return node
    }

    private mutating func bounded(_ node: RegexAutomaton.Node) throws(SearchError) -> RegexAutomaton.Node {
        index += 1
        let low = number()
        guard let low else { throw error("integer expected") }
        var high: Int? = low
        if peek(",") {
            index += 1
            high = number()
        }
        guard peek("}") else { throw error("expected '}'") }
        index += 1
        if let high, high < low { throw error("invalid repetition {\(low),\(high)}") }
        return .repeatRange(node, min: low, max: high)
    }

    private mutating func number() -> Int? {
        var value: Int?
        while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
            value = min((value ?? 0) * 10 + Int(scalars[index] - 48), 100_000)
            index += 1
        }
        return value
    }

    private mutating func atom() throws(SearchError) -> RegexAutomaton.Node {
        let scalar = scalars[index]
        index += 1
        switch Unicode.Scalar(scalar).map(Character.init) ?? " " {
        case ".": return .chars(.any)
        case "@": return .repeatRange(.chars(.any), min: 0, max: nil)
        case "#": return .nothing
        case "(":
            if peek(")") { index += 1; return .empty }
            let inner = try union()
            guard peek(")") else { throw error("expected ')'") }
            index += 1
            return inner
        case "[": return try charClass()
        case "\"":
            var parts: [RegexAutomaton.Node] = []
            while index < scalars.count && !peek("\"") {
                parts.append(literal(scalars[index]))
                index += 1
            }
            guard peek("\"") else { throw error("expected '\"'") }
            index += 1
            return .concat(parts)
        case "\\":
            guard index < scalars.count else { throw error("expected a character after '\\'") }
            index += 1
            return literal(scalars[index - 1])
        case "~", "&", "<":
            throw SearchError.illegalArgument("regexp operator [\(character(scalar))] is not supported")
        case "*", "+", "?", "{", ")", "|":
            throw error("unexpected character '\(character(scalar))'")
        default: return literal(scalar)
        }
    }

    private func literal(_ scalar: UInt32) -> RegexAutomaton.Node {
        guard caseInsensitive, let unicode = Unicode.Scalar(scalar) else { return .chars(.init(ranges: [scalar...scalar])) }
        var ranges: [ClosedRange<UInt32>] = [scalar...scalar]
        for variant in [String(unicode).lowercased(), String(unicode).uppercased()] {
            if variant.unicodeScalars.count == 1, let value = variant.unicodeScalars.first?.value, value != scalar { ranges.append(value...value) }
        }
        return .chars(.init(ranges: ranges))
    }

    private mutating func charClass() throws(SearchError) -> RegexAutomaton.Node {
        var charClass = RegexAutomaton.CharClass(ranges: [])
        if peek("^") {
            charClass.negated = true
            index += 1
        }
        while index < scalars.count && !peek("]") {
            var low = scalars[index]
            if peek("\\"), index + 1 < scalars.count { index += 1; low = scalars[index] }
            index += 1
            var high = low
            if peek("-"), index + 1 < scalars.count, scalars[index + 1] != "]".unicodeScalars.first?.value {
                index += 1
                if peek("\\"), index + 1 < scalars.count { index += 1 }
                high = scalars[index]
                index += 1
                guard low <= high else { throw error("invalid range") }
            }
            charClass.ranges.append(low...high)
            if caseInsensitive, case .chars(let variants) = literal(low), low == high { charClass.ranges += variants.ranges.dropFirst() }
        }
        guard peek("]") else { throw error("expected ']'") }
        index += 1
        return .chars(charClass)
    }
}
