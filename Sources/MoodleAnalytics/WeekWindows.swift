import Foundation
import StreamProcessing

/// ISO weeks in a zone as event-time windows over epoch microseconds: `[Monday 00:00, next Monday 00:00)`
/// local time (so 167 or 169 hours long across a daylight-saving change).
public struct WeekWindows: WindowAssigner {
    public let timeZone: TimeZone
    private let isUTC: Bool
    private static let weekMicros: Int64 = 7 * 86_400_000_000
    /// 1970-01-01 was a Thursday: the Monday before it, 1969-12-29, starts a week.
    private static let mondayOrigin: Int64 = -3 * 86_400_000_000

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        // Only zones that are UTC at every instant: a zone at UTC now without DST (Africa/Abidjan,
        // Africa/Monrovia, ...) may have had other offsets in the past, and takes the general path.
        isUTC = ZoneOffsetCache.utcNames.contains(timeZone.identifier)
    }

    public func windows(for time: Int64) -> [Window] { [window(for: time)] }

    public func window(for time: Int64) -> Window {
        if isUTC {
            let start = Self.mondayOrigin + floorDiv(time - Self.mondayOrigin, Self.weekMicros) * Self.weekMicros
            return Window(start: start, end: start + Self.weekMicros)
        }
        let week = Week(containingEpochMicroseconds: time, in: timeZone)
        return Window(start: startInstant(week), end: startInstant(week.next))
    }

    /// The week a window stands for.
    public func week(_ window: Window) -> Week { Week(containingEpochMicroseconds: window.start, in: timeZone) }

    /// The first instant of the week in the zone, in epoch microseconds.
    public func startInstant(_ week: Week) -> Int64 {
        timeZone.utcSeconds(forLocal: week.start.daysSinceEpoch * 86_400) * 1_000_000
    }
}
