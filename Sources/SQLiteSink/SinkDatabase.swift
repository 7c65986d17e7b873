import Foundation
import GRDB

/// The SQLite database the sink writes: WAL mode, so that readers (the HTTP layer, `sqlite3` in a shell)
/// never block the writer. Opening it creates the file and applies the schema migrations.
///
/// Tables: the answers (`weekly_site_registrations`, `weekly_community_admins`, `community_site_admins`),
/// `dead_letters`, the consumed log offsets (`sink_offsets`), what the sink knows of each mirrored table
/// (`sink_tables`), derived-topic records waiting to be appended (`changelog_outbox`) — plus one mirror table
/// per captured source table, named `<source>.<schema>.<table>` with the table's real name
/// (`"community.public.CommunityUsers"`, `"community.public.my ""odd"" Table"`).
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
        // NORMAL in WAL mode: a commit survives a process crash; a power loss may lose the last commits, and
        // with them the offsets they consumed, so the sink replays those records: nothing lost or doubled.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
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
        migrator.registerMigration("v2-sink") { db in
            try db.execute(sql: """
                CREATE TABLE sink_offsets (
                    topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                    PRIMARY KEY (topic, partition)) WITHOUT ROWID;
                CREATE TABLE sink_tables (
                    topic TEXT PRIMARY KEY, mirror TEXT NOT NULL UNIQUE, source TEXT NOT NULL, schema_name TEXT NOT NULL,
                    table_name TEXT NOT NULL, columns TEXT NOT NULL, typed INTEGER NOT NULL);
                CREATE TABLE dead_letters (
                    id INTEGER PRIMARY KEY, source TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
                    offset INTEGER NOT NULL, key TEXT, reason TEXT NOT NULL, payload TEXT, at TEXT NOT NULL);
                CREATE INDEX dead_letters_by_place ON dead_letters(topic, partition, offset);
                CREATE TABLE weekly_site_registrations (
                    week_start TEXT PRIMARY KEY, sites_registered INTEGER NOT NULL, sites_total INTEGER NOT NULL);
                CREATE TABLE weekly_community_admins (
                    week_start TEXT PRIMARY KEY, new_admins INTEGER NOT NULL, admins_total INTEGER NOT NULL);
                CREATE TABLE community_site_admins (
                    community_user_id NOT NULL, site_id NOT NULL, email TEXT NOT NULL, since TEXT NOT NULL,
                    PRIMARY KEY (community_user_id, site_id));
                CREATE INDEX community_site_admins_by_email ON community_site_admins(email);
                CREATE TABLE changelog_outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, key BLOB NOT NULL, value BLOB);
                """)
        }
        return migrator
    }

    /// The journal mode SQLite reports (`wal` once open).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
