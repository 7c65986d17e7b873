import StreamProcessing

/// A calendar unit of `calendar_interval` (OpenSearch's `DATE_FIELD_UNITS`).
enum CalendarUnit: Sendable, Equatable {
    case second, minute, hour, day, week, month, quarter, year

    init?(_ text: String) {
        switch text {
        case "second", "1s": self = .second
        case "minute", "1m": self = .minute
        case "hour", "1h": self = .hour
        case "day", "1d": self = .day
        case "week", "1w": self = .week
        case "month", "1M": self = .month
        case "quarter", "1q": self = .quarter
        case "year", "1y": self = .year
        default: return nil
        }
    }

    /// Length in milliseconds of the units that have a fixed one (day and week in UTC).
    var fixedMillis: Int64? {
        switch self {
        case .second: 1000
        case .minute: 60_000
        case .hour: 3_600_000
        case .day: 86_400_000
        case .week: 7 * 86_400_000
        case .month, .quarter, .year: nil
        }
    }
}

enum DateInterval: Sendable, Equatable {
    case calendar(CalendarUnit)
    case fixed(Int64)
}

/// `extended_bounds` / `hard_bounds`: numbers, or date strings and date math resolved at execution.
struct BoundsSpec: Sendable {
    var min: JSONValue?
    var max: JSONValue?

    init(_ object: JSONObject) {
        min = object["min"].flatMap { $0 == .null ? nil : $0 }
        max = object["max"].flatMap { $0 == .null ? nil : $0 }
    }
}

struct DateHistogramSpec: Sendable {
    var source: ValueSourceSpec
    var interval: DateInterval
    var timeZone: String?
    var offset: Int64
    var minDocCount: Int
    var extendedBounds: BoundsSpec?
    var hardBounds: BoundsSpec?
    var keyed: Bool
    var order: [BucketOrder]

    init(name: String, _ body: JSONObject) throws(SearchError) {
        let reader = try AggregationParameters(
            type: "date_histogram", body,
            known: [
                "field", "calendar_interval", "fixed_interval", "interval", "time_zone", "offset", "format", "min_doc_count",
                "extended_bounds", "hard_bounds", "keyed", "order", "missing",
            ], ignored: ["value_type"])
        source = try ValueSourceSpec(reader)
        interval = try Self.interval(reader)
        timeZone = try reader.string("time_zone")
        offset = 0
        if let value = reader["offset"] {
            guard let parsed = Self.parseOffset(value) else {
                throw reader.failure("offset", .illegalArgument("failed to parse setting [date_histogram.offset] with value [\(value.jsonText)] as a time value: unit is missing or unrecognized"))
            }
            offset = parsed
        }
        minDocCount = try reader.int("min_doc_count") ?? 0
        guard minDocCount >= 0 else { throw .illegalArgument("[minDocCount] must be greater than or equal to 0. Found [\(minDocCount)] in [\(name)]") }
        extendedBounds = try reader.object("extended_bounds").map(BoundsSpec.init)
        hardBounds = try reader.object("hard_bounds").map(BoundsSpec.init)
        keyed = try reader.bool("keyed") ?? false
        order = try reader["order"].map { (value) throws(SearchError) in try BucketOrder.parse(value, type: "date_histogram") } ?? [.key(ascending: true)]
    }

    private static func interval(_ reader: AggregationParameters) throws(SearchError) -> DateInterval {
        let calendar = try reader.string("calendar_interval")
        let fixed = try reader.string("fixed_interval")
        let legacy = try reader.string("interval")
        if legacy != nil, calendar != nil || fixed != nil {
            throw .illegalArgument("Cannot use [interval] with [fixed_interval] or [calendar_interval] configuration options.")
        }
        if calendar != nil, fixed != nil {
            let first = reader.body.members.firstIndex { $0.name == "calendar_interval" } ?? 0
            let second = reader.body.members.firstIndex { $0.name == "fixed_interval" } ?? 0
            let (used, other) = first < second ? ("fixed_interval", "calendar_interval") : ("calendar_interval", "fixed_interval")
            throw reader.failure(used, .illegalArgument("Cannot use [\(used)] with [\(other)] configuration option."))
        }
        if let calendar {
            guard let unit = CalendarUnit(calendar) else {
                throw reader.failure("calendar_interval", .illegalArgument("The supplied interval [\(calendar)] could not be parsed as a calendar interval."))
            }
            return .calendar(unit)
        }
        if let fixed {
            guard let millis = parseTimeValue(fixed), millis > 0 else {
                throw reader.failure(
                    "fixed_interval",
                    .illegalArgument("failed to parse setting [date_histogram.fixedInterval] with value [\(fixed)] as a time value: unit is missing or unrecognized"))
            }
            return .fixed(millis)
        }
        if let legacy {
            if let unit = CalendarUnit(legacy) { return .calendar(unit) }
            if let millis = Int64(legacy), millis > 0 { return .fixed(millis) }
            guard let millis = parseTimeValue(legacy), millis > 0 else {
                throw .illegalArgument("failed to parse setting [date_histogram.interval] with value [\(legacy)] as a time value: unit is missing or unrecognized")
            }
            return .fixed(millis)
        }
        throw .illegalArgument("Invalid interval specified, must be non-null and non-empty")
    }

