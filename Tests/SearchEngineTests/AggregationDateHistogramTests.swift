import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Date histogram aggregation")
struct AggregationDateHistogramTests {
    /// Bucket starts computed independently with Foundation's calendar (weeks from Monday).
    private static func calendarKey(_ millis: Int64, unit: Calendar.Component, zone: String) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
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
        return Int64((calendar.dateInterval(of: component, for: date)!.start.timeIntervalSince1970 * 1000).rounded())
    }

    private static func expectBuckets(_ buckets: [JSONObject], _ expected: [Int64: Int64], allKeys: [Int64]? = nil) {
        let keys = allKeys ?? expected.keys.sorted()
        #expect(buckets.map { $0["key"]?.aggInt ?? -1 } == keys)
        #expect(buckets.map { $0["doc_count"]?.aggInt ?? -1 } == keys.map { expected[$0] ?? 0 })
    }

    @Test func weeksInLondonAcrossDaylightSavingTime() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 3000, seed: 11)
        let response = try fixture.run(#"{"weekly":{"date_histogram":{"field":"ts","calendar_interval":"week","time_zone":"Europe/London"}}}"#)
        var expected: [Int64: Int64] = [:]
        for document in fixture.documents {
            guard let timestamp = document.timestamp else { continue }
            expected[Self.calendarKey(timestamp, unit: .weekOfYear, zone: "Europe/London"), default: 0] += 1
        }
        let buckets = response.aggBuckets("weekly")
        Self.expectBuckets(buckets, expected)
        // Monday midnight in London: GMT in winter, BST (+01:00) in summer.
        let winter = buckets.first { $0["key"]?.aggInt == 1_698_624_000_000 }
        #expect(winter?["key_as_string"] == .string("2023-10-30T00:00:00.000Z"))
        let summer = buckets.first { $0["key"]?.aggInt == 1_711_926_000_000 }
        #expect(summer?["key_as_string"] == .string("2024-04-01T00:00:00.000+01:00"))
    }

    @Test(arguments: [
        ("month", Calendar.Component.month, "UTC"), ("1M", .month, "America/New_York"), ("quarter", .quarter, "Europe/London"),
        ("year", .year, "Asia/Kolkata"), ("day", .day, "Europe/London"), ("1d", .day, "Australia/Sydney"), ("hour", .hour, "America/Sao_Paulo"),
    ])
    func calendarIntervalsAgreeWithFoundation(interval: String, unit: Calendar.Component, zone: String) throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 1500, seed: 12)
        let response = try fixture.run(
            #"{"h":{"date_histogram":{"field":"ts","calendar_interval":"\#(interval)","time_zone":"\#(zone)","min_doc_count":1}}}"#)
        var expected: [Int64: Int64] = [:]
        for document in fixture.documents {
            guard let timestamp = document.timestamp else { continue }
            expected[Self.calendarKey(timestamp, unit: unit, zone: zone), default: 0] += 1
        }
        Self.expectBuckets(response.aggBuckets("h"), expected)
    }

    @Test func fixedIntervalOffsetAndFixedZone() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 1000, seed: 13)
        let response = try fixture.run(#"""
            {"fixed":{"date_histogram":{"field":"ts","fixed_interval":"90m","min_doc_count":1}},
             "shifted":{"date_histogram":{"field":"ts","calendar_interval":"day","offset":"+6h","min_doc_count":1}},
             "india":{"date_histogram":{"field":"ts","calendar_interval":"1d","time_zone":"+05:30","min_doc_count":1}}}
            """#)
        let timestamps = fixture.documents.compactMap(\.timestamp)
        func counts(_ key: (Int64) -> Int64) -> [Int64: Int64] { Dictionary(timestamps.map { (key($0), Int64(1)) }, uniquingKeysWith: +) }
        let day: Int64 = 86_400_000, sixHours: Int64 = 21_600_000, india: Int64 = 19_800_000
        func floor(_ value: Int64, _ step: Int64) -> Int64 { (value >= 0 ? value / step : (value - step + 1) / step) * step }
        Self.expectBuckets(response.aggBuckets("fixed"), counts { floor($0, 5_400_000) })
        Self.expectBuckets(response.aggBuckets("shifted"), counts { floor($0 - sixHours, day) + sixHours })
        Self.expectBuckets(response.aggBuckets("india"), counts { floor($0 + india, day) - india })
        #expect(response.aggBuckets("india").first?["key_as_string"]?.stringValue?.hasSuffix("T00:00:00.000+05:30") == true)
    }

    @Test func emptyBucketsExtendedBoundsKeyedAndFormat() throws {
        let fixture = try AggregationFixture()
        let day: Int64 = 86_400_000
        let base: Int64 = 1_704_067_200_000  // 2024-01-01
        for (number, offset) in [0, 0, 3, 5].enumerated() {
            let document = #"{"ts":\#(base + Int64(offset) * day + 3_600_000),"category":"c\#(number)"}"#
            _ = fixture.index.apply([DocumentOperation(id: "e\(number)", kind: .index(source: Array(document.utf8)))], consumed: [:])
        }
        fixture.index.refresh()
        let response = try fixture.run(#"""
            {"filled":{"date_histogram":{"field":"ts","calendar_interval":"day"}},
             "bounded":{"date_histogram":{"field":"ts","calendar_interval":"day","extended_bounds":{"min":"2023-12-30","max":"2024-01-08"},"format":"yyyy-MM-dd"}},
             "keyed":{"date_histogram":{"field":"ts","fixed_interval":"2d","keyed":true,"min_doc_count":1,"format":"yyyy-MM-dd"}},
             "sparse":{"date_histogram":{"field":"ts","calendar_interval":"day","min_doc_count":2}}}
            """#)
        let filled = response.aggBuckets("filled")
        #expect(filled.map { $0["key"]?.aggInt ?? 0 } == (0...5).map { base + Int64($0) * day })
        #expect(filled.map { $0["doc_count"]?.aggInt ?? -1 } == [2, 0, 0, 1, 0, 1])
        #expect(filled[0]["key_as_string"] == .string("2024-01-01T00:00:00.000Z"))
        #expect(filled[0].members.map(\.name) == ["key_as_string", "key", "doc_count"])
        let bounded = response.aggBuckets("bounded")
        #expect(bounded.map { $0["key_as_string"]?.stringValue ?? "" } == (0..<10).map { "2023-12-\(30 + $0)" }.prefix(2) + (1...8).map { "2024-01-0\($0)" })
        #expect(bounded.map { $0["doc_count"]?.aggInt ?? -1 } == [0, 0, 2, 0, 0, 1, 0, 1, 0, 0])
        let keyed = response.aggObject("keyed.buckets")
        #expect(keyed?.members.map(\.name) == ["2023-12-31", "2024-01-04", "2024-01-06"])
        #expect(keyed?["2023-12-31"]?.objectValue?["doc_count"] == .integer(2))
        #expect(response.aggBuckets("sparse").map { $0["doc_count"]?.aggInt ?? -1 } == [2])
    }

    @Test func legacyIntervalAndErrors() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 200, seed: 14)
        let legacy = try fixture.run(#"{"a":{"date_histogram":{"field":"ts","interval":"month","min_doc_count":1}},"b":{"date_histogram":{"field":"ts","calendar_interval":"1M","min_doc_count":1}}}"#)
        #expect(legacy.aggBuckets("a").map { $0["doc_count"] } == legacy.aggBuckets("b").map { $0["doc_count"] })
        let cases: [(String, String, String)] = [
            (#"{"calendar_interval":"2d"}"#, "x_content_parse_exception", "[date_histogram] failed to parse field [calendar_interval]"),
            (#"{"fixed_interval":"1w"}"#, "x_content_parse_exception", "[date_histogram] failed to parse field [fixed_interval]"),
            (#"{}"#, "illegal_argument_exception", "Invalid interval specified, must be non-null and non-empty"),
            (#"{"calendar_interval":"day","time_zone":"Mars/Olympus"}"#, "x_content_parse_exception", "[date_histogram] failed to parse field [time_zone]"),
        ]
        for (body, type, reason) in cases {
            let json = #"{"h":{"date_histogram":{"field":"ts",\#(body.dropFirst())}}"#.replacingOccurrences(of: "\"ts\",}", with: "\"ts\"}")
            do {
                _ = try fixture.run(json)
                Issue.record("expected \(type) for \(body)")
            } catch let error as SearchError {
                #expect(error.type == type)
                #expect(error.reason == reason)
            }
        }
    }
}
