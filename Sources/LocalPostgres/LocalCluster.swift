import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL cluster on local disk, made and run with the system's server binaries.
///
/// Layout under `directory`: `pgdata/` (the cluster), `socket/` (its unix socket), `postgres.log`,
/// `superuser.password` (0600, owned by whoever runs this code) and `port` (the port of the last start).
/// The cluster listens on 127.0.0.1 only, with `trust` on the unix socket and SCRAM passwords over TCP.
/// When this process is root, every server program runs as the `postgres` OS user.
public struct LocalCluster: Sendable {
    public static let superuser = "postgres"

    public let directory: String
    public let installation: PostgresInstallation

    public var dataDirectory: String { path("pgdata") }
    public var socketDirectory: String { path("socket") }
    public var logFile: String { path("postgres.log") }
    public var passwordFile: String { path("superuser.password") }
    var portFile: String { path("port") }

    /// The OS user the server programs run as: `postgres` when this process is root, else ourselves.
    static var serverUser: String? { getuid() == 0 ? "postgres" : nil }

    init(directory: String, installation: PostgresInstallation) {
        self.directory = directory
        self.installation = installation
    }

    /// The cluster already made under `directory`, if there is one.
    public static func existing(at directory: String, installation: PostgresInstallation) -> LocalCluster? {
        let cluster = LocalCluster(directory: directory, installation: installation)
        let marker = (cluster.dataDirectory as NSString).appendingPathComponent("PG_VERSION")
        return FileManager.default.fileExists(atPath: marker) ? cluster : nil
    }

    /// Makes a new cluster under `directory` (which must not hold one) with `wal_level=logical` and room
    /// for replication slots; `settings` are added to (and override) those server settings.
    public static func create(
        at directory: String,
        installation: PostgresInstallation,
        settings: [String: String] = [:],
        syncToDisk: Bool = true
    ) throws(LocalPostgresError) -> LocalCluster {
        let cluster = LocalCluster(directory: directory, installation: installation)
        try cluster.makeDirectories()
        let password = randomSecret()
        try writePrivateFile(cluster.passwordFile, contents: password)
        // initdb reads the password from a file the server user can read; it is removed right after.
        let initPasswordFile = cluster.path("initdb.pw")
        try writePrivateFile(initPasswordFile, contents: password, owner: serverUser)
        defer { try? FileManager.default.removeItem(atPath: initPasswordFile) }
        var arguments = [
            "-D", cluster.dataDirectory, "-U", superuser, "-E", "UTF8", "--locale=C",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=\(initPasswordFile)",
        ]
        if !syncToDisk { arguments.append("--no-sync") }
        try Subprocess.check(installation.tool("initdb"), arguments, asUser: serverUser)

        var all: [String: String] = [
            "wal_level": "logical",
            "max_replication_slots": "16",
            "max_wal_senders": "16",
            "listen_addresses": "'127.0.0.1'",
            "fsync": syncToDisk ? "on" : "off",
            "synchronous_commit": syncToDisk ? "on" : "off",
            "full_page_writes": syncToDisk ? "on" : "off",
            "shared_buffers": "32MB",
            "max_connections": "50",
        ]
        all.merge(settings) { _, new in new }
        let conf = all.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n")
        let postgresqlConf = (cluster.dataDirectory as NSString).appendingPathComponent("postgresql.conf")
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: postgresqlConf))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("\n# moodle-pipeline local cluster\n\(conf)\ninclude_if_exists = 'moodle_pipeline_runtime.conf'\n".utf8))
        } catch {
            throw LocalPostgresError(.fileSystem, "cannot extend \(postgresqlConf): \(error)")
        }
        return cluster
    }

    /// Starts the server on `port` (a free loopback port when nil) and waits until it accepts connections.
    public func start(port requested: Int? = nil) throws(LocalPostgresError) -> RunningCluster {
        var lastError: LocalPostgresError?
        for _ in 0..<3 {
            let port: Int
            if let requested { port = requested } else { port = try freeLoopbackPort() }
            let runtimeConf = (dataDirectory as NSString).appendingPathComponent("moodle_pipeline_runtime.conf")
            // Written at every start, so that a copied or moved cluster listens where it now lives.
            try writePrivateFile(
                runtimeConf, contents: "port = \(port)\nunix_socket_directories = '\(socketDirectory)'\n", owner: Self.serverUser
            )
            do {
                try Subprocess.check(
                    installation.tool("pg_ctl"),
                    ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "start"],
                    asUser: Self.serverUser
                )
                try writePrivateFile(portFile, contents: "\(port)\n")
                return RunningCluster(cluster: self, port: port)
            } catch {
                lastError = error
                if requested != nil { break }
            }
        }
        let tail = (try? String(contentsOfFile: logFile, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: " | ") ?? ""
        throw LocalPostgresError(.commandFailed, "\(lastError?.message ?? "pg_ctl start failed") (server log: \(tail))")
    }

    public enum StopMode: String, Sendable { case smart, fast, immediate }

    /// Stops the server if it runs; a cluster that is not running is left as it is.
    public func stop(mode: StopMode = .fast) throws(LocalPostgresError) {
        guard isRunning else { return }
        try Subprocess.check(
            installation.tool("pg_ctl"),
            ["-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", "60", "stop"],
            asUser: Self.serverUser
        )
    }

    /// Whether a server runs on this cluster's data directory (`pg_ctl status`).
    public var isRunning: Bool {
        guard let result = try? Subprocess.run(installation.tool("pg_ctl"), ["-D", dataDirectory, "status"], asUser: Self.serverUser)
        else { return false }
        return result.status == 0
    }

    /// The superuser's password, as generated when the cluster was made.
    public func superuserPassword() throws(LocalPostgresError) -> String {
        do {
            return try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw LocalPostgresError(.fileSystem, "cannot read \(passwordFile): \(error)")
        }
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    private func makeDirectories() throws(LocalPostgresError) {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try fileManager.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        } catch {
            throw LocalPostgresError(.fileSystem, "cannot create \(directory): \(error)")
        }
        guard let user = Self.serverUser else { return }
        try changeOwner(directory, to: user)
        try changeOwner(socketDirectory, to: user)
        // The server user must be able to walk down to the directory.
        let probe = try Subprocess.run("/usr/bin/test", ["-w", directory, "-a", "-x", directory], asUser: user)
        guard probe.status == 0 else {
            throw LocalPostgresError(
                .notAccessible,
                "the '\(user)' OS user cannot reach \(directory) (a parent directory is not searchable); choose a directory under /tmp or make its parents world-searchable (chmod o+x)"
            )
        }
    }
}

