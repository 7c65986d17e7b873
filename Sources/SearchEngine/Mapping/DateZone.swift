import Foundation

/// The time zone dates without an offset are read in, and rounding happens in: UTC, a fixed offset, or a
/// named zone (Foundation's `TimeZone`, whose offsets follow daylight saving time).
public enum DateZone: Sendable, Hashable {
    case utc
    case fixed(seconds: Int)
    case named(TimeZone)

    /// `Z`, `UTC`, `+01:00`, `-0530`, `+01`, or a zone id (`Europe/Paris`); nil when unknown.
    public init?(_ text: String) {
        switch text {
        case "Z", "z", "UTC", "GMT", "UT", "Etc/UTC", "utc": self = .utc
        default:
            var copy = text
            let offset: Int? = copy.withUTF8 { bytes in
                var reader = DateReader(bytes: bytes)
                guard let seconds = reader.readOffset(allowZ: true, requireMinutes: false), reader.index == bytes.count else { return nil }
                return seconds
            }
            if let offset {
                self = offset == 0 ? .utc : .fixed(seconds: offset)
            } else if let zone = TimeZone(identifier: text) {
                self = .named(zone)
            } else {
                return nil
            }
        }
    }

    /// The offset in seconds at an instant (epoch milliseconds, UTC).
    public func offset(atUTC millis: Int64) -> Int {
        switch self {
        case .utc: 0
        case .fixed(let seconds): seconds
        case .named(let zone): zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(millis) / 1000))
        }
    }

    /// The offset in seconds that applies to a local date-time (given as if it were UTC milliseconds).
    public func offset(atLocal millis: Int64) -> Int {
        switch self {
        case .utc: return 0
        case .fixed(let seconds): return seconds
        case .named:
            let guess = offset(atUTC: millis)
            return offset(atUTC: millis &- Int64(guess) &* 1000)
        }
    }

    /// The instant of a local date-time.
    public func utc(fromLocal millis: Int64) -> Int64 { millis &- Int64(offset(atLocal: millis)) &* 1000 }

    /// The local date-time (as if UTC milliseconds) of an instant.
    public func local(fromUTC millis: Int64) -> Int64 { millis &+ Int64(offset(atUTC: millis)) &* 1000 }
}
