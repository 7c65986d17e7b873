import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Metric aggregations")
struct AggregationMetricTests {
    private static func close(_ value: JSONValue?, _ expected: Double) -> Bool {
        guard let number = value?.aggNumber else { return false }
        return abs(number - expected) <= 1e-9 * max(1, abs(expected))
    }

    // value_count over a keyword field counts distinct values per document (sorted-set doc values, as in
    // Lucene): ["red","red"] counts once.
    @Test func statsAndSingleMetricsMatchTheDocuments() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 2500, seed: 21)
        let response = try fixture.run(#"""
            {"price_stats":{"stats":{"field":"price"}},"qty_sum":{"sum":{"field":"quantity"}},"qty_avg":{"avg":{"field":"quantity"}},
             "qty_min":{"min":{"field":"quantity"}},"qty_max":{"max":{"field":"quantity"}},"prices":{"value_count":{"field":"price"}},
             "tag_values":{"value_count":{"field":"tags"}},"first":{"min":{"field":"ts"}},"last":{"max":{"field":"ts"}}}
            """#)
        let prices = fixture.documents.compactMap(\.price)
        let quantities = fixture.documents.compactMap(\.quantity)
        let stats = try #require(response.aggObject("price_stats"))
        #expect(stats.members.map(\.name) == ["count", "min", "max", "avg", "sum"])
        #expect(stats["count"] == .integer(Int64(prices.count)))
        #expect(Self.close(stats["min"], prices.min()!))
        #expect(Self.close(stats["max"], prices.max()!))
        #expect(Self.close(stats["sum"], prices.reduce(0, +)))
        #expect(Self.close(stats["avg"], prices.reduce(0, +) / Double(prices.count)))
        #expect(response.aggObject("qty_sum")?["value"] == .double(Double(quantities.reduce(0, +))))
        #expect(Self.close(response.aggObject("qty_avg")?["value"], Double(quantities.reduce(0, +)) / Double(quantities.count)))
        #expect(response.aggObject("qty_min")?["value"] == .double(Double(quantities.min()!)))
        #expect(response.aggObject("qty_max")?["value"] == .double(Double(quantities.max()!)))
        #expect(response.aggObject("prices")?["value"] == .integer(Int64(prices.count)))
        #expect(response.aggObject("tag_values")?["value"] == .integer(Int64(fixture.documents.reduce(0) { $0 + Set($1.tags).count })))
        let timestamps = fixture.documents.compactMap(\.timestamp)
        let first = try #require(response.aggObject("first"))
        #expect(first["value"] == .double(Double(timestamps.min()!)))
        #expect(first["value_as_string"]?.stringValue == DateFormat.default.format(timestamps.min()!))
        #expect(response.aggObject("last")?["value"] == .double(Double(timestamps.max()!)))
    }

    @Test func emptyResultsAndMissing() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 300, seed: 22)
        let none = try fixture.matching(.object(JSONObject([("term", .object(JSONObject([("category", .string("nothing"))])))])))
        let empty = try fixture.run(#"""
            {"s":{"stats":{"field":"price"}},"a":{"avg":{"field":"price"}},"mn":{"min":{"field":"price"}},"mx":{"max":{"field":"price"}},
             "sm":{"sum":{"field":"price"}},"c":{"value_count":{"field":"price"}},"u":{"avg":{"field":"unmapped_field"}}}
            """#, matches: none)
        #expect(empty.aggObject("s")?.members.map(\.name) == ["count", "min", "max", "avg", "sum"])
        #expect(empty.aggObject("s")?["count"] == .integer(0))
        #expect(empty.aggObject("s")?["min"] == .null)
        #expect(empty.aggObject("s")?["avg"] == .null)
        #expect(empty.aggObject("s")?["sum"] == .double(0))
        #expect(empty.aggObject("a")?["value"] == .null)
        #expect(empty.aggObject("mn")?["value"] == .null)
        #expect(empty.aggObject("mx")?["value"] == .null)
        #expect(empty.aggObject("sm")?["value"] == .double(0))
        #expect(empty.aggObject("c")?["value"] == .integer(0))
        #expect(empty.aggObject("u")?["value"] == .null)

        let withMissing = try fixture.run(#"{"q":{"sum":{"field":"quantity","missing":1000}},"n":{"value_count":{"field":"quantity","missing":0}}}"#)
        let quantities = fixture.documents.map { $0.quantity ?? 1000 }
        #expect(withMissing.aggObject("q")?["value"] == .double(Double(quantities.reduce(0, +))))
        #expect(withMissing.aggObject("n")?["value"] == .integer(Int64(fixture.documents.count)))
    }

    @Test func refusedFieldsAndSubAggregations() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 10, seed: 23)
        do {
            _ = try fixture.run(#"{"a":{"avg":{"field":"category"}}}"#)
            Issue.record("avg over a keyword field")
        } catch let error as SearchError {
            #expect(error.type == "illegal_argument_exception")
            #expect(error.reason == "Field [category] of type [keyword] is not supported for aggregation [avg]")
        }
        do {
            _ = try fixture.run(#"{"t":{"terms":{"field":"title"}}}"#)
            Issue.record("terms over a text field")
        } catch let error as SearchError {
            #expect(error.type == "illegal_argument_exception")
            #expect(error.reason.hasPrefix("Text fields are not optimised for operations that require per-document field data"))
        }
    }

    @Test func sumIsCompensatedLikeOpenSearch() throws {
        let fixture = try AggregationFixture()
        let values = [0.1, 0.2, 0.3, 1e16, 1.0, -1e16]
        _ = fixture.index.apply(values.enumerated().map { DocumentOperation(id: "v\($0.offset)", kind: .index(source: Array(#"{"price":\#($0.element)}"#.utf8))) }, consumed: [:])
        fixture.index.refresh()
        let response = try fixture.run(#"{"s":{"sum":{"field":"price"}}}"#)
        // Kahan summation keeps the small terms a naive sum loses.
        var sum = 0.0, compensation = 0.0
        for value in values {
            let corrected = value + compensation
            let updated = sum + corrected
            compensation = corrected - (updated - sum)
            sum = updated
        }
        #expect(response.aggObject("s")?["value"] == .double(sum))
    }
}
