import Foundation
import LocalPostgres
import PostgresCDC
import PostgresTestSupport
import Testing

@Suite("Preflight")
struct PreflightTests {
    static let keyedTable = "CREATE TABLE public.\"CommunityUsers\"(id bigserial PRIMARY KEY, email text NOT NULL)"

    @Test("a logical-ready cluster passes, as the superuser over the socket")
    func goodClusterAsSuperuser() async throws {
        try await ThrowawayCluster.with { cluster in
            try await ThrowawayCluster.sql(cluster, Self.keyedTable)
            let report = await Preflight.run(PreflightTarget(
                name: "community", settings: ThrowawayCluster.superuserSettings(cluster),
                tables: [QualifiedName("public.CommunityUsers")], slot: "moodle_community", publication: "moodle_pipeline"
            ))
            #expect(report.passed, "\(report.findings)")
            #expect(report.findings(.walLevel).map(\.severity) == [.ok])
            #expect(report.findings(.replicationConnection).map(\.severity) == [.ok])
            #expect(report.findings(.replicaIdentity).map(\.severity) == [.ok])
            #expect(report.findings(.publication).first?.message.contains("will create it") == true)
            #expect(report.findings(.slot).first?.message.contains("does not exist yet") == true)
        }
    }

    @Test("a role WITH REPLICATION over TCP with a password passes, with an existing publication and slot")
    func replicationRoleOverTCP() async throws {
        try await ThrowawayCluster.with { cluster in
            let password = "s3cret-Pa55"
            try await ThrowawayCluster.sql(cluster, """
                \(Self.keyedTable);
                CREATE ROLE "CdcReader" WITH REPLICATION LOGIN PASSWORD '\(password)';
                GRANT SELECT ON public."CommunityUsers" TO "CdcReader";
                CREATE PUBLICATION "Moodle pub" FOR TABLE public."CommunityUsers";
                ALTER PUBLICATION "Moodle pub" OWNER TO "CdcReader";
                """)
            // A slot cannot be made in a transaction that has written, so on its own.
            try await ThrowawayCluster.sql(cluster, "SELECT pg_create_logical_replication_slot('moodle_community', 'pgoutput')")
            let settings = ConnectionSettings(url: cluster.url(user: "CdcReader"), password: password)
            let report = await Preflight.run(PreflightTarget(
                name: "community", settings: settings,
                tables: [QualifiedName("public.CommunityUsers")], slot: "moodle_community", publication: "Moodle pub"
            ))
            #expect(report.passed, "\(report.findings)")
            #expect(report.findings(.connection).first?.message.contains("\"CdcReader\"") == true)
            #expect(report.findings(.replicationRole).map(\.severity) == [.ok])
            #expect(report.findings(.replicationConnection).map(\.severity) == [.ok])
            #expect(report.findings(.publication).map(\.severity) == [.ok])
            let slot = report.findings(.slot)
            #expect(slot.map(\.severity) == [.ok])
            #expect(slot.first?.message.contains("behind the current WAL position") == true)
            #expect(!report.findings.contains { $0.description.contains(password) })
        }
    }

    @Test("wal_level=replica and a role without REPLICATION fail, each with its fix")
    func walLevelAndRoleErrors() async throws {
        try await ThrowawayCluster.with(settings: ["wal_level": "replica"]) { cluster in
            try await ThrowawayCluster.sql(cluster, """
                \(Self.keyedTable);
                CREATE ROLE plain LOGIN PASSWORD 'plain-pw';
                GRANT SELECT ON public."CommunityUsers" TO plain;
                """)
            let settings = ConnectionSettings(url: cluster.url(user: "plain"), password: "plain-pw")
            let report = await Preflight.run(PreflightTarget(
                name: "community", settings: settings,
                tables: [QualifiedName("public.CommunityUsers")], slot: "moodle_community", publication: "moodle_pipeline"
            ))
            #expect(!report.passed)
            let walLevel = try #require(report.findings(.walLevel).first)
            #expect(walLevel.severity == .error)
            #expect(walLevel.message.contains("replica"))
            #expect(walLevel.fix?.hasPrefix("ALTER SYSTEM SET wal_level = logical;") == true)
            let role = try #require(report.findings(.replicationRole).first)
            #expect(role.severity == .error)
            #expect(role.fix == "ALTER ROLE \"plain\" WITH REPLICATION;")
            let replication = try #require(report.findings(.replicationConnection).first)
            #expect(replication.severity == .error)
            #expect(replication.fix == "ALTER ROLE \"plain\" WITH REPLICATION;")
            // plain owns no table and may not create in the database: the publication is an error too.
            let publication = try #require(report.findings(.publication).first)
            #expect(publication.severity == .error)
            #expect(publication.fix?.contains("CREATE PUBLICATION \"moodle_pipeline\" FOR TABLE \"public\".\"CommunityUsers\";") == true)
        }
    }

