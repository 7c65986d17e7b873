/// The fields a date text gave, before defaults and validation.
struct DateParts {
    var year: Int64?
    var month: Int64?
    var day: Int64?
    var dayOfYear: Int64?
    var hour: Int64?
    var hour12: Int64?
    var isPM: Bool?
    var minute: Int64?
    var second: Int64?
    var nanos: Int64?
    var offsetSeconds: Int?
    var zone: DateZone?

    /// Epoch milliseconds, with OpenSearch's defaults for missing fields (year 1970, month and day 1, time
    /// 0 — or with `roundUp` 23:59:59.999), nil when a field is out of range.
    func resolve(roundUp: Bool, zone defaultZone: DateZone) -> Int64? {
        let year = self.year ?? 1970
        var month = self.month ?? 1
        var day = self.day ?? 1
        if let dayOfYear, self.month == nil, self.day == nil {
            guard dayOfYear >= 1, dayOfYear <= (CivilTime.isLeap(year) ? 366 : 365) else { return nil }
            let date = CivilTime.date(days: CivilTime.days(year: year, month: 1, day: 1) + dayOfYear - 1)
            month = date.month
            day = date.day
        }
        var hour = self.hour ?? (roundUp ? 23 : 0)
        if let hour12 {
            guard (0...11).contains(hour12) else { return nil }
            hour = hour12 + ((isPM ?? false) ? 12 : 0)
        } else if let isPM, let given = self.hour {
            guard given < 12 || isPM else { return nil }
        }
        let minute = self.minute ?? (roundUp ? 59 : 0)
        let second = self.second ?? (roundUp ? 59 : 0)
        let millis = nanos.map { $0 / 1_000_000 } ?? (roundUp ? 999 : 0)
        guard (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month), (0...23).contains(hour), (0...59).contains(minute),
            (0...59).contains(second), abs(year) <= 292_275_000
        else { return nil }
        let local = CivilTime.Fields(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis).epochMillis
        if let offsetSeconds { return local &- Int64(offsetSeconds) &* 1000 }
        return (zone ?? defaultZone).utc(fromLocal: local)
    }
}

