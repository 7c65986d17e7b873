import BlockingIO
import Foundation
import LocalPostgres
import MoodleAnalytics
import PostgresCDC
import SQLiteSink

/// End to end: two local clusters, `moodle-pipeline serve` as a child process, rows loaded into the sources
/// → time until the SQLite answers equal DESIGN.md's definitions (computed in memory from the generated rows
/// with `AnswerOracle`, and cross-checked once with `AnswerSQL` on the sources). Two ways in: rows loaded
/// while the pipeline streams, and rows already there when a fresh pipeline starts (initial snapshot). Then
/// the processor's replay rate from the log, against the CDC ingest rates just measured.
struct E2EBenchmark {
    struct Parameters {
        var workDirectory: String
        var users: Int
        var sites: Int
        var chunkRows: Int
        var binary: String
    }

    let p: Parameters

    struct Phase {
        var name: String
        /// nil: the condition was not observed before the answers were exact (reported as such, not guessed).
        var ingestSeconds: Double?
        var mirrorSeconds: Double
        var exactSeconds: Double
        var peakRSSKiB: Int
        var visibility: LatencySummary?
    }

    func run() async throws -> (streaming: Phase, snapshot: Phase, replay: ReplayResult, expected: (q1: Int, q2: Int)) {
        note("generating \(p.users) community users and \(p.sites) sites")
        let data = E2EData(users: p.users, sites: p.sites)
        let expectedQ1 = AnswerOracle.q1(sites: data.sites.map { ($0.id, $0.micros) }, timeZone: .gmt)
            .map { WeeklySiteRegistrations(weekStart: $0.weekStart, sitesRegistered: $0.sitesRegistered, sitesTotal: $0.sitesTotal) }
        let expectedQ2 = AnswerOracle.q2(
            users: data.users.map { ($0.id, $0.email, $0.micros) }, sites: data.sites.map { ($0.id, $0.email, $0.micros) },
            normalizer: EmailNormalizer(), timeZone: .gmt)
            .map { WeeklyCommunityAdmins(weekStart: $0.weekStart, newAdmins: $0.newAdmins, adminsTotal: $0.adminsTotal) }
        note("expected: Q1 \(expectedQ1.count) weeks, \(expectedQ1.last?.sitesTotal ?? 0) sites; Q2 \(expectedQ2.count) weeks, \(expectedQ2.last?.adminsTotal ?? 0) admins")
        let expected = Expected(q1: expectedQ1, q2: expectedQ2, users: p.users, sites: p.sites)

        let clusters = try await E2EClusters.start(under: p.workDirectory)
        do {
            let streaming = try await streamingPhase(clusters, data, expected)
            try await crossCheck(clusters, expected)
            let snapshot = try await snapshotPhase(clusters, expected)
            note("replaying the log through the processor")
            let replay = try await ProcessorReplay.run(logDirectory: "\(p.workDirectory)/snapshot/data/log")
            try await clusters.stop()
            return (streaming, snapshot, replay, (expectedQ1.count, expectedQ2.count))
        } catch {
            try? await clusters.stop()
            throw error
        }
    }

    struct Expected {
        var q1: [WeeklySiteRegistrations]
        var q2: [WeeklyCommunityAdmins]
        var users: Int
        var sites: Int
    }

    private func streamingPhase(_ clusters: E2EClusters, _ data: E2EData, _ expected: Expected) async throws -> Phase {
        let directory = "\(p.workDirectory)/streaming"
        let serve = try await ServeProcess.start(binary: p.binary, directory: directory, clusters: clusters)
        note("streaming: loading \(p.users + p.sites) rows in transactions of \(p.chunkRows)")
        let started = ContinuousClock.now
        try await data.load(clusters, chunkRows: p.chunkRows)
        let loaded = (ContinuousClock.now - started).seconds
        let ends = try await clusters.insertLSNs()
        note("streaming: loaded in \(format(loaded, 2)) s")
        let phase = try await waitForAnswers("streaming", serve, clusters, expected, since: started, lsns: ends)
        let visibility = try await measureVisibility(serve, clusters)
        try await serve.stop()
        var result = phase
        result.visibility = visibility
        return result
    }

    private func snapshotPhase(_ clusters: E2EClusters, _ expected: Expected) async throws -> Phase {
        let directory = "\(p.workDirectory)/snapshot"
        // Fresh slots: the streaming phase's slots would resume where they stopped, with no snapshot.
        try await clusters.dropSlots()
        note("snapshot: starting a fresh pipeline over the loaded sources")
        let started = ContinuousClock.now
        let serve = try await ServeProcess.start(binary: p.binary, directory: directory, clusters: clusters)
        let phase = try await waitForAnswers("snapshot", serve, clusters, expected, since: started, lsns: nil)
        try await serve.stop()
        return phase
    }

