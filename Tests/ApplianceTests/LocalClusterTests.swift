import Foundation
import LocalPostgres
import PostgresCDC
import PostgresTestSupport
import Testing

@Suite("Throwaway and local PostgreSQL clusters")
struct LocalClusterTests {
    @Test("a throwaway cluster runs with wal_level=logical, accepts the superuser's password over TCP, and is removed afterwards")
    func throwawayClusterLifecycle() async throws {
        let directory = try await ThrowawayCluster.with { cluster in
            let walLevel = try await ThrowawayCluster.sql(cluster, "SHOW wal_level").scalar
            #expect(walLevel == "logical")
            let password = try cluster.cluster.superuserPassword()
            let settings = ConnectionSettings(url: cluster.url(), password: password)
            let user = try await PGConnection.withConnection(settings) { try $0.execute("SELECT current_user").scalar }
            #expect(user == "postgres")
            await #expect(throws: PostgresError.self) {
                try await PGConnection.withConnection(ConnectionSettings(url: cluster.url(), password: "wrong")) { _ in 0 }
            }
            return cluster.cluster.directory
        }
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("settings given at creation override the defaults")
    func settingsOverride() async throws {
        try await ThrowawayCluster.with(settings: ["wal_level": "replica"]) { cluster in
            let walLevel = try await ThrowawayCluster.sql(cluster, "SHOW wal_level").scalar
            #expect(walLevel == "replica")
        }
    }

    @Test("a server error carries its SQLSTATE and primary message, never the row values of its DETAIL")
    func errorsHoldNoRowValues() async throws {
        try await ThrowawayCluster.with { cluster in
            try await ThrowawayCluster.sql(cluster, "CREATE TABLE t(email text PRIMARY KEY); INSERT INTO t VALUES ('someone@example.org')")
            do {
                try await ThrowawayCluster.sql(cluster, "INSERT INTO t VALUES ('someone@example.org')")
                Issue.record("the duplicate was accepted")
            } catch let error as PostgresError {
                #expect(error.sqlState == "23505")
                #expect(error.description.contains("duplicate key"))
                #expect(!error.description.contains("someone@example.org"), "\(error)")
            }
        }
    }
}
