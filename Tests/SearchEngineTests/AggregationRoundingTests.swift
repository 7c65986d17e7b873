import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Date rounding and zones")
struct AggregationRoundingTests {
    private static func foundationStart(_ millis: Int64, _ unit: Calendar.Component, _ zone: TimeZone) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        var date = Date(timeIntervalSince1970: Double(millis) / 1000)
        var component = unit
        if unit == .quarter {
            // The start of the quarter's first month (Foundation's own quarter support varies by platform).
            let parts = calendar.dateComponents([.year, .month], from: date)
            date = calendar.date(from: DateComponents(year: parts.year, month: (parts.month! - 1) / 3 * 3 + 1, day: 15))!
            component = .month
        }
        let start = calendar.dateInterval(of: component, for: date)!.start
        return Int64((start.timeIntervalSince1970 * 1000).rounded())
    }

    @Test(arguments: ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC", "America/Sao_Paulo", "Pacific/Chatham"])
    func calendarUnitsMatchFoundation(zoneID: String) throws {
        let zone = try #require(TimeZone(identifier: zoneID))
        let rules = try #require(ZoneRules.parse(zoneID))
        let units: [(CalendarUnit, Calendar.Component)] = [(.day, .day), (.week, .weekOfYear), (.month, .month), (.quarter, .quarter), (.year, .year)]
        var random = AggregationRandom(seed: 99)
        let instants = (0..<400).map { _ in Int64(random.next() % 1_000_000_000_000) + 946_684_800_000 }  // 2000 ... 2031
        for (unit, component) in units {
            let rounding = DateRounding(interval: .calendar(unit), zone: rules, offset: 0)
            for instant in instants {
                #expect(rounding.round(instant) == Self.foundationStart(instant, component, zone), "\(zoneID) \(unit) \(instant)")
            }
        }
    }

    @Test func hoursAcrossLondonTransitions() throws {
        let rules = try #require(ZoneRules.parse("Europe/London"))
        let rounding = DateRounding(interval: .calendar(.hour), zone: rules, offset: 0)
        // 2024-10-27 01:00 BST happens twice: 00:00Z and 01:00Z start separate hour buckets.
        #expect(rounding.round(1_729_987_200_000 + 1_800_000) == 1_729_987_200_000)
        #expect(rounding.round(1_729_990_800_000 + 1_800_000) == 1_729_990_800_000)
        // 2024-03-31 01:00Z: clocks jump from 01:00 GMT to 02:00 BST.
        #expect(rounding.round(1_711_846_800_000 + 60_000) == 1_711_846_800_000)
        let day = DateRounding(interval: .calendar(.day), zone: rules, offset: 0)
        #expect(day.keys(from: 1_711_843_200_000, through: 1_711_929_600_000 + 1) == [1_711_843_200_000, 1_711_926_000_000])
    }

    @Test func zoneParsing() {
        #expect(ZoneRules.parse("+01:00")?.fixedOffset == 3_600_000)
        #expect(ZoneRules.parse("-05:30")?.fixedOffset == -19_800_000)
        #expect(ZoneRules.parse("+0200")?.fixedOffset == 7_200_000)
        #expect(ZoneRules.parse("-3")?.fixedOffset == -10_800_000)
        #expect(ZoneRules.parse("UTC")?.fixedOffset == 0)
        #expect(ZoneRules.parse("Z")?.fixedOffset == 0)
        #expect(ZoneRules.parse("GMT+2")?.fixedOffset == 7_200_000)
        #expect(ZoneRules.parse("+25:00") == nil)
        #expect(ZoneRules.parse("Not/AZone") == nil)
        #expect(ZoneRules.parse("Europe/Paris")?.fixedOffset == nil)
    }

    @Test func boundsUseDateMathInTheAggregationZone() throws {
        let fixture = try AggregationFixture()
        // One document a day at 23:30 UTC, 2024-02-29 ... 2024-03-31.
        let operations = (0..<32).map { day in
            DocumentOperation(id: "m\(day)", kind: .index(source: Array(#"{"ts":\#(1_709_249_400_000 + Int64(day) * 86_400_000)}"#.utf8)))
        }
        _ = fixture.index.apply(operations, consumed: [:])
        fixture.index.refresh()
        // now = 2024-03-31T12:00Z. In Asia/Tokyo (+09:00) "now/d" is 2024-03-31T00:00+09:00 = 2024-03-30T15:00Z.
        let now: Int64 = 1_711_886_400_000
        let response = try fixture.run(#"""
            {"r":{"date_range":{"field":"ts","time_zone":"Asia/Tokyo","ranges":[{"from":"now/d"}]}},
             "u":{"date_range":{"field":"ts","ranges":[{"from":"now/d"}]}}}
            """#, now: now)
        #expect(response.aggBuckets("r").first?["from"] == .double(1_711_810_800_000))
        #expect(response.aggBuckets("r").first?["from_as_string"] == .string("2024-03-31T00:00:00.000+09:00"))
        #expect(response.aggBuckets("r").first?["doc_count"] == .integer(2))
        #expect(response.aggBuckets("u").first?["from"] == .double(1_711_843_200_000))
        #expect(response.aggBuckets("u").first?["doc_count"] == .integer(1))
    }
}
