import BlockingIO
import Foundation
import LocalPostgres
import PostgresCDC
import Synchronization

/// Throwaway PostgreSQL clusters for integration tests.
///
/// Each cluster lives in its own directory under `$TMPDIR/moodle-pipeline-tests/<pid>-<n>/`, is started on
/// a free loopback port with `wal_level=logical` (unless `settings` say otherwise), and is stopped and
/// removed when the body returns or throws. The first cluster of a test process is made with initdb and kept
/// as a template that later clusters copy, which saves a second of initdb each. Directories left behind by
/// a test process that died are swept at the next run.
public enum ThrowawayCluster {
    /// Runs `body` with a started cluster, then stops and removes it, whatever the body did.
    public static func with<T>(
        settings: [String: String] = [:],
        _ body: (RunningCluster) async throws -> T
    ) async throws -> T {
        let running = try await start(settings: settings)
        do {
            let result = try await body(running)
            try await discard(running)
            return result
        } catch {
            try? await discard(running)
            throw error
        }
    }

    /// A connection to the cluster's `postgres` database as the superuser, over the trusted unix socket.
    public static func superuserSettings(_ cluster: RunningCluster, database: String = "postgres") -> ConnectionSettings {
        ConnectionSettings(url: cluster.socketURL(database: database), applicationName: "moodle-pipeline-tests")
    }

    /// Runs SQL on the cluster as the superuser.
    @discardableResult
    public static func sql(_ cluster: RunningCluster, _ statement: String, database: String = "postgres") async throws -> QueryResult {
        try await PGConnection.withConnection(superuserSettings(cluster, database: database)) { try $0.execute(statement) }
    }

    static func start(settings: [String: String]) async throws -> RunningCluster {
        try await runBlocking(name: "moodle-pipeline.tests") {
            let installation = try PostgresInstallation.locate()
            let directory = try nextDirectory()
            let cluster: LocalCluster
            if settings.isEmpty, let template = try templateDirectory(installation) {
                try copyTree(template, to: directory)
                guard let copied = LocalCluster.existing(at: directory, installation: installation) else {
                    throw LocalPostgresError(.fileSystem, "template copy at \(directory) holds no cluster")
                }
                cluster = copied
            } else {
                cluster = try LocalCluster.create(at: directory, installation: installation, settings: settings, syncToDisk: false)
            }
            return try cluster.start()
        }
    }

    static func discard(_ running: RunningCluster) async throws {
        try await runBlocking(name: "moodle-pipeline.tests") {
            try running.cluster.stop(mode: .immediate)
            try? FileManager.default.removeItem(atPath: running.cluster.directory)
        }
    }

    // MARK: - Directories and the template

    private static let state = Mutex<(counter: Int, template: String?, swept: Bool)>((0, nil, false))

    static var root: String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("moodle-pipeline-tests")
    }

    private static func nextDirectory() throws -> String {
        let (number, sweep) = state.withLock { state -> (Int, Bool) in
            state.counter += 1
            defer { state.swept = true }
            return (state.counter, !state.swept)
        }
        if sweep { sweepStaleDirectories() }
        let directory = (root as NSString).appendingPathComponent("\(getpid())-\(number)")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        chmod(root, 0o755)
        return directory
    }

    /// Makes the template cluster once per process (under the state lock, so only one initdb runs).
    private static func templateDirectory(_ installation: PostgresInstallation) throws -> String? {
        try state.withLock { state in
            if let template = state.template { return template }
            let directory = templatePath
            try? FileManager.default.removeItem(atPath: directory)
            _ = try LocalCluster.create(at: directory, installation: installation, syncToDisk: false)
            state.template = directory
            atexit { try? FileManager.default.removeItem(atPath: ThrowawayCluster.templatePath) }
            return directory
        }
    }

    static var templatePath: String { (root as NSString).appendingPathComponent("\(getpid())-template") }

    /// Removes directories of test processes that no longer run, stopping any server still on them.
    private static func sweepStaleDirectories() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root),
              let installation = try? PostgresInstallation.locate() else { return }
        for entry in entries {
            guard let pid = entry.split(separator: "-").first.flatMap({ Int32($0) }), pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            let directory = (root as NSString).appendingPathComponent(entry)
            if let cluster = LocalCluster.existing(at: directory, installation: installation) {
                try? cluster.stop(mode: .immediate)
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// `cp -a`, which keeps owners and modes (the server user owns the copy when we are root).
    private static func copyTree(_ source: String, to destination: String) throws {
        try Subprocess.check("/bin/cp", ["-a", source, destination])
        // The copy must not inherit a stale pid file.
        try? FileManager.default.removeItem(atPath: (destination as NSString).appendingPathComponent("pgdata/postmaster.pid"))
    }
}
