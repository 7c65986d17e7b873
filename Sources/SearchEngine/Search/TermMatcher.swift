/// Which terms of a field a multi-term query (`prefix`, `wildcard`, `regexp`, a range over terms, a
/// case-insensitive `term`) selects, and where in the term dictionary to start and stop looking.
struct TermMatcher: Sendable {
    enum Kind: Sendable {
        case prefix(TermBytes)
        case wildcard(WildcardPattern)
        case regexp(RegexAutomaton)
        /// Byte-order range; nil bounds are open.
        case range(lower: TermBytes?, upper: TermBytes?, includeLower: Bool, includeUpper: Bool)
        /// Terms equal to `value` ignoring case (`term` / `prefix` with `case_insensitive`): lower-cased compare.
        case caseInsensitiveTerm(String)
        case caseInsensitivePrefix(String)
    }

    let kind: Kind

    /// The first term that can match (the dictionary is walked from here).
    var seek: TermBytes? {
        switch kind {
        case .prefix(let prefix): return prefix
        case .wildcard(let pattern): return pattern.literalPrefix.isEmpty ? nil : pattern.literalPrefix
        case .regexp(let automaton): return automaton.literalPrefix.isEmpty ? nil : automaton.literalPrefix
        case .range(let lower, _, _, _): return lower
        case .caseInsensitiveTerm, .caseInsensitivePrefix: return nil
        }
    }

    /// Whether no term at or after `term` can match (the walk stops).
    func isPastEnd(_ term: TermBytes) -> Bool {
        switch kind {
        case .prefix(let prefix): return !term.starts(with: prefix) && !term.lexicographicallyPrecedes(prefix)
        case .wildcard(let pattern): return pastPrefix(term, pattern.literalPrefix)
        case .regexp(let automaton): return pastPrefix(term, automaton.literalPrefix)
        case .range(_, let upper, _, let includeUpper):
            guard let upper else { return false }
            return includeUpper ? upper.lexicographicallyPrecedes(term) : !term.lexicographicallyPrecedes(upper)
        case .caseInsensitiveTerm, .caseInsensitivePrefix: return false
        }
    }

    private func pastPrefix(_ term: TermBytes, _ prefix: TermBytes) -> Bool {
        !prefix.isEmpty && !term.starts(with: prefix) && !term.lexicographicallyPrecedes(prefix)
    }

    func matches(_ term: TermBytes) -> Bool {
        switch kind {
        case .prefix(let prefix): return term.starts(with: prefix)
        case .wildcard(let pattern): return pattern.matches(term)
        case .regexp(let automaton): return automaton.matches(term)
        case .range(let lower, let upper, let includeLower, let includeUpper):
            if let lower {
                if includeLower ? term.lexicographicallyPrecedes(lower) : !lower.lexicographicallyPrecedes(term) { return false }
            }
            if let upper {
                if includeUpper ? upper.lexicographicallyPrecedes(term) : !term.lexicographicallyPrecedes(upper) { return false }
            }
            return true
        case .caseInsensitiveTerm(let value): return String(decoding: term, as: UTF8.self).lowercased() == value
        case .caseInsensitivePrefix(let prefix): return String(decoding: term, as: UTF8.self).lowercased().hasPrefix(prefix)
        }
    }

    /// For the highlighter: whether a token of the field text matches.
    func matchesToken(_ term: TermBytes) -> Bool { matches(term) }
}

/// A `wildcard` pattern over Unicode scalars: `*` any sequence, `?` one character, `\` escapes.
struct WildcardPattern: Sendable {
    enum Element: Sendable, Equatable {
        case literal(UInt32)
        case one
        case any
    }

    let elements: [Element]
    let literalPrefix: TermBytes
    let caseInsensitive: Bool

