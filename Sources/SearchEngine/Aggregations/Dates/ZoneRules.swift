import Foundation
import StreamProcessing

/// A time zone as `time_zone` names it (java.time's `ZoneId.of`): a fixed offset (`Z`, `+01:00`, `UTC`,
/// `GMT-5`) or an IANA region (`Europe/London`). Region offsets come from Foundation once per offset period over
/// the range a request needs (`prepare(from:to:)`), never per document.
final class ZoneRules {
    let id: String
    /// Set for zones whose offset never changes.
    let fixedOffset: Int64?
    private let zone: TimeZone?
    /// Offset periods over the prepared range: period i starts at `starts[i]` (UTC ms; the first is `Int64.min`).
    private(set) var starts: [Int64] = [Int64.min]
    private(set) var offsets: [Int64] = [0]
    private var covered: ClosedRange<Int64>?
    private var lastPeriod = 0

    static var utc: ZoneRules { ZoneRules(id: "Z", fixedOffset: 0) }

    private init(id: String, fixedOffset: Int64) {
        self.id = id
        self.fixedOffset = fixedOffset
        zone = nil
        offsets = [fixedOffset]
    }

    private init(id: String, zone: TimeZone) {
        self.id = id
        fixedOffset = nil
        self.zone = zone
    }

    /// Parses a `time_zone` value; errors as OpenSearch reports them (java.time's messages).
    static func parse(_ value: JSONValue, type: String) throws(SearchError) -> ZoneRules {
        func failure(_ reason: String) -> SearchError {
            SearchError("x_content_parse_exception", "[\(type)] failed to parse field [time_zone]", causedBy: [.illegalArgument(reason)])
        }
        switch value {
        case .integer(let hours):
            guard abs(hours) <= 18 else { throw failure("Zone offset hours not in valid range: value \(hours) is not in the range -18 to 18") }
            return ZoneRules(id: offsetID(hours * 3_600_000), fixedOffset: hours * 3_600_000)
        case .string(let text):
            guard let rules = parse(text) else {
                throw failure(text.hasPrefix("+") || text.hasPrefix("-") ? "Invalid ID for ZoneOffset, invalid format: \(text)" : "Unknown time-zone ID: \(text)")
            }
            return rules
        default:
            throw failure("Unknown time-zone ID: \(value.jsonText)")
        }
    }

    static func parse(_ text: String) -> ZoneRules? {
        switch text {
        case "Z", "UTC", "GMT", "UT", "Etc/UTC", "Etc/GMT", "UCT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal": return .utc
        default: break
        }
        if text.hasPrefix("+") || text.hasPrefix("-") {
            return parseOffset(text).map { ZoneRules(id: offsetID($0), fixedOffset: $0) }
        }
        for prefix in ["UTC", "GMT", "UT"] where text.hasPrefix(prefix) {
            let rest = String(text.dropFirst(prefix.count))
            guard rest.hasPrefix("+") || rest.hasPrefix("-"), let offset = parseOffset(rest) else { continue }
            return ZoneRules(id: offset == 0 ? prefix : prefix + offsetID(offset), fixedOffset: offset)
        }
        guard text.contains("/") || text.count >= 3, let zone = TimeZone(identifier: text) else { return nil }
        return ZoneRules(id: text, zone: zone)
    }