/// Reads date text against `DateItem`s, over UTF-8 bytes.
struct DateReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var parts = DateParts()

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Reads all of `items` from `index`; optional sections that do not match leave no trace.
    mutating func read(_ items: [DateItem]) -> Bool {
        for item in items {
            guard readItem(item) else { return false }
        }
        return true
    }

    private mutating func readItem(_ item: DateItem) -> Bool {
        switch item {
        case .optional(let inner):
            let saved = self
            if !read(inner) { self = saved }
            return true
        case .literal(let literal):
            guard index + literal.count <= bytes.count else { return false }
            for (offset, byte) in literal.enumerated() where !Self.sameLetter(bytes[index + offset], byte) { return false }
            index += literal.count
            return true
        case .year(let minDigits, let maxDigits, let signBeyondMin): return readYear(minDigits: minDigits, maxDigits: maxDigits, signBeyondMin: signBeyondMin)
        case .twoDigitYear:
            guard let value = readDigits(min: 2, max: 2) else { return false }
            parts.year = 2000 + value
            return true
        case .number(let field, let minDigits, let maxDigits):
            guard let value = readDigits(min: minDigits, max: maxDigits) else { return false }
            return assign(field, value)
        case .fraction(let minDigits, let maxDigits, let decimalPoint): return readFraction(minDigits: minDigits, maxDigits: maxDigits, decimalPoint: decimalPoint)
        case .monthText(let full):
            guard let month = readName(DateItem.monthNames, full: full) else { return false }
            parts.month = Int64(month + 1)
            return true
        case .dayOfWeekText(let full): return readName(DateItem.dayNames, full: full) != nil
        case .amPm: return readAmPm()
        case .offset(let style):
            let allowZ: Bool
            switch style {
            case .basic: allowZ = true
            case .hoursOptionalMinutes(let z), .hoursMinutes(let z), .hoursColonMinutes(let z): allowZ = z
            }
            guard let seconds = readOffset(allowZ: allowZ, requireMinutes: false) else { return false }
            parts.offsetSeconds = seconds
            return true
        case .zoneOrOffset: return readZoneOrOffset()
        }
    }

    @inline(__always)
    private static func sameLetter(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || ((a | 0x20) == (b | 0x20) && (a | 0x20) &- 0x61 < 26)
    }

    private mutating func assign(_ field: DateItem.Field, _ value: Int64) -> Bool {
        switch field {
        case .month: parts.month = value
        case .day: parts.day = value
        case .dayOfYear: parts.dayOfYear = value
        case .hour: parts.hour = value
        case .clockHour24:
            guard (1...24).contains(value) else { return false }
            parts.hour = value % 24
        case .hour12: parts.hour12 = value
        case .clockHour12:
            guard (1...12).contains(value) else { return false }
            parts.hour12 = value % 12
        case .minute: parts.minute = value
        case .second: parts.second = value
        }
        return true
    }

    mutating func readDigits(min: Int, max: Int) -> Int64? {
        var value: Int64 = 0
        var count = 0
        while count < max, index < bytes.count, bytes[index] &- 0x30 < 10 {
            value = value * 10 + Int64(bytes[index] &- 0x30)
            index += 1
            count += 1
        }
        guard count >= min else {
            index -= count
            return nil
        }
        return value
    }

    private mutating func readYear(minDigits: Int, maxDigits: Int, signBeyondMin: Bool) -> Bool {
        var negative = false
        var signed = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            signed = true
            index += 1
        }
        let start = index
        let limit = signBeyondMin && !signed ? minDigits : maxDigits
        guard let value = readDigits(min: minDigits, max: limit) else { return false }
        // Java's EXCEEDS_PAD: more digits than the pad width need a sign (so an epoch is not read as a year).
        if signBeyondMin, !signed, maxDigits > minDigits, index < bytes.count, bytes[index] &- 0x30 < 10 { return false }
        if signBeyondMin, signed, index - start <= minDigits, !negative { return false }
        parts.year = negative ? -value : value
        return true
    }

    private mutating func readFraction(minDigits: Int, maxDigits: Int, decimalPoint: Bool) -> Bool {
        let saved = index
        if decimalPoint {
            guard index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") else { return false }
            index += 1
        }
        let start = index
        guard let value = readDigits(min: minDigits, max: maxDigits) else {
            index = saved
            return false
        }
        var nanos = value
        for _ in (index - start)..<9 { nanos *= 10 }
        parts.nanos = nanos
        return true
    }

    private mutating func readName(_ names: [String], full: Bool) -> Int? {
        for (position, name) in names.enumerated() {
            let candidate = Array((full ? name : String(name.prefix(3))).utf8)
            guard index + candidate.count <= bytes.count else { continue }
            if candidate.indices.allSatisfy({ Self.sameLetter(bytes[index + $0], candidate[$0]) }) {
                index += candidate.count
                return position
            }
        }
        return nil
    }

    private mutating func readAmPm() -> Bool {
        guard index + 2 <= bytes.count, bytes[index + 1] | 0x20 == UInt8(ascii: "m") else { return false }
        switch bytes[index] | 0x20 {
        case UInt8(ascii: "a"): parts.isPM = false
        case UInt8(ascii: "p"): parts.isPM = true
        default: return false
        }
        index += 2
        return true
    }

    /// `Z`, `±HH`, `±HHMM`, `±HH:MM` (and `±HH:MM:SS`); offset in seconds.
    mutating func readOffset(allowZ: Bool, requireMinutes: Bool) -> Int? {
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            guard allowZ else { return nil }
            index += 1
            return 0
        }
        guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
        let saved = index
        let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
        index += 1
        guard let hours = readDigits(min: 2, max: 2), hours <= 18 else {
            index = saved
            return nil
        }
        var minutes: Int64 = 0
        var seconds: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            guard let value = readDigits(min: 2, max: 2) else {
                index = saved
                return nil
            }
            minutes = value
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                guard let value = readDigits(min: 2, max: 2) else {
                    index = saved
                    return nil
                }
                seconds = value
            }
        } else if let value = readDigits(min: 2, max: 2) {
            minutes = value
        } else if requireMinutes {
            index = saved
            return nil
        }
        guard minutes < 60, seconds < 60 else {
            index = saved
            return nil
        }
        return sign * Int(hours * 3600 + minutes * 60 + seconds)
    }

    private mutating func readZoneOrOffset() -> Bool {
        if let seconds = readOffset(allowZ: true, requireMinutes: false) {
            parts.offsetSeconds = seconds
            return true
        }
        let start = index
        while index < bytes.count, bytes[index] >= 0x41 || bytes[index] == UInt8(ascii: "/") || bytes[index] == UInt8(ascii: "_") {
            index += 1
        }
        guard index > start, let zone = DateZone(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) else {
            index = start
            return false
        }
        // A zone id may carry an offset after it (`GMT+01:00`, `UTC-5`).
        if let seconds = readOffset(allowZ: false, requireMinutes: false) {
            parts.offsetSeconds = seconds
        } else if case .utc = zone {
            parts.offsetSeconds = 0
        } else {
            parts.zone = zone
        }
        return true
    }
}
