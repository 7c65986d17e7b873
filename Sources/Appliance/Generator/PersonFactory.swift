/// A generated person: a name, a username and an email address.
struct Person {
    var first: String
    var last: String
    var username: String
    /// The address as stored (sometimes with capitals, never with surrounding spaces).
    var email: String

    var normalizedEmail: String { Self.normalize(email) }

    /// The pipeline's email normalisation: surrounding whitespace trimmed, lower-cased. The generator only
    /// ever adds spaces and ASCII case, so this agrees with `lower(btrim(email))` in PostgreSQL.
    static func normalize(_ email: String) -> String {
        String(email.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()).lowercased()
    }
}

/// Makes people whose normalised email is not yet taken, and variants of an address that normalise to it.
enum PersonFactory {
    /// A new person. `isEmailTaken` sees normalised addresses; `isUsernameTaken` (when given) usernames.
    static func make(
        _ random: inout SeededRandom,
        isEmailTaken: (String) -> Bool,
        isUsernameTaken: ((String) -> Bool)? = nil
    ) -> Person {
        let first = random.pick(NameCatalog.firstNames)
        let last = random.pick(NameCatalog.lastNames)
        let domain = random.pick(weighted: NameCatalog.domains)
        var local = localPart(first, last, &random)
        while isEmailTaken("\(local)@\(domain)") {
            local += String(random.between(1...99))
        }
        var username = makeUsername(first, last, &random)
        if let isUsernameTaken {
            while isUsernameTaken(username) { username += String(random.between(0...9)) }
        }
        return Person(first: first, last: last, username: username, email: displayed(local, domain, &random))
    }

    private static func localPart(_ first: String, _ last: String, _ random: inout SeededRandom) -> String {
        let initial = String(first.prefix(1))
        return switch random.pick(weighted: [(0, 30), (1, 12), (2, 12), (3, 8), (4, 12), (5, 6), (6, 12), (7, 8)]) {
        case 0: "\(first).\(last)"
        case 1: "\(first)\(last)"
        case 2: "\(initial)\(last)"
        case 3: "\(first)_\(last)"
        case 4: "\(first).\(last)\(random.between(1...99))"
        case 5: "\(last).\(first)"
        case 6: "\(first)\(random.between(1960...2008))"
        default: "\(initial).\(last)\(random.between(1...999))"
        }
    }

    /// Most addresses are stored lower-case; some as people type them.
    private static func displayed(_ local: String, _ domain: String, _ random: inout SeededRandom) -> String {
        switch random.pick(weighted: [(0, 85), (1, 10), (2, 5)]) {
        case 1: "\(capitalizeWords(local))@\(domain)"
        case 2: "\(local)@\(capitalizeWords(domain))"
        default: "\(local)@\(domain)"
        }
    }

    private static func makeUsername(_ first: String, _ last: String, _ random: inout SeededRandom) -> String {
        switch random.pick(weighted: [(0, 20), (1, 15), (2, 10), (3, 15), (4, 10), (5, 10), (6, 10), (7, 10)]) {
        case 0: "\(first)\(last)"
        case 1: "\(first).\(last)"
        case 2: "\(first)_\(last.prefix(1))"
        case 3: "\(first)\(random.between(1...9999))"
        case 4: "\(random.pick(NameCatalog.usernameWords))_\(first)"
        case 5: "\(first.prefix(1))\(last)"
        case 6: "\(first)\(last.prefix(3))\(random.between(1...99))"
        default: "\(random.pick(NameCatalog.usernameWords))\(random.between(1...999))"
        }
    }

    /// The same address as a person might type it again: other capitals and/or surrounding spaces.
    /// Always differs from `email` and always normalises to the same address.
    static func cosmeticVariant(of email: String, _ random: inout SeededRandom) -> String {
        let core = String(email.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        let variant: String = switch random.below(7) {
        case 0: core.uppercased()
        case 1: capitalizeWords(core.lowercased())
        case 2: core.lowercased()
        case 3: " " + core
        case 4: core + " "
        case 5: "  " + capitalizeWords(core.lowercased()) + " "
        default: core.lowercased() + "  "
        }
        return variant == email ? (email.hasPrefix(" ") ? core + " " : " " + core) : variant
    }

    /// `john.smith@gmail.com` → `John.Smith@Gmail.Com`: a capital after the start and after `.`, `_`, `@`.
    static func capitalizeWords(_ text: String) -> String {
        var result = ""
        var capitalizeNext = true
        for character in text {
            result += capitalizeNext ? character.uppercased() : String(character)
            capitalizeNext = character == "." || character == "_" || character == "@"
        }
        return result
    }
}
