import Testing
import MoodleAnalytics

@Suite("LocalDate")
struct LocalDateTests {
    @Test func knownDaysSinceEpoch() {
        #expect(date(1970, 1, 1).daysSinceEpoch == 0)
        #expect(date(1969, 12, 31).daysSinceEpoch == -1)
        #expect(date(2000, 3, 1).daysSinceEpoch == 11_017)
        #expect(date(1, 1, 1).daysSinceEpoch == -719_162)
        #expect(date(9999, 12, 31).daysSinceEpoch == 2_932_896)
    }

    @Test func roundTripsEveryFewDaysAcrossTheSupportedYears() {
        var previous: LocalDate?
        for days in stride(from: Int64(-719_162), through: 2_932_896, by: 13) {
            let d = LocalDate(daysSinceEpoch: days)
            #expect(d.daysSinceEpoch == days)
            #expect(LocalDate(year: d.year, month: d.month, day: d.day) == d)
            if let previous { #expect(previous < d) }
            previous = d
        }
    }

    @Test func leapYears() {
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2000, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 1900, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2023, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2024, month: 4, day: 31) == nil)
        #expect(LocalDate(year: 2024, month: 13, day: 1) == nil)
        #expect(LocalDate(year: 2024, month: 0, day: 1) == nil)
        #expect(LocalDate(year: 2024, month: 1, day: 0) == nil)
    }

    @Test func weekdaysAndText() {
        #expect(date(1970, 1, 1).isoWeekday == 4)
        #expect(date(1969, 12, 29).isoWeekday == 1)
        #expect(date(2024, 3, 10).isoWeekday == 7)
        #expect(date(2024, 3, 4).text == "2024-03-04")
        #expect(date(5, 1, 9).text == "0005-01-09")
    }
}
