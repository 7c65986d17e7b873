/// The fields of a date or date-time text, checked for range, before time-zone resolution.
///
/// Grammar (ASCII only): `YYYY-MM-DD` [ (`T` | ` `) `HH:MM:SS` [`.` 1–6 digits] [offset] ]
/// with offset = `Z` | (`+`|`-`) `HH` [ [`:`] `MM` ].
struct DateTimeText {
    enum OffsetRule { case optional, required, forbidden }

    var date: LocalDate
    var hasTime = false
    var hour = 0, minute = 0, second = 0, microsecond = 0
    /// Seconds east of UTC, when the text carries an offset.
    var offsetSeconds: Int?

    static func parse(_ bytes: ArraySlice<UInt8>, offset rule: OffsetRule) -> Result<DateTimeText, RegistrationTimeError> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        var cursor = Cursor(bytes: bytes)
        guard let year = cursor.number(digits: 4), cursor.take("-"),
              let month = cursor.number(digits: 2), cursor.take("-"),
              let day = cursor.number(digits: 2)
        else { return .failure(.unrecognised) }
        guard year >= 1 else { return .failure(.outOfRange) }
        guard (1...12).contains(month) else { return .failure(.field("month \(month) is out of range")) }
        guard let date = LocalDate(year: year, month: month, day: day) else {
            return .failure(.field("day \(day) is out of range for \(LocalDate.paddedYearMonth(year, month))"))
        }
        var fields = DateTimeText(date: date)
        if cursor.atEnd {
            return rule == .required ? .failure(.unrecognised) : .success(fields)
        }
        guard cursor.take("T") || cursor.take(" ") else { return .failure(.unrecognised) }
        if case .failure(let error) = fields.parseTime(&cursor) { return .failure(error) }
        if !cursor.atEnd {
            guard rule != .forbidden else { return .failure(.unrecognised) }
            if case .failure(let error) = fields.parseOffset(&cursor) { return .failure(error) }
        } else if rule == .required {
            return .failure(.unrecognised)
        }
        return cursor.atEnd ? .success(fields) : .failure(.unrecognised)
    }

    private mutating func parseTime(_ cursor: inout Cursor) -> Result<Void, RegistrationTimeError> {
        guard let hour = cursor.number(digits: 2), cursor.take(":"),
              let minute = cursor.number(digits: 2), cursor.take(":"),
              let second = cursor.number(digits: 2)
        else { return .failure(.unrecognised) }
        guard hour <= 23 else { return .failure(.field("hour \(hour) is out of range")) }
        guard minute <= 59 else { return .failure(.field("minute \(minute) is out of range")) }
        guard second <= 60 else { return .failure(.field("second \(second) is out of range")) }
        var microsecond = 0
        if cursor.take(".") {
            var count = 0
            while let digit = cursor.digit() {
                count += 1
                guard count <= 6 else { return .failure(.field("more than 6 fractional-second digits")) }
                microsecond = microsecond * 10 + digit
            }
            guard count > 0 else { return .failure(.unrecognised) }
            for _ in count..<6 { microsecond *= 10 }
        }
        (self.hasTime, self.hour, self.minute, self.second, self.microsecond) = (true, hour, minute, second, microsecond)
        return .success(())
    }

    private mutating func parseOffset(_ cursor: inout Cursor) -> Result<Void, RegistrationTimeError> {
        if cursor.take("Z") {
            offsetSeconds = 0
            return .success(())
        }
        let sign: Int
        if cursor.take("+") { sign = 1 } else if cursor.take("-") { sign = -1 } else { return .failure(.unrecognised) }
        guard let hours = cursor.number(digits: 2) else { return .failure(.unrecognised) }
        var minutes = 0
        if !cursor.atEnd {
            _ = cursor.take(":")
            guard let parsed = cursor.number(digits: 2) else { return .failure(.unrecognised) }
            minutes = parsed
        }
        guard hours <= 15 else { return .failure(.field("offset hour \(hours) is out of range")) }
        guard minutes <= 59 else { return .failure(.field("offset minute \(minutes) is out of range")) }
        offsetSeconds = sign * (hours * 3600 + minutes * 60)
        return .success(())
    }
}

/// A forward-only reader over ASCII bytes.
struct Cursor {
    let bytes: ArraySlice<UInt8>
    var index: ArraySlice<UInt8>.Index

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var atEnd: Bool { index == bytes.endIndex }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard !atEnd, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int? {
        guard !atEnd, isDigit(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - UInt8(ascii: "0"))
    }

    /// Exactly `digits` decimal digits.
    mutating func number(digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}

extension LocalDate {
    static func paddedYearMonth(_ year: Int, _ month: Int) -> String {
        let y = String(year), m = String(month)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + (m.count < 2 ? "0" + m : m)
    }
}
