/// OpenSearch's date math (`DateMathParser`): `now`, or a date followed by `||`, then operations —
/// `+1d`, `-2w`, `/M` (round down to the unit; units `y M w d h H m s`, weeks start on Monday). With
/// `roundUp` (the `lte`/`gt` side of a range), rounding goes to the last millisecond of the unit and a
/// date without time fields reads as the end of its day. Rounding, adding days and months, and reading
/// dates without an offset happen in `timeZone` (a zone id or `±hh:mm`; UTC when nil).
public enum DateMath {
    public static func parse(_ expression: String, now: Int64, format: DateFormat = .default, roundUp: Bool, timeZone: String? = nil) throws(SearchError) -> Int64 {
        let zone = try zone(timeZone)
        let time: Int64
        let math: Substring
        if expression.hasPrefix("now") {
            time = now
            math = expression.dropFirst(3)
        } else if let separator = expression.firstRange(of: "||") {
            time = try parseDate(String(expression[..<separator.lowerBound]), format: format, roundUp: false, zone: zone)
            math = expression[separator.upperBound...]
        } else {
            return try parseDate(expression, format: format, roundUp: roundUp, zone: zone)
        }
        return try apply(Array(math.utf8), to: time, roundUp: roundUp, zone: zone, expression: String(math))
    }

    /// The zone of a `time_zone` parameter.
    public static func zone(_ timeZone: String?) throws(SearchError) -> DateZone {
        guard let timeZone else { return .utc }
        guard let zone = DateZone(timeZone) else { throw SearchError.illegalArgument("The datetime zone id '\(timeZone)' is not recognised") }
        return zone
    }

    static func parseDate(_ text: String, format: DateFormat, roundUp: Bool, zone: DateZone) throws(SearchError) -> Int64 {
        guard let millis = format.parse(text, roundUp: roundUp, zone: zone) else {
            throw SearchError("parse_exception", "failed to parse date field [\(text)] with format [\(format.pattern)]")
        }
        return millis
    }

    private static func apply(_ math: [UInt8], to start: Int64, roundUp: Bool, zone: DateZone, expression: String) throws(SearchError) -> Int64 {
        var time = start
        var index = 0
        while index < math.count {
            let operation = math[index]
            index += 1
            guard operation == UInt8(ascii: "/") || operation == UInt8(ascii: "+") || operation == UInt8(ascii: "-") else {
                throw SearchError("parse_exception", "operator not supported for date math [\(expression)]")
            }
            guard index < math.count else { throw SearchError("parse_exception", "truncated date math [\(expression)]") }
            var amount: Int64 = 1
            if math[index] &- 0x30 < 10 {
                guard operation != UInt8(ascii: "/") else { throw SearchError("parse_exception", "rounding `/` can only be used on single unit types [\(expression)]") }
                amount = 0
                while index < math.count, math[index] &- 0x30 < 10 {
                    amount = amount &* 10 &+ Int64(math[index] &- 0x30)
                    index += 1
                }
                guard index < math.count else { throw SearchError("parse_exception", "truncated date math [\(expression)]") }
            }
            guard let unit = Unit(math[index]) else {
                throw SearchError("parse_exception", "unit [\(Character(Unicode.Scalar(math[index])))] not supported for date math [\(expression)]")
            }
            index += 1
            if operation == UInt8(ascii: "/") {
                let floor = round(time, to: unit, zone: zone)
                time = roundUp ? add(1, unit, to: floor, zone: zone) &- 1 : floor
            } else {
                time = add(operation == UInt8(ascii: "-") ? -amount : amount, unit, to: time, zone: zone)
            }
        }
        return time
    }

    enum Unit {
        case year, month, week, day, hour, minute, second

        init?(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "y"): self = .year
            case UInt8(ascii: "M"): self = .month
            case UInt8(ascii: "w"): self = .week
            case UInt8(ascii: "d"): self = .day
            case UInt8(ascii: "h"), UInt8(ascii: "H"): self = .hour
            case UInt8(ascii: "m"): self = .minute
            case UInt8(ascii: "s"): self = .second
            default: return nil
            }
        }
    }

    /// The start of the unit containing `millis`, in `zone`.
    static func round(_ millis: Int64, to unit: Unit, zone: DateZone) -> Int64 {
        switch unit {
        case .hour: return zone.utc(fromLocal: CivilTime.floorDivide(zone.local(fromUTC: millis), 3_600_000).quotient * 3_600_000)
        case .minute: return CivilTime.floorDivide(millis, 60_000).quotient * 60_000
        case .second: return CivilTime.floorDivide(millis, 1000).quotient * 1000
        default: break
        }
        var fields = CivilTime.Fields(millis: zone.local(fromUTC: millis))
        fields.hour = 0
        fields.minute = 0
        fields.second = 0
        fields.millis = 0
        switch unit {
        case .year:
            fields.month = 1
            fields.day = 1
        case .month: fields.day = 1
        case .week:
            let days = CivilTime.days(year: fields.year, month: fields.month, day: fields.day)
            let monday = days - (CivilTime.dayOfWeek(days: days) - 1)
            let date = CivilTime.date(days: monday)
            fields = CivilTime.Fields(year: date.year, month: date.month, day: date.day)
        default: break
        }
        return zone.utc(fromLocal: fields.epochMillis)
    }

    /// `millis` plus `amount` units: calendar units in local time (months clamp the day), time units exactly.
    static func add(_ amount: Int64, _ unit: Unit, to millis: Int64, zone: DateZone) -> Int64 {
        switch unit {
        case .hour: return millis &+ amount &* 3_600_000
        case .minute: return millis &+ amount &* 60_000
        case .second: return millis &+ amount &* 1000
        case .day, .week:
            let local = zone.local(fromUTC: millis) &+ amount &* (unit == .week ? 7 : 1) &* CivilTime.millisPerDay
            return zone.utc(fromLocal: local)
        case .year, .month:
            var fields = CivilTime.Fields(millis: zone.local(fromUTC: millis))
            let months = fields.year &* 12 &+ (fields.month - 1) &+ (unit == .year ? amount &* 12 : amount)
            let (year, month) = CivilTime.floorDivide(months, 12)
            fields.year = year
            fields.month = month + 1
            fields.day = min(fields.day, CivilTime.daysInMonth(year: fields.year, month: fields.month))
            return zone.utc(fromLocal: fields.epochMillis)
        }
    }
}
