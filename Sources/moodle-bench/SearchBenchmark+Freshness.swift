import Foundation
import PostgresCDC
import SearchEngine
import StreamProcessing
import Synchronization

/// Freshness: changes written at a steady rate for a while; every `sampleEvery`-th change is timed from the
/// moment its write returned (the source COMMIT, or the `_doc` acknowledgement) until an `ids` query on
/// `_search` returns it. One thread writes on schedule; another polls `_search` for all sampled changes not
/// yet seen, every `pollInterval` (so each figure is late by at most that plus one search).
extension SearchBenchmark {
    struct FreshnessRun: Sendable {
        var path: FreshnessPath
        /// Why the run took another path than asked for (nil: as asked).
        var fallbackReason: String?
        var changes: Int
        var writeSeconds: Double
        var sampleEvery: Int
        var latency: LatencySummary
        var missing: Int
        var peakKiB: Int
        var refreshInterval: String
        var changesPerSecond: Double { writeSeconds > 0 ? Double(changes) / writeSeconds : 0 }
    }

    static let pollInterval: Duration = .milliseconds(5)

    func measureFreshness() async throws -> FreshnessRun {
        if p.freshnessPath == .api { return try await freshnessThroughAPI(fallbackReason: nil) }
        let binary = p.pipelineBinary ?? siblingPipelineBinary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            let reason = "no moodle-pipeline binary at \(binary)"
            note("freshness: \(reason); measuring the API path instead (NOT the issue's definition)")
            return try await freshnessThroughAPI(fallbackReason: reason)
        }
        return try await freshnessThroughPipeline(binary: binary)
    }

    // MARK: Through the pipeline

    private func freshnessThroughPipeline(binary: String) async throws -> FreshnessRun {
        let directory = "\(p.workDirectory)/freshness"
        let clusters = try await E2EClusters.start(under: directory)
        do {
            let serve = try await ServeProcess.start(
                binary: binary, directory: "\(directory)/serve", clusters: clusters, refreshInterval: p.refreshInterval)
            defer { serve.terminate() }
            let settings = clusters.community.settings
            let insert = "INSERT INTO \"CommunityUsers\" VALUES "
            let makeWriter: @Sendable () throws -> (Int) throws -> Void = {
                let connection = try PGConnection(settings)
                // The bench clusters run with synchronous_commit off (fast loading); the WAL writer then flushes
                // — and the walsender sends — a commit up to 200 ms (wal_writer_delay) after it returned. The
                // timed writer commits as PostgreSQL does by default, so the clock starts at a flushed commit.
                _ = try connection.execute("SET synchronous_commit = on")
                return { id in _ = try connection.execute("\(insert)(\(id), 'fresh\(id)@example.org', 'fresh\(id)', '2024-06-03 10:00:00')") }
            }
            note("freshness: waiting for the pipeline to index a first row")
            try await Self.waitUntilVisible(id: 49_999_999, index: "community_users", port: serve.searchPort, makeWriter: makeWriter, serve: serve)
            note("freshness: \(p.freshnessRate) source commits/s for \(p.freshnessSeconds) s through moodle-pipeline serve")
            var run = try await probe(index: "community_users", port: serve.searchPort, makeWriter: makeWriter)
            run.peakKiB = serve.peakRSSKiB()
            try await serve.stop()
            try await clusters.stop()
            return run
        } catch {
            try? await clusters.stop()
            throw error
        }
    }

    // MARK: Through the API

    private func freshnessThroughAPI(fallbackReason: String?) async throws -> FreshnessRun {
        let engine = try SearchEngine(directory: "\(p.workDirectory)/freshness-engine", logger: logger)
        defer { engine.close() }
        _ = try engine.createIndex("fresh", settings: nil, mappings: nil)
        let (run, memory) = try await MemorySpan.measure {
            try await withSearchServer(engine: engine, logDirectory: "\(p.workDirectory)/freshness-log", maintenance: true) { port in
                let makeWriter: @Sendable () throws -> (Int) throws -> Void = {
                    let client = try SearchHTTPClient(port: port)
                    return { id in
                        let body = Array(#"{"id":\#(id),"email":"fresh\#(id)@example.org","username":"fresh\#(id)"}"#.utf8)
                        let response = try client.request("PUT", "/fresh/_doc/\(id)", body: body)
                        guard response.status == 201 || response.status == 200 else {
                            throw BenchmarkFailure(description: "PUT _doc answered \(response.status)")
                        }
                    }
                }
                note("freshness (API path, not the issue's definition): \(p.freshnessRate) PUT _doc/s for \(p.freshnessSeconds) s")
                return try await probe(index: "fresh", port: port, makeWriter: makeWriter)
            }
        }
        var result = run
        result.path = .api
        result.fallbackReason = fallbackReason
        result.peakKiB = memory.peakKiB
        result.refreshInterval = "1s (index default)"
        return result
    }

    // MARK: The probe

    private func probe(index: String, port: Int, makeWriter: @escaping @Sendable () throws -> (Int) throws -> Void) async throws -> FreshnessRun {
        let tracker = FreshnessTracker()
        let (rate, seconds, every) = (p.freshnessRate, p.freshnessSeconds, p.freshnessSampleEvery)
        async let polling: Void = onDedicatedThreadThrowing { try Self.poll(tracker, index: index, port: port) }
        let written: (Int, Double)
        do {
            written = try await onDedicatedThreadThrowing { () throws -> (Int, Double) in
                defer { tracker.finishWriting() }
                return try Self.write(rate: rate, seconds: seconds, sampleEvery: every, tracker: tracker, makeWriter: makeWriter)
            }
        } catch {
            try? await polling
            throw error
        }
        try await polling
        let (samples, missing) = tracker.outcome()
        let run = FreshnessRun(
            path: .pipeline, fallbackReason: nil, changes: written.0, writeSeconds: written.1, sampleEvery: every,
            latency: LatencySummary(nanoseconds: samples), missing: missing, peakKiB: 0,
            refreshInterval: p.refreshInterval ?? "100ms (appliance default)")
        note("freshness: \(run.changes) changes in \(format(run.writeSeconds, 1)) s (\(Int(run.changesPerSecond))/s); commit → visible \(run.latency.text), \(missing) never seen")
        return run
    }

    /// Writes changes 50,000,000… on schedule (`rate` per second, catching up without sleeping when late).
    private static func write(
        rate: Int, seconds: Int, sampleEvery: Int, tracker: FreshnessTracker, makeWriter: () throws -> (Int) throws -> Void
    ) throws -> (Int, Double) {
        let write = try makeWriter()
        let total = rate * seconds
        let started = ContinuousClock.now
        for number in 0..<total {
            let due = started + .nanoseconds(Int64(number) * 1_000_000_000 / Int64(rate))
            let now = ContinuousClock.now
            if due > now { Thread.sleep(forTimeInterval: (due - now).seconds) }
            let id = 50_000_000 + number
            try write(id)
            if number % sampleEvery == 0 { tracker.committed(id, at: .now) }
        }
        return (total, (ContinuousClock.now - started).seconds)
    }

    /// Polls until every sampled change was seen, or 30 s after the writer finished.
    private static func poll(_ tracker: FreshnessTracker, index: String, port: Int) throws {
        let client = try SearchHTTPClient(port: port)
        var giveUp: ContinuousClock.Instant?
        while true {
            let (ids, writing) = tracker.pending()
            if !writing {
                if ids.isEmpty { return }
                giveUp = giveUp ?? .now + .seconds(30)
                if let giveUp, ContinuousClock.now > giveUp { return }
            }
            if !ids.isEmpty {
                let seen = try visibleIDs(ids, index: index, client: client)
                tracker.visible(seen, at: .now)
            }
            Thread.sleep(forTimeInterval: pollInterval.seconds)
        }
    }

    /// Which of `ids` an `ids` query on `index` returns now.
    private static func visibleIDs(_ ids: [Int], index: String, client: SearchHTTPClient) throws -> Set<Int> {
        let values = ids.map { "\"\($0)\"" }.joined(separator: ",")
        let body = Array(#"{"query":{"ids":{"values":[\#(values)]}},"size":\#(ids.count),"_source":false}"#.utf8)
        let response = try client.request("POST", "/\(index)/_search", body: body)
        guard response.status == 200, case .object(let json) = try JSONParser.parse(response.body),
              case .object(let hits)? = json["hits"], case .array(let list)? = hits["hits"] else { return [] }
        var seen: Set<Int> = []
        for hit in list {
            if case .object(let object) = hit, case .string(let id)? = object["_id"], let number = Int(id) { seen.insert(number) }
        }
        return seen
    }

    /// Writes change `id` and waits until `_search` returns it (the pipeline is up and its index exists).
    private static func waitUntilVisible(
        id: Int, index: String, port: Int, makeWriter: @escaping @Sendable () throws -> (Int) throws -> Void, serve: ServeProcess
    ) async throws {
        try await onDedicatedThreadThrowing { try makeWriter()(id) }
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            guard serve.isRunning else { throw BenchmarkFailure(description: "serve exited: \(serve.logTail())") }
            let seen = try? await onDedicatedThreadThrowing { () throws -> Bool in
                try visibleIDs([id], index: index, client: try SearchHTTPClient(port: port)).contains(id)
            }
            if seen == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchmarkFailure(description: "the first row never became visible in \(index): \(serve.logTail())")
    }
}

/// The sampled changes between the writer thread and the polling thread.
final class FreshnessTracker: Sendable {
    private struct State {
        var pending: [Int: ContinuousClock.Instant] = [:]
        var samples: [Int64] = []
        var writing = true
    }

    private let state = Mutex(State())

    func committed(_ id: Int, at instant: ContinuousClock.Instant) {
        state.withLock { $0.pending[id] = instant }
    }

    func finishWriting() {
        state.withLock { $0.writing = false }
    }

    /// The sampled changes not seen yet, and whether the writer is still writing.
    func pending() -> ([Int], Bool) {
        state.withLock { (Array($0.pending.keys), $0.writing) }
    }

    func visible(_ ids: Set<Int>, at instant: ContinuousClock.Instant) {
        state.withLock { state in
            for id in ids {
                if let committed = state.pending.removeValue(forKey: id) { state.samples.append((instant - committed).nanoseconds) }
            }
        }
    }

    /// (latencies in ns, changes never seen).
    func outcome() -> ([Int64], Int) {
        state.withLock { ($0.samples, $0.pending.count) }
    }
}
