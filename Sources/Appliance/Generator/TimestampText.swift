/// Registration times written as text in the forms the pipeline accepts, mixed as real data mixes them,
/// and the unparseable values that must end up in the dead-letter store.
///
/// Instants are microseconds since 1970-01-01 UTC. Forms without an offset are written in UTC (the
/// pipeline's default time zone). The calendar arithmetic is done here, not with Foundation's formatters,
/// so the text depends on nothing but the instant and the draws.
enum TimestampText {
    enum Form: CaseIterable {
        case isoOffset          // 2025-03-04T10:11:12+02:00
        case isoZulu            // 2025-03-04T08:11:12Z
        case isoZuluMillis      // 2025-03-04T08:11:12.345Z
        case isoLocal           // 2025-03-04T08:11:12
        case sql                // 2025-03-04 08:11:12
        case sqlFraction        // 2025-03-04 08:11:12.345678
        case sqlOffset          // 2025-03-04 13:41:12+05:30, 2025-03-04 08:11:12+00
        case sqlFractionOffset  // 2025-03-04 05:11:12.345678-03
        case epochSeconds       // 1741075872
        case epochMillis        // 1741075872345
    }

    /// How often each form appears.
    static let formWeights: [(Form, Int)] = [
        (.isoOffset, 15), (.isoZulu, 10), (.isoZuluMillis, 5), (.isoLocal, 10), (.sql, 20),
        (.sqlFraction, 10), (.sqlOffset, 10), (.sqlFractionOffset, 5), (.epochSeconds, 10), (.epochMillis, 5),
    ]

    /// UTC offsets in minutes, whole hours and the odd half and three-quarter hour.
    static let offsets = [0, 0, 60, 120, 180, -300, -240, -180, 330, 480, 540, 600, -210, 345]

    /// Values no parser should accept (NULL among them).
    static let unparseable: [String?] = [
        nil, "", "not a date", "yesterday", "2024-13-45 25:61:00", "31/12/2023 10:00", "N/A", "0000-00-00 00:00:00",
        "2023-06-15T24:30:00", "12:30 PM", "TBD", "2023-02-3O 10:00:00",
    ]

    /// The instant in a form drawn at random, or an unparseable value with probability `bad`.
    static func random(_ micros: Int64, bad: Double, _ random: inout SeededRandom) -> String? {
        if random.chance(bad) { return random.pick(unparseable) }
        let form = random.pick(weighted: formWeights)
        return format(micros, form, offsetMinutes: random.pick(offsets))
    }

    /// The instant in `form`; `offsetMinutes` is used by the forms that carry an offset.
    static func format(_ micros: Int64, _ form: Form, offsetMinutes: Int) -> String {
        switch form {
        case .epochSeconds: return String(floorDivide(micros, 1_000_000))
        case .epochMillis: return String(floorDivide(micros, 1_000))
        case .isoOffset: return civil(micros, offset: offsetMinutes, separator: "T") + offsetText(offsetMinutes, colon: true)
        case .isoZulu: return civil(micros, offset: 0, separator: "T") + "Z"
        case .isoZuluMillis: return civil(micros, offset: 0, separator: "T", fraction: 3) + "Z"
        case .isoLocal: return civil(micros, offset: 0, separator: "T")
        case .sql: return civil(micros, offset: 0, separator: " ")
        case .sqlFraction: return civil(micros, offset: 0, separator: " ", fraction: 6)
        case .sqlOffset: return civil(micros, offset: offsetMinutes, separator: " ") + offsetText(offsetMinutes, colon: false)
        case .sqlFractionOffset:
            return civil(micros, offset: offsetMinutes, separator: " ", fraction: 6) + offsetText(offsetMinutes, colon: false)
        }
    }

    /// `YYYY-MM-DD<sep>HH:MM:SS[.f…]` of the wall time at `offset` minutes from UTC.
    private static func civil(_ micros: Int64, offset: Int, separator: String, fraction: Int = 0) -> String {
        let local = micros + Int64(offset) * 60_000_000
        let seconds = floorDivide(local, 1_000_000)
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))\(separator)"
        text += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fraction > 0 {
            let micro = Int(local - seconds * 1_000_000)
            text += "." + pad(micro, 6).prefix(fraction)
        }
        return text
    }

    /// `+05:30`/`+00:00` with a colon; without one, `+05:30` or `+00` (whole hours drop the minutes).
    private static func offsetText(_ minutes: Int, colon: Bool) -> String {
        let sign = minutes < 0 ? "-" : "+"
        let hours = pad(abs(minutes) / 60, 2)
        let rest = abs(minutes) % 60
        if colon { return "\(sign)\(hours):\(pad(rest, 2))" }
        return rest == 0 ? "\(sign)\(hours)" : "\(sign)\(hours):\(pad(rest, 2))"
    }

    /// Proleptic Gregorian date of a day number (days since 1970-01-01), after Howard Hinnant's
    /// `civil_from_days`.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
