import Foundation
import BlockingIO
import Logging
/// Prepares a source for capture over a normal connection: checks the configured tables, creates or
/// completes the publication, and looks the slot up. Blocking (libpq): runs on the capture thread.
struct SourceSetup {
    let configuration: CaptureConfiguration
    let connection: PGConnection

    /// A configured table that can be captured, with its columns as the snapshot reads them.
    struct Table {
        var name: QualifiedName
        var schema: RelationSchema
        /// The columns that order the snapshot and key the events: the primary key, or the replica
        /// identity index.
        var keyColumns: [String]
    }

    /// A configured table that cannot be captured, and the SQL that fixes it.
    struct Unusable: Sendable, CustomStringConvertible {
        var table: QualifiedName
        var reason: String
        var fix: String
        var description: String { "\(table): \(reason); fix: \(fix)" }
    }

    /// Every configured table, split into those that can be captured and those that cannot.
    func tables() throws -> (usable: [Table], unusable: [Unusable]) {
        var usable: [Table] = []
        var unusable: [Unusable] = []
        for name in configuration.tables {
            let facts = try connection.query("""
                SELECT c.oid::text AS oid, c.relkind::text AS kind, c.relreplident::text AS identity,
                       (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i
                          CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                         WHERE i.indrelid = c.oid
                           AND CASE WHEN c.relreplident = 'i' THEN i.indisreplident ELSE i.indisprimary END) AS key_columns
                FROM pg_class c WHERE c.oid = to_regclass($1)
                """, [name.sql])
            guard let oid = facts.value("oid").flatMap({ UInt32($0) }) else {
                unusable.append(Unusable(table: name, reason: "the table does not exist",
                                         fix: "create it, or correct the name in the configuration (names are case-sensitive)"))
                continue
            }
            let keyText = facts.value("key_columns") ?? ""
            let identity = facts.value("identity") ?? "d"
            guard !keyText.isEmpty, identity == "d" || identity == "i" else {
                let reason = identity == "n" ? "REPLICA IDENTITY NOTHING" : keyText.isEmpty ? "no primary key" : "REPLICA IDENTITY FULL without a primary key"
                unusable.append(Unusable(
                    table: name, reason: "\(reason): its changes could not be keyed or applied",
                    fix: "ALTER TABLE \(name.sql) ADD PRIMARY KEY (<key columns>); -- or REPLICA IDENTITY USING INDEX <unique index>"))
                continue
            }
            let keyColumns = keyText.split(separator: ",").map(String.init)
            let columns = try connection.query("""
                SELECT attname, atttypid::int8 AS type, atttypmod AS modifier FROM pg_attribute
                WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped \(connection.serverVersion >= 120_000 ? "AND attgenerated = ''" : "")
                ORDER BY attnum
                """, [String(oid)])
            let described = columns.rows.map { row in
                PgOutputMessage.Column(
                    isKey: keyColumns.contains(row[0] ?? ""), name: row[0] ?? "", typeOID: UInt32(row[1] ?? "") ?? 25,
                    typeModifier: Int32(row[2] ?? "") ?? -1)
            }
            let schema = RelationSchema(PgOutputMessage.Relation(
                xid: nil, oid: oid, namespace: name.schema, name: name.table, replicaIdentity: UInt8(ascii: "d"), columns: described))
            usable.append(Table(name: name, schema: schema, keyColumns: keyColumns))
        }
        return (usable, unusable)
    }

    /// Creates the publication for `tables`, or adds the ones it lacks.
    func ensurePublication(_ tables: [QualifiedName]) throws {
        let publication = quoteIdentifier(configuration.publication)
        let exists = try connection.query("SELECT 1 FROM pg_publication WHERE pubname = $1", [configuration.publication])
        guard !exists.rows.isEmpty else {
            guard !tables.isEmpty else { return }
            try connection.execute("CREATE PUBLICATION \(publication) FOR TABLE \(tables.map(\.sql).joined(separator: ", "))")
            return
        }
        let published = Set(try connection.query(
            "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1", [configuration.publication]
        ).rows.map { QualifiedName(schema: $0[0] ?? "", table: $0[1] ?? "") })
        let missing = tables.filter { !published.contains($0) }
        if !missing.isEmpty {
            try connection.execute("ALTER PUBLICATION \(publication) ADD TABLE \(missing.map(\.sql).joined(separator: ", "))")
        }
    }

    struct SlotFacts {
        var activePID: String?
        var plugin: String
        var database: String
        var walStatus: String?
    }

    /// The slot as `pg_replication_slots` shows it, or nil when there is none.
    func slot() throws -> SlotFacts? {
        let walStatus = connection.serverVersion >= 130_000 ? "wal_status" : "NULL::text"
        let result = try connection.query(
            "SELECT active_pid::text, plugin, database, \(walStatus) AS wal_status FROM pg_replication_slots WHERE slot_name = $1",
            [configuration.slot])
        guard let row = result.rows.first else { return nil }
        return SlotFacts(activePID: row[0], plugin: row[1] ?? "", database: row[2] ?? "", walStatus: row[3])
    }

    /// Drops the slot (one that no durable state of ours refers to).
    func dropSlot() throws {
        try connection.query("SELECT pg_drop_replication_slot($1)", [configuration.slot])
    }
}
