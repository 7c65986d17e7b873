import Foundation
import LocalPostgres
import PostgresTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("serve, as a child process")
struct ServeTests {
    /// Environment that points `serve` at `cluster` for both sources, with a password file and a free admin port.
    static func environment(for cluster: RunningCluster, directory: String, adminPort: Int) throws -> [String: String] {
        let passwordFile = (directory as NSString).appendingPathComponent("pg.password")
        try writeFile(passwordFile, try cluster.cluster.superuserPassword())
        return [
            "MOODLE_PIPELINE_SOURCES_COMMUNITY_URL": cluster.url(database: "postgres"),
            "MOODLE_PIPELINE_SOURCES_COMMUNITY_PASSWORD_FILE": passwordFile,
            "MOODLE_PIPELINE_SOURCES_SITES_URL": cluster.url(database: "postgres"),
            "MOODLE_PIPELINE_SOURCES_SITES_PASSWORD_FILE": passwordFile,
            "MOODLE_PIPELINE_ADMIN_LISTEN": "127.0.0.1:\(adminPort)",
            "MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:\(try freeLoopbackPort())",
        ]
    }

    @Test("serve configured by environment variables becomes ready, holds the data directory, and exits 0 within 10 s of SIGTERM")
    func readyAndGracefulShutdown() async throws {
        try await ThrowawayCluster.with { cluster in
            let directory = try makeTemporaryDirectory()
            let port = try freeLoopbackPort()
            let environment = try Self.environment(for: cluster, directory: directory, adminPort: port)
            // Ready means capturing: the tables the [analytics] defaults name must exist.
            try await ThrowawayCluster.sql(cluster, #"CREATE TABLE "CommunityUsers" (id bigint PRIMARY KEY, email text, username text, registration_timestamp varchar)"#)
            try await ThrowawayCluster.sql(cluster, #"CREATE TABLE "SitesUsers" (id bigint PRIMARY KEY, admin_email text, username text, registration_timestamp varchar)"#)
            let serve = try ChildProcess(["serve", "--data-dir", "data", "--log-format", "json"], environment: environment, directory: directory)

            let ready = await eventually(timeout: .seconds(30)) { await httpGet("http://127.0.0.1:\(port)/readyz")?.status == 200 }
            #expect(ready, "not ready; stderr: \(serve.stderr) stdout: \(serve.stdout)")
            let health = await httpGet("http://127.0.0.1:\(port)/healthz")
            #expect(health?.status == 200)
            let readiness = await httpGet("http://127.0.0.1:\(port)/readyz")
            #expect(readiness?.body.contains("\"status\":\"ready\"") == true)
            #expect(FileManager.default.fileExists(atPath: "\(directory)/data/moodle.sqlite"))

            // A second instance on the same data directory is refused.
            let second = try await ChildProcess.run(["serve", "--data-dir", "data"], environment: environment, directory: directory, timeout: .seconds(30))
            #expect(second.status == 1)
            #expect(second.stderr.contains("in use by another moodle-pipeline"), "stderr: \(second.stderr)")

            let stopping = ContinuousClock.now
            serve.signal(SIGTERM)
            let status = await serve.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "exit status \(String(describing: status)); stderr: \(serve.stderr)")
            #expect(ContinuousClock.now - stopping < .seconds(10))
            // JSON lines on stdout when it is not a terminal.
            let firstLine = serve.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect((try? JSONSerialization.jsonObject(with: Data(firstLine.utf8))) != nil, "not JSON: \(firstLine)")
            #expect(!serve.stdout.contains(try cluster.cluster.superuserPassword()))
        }
    }

    @Test("readyz answers 503 with a JSON reason while a source is unreachable")
    func notReadyWhileSourceDown() async throws {
        let directory = try makeTemporaryDirectory()
        let port = try freeLoopbackPort()
        let deadPort = try freeLoopbackPort()
        let environment = [
            "MOODLE_PIPELINE_SOURCES_COMMUNITY_URL": "postgresql://nobody@127.0.0.1:\(deadPort)/community",
            "MOODLE_PIPELINE_SOURCES_SITES_URL": "postgresql://nobody@127.0.0.1:\(deadPort)/sites",
            "MOODLE_PIPELINE_ADMIN_LISTEN": "127.0.0.1:\(port)",
            "MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:\(try freeLoopbackPort())",
        ]
        let serve = try ChildProcess(["serve", "--data-dir", "data"], environment: environment, directory: directory)
        let answered = await eventually(timeout: .seconds(30)) {
            guard let response = await httpGet("http://127.0.0.1:\(port)/readyz") else { return false }
            return response.status == 503 && response.body.contains("source community")
        }
        #expect(answered, "stderr: \(serve.stderr)")
        serve.signal(SIGINT)
        #expect(await serve.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test("with basic auth configured the admin listener asks for it everywhere but the probes")
    func adminAuthentication() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try freeLoopbackPort()
        let deadPort = try freeLoopbackPort()
        try writeFile("\(directory)/basic-auth", "viewer:s3cret-console\n")
        let environment = [
            "MOODLE_PIPELINE_SOURCES_COMMUNITY_URL": "postgresql://nobody@127.0.0.1:\(deadPort)/community",
            "MOODLE_PIPELINE_SOURCES_SITES_URL": "postgresql://nobody@127.0.0.1:\(deadPort)/sites",
            "MOODLE_PIPELINE_ADMIN_LISTEN": "127.0.0.1:\(port)",
            "MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:\(try freeLoopbackPort())",
            "MOODLE_PIPELINE_HTTP_BASIC_AUTH_FILE": "\(directory)/basic-auth",
        ]
        let serve = try ChildProcess(["serve", "--data-dir", "data"], environment: environment, directory: directory)
        let base = "http://127.0.0.1:\(port)"
        let up = await eventually(timeout: .seconds(30)) { await httpGet(base + "/healthz")?.status == 200 }
        #expect(up, "stderr: \(serve.stderr)")
        #expect(await httpGet(base + "/readyz")?.status == 503)
        let good = "Basic " + Data("viewer:s3cret-console".utf8).base64EncodedString()
        let bad = "Basic " + Data("viewer:guess".utf8).base64EncodedString()
        for path in ["/", "/metrics", "/api/v1/pipeline", "/api/v1/answers", "/assets/console.js"] {
            let anonymous = await Self.get(base + path, authorization: nil)
            #expect(anonymous.status == 401, "\(path) without credentials: \(anonymous.status)")
            #expect(anonymous.challenge?.hasPrefix("Basic ") == true, "\(path): no basic challenge")
            #expect(anonymous.body.contains("security_exception"))
            #expect(await Self.get(base + path, authorization: bad).status == 401, "\(path) with wrong credentials")
            #expect(await Self.get(base + path, authorization: good).status == 200, "\(path) with the right credentials")
        }
        serve.signal(SIGINT)
        #expect(await serve.waitForExit(timeout: .seconds(10)) == 0)
    }

    /// Over `APIClient` (a plain socket): FoundationNetworking's URLSession stalls on a 401 that carries a
    /// `WWW-Authenticate` challenge (it waits for a credential delegate).
    static func get(_ url: String, authorization: String?) async -> (status: Int, body: String, challenge: String?) {
        guard let components = URLComponents(string: url), let port = components.port,
              let result = try? await APIClient(port: port, authorization: authorization).get(components.path.isEmpty ? "/" : components.path)
        else { return (0, "", nil) }
        return (result.status, result.text, result.header("WWW-Authenticate"))
    }

    @Test("doctor exits 0 on a ready cluster and 1, with the fixes, on one with wal_level=replica and no REPLICATION role")
    func doctorCommand() async throws {
        let seed = """
            CREATE TABLE "CommunityUsers"(id bigserial PRIMARY KEY, email text, username text, registration_timestamp text);
            CREATE TABLE "SitesUsers"(id bigserial PRIMARY KEY, admin_email text, username text, registration_timestamp text);
            """
        try await ThrowawayCluster.with { cluster in
            try await ThrowawayCluster.sql(cluster, seed)
            let directory = try makeTemporaryDirectory()
            let environment = try Self.environment(for: cluster, directory: directory, adminPort: 1)
            let good = try await ChildProcess.run(["doctor"], environment: environment, directory: directory)
            #expect(good.status == 0, "stdout: \(good.stdout) stderr: \(good.stderr)")
            #expect(good.stdout.contains("All sources are ready"))
        }
        try await ThrowawayCluster.with(settings: ["wal_level": "replica"]) { cluster in
            try await ThrowawayCluster.sql(cluster, seed + "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader;")
            let directory = try makeTemporaryDirectory()
            var environment = try Self.environment(for: cluster, directory: directory, adminPort: 1)
            let passwordFile = (directory as NSString).appendingPathComponent("reader.password")
            try writeFile(passwordFile, "reader-pw")
            for source in ["COMMUNITY", "SITES"] {
                environment["MOODLE_PIPELINE_SOURCES_\(source)_URL"] = cluster.url(database: "postgres", user: "reader")
                environment["MOODLE_PIPELINE_SOURCES_\(source)_PASSWORD_FILE"] = passwordFile
            }
            let bad = try await ChildProcess.run(["doctor"], environment: environment, directory: directory)
            #expect(bad.status == 1)
            #expect(bad.stdout.contains("ALTER SYSTEM SET wal_level = logical"), "stdout: \(bad.stdout)")
            #expect(bad.stdout.contains("WITH REPLICATION"), "stdout: \(bad.stdout)")
            #expect(!bad.stdout.contains("reader-pw"))
        }
    }
}

@Suite("demo, as a child process")
struct DemoTests {
    @Test("demo brings up both sources with generated data and the admin listener from nothing, and stops them on SIGINT")
    func demoFromNothing() async throws {
        let directory = try makeTemporaryDirectory()
        let port = try freeLoopbackPort()
        let demo = try ChildProcess(
            ["demo", "--data-dir", "\(directory)/data", "--log-format", "json"],
            environment: ["MOODLE_PIPELINE_ADMIN_LISTEN": "127.0.0.1:\(port)", "MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:\(try freeLoopbackPort())"],
            directory: directory
        )
        let ready = await eventually(timeout: .seconds(90)) { await httpGet("http://127.0.0.1:\(port)/readyz")?.status == 200 }
        #expect(ready, "stdout: \(demo.stdout) stderr: \(demo.stderr)")
        let readiness = await httpGet("http://127.0.0.1:\(port)/readyz")?.body ?? ""
        #expect(readiness.contains("source community") && readiness.contains("source sites"))
        #expect(demo.stderr.contains("/readyz"), "the banner with the URLs is missing")

        let installation = try PostgresInstallation.locate()
        for name in ["community", "sites"] {
            let cluster = try #require(LocalCluster.existing(at: "\(directory)/data/demo/\(name)", installation: installation))
            #expect(cluster.isRunning)
        }
        demo.signal(SIGINT)
        let status = await demo.waitForExit(timeout: .seconds(20))
        #expect(status == 0, "stderr: \(demo.stderr)")
        for name in ["community", "sites"] {
            let cluster = try #require(LocalCluster.existing(at: "\(directory)/data/demo/\(name)", installation: installation))
            #expect(!cluster.isRunning, "the \(name) cluster still runs after the demo stopped")
            try? cluster.stop(mode: .immediate)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
