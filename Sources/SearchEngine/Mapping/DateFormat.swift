/// A date `format` as OpenSearch accepts it: built-in names (`strict_date_optional_time`, `epoch_millis`,
/// `basic_date`, ...), Java `DateTimeFormatter` patterns (`yyyy-MM-dd HH:mm:ss`, `dd/MM/yyyy['T'HH:mm]`), and
/// alternatives of those joined by `||` (tried in order; the first prints). Dates are epoch milliseconds,
/// UTC unless the text carries an offset or a zone is given. Arithmetic is `CivilTime` (no Foundation
/// calendars); only named time zones go through Foundation's `TimeZone`.
public struct DateFormat: Sendable, Hashable, CustomStringConvertible {
    /// The format of a `date` field that sets none.
    public static let defaultPattern = "strict_date_optional_time||epoch_millis"
    public static let `default` = DateFormat(compiled: defaultPattern)

    public let pattern: String
    let alternatives: [Alternative]

    public var description: String { pattern }

    enum Alternative: Sendable, Hashable {
        case epochMillis
        case epochSecond
        /// A parser and the printer used when this alternative prints (they differ for the ISO names,
        /// whose parsers have optional parts but which print every field).
        case items(parser: [DateItem], printer: [DateItem])
    }

    public init(pattern: String) throws(SearchError) {
        let pattern = pattern.trimmingSpaces
        guard !pattern.isEmpty else { throw SearchError.illegalArgument("Invalid format: [] must not be empty") }
        var alternatives: [Alternative] = []
        for part in pattern.split(separator: "||", omittingEmptySubsequences: false) {
            let name = String(part).trimmingSpaces
            guard !name.isEmpty else { throw SearchError.illegalArgument("Invalid format: [\(pattern)]: empty alternative") }
            if let named = Self.named(name) {
                alternatives.append(named)
            } else {
                let items = try DatePatternCompiler.compile(name)
                alternatives.append(.items(parser: items, printer: items))
            }
        }
        self.pattern = pattern
        self.alternatives = alternatives
    }

    /// For patterns known to be valid (the built-in defaults).
    init(compiled pattern: String) {
        self.pattern = pattern
        self.alternatives = pattern.split(separator: "||").compactMap { Self.named(String($0)) }
    }

    /// Epoch milliseconds of `text`, or nil when no alternative parses all of it. Text without an offset
    /// is read in UTC.
    public func parse(_ text: String) -> Int64? {
        parse(text, roundUp: false, zone: .utc)
    }

    /// Epoch milliseconds of `text` read in `zone` when it has no offset of its own. With `roundUp`, fields
    /// the text leaves out take their largest value (hour 23, minute 59, second 59, millisecond 999), as
    /// OpenSearch's round-up parser does for `lte`/`gt` bounds; month and day still default to 1.
    public func parse(_ text: String, roundUp: Bool, zone: DateZone) -> Int64? {
        var copy = text
        return copy.withUTF8 { bytes in parse(utf8: bytes, roundUp: roundUp, zone: zone) }
    }

    /// `parse(_:roundUp:zone:)` over UTF-8 bytes.
    public func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, roundUp: Bool = false, zone: DateZone = .utc) -> Int64? {
        for alternative in alternatives {
            if let millis = Self.parse(bytes, with: alternative, roundUp: roundUp, zone: zone) { return millis }
        }
        return nil
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, with alternative: Alternative, roundUp: Bool, zone: DateZone) -> Int64? {
        switch alternative {
        case .epochMillis: return EpochParser.parse(bytes, scale: 1, roundUp: roundUp)
        case .epochSecond: return EpochParser.parse(bytes, scale: 1000, roundUp: roundUp)
        case .items(let parser, _):
            var reader = DateReader(bytes: bytes)
            guard reader.read(parser), reader.index == bytes.count else { return nil }
            return reader.parts.resolve(roundUp: roundUp, zone: zone)
        }
    }

    /// `millis` printed with the first alternative (in UTC unless `zone` is given).
    public func format(_ millis: Int64, zone: DateZone = .utc) -> String {
        switch alternatives.first {
        case .epochMillis?: return String(millis)
        case .epochSecond?:
            let (seconds, remainder) = CivilTime.floorDivide(millis, 1000)
            return remainder == 0 ? String(seconds) : String(seconds) + "." + String(String(remainder + 1000).dropFirst()).trimmingTrailingZeros
        case .items(_, let printer)?: return DatePrinter.print(millis, zone: zone, items: printer)
        case nil: return String(millis)
        }
    }

    /// Whether the format can read plain numbers as epoch values (OpenSearch then accepts JSON numbers).
    public var acceptsEpoch: Bool {
        alternatives.contains { if case .items = $0 { false } else { true } }
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars = scalars.dropFirst() }
        while scalars.last == " " { scalars = scalars.dropLast() }
        return String(scalars)
    }

    var trimmingTrailingZeros: String {
        var text = Substring(self)
        while text.last == "0" { text = text.dropLast() }
        return String(text)
    }
}

/// Epoch numbers as OpenSearch's `EpochTime` reads them: an optional `-`, 1–19 digits, an optional `.` and
/// fraction (up to 6 digits for milliseconds, 9 for seconds; `123.` is accepted). Fractions of a
/// millisecond round toward negative infinity; `epoch_second` without a fraction rounds up to the end of
/// its second when `roundUp`.
enum EpochParser {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, scale: Int64, roundUp: Bool) -> Int64? {
        var index = 0
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let digitsStart = index
        var whole: Int64 = 0
        while index < bytes.count, bytes[index] &- 0x30 < 10 {
            let (times, overflow1) = whole.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(bytes[index] &- 0x30))
            guard !overflow1, !overflow2 else { return nil }
            whole = sum
            index += 1
        }
        guard index > digitsStart, index - digitsStart <= 19 else { return nil }
        var nanos: Int64 = 0  // fraction of one unit (a millisecond or a second), in billionths
        var hasFraction = false
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] &- 0x30 < 10 {
                nanos = nanos * 10 + Int64(bytes[index] &- 0x30)
                digits += 1
                index += 1
                guard digits <= (scale == 1 ? 6 : 9) else { return nil }
            }
            hasFraction = digits > 0
            for _ in digits..<9 { nanos *= 10 }
        }
        guard index == bytes.count else { return nil }
        let (wholeMillis, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        let fractionMillis = nanos * scale / 1_000_000_000
        let hasRemainder = nanos * scale % 1_000_000_000 != 0
        if scale > 1, roundUp, !hasFraction { return negative ? -wholeMillis + scale - 1 : wholeMillis + scale - 1 }
        if negative { return -(wholeMillis + fractionMillis) - (hasRemainder ? 1 : 0) }
        return wholeMillis + fractionMillis
    }
}
