import BlockingIO
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LocalPostgres
import Logging
import MoodleAnalytics
import PartitionedLog
import PostgresCDC
import SQLiteSink
import StreamProcessing

/// Generated rows: community users, a share of them using the admin email of some site (sites' emails vary
/// in case and surrounding spaces), registration times spread over ten years.
struct E2EData: Sendable {
    struct Row: Sendable {
        var id: Int
        var email: String
        var text: String
        var micros: Int64
    }

    var users: [Row] = []
    var sites: [Row] = []

    init(users userCount: Int, sites siteCount: Int) {
        var random = SplitMix64(seed: 0xE2E)
        func time() -> (String, Int64) {
            let (year, month, day) = (2015 + random.next(below: 10), 1 + random.next(below: 12), 1 + random.next(below: 28))
            let (hour, minute, second) = (random.next(below: 24), random.next(below: 60), random.next(below: 60))
            let days = LocalDate(year: year, month: month, day: day)?.daysSinceEpoch ?? 0
            let micros = (days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1_000_000
            return (String(format: "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second), micros)
        }
        users.reserveCapacity(userCount)
        for id in 1...max(1, userCount) where id <= userCount {
            let email = random.next(below: 100) < 45 ? "admin\(random.next(below: max(1, siteCount)))@example.org" : "user\(id)@community.example"
            let (text, micros) = time()
            users.append(Row(id: id, email: email, text: text, micros: micros))
        }
        sites.reserveCapacity(siteCount)
        for id in 1...max(1, siteCount) where id <= siteCount {
            var email = "admin\(random.next(below: max(1, siteCount)))@example.org"
            switch random.next(below: 20) {
            case 0, 1: email = email.uppercased()
            case 2: email = "  \(email) "
            default: break
            }
            let (text, micros) = time()
            sites.append(Row(id: id, email: email, text: text, micros: micros))
        }
    }

    /// COPY in transactions of `chunkRows`, alternating the two sources.
    func load(_ clusters: E2EClusters, chunkRows: Int) async throws {
        let userChunks = stride(from: 0, to: users.count, by: chunkRows).map { Array(users[$0..<min($0 + chunkRows, users.count)]) }
        let siteChunks = stride(from: 0, to: sites.count, by: chunkRows).map { Array(sites[$0..<min($0 + chunkRows, sites.count)]) }
        for index in 0..<max(userChunks.count, siteChunks.count) {
            if index < userChunks.count { try await clusters.community.copy(#"COPY "CommunityUsers" FROM STDIN"#, userChunks[index]) }
            if index < siteChunks.count { try await clusters.sites.copy(#"COPY "SitesUsers" FROM STDIN"#, siteChunks[index]) }
        }
    }
}

extension BenchServer {
    func copy(_ statement: String, _ rows: [E2EData.Row]) async throws {
        let settings = self.settings
        _ = try await PGConnection.withConnection(settings) { connection in
            try connection.copyIn(statement, rows: rows.lazy.map { [String($0.id), $0.email, "u\($0.id)", $0.text] })
        }
    }
}

/// The two source clusters (tables in their `postgres` database).
struct E2EClusters: Sendable {
    let community: BenchServer
    let sites: BenchServer

    static func start(under directory: String) async throws -> E2EClusters {
        func start(_ name: String) async throws -> BenchServer {
            let running = try await runBlocking(name: "moodle-bench.cluster") {
                let installation = try PostgresInstallation.locate()
                let cluster = try LocalCluster.create(at: "\(directory)/pg-\(name)", installation: installation,
                                                      settings: ["max_wal_size": "'4GB'"], syncToDisk: false)
                return try cluster.start()
            }
            return BenchServer(running: running)
        }
        let clusters = E2EClusters(community: try await start("community"), sites: try await start("sites"))
        try await clusters.community.execute(#"CREATE TABLE "CommunityUsers"(id bigint PRIMARY KEY, email text, username text, registration_timestamp varchar(64))"#)
        try await clusters.sites.execute(#"CREATE TABLE "SitesUsers"(id bigint PRIMARY KEY, admin_email text, username text, registration_timestamp varchar(64))"#)
        note("clusters: community on port \(clusters.community.running.port), sites on port \(clusters.sites.running.port)")
        return clusters
    }

    func insertLSNs() async throws -> [LSN] {
        var lsns: [LSN] = []
        for server in [community, sites] {
            guard let text = try await server.scalar("SELECT pg_current_wal_insert_lsn()::text"), let lsn = LSN(text) else {
                throw BenchmarkFailure(description: "no WAL position")
            }
            lsns.append(lsn)
        }
        return lsns
    }

    /// Whether every slot of each cluster has confirmed its LSN (what it confirms is durable in the log).
    func confirmed(_ lsns: [LSN]) async throws -> Bool {
        for (server, lsn) in zip([community, sites], lsns) {
            let done = try await server.scalar("SELECT coalesce(bool_and(confirmed_flush_lsn >= '\(lsn)'::pg_lsn), false)::text FROM pg_replication_slots")
            if done != "true" { return false }
        }
        return true
    }

    func dropSlots() async throws {
        for server in [community, sites] {
            try await server.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots")
        }
    }

    func stop() async throws {
        for server in [community, sites] {
            try await runBlocking { try server.running.cluster.stop(mode: .fast) }
        }
    }
}

/// `moodle-pipeline serve` as a child process over the two clusters, its admin and search listeners on free
/// loopback ports and, when given, `[index] refresh_interval`.
final class ServeProcess: @unchecked Sendable {  // Process is used from one task at a time.
    let process: Process
    let directory: String
    let adminPort: Int
    let searchPort: Int

    private init(process: Process, directory: String, adminPort: Int, searchPort: Int) {
        self.process = process
        self.directory = directory
        self.adminPort = adminPort
        self.searchPort = searchPort
    }

    static func start(binary: String, directory: String, clusters: E2EClusters, refreshInterval: String? = nil) async throws -> ServeProcess {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try freeLoopbackPort()
        let searchPort = try freeLoopbackPort()
        var config = "data_dir = \"\(directory)/data\"\n"
        for (name, server) in [("community", clusters.community), ("sites", clusters.sites)] {
            let passwordFile = "\(directory)/\(name).password"
            FileManager.default.createFile(atPath: passwordFile, contents: Data(try server.running.cluster.superuserPassword().utf8),
                                           attributes: [.posixPermissions: 0o600])
            config += "\n[sources.\(name)]\nurl = \"\(server.running.url())\"\npassword_file = \"\(passwordFile)\"\n"
        }
        config += "\n[analytics]\ncommunity_table = \"public.CommunityUsers\"\nsites_table = \"public.SitesUsers\"\n"
        if let refreshInterval { config += "\n[index]\nrefresh_interval = \"\(refreshInterval)\"\n" }
        config += "\n[http]\nlisten = \"127.0.0.1:\(searchPort)\"\n"
        config += "\n[admin]\nlisten = \"127.0.0.1:\(port)\"\n"
        try config.write(toFile: "\(directory)/appliance.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", "\(directory)/appliance.conf", "--log-format", "json"]
        FileManager.default.createFile(atPath: "\(directory)/serve.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/serve.log"))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return ServeProcess(process: process, directory: directory, adminPort: port, searchPort: searchPort)
    }

    /// The sink database, once `/readyz` reports the sink ready (it has migrated the schema).
    func sinkDatabase() async throws -> SinkDatabase {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchmarkFailure(description: "serve exited: \(logTail())") }
            if await readiness()["sink"]?.ready == true {
                return try SinkDatabase(path: "\(directory)/data/moodle.sqlite")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchmarkFailure(description: "the sink never became ready: \(logTail())")
    }

    /// Whether `/readyz` shows both sources streaming (their snapshots are in the log).
    func bothSourcesStreaming() async -> Bool {
        let components = await readiness()
        return ["community", "sites"].allSatisfy { components["source \($0)"]?.detail.hasPrefix("streaming") == true }
    }

    /// `/readyz`'s components by name (the JSON's key order is not fixed).
    func readiness() async -> [String: (ready: Bool, detail: String)] {
        guard let body = await Self.get("http://127.0.0.1:\(adminPort)/readyz"),
              let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let components = json["components"] as? [[String: Any]]
        else { return [:] }
        var result: [String: (ready: Bool, detail: String)] = [:]
        for component in components {
            guard let name = component["name"] as? String else { continue }
            result[name] = ((component["ready"] as? Bool) ?? false, (component["detail"] as? String) ?? "")
        }
        return result
    }

    static func get(_ url: String) async -> String? {
        guard let url = URL(string: url), let (data, _) = try? await session.data(from: url) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 2
        return URLSession(configuration: configuration)
    }()

    /// VmHWM of the serve process.
    func peakRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }

    func logTail() -> String {
        String(((try? String(contentsOfFile: "\(directory)/serve.log", encoding: .utf8)) ?? "").suffix(2000))
    }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then waits up to 20 s for the exit.
    func stop() async throws {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else { throw BenchmarkFailure(description: "serve did not stop on SIGTERM") }
    }

    /// SIGTERM without waiting (for error paths; `stop` waits).
    func terminate() {
        if process.isRunning { process.terminate() }
    }
}

/// Reads the answer tables' change topics from a log and runs them through `AnswerProcessor` alone (no
/// SQLite): the processor's replay rate.
enum ProcessorReplay {
    struct Result: Sendable {
        var events: Int
        var seconds: Double
        var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
        var decodeOnlySeconds: Double
    }

    static func run(logDirectory: String) async throws -> Result {
        let log = try await PartitionedLog.open(LogConfiguration(directory: logDirectory), logger: Logger(label: "moodle-bench.replay"))
        defer { Task { await log.close() } }
        let mapping = AnalyticsMapping(
            community: .init(topic: "community.public.CommunityUsers", emailColumn: "email", registeredColumn: "registration_timestamp"),
            sites: .init(topic: "sites.public.SitesUsers", emailColumn: "admin_email", registeredColumn: "registration_timestamp"))
        // Read everything first: the replay measures decoding and processing, not the disk (reads are
        // measured by `moodle-bench log`).
        var batches: [(AnswerSide, [StoredRecord])] = []
        for (side, topic) in [(AnswerSide.community, mapping.community.topic), (.sites, mapping.sites.topic)] {
            for partition in 0..<(try log.partitionCount(of: topic)) {
                let id = TopicPartition(topic: topic, partition: partition)
                var offset = try log.offsets(id).start
                let end = try log.offsets(id).end
                while offset < end {
                    let result = try await log.read(id, from: offset, maxRecords: 50_000, maxBytes: 64 << 20)
                    batches.append((side, result.records))
                    offset = result.nextOffset
                }
            }
        }
        let started = ContinuousClock.now
        var processor = AnswerProcessor(mapping: mapping)
        var events = 0
        for (side, records) in batches {
            for record in records {
                guard let value = record.value, let key = record.key else { continue }
                let event = try ChangeEvent.decode(value, withSource: false)
                if let change = event.tableChange(key: String(decoding: key, as: UTF8.self)) {
                    processor.apply(change, side: side)
                }
                events += 1
            }
            _ = processor.drainChanges()
        }
        _ = processor.q1Series()
        _ = processor.q2Series()
        let seconds = (ContinuousClock.now - started).seconds
        let decodeStarted = ContinuousClock.now
        for (_, records) in batches { for record in records { if let value = record.value { _ = try ChangeEvent.decode(value, withSource: false) } } }
        return Result(events: events, seconds: seconds, decodeOnlySeconds: (ContinuousClock.now - decodeStarted).seconds)
    }
}

typealias ReplayResult = ProcessorReplay.Result
