/// A change event in the Debezium envelope, as the capture writes it and as Debezium-fed Kafka topics carry
/// it: `{"before","after","source":{…},"op","ts_ms"}`, keyed by the primary key's columns.
public struct ChangeEvent: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        /// `r`: a row read by the initial snapshot.
        case read
        /// `c`
        case create
        /// `u`
        case update
        /// `d`
        case delete
        /// `t`: the whole table emptied.
        case truncate
    }

    public var operation: Operation
    public var before: JSONObject?
    public var after: JSONObject?
    /// The `source` block (connector, name, db, schema, table, lsn, txId, ts_ms, snapshot).
    public var source: JSONObject

    public init(operation: Operation, before: JSONObject?, after: JSONObject?, source: JSONObject = JSONObject()) {
        self.operation = operation
        self.before = before
        self.after = after
        self.source = source
    }

    public struct DecodingError: Error, CustomStringConvertible, Sendable {
        public let reason: String
        public var description: String { reason }
        public init(reason: String) { self.reason = reason }
    }

    /// Decodes an envelope (a record's value). Also accepts Kafka Connect's `{"schema","payload"}` wrapping.
    /// `withSource: false` leaves the `source` block out (empty), which saves a third of the work.
    public static func decode(_ bytes: [UInt8], withSource: Bool = true) throws(DecodingError) -> ChangeEvent {
        var envelope: JSONObject
        if let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first != UInt8(ascii: "{"),
           (try? JSONParser.parse(bytes)) != nil {
            throw DecodingError(reason: "the value is not a JSON object")
        }
        do {
            envelope = try JSONParser.parseObject(bytes, skipping: withSource ? [] : ["source", "schema"])
        } catch {
            throw DecodingError(reason: "the value is not a change event: \(error)")
        }
        if let payload = envelope["payload"]?.objectValue, envelope["op"] == nil { envelope = payload }
        let operation: Operation
        switch envelope["op"]?.stringValue {
        case "r": operation = .read
        case "c": operation = .create
        case "u": operation = .update
        case "d": operation = .delete
        case "t": operation = .truncate
        case let other?: throw DecodingError(reason: "unknown op \"\(other)\"")
        case nil: throw DecodingError(reason: "the envelope has no op")
        }
        let before = envelope["before"]?.objectValue
        let after = envelope["after"]?.objectValue
        switch operation {
        case .read, .create, .update:
            guard after != nil else { throw DecodingError(reason: "an \(operation) event without after") }
        case .delete, .truncate:
            break
        }
        return ChangeEvent(operation: operation, before: before, after: after, source: envelope["source"]?.objectValue ?? JSONObject())
    }

    /// The change to a keyed table that this event makes, given the row's key (from the record's key).
    public func tableChange<Key>(key: Key?) -> TableChange<Key, JSONObject>? {
        switch operation {
        case .read, .create, .update:
            guard let key, let after else { return nil }
            return .upsert(key, after)
        case .delete:
            guard let key else { return nil }
            return .delete(key)
        case .truncate:
            return .truncate
        }
    }
}