    /// `±h`, `±hh`, `±hh:mm`, `±hhmm`, `±hh:mm:ss`, `±hhmmss` (java.time's `ZoneOffset.of`), in milliseconds.
    static func parseOffset(_ text: String) -> Int64? {
        let sign: Int64 = text.hasPrefix("-") ? -1 : 1
        let digits = Array(text.dropFirst().utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= digits.count else { return nil }
            var value: Int64 = 0
            for byte in digits[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        var hours: Int64?, minutes: Int64 = 0, seconds: Int64 = 0
        switch digits.count {
        case 1, 2: hours = number(0..<digits.count)
        case 4: hours = number(0..<2); minutes = number(2..<4) ?? -1
        case 5 where digits[2] == UInt8(ascii: ":"): hours = number(0..<2); minutes = number(3..<5) ?? -1
        case 6: hours = number(0..<2); minutes = number(2..<4) ?? -1; seconds = number(4..<6) ?? -1
        case 8 where digits[2] == UInt8(ascii: ":") && digits[5] == UInt8(ascii: ":"):
            hours = number(0..<2); minutes = number(3..<5) ?? -1; seconds = number(6..<8) ?? -1
        default: return nil
        }
        guard let hours, hours <= 18, (0..<60).contains(minutes), (0..<60).contains(seconds) else { return nil }
        let total = hours * 3600 + minutes * 60 + seconds
        guard total <= 18 * 3600 else { return nil }
        return sign * total * 1000
    }

    /// java.time's offset id: `Z`, `+01:00`, `-05:30`, `+01:02:03`.
    static func offsetID(_ millis: Int64) -> String {
        if millis == 0 { return "Z" }
        let total = abs(millis) / 1000
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = (millis < 0 ? "-" : "+") + two(hours) + ":" + two(minutes)
        if seconds != 0 { text += ":" + two(seconds) }
        return text
    }

    /// Makes the offset table cover `[from, to]` (UTC ms), with a margin of two days either side.
    func prepare(from: Int64, to: Int64) {
        guard let zone else { return }
        let margin: Int64 = 2 * AggregationCalendar.millisPerDay
        let lower = from.subtractingClamped(margin), upper = to.addingClamped(margin)
        if let covered, covered.lowerBound <= lower, covered.upperBound >= upper { return }
        let range = covered.map { min($0.lowerBound, lower)...max($0.upperBound, upper) } ?? lower...upper
        covered = range
        let start = Self.date(range.lowerBound)
        starts = [Int64.min]
        offsets = [Int64(zone.secondsFromGMT(for: start)) * 1000]
        var cursor = start
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor) {
            let millis = Int64((next.timeIntervalSince1970 * 1000).rounded())
            guard millis <= range.upperBound, next > cursor else { break }
            let offset = Int64(zone.secondsFromGMT(for: next)) * 1000
            if offset != offsets[offsets.count - 1] {
                starts.append(millis)
                offsets.append(offset)
            }
            cursor = next
        }
        lastPeriod = 0
    }

    private static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(max(min(millis, 253_402_300_799_000), -62_135_596_800_000)) / 1000)
    }

    /// Whether the offset is the same over the whole prepared range.
    var isFixedOverPreparedRange: Bool { offsets.count == 1 }

    /// The offset (ms) in force at a UTC instant (within the prepared range).
    @inline(__always)
    func offset(at utc: Int64) -> Int64 {
        if let fixedOffset { return fixedOffset }
        return offsets[period(containing: utc)]
    }

    @inline(__always)
    func period(containing utc: Int64) -> Int {
        let last = lastPeriod
        if starts[last] <= utc, last + 1 == starts.count || utc < starts[last + 1] { return last }
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= utc { low = middle } else { high = middle - 1 }
        }
        lastPeriod = low
        return low
    }

    /// The UTC instants whose local time is `local`: one normally, two in an overlap (earlier first), none in a
    /// gap; then `gapEnd` is the transition instant that skipped it.
    func instants(ofLocal local: Int64) -> (instants: [Int64], gapEnd: Int64?) {
        if let fixedOffset { return ([local - fixedOffset], nil) }
        var found: [Int64] = []
        var gapEnd: Int64?
        for index in offsets.indices {
            let utc = local - offsets[index]
            let begins = starts[index], ends = index + 1 < starts.count ? starts[index + 1] : Int64.max
            if utc >= begins, utc < ends { found.append(utc) }
            if index > 0, local - offsets[index - 1] >= begins, utc < begins { gapEnd = begins }
        }
        return (found.sorted(), found.isEmpty ? gapEnd : nil)
    }
}

extension Int64 {
    func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    func subtractingClamped(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : difference
    }
}
