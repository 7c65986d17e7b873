/// OpenSearch's built-in date formats as `DateItem`s. `strict_` variants take fixed-width fields (four-digit
/// years, two-digit months...); the others accept shorter fields.
enum NamedDateFormats {
    typealias Item = DateItem

    static func items(_ name: String, strict: Bool) -> (parser: [Item], printer: [Item])? {
        let f = Fields(strict: strict)
        switch name {
        case "date_optional_time", "date_optional_time_nanos", "date_time_no_millis_optional", "iso8601":
            return (f.dateOptionalTime, isoPrinter)
        case "date": return (f.date, datePrinter)
        case "date_time": return (f.date + [lit("T")] + f.hourMinuteSecond + [.optional(f.fraction)] + [.zoneOrOffset], isoPrinter)
        case "date_time_no_millis": return (f.date + [lit("T")] + f.hourMinuteSecond + [.zoneOrOffset], isoNoMillisPrinter)
        case "date_hour": return both(f.date + [lit("T"), f.hour])
        case "date_hour_minute": return both(f.date + [lit("T")] + f.hourMinute)
        case "date_hour_minute_second": return both(f.date + [lit("T")] + f.hourMinuteSecond)
        case "date_hour_minute_second_millis", "date_hour_minute_second_fraction":
            return (f.date + [lit("T")] + f.hourMinuteSecond + f.fraction, f.date + [lit("T")] + f.hourMinuteSecond + millisPrinter)
        case "year_month_day": return both(f.date)
        case "year_month": return both([f.year, lit("-"), f.month])
        case "year": return both([f.year])
        case "hour": return both([f.hour])
        case "hour_minute": return both(f.hourMinute)
        case "hour_minute_second": return both(f.hourMinuteSecond)
        case "hour_minute_second_millis", "hour_minute_second_fraction": return (f.hourMinuteSecond + f.fraction, f.hourMinuteSecond + millisPrinter)
        case "time": return (f.hourMinuteSecond + f.fraction + [.zoneOrOffset], Fields(strict: true).hourMinuteSecond + millisPrinter + [.offset(.hoursColonMinutes(zForZero: true))])
        case "time_no_millis": return (f.hourMinuteSecond + [.zoneOrOffset], Fields(strict: true).hourMinuteSecond + [.offset(.hoursColonMinutes(zForZero: true))])
        case "t_time": return (([lit("T")] + f.hourMinuteSecond + f.fraction + [.zoneOrOffset]), [lit("T")] + Fields(strict: true).hourMinuteSecond + millisPrinter + [.offset(.hoursColonMinutes(zForZero: true))])
        case "basic_date": return both(basicDate)
        case "basic_date_time":
            return (basicDate + [lit("T")] + basicTime + [.fraction(minDigits: 1, maxDigits: 9, decimalPoint: true), .zoneOrOffset], basicDate + [lit("T")] + basicTime + millisPrinter + [.offset(.hoursMinutes(zForZero: true))])
        case "basic_date_time_no_millis": return (basicDate + [lit("T")] + basicTime + [.zoneOrOffset], basicDate + [lit("T")] + basicTime + [.offset(.hoursMinutes(zForZero: true))])
        case "basic_time": return (basicTime + [.fraction(minDigits: 1, maxDigits: 9, decimalPoint: true), .zoneOrOffset], basicTime + millisPrinter + [.offset(.hoursMinutes(zForZero: true))])
        case "basic_time_no_millis": return (basicTime + [.zoneOrOffset], basicTime + [.offset(.hoursMinutes(zForZero: true))])
        case "basic_ordinal_date": return both([.year(minDigits: 4, maxDigits: 4, signBeyondMin: true), .number(.dayOfYear, minDigits: 3, maxDigits: 3)])
        case "ordinal_date": return both([f.year, lit("-"), .number(.dayOfYear, minDigits: strict ? 3 : 1, maxDigits: 3)])
        default: return nil
        }
    }

    private static func both(_ items: [Item]) -> (parser: [Item], printer: [Item]) { (items, items) }
    static func lit(_ text: String) -> Item { .literal(Array(text.utf8)) }

    private static let basicDate: [Item] = [
        .year(minDigits: 4, maxDigits: 4, signBeyondMin: true), .number(.month, minDigits: 2, maxDigits: 2), .number(.day, minDigits: 2, maxDigits: 2),
    ]
    private static let basicTime: [Item] = [
        .number(.hour, minDigits: 2, maxDigits: 2), .number(.minute, minDigits: 2, maxDigits: 2), .number(.second, minDigits: 2, maxDigits: 2),
    ]
    static let millisPrinter: [Item] = [.fraction(minDigits: 3, maxDigits: 3, decimalPoint: true)]
    static let datePrinter: [Item] = [
        .year(minDigits: 4, maxDigits: 4, signBeyondMin: true), lit("-"), .number(.month, minDigits: 2, maxDigits: 2), lit("-"),
        .number(.day, minDigits: 2, maxDigits: 2),
    ]
    private static let timePrinter: [Item] = [
        lit("T"), .number(.hour, minDigits: 2, maxDigits: 2), lit(":"), .number(.minute, minDigits: 2, maxDigits: 2), lit(":"),
        .number(.second, minDigits: 2, maxDigits: 2),
    ]
    /// `2024-01-05T10:00:00.000Z`, how OpenSearch prints `strict_date_optional_time`.
    static let isoPrinter: [Item] = datePrinter + timePrinter + millisPrinter + [.offset(.hoursColonMinutes(zForZero: true))]
    static let isoNoMillisPrinter: [Item] = datePrinter + timePrinter + [.offset(.hoursColonMinutes(zForZero: true))]

    /// The field widths of a strict or lenient named format.
    struct Fields {
        let strict: Bool

        var year: Item { strict ? .year(minDigits: 4, maxDigits: 9, signBeyondMin: true) : .year(minDigits: 1, maxDigits: 9, signBeyondMin: false) }
        private func two(_ field: Item.Field) -> Item { .number(field, minDigits: strict ? 2 : 1, maxDigits: 2) }
        var month: Item { two(.month) }
        var day: Item { two(.day) }
        var hour: Item { two(.hour) }
        var date: [Item] { [year, NamedDateFormats.lit("-"), month, NamedDateFormats.lit("-"), day] }
        var hourMinute: [Item] { [hour, NamedDateFormats.lit(":"), two(.minute)] }
        var hourMinuteSecond: [Item] { hourMinute + [NamedDateFormats.lit(":"), two(.second)] }
        var fraction: [Item] { [.fraction(minDigits: 1, maxDigits: 9, decimalPoint: true)] }

        /// `yyyy[-MM[-dd]]['T'HH[:mm[:ss[.fraction]]][offset]]`.
        var dateOptionalTime: [Item] {
            let seconds: Item = .optional([NamedDateFormats.lit(":"), two(.second), .optional(fraction)])
            let minutes: Item = .optional([NamedDateFormats.lit(":"), two(.minute), seconds])
            let time: Item = .optional([NamedDateFormats.lit("T"), .optional([hour, minutes, .optional([.zoneOrOffset])])])
            return [year, .optional([NamedDateFormats.lit("-"), month, .optional([NamedDateFormats.lit("-"), day])]), time]
        }
    }
}
