import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Range aggregations")
struct AggregationRangeTests {
    @Test func numericRangesKeysAndCounts() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 2000, seed: 41)
        let response = try fixture.run(#"""
            {"r":{"range":{"field":"price","ranges":[{"from":100,"to":200},{"to":100},{"from":500},{"key":"mid","from":200,"to":500}]}},
             "k":{"range":{"field":"quantity","keyed":true,"ranges":[{"to":0},{"from":0,"to":10.5}]}}}
            """#)
        let prices = fixture.documents.compactMap(\.price)
        let buckets = response.aggBuckets("r")
        #expect(buckets.map { $0["key"]?.stringValue ?? "" } == ["*-100.0", "100.0-200.0", "mid", "500.0-*"])
        func count(_ predicate: (Double) -> Bool) -> Int64 { Int64(prices.filter(predicate).count) }
        let expected: [Int64] = [count { $0 < 100 }, count { $0 >= 100 && $0 < 200 }, count { $0 >= 200 && $0 < 500 }, count { $0 >= 500 }]
        #expect(buckets.map { $0["doc_count"]?.aggInt ?? -1 } == expected)
        #expect(buckets[0].members.map(\.name) == ["key", "to", "doc_count"])
        #expect(buckets[1].members.map(\.name) == ["key", "from", "to", "doc_count"])
        #expect(buckets[1]["from"] == .double(100))
        let keyed = try #require(response.aggObject("k.buckets"))
        #expect(keyed.members.map(\.name) == ["*-0.0", "0.0-10.5"])
        let quantities = fixture.documents.compactMap(\.quantity)
        #expect(keyed["*-0.0"]?.objectValue?["doc_count"] == .integer(Int64(quantities.filter { $0 < 0 }.count)))
        #expect(keyed["0.0-10.5"]?.objectValue?["doc_count"] == .integer(Int64(quantities.filter { $0 >= 0 && Double($0) < 10.5 }.count)))
    }

    @Test func dateRangesWithDateMathAndFormats() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 2000, seed: 42)
        // now = 2024-06-30T00:00:00Z: now-3M/M = 2024-03-01, now-10M/M = 2023-08-01.
        let response = try fixture.run(#"""
            {"d":{"date_range":{"field":"ts","format":"yyyy-MM","ranges":[{"to":"now-10M/M"},{"from":"now-10M/M","to":"now-3M/M"},{"from":"now-3M/M"}]}},
             "iso":{"date_range":{"field":"ts","ranges":[{"key":"q1","from":"2024-01-01","to":"2024-04-01"},{"from":1704067200000}]}}}
            """#)
        let timestamps = fixture.documents.compactMap(\.timestamp)
        let march: Int64 = 1_709_251_200_000, august: Int64 = 1_690_848_000_000
        let buckets = response.aggBuckets("d")
        #expect(buckets.map { $0["key"]?.stringValue ?? "" } == ["*-2023-08", "2023-08-2024-03", "2024-03-*"])
        func count(_ predicate: (Int64) -> Bool) -> Int64 { Int64(timestamps.filter(predicate).count) }
        let expected: [Int64] = [count { $0 < august }, count { $0 >= august && $0 < march }, count { $0 >= march }]
        #expect(buckets.map { $0["doc_count"]?.aggInt ?? -1 } == expected)
        #expect(buckets[1]["from_as_string"] == .string("2023-08"))
        #expect(buckets[1]["to"] == .double(Double(march)))
        #expect(buckets[1].members.map(\.name) == ["key", "from", "from_as_string", "to", "to_as_string", "doc_count"])
        let iso = response.aggBuckets("iso")
        #expect(iso.map { $0["key"]?.stringValue ?? "" } == ["q1", "2024-01-01T00:00:00.000Z-*"])
        let april: Int64 = 1_711_929_600_000, january: Int64 = 1_704_067_200_000
        #expect(iso[0]["doc_count"] == .integer(Int64(timestamps.filter { $0 >= january && $0 < april }.count)))
        #expect(iso[1]["doc_count"] == .integer(Int64(timestamps.filter { $0 >= january }.count)))
    }

    @Test func rangesWithSubAggregations() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 1000, seed: 43)
        let response = try fixture.run(#"{"r":{"range":{"field":"price","ranges":[{"to":500},{"from":500}]},"aggs":{"q":{"sum":{"field":"quantity"}}}}}"#)
        let buckets = response.aggBuckets("r")
        let low = fixture.documents.filter { ($0.price ?? .infinity) < 500 }.compactMap(\.quantity).reduce(0, +)
        let high = fixture.documents.filter { ($0.price ?? -1) >= 500 }.compactMap(\.quantity).reduce(0, +)
        #expect(buckets.map { $0["q"]?.objectValue?["value"] } == [.double(Double(low)), .double(Double(high))])
    }

    @Test func javaDoubleText() {
        let cases: [(Double, String)] = [
            (100, "100.0"), (0.5, "0.5"), (1e7, "1.0E7"), (1234567.0, "1234567.0"), (0.001, "0.001"), (0.0001, "1.0E-4"),
            (-2.5, "-2.5"), (1.5e20, "1.5E20"), (0, "0.0"), (123.456, "123.456"), (12345678.9, "1.23456789E7"),
        ]
        for (value, text) in cases { #expect(AggregationFormatting.javaDouble(value) == text) }
    }
}
