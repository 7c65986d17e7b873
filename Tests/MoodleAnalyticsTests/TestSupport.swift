import Foundation
import MoodleAnalytics

func zone(_ identifier: String) -> TimeZone {
    guard let zone = TimeZone(identifier: identifier) else { fatalError("no time zone \(identifier)") }
    return zone
}

func date(_ year: Int, _ month: Int, _ day: Int) -> LocalDate {
    guard let date = LocalDate(year: year, month: month, day: day) else { fatalError("bad date") }
    return date
}

/// Epoch microseconds of a UTC date-time, through the parser under test's sibling: plain arithmetic.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0,
         micros: Int64 = 0) -> Int64 {
    (date(year, month, day).daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1_000_000 + micros
}

extension Result {
    var value: Success? { if case .success(let v) = self { v } else { nil } }
    var error: Failure? { if case .failure(let e) = self { e } else { nil } }
}