    /// `offset`: `+6h`, `-1d`, `30m` or a number of milliseconds.
    static func parseOffset(_ value: JSONValue) -> Int64? {
        switch value {
        case .integer(let millis): return millis
        case .double(let millis): return Int64(millis)
        case .string(let text):
            if text.hasPrefix("-") { return parseTimeValue(String(text.dropFirst())).map { -$0 } }
            return parseTimeValue(text.hasPrefix("+") ? String(text.dropFirst()) : text)
        default: return nil
        }
    }

    /// OpenSearch's `TimeValue.parseTimeValue` in milliseconds: a number and one of nanos, micros, ms, s, m, h, d
    /// (case-insensitive, as OpenSearch lower-cases the text).
    static func parseTimeValue(_ text: String) -> Int64? {
        let normalized = text.lowercased().aggregationTrimmed
        let units: [(String, Double)] = [("nanos", 1e-6), ("micros", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where normalized.hasSuffix(suffix) {
            let number = normalized.dropLast(suffix.count).aggregationTrimmedSubstring
            guard !number.isEmpty, let value = Double(number), value >= 0 else { return nil }
            return Int64((value * factor).rounded(.down))
        }
        return nil
    }
}

struct HistogramSpec: Sendable {
    var source: ValueSourceSpec
    var interval: Double
    var offset: Double
    var minDocCount: Int
    var extendedBounds: (min: Double?, max: Double?)?
    var hardBounds: (min: Double?, max: Double?)?
    var keyed: Bool
    var order: [BucketOrder]

    init(name: String, _ body: JSONObject) throws(SearchError) {
        let reader = try AggregationParameters(
            type: "histogram", body,
            known: ["field", "interval", "offset", "min_doc_count", "extended_bounds", "hard_bounds", "keyed", "order", "missing", "format"])
        source = try ValueSourceSpec(reader)
        guard let interval = try reader.double("interval") else { throw .illegalArgument("[interval] must be >0 for histogram aggregation [\(name)]") }
        guard interval > 0 else { throw .illegalArgument("[interval] must be >0 for histogram aggregation [\(name)]") }
        self.interval = interval
        offset = try reader.double("offset") ?? 0
        minDocCount = try reader.int("min_doc_count") ?? 0
        guard minDocCount >= 0 else { throw .illegalArgument("[minDocCount] must be greater than or equal to 0. Found [\(minDocCount)] in [\(name)]") }
        extendedBounds = try reader.object("extended_bounds").map { ($0["min"]?.aggregationNumber, $0["max"]?.aggregationNumber) }
        hardBounds = try reader.object("hard_bounds").map { ($0["min"]?.aggregationNumber, $0["max"]?.aggregationNumber) }
        keyed = try reader.bool("keyed") ?? false
        order = try reader["order"].map { (value) throws(SearchError) in try BucketOrder.parse(value, type: "histogram") } ?? [.key(ascending: true)]
    }
}

struct RangeSpec: Sendable {
    struct Entry: Sendable {
        var key: String?
        var from: JSONValue?
        var to: JSONValue?
    }

    var isDate: Bool
    var source: ValueSourceSpec
    var ranges: [Entry]
    var keyed: Bool
    var timeZone: String?

    init(name: String, isDate: Bool, _ body: JSONObject) throws(SearchError) {
        let type = isDate ? "date_range" : "range"
        let reader = try AggregationParameters(
            type: type, body, known: ["field", "ranges", "keyed", "missing", "format"] + (isDate ? ["time_zone"] : []), ignored: ["value_type"])
        self.isDate = isDate
        source = try ValueSourceSpec(reader)
        keyed = try reader.bool("keyed") ?? false
        timeZone = try reader.string("time_zone")
        guard case .array(let elements)? = reader["ranges"], !elements.isEmpty else {
            throw .illegalArgument("No [ranges] specified for the [\(name)] aggregation")
        }
        ranges = try elements.map { (element) throws(SearchError) -> Entry in
            guard case .object(let object) = element else { throw reader.failure("ranges") }
            let entry = try AggregationParameters(type: "range", object, known: ["key", "from", "to"])
            return Entry(key: try entry.string("key"), from: entry["from"], to: entry["to"])
        }
    }
}

extension Substring {
    var aggregationTrimmedSubstring: String { String(self).aggregationTrimmed }
}