/// A started cluster and the port it listens on.
public struct RunningCluster: Sendable {
    public let cluster: LocalCluster
    public let port: Int

    /// A libpq connection URL over TCP on 127.0.0.1 (the password is not in it).
    public func url(database: String = "postgres", user: String = LocalCluster.superuser) -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/\(database)"
    }

    /// A libpq connection URL over the cluster's unix socket, where local connections are trusted.
    public func socketURL(database: String = "postgres", user: String = LocalCluster.superuser) -> String {
        let host = cluster.socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cluster.socketDirectory
        return "postgresql://\(user)@\(host):\(port)/\(database)"
    }
}

func randomSecret() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
}

/// Writes `contents` to a file only its owner can read (0600), owned by `owner` when given.
func writePrivateFile(_ path: String, contents: String, owner: String? = nil) throws(LocalPostgresError) {
    let created = FileManager.default.createFile(
        atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]
    )
    guard created, chmod(path, 0o600) == 0 else {
        throw LocalPostgresError(.fileSystem, "cannot write \(path)")
    }
    if let owner { try changeOwner(path, to: owner) }
}

func changeOwner(_ path: String, to user: String) throws(LocalPostgresError) {
    guard let entry = getpwnam(user) else {
        throw LocalPostgresError(.fileSystem, "no OS user '\(user)' (PostgreSQL refuses to run as root; install the postgresql package, which creates it)")
    }
    guard chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
        throw LocalPostgresError(.fileSystem, "cannot chown \(path) to \(user): errno \(errno)")
    }
}
