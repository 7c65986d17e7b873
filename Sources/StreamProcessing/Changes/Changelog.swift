/// A derived table's change as a record for its changelog topic (keyed, compacted): the row's key and its
/// new value, or a tombstone when the row went. Consumers of the topic read the table's latest state per key.
public struct ChangelogRecord: Sendable, Equatable {
    public var topic: String
    public var key: [UInt8]
    /// nil: a tombstone.
    public var value: [UInt8]?

    public init(topic: String, key: JSONObject, value: JSONObject?) {
        self.topic = topic
        var keyBytes: [UInt8] = []
        JSONWriter.append(.object(key), to: &keyBytes)
        self.key = keyBytes
        self.value = value.map { object in
            var bytes: [UInt8] = []
            JSONWriter.append(.object(object), to: &bytes)
            return bytes
        }
    }

    public init(topic: String, key: [UInt8], value: [UInt8]?) {
        self.topic = topic
        self.key = key
        self.value = value
    }
}
