import Foundation
import GRDB
import StreamProcessing

/// One mirrored source table: named `<source>.<schema>.<table>` (the real names, which the topic may have
/// had to sanitize), columns typed from the relation the capture announced (or, for a topic without one,
/// untyped columns taken from the events, and the topic as its name), primary key = the source's key.
final class MirrorTable {
    let topic: String
    let name: String
    private(set) var keyColumns: [MirrorColumn]
    let typed: Bool
    /// The prepared upsert of the last column list; dropped when columns change.
    var preparedUpsert: PreparedUpsert?
    var columns: [MirrorColumn] { didSet { preparedUpsert = nil } }

    init(topic: String, name: String, columns: [MirrorColumn], typed: Bool) {
        self.topic = topic
        self.name = name
        self.columns = columns
        self.typed = typed
        keyColumns = columns.filter(\.isKey)
    }

    var quotedName: String { quoted(name) }

    func column(_ name: String) -> MirrorColumn? { columns.first { $0.name == name } }

    /// The stored key values of a row (from its `after`, or from a record key), in key-column order.
    func keyValues(_ object: JSONObject) -> [DatabaseValue]? {
        var values: [DatabaseValue] = []
        values.reserveCapacity(keyColumns.count)
        for column in keyColumns {
            guard let value = object[column.name] else { return nil }
            values.append(column.databaseValue(value))
        }
        return values
    }

    func upsertSQL(for names: [String]) -> String {
        let keys = Set(keyColumns.map(\.name))
        let list = names.map(quoted).joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        let updates = names.filter { !keys.contains($0) }.map { "\(quoted($0)) = excluded.\(quoted($0))" }
        let conflict = keyColumns.map { quoted($0.name) }.joined(separator: ", ")
        let action = updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", ")
        let sql = "INSERT INTO \(quotedName) (\(list)) VALUES (\(placeholders)) ON CONFLICT (\(conflict)) DO \(action)"
        return sql
    }

    var deleteSQL: String {
        "DELETE FROM \(quotedName) WHERE " + keyColumns.map { "\(quoted($0.name)) IS ?" }.joined(separator: " AND ")
    }

    func createSQL() -> String {
        let definitions = columns.map { column in
            column.declaredType.isEmpty ? quoted(column.name) : "\(quoted(column.name)) \(column.declaredType)"
        }
        let key = keyColumns.map { quoted($0.name) }.joined(separator: ", ")
        return "CREATE TABLE IF NOT EXISTS \(quotedName) (\(definitions.joined(separator: ", ")), PRIMARY KEY (\(key)))"
    }

    func columnsJSON() -> String {
        JSONValue.array(columns.map { column in
            var members: [(name: String, value: JSONValue)] = [("name", .string(column.name)), ("key", .bool(column.isKey))]
            if let oid = column.typeOID { members.append(("type_oid", .integer(Int64(oid)))) }
            return .object(JSONObject(members))
        }).jsonText
    }

    static func columns(fromJSON text: String) -> [MirrorColumn] {
        guard case .array(let values)? = try? JSONParser.parse(Array(text.utf8)) else { return [] }
        return values.compactMap(MirrorColumn.init(json:))
    }
}

/// The mirrored tables, kept in step with the source relations. Used inside the sink's write transactions.
struct MirrorTables {
    private(set) var tables: [String: MirrorTable] = [:]

    /// Loads what earlier runs recorded.
    mutating func load(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT topic, mirror, columns, typed FROM sink_tables") {
            let topic: String = row["topic"]
            tables[topic] = MirrorTable(topic: topic, name: row["mirror"], columns: MirrorTable.columns(fromJSON: row["columns"]), typed: row["typed"])
        }
    }

    subscript(topic: String) -> MirrorTable? { tables[topic] }

    /// A relation record from a source's state topic: creates the table or adds the columns it gained.
    mutating func learn(relation: JSONObject, source: String, _ db: Database) throws {
        guard let topic = relation["topic"]?.stringValue, let schema = relation["schema"]?.stringValue,
              let table = relation["table"]?.stringValue, case .array(let items)? = relation["columns"]
        else { return }
        let columns = items.compactMap(MirrorColumn.init(json:))
        guard columns.contains(where: \.isKey) else { return }
        if let existing = tables[topic] {
            try addMissing(columns, to: existing, db)
            // Announced types replace guessed (untyped) ones for columns known both ways.
            for column in columns {
                if let index = existing.columns.firstIndex(where: { $0.name == column.name }), existing.columns[index].typeOID == nil {
                    existing.columns[index].typeOID = column.typeOID
                }
            }
            try record(existing, source: source, schema: schema, table: table, db)
            return
        }
        let mirror = MirrorTable(topic: topic, name: "\(source).\(schema).\(table)", columns: columns, typed: true)
        try db.execute(sql: mirror.createSQL())
        tables[topic] = mirror
        try record(mirror, source: source, schema: schema, table: table, db)
    }

    /// A table seen first through its events (no relation record): untyped columns from the event.
    mutating func infer(topic: String, key: JSONObject, row: JSONObject?, source: String, _ db: Database) throws -> MirrorTable {
        if let existing = tables[topic] { return existing }
        var columns = key.members.map { MirrorColumn(name: $0.name, typeOID: nil, isKey: true) }
        for member in row?.members ?? [] where !columns.contains(where: { $0.name == member.name }) {
            columns.append(MirrorColumn(name: member.name, typeOID: nil, isKey: false))
        }
        let mirror = MirrorTable(topic: topic, name: topic, columns: columns, typed: false)
        try db.execute(sql: mirror.createSQL())
        tables[topic] = mirror
        let parts = topic.split(separator: ".", maxSplits: 2).map(String.init)
        try record(mirror, source: source, schema: parts.count > 1 ? parts[1] : "", table: parts.count > 2 ? parts[2] : topic, db)
        return mirror
    }

    /// Adds columns an event carries that the mirror lacks (untyped unless announced).
    func ensureColumns(_ row: JSONObject, of mirror: MirrorTable, _ db: Database) throws {
        guard row.members.count != mirror.columns.count || !zip(row.members, mirror.columns).allSatisfy({ $0.name == $1.name }) else { return }
        let missing = row.members.filter { member in !mirror.columns.contains { $0.name == member.name } }
        guard !missing.isEmpty else { return }
        try addMissing(missing.map { MirrorColumn(name: $0.name, typeOID: nil, isKey: false) }, to: mirror, db)
        try db.execute(sql: "UPDATE sink_tables SET columns = ? WHERE topic = ?", arguments: [mirror.columnsJSON(), mirror.topic])
    }

    private func addMissing(_ columns: [MirrorColumn], to mirror: MirrorTable, _ db: Database) throws {
        for column in columns where mirror.column(column.name) == nil {
            let type = column.declaredType.isEmpty ? "" : " " + column.declaredType
            try db.execute(sql: "ALTER TABLE \(mirror.quotedName) ADD COLUMN \(quoted(column.name))\(type)")
            mirror.columns.append(MirrorColumn(name: column.name, typeOID: column.typeOID, isKey: false))
        }
    }

    private func record(_ mirror: MirrorTable, source: String, schema: String, table: String, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO sink_tables(topic, mirror, source, schema_name, table_name, columns, typed) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(topic) DO UPDATE SET columns = excluded.columns, typed = excluded.typed
            """, arguments: [mirror.topic, mirror.name, source, schema, table, mirror.columnsJSON(), mirror.typed])
    }
}
