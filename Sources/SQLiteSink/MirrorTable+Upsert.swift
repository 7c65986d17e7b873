import Foundation
import GRDB
import GRDBSQLite
import StreamProcessing

private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

extension MirrorTable {
    /// Upserts a row (a change event's `after`) with one prepared statement per column list, binding the
    /// values straight from JSON (no argument arrays): the sink's hot path.
    func upsert(_ row: JSONObject, _ db: Database) throws {
        let prepared = try upsertStatement(for: row, db)
        let raw = prepared.statement.sqliteStatement
        sqlite3_reset(raw)
        for (index, member) in row.members.enumerated() {
            try bind(member.value, as: prepared.columns[index], at: Int32(index + 1), raw, db)
        }
        let status = sqlite3_step(raw)
        guard status == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(raw)
            throw DatabaseError(resultCode: ResultCode(rawValue: status), message: message)
        }
    }

    private func upsertStatement(for row: JSONObject, _ db: Database) throws -> PreparedUpsert {
        if let prepared = preparedUpsert, prepared.names.count == row.members.count,
           zip(prepared.names, row.members).allSatisfy({ $0 == $1.name }) {
            return prepared
        }
        let names = row.members.map(\.name)
        let statement = try db.makeStatement(sql: upsertSQL(for: names))
        let prepared = PreparedUpsert(
            names: names, columns: names.map { column($0) ?? MirrorColumn(name: $0, typeOID: nil, isKey: false) }, statement: statement)
        preparedUpsert = prepared
        return prepared
    }

    private func bind(_ value: JSONValue, as column: MirrorColumn, at index: Int32, _ raw: OpaquePointer, _ db: Database) throws {
        let status: Int32
        switch value {
        case .null: status = sqlite3_bind_null(raw, index)
        case .bool(let flag): status = sqlite3_bind_int64(raw, index, flag ? 1 : 0)
        case .integer(let number): status = sqlite3_bind_int64(raw, index, number)
        case .double(let number): status = sqlite3_bind_double(raw, index, number)
        case .string(var text):
            if column.typeOID == 17, let bytes = Data(base64Encoded: text) {
                status = bytes.withUnsafeBytes { sqlite3_bind_blob64(raw, index, $0.baseAddress, sqlite3_uint64($0.count), transient) }
            } else {
                status = bindText(&text, at: index, raw)
            }
        case .array, .object:
            var text = value.jsonText
            status = bindText(&text, at: index, raw)
        }
        guard status == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: status), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}

/// Binds text (an empty string as an empty string: SQLite reads a NULL pointer as NULL).
private func bindText(_ text: inout String, at index: Int32, _ raw: OpaquePointer) -> Int32 {
    text.withUTF8 { utf8 in
        guard let base = utf8.baseAddress, !utf8.isEmpty else { return sqlite3_bind_text(raw, index, "", 0, transient) }
        return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
            sqlite3_bind_text64(raw, index, $0, sqlite3_uint64(utf8.count), transient, UInt8(SQLITE_UTF8))
        }
    }
}

/// A prepared upsert for one list of columns (the events' usual shape), kept by its table.
struct PreparedUpsert {
    var names: [String]
    var columns: [MirrorColumn]
    var statement: Statement
}
