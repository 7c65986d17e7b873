import Foundation

/// A registration time as the sources may hold it (the column is configurable: `varchar`, a number of
/// epoch seconds as in Moodle's `mdl_user.timecreated`, or a native date/time column).
public enum RegistrationValue: Hashable, Sendable {
    /// Any accepted text form (see `RegistrationTime.parse(_:in:)`).
    case text(String)
    /// A numeric column holding integer epoch seconds or milliseconds.
    case integer(Int64)
    /// A floating-point numeric column; must hold an integral value.
    case real(Double)
    /// A native `timestamp` (without time zone) in its PostgreSQL text form, read in the configured zone.
    case timestamp(String)
    /// A native `timestamptz` in its text form, which carries an offset (`Z`, `+00`, `+02:00`, ...).
    case timestamptz(String)
    /// A native `date` (`YYYY-MM-DD`): midnight in the configured zone.
    case date(String)
}

/// Parses registration times into epoch microseconds (UTC). Pure: no I/O, no locale, no guessing.
///
/// Accepted text forms (surrounding whitespace is ignored):
/// - ISO 8601 extended calendar date-time `YYYY-MM-DDTHH:MM:SS[.f…][offset]` and the SQL form with a space
///   instead of `T`; seconds are required, 1 to 6 fractional digits; `offset` is `Z`, `±HH`, `±HH:MM` or
///   `±HHMM` (hours ≤ 15). Without an offset the time is local time in the configured zone, resolved as
///   PostgreSQL resolves it in DST gaps and overlaps (see `TimeZone.utcSeconds(forLocal:)`).
/// - A date `YYYY-MM-DD`: midnight in the configured zone (the first instant of that day when midnight
///   does not exist there).
/// - An integer epoch `[-]digits`: seconds when |n| < 10^11, milliseconds when |n| ≥ 10^11. 10^11 seconds
///   is year 5138, 10^11 milliseconds is 1973-03-03; so a millisecond value before March 1973 is read as
///   seconds — registrations that early do not occur in these sources.
///
/// Decisions, each a refusal rather than a guess:
/// - Leap seconds: `:60` is accepted and, as in PostgreSQL, means the first second of the next minute
///   (`23:59:60` → next day `00:00:00`). `:61` and above are rejected.
/// - `24:00:00` is rejected (PostgreSQL accepts it; ISO 8601-1:2019 no longer does).
/// - More than 6 fractional digits are rejected (not rounded).
/// - Only years 0001–9999; no BC dates, no `infinity`, no ISO week or ordinal dates, no basic format.
public enum RegistrationTime {
    /// The smallest accepted instant, 0001-01-01T00:00:00Z, in epoch microseconds.
    public static let minimumMicroseconds: Int64 = -719_162 * 86_400_000_000
    /// The largest accepted instant, 9999-12-31T23:59:59.999999Z, in epoch microseconds.
    public static let maximumMicroseconds: Int64 = 2_932_897 * 86_400_000_000 - 1

    /// Parses any accepted text form; offset-less times and dates are read in `timeZone`.
    public static func parse(_ text: String, in timeZone: TimeZone = .gmt) -> Result<Int64, RegistrationTimeError> {
        let bytes = trimmed(text)
        guard !bytes.isEmpty else { return .failure(.empty) }
        if isEpochText(bytes) {
            return parseEpochText(bytes)
        }
        return DateTimeText.parse(bytes, offset: .optional).flatMap { resolve($0, in: timeZone) }
    }

    /// Parses a value of any supported column type.
    public static func parse(_ value: RegistrationValue, in timeZone: TimeZone = .gmt) -> Result<Int64, RegistrationTimeError> {
        switch value {
        case .text(let text): return parse(text, in: timeZone)
        case .integer(let n): return parse(epoch: n)
        case .real(let x): return parse(epoch: x)
        case .timestamp(let text):
            return DateTimeText.parse(trimmed(text), offset: .forbidden).flatMap { resolve($0, in: timeZone) }
        case .timestamptz(let text):
            return DateTimeText.parse(trimmed(text), offset: .required).flatMap { resolve($0, in: timeZone) }
        case .date(let text):
            return DateTimeText.parse(trimmed(text), offset: .forbidden)
                .flatMap { $0.hasTime ? .failure(.unrecognised) : resolve($0, in: timeZone) }
        }
    }

    /// An integer epoch: seconds when |n| < 10^11, otherwise milliseconds.
    public static func parse(epoch n: Int64) -> Result<Int64, RegistrationTimeError> {
        let millisecondsCut: Int64 = 100_000_000_000
        // Anything this large is out of range either way; the guard keeps the multiplication in Int64.
        guard n > -1_000_000_000_000_000, n < 1_000_000_000_000_000 else { return .failure(.outOfRange) }
        let micros = (n <= -millisecondsCut || n >= millisecondsCut) ? n * 1_000 : n * 1_000_000
        return checked(micros)
    }

    /// A floating-point epoch; it must be finite and integral, then as `parse(epoch:)` for integers.
    public static func parse(epoch x: Double) -> Result<Int64, RegistrationTimeError> {
        guard x.isFinite else { return .failure(RegistrationTimeError(.notFinite, "not a finite number")) }
        guard x.rounded(.towardZero) == x else {
            return .failure(RegistrationTimeError(.notAnInteger, "epoch value has a fractional part"))
        }
        guard abs(x) < 1e18 else { return .failure(.outOfRange) }
        return parse(epoch: Int64(x))
    }

    // MARK: - Internals

    static func checked(_ micros: Int64) -> Result<Int64, RegistrationTimeError> {
        (minimumMicroseconds...maximumMicroseconds).contains(micros) ? .success(micros) : .failure(.outOfRange)
    }

    static func resolve(_ fields: DateTimeText, in timeZone: TimeZone) -> Result<Int64, RegistrationTimeError> {
        // A leap second (:60) is the next minute's first second: just add it up.
        let localSeconds = fields.date.daysSinceEpoch * 86_400
            + Int64(fields.hour * 3600 + fields.minute * 60 + fields.second)
        let utcSeconds: Int64
        if let offset = fields.offsetSeconds {
            utcSeconds = localSeconds - Int64(offset)
        } else {
            utcSeconds = timeZone.utcSeconds(forLocal: localSeconds)
        }
        return checked(utcSeconds * 1_000_000 + Int64(fields.microsecond))
    }

    private static func parseEpochText(_ bytes: ArraySlice<UInt8>) -> Result<Int64, RegistrationTimeError> {
        var digits = bytes
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return .failure(.unrecognised) }
        var value: Int64 = 0
        for digit in digits {
            // Beyond 18 significant digits is out of range whatever the unit.
            guard value < 100_000_000_000_000_000 else { return .failure(.outOfRange) }
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        return parse(epoch: negative ? -value : value)
    }

    /// `[-]digits`, nothing else.
    private static func isEpochText(_ bytes: ArraySlice<UInt8>) -> Bool {
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }

    static func trimmed(_ text: String) -> ArraySlice<UInt8> {
        let bytes = Array(text.utf8)[...]
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[first...last]
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}
