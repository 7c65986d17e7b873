import Foundation

/// An ISO-8601 week: Monday 00:00 to the next Monday 00:00 in the configured time zone, named by its
/// start date (DESIGN.md, "The business questions").
///
/// An instant belongs to the week that contains its *local calendar date* in the zone. So the week is
/// well-defined even where Monday 00:00 does not exist locally (DST starting at midnight, as in
/// America/Santiago or America/Havana, or a skipped day as Pacific/Apia's 2011-12-30): such a week
/// starts at the first instant of its Monday, and the week before ends there. Weeks are plain calendar
/// arithmetic on `LocalDate` from then on, for any year including before 1970.
public struct Week: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The Monday that starts (and names) the week.
    public let start: LocalDate

    /// The week containing `date`.
    public init(containing date: LocalDate) {
        start = date.adding(days: -Int64(date.isoWeekday - 1))
    }

    /// The week containing the instant `micros` (epoch microseconds, UTC) in `timeZone`.
    public init(containingEpochMicroseconds micros: Int64, in timeZone: TimeZone) {
        self.init(containing: Week.localDate(ofEpochMicroseconds: micros, in: timeZone))
    }

    /// The Monday that starts the week containing the instant `micros` in `timeZone`.
    public static func start(ofEpochMicroseconds micros: Int64, in timeZone: TimeZone) -> LocalDate {
        Week(containingEpochMicroseconds: micros, in: timeZone).start
    }

    /// The local calendar date of an instant in a zone.
    public static func localDate(ofEpochMicroseconds micros: Int64, in timeZone: TimeZone) -> LocalDate {
        let local = timeZone.localSeconds(atUTC: floorDiv(micros, 1_000_000))
        return LocalDate(daysSinceEpoch: floorDiv(local, 86_400))
    }

    /// The following week.
    public var next: Week { Week(containing: start.adding(days: 7)) }

    /// The week after `week`.
    public static func next(_ week: Week) -> Week { week.next }

    /// Every week from `first` through `last` inclusive, in order; empty when `last` is before `first`.
    public static func all(from first: Week, through last: Week) -> [Week] {
        guard first <= last else { return [] }
        let count = (last.start.daysSinceEpoch - first.start.daysSinceEpoch) / 7 + 1
        return (0..<count).map { Week(containing: first.start.adding(days: 7 * $0)) }
    }

    /// `YYYY-MM-DD` of the start date.
    public var text: String { start.text }

    public var description: String { text }

    public static func < (a: Week, b: Week) -> Bool { a.start < b.start }
}
