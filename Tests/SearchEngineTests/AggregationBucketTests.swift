import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Filter, filters, histogram, top_hits and sub-aggregations")
struct AggregationBucketTests {
    @Test func filterAndFilters() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 1500, seed: 51)
        let response = try fixture.run(#"""
            {"books":{"filter":{"term":{"category":"books"}},"aggs":{"avg_price":{"avg":{"field":"price"}}}},
             "named":{"filters":{"other_bucket_key":"rest","filters":{"red":{"term":{"tags":"red"}},"blue":{"term":{"tags":"blue"}}}}},
             "listed":{"filters":{"other_bucket":true,"filters":[{"term":{"category":"toys"}},{"term":{"category":"wine"}}]}}}
            """#)
        let books = fixture.documents.filter { $0.category == "books" }
        #expect(response.aggObject("books")?["doc_count"] == .integer(Int64(books.count)))
        let prices = books.compactMap(\.price)
        let average = try #require(response.aggObject("books.avg_price")?["value"]?.aggNumber)
        #expect(abs(average - prices.reduce(0, +) / Double(prices.count)) < 1e-9)
        let named = try #require(response.aggObject("named.buckets"))
        #expect(named.members.map(\.name) == ["red", "blue", "rest"])
        func count(_ predicate: (AggregationFixture.Document) -> Bool) -> JSONValue { .integer(Int64(fixture.documents.filter(predicate).count)) }
        #expect(named["red"]?.objectValue?["doc_count"] == count { $0.tags.contains("red") })
        #expect(named["blue"]?.objectValue?["doc_count"] == count { $0.tags.contains("blue") })
        #expect(named["rest"]?.objectValue?["doc_count"] == count { !$0.tags.contains("red") && !$0.tags.contains("blue") })
        let listed = response.aggBuckets("listed")
        #expect(listed.map { $0["doc_count"] } == [count { $0.category == "toys" }, count { $0.category == "wine" }, count { $0.category != "toys" && $0.category != "wine" }])
    }

    @Test func dateHistogramWithTermsAndOrderedTerms() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 3000, seed: 52)
        let response = try fixture.run(#"""
            {"months":{"date_histogram":{"field":"ts","calendar_interval":"month","time_zone":"Europe/London"},
               "aggs":{"top":{"terms":{"field":"category","size":3}},"spend":{"sum":{"field":"price"}}}},
             "by_avg":{"terms":{"field":"category","order":{"avg_q":"desc"}},"aggs":{"avg_q":{"avg":{"field":"quantity"}}}},
             "by_key":{"terms":{"field":"tags","order":{"_key":"asc"},"size":3}}}
            """#)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        for bucket in response.aggBuckets("months") {
            let key = try #require(bucket["key"]?.aggInt)
            let inMonth = fixture.documents.filter { document in
                guard let timestamp = document.timestamp else { return false }
                let start = calendar.dateInterval(of: .month, for: Date(timeIntervalSince1970: Double(timestamp) / 1000))!.start
                return Int64(start.timeIntervalSince1970 * 1000) == key
            }
            #expect(bucket["doc_count"] == .integer(Int64(inMonth.count)))
            var counts: [String: Int64] = [:]
            for document in inMonth { if let category = document.category { counts[category, default: 0] += 1 } }
            let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
            let top = bucket["top"]?.objectValue?.aggBuckets("") ?? []
            #expect(top.map { $0["key"]?.stringValue ?? "" } == ranked.map(\.key))
            #expect(top.map { $0["doc_count"]?.aggInt ?? -1 } == ranked.map(\.value))
            let spend = bucket["spend"]?.objectValue?["value"]?.aggNumber ?? -1
            #expect(abs(spend - inMonth.compactMap(\.price).reduce(0, +)) < 1e-6)
        }
        var averages: [String: Double] = [:]
        for category in AggregationFixture.categories {
            let values = fixture.documents.filter { $0.category == category }.compactMap(\.quantity)
            averages[category] = Double(values.reduce(0, +)) / Double(values.count)
        }
        let byAverage = response.aggBuckets("by_avg").map { $0["key"]?.stringValue ?? "" }
        #expect(byAverage == averages.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map(\.key))
        #expect(response.aggBuckets("by_key").map { $0["key"]?.stringValue ?? "" } == ["blue", "green", "new"])
    }

    @Test func histogramGapsAndTopHits() throws {
        let fixture = try AggregationFixture()
        let quantities: [Int64] = [1, 2, 2, 14, 31, -3]
        _ = fixture.index.apply(quantities.enumerated().map { DocumentOperation(id: "q\($0.offset)", kind: .index(source: Array(#"{"quantity":\#($0.element)}"#.utf8))) }, consumed: [:])
        fixture.index.refresh()
        let response = try fixture.run(#"""
            {"h":{"histogram":{"field":"quantity","interval":10},"aggs":{"hits":{"top_hits":{"size":2}}}},
             "b":{"histogram":{"field":"quantity","interval":10,"offset":5,"extended_bounds":{"min":-20,"max":50},"min_doc_count":0}}}
            """#)
        let buckets = response.aggBuckets("h")
        #expect(buckets.map { $0["key"] } == [.double(-10), .double(0), .double(10), .double(20), .double(30)])
        #expect(buckets.map { $0["doc_count"]?.aggInt ?? -1 } == [1, 3, 1, 0, 1])
        #expect(buckets[1]["hits"]?.objectValue?.aggObject("hits")?["total"] == .integer(3))
        #expect(buckets[3]["hits"]?.objectValue?.aggObject("hits")?["total"] == .integer(0))
        let bounded = response.aggBuckets("b")
        #expect(bounded.map { $0["key"]?.aggNumber ?? 0 } == [-25, -15, -5, 5, 15, 25, 35, 45])
        #expect(bounded.map { $0["doc_count"]?.aggInt ?? -1 } == [0, 0, 4, 1, 0, 1, 0, 0])
    }

    @Test func termsOnNumbersBooleansAndDates() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 800, seed: 53)
        let response = try fixture.run(#"""
            {"q":{"terms":{"field":"quantity","size":100,"order":{"_key":"asc"}}},"f":{"terms":{"field":"flag"}},
             "p":{"terms":{"field":"price","size":1}},"t":{"terms":{"field":"ts","size":1,"order":{"_key":"asc"}}},
             "m":{"terms":{"field":"category","missing":"none","include":["none","books"]}},
             "x":{"terms":{"field":"category","exclude":"b.*|g.*","size":100}}}
            """#)
        var quantities: [Int64: Int64] = [:]
        for document in fixture.documents { if let quantity = document.quantity { quantities[quantity, default: 0] += 1 } }
        let q = response.aggBuckets("q")
        #expect(q.map { $0["key"] } == quantities.keys.sorted().map { .integer($0) })
        #expect(q.map { $0["doc_count"]?.aggInt ?? -1 } == quantities.keys.sorted().map { quantities[$0] ?? 0 })
        let flags = response.aggBuckets("f")
        let trues = fixture.documents.filter { $0.flag == true }.count, falses = fixture.documents.filter { $0.flag == false }.count
        #expect(Set(flags.map { $0["key_as_string"]?.stringValue ?? "" }) == ["true", "false"])
        #expect(flags.first { $0["key"] == .integer(1) }?["doc_count"] == .integer(Int64(trues)))
        #expect(flags.first { $0["key"] == .integer(0) }?["doc_count"] == .integer(Int64(falses)))
        if case .double? = response.aggBuckets("p").first?["key"] {} else { Issue.record("double terms keys are doubles") }
        let first = try #require(fixture.documents.compactMap(\.timestamp).min())
        #expect(response.aggBuckets("t").first?["key"] == .integer(first))
        #expect(response.aggBuckets("t").first?["key_as_string"] == .string(DateFormat.default.format(first)))
        let m = response.aggBuckets("m")
        #expect(Set(m.map { $0["key"]?.stringValue ?? "" }) == ["none", "books"])
        #expect(m.first { $0["key"] == .string("none") }?["doc_count"] == .integer(Int64(fixture.documents.filter { $0.category == nil }.count)))
        #expect(response.aggBuckets("x").allSatisfy { !($0["key"]?.stringValue ?? "b").hasPrefix("b") && !($0["key"]?.stringValue ?? "g").hasPrefix("g") })
        #expect(response.aggBuckets("x").count == AggregationFixture.categories.filter { !$0.hasPrefix("b") && !$0.hasPrefix("g") }.count)
    }

    @Test func deletedDocumentsAndSeveralSegments() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 900, seed: 54, batches: 5)
        fixture.delete(fixture.documents.filter { $0.category == "books" || $0.id.hasSuffix("3") }.map(\.id))
        let response = try fixture.run(#"{"c":{"terms":{"field":"category","size":20}},"n":{"value_count":{"field":"price"}}}"#)
        var expected: [String: Int64] = [:]
        for document in fixture.documents { if let category = document.category { expected[category, default: 0] += 1 } }
        #expect(Dictionary(uniqueKeysWithValues: response.aggBuckets("c").map { ($0["key"]?.stringValue ?? "", $0["doc_count"]?.aggInt ?? 0) }) == expected)
        #expect(response.aggObject("n")?["value"] == .integer(Int64(fixture.documents.compactMap(\.price).count)))
    }
}
