import Foundation
import Testing
import MoodleAnalytics

@Suite("Week")
struct WeekTests {
    @Test func weekOfADateStartsOnItsMonday() {
        #expect(Week(containing: date(2024, 3, 4)).text == "2024-03-04")
        #expect(Week(containing: date(2024, 3, 6)).text == "2024-03-04")
        #expect(Week(containing: date(2024, 3, 10)).text == "2024-03-04")
        #expect(Week(containing: date(2024, 3, 11)).text == "2024-03-11")
        #expect(Week(containing: date(2025, 1, 1)).text == "2024-12-30")
        #expect(Week(containing: date(1970, 1, 1)).text == "1969-12-29")
    }

    @Test func utcInstantsIncludingBefore1970() {
        let utc0 = zone("UTC")
        #expect(Week.start(ofEpochMicroseconds: 0, in: utc0) == date(1969, 12, 29))
        #expect(Week.start(ofEpochMicroseconds: -1, in: utc0) == date(1969, 12, 29))
        #expect(Week.start(ofEpochMicroseconds: utc(1969, 12, 29) - 1, in: utc0) == date(1969, 12, 22))
        #expect(Week.start(ofEpochMicroseconds: utc(1900, 3, 1, 12), in: utc0) == date(1900, 2, 26))
        #expect(Week.start(ofEpochMicroseconds: utc(2024, 3, 10, 23, 59, 59, micros: 999_999), in: utc0) == date(2024, 3, 4))
        #expect(Week.start(ofEpochMicroseconds: utc(2024, 3, 11), in: utc0) == date(2024, 3, 11))
    }

    @Test func weekBoundaryIsLocalMidnight() {
        let kolkata = zone("Asia/Kolkata")  // +05:30
        #expect(Week.start(ofEpochMicroseconds: utc(2024, 3, 10, 18, 30), in: kolkata) == date(2024, 3, 11))
        #expect(Week.start(ofEpochMicroseconds: utc(2024, 3, 10, 18, 30) - 1, in: kolkata) == date(2024, 3, 4))
        let newYork = zone("America/New_York")
        // 2024-03-11 00:00 EDT (-4) = 04:00Z, the day after DST began.
        #expect(Week.start(ofEpochMicroseconds: utc(2024, 3, 11, 4), in: newYork) == date(2024, 3, 11))
        #expect(Week.start(ofEpochMicroseconds: utc(2024, 3, 11, 4) - 1, in: newYork) == date(2024, 3, 4))
    }

    /// America/Santiago starts DST at midnight (2022-09-11 00:00 → 01:00): the local date still decides.
    @Test func midnightGapZones() {
        let santiago = zone("America/Santiago")
        let firstInstantOfSunday = utc(2022, 9, 11, 4)  // 01:00 -03
        #expect(Week.localDate(ofEpochMicroseconds: firstInstantOfSunday, in: santiago) == date(2022, 9, 11))
        #expect(Week.localDate(ofEpochMicroseconds: firstInstantOfSunday - 1, in: santiago) == date(2022, 9, 10))
        #expect(Week.start(ofEpochMicroseconds: firstInstantOfSunday, in: santiago) == date(2022, 9, 5))
        #expect(Week.start(ofEpochMicroseconds: utc(2022, 9, 12, 3), in: santiago) == date(2022, 9, 12))
        #expect(Week.start(ofEpochMicroseconds: utc(2022, 9, 12, 3) - 1, in: santiago) == date(2022, 9, 5))
        // Pacific/Apia skipped Friday 2011-12-30 entirely (-10 → +14).
        let apia = zone("Pacific/Apia")
        #expect(Week.localDate(ofEpochMicroseconds: utc(2011, 12, 30, 10), in: apia) == date(2011, 12, 31))
        #expect(Week.localDate(ofEpochMicroseconds: utc(2011, 12, 30, 10) - 1, in: apia) == date(2011, 12, 29))
        #expect(Week.start(ofEpochMicroseconds: utc(2011, 12, 30, 10), in: apia) == date(2011, 12, 26))
    }

    @Test func nextAndEnumeration() {
        let first = Week(containing: date(2024, 12, 23))
        #expect(first.next.text == "2024-12-30")
        #expect(Week.next(first.next).text == "2025-01-06")
        let all = Week.all(from: first, through: Week(containing: date(2025, 1, 19)))
        #expect(all.map(\.text) == ["2024-12-23", "2024-12-30", "2025-01-06", "2025-01-13"])
        #expect(Week.all(from: first, through: first) == [first])
        #expect(Week.all(from: first.next, through: first).isEmpty)
        let acrossEpoch = Week.all(from: Week(containing: date(1969, 12, 20)), through: Week(containing: date(1970, 1, 6)))
        #expect(acrossEpoch.map(\.text) == ["1969-12-15", "1969-12-22", "1969-12-29", "1970-01-05"])
    }
}
