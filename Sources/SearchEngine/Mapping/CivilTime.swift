/// Proleptic Gregorian calendar arithmetic on epoch days and milliseconds (Howard Hinnant's
/// `days_from_civil` / `civil_from_days`), so dates never go through Foundation's calendars.
enum CivilTime {
    static let millisPerDay: Int64 = 86_400_000

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    /// (Wrapping arithmetic: absurd years give absurd results rather than a trap; callers range-check.)
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year &- 1 : year
        let era = (y >= 0 ? y : y &- 399) / 400
        let yearOfEra = y &- era &* 400
        let monthIndex = month > 2 ? month &- 3 : month &+ 9
        let dayOfYear = (153 &* monthIndex &+ 2) / 5 &+ day &- 1
        let dayOfEra = yearOfEra &* 365 &+ yearOfEra / 4 &- yearOfEra / 100 &+ dayOfYear
        return era &* 146_097 &+ dayOfEra &- 719_468
    }

    /// The date of a count of days since 1970-01-01.
    static func date(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days &+ 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra &+ era &* 400 &+ (month <= 2 ? 1 : 0), month, day)
    }

    static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// ISO day of week, Monday = 1 ... Sunday = 7.
    static func dayOfWeek(days: Int64) -> Int64 {
        let index = (days + 3) % 7  // 1970-01-01 was a Thursday
        return (index < 0 ? index + 7 : index) + 1
    }

    /// Floor division, for splitting negative milliseconds into days and time of day.
    @inline(__always)
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Local date-time fields of an epoch millisecond value (in a zone whose offset was already added).
    struct Fields: Equatable {
        var year: Int64
        var month: Int64
        var day: Int64
        var hour: Int64
        var minute: Int64
        var second: Int64
        var millis: Int64

        init(year: Int64, month: Int64, day: Int64, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, millis: Int64 = 0) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
            self.millis = millis
        }

        init(millis value: Int64) {
            let (days, timeOfDay) = CivilTime.floorDivide(value, CivilTime.millisPerDay)
            let date = CivilTime.date(days: days)
            self.init(
                year: date.year, month: date.month, day: date.day, hour: timeOfDay / 3_600_000, minute: timeOfDay / 60_000 % 60,
                second: timeOfDay / 1000 % 60, millis: timeOfDay % 1000)
        }

        var epochMillis: Int64 {
            CivilTime.days(year: year, month: month, day: day) &* CivilTime.millisPerDay &+ hour &* 3_600_000 &+ minute &* 60_000 &+ second &* 1000 &+ millis
        }
    }
}
