import BlockingIO
import Foundation
import LocalPostgres
import MoodleAnalytics
import PostgresCDC
import PostgresTestSupport
import SQLiteSink
import Testing

/// Two throwaway clusters — `community` (`"CommunityUsers"` and a table with hostile identifiers) and
/// `sites` (`"SitesUsers"`) — the configuration for `serve` (weeks in Europe/London), and the SQL that
/// computes DESIGN.md's answers directly on the sources: the oracle the sink's tables must equal.
struct AnswerRig {
    let community: RunningCluster
    let sites: RunningCluster
    let directory: String
    /// The search API's port (fixed for the rig, so that it is the same across restarts of `serve`).
    let searchPort: Int
    static let timeZone = "Europe/London"
    static let hostileTable = #"my "odd" Table"#

    var dataDirectory: String { "\(directory)/data" }
    var configPath: String { "\(directory)/appliance.conf" }
    var sinkPath: String { "\(dataDirectory)/moodle.sqlite" }

    static func make(community: RunningCluster, sites: RunningCluster) async throws -> AnswerRig {
        let rig = AnswerRig(community: community, sites: sites, directory: try makeTemporaryDirectory("answers"), searchPort: try freeLoopbackPort())
        try await ThrowawayCluster.sql(community, "CREATE DATABASE community")
        try await ThrowawayCluster.sql(sites, "CREATE DATABASE sites")
        try await ThrowawayCluster.sql(community, """
            CREATE TABLE "CommunityUsers"(id bigint PRIMARY KEY, email text, username text, registration_timestamp varchar(64));
            CREATE TABLE \(quoteIdentifier(hostileTable))("order" bigint PRIMARY KEY, "select" text, "col with space" text, "Quote""d" numeric);
            """, database: "community")
        try await ThrowawayCluster.sql(sites, """
            CREATE TABLE "SitesUsers"(id bigint PRIMARY KEY, admin_email text, username text, registration_timestamp varchar(64));
            """, database: "sites")
        var lines = ["data_dir = \"\(rig.dataDirectory)\"", ""]
        for (name, cluster) in [("community", community), ("sites", sites)] {
            let passwordFile = "\(rig.directory)/\(name).password"
            try writeFile(passwordFile, try cluster.cluster.superuserPassword())
            lines += ["[sources.\(name)]", "url = \"\(cluster.url(database: name))\"", "password_file = \"\(passwordFile)\"",
                      "heartbeat_interval = \"1s\""]
            if name == "community" { lines.append(#"tables = ["public.CommunityUsers", "public.my \"odd\" Table"]"#) }
            lines.append("")
        }
        lines += ["[analytics]", "time_zone = \"\(timeZone)\"", "", "[admin]", "listen = \"127.0.0.1:1\""]
        try writeFile(rig.configPath, lines.joined(separator: "\n"))
        return rig
    }

    func startServe(environment extra: [String: String] = [:]) throws -> (process: ChildProcess, adminPort: Int) {
        let port = try freeLoopbackPort()
        let process = try ChildProcess(
            ["serve", "--config", configPath, "--log-format", "json"],
            environment: ["MOODLE_PIPELINE_ADMIN_LISTEN": "127.0.0.1:\(port)", "MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:\(searchPort)"]
                .merging(extra) { _, new in new },
            directory: directory)
        return (process, port)
    }

    func waitUntilReady(_ serve: ChildProcess, port: Int, timeout: Duration = .seconds(60)) async throws {
        let ready = await eventually(timeout: timeout) { await Readiness.fetch(port: port)?.status == "ready" }
        guard ready else {
            throw ChildProcessError(message: """
                serve did not become ready within \(timeout); readyz: \(String(describing: await Readiness.fetch(port: port))); \
                running: \(serve.isRunning); stderr: \(serve.stderr.suffix(2000)); stdout tail: \(serve.stdout.suffix(3000))
                """)
        }
    }

    // MARK: The oracle

    struct Oracle: Equatable, CustomStringConvertible {
        var q1: [[String]]
        var q2: [[String]]
        /// user id, site id, email, since (epoch µs)
        var pairs: [[String]]
        /// Keys (`id`) of rows whose time does not parse, per side.
        var invalidCommunity: Set<String>
        var invalidSites: Set<String>
        var description: String { "q1 \(q1.count) weeks, q2 \(q2.count) weeks, \(pairs.count) pairs" }
    }

    /// The answers computed by SQL on the sources: the community rows are copied into the sites database
    /// (the two share no server), then Q1, Q2 and the join are plain SQL over DESIGN.md's definitions.
    func oracle() async throws -> Oracle {
        let users = try await ThrowawayCluster.sql(community, #"SELECT id, email, registration_timestamp FROM "CommunityUsers""#, database: "community")
        let tz = Self.timeZone
        let sql = AnswerSQL(usersTable: "oracle_users", sitesTable: #""SitesUsers""#, timeZone: tz)
        return try await PGConnection.withConnection(ThrowawayCluster.superuserSettings(sites, database: "sites")) { db in
            _ = try db.execute("SET TimeZone = '\(tz)'")
            _ = try db.execute(AnswerSQL.parseFunction)
            _ = try db.execute("CREATE TEMP TABLE oracle_users(id bigint PRIMARY KEY, email text, registration_timestamp text)")
            _ = try db.copyIn("COPY oracle_users FROM STDIN", rows: users.rows)
            let text = { (rows: [[String?]]) in rows.map { $0.map { $0 ?? "" } } }
            return Oracle(
                q1: text(try db.execute(sql.q1).rows), q2: text(try db.execute(sql.q2).rows), pairs: text(try db.execute(sql.joinRows).rows),
                invalidCommunity: Set(try db.execute(sql.invalidUsers).rows.compactMap { $0[0] }),
                invalidSites: Set(try db.execute(sql.invalidSites).rows.compactMap { $0[0] }))
        }
    }

    /// The sink's answers in the oracle's shape.
    static func answers(_ sink: SinkDatabase) throws -> Oracle {
        let q1 = try sink.weeklySiteRegistrations().map { [$0.weekStart, String($0.sitesRegistered), String($0.sitesTotal)] }
        let q2 = try sink.weeklyCommunityAdmins().map { [$0.weekStart, String($0.newAdmins), String($0.adminsTotal)] }
        var pairs: [[String]] = []
        for row in try sink.communitySiteAdmins() {
            let micros: Int64 = (try? RegistrationTimeText.micros(row.since)) ?? -1
            pairs.append([row.communityUserID, row.siteID, row.email, String(micros)])
        }
        pairs.sort { a, b in
            let left: (Int64, Int64) = (Int64(a[0]) ?? 0, Int64(a[1]) ?? 0)
            let right: (Int64, Int64) = (Int64(b[0]) ?? 0, Int64(b[1]) ?? 0)
            return left < right
        }
        return Oracle(q1: q1, q2: q2, pairs: pairs, invalidCommunity: [], invalidSites: [])
    }

    /// The source table's rows and the mirror's, both as text, ordered by the key.
    func mirrorDifference(_ sink: SinkDatabase) async throws -> String? {
        let checks: [(RunningCluster, String, String, String, [String])] = [
            (community, "community", "CommunityUsers", "community.public.CommunityUsers", ["id", "email", "username", "registration_timestamp"]),
            (sites, "sites", "SitesUsers", "sites.public.SitesUsers", ["id", "admin_email", "username", "registration_timestamp"]),
            (community, "community", Self.hostileTable, "community.public.\(Self.hostileTable)", ["order", "select", "col with space", "Quote\"d", "group"]),
        ]
        for (cluster, database, table, mirror, columns) in checks {
            let list = columns.map(quoteIdentifier).joined(separator: ", ")
            let source = try await ThrowawayCluster.sql(cluster, "SELECT \(list) FROM \(quoteIdentifier(table)) ORDER BY 1", database: database).rows
            let copy = try sink.query("SELECT \(list) FROM \(quoteIdentifier(mirror)) ORDER BY 1", maxRows: 1_000_000).rows
            if source != copy {
                let sourceSet = Set(source.map { $0.map { $0 ?? "∅" }.joined(separator: "|") })
                let copySet = Set(copy.map { $0.map { $0 ?? "∅" }.joined(separator: "|") })
                return "\(mirror): \(source.count) source rows, \(copy.count) mirrored; only in source: \(sourceSet.subtracting(copySet).sorted().prefix(5)); only in mirror: \(copySet.subtracting(sourceSet).sorted().prefix(5))"
            }
        }
        return nil
    }
}

/// Reads the sink's `since` (ISO 8601 UTC) back to epoch microseconds, independently of how it was written.
enum RegistrationTimeText {
    struct Invalid: Error {}
    static func micros(_ text: String) throws -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { throw Invalid() }
        // Fractions beyond milliseconds: add them from the text (the formatter keeps milliseconds only).
        var micros = Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) * 1000
        if let dot = text.firstIndex(of: "."), let zed = text.firstIndex(of: "Z") {
            let digits = text[text.index(after: dot)..<zed].padding(toLength: 6, withPad: "0", startingAt: 0)
            micros = Int64((date.timeIntervalSince1970).rounded(.down)) * 1_000_000 + (Int64(digits) ?? 0)
        }
        return micros
    }
}
