import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Terms aggregation")
struct AggregationTermsTests {
    @Test func keywordCountsOrderAndOther() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 2000, seed: 7)
        let response = try fixture.run(#"{"by_category":{"terms":{"field":"category","size":5}}}"#)
        var expected: [String: Int64] = [:]
        for document in fixture.documents { if let category = document.category { expected[category, default: 0] += 1 } }
        let ranked = expected.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let buckets = response.aggBuckets("by_category")
        #expect(buckets.map { $0["key"]?.stringValue ?? "" } == ranked.prefix(5).map(\.key))
        #expect(buckets.map { $0["doc_count"]?.aggInt ?? -1 } == ranked.prefix(5).map(\.value))
        #expect(response.aggObject("by_category")?["doc_count_error_upper_bound"] == .integer(0))
        #expect(response.aggObject("by_category")?["sum_other_doc_count"] == .integer(ranked.dropFirst(5).reduce(0) { $0 + $1.value }))
    }
}
