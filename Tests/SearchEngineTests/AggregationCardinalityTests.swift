import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Cardinality aggregation")
struct AggregationCardinalityTests {
    @Test func exactBelowThresholdForKeywordsAndNumbers() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 3000, seed: 31, users: 700)
        let response = try fixture.run(#"""
            {"users":{"cardinality":{"field":"user"}},"quantities":{"cardinality":{"field":"quantity"}},
             "prices":{"cardinality":{"field":"price"}},"small":{"cardinality":{"field":"user","precision_threshold":10}},
             "per_category":{"terms":{"field":"category","size":20},"aggs":{"users":{"cardinality":{"field":"user"}}}}}
            """#)
        #expect(response.aggObject("users")?["value"] == .integer(Int64(Set(fixture.documents.compactMap(\.user)).count)))
        #expect(response.aggObject("quantities")?["value"] == .integer(Int64(Set(fixture.documents.compactMap(\.quantity)).count)))
        #expect(response.aggObject("prices")?["value"] == .integer(Int64(Set(fixture.documents.compactMap(\.price)).count)))
        for bucket in response.aggBuckets("per_category") {
            let category = bucket["key"]?.stringValue
            let users = Set(fixture.documents.filter { $0.category == category }.compactMap(\.user))
            #expect(bucket["users"]?.objectValue?["value"] == .integer(Int64(users.count)))
        }
        // precision_threshold 10 → precision 6: HyperLogLog with 64 registers, a rough estimate.
        let small = try #require(response.aggObject("small")?["value"]?.aggInt)
        #expect(abs(Double(small) - 700) / 700 < 0.5)
    }

    @Test func hyperLogLogAboveThresholdWithinFivePercent() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 24000, seed: 32, batches: 4, users: 40000)
        let response = try fixture.run(#"{"users":{"cardinality":{"field":"user"}},"flags":{"terms":{"field":"flag"},"aggs":{"users":{"cardinality":{"field":"user"}}}}}"#)
        let exact = Double(Set(fixture.documents.compactMap(\.user)).count)
        #expect(exact > 3072)
        let estimate = Double(try #require(response.aggObject("users")?["value"]?.aggInt))
        #expect(abs(estimate - exact) / exact < 0.05, "estimate \(estimate), exact \(exact)")
        for bucket in response.aggBuckets("flags") {
            let flag = bucket["key"]?.aggInt == 1
            let users = Double(Set(fixture.documents.filter { $0.flag == flag }.compactMap(\.user)).count)
            let value = Double(bucket["users"]?.objectValue?["value"]?.aggInt ?? 0)
            #expect(abs(value - users) / users < 0.05, "estimate \(value), exact \(users)")
        }
    }

    @Test func counterAgainstSyntheticHashes() {
        for cardinality in [10, 1000, 3000, 5000, 20000, 100_000, 1_000_000] {
            var counter = CardinalityCounter(precision: CardinalityCounter.precision(threshold: 3000))
            var random = AggregationRandom(seed: UInt64(cardinality))
            for _ in 0..<cardinality { counter.add(AggregationHashing.mix64(Int64(bitPattern: random.next()))) }
            let error = abs(Double(counter.cardinality) - Double(cardinality)) / Double(cardinality)
            #expect(error < 0.03, "cardinality \(cardinality): \(counter.cardinality)")
        }
        #expect(CardinalityCounter.precision(threshold: 3000) == 14)
        #expect(CardinalityCounter.precision(threshold: 100) == 10)
        #expect(CardinalityCounter.precision(threshold: 40000) == 18)
    }

    @Test func murmurHashMatchesReferenceValues() {
        // MurmurHash3_x64_128 of "hello" with seed 0: h1 = 0xcbd8a7b341bd9b02 (reference implementation).
        #expect(AggregationHashing.murmur3x64(Array("hello".utf8)) == 0xCBD8_A7B3_41BD_9B02)
        #expect(AggregationHashing.murmur3x64([]) == 0)
        // MurmurHash3_x86_32("hello", seed 0) = 0x248bfa47.
        #expect(AggregationHashing.murmur3x86(Array("hello".utf8), seed: 0) == Int32(bitPattern: 0x248B_FA47))
    }
}
