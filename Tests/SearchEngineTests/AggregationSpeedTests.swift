import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

/// Speed printed, not asserted (debug builds and a shared machine make timings unreliable; the benchmark
/// target is release mode over 1M documents).
@Suite("Aggregation speed")
struct AggregationSpeedTests {
    @Test func dateHistogramWithTermsOver200kDocuments() throws {
        let fixture = try AggregationFixture()
        let count = 200_000
        var random = AggregationRandom(seed: 77)
        var operations: [DocumentOperation] = []
        operations.reserveCapacity(count)
        for number in 0..<count {
            let timestamp = AggregationFixture.start + Int64(random.next() % UInt64(AggregationFixture.end - AggregationFixture.start))
            let category = AggregationFixture.categories[Int(random.next() % UInt64(AggregationFixture.categories.count))]
            operations.append(DocumentOperation(id: "s\(number)", kind: .index(source: Array(#"{"ts":\#(timestamp),"category":"\#(category)"}"#.utf8))))
        }
        let indexing = ContinuousClock().measure {
            for batch in stride(from: 0, to: count, by: 50_000) {
                _ = fixture.index.apply(Array(operations[batch..<min(batch + 50_000, count)]), consumed: [:])
                fixture.index.refresh()
            }
        }
        let matches = fixture.matchAll()
        let requests = try AggregationRequest.parse(try AggregationFixture.object(#"""
            {"weeks":{"date_histogram":{"field":"ts","calendar_interval":"week","time_zone":"Europe/London"},"aggs":{"top":{"terms":{"field":"category"}}}}}
            """#))
        var best = Duration.seconds(1000)
        var response = JSONObject()
        for _ in 0..<5 {
            let elapsed = try ContinuousClock().measure {
                response = try AggregationExecutor.run(requests, matches: matches, context: AggregationFixture.context)
            }
            best = min(best, elapsed)
        }
        let total = response.aggBuckets("weeks").reduce(Int64(0)) { $0 + ($1["doc_count"]?.aggInt ?? 0) }
        #expect(total == Int64(count))
        let segments = matches[0].segments.count
        print("aggregation speed: date_histogram(week, Europe/London) + terms over \(count) docs in \(segments) segments: best of 5 \(best) (indexing \(indexing))")
    }
}
