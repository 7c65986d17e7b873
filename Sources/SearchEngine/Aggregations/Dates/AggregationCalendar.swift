/// Proleptic Gregorian calendar arithmetic on "local" epoch milliseconds (a wall-clock time written as if it
/// were UTC), without Foundation: days ↔ year-month-day (Howard Hinnant's algorithms), flooring division.
enum AggregationCalendar {
    static let millisPerDay: Int64 = 86_400_000

    @inline(__always)
    static func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    @inline(__always)
    static func floorMod(_ value: Int64, _ divisor: Int64) -> Int64 {
        value - floorDiv(value, divisor) * divisor
    }

    /// Days since 1970-01-01 of a civil date (month 1...12).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number.
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO day of week, Monday = 1 ... Sunday = 7.
    static func isoWeekday(days: Int64) -> Int64 {
        floorMod(days + 3, 7) + 1
    }

    /// The fields of a local time.
    struct Fields {
        var year: Int64, month: Int64, day: Int64
        var hour: Int64, minute: Int64, second: Int64, millisecond: Int64
        var weekday: Int64
        var dayOfYear: Int64
    }

    static func fields(localMillis: Int64) -> Fields {
        let days = floorDiv(localMillis, millisPerDay)
        let inDay = localMillis - days * millisPerDay
        let date = civil(days: days)
        return Fields(
            year: date.year, month: date.month, day: date.day, hour: inDay / 3_600_000, minute: inDay / 60_000 % 60,
            second: inDay / 1000 % 60, millisecond: inDay % 1000, weekday: isoWeekday(days: days),
            dayOfYear: days - Self.days(year: date.year, month: 1, day: 1) + 1)
    }

    static func localMillis(year: Int64, month: Int64, day: Int64, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, millisecond: Int64 = 0) -> Int64 {
        days(year: year, month: month, day: day) * millisPerDay + hour * 3_600_000 + minute * 60_000 + second * 1000 + millisecond
    }

    /// Adds calendar months to a local time, clamping the day to the target month's length (as java.time does).
    static func addMonths(_ localMillis: Int64, _ months: Int64) -> Int64 {
        let dayNumber = floorDiv(localMillis, millisPerDay)
        let inDay = localMillis - dayNumber * millisPerDay
        let date = civil(days: dayNumber)
        let total = date.year * 12 + (date.month - 1) + months
        let year = floorDiv(total, 12)
        let month = total - year * 12 + 1
        let day = min(date.day, monthLength(year: year, month: month))
        return days(year: year, month: month, day: day) * millisPerDay + inDay
    }

    static func monthLength(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
