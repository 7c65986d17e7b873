import BlockingIO
import Foundation
import LocalPostgres
import PostgresTestSupport
import SQLiteSink
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The console end to end: `serve` over two throwaway sources fed by a random workload; the JSON API checked
/// against SQLite; the dashboard loaded in headless Chromium (bars per week equal to SQLite, a row inserted
/// in a source shows up without a reload, screenshots saved as artifacts, the SQL page rejects writes);
/// `/metrics` parsed by prometheus_client.
@Suite(.serialized) struct ConsoleTests {
    /// A registration in a week the workload never uses (its times are in 2023 and 2024).
    static let liveTimestamp = "2025-06-04 12:00:00"
    static let liveWeek = "2025-06-02"

    @Test func dashboardAPIAndMetrics() async throws {
        try await ThrowawayCluster.with { community in
            try await ThrowawayCluster.with { sites in
                let rig = try await AnswerRig.make(community: community, sites: sites)
                _ = try await AnswerWorkload.run(AnswerWorkload(seed: 0x5EED_0007), steps: 0..<300, of: 300, rig: rig)
                // A short SQL time limit, through the environment (`[admin] sql_timeout`), for the runaway query.
                let (serve, port) = try rig.startServe(environment: ["MOODLE_PIPELINE_ADMIN_SQL_TIMEOUT": "1s"])
                do {
                    try await rig.waitUntilReady(serve, port: port)
                    try await AnswerOracleTests.expectConverged(rig, serve)
                    let base = "http://127.0.0.1:\(port)"
                    try await Self.expectAPI(base, rig: rig)
                    try await Self.expectSQLLimits(base, rig: rig)
                    try await Self.expectDashboard(base, rig: rig)
                    try await Self.expectMetrics(base)
                    try await Self.expectSourceDownStandsOut(base, rig: rig)
                } catch {
                    serve.signal(SIGKILL)
                    _ = await serve.waitForExit(timeout: .seconds(10))
                    throw error
                }
                serve.signal(SIGTERM)
                #expect(await serve.waitForExit(timeout: .seconds(15)) == 0, "serve did not stop cleanly with a console stream open: \(serve.stderr.suffix(1500))")
            }
        }
    }

    // MARK: The JSON API

    struct Answers: Decodable {
        struct Q1: Decodable, Equatable {
            var week_start: String
            var sites_registered: Int
            var sites_total: Int
        }
        struct Q2: Decodable, Equatable {
            var week_start: String
            var new_admins: Int
            var admins_total: Int
        }
        var version: Int
        var q1: [Q1]
        var q2: [Q2]
    }

    static func expectAPI(_ base: String, rig: AnswerRig) async throws {
        let sink = try SinkDatabase(path: rig.sinkPath)
        let answers = try JSONDecoder().decode(Answers.self, from: try await Self.get(base + "/api/v1/answers", status: 200))
        let q1 = try sink.weeklySiteRegistrations(), q2 = try sink.weeklyCommunityAdmins()
        #expect(!q1.isEmpty && !q2.isEmpty)
        #expect(answers.q1 == q1.map { .init(week_start: $0.weekStart, sites_registered: $0.sitesRegistered, sites_total: $0.sitesTotal) })
        #expect(answers.q2 == q2.map { .init(week_start: $0.weekStart, new_admins: $0.newAdmins, admins_total: $0.adminsTotal) })

        let csv = String(decoding: try await Self.get(base + "/api/v1/answers/q1?format=csv", status: 200), as: UTF8.self)
        let lines = csv.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "week_start,sites_registered,sites_total")
        #expect(Array(lines.dropFirst()) == q1.map { "\($0.weekStart),\($0.sitesRegistered),\($0.sitesTotal)" })
        let from = q2[q2.count / 2].weekStart
        let ranged = try JSONSerialization.jsonObject(with: try await Self.get(base + "/api/v1/answers/q2?from=\(from)", status: 200)) as? [String: Any]
        #expect((ranged?["series"] as? [Any])?.count == q2.filter { $0.weekStart >= from }.count)
        _ = try await Self.get(base + "/api/v1/answers/q1?from=yesterday", status: 400)
        _ = try await Self.get(base + "/api/v1/answers/q3", status: 404)

