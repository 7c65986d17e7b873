/// Encodes row changes as Debezium change events, the way Debezium's JsonConverter writes them with
/// schemas disabled:
///
/// ```
/// key:   {"id":42}
/// value: {"before":{…}|null,"after":{…}|null,"source":{"version":…,"connector":"postgresql","name":…,
///         "ts_ms":…,"snapshot":"true"|"false"|"last","db":…,"schema":…,"table":…,"txId":…|null,
///         "lsn":…|null},"op":"c","ts_ms":…}
/// ```
///
/// Rows list every column by name in table order, values mapped as `ValueMapping` describes. The key holds
/// the key columns of the new row (the old row for a delete); a truncate, or a table without key columns,
/// has no key. Everything is written by hand into byte buffers: this runs for every row.
public struct ChangeEventEncoder: Sendable {
    public let sourceName: String
    public let database: String
    public let version: String

    /// `,"source":{"version":…,"connector":"postgresql","name":…,"ts_ms":`
    private let sourcePrefix: [UInt8]
    /// `,"db":…,`
    private let databaseField: [UInt8]

    public init(sourceName: String, database: String, version: String = "moodle-pipeline") {
        self.sourceName = sourceName
        self.database = database
        self.version = version
        sourcePrefix = Array(",\"source\":{\"version\":".utf8) + JSONBytes.string(version)
            + Array(",\"connector\":\"postgresql\",\"name\":".utf8) + JSONBytes.string(sourceName) + Array(",\"ts_ms\":".utf8)
        databaseField = Array(",\"db\":".utf8) + JSONBytes.string(database) + [UInt8(ascii: ",")]
    }

    public func encode(_ change: RowChange, relation: RelationSchema) throws(EventEncodingError) -> (key: [UInt8]?, value: [UInt8]) {
        let keySource: TupleData?
        switch change.op {
        case .read, .create, .update:
            guard let after = change.after else { throw missing("new row", change, relation) }
            keySource = after
        case .delete:
            guard let before = change.before else { throw missing("old row", change, relation) }
            keySource = before
        case .truncate:
            keySource = nil
        }

        var value: [UInt8] = []
        value.reserveCapacity(estimatedSize(change, relation))
        JSONBytes.append("{\"before\":", to: &value)
        try appendRow(change.before, relation, to: &value)
        JSONBytes.append(",\"after\":", to: &value)
        try appendRow(change.after, relation, to: &value)
        appendSource(change, relation, to: &value)
        JSONBytes.append(",\"op\":\"", to: &value)
        value.append(change.op.code)
        JSONBytes.append("\",\"ts_ms\":", to: &value)
        JSONBytes.appendInteger(change.eventTimeMs, to: &value)
        value.append(UInt8(ascii: "}"))

        let key = try keySource.flatMap { tuple throws(EventEncodingError) in try encodeKey(tuple, relation: relation) }
        return (key, value)
    }

    /// `{"id":42}`: the key columns of `tuple`, or nil when the table has none.
    public func encodeKey(_ tuple: TupleData, relation: RelationSchema) throws(EventEncodingError) -> [UInt8]? {
        guard !relation.keyIndices.isEmpty else { return nil }
        try checkCount(tuple, relation)
        var key: [UInt8] = []
        key.reserveCapacity(32)
        key.append(UInt8(ascii: "{"))
        for (position, column) in relation.keyIndices.enumerated() {
            if position > 0 { key.append(UInt8(ascii: ",")) }
            try appendColumn(column, tuple.values[column], relation, to: &key)
        }
        key.append(UInt8(ascii: "}"))
        return key
    }

    // MARK: - Parts

    private func appendRow(_ tuple: TupleData?, _ relation: RelationSchema, to output: inout [UInt8]) throws(EventEncodingError) {
        guard let tuple else {
            JSONBytes.append("null", to: &output)
            return
        }
        try checkCount(tuple, relation)
        output.append(UInt8(ascii: "{"))
        for column in tuple.values.indices {
            if column > 0 { output.append(UInt8(ascii: ",")) }
            try appendColumn(column, tuple.values[column], relation, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    private func appendColumn(_ column: Int, _ value: TupleData.Value, _ relation: RelationSchema,
                              to output: inout [UInt8]) throws(EventEncodingError) {
        output.append(contentsOf: relation.columnKeys[column])
        switch value {
        case .null:
            JSONBytes.append("null", to: &output)
        case .text(let text):
            let kind = relation.kinds[column]
            do {
                try text.withUnsafeBufferPointer { bytes throws(ValueMappingFailure) in try kind.append(bytes, to: &output) }
            } catch {
                throw columnError(error.code, error.reason, column, relation)
            }
        case .binary:
            throw columnError(.binaryValue, "a value came in binary format; the reader asks for text", column, relation)
        case .unchangedToast:
            throw columnError(.unchangedToast, "an unchanged TOASTed value was not filled before encoding", column, relation)
        }
    }

    private func appendSource(_ change: RowChange, _ relation: RelationSchema, to output: inout [UInt8]) {
        output.append(contentsOf: sourcePrefix)
        JSONBytes.appendInteger(change.sourceTimeMs, to: &output)
        switch change.snapshot {
        case .no: JSONBytes.append(",\"snapshot\":\"false\"", to: &output)
        case .yes: JSONBytes.append(",\"snapshot\":\"true\"", to: &output)
        case .last: JSONBytes.append(",\"snapshot\":\"last\"", to: &output)
        }
        output.append(contentsOf: databaseField)
        output.append(contentsOf: relation.sourceFields)
        JSONBytes.append(",\"txId\":", to: &output)
        if let txId = change.txId { JSONBytes.appendInteger(txId, to: &output) } else { JSONBytes.append("null", to: &output) }
        JSONBytes.append(",\"lsn\":", to: &output)
        if let lsn = change.lsn { JSONBytes.appendInteger(lsn, to: &output) } else { JSONBytes.append("null", to: &output) }
        output.append(UInt8(ascii: "}"))
    }

    /// Room for the values plus, per column, its name and some escaping; one allocation in the usual case.
    private func estimatedSize(_ change: RowChange, _ relation: RelationSchema) -> Int {
        var size = 256 + sourcePrefix.count + databaseField.count + relation.sourceFields.count
        func add(_ tuple: TupleData?) {
            guard let tuple else { return }
            for (column, value) in tuple.values.enumerated() {
                if case .text(let text) = value { size += text.count + text.count / 8 }
                size += 6 + (column < relation.columnKeys.count ? relation.columnKeys[column].count : 0)
            }
        }
        add(change.before)
        add(change.after)
        return size
    }

    private func checkCount(_ tuple: TupleData, _ relation: RelationSchema) throws(EventEncodingError) {
        guard tuple.values.count == relation.columns.count else {
            throw EventEncodingError(.columnCountMismatch, "\(relation.schema).\(relation.table): a row has \(tuple.values.count) values "
                                     + "but the relation has \(relation.columns.count) columns")
        }
    }

    private func missing(_ what: String, _ change: RowChange, _ relation: RelationSchema) -> EventEncodingError {
        EventEncodingError(.missingTuple, "\(relation.schema).\(relation.table): a change with op \(change.op.rawValue) has no \(what)")
    }

    private func columnError(_ code: EventEncodingError.Code, _ reason: String, _ column: Int,
                             _ relation: RelationSchema) -> EventEncodingError {
        let name = relation.columns[column].name, type = relation.columns[column].typeOID
        return EventEncodingError(code, "\(relation.schema).\(relation.table) column \(name) (type oid \(type)): \(reason)",
                                  column: name, typeOID: type)
    }
}
