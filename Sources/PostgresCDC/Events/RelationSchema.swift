import PartitionedLog

/// What the reader knows of one table: its identity and columns, from a pgoutput Relation message or,
/// for the snapshot, from the catalog. Also holds what encoding needs per column, worked out once.
public struct RelationSchema: Sendable, Equatable {
    public let oid: UInt32
    public let schema: String
    public let table: String
    /// In table order, generated columns excluded (pgoutput does not send them).
    public let columns: [PgOutputMessage.Column]
    /// Indices of the replica identity (key) columns, in table order.
    public let keyIndices: [Int]

    /// `"name":` per column, escaped.
    let columnKeys: [[UInt8]]
    /// How each column's values map to JSON.
    let kinds: [ValueKind]
    /// `"schema":"…","table":"…"`, for the source block.
    let sourceFields: [UInt8]

    public init(oid: UInt32, schema: String, table: String, columns: [PgOutputMessage.Column]) {
        self.oid = oid
        self.schema = schema
        self.table = table
        self.columns = columns
        keyIndices = columns.indices.filter { columns[$0].isKey }
        columnKeys = columns.map { JSONBytes.string($0.name) + [UInt8(ascii: ":")] }
        kinds = columns.map { ValueKind(typeOID: $0.typeOID) }
        sourceFields = Array("\"schema\":".utf8) + JSONBytes.string(schema) + Array(",\"table\":".utf8) + JSONBytes.string(table)
    }

    public init(_ relation: PgOutputMessage.Relation) {
        self.init(oid: relation.oid, schema: relation.namespace, table: relation.name, columns: relation.columns)
    }

    /// The log topic of the table's events: `<source>.<schema>.<table>`, as Debezium names them.
    public func topic(sourceName: String) -> String {
        changeTopicName(source: sourceName, schema: schema, table: table)
    }
}

/// The topic of a table's change events, `<source>.<schema>.<table>`, with every character a topic name
/// cannot hold (anything but `A-Z a-z 0-9 . _ -`) replaced by `_` — as Debezium sanitizes topic names.
/// `my "odd" Table` becomes `my__odd__Table`; the table keeps its real name in the relation record.
public func changeTopicName(source: String, schema: String, table: String) -> String {
    let name = "\(source).\(schema).\(table)"
    guard name.utf8.contains(where: { !isTopicByte($0) }) else { return name }
    return String(decoding: name.utf8.map { isTopicByte($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
}

private func isTopicByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
        true
    default:
        false
    }
}

extension PgOutputMessage.Column {
    /// A column as the snapshot reads it from the catalog.
    public init(name: String, typeOID: UInt32, typeModifier: Int32 = -1, isKey: Bool = false) {
        self.init(isKey: isKey, name: name, typeOID: typeOID, typeModifier: typeModifier)
    }
}

extension RelationSchema {
    /// The key of a relation record in the source's state topic: `relation:<schema>.<table>`.
    public static func announcementKey(schema: String, table: String) -> [UInt8] {
        Array("relation:\(schema).\(table)".utf8)
    }

    /// The table's columns as a record for the state topic, written before the first event of the table in
    /// each session and after every change of its columns, in the same atomic group as the events:
    /// `{"schema","table","topic","columns":[{"name","type_oid","type_modifier","key"}]}`.
    func announcement(sourceName: String) -> LogRecord {
        var value = Array("{\"schema\":".utf8) + JSONBytes.string(schema)
        value += Array(",\"table\":".utf8) + JSONBytes.string(table)
        value += Array(",\"topic\":".utf8) + JSONBytes.string(topic(sourceName: sourceName))
        value += Array(",\"columns\":[".utf8)
        for (index, column) in columns.enumerated() {
            if index > 0 { value.append(UInt8(ascii: ",")) }
            value += Array("{\"name\":".utf8) + JSONBytes.string(column.name)
            value += Array(",\"type_oid\":\(column.typeOID),\"type_modifier\":\(column.typeModifier),\"key\":\(column.isKey)}".utf8)
        }
        value += Array("]}".utf8)
        return LogRecord(key: Self.announcementKey(schema: schema, table: table), value: value)
    }
}