        let topics = String(decoding: try await Self.get(base + "/api/v1/topics", status: 200), as: UTF8.self)
        #expect(topics.contains("\"sites.public.SitesUsers\""))
        let page = try JSONSerialization.jsonObject(with: try await Self.get(
            base + "/api/v1/topics/sites.public.SitesUsers/records?partition=0&offset=0&limit=5", status: 200)) as? [String: Any]
        let records = page?["records"] as? [[String: Any]] ?? []
        #expect(records.count == 5)
        if let key = records.first?["key"] as? String {
            let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
            let found = try JSONSerialization.jsonObject(with: try await Self.get(
                base + "/api/v1/topics/sites.public.SitesUsers/records?key=\(encoded)", status: 200)) as? [String: Any]
            let keys = (found?["records"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            #expect(!keys.isEmpty && keys.allSatisfy { $0 == key }, "find by key \(key) found \(keys)")
        }
        _ = try await Self.get(base + "/api/v1/topics/no.such.topic/records", status: 404)
        let consumers = String(decoding: try await Self.get(base + "/api/v1/consumers", status: 200), as: UTF8.self)
        #expect(consumers.contains("\"sqlite-sink\""))
        let letters = try JSONSerialization.jsonObject(with: try await Self.get(base + "/api/v1/dead-letters", status: 200)) as? [String: Any]
        let letterCount = (letters?["dead_letters"] as? [Any])?.count ?? 0
        #expect(letterCount > 0, "the workload writes invalid times: dead letters expected")
        let missing = try JSONSerialization.jsonObject(with: try await Self.get(base + "/api/v1/nothing/here", status: 404)) as? [String: Any]
        #expect((missing?["error"] as? [String: Any])?["type"] as? String == "resource_not_found_exception")

        let hits = try JSONSerialization.jsonObject(with: try await Self.post(
            base + "/api/v1/search/sites", #"{"query":{"match_all":{}},"size":1}"#, status: 200)) as? [String: Any]
        #expect(((hits?["hits"] as? [String: Any])?["hits"] as? [Any])?.count == 1)
        _ = try await Self.post(base + "/api/v1/search/_cluster", "{}", status: 400)

        let page0 = String(decoding: try await Self.get(base + "/", status: 200), as: UTF8.self)
        #expect(page0.contains("/assets/console.js") && page0.contains("/assets/charts.js") && page0.contains("/assets/console.css"))
        for asset in ["console.js", "charts.js", "console.css"] {
            #expect(try await Self.get(base + "/assets/" + asset, status: 200).count > 1_000)
        }
    }

    /// Writes are refused (and change nothing); rows and time are limited.
    static func expectSQLLimits(_ base: String, rig: AnswerRig) async throws {
        let before = try SinkDatabase(path: rig.sinkPath).weeklySiteRegistrations()
        for statement in [
            "DELETE FROM weekly_site_registrations", "INSERT INTO dead_letters(source) VALUES ('x')", "DROP TABLE weekly_site_registrations",
            "UPDATE weekly_site_registrations SET sites_total = 0", "CREATE TABLE t(a)", "PRAGMA journal_mode = DELETE",
        ] {
            let body = try await Self.post(base + "/api/v1/sql", Self.json(["sql": statement]), status: 400)
            #expect(String(decoding: body, as: UTF8.self).contains("read_only_violation"), "\(statement): \(String(decoding: body, as: UTF8.self))")
        }
        let attach = try await Self.post(base + "/api/v1/sql", Self.json(["sql": "ATTACH DATABASE '\(rig.sinkPath)' AS other"]), status: 400)
        #expect(String(decoding: attach, as: UTF8.self).contains("sql_error"))
        _ = try await Self.post(base + "/api/v1/sql", Self.json(["sql": "SELECT 1; DELETE FROM weekly_site_registrations"]), status: 400)
        #expect(try SinkDatabase(path: rig.sinkPath).weeklySiteRegistrations() == before)

        let limited = try JSONSerialization.jsonObject(with: try await Self.post(
            base + "/api/v1/sql", #"{"sql":"SELECT * FROM weekly_site_registrations","max_rows":3}"#, status: 200)) as? [String: Any]
        #expect((limited?["rows"] as? [Any])?.count == 3 && limited?["truncated"] as? Bool == true)

        let start = ContinuousClock.now
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        let timedOut = try await Self.post(base + "/api/v1/sql", Self.json(["sql": endless]), status: 400, timeout: 30)
        #expect(String(decoding: timedOut, as: UTF8.self).contains("\"timeout\""))
        #expect(String(decoding: timedOut, as: UTF8.self).contains("limit of 1.0 seconds"), "sql_timeout not applied: \(String(decoding: timedOut, as: UTF8.self))")
        #expect(ContinuousClock.now - start < .seconds(5), "the statement time limit did not stop the query")
    }

    // MARK: The dashboard in Chromium

    static func expectDashboard(_ base: String, rig: AnswerRig) async throws {
        let artifacts = Self.artifactDirectory
        let insertScript = "\(rig.directory)/insert-live-row.sh"
        try writeFile(insertScript, """
            #!/bin/sh
            export PGPASSWORD='\(try rig.sites.cluster.superuserPassword())'
            exec psql -X -q -v ON_ERROR_STOP=1 -d '\(rig.sites.url(database: "sites"))' -c \
              "INSERT INTO \\"SitesUsers\\"(id, admin_email, username, registration_timestamp) VALUES (990000001, 'live.check@example.org', 'live', '\(liveTimestamp)')"
            """, mode: 0o700)
        let sink = try SinkDatabase(path: rig.sinkPath)
        let before = (q1: try sink.weeklySiteRegistrations(), q2: try sink.weeklyCommunityAdmins())
        let run = try await Python.run(
            "\(Python.packageRoot)/Tests/ConsoleBrowser/dashboard.py", [base, artifacts, insertScript, liveWeek], timeout: .seconds(300))
        try #require(run.status == 0, "dashboard.py failed:\n\(run.report)")
        let bars = run.output.split(separator: "\n").filter { $0.hasPrefix("BARS ") }.map { line in
            (try? JSONDecoder().decode([String: [[Bar]]].self, from: Data(line.dropFirst(5).utf8))) ?? [:]
        }
        try #require(bars.count == 2, "expected two BARS lines:\n\(run.report)")

        // Each reading equals SQLite at that time: before the insert (the sources were quiet), and after it
        // (the live week added, and the empty weeks up to it).
        let q1 = try sink.weeklySiteRegistrations(), q2 = try sink.weeklyCommunityAdmins()
        #expect(Self.pairs(bars[0]["q1"]) == before.q1.map { Bar.Pair($0.weekStart, $0.sitesRegistered) })
        #expect(Self.pairs(bars[0]["q2"]) == before.q2.map { Bar.Pair($0.weekStart, $0.newAdmins) })
        #expect(Self.pairs(bars[1]["q1"]) == q1.map { Bar.Pair($0.weekStart, $0.sitesRegistered) })
        #expect(Self.pairs(bars[1]["q2"]) == q2.map { Bar.Pair($0.weekStart, $0.newAdmins) })
        #expect(!before.q1.contains { $0.weekStart == liveWeek })
        #expect(q1.contains { $0.weekStart == liveWeek && $0.sitesRegistered == 1 })
        for name in ["console-answers.png", "console-answers-live.png", "console-pipeline.png", "console-sql.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: "\(artifacts)/\(name)")[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot \(name) missing or empty (\(size) bytes)")
        }
        print("console screenshots in \(artifacts); \(run.output.split(separator: "\n").first { $0.hasPrefix("LIVE") } ?? "")")
    }

    /// One bar as the page reports it: [week, value].
    enum Bar: Decodable {
        case week(String)
        case value(Int)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .week(text) } else { self = .value(try container.decode(Int.self)) }
        }

        struct Pair: Equatable, CustomStringConvertible {
            var week: String
            var value: Int
            init(_ week: String, _ value: Int) { (self.week, self.value) = (week, value) }
            var description: String { "\(week)=\(value)" }
        }
    }

    static func pairs(_ bars: [[Bar]]?) -> [Bar.Pair] {
        (bars ?? []).compactMap { bar in
            guard bar.count == 2, case .week(let week) = bar[0], case .value(let value) = bar[1] else { return nil }
            return Bar.Pair(week, value)
        }.sorted { $0.week < $1.week }
    }

    // MARK: A source down

    /// The sites server stopped: the API says it is not connected, `/readyz` answers 503 naming it, and the
    /// pipeline page shows it as a problem.
    static func expectSourceDownStandsOut(_ base: String, rig: AnswerRig) async throws {
        let sites = rig.sites.cluster
        try await runBlocking(name: "console-test") { try sites.stop(mode: .fast) }
        let reported = await eventually(timeout: .seconds(30)) {
            guard let data = try? await Self.get(base + "/api/v1/sources", status: 200),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let sources = object["sources"] as? [[String: Any]] else { return false }
            return sources.contains { $0["name"] as? String == "sites" && $0["connected"] as? Bool == false }
        }
        #expect(reported, "the sites source still looks connected after its server stopped")
        let readiness = await httpGet(base + "/readyz")
        #expect(readiness?.status == 503 && readiness?.body.contains("source sites") == true, "readyz: \(String(describing: readiness))")
        let run = try await Python.run(
            "\(Python.packageRoot)/Tests/ConsoleBrowser/pipeline_problem.py", [base, Self.artifactDirectory, "sites"], timeout: .seconds(120))
        #expect(run.status == 0, "pipeline_problem.py:\n\(run.report)")
    }

    // MARK: /metrics

    static func expectMetrics(_ base: String) async throws {
        let run = try await Python.run("\(Python.packageRoot)/Tests/ConsoleBrowser/metrics.py", [base + "/metrics"], timeout: .seconds(60))
        #expect(run.status == 0, "metrics.py:\n\(run.report)")
    }

    // MARK: Helpers

    /// Where screenshots go: $TEST_ARTIFACTS_DIR, else .build/test-artifacts (kept after the run).
    static var artifactDirectory: String {
        ProcessInfo.processInfo.environment["TEST_ARTIFACTS_DIR"] ?? "\(Python.packageRoot)/.build/test-artifacts"
    }

    static func json(_ object: [String: String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
    }

    static func get(_ url: String, status: Int) async throws -> Data {
        try await request(url, method: "GET", body: nil, status: status, timeout: 10)
    }

    static func post(_ url: String, _ body: String, status: Int, timeout: TimeInterval = 10) async throws -> Data {
        try await request(url, method: "POST", body: Data(body.utf8), status: status, timeout: timeout)
    }

    static func request(_ url: String, method: String, body: Data?, status: Int, timeout: TimeInterval) async throws -> Data {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let code = (response as? HTTPURLResponse)?.statusCode ?? 0
        try #require(code == status, "\(method) \(url): status \(code), expected \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
        return data
    }
}

/// Runs the pinned Python environment's interpreter (Tests/SearchConformance/setup-venv.sh builds it).
enum Python {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var interpreter: String {
        (ProcessInfo.processInfo.environment["SEARCH_CONFORMANCE_VENV"] ?? "\(packageRoot)/.build/conformance-venv") + "/bin/python"
    }

    struct Run {
        var status: Int32
        var output: String
        var errors: String
        var report: String { "status \(status)\n--- stdout\n\(output.suffix(4000))\n--- stderr\n\(errors.suffix(4000))" }
    }

    static func run(_ script: String, _ arguments: [String], timeout: Duration) async throws -> Run {
        let directory = try makeTemporaryDirectory("console-python")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Creates or refreshes the pinned environment (quick when it is up to date).
        let setup = try await execute("/bin/bash", ["\(packageRoot)/Tests/SearchConformance/setup-venv.sh"], in: directory, timeout: .seconds(600))
        try #require(setup.status == 0, "Tests/SearchConformance/setup-venv.sh could not set up the test environment\n\(setup.report)")
        return try await execute(interpreter, [script] + arguments, in: directory, timeout: timeout)
    }

    private static func execute(_ executable: String, _ arguments: [String], in directory: String, timeout: Duration) async throws -> Run {
        let child = try ChildProcess(arguments, environment: ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"],
                                     directory: directory, executable: executable)
        guard let status = await child.waitForExit(timeout: timeout) else {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(10))
            return Run(status: -1, output: child.stdout, errors: child.stderr + "\n(killed after \(timeout))")
        }
        return Run(status: status, output: child.stdout, errors: child.stderr)
    }
}
