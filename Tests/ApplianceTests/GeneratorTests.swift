@testable import Appliance
import Foundation
import LocalPostgres
import Logging
import PostgresCDC
import PostgresTestSupport
import Testing

@Suite("Generator")
struct GeneratorTests {
    static let logger = Logger(label: "generator-tests") { _ in SwiftLogNoOpLogHandler() }
    static let end = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC

    /// A registration time in one of the accepted text forms (checked by range, not just shape).
    static let acceptedForm = #"^(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]\d{2}(:\d{2})?)?|\d{9,13})$"#

    static func options(_ cluster: RunningCluster, community: String, sites: String? = nil, rows: Int = 2_000) -> GeneratorOptions {
        GeneratorOptions(
            community: ThrowawayCluster.superuserSettings(cluster, database: community),
            sites: ThrowawayCluster.superuserSettings(cluster, database: sites ?? community),
            rows: rows, end: end
        )
    }

    static func createDatabases(_ cluster: RunningCluster, _ names: String...) async throws {
        for name in names { try await ThrowawayCluster.sql(cluster, "CREATE DATABASE \(name)") }
    }

    static func scalar(_ cluster: RunningCluster, _ database: String, _ sql: String) async throws -> String? {
        try await ThrowawayCluster.sql(cluster, sql, database: database).scalar
    }

    static func fingerprint(_ cluster: RunningCluster, _ database: String) async throws -> [String?] {
        var prints: [String?] = []
        for (table, column) in [("CommunityUsers", "email"), ("SitesUsers", "admin_email")] {
            prints.append(try await scalar(cluster, database, """
                SELECT md5(string_agg(id || '|' || \(column) || '|' || username || '|' || coalesce(registration_timestamp, '<null>'), ','
                           ORDER BY id)) FROM public."\(table)"
                """))
        }
        return prints
    }

    // MARK: - With PostgreSQL

    @Test("the share of site administrators who are community users is the configured one", arguments: [0.3, 0.75])
    func overlapIsExact(overlap: Double) async throws {
        try await ThrowawayCluster.with { cluster in
            try await Self.createDatabases(cluster, "moodle")
            var options = Self.options(cluster, community: "moodle")
            options.overlap = overlap
            let summary = try await Generator(options: options, logger: Self.logger).run()
            #expect(summary.communityRowsLoaded == 2_000)
            #expect(summary.sitesRowsLoaded == 500)

            let result = try await ThrowawayCluster.sql(cluster, """
                WITH admins AS (SELECT DISTINCT lower(btrim(admin_email)) AS email FROM public."SitesUsers"),
                     members AS (SELECT DISTINCT lower(btrim(email)) AS email FROM public."CommunityUsers")
                SELECT (SELECT count(*) FROM admins) AS admins,
                       (SELECT count(*) FROM admins WHERE email IN (SELECT email FROM members)) AS shared,
                       (SELECT count(*) FROM members) AS distinct_members,
                       (SELECT count(*) FROM public."CommunityUsers") AS members_rows,
                       (SELECT count(*) FROM public."SitesUsers" WHERE admin_email <> lower(btrim(admin_email))) AS typed_differently
                """, database: "moodle")
            let admins = try #require(result.value("admins").flatMap { Double($0) })
            let shared = try #require(result.value("shared").flatMap { Double($0) })
            #expect(admins > 300 && admins < 500, "some sites share an administrator")
            #expect(abs(shared / admins - overlap) <= 1 / admins)
            #expect(Int(admins) == summary.distinctAdmins && Int(shared) == summary.communityAdmins)
            #expect(result.value("distinct_members") == result.value("members_rows"), "community emails are unique once normalised")
            #expect((result.value("typed_differently").flatMap { Int($0) } ?? 0) > 0)
        }
    }

    @Test("the same seed and end give the same tables; another seed gives others")
    func deterministic() async throws {
        try await ThrowawayCluster.with { cluster in
            try await Self.createDatabases(cluster, "first", "second", "other")
            for (database, seed) in [("first", UInt64(7)), ("second", 7), ("other", 8)] {
                var options = Self.options(cluster, community: database, rows: 1_000)
                options.seed = seed
                options.badTimestamps = 0.05
                _ = try await Generator(options: options, logger: Self.logger).run()
            }
            let first = try await Self.fingerprint(cluster, "first")
            #expect(first.allSatisfy { $0 != nil })
            #expect(try await Self.fingerprint(cluster, "second") == first)
            let other = try await Self.fingerprint(cluster, "other")
            #expect(other[0] != first[0] && other[1] != first[1])
        }
    }

