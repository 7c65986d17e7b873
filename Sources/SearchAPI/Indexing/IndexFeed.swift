import PartitionedLog
import SearchEngine
import StreamProcessing

/// One topic of the log kept in one index: how a record becomes a document change. Documents are keyed by
/// `_id`, so applying a record twice gives the same index — replays are idempotent.
public struct IndexFeed: Sendable {
    public var topic: String
    public var index: String
    /// The `mappings` to create the index with when it does not exist (nil: dynamic mapping).
    public var mappings: JSONObject?
    /// The `settings` to create the index with (e.g. its `refresh_interval`).
    public var settings: JSONObject?
    public var change: @Sendable (StoredRecord) -> FeedChange

    public init(topic: String, index: String, mappings: JSONObject? = nil, change: @escaping @Sendable (StoredRecord) -> FeedChange) {
        self.topic = topic
        self.index = index
        self.mappings = mappings
        self.change = change
    }
}

public enum FeedChange: Sendable {
    case index(id: String, source: [UInt8])
    case delete(id: String)
    /// Every document of the index goes (a TRUNCATE of the table the topic mirrors).
    case truncate
    /// Not a document change (e.g. a record the feed cannot read; the reason is logged without values).
    case skip(reason: String)
}

extension IndexFeed {
    /// Mappings for a mirrored table when none are given: dynamic, but without date detection. Source
    /// columns are mirrored as they are; with detection on, the first row whose text looks like a date would
    /// make the field a `date` and every later row with another form (epoch text, a bad value) would be
    /// rejected — a row missing from the index.
    public static let mirrorMappings = JSONObject([("date_detection", .bool(false))])

    /// A change-event topic (Debezium envelope, keyed by the primary key): the row after the change is the
    /// document, its `_id` the key's column values (joined by `|` when the key has several columns).
    public static func changeEvents(topic: String, index: String, mappings: JSONObject? = IndexFeed.mirrorMappings) -> IndexFeed {
        IndexFeed(topic: topic, index: index, mappings: mappings) { record in
            guard let value = record.value else { return .skip(reason: "a tombstone") }
            let event: ChangeEvent
            do {
                event = try ChangeEvent.decode(value, withSource: false)
            } catch let error as ChangeEvent.DecodingError {
                return .skip(reason: "not a change event: \(error.reason)")
            } catch {
                return .skip(reason: "not a change event")
            }
            if event.operation == .truncate { return .truncate }
            guard let id = documentID(key: record.key) else { return .skip(reason: "a change event without a usable key") }
            switch event.operation {
            case .read, .create, .update:
                guard let after = event.after else { return .skip(reason: "a change event without after") }
                var source: [UInt8] = []
                JSONWriter.append(.object(after), to: &source)
                return .index(id: id, source: source)
            case .delete, .truncate:
                return .delete(id: id)
            }
        }
    }

    /// A compacted changelog topic (JSON key, JSON value or a tombstone): `document` builds the document from
    /// the key and value; its `_id` is `idPrefix` followed by the key's values (see `documentID`).
    public static func changelog(
        topic: String, index: String, mappings: JSONObject? = nil, idPrefix: String = "",
        document: @escaping @Sendable (_ key: JSONObject, _ value: JSONObject) -> JSONObject = { _, value in value }
    ) -> IndexFeed {
        IndexFeed(topic: topic, index: index, mappings: mappings) { record in
            guard let keyID = documentID(key: record.key), let keyBytes = record.key,
                  case .object(let key)? = try? JSONParser.parse(keyBytes) else { return .skip(reason: "a record without a JSON object key") }
            let id = idPrefix + keyID
            guard let value = record.value else { return .delete(id: id) }
            guard case .object(let object)? = try? JSONParser.parse(value) else { return .skip(reason: "a record whose value is not a JSON object") }
            var source: [UInt8] = []
            JSONWriter.append(.object(document(key, object)), to: &source)
            return .index(id: id, source: source)
        }
    }

    /// The `_id` of a JSON key: its member values in order, as text, joined by `|`.
    public static func documentID(key: [UInt8]?) -> String? {
        guard let key, case .object(let object)? = try? JSONParser.parse(key), !object.members.isEmpty else { return nil }
        var parts: [String] = []
        for (_, value) in object.members {
            switch value {
            case .string(let text): parts.append(text)
            case .integer(let number): parts.append(String(number))
            case .double(let number): parts.append(String(number))
            case .bool(let flag): parts.append(flag ? "true" : "false")
            case .null, .array, .object: return nil
            }
        }
        return parts.joined(separator: "|")
    }
}
