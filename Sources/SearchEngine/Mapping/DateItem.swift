/// One element of a compiled date format (a Java `DateTimeFormatterBuilder` step).
indirect enum DateItem: Sendable, Hashable {
    enum Field: Sendable, Hashable {
        case month, day, dayOfYear, hour, clockHour12, hour12, clockHour24, minute, second
    }

    enum OffsetStyle: Sendable, Hashable {
        /// `Z`, `ZZ`, `ZZZ`: `+HHMM`, `+0000` for UTC.
        case basic
        /// `X`: `+HH` or `+HHMM` (minutes only when non-zero), `Z` for UTC.
        case hoursOptionalMinutes(zForZero: Bool)
        /// `XX`/`xx`: `+HHMM`.
        case hoursMinutes(zForZero: Bool)
        /// `XXX`/`xxx`/`ZZZZZ`: `+HH:MM`.
        case hoursColonMinutes(zForZero: Bool)
    }

    /// A year of `minDigits...maxDigits` digits; more than `minDigits` need a sign when `signBeyondMin`
    /// (Java's `EXCEEDS_PAD`).
    case year(minDigits: Int, maxDigits: Int, signBeyondMin: Bool)
    /// `yy`: two digits, 2000–2099.
    case twoDigitYear
    case number(Field, minDigits: Int, maxDigits: Int)
    /// A fraction of the second, optionally after a decimal point (`.`, also `,` when `comma`).
    case fraction(minDigits: Int, maxDigits: Int, decimalPoint: Bool)
    case monthText(full: Bool)
    case dayOfWeekText(full: Bool)
    case amPm
    case literal([UInt8])
    case offset(OffsetStyle)
    /// `Z`, `±HH:MM`, `±HHMM`, `±HH` or a zone id (`UTC`, `Europe/Paris`), as the ISO parsers accept.
    case zoneOrOffset
    /// A section that is read when it matches and skipped otherwise.
    case optional([DateItem])

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
}

extension DateFormat {
    /// The built-in format of that name (OpenSearch's `DateFormatters`), or nil.
    static func named(_ name: String) -> Alternative? {
        switch name {
        case "epoch_millis": return .epochMillis
        case "epoch_second": return .epochSecond
        default: break
        }
        let lowered = name.camelCaseToSnake
        let strict = lowered.hasPrefix("strict_")
        let base = strict ? String(lowered.dropFirst("strict_".count)) : lowered
        guard let items = NamedDateFormats.items(base, strict: strict) else { return nil }
        return .items(parser: items.parser, printer: items.printer)
    }
}

extension String {
    /// `dateOptionalTime` → `date_optional_time` (OpenSearch still accepts the camel-case names).
    var camelCaseToSnake: String {
        guard contains(where: { $0.isUppercase }) else { return self }
        var result = ""
        for character in self {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
