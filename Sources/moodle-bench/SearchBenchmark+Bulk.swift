import Foundation
import Logging
import PartitionedLog
import SearchAPI
import SearchEngine
import Synchronization

/// `_bulk` over HTTP: a fresh engine behind `SearchServer` + `DocumentLog` (a fresh log, `fsync = always`,
/// as the appliance runs it) + `SearchMaintenance` (refreshes every second, merges), all in this process on
/// a free port. The NDJSON bodies are made before the clock starts; `connections` client threads, each with
/// one keep-alive connection, take the next body until none are left. Timed from the first request to the
/// last response. The clients' own CPU time is measured (thread CPU clocks), to show they are not the
/// bottleneck; the server shares the machine's cores with them.
extension SearchBenchmark {
    struct BulkRun: Sendable {
        var indexing: IndexingFigures
        var requests: Int
        var documentsPerRequest: Int
        var connections: Int
        var requestLatency: LatencySummary
        var clientCPUSeconds: Double
        var requestBytes: Int
        var refreshSeconds: Double
        var counted: Int
    }

    func bulkOverHTTP(_ corpus: SearchCorpus) async throws -> BulkRun {
        let bodies = Self.bulkBodies(corpus, perRequest: p.bulkBatch)
        let requestBytes = bodies.reduce(0) { $0 + $1.count }
        let engine = try SearchEngine(directory: "\(p.workDirectory)/bulk-engine", logger: logger)
        defer { engine.close() }
        let mappings = try Self.mappingsJSON()
        _ = try engine.createIndex(Self.indexName, settings: nil, mappings: mappings)
        let connections = p.connections
        note("bulk: \(bodies.count) requests of \(p.bulkBatch) documents (\(format(Double(requestBytes) / 1_048_576, 1)) MiB) over \(connections) connections")
        return try await withSearchServer(engine: engine, logDirectory: "\(p.workDirectory)/bulk-log", maintenance: true) { port in
            let cpuStart = processCPUSeconds()
            let ((seconds, samples, clientCPU), memory) = try await MemorySpan.measure {
                try await Self.sendBulk(bodies, port: port, connections: connections)
            }
            let cpu = processCPUSeconds() - cpuStart
            let refreshSeconds = try await onDedicatedThreadThrowing { () throws -> Double in
                let client = try SearchHTTPClient(port: port)
                let started = ContinuousClock.now
                let refreshed = try client.request("POST", "/\(Self.indexName)/_refresh")
                guard refreshed.status == 200 else { throw BenchmarkFailure(description: "bulk: _refresh answered \(refreshed.status)") }
                return (ContinuousClock.now - started).seconds
            }
            let counted = engine.index(Self.indexName)?.stats.docsCount ?? -1
            guard counted == corpus.lines.count else {
                throw BenchmarkFailure(description: "bulk: _count is \(counted), not \(corpus.lines.count)")
            }
            let indexing = IndexingFigures(documents: corpus.lines.count, seconds: seconds, cpuSeconds: cpu, memory: memory)
            let run = BulkRun(
                indexing: indexing, requests: bodies.count, documentsPerRequest: p.bulkBatch, connections: connections,
                requestLatency: LatencySummary(nanoseconds: samples), clientCPUSeconds: clientCPU, requestBytes: requestBytes,
                refreshSeconds: refreshSeconds, counted: counted)
            note("bulk: \(indexing.documents) docs in \(format(seconds, 2)) s = \(Int(indexing.docsPerSecond))/s; requests \(run.requestLatency.text); client CPU \(format(clientCPU, 2)) s of \(format(cpu, 2)) s process CPU; \(memory.text)")
            return run
        }
    }

    /// `{"index":{"_id":"<id>"}}` + source per document, `perRequest` documents per body.
    static func bulkBodies(_ corpus: SearchCorpus, perRequest: Int) -> [[UInt8]] {
        stride(from: 0, to: corpus.lines.count, by: perRequest).map { first in
            var body: [UInt8] = []
            for position in first..<min(first + perRequest, corpus.lines.count) {
                body += Array(#"{"index":{"_id":"\#(position + 1)"}}"#.utf8)
                body.append(10)
                body += corpus.lines[position]
                body.append(10)
            }
            return body
        }
    }

    /// (wall seconds, per-request latencies in ns, the client threads' CPU seconds).
    private static func sendBulk(_ bodies: [[UInt8]], port: Int, connections: Int) async throws -> (Double, [Int64], Double) {
        let next = SharedCounter()
        let started = ContinuousClock.now
        let perConnection = try await withThrowingTaskGroup(of: ([Int64], Double).self) { group in
            for _ in 0..<connections {
                group.addTask {
                    try await onDedicatedThreadThrowing { () throws -> ([Int64], Double) in
                        let cpuStart = threadCPUSeconds()
                        let client = try SearchHTTPClient(port: port)
                        var samples: [Int64] = []
                        while true {
                            let number = next.next()
                            guard number < bodies.count else { break }
                            let sent = ContinuousClock.now
                            let response = try client.request("POST", "/\(Self.indexName)/_bulk", contentType: "application/x-ndjson", body: bodies[number])
                            samples.append((ContinuousClock.now - sent).nanoseconds)
                            try Self.checkBulkResponse(response)
                        }
                        return (samples, threadCPUSeconds() - cpuStart)
                    }
                }
            }
            var all: [([Int64], Double)] = []
            for try await part in group { all.append(part) }
            return all
        }
        let seconds = (ContinuousClock.now - started).seconds
        return (seconds, perConnection.flatMap(\.0), perConnection.reduce(0) { $0 + $1.1 })
    }

    private static func checkBulkResponse(_ response: SearchHTTPClient.Response) throws {
        // `{"took":…,"errors":false,…}`: the flag is near the start; its absence or `true` fails the run.
        let head = String(decoding: response.body.prefix(200), as: UTF8.self)
        guard response.status == 200, head.contains(#""errors":false"#) else {
            throw BenchmarkFailure(description: "bulk: status \(response.status): \(String(decoding: response.body.prefix(600), as: UTF8.self))")
        }
    }

    /// Runs `body` with a `SearchServer` on a free loopback port over `engine`, writes going through a
    /// `DocumentLog` over a fresh log in `logDirectory`; with `maintenance`, `SearchMaintenance` runs too.
    func withSearchServer<T: Sendable>(
        engine: SearchEngine, logDirectory: String, maintenance: Bool, _ body: @escaping @Sendable (Int) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        let log = try await PartitionedLog.open(LogConfiguration(directory: logDirectory), logger: logger)
        let translog = DocumentLog(log: log, engine: engine, logger: logger)
        // The listener logs its own cancellation at error level when the benchmark stops it: only critical.
        var serverLogger = logger
        serverLogger.logLevel = .critical
        let server = try SearchServer(configuration: SearchAPIConfiguration(port: 0), engine: engine, writer: translog, logger: serverLogger)
        let outcome: Result<T, any Error> = await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await translog.run() }
            group.addTask { try await server.run() }
            if maintenance { group.addTask { try await SearchMaintenance(engine: engine).run() } }
            let port = await server.boundPort()
            let outcome: Result<T, any Error>
            if port > 0 {
                do { outcome = .success(try await body(port)) } catch { outcome = .failure(error) }
            } else {
                outcome = .failure(BenchmarkFailure(description: "the search server never listened"))
            }
            group.cancelAll()
            while true {
                do { if try await group.next() == nil { break } } catch { continue }
            }
            return outcome
        }
        await log.close()
        return try outcome.get()
    }
}

/// Hands out 0, 1, 2, … to concurrent threads.
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