    @Test("tables: missing, unreadable, without a key, and left out of the publication are errors with fixes")
    func tableErrors() async throws {
        try await ThrowawayCluster.with { cluster in
            try await ThrowawayCluster.sql(cluster, """
                \(Self.keyedTable);
                CREATE TABLE public."NoKey"(email text);
                CREATE TABLE public."Hidden"(id int PRIMARY KEY);
                CREATE ROLE reader WITH REPLICATION LOGIN PASSWORD 'reader-pw';
                GRANT SELECT ON public."CommunityUsers", public."NoKey" TO reader;
                CREATE PUBLICATION pub FOR TABLE public."CommunityUsers";
                ALTER PUBLICATION pub OWNER TO reader;
                """)
            try await ThrowawayCluster.sql(cluster, "SELECT pg_create_physical_replication_slot('physical')")
            let settings = ConnectionSettings(url: cluster.url(user: "reader"), password: "reader-pw")
            let report = await Preflight.run(PreflightTarget(
                name: "community", settings: settings,
                tables: ["public.CommunityUsers", "public.NoKey", "public.Hidden", "public.Missing"].map(QualifiedName.init),
                slot: "physical", publication: "pub"
            ))
            #expect(!report.passed)
            let missing = report.findings(.table).filter { $0.subject == "public.Missing" }
            #expect(missing.map(\.severity) == [.error])
            #expect(missing.first?.message.contains("does not exist") == true)

            let noKey = try #require(report.findings(.replicaIdentity).first { $0.subject == "public.NoKey" })
            #expect(noKey.severity == .error)
            #expect(noKey.fix?.hasPrefix("ALTER TABLE \"public\".\"NoKey\" ADD PRIMARY KEY") == true)
            #expect(noKey.fix?.contains("ALTER TABLE \"public\".\"NoKey\" REPLICA IDENTITY FULL;") == true)
            #expect(report.findings(.replicaIdentity).first { $0.subject == "public.CommunityUsers" }?.severity == .ok)

            let hidden = try #require(report.findings(.tablePrivilege).first { $0.subject == "public.Hidden" })
            #expect(hidden.severity == .error)
            #expect(hidden.fix == "GRANT SELECT ON \"public\".\"Hidden\" TO \"reader\";")

            let publication = try #require(report.findings(.publication).first)
            #expect(publication.severity == .error)
            #expect(publication.fix == "ALTER PUBLICATION \"pub\" ADD TABLE \"public\".\"NoKey\", \"public\".\"Hidden\";")

            let slot = try #require(report.findings(.slot).first)
            #expect(slot.severity == .error)
            #expect(slot.message.contains("not a logical one"))
            #expect(slot.fix?.hasPrefix("SELECT pg_drop_replication_slot('physical');") == true)
        }
    }

    @Test("a connection that fails is one error finding, without the password")
    func connectionFailure() async throws {
        try await ThrowawayCluster.with { cluster in
            let password = "definitely-wrong-password"
            let report = await Preflight.run(PreflightTarget(
                name: "community", settings: ConnectionSettings(url: cluster.url(), password: password),
                tables: [], slot: "moodle_community", publication: "moodle_pipeline"
            ))
            #expect(!report.passed)
            #expect(report.findings.map(\.check) == [.connection])
            #expect(report.findings.first?.message.contains("password authentication failed") == true)
            #expect(!report.findings.contains { $0.description.contains(password) })
        }
    }
}
