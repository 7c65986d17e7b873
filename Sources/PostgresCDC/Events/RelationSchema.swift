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
        "\(sourceName).\(schema).\(table)"
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
