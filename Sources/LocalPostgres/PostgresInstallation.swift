import Foundation

/// Where the system's PostgreSQL server programs live.
///
/// Found, in order, from `$PG_BINDIR`, `pg_config --bindir`, and the highest version under
/// `/usr/lib/postgresql/*/bin` (Debian installs server binaries there, off the PATH).
public struct PostgresInstallation: Sendable {
    public var binDirectory: String

    public init(binDirectory: String) {
        self.binDirectory = binDirectory
    }

    public func tool(_ name: String) -> String {
        (binDirectory as NSString).appendingPathComponent(name)
    }

    public static func locate() throws(LocalPostgresError) -> PostgresInstallation {
        let fileManager = FileManager.default
        func hasServer(_ dir: String) -> Bool {
            fileManager.isExecutableFile(atPath: (dir as NSString).appendingPathComponent("initdb"))
                && fileManager.isExecutableFile(atPath: (dir as NSString).appendingPathComponent("pg_ctl"))
        }
        if let dir = ProcessInfo.processInfo.environment["PG_BINDIR"], hasServer(dir) {
            return PostgresInstallation(binDirectory: dir)
        }
        for pgConfig in ["/usr/bin/pg_config", "/usr/local/bin/pg_config"] where fileManager.isExecutableFile(atPath: pgConfig) {
            if let result = try? Subprocess.run(pgConfig, ["--bindir"]), result.status == 0 {
                let dir = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                if hasServer(dir) { return PostgresInstallation(binDirectory: dir) }
            }
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { Int($0) }
            .sorted(by: >)
        for version in versions {
            let dir = "\(root)/\(version)/bin"
            if hasServer(dir) { return PostgresInstallation(binDirectory: dir) }
        }
        throw LocalPostgresError(
            .binariesNotFound,
            "no PostgreSQL server binaries found (looked at $PG_BINDIR, pg_config --bindir, /usr/lib/postgresql/*/bin); install them with: apt-get install -y postgresql"
        )
    }
}
