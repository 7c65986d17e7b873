import Foundation
import SearchEngine
import StreamProcessing

/// Query latency on the in-process index (after its merges): each kind of `QueryPlan` in-process through
/// `SearchRequest.parse` + `SearchExecutor.search` over a fresh snapshot (the body's JSON already parsed;
/// the clock covers request parsing, search and building the response object), then the same bodies over
/// HTTP (`POST /bench/_search` on one keep-alive connection: parsing, search, rendering and the loopback
/// round trip). One query at a time, on a dedicated thread.
extension SearchBenchmark {
    struct QueryFigures: Sendable {
        var name: String
        var goalP99Milliseconds: Double?
        var inProcess: LatencySummary
        var http: LatencySummary
        /// `hits.total.value` of the first timed in-process run (for the reader: how much each query matches).
        var firstTotalHits: Int?
    }

    struct QueryRun: Sendable {
        var figures: [QueryFigures]
        var segments: Int
        var inProcessMemory: MemorySpan
        var httpMemory: MemorySpan
    }

    func measureQueries(_ plan: QueryPlan, engine: SearchEngine, index: SearchIndex) async throws -> QueryRun {
        note("queries: \(plan.kinds.count) kinds × (\(plan.warmup) warm-up + \(plan.runs) timed), in-process, on \(index.stats.segmentCount) segments")
        let (inProcess, inProcessMemory) = try await MemorySpan.measure {
            var results: [(LatencySummary, Int?)] = []
            for kind in plan.kinds {
                let result = try await Self.inProcessLatency(kind, warmup: plan.warmup, index: index)
                note("queries: \(kind.name) in-process \(result.0.text), total hits \(result.1.map(String.init) ?? "?")")
                results.append(result)
            }
            return results
        }
        note("queries: the same over HTTP")
        let (http, httpMemory) = try await MemorySpan.measure {
            try await withSearchServer(engine: engine, logDirectory: "\(p.workDirectory)/query-log", maintenance: false) { port in
                var results: [LatencySummary] = []
                for kind in plan.kinds {
                    let summary = try await Self.httpLatency(kind, warmup: plan.warmup, port: port)
                    note("queries: \(kind.name) over HTTP \(summary.text)")
                    results.append(summary)
                }
                return results
            }
        }
        let figures = plan.kinds.indices.map { position in
            QueryFigures(
                name: plan.kinds[position].name, goalP99Milliseconds: plan.kinds[position].goalP99Milliseconds,
                inProcess: inProcess[position].0, http: http[position], firstTotalHits: inProcess[position].1)
        }
        return QueryRun(figures: figures, segments: index.stats.segmentCount, inProcessMemory: inProcessMemory, httpMemory: httpMemory)
    }

    private static func httpLatency(_ kind: QueryPlan.Kind, warmup: Int, port: Int) async throws -> LatencySummary {
        let path = "/\(indexName)/_search"
        return try await onDedicatedThreadThrowing { () throws -> LatencySummary in
            let client = try SearchHTTPClient(port: port)
            var samples: [Int64] = []
            samples.reserveCapacity(kind.bodies.count)
            for (position, body) in kind.bodies.enumerated() {
                let started = ContinuousClock.now
                let response = try client.request("POST", path, body: body)
                let elapsed = (ContinuousClock.now - started).nanoseconds
                guard response.status == 200 else {
                    throw BenchmarkFailure(description: "\(kind.name) over HTTP: status \(response.status): \(String(decoding: response.body.prefix(400), as: UTF8.self))")
                }
                if position >= warmup { samples.append(elapsed) }
            }
            return LatencySummary(nanoseconds: samples)
        }
    }

    /// `hits.total.value` of a search response.
    static func totalHits(_ response: JSONObject) -> Int? {
        guard case .object(let hits)? = response["hits"], case .object(let total)? = hits["total"],
              case .integer(let value)? = total["value"] else { return nil }
        return Int(value)
    }

    static func parsedBodies(_ kind: QueryPlan.Kind) throws -> [JSONObject] {
        try kind.bodies.map { body in
            guard case .object(let object) = try JSONParser.parse(body) else {
                throw BenchmarkFailure(description: "\(kind.name): a body is not a JSON object")
            }
            return object
        }
    }
}