    init(_ pattern: String, caseInsensitive: Bool = false) {
        var elements: [Element] = []
        var escaped = false
        for scalar in (caseInsensitive ? pattern.lowercased() : pattern).unicodeScalars {
            if escaped {
                elements.append(.literal(scalar.value))
                escaped = false
                continue
            }
            switch scalar {
            case "\\": escaped = true
            case "*": if elements.last != .any { elements.append(.any) }
            case "?": elements.append(.one)
            default: elements.append(.literal(scalar.value))
            }
        }
        self.elements = elements
        self.caseInsensitive = caseInsensitive
        var prefix = String.UnicodeScalarView()
        if !caseInsensitive {
            for element in elements {
                guard case .literal(let value) = element, let scalar = Unicode.Scalar(value) else { break }
                prefix.append(scalar)
            }
        }
        literalPrefix = Array(String(prefix).utf8)
    }

    /// Whether the pattern has no wildcard at all (then it is a plain term).
    var isLiteral: Bool { elements.allSatisfy { if case .literal = $0 { true } else { false } } }

    func matches(_ term: TermBytes) -> Bool {
        let text = String(decoding: term, as: UTF8.self)
        let scalars = Array((caseInsensitive ? text.lowercased() : text).unicodeScalars).map { $0.value }
        return Self.match(elements, scalars)
    }

    /// Greedy matching with backtracking to the last `*` (linear for patterns with one star, O(n·m) at worst).
    private static func match(_ pattern: [Element], _ text: [UInt32]) -> Bool {
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < pattern.count {
                switch pattern[p] {
                case .any:
                    starP = p
                    starT = t
                    p += 1
                    continue
                case .one:
                    p += 1
                    t += 1
                    continue
                case .literal(let value) where value == text[t]:
                    p += 1
                    t += 1
                    continue
                default: break
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starT += 1
            t = starT
        }
        while p < pattern.count, pattern[p] == .any { p += 1 }
        return p == pattern.count
    }
}

/// Lucene's fuzzy matching: terms within `maxEdits` Damerau–Levenshtein edits (optimal string alignment when
/// transpositions count as one edit) of the query term, over Unicode scalars, the first `prefixLength` of
/// which must match exactly.
struct FuzzyMatcher: Sendable {
    let query: [UInt32]
    let maxEdits: Int
    let prefixLength: Int
    let transpositions: Bool
    /// The query's first `prefixLength` characters, to seek the term dictionary.
    let prefixBytes: TermBytes

    init(term: String, maxEdits: Int, prefixLength: Int, transpositions: Bool) {
        query = term.unicodeScalars.map { $0.value }
        self.maxEdits = maxEdits
        self.prefixLength = min(prefixLength, query.count)
        self.transpositions = transpositions
        prefixBytes = Array(String(String.UnicodeScalarView(term.unicodeScalars.prefix(self.prefixLength))).utf8)
    }

    /// The edit distance of `term` to the query when within `maxEdits`, else nil; and the term's length.
    func distance(_ term: TermBytes) -> (edits: Int, length: Int)? {
        guard term.starts(with: prefixBytes) else { return nil }
        let candidate = String(decoding: term, as: UTF8.self).unicodeScalars.map { $0.value }
        guard abs(candidate.count - query.count) <= maxEdits else { return nil }
        guard let edits = Self.bounded(query, candidate, maxEdits: maxEdits, transpositions: transpositions) else { return nil }
        return (edits, candidate.count)
    }

    /// Lucene's `FuzzyTermsEnum` boost: `1 − edits / min(termLength, queryLength)` (1 for an exact match).
    func boost(edits: Int, candidateLength: Int) -> Float {
        edits == 0 ? 1 : 1 - Float(edits) / Float(min(candidateLength, query.count))
    }

    /// Optimal-string-alignment distance with a cut-off: nil once every cell of a row exceeds `maxEdits`.
    static func bounded(_ a: [UInt32], _ b: [UInt32], maxEdits: Int, transpositions: Bool) -> Int? {
        if a == b { return 0 }
        if maxEdits == 0 { return nil }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            var rowMinimum = current[0]
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if transpositions, i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > maxEdits { return nil }
            swap(&previous2, &previous)
            swap(&previous, &current)
        }
        let distance = a.isEmpty ? b.count : previous[b.count]
        return distance <= maxEdits ? distance : nil
    }
}
