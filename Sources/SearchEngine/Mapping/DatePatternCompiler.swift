/// Compiles a Java `DateTimeFormatter` pattern (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`, `dd/MM/yyyy[ HH:mm]`) into
/// `DateItem`s. Letters: y u Y (year), M L (month; `MMM`/`MMMM` names), d, D (day of year), H k K h
/// (hours), m, s, S (fraction), n (nanos), a (AM/PM), E (day name), Z X x (offsets), VV z (zone);
/// `'text'` quotes, `''` is a quote, `[...]` is optional. Other ASCII letters are refused, as Java does.
enum DatePatternCompiler {
    static func compile(_ pattern: String) throws(SearchError) -> [DateItem] {
        let characters = Array(pattern.unicodeScalars)
        var index = 0
        let items = try compileSection(characters, &index, pattern: pattern, depth: 0)
        guard index == characters.count else { throw invalid(pattern, "unbalanced ']'") }
        return fixAdjacentWidths(items)
    }

    /// Java's adjacent value parsing: a variable-width field directly followed by another number field
    /// (`yyyyMMdd`) takes only its minimum width.
    private static func fixAdjacentWidths(_ items: [DateItem]) -> [DateItem] {
        var result = items
        for index in result.indices {
            if case .optional(let inner) = result[index] { result[index] = .optional(fixAdjacentWidths(inner)) }
            guard index + 1 < result.count else { continue }
            let nextIsNumber: Bool
            switch result[index + 1] {
            case .number, .year, .twoDigitYear: nextIsNumber = true
            case .fraction(_, _, let decimalPoint): nextIsNumber = !decimalPoint
            default: nextIsNumber = false
            }
            guard nextIsNumber else { continue }
            switch result[index] {
            case .year(let minDigits, _, let signBeyondMin): result[index] = .year(minDigits: max(minDigits, 4), maxDigits: max(minDigits, 4), signBeyondMin: signBeyondMin)
            case .number(let field, let minDigits, _): result[index] = .number(field, minDigits: max(minDigits, 2), maxDigits: max(minDigits, 2))
            default: break
            }
        }
        return result
    }

    private static func invalid(_ pattern: String, _ reason: String) -> SearchError {
        SearchError.illegalArgument("Invalid format: [\(pattern)]: \(reason)")
    }

    private static func compileSection(_ characters: [Unicode.Scalar], _ index: inout Int, pattern: String, depth: Int) throws(SearchError) -> [DateItem] {
        var items: [DateItem] = []
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "[":
                index += 1
                let inner = try compileSection(characters, &index, pattern: pattern, depth: depth + 1)
                items.append(.optional(inner))
            case "]":
                guard depth > 0 else { throw invalid(pattern, "unbalanced ']'") }
                index += 1
                return items
            case "'":
                items.append(.literal(Array(try quoted(characters, &index, pattern: pattern).utf8)))
            default:
                if character.isASCII, character.properties.isAlphabetic {
                    var count = 0
                    while index < characters.count, characters[index] == character {
                        count += 1
                        index += 1
                    }
                    items.append(try item(for: character, count: count, pattern: pattern))
                } else {
                    items.append(.literal(Array(String(character).utf8)))
                    index += 1
                }
            }
        }
        guard depth == 0 else { throw invalid(pattern, "missing ']'") }
        return items
    }

    private static func quoted(_ characters: [Unicode.Scalar], _ index: inout Int, pattern: String) throws(SearchError) -> String {
        index += 1
        if index < characters.count, characters[index] == "'" {
            index += 1
            return "'"
        }
        var text = ""
        while index < characters.count {
            if characters[index] == "'" {
                if index + 1 < characters.count, characters[index + 1] == "'" {
                    text += "'"
                    index += 2
                    continue
                }
                index += 1
                return text
            }
            text.unicodeScalars.append(characters[index])
            index += 1
        }
        throw invalid(pattern, "Pattern ends with an incomplete string literal")
    }

    private static func item(for letter: Unicode.Scalar, count: Int, pattern: String) throws(SearchError) -> DateItem {
        func number(_ field: DateItem.Field, max: Int = 2) throws(SearchError) -> DateItem {
            guard count <= max else { throw invalid(pattern, "Too many pattern letters: \(letter)") }
            return .number(field, minDigits: count, maxDigits: count == 1 ? max : count)
        }
        switch letter {
        case "y", "u", "Y":
            switch count {
            case 2: return .twoDigitYear
            case 1: return .year(minDigits: 1, maxDigits: 9, signBeyondMin: false)
            default: return .year(minDigits: count, maxDigits: 9, signBeyondMin: true)
            }
        case "M", "L":
            switch count {
            case 1, 2: return .number(.month, minDigits: count, maxDigits: 2)
            case 3: return .monthText(full: false)
            case 4: return .monthText(full: true)
            default: throw invalid(pattern, "Too many pattern letters: \(letter)")
            }
        case "d": return try number(.day)
        case "D": return try number(.dayOfYear, max: 3)
        case "H": return try number(.hour)
        case "k": return try number(.clockHour24)
        case "K": return try number(.hour12)
        case "h": return try number(.clockHour12)
        case "m": return try number(.minute)
        case "s": return try number(.second)
        case "S":
            guard count <= 9 else { throw invalid(pattern, "Too many pattern letters: S") }
            return .fraction(minDigits: count, maxDigits: count, decimalPoint: false)
        case "n": return .fraction(minDigits: 1, maxDigits: 9, decimalPoint: false)
        case "a":
            guard count == 1 else { throw invalid(pattern, "Too many pattern letters: a") }
            return .amPm
        case "E":
            guard count <= 4 else { throw invalid(pattern, "Too many pattern letters: E") }
            return .dayOfWeekText(full: count == 4)
        case "Z":
            switch count {
            case 1...3: return .offset(.basic)
            case 4, 5: return .offset(.hoursColonMinutes(zForZero: true))
            default: throw invalid(pattern, "Too many pattern letters: Z")
            }
        case "X", "x":
            let zForZero = letter == "X"
            switch count {
            case 1: return .offset(.hoursOptionalMinutes(zForZero: zForZero))
            case 2, 4: return .offset(.hoursMinutes(zForZero: zForZero))
            case 3, 5: return .offset(.hoursColonMinutes(zForZero: zForZero))
            default: throw invalid(pattern, "Too many pattern letters: \(letter)")
            }
        case "V", "z", "O": return .zoneOrOffset
        default: throw invalid(pattern, "Unknown pattern letter: \(letter)")
        }
    }
}
