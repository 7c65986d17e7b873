import Foundation
import GRDB
import StreamProcessing

/// A column of a mirrored table: its source name, the PostgreSQL type (when the capture announced the
/// relation) and whether it belongs to the primary key.
struct MirrorColumn: Equatable, Sendable {
    var name: String
    /// nil: not announced; the column is declared without a type, so SQLite stores values as given.
    var typeOID: UInt32?
    var isKey: Bool

    /// A column as a relation record (and `sink_tables.columns`) writes it: `{"name","type_oid","key"}`.
    init?(json: JSONValue) {
        guard let object = json.objectValue, let name = object["name"]?.stringValue else { return nil }
        var oid: UInt32?
        if case .integer(let number)? = object["type_oid"] { oid = UInt32(truncatingIfNeeded: number) }
        self.init(name: name, typeOID: oid, isKey: object["key"] == .bool(true))
    }

    init(name: String, typeOID: UInt32?, isKey: Bool) {
        self.name = name
        self.typeOID = typeOID
        self.isKey = isKey
    }

    /// The SQLite declared type, chosen for its affinity: values must come back exactly as they went in.
    /// `numeric` is TEXT (exact digits; NUMERIC affinity would turn it into a float); dates and times are
    /// ISO-8601 TEXT (SQLite's date functions read them); JSON and arrays are TEXT.
    var declaredType: String {
        guard let typeOID else { return "" }
        switch typeOID {
        case 16: return "BOOLEAN"
        case 20, 21, 23, 26, 28, 5069: return "INTEGER"
        case 700, 701: return "REAL"
        case 17: return "BLOB"
        default: return "TEXT"
        }
    }

    /// A change event's value as stored in this column.
    func databaseValue(_ value: JSONValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return (flag ? 1 : 0).databaseValue
        case .integer(let number): return number.databaseValue
        case .double(let number): return number.databaseValue
        case .string(let text):
            if typeOID == 17, let bytes = Data(base64Encoded: text) { return bytes.databaseValue }
            return text.databaseValue
        case .array, .object: return value.jsonText.databaseValue
        }
    }

    /// A stored value as the change event carried it (for rebuilding state from the mirror).
    func jsonValue(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: return .null
        case .int64(let number): return typeOID == 16 ? .bool(number != 0) : .integer(number)
        case .double(let number): return .double(number)
        case .string(let text): return .string(text)
        case .blob(let data): return .string(data.base64EncodedString())
        }
    }
}

/// A mirrored row's key as one string (the processor's row identity), built from the stored key values so
/// that it reads the same from a change event and from the mirror table: a single integer as its digits,
/// anything else as a JSON array of the values.
enum RowKey {
    static func canonical(_ values: [DatabaseValue]) -> String {
        if values.count == 1, case .int64(let number) = values[0].storage { return String(number) }
        var output: [UInt8] = []
        JSONWriter.append(.array(values.map(jsonValue)), to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The value that identifies the row in answer tables: the key value itself when the key is one column,
    /// otherwise the canonical text.
    static func identity(_ canonical: String) -> DatabaseValue {
        if let number = Int64(canonical) { return number.databaseValue }
        if let parsed = try? JSONParser.parse(Array(canonical.utf8)), case .array(let values) = parsed, values.count == 1 {
            switch values[0] {
            case .string(let text): return text.databaseValue
            case .double(let number): return number.databaseValue
            case .null: return .null
            default: break
            }
        }
        return canonical.databaseValue
    }

    private static func jsonValue(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .blob(let data): .object(JSONObject([("blob", .string(data.base64EncodedString()))]))
        }
    }
}
