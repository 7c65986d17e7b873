import BlockingIO
import Foundation
import LocalPostgres
import Logging
import PostgresCDC

/// The demo's two PostgreSQL clusters under `<data_dir>/demo/`: made on the first run, reused after.
struct DemoClusters {
    /// The source names, which are also the database names.
    static let names = ["community", "sites"]

    let root: String
    let logger: Logger

    /// Makes (first run) or reuses both clusters, starts them on free loopback ports, and makes sure each
    /// has its database.
    func start() async throws -> [String: RunningCluster] {
        let root = self.root
        let logger = self.logger
        return try await runBlocking(name: "moodle-pipeline.demo") {
            let installation = try PostgresInstallation.locate()
            var running: [String: RunningCluster] = [:]
            for name in Self.names {
                let directory = (root as NSString).appendingPathComponent(name)
                let cluster: LocalCluster
                if let existing = LocalCluster.existing(at: directory, installation: installation) {
                    cluster = existing
                    // A demo that was killed may have left its server running: restart it on a fresh port.
                    try cluster.stop(mode: .fast)
                } else {
                    logger.info("creating the demo cluster", metadata: [LogKey.cluster: "\(name)"])
                    cluster = try LocalCluster.create(at: directory, installation: installation)
                }
                let started = try cluster.start()
                let connection = try PGConnection(ConnectionSettings(url: started.socketURL(), applicationName: "moodle-pipeline-demo"))
                let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rows.isEmpty == false
                if !exists { try connection.execute("CREATE DATABASE \(quoteIdentifier(name))") }
                running[name] = started
                logger.info("demo cluster running", metadata: [LogKey.cluster: "\(name)", "port": "\(started.port)"])
            }
            return running
        }
    }

    /// Stops both clusters (fast shutdown: running transactions are rolled back, the data kept).
    func stop(_ running: [String: RunningCluster]) async {
        let clusters = running.values.map(\.cluster)
        let logger = self.logger
        _ = try? await runBlocking(name: "moodle-pipeline.demo") {
            for cluster in clusters {
                do {
                    try cluster.stop(mode: .fast)
                } catch {
                    logger.error("cannot stop a demo cluster", metadata: [LogKey.error: "\(error)"])
                }
            }
        }
    }
}
