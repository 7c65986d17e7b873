import Foundation
import SearchEngine
import StreamProcessing

extension SearchBenchmark {
    /// One kind's latency in-process: (summary of the timed runs, `hits.total.value` of the first timed run).
    static func inProcessLatency(_ kind: QueryPlan.Kind, warmup: Int, index: SearchIndex) async throws -> (LatencySummary, Int?) {
        let objects = try parsedBodies(kind)
        return try await onDedicatedThreadThrowing { () throws -> (LatencySummary, Int?) in
            var samples: [Int64] = []
            samples.reserveCapacity(objects.count)
            var firstTotal: Int?
            for (position, object) in objects.enumerated() {
                let started = ContinuousClock.now
                let request = try SearchRequest.parse(body: object, parameters: [:])
                let response = try SearchExecutor.search(request, over: [index.snapshot()])
                let elapsed = (ContinuousClock.now - started).nanoseconds
                if position == warmup { firstTotal = totalHits(response) }
                if position >= warmup { samples.append(elapsed) }
            }
            return (LatencySummary(nanoseconds: samples), firstTotal)
        }
    }
}