    /// Polls until the slots confirmed `lsns` (everything is durable in the log), the mirrors hold every row,
    /// and the answers equal the expected ones.
    private func waitForAnswers(_ name: String, _ serve: ServeProcess, _ clusters: E2EClusters, _ expected: Expected,
                                since started: ContinuousClock.Instant, lsns: [LSN]?) async throws -> Phase {
        var ingest: Double?
        var mirror: Double?
        let deadline = started + .seconds(600)
        let sink = try await serve.sinkDatabase()
        while ContinuousClock.now < deadline {
            let now = (ContinuousClock.now - started).seconds
            // Streaming: the slots confirmed the end of the load. Snapshot: both sources finished their
            // snapshots (each chunk is durable before the next is read) and stream.
            let inLog = if let lsns { try await clusters.confirmed(lsns) } else { await serve.bothSourcesStreaming() }
            if ingest == nil, inLog { ingest = now; note("\(name): in the log after \(format(now, 2)) s") }
            if mirror == nil, (try? sink.query(#"SELECT (SELECT count(*) FROM "community.public.CommunityUsers") + (SELECT count(*) FROM "sites.public.SitesUsers")"#).rows.first?.first ?? nil) == String(expected.users + expected.sites) {
                mirror = now
                note("\(name): mirrored after \(format(now, 2)) s")
            }
            if mirror != nil, (try? sink.weeklySiteRegistrations()) == expected.q1, (try? sink.weeklyCommunityAdmins()) == expected.q2 {
                let exact = (ContinuousClock.now - started).seconds
                if ingest == nil {
                    note("\(name): the log's catch-up was not observed; /readyz now: \(await ServeProcess.get("http://127.0.0.1:\(serve.adminPort)/readyz") ?? "no answer")")
                }
                note("\(name): answers exact after \(format(exact, 2)) s")
                return Phase(name: name, ingestSeconds: ingest, mirrorSeconds: mirror ?? exact, exactSeconds: exact,
                             peakRSSKiB: serve.peakRSSKiB(), visibility: nil)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkFailure(description: "\(name): the answers were not exact within 600 s; serve log: \(serve.logTail())")
    }

    /// Single-row inserts into the sites source, each timed until the row is in the SQLite mirror.
    private func measureVisibility(_ serve: ServeProcess, _ clusters: E2EClusters) async throws -> LatencySummary {
        let sink = try await serve.sinkDatabase()
        var samples: [Int64] = []
        for index in 0..<20 {
            let id = 10_000_000 + index
            let started = ContinuousClock.now
            // A synchronous commit, as PostgreSQL's default: with the bench clusters' synchronous_commit = off the
            // WAL writer flushes — and the walsender sends — the row up to 200 ms after COMMIT returned.
            try await clusters.sites.execute(#"SET synchronous_commit = on; INSERT INTO "SitesUsers" VALUES (\#(id), 'fresh\#(index)@example.org', 'fresh', '2024-06-03 10:00:00')"#)
            while (try? sink.query(#"SELECT 1 FROM "sites.public.SitesUsers" WHERE id = \#(id)"#).rows.isEmpty) ?? true {
                guard (ContinuousClock.now - started) < .seconds(30) else { throw BenchmarkFailure(description: "row \(id) never appeared") }
                try await Task.sleep(for: .milliseconds(2))
            }
            samples.append(Int64((ContinuousClock.now - started).seconds * 1e9))
        }
        try await clusters.sites.execute(#"DELETE FROM "SitesUsers" WHERE id >= 10000000"#)
        return LatencySummary(nanoseconds: samples)
    }

    /// The SQL oracle on the sources agrees with the in-memory one (so "exact" means DESIGN.md's words).
    private func crossCheck(_ clusters: E2EClusters, _ expected: Expected) async throws {
        note("cross-checking the expected answers with SQL on the sources")
        let users = try await clusters.community.execute(#"SELECT id, email, registration_timestamp FROM "CommunityUsers""#)
        let sql = AnswerSQL(usersTable: "oracle_users", sitesTable: #""SitesUsers""#, timeZone: "UTC")
        let settings = clusters.sites.settings
        let (q1, q2) = try await PGConnection.withConnection(settings) { db in
            _ = try db.execute("SET TimeZone = 'UTC'")
            _ = try db.execute(AnswerSQL.parseFunction)
            _ = try db.execute("CREATE TEMP TABLE oracle_users(id bigint PRIMARY KEY, email text, registration_timestamp text)")
            _ = try db.copyIn("COPY oracle_users FROM STDIN", rows: users.rows)
            return (try db.execute(sql.q1).rows, try db.execute(sql.q2).rows)
        }
        let q1Expected = expected.q1.map { [$0.weekStart, String($0.sitesRegistered), String($0.sitesTotal)] }
        let q2Expected = expected.q2.map { [$0.weekStart, String($0.newAdmins), String($0.adminsTotal)] }
        guard q1.map({ $0.map { $0 ?? "" } }) == q1Expected, q2.map({ $0.map { $0 ?? "" } }) == q2Expected else {
            throw BenchmarkFailure(description: "the SQL oracle and the in-memory oracle disagree")
        }
    }
}
