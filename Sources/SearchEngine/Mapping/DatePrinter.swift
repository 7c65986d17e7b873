/// Prints epoch milliseconds with `DateItem`s (every optional section is printed, as Java does when all
/// fields are available).
enum DatePrinter {
    static func print(_ millis: Int64, zone: DateZone, items: [DateItem]) -> String {
        let offset = zone.offset(atUTC: millis)
        let fields = CivilTime.Fields(millis: millis &+ Int64(offset) &* 1000)
        var output: [UInt8] = []
        output.reserveCapacity(32)
        append(items, fields: fields, offset: offset, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func append(_ items: [DateItem], fields: CivilTime.Fields, offset: Int, to output: inout [UInt8]) {
        for item in items {
            switch item {
            case .optional(let inner): append(inner, fields: fields, offset: offset, to: &output)
            case .literal(let bytes): output += bytes
            case .year(let minDigits, _, let signBeyondMin):
                if fields.year < 0 {
                    output.append(UInt8(ascii: "-"))
                } else if signBeyondMin, fields.year > 9999, minDigits == 4 {
                    output.append(UInt8(ascii: "+"))
                }
                appendNumber(abs(fields.year), width: minDigits, to: &output)
            case .twoDigitYear: appendNumber(((fields.year % 100) + 100) % 100, width: 2, to: &output)
            case .number(let field, let minDigits, _): appendNumber(value(field, fields), width: minDigits, to: &output)
            case .fraction(let minDigits, let maxDigits, let decimalPoint):
                if decimalPoint { output.append(UInt8(ascii: ".")) }
                appendFraction(fields.millis, digits: max(minDigits, min(maxDigits, 3)), to: &output)
            case .monthText(let full):
                let name = DateItem.monthNames[Int(fields.month - 1)]
                output += Array((full ? name : String(name.prefix(3))).utf8)
            case .dayOfWeekText(let full):
                let days = CivilTime.days(year: fields.year, month: fields.month, day: fields.day)
                let name = DateItem.dayNames[Int(CivilTime.dayOfWeek(days: days) - 1)]
                output += Array((full ? name : String(name.prefix(3))).utf8)
            case .amPm: output += Array((fields.hour < 12 ? "AM" : "PM").utf8)
            case .offset(let style): appendOffset(offset, style: style, to: &output)
            case .zoneOrOffset: appendOffset(offset, style: .hoursColonMinutes(zForZero: true), to: &output)
            }
        }
    }

    private static func value(_ field: DateItem.Field, _ fields: CivilTime.Fields) -> Int64 {
        switch field {
        case .month: fields.month
        case .day: fields.day
        case .dayOfYear: CivilTime.days(year: fields.year, month: fields.month, day: fields.day) - CivilTime.days(year: fields.year, month: 1, day: 1) + 1
        case .hour: fields.hour
        case .clockHour24: fields.hour == 0 ? 24 : fields.hour
        case .hour12: fields.hour % 12
        case .clockHour12: fields.hour % 12 == 0 ? 12 : fields.hour % 12
        case .minute: fields.minute
        case .second: fields.second
        }
    }

    private static func appendNumber(_ value: Int64, width: Int, to output: inout [UInt8]) {
        let digits = Array(String(value).utf8)
        if digits.count < width { output += [UInt8](repeating: UInt8(ascii: "0"), count: width - digits.count) }
        output += digits
    }

    /// Milliseconds as a fraction of `digits` digits (zeros past the third).
    private static func appendFraction(_ millis: Int64, digits: Int, to output: inout [UInt8]) {
        var text = Array(String(millis + 1000).utf8.dropFirst())
        if digits < 3 { text = Array(text.prefix(digits)) }
        if digits > 3 { text += [UInt8](repeating: UInt8(ascii: "0"), count: digits - 3) }
        output += text
    }

    private static func appendOffset(_ offset: Int, style: DateItem.OffsetStyle, to output: inout [UInt8]) {
        let zForZero: Bool
        switch style {
        case .basic: zForZero = false
        case .hoursOptionalMinutes(let z), .hoursMinutes(let z), .hoursColonMinutes(let z): zForZero = z
        }
        if offset == 0 && zForZero {
            output.append(UInt8(ascii: "Z"))
            return
        }
        output.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let hours = Int64(abs(offset) / 3600)
        let minutes = Int64(abs(offset) / 60 % 60)
        appendNumber(hours, width: 2, to: &output)
        switch style {
        case .basic, .hoursMinutes: appendNumber(minutes, width: 2, to: &output)
        case .hoursColonMinutes:
            output.append(UInt8(ascii: ":"))
            appendNumber(minutes, width: 2, to: &output)
        case .hoursOptionalMinutes: if minutes != 0 { appendNumber(minutes, width: 2, to: &output) }
        }
    }
}
