import Foundation
import GRDB

/// The SQLite database the sink writes: WAL mode, so that readers (the HTTP layer, `sqlite3` in a shell)
/// never block the writer. Opening it creates the file and applies the schema migrations.
///
/// This first version holds the sink's bookkeeping table only; the mirror and answer tables arrive with
/// the stream processor.
public final class SinkDatabase: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating when missing) the database at `path`.
    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.label = "moodle-pipeline.sink"
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// The schema, as ordered migrations; GRDB records which ones ran.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-pipeline-meta") { db in
            try db.create(table: "pipeline_meta") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO pipeline_meta(key, value) VALUES ('format_version', '1')")
        }
        return migrator
    }

    /// The journal mode SQLite reports (`wal` once open).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
