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
}
