import Testing
import StreamProcessing

private func decode(_ text: String) throws(ChangeEvent.DecodingError) -> ChangeEvent {
    try ChangeEvent.decode(Array(text.utf8))
}

private func decodingError(_ text: String) -> String? {
    do {
        _ = try decode(text)
        return nil
    } catch {
        return error.reason
    }
}

private func object(_ members: (String, JSONValue)...) -> JSONObject {
    JSONObject(members.map { (name: $0.0, value: $0.1) })
}

@Suite("ChangeEvent")
struct ChangeEventTests {
    static let row = object(("id", .integer(1)), ("email", .string("a@b")))
    static let newRow = object(("id", .integer(1)), ("email", .string("c@d")))
    static let source = object(("lsn", .integer(5)), ("txId", .integer(7)))

    @Test(arguments: [("r", ChangeEvent.Operation.read), ("c", .create)])
    func readAndCreate(op: String, operation: ChangeEvent.Operation) throws {
        let event = try decode(#"{"before":null,"after":{"id":1,"email":"a@b"},"source":{"lsn":5,"txId":7},"op":"\#(op)","ts_ms":1}"#)
        #expect(event == ChangeEvent(operation: operation, before: nil, after: Self.row, source: Self.source))
        #expect(render(event.tableChange(key: "k")) == #"upsert k {"id":1,"email":"a@b"}"#)
        #expect(render(event.tableChange(key: nil as String?)) == "nil")
    }

    @Test func update() throws {
        let event = try decode(
            #"{"before":{"id":1,"email":"a@b"},"after":{"id":1,"email":"c@d"},"source":{"lsn":5,"txId":7},"op":"u","ts_ms":1}"#)
        #expect(event == ChangeEvent(operation: .update, before: Self.row, after: Self.newRow, source: Self.source))
        #expect(render(event.tableChange(key: 1)) == #"upsert 1 {"id":1,"email":"c@d"}"#)
    }

    @Test func delete() throws {
        let event = try decode(#"{"before":{"id":1,"email":"a@b"},"after":null,"source":{"lsn":5,"txId":7},"op":"d","ts_ms":1}"#)
        #expect(event == ChangeEvent(operation: .delete, before: Self.row, after: nil, source: Self.source))
        #expect(render(event.tableChange(key: 1)) == "delete 1")
        #expect(render(event.tableChange(key: nil as Int?)) == "nil")
        // Before may be absent (REPLICA IDENTITY DEFAULT without the old row).
        let bare = try decode(#"{"before":null,"after":null,"op":"d"}"#)
        #expect(bare == ChangeEvent(operation: .delete, before: nil, after: nil))
    }

    @Test func truncate() throws {
        let event = try decode(#"{"before":null,"after":null,"source":{"lsn":9},"op":"t","ts_ms":1}"#)
        #expect(event.operation == .truncate)
        #expect(event.source == object(("lsn", .integer(9))))
        #expect(render(event.tableChange(key: nil as Int?)) == "truncate")
    }

    @Test func missingSourceIsEmpty() throws {
        let event = try decode(#"{"after":{"id":1,"email":"a@b"},"op":"c"}"#)
        #expect(event.source == JSONObject())
        #expect(event.before == nil)
    }

    @Test func kafkaConnectWrapping() throws {
        let event = try decode(#"""
            {"schema":{"type":"struct","fields":[],"name":"x.Envelope"},
             "payload":{"before":null,"after":{"id":1,"email":"a@b"},"source":{"lsn":5,"txId":7},"op":"c","ts_ms":1}}
            """#)
        #expect(event == ChangeEvent(operation: .create, before: nil, after: Self.row, source: Self.source))
        // A row with a column named payload is not unwrapped.
        let row = try decode(#"{"before":null,"after":{"payload":{"op":"d"}},"op":"r","payload":{"op":"d"}}"#)
        #expect(row.operation == .read)
        #expect(row.after == object(("payload", .object(object(("op", .string("d")))))))
    }

    @Test func errors() {
        #expect(decodingError(#"{"before":null,"after":{"id":1}}"#)?.contains("no op") == true)
        #expect(decodingError(#"{"schema":{},"payload":{"after":{"id":1}}}"#)?.contains("no op") == true)
        #expect(decodingError(#"{"schema":{},"payload":null}"#)?.contains("no op") == true)
        #expect(decodingError(#"{"after":{"id":1},"op":"x"}"#)?.contains(#"unknown op "x""#) == true)
        #expect(decodingError(#"{"after":{"id":1},"op":1}"#) != nil)
        for op in ["r", "c", "u"] {
            let reason = decodingError(#"{"before":{"id":1},"after":null,"op":"\#(op)"}"#)
            #expect(reason?.contains("without after") == true, "\(op): \(reason ?? "accepted")")
            #expect(decodingError(#"{"op":"\#(op)"}"#)?.contains("without after") == true)
            #expect(decodingError(#"{"after":[1],"op":"\#(op)"}"#)?.contains("without after") == true)
        }
        #expect(decodingError("[1]")?.contains("not a JSON object") == true)
        #expect(decodingError(#"{"op":"c""#)?.contains("not a change event") == true)
        #expect(decodingError("")?.contains("not a change event") == true)
    }

    @Test func changelogRecordEncodesKeyAndValue() {
        let record = ChangelogRecord(topic: "t", key: object(("id", .integer(1))), value: Self.row)
        #expect(record.key == Array(#"{"id":1}"#.utf8))
        #expect(record.value == Array(#"{"id":1,"email":"a@b"}"#.utf8))
        let tombstone = ChangelogRecord(topic: "t", key: object(("id", .integer(1))), value: nil)
        #expect(tombstone.value == nil)
        #expect(tombstone == ChangelogRecord(topic: "t", key: Array(#"{"id":1}"#.utf8), value: nil))
    }
}

/// A comparable rendering of a table change (TableChange is not Equatable).
private func render<Key>(_ change: TableChange<Key, JSONObject>?) -> String {
    switch change {
    case .upsert(let key, let value)?: "upsert \(key) \(JSONValue.object(value).jsonText)"
    case .delete(let key)?: "delete \(key)"
    case .truncate?: "truncate"
    case nil: "nil"
    }
}