    @Test("registration times are in the accepted forms, within the history, unless bad ones are asked for")
    func timestampForms() async throws {
        try await ThrowawayCluster.with { cluster in
            try await Self.createDatabases(cluster, "clean", "dirty")
            _ = try await Generator(options: Self.options(cluster, community: "clean"), logger: Self.logger).run()
            var dirty = Self.options(cluster, community: "dirty")
            dirty.badTimestamps = 0.1
            _ = try await Generator(options: dirty, logger: Self.logger).run()

            let badShare = """
                SELECT avg(CASE WHEN registration_timestamp ~ '\(Self.acceptedForm)' THEN 0 ELSE 1 END)
                FROM (SELECT registration_timestamp FROM public."CommunityUsers"
                      UNION ALL SELECT registration_timestamp FROM public."SitesUsers") AS t
                """
            #expect(try await Self.scalar(cluster, "clean", badShare).flatMap { Double($0) } == 0)
            let share = try #require(try await Self.scalar(cluster, "dirty", badShare).flatMap { Double($0) })
            #expect(share > 0.07 && share < 0.13, "bad share \(share)")

            // PostgreSQL reads every clean value, and each falls within the two years before the end.
            let bounds = try await ThrowawayCluster.sql(cluster, """
                SET TimeZone = 'UTC';
                WITH t AS (SELECT registration_timestamp AS v FROM public."CommunityUsers"
                           UNION ALL SELECT registration_timestamp FROM public."SitesUsers"),
                     instants AS (SELECT CASE WHEN v ~ '^\\d{13}$' THEN to_timestamp(v::bigint / 1000.0)
                                              WHEN v ~ '^\\d+$' THEN to_timestamp(v::bigint)
                                              ELSE v::timestamptz END AS at FROM t)
                SELECT min(at) >= '2024-01-01 00:00+00' AS after_start, max(at) < '2026-01-01 00:00+00' AS before_end,
                       count(*) FILTER (WHERE at >= '2025-07-01 00:00+00') > 2 * count(*) FILTER (WHERE at < '2024-07-01 00:00+00') AS grows
                FROM instants
                """, database: "clean")
            #expect(bounds.value("after_start") == "t")
            #expect(bounds.value("before_end") == "t")
            #expect(bounds.value("grows") == "t", "more registrations in the last half-year than the first")

            let forms = [#"T.*[+-]\d{2}:\d{2}$"#, "Z$", #"^\d{10}$"#, #"^\d{13}$"#, #" \d{2}:\d{2}:\d{2}\.\d{6}$"#,
                         #" \d{2}:\d{2}:\d{2}[+-]\d{2}$"#, #"^[^T]*T[^Z+-]*$"#]
            for form in forms {
                let count = try await Self.scalar(cluster, "clean", """
                    SELECT count(*) FROM public."CommunityUsers" WHERE registration_timestamp ~ '\(form)'
                    """).flatMap { Int($0) } ?? 0
                #expect(count > 0, "no value matches \(form)")
            }
        }
    }

    @Test("the continuous phase inserts, updates and deletes on both tables at the rate")
    func continuousPhase() async throws {
        try await ThrowawayCluster.with { cluster in
            try await Self.createDatabases(cluster, "community", "sites", "reference")
            var options = Self.options(cluster, community: "community", sites: "sites", rows: 1_000)
            options.rate = 50
            options.duration = .seconds(2)
            let summary = try await Generator(options: options, logger: Self.logger).run()
            _ = try await Generator(options: Self.options(cluster, community: "reference", rows: 1_000), logger: Self.logger).run()

            let changes = summary.changes
            #expect(changes.inserts > 0 && changes.updates > 0 && changes.deletes > 0, "\(summary)")
            #expect(changes.total >= 50 && changes.total <= 110, "about 100 changes in 2 s at 50/s, got \(changes.total)")
            #expect(summary.community.total > 0 && summary.sites.total > 0)

            let communityRows = try await Self.scalar(cluster, "community", #"SELECT count(*) FROM public."CommunityUsers""#)
            #expect(communityRows == String(1_000 + summary.community.inserts - summary.community.deletes))
            let siteRows = try await Self.scalar(cluster, "sites", #"SELECT count(*) FROM public."SitesUsers""#)
            #expect(siteRows == String(250 + summary.sites.inserts - summary.sites.deletes))

            // Against the same load without changes: rows changed in place, and rows gone.
            let reference = try await Self.rows(cluster, "reference")
            let changed = try await Self.rows(cluster, "community").merging(try await Self.rows(cluster, "sites")) { $1 }
            let updated = reference.filter { key, value in changed[key].map { $0 != value } ?? false }
            let deleted = reference.keys.filter { changed[$0] == nil }
            let newRows = changed.keys.filter { reference[$0] == nil }
            #expect(!updated.isEmpty)
            #expect(!deleted.isEmpty)
            // Every delete removed either a loaded row or one inserted since.
            #expect(deleted.count + (changes.inserts - newRows.count) == changes.deletes)
        }
    }

    /// Every row of both tables, keyed by table and id.
    static func rows(_ cluster: RunningCluster, _ database: String) async throws -> [String: [String?]] {
        var rows: [String: [String?]] = [:]
        let present = try await ThrowawayCluster.sql(cluster, """
            SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'public'
            """, database: database).scalar ?? ""
        for (table, column) in [("CommunityUsers", "email"), ("SitesUsers", "admin_email")] where present.contains(table) {
            let result = try await ThrowawayCluster.sql(cluster, """
                SELECT id, \(column), username, registration_timestamp FROM public."\(table)"
                """, database: database)
            for row in result.rows { rows["\(table)/\(row[0] ?? "")"] = Array(row.dropFirst()) }
        }
        return rows
    }

    @Test("cancelling the task ends an unbounded continuous phase promptly and returns the summary")
    func cancellation() async throws {
        try await ThrowawayCluster.with { cluster in
            try await Self.createDatabases(cluster, "moodle")
            // The tables exist before the generator starts, so the test can watch them from the start.
            try await ThrowawayCluster.sql(cluster, GeneratorSchema.communitySQL + GeneratorSchema.sitesSQL, database: "moodle")
            var options = Self.options(cluster, community: "moodle", rows: 200)
            options.rate = 20
            let generator = Generator(options: options, logger: Self.logger)
            let task = Task { try await generator.run() }
            // Wait until changes are visible (the load makes 200 + 50 rows).
            var waited = 0
            while waited < 200 {
                let total = try await Self.scalar(cluster, "moodle", """
                    SELECT (SELECT count(*) FROM public."CommunityUsers") + (SELECT count(*) FROM public."SitesUsers")
                    """).flatMap { Int($0) } ?? 0
                if total > 252 { break }
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            let clock = ContinuousClock()
            let cancelled = clock.now
            task.cancel()
            let summary = try await task.value
            // Prompt: it does not run on to the end of an unbounded phase. Generous, as other suites run alongside on 2 cores.
            #expect(clock.now - cancelled < .seconds(5))
            #expect(summary.communityRowsLoaded == 200)
            #expect(summary.changes.total > 0)
        }
    }

    @Test("cancelling during the bulk load rolls it back and throws CancellationError")
    func cancellationDuringLoad() async throws {
        try await ThrowawayCluster.with { cluster in
            try await Self.createDatabases(cluster, "moodle")
            let generator = Generator(options: Self.options(cluster, community: "moodle", rows: 50_000), logger: Self.logger)
            let task = Task { try await generator.run() }
            // Cancelled long before the first COPY batch: connecting alone takes longer than this call.
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let rows = try await Self.scalar(cluster, "moodle", """
                SELECT CASE WHEN to_regclass('public."CommunityUsers"') IS NULL THEN 0
                            ELSE (SELECT count(*) FROM public."CommunityUsers") END
                """)
            #expect(rows == "0")
        }
    }
}
