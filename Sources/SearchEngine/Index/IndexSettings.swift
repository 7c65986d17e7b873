import StreamProcessing

/// An index's settings as given at creation: the ones the engine acts on, typed, and every given setting as
/// OpenSearch keeps it (flat `index.*` keys, string values) for GET `_settings`.
struct IndexSettings: Sendable, Hashable {
    var numberOfShards = 1
    var numberOfReplicas = 1
    /// nil: `-1`, no periodic refresh.
    var refreshInterval: Duration? = SearchLimits.defaultRefreshInterval
    var maxResultWindow = SearchLimits.defaultMaxResultWindow
    /// Given settings, flat keys (`index.refresh_interval`), in the order given; values as strings.
    var given: [(key: String, value: String)] = []

    static func == (lhs: IndexSettings, rhs: IndexSettings) -> Bool {
        lhs.numberOfShards == rhs.numberOfShards && lhs.numberOfReplicas == rhs.numberOfReplicas && lhs.refreshInterval == rhs.refreshInterval
            && lhs.maxResultWindow == rhs.maxResultWindow && lhs.given.map(\.key) == rhs.given.map(\.key) && lhs.given.map(\.value) == rhs.given.map(\.value)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(numberOfShards)
        hasher.combine(given.map(\.key))
    }

    /// Parses the `settings` of a create-index request: nested (`{"index":{"number_of_shards":1}}`),
    /// flat (`{"index.number_of_shards":1}`) or bare (`{"number_of_shards":1}`).
    static func parse(_ json: JSONObject?) throws(SearchError) -> IndexSettings {
        var settings = IndexSettings()
        var flat: [(key: String, value: String)] = []
        if let json { try flatten(json, prefix: "", into: &flat) }
        for (rawKey, value) in flat {
            let key = rawKey.hasPrefix("index.") ? rawKey : "index." + rawKey
            try settings.apply(key: key, value: value)
            if let existing = settings.given.firstIndex(where: { $0.key == key }) {
                settings.given[existing].value = value
            } else {
                settings.given.append((key, value))
            }
        }
        return settings
    }

    private static func flatten(_ object: JSONObject, prefix: String, into flat: inout [(key: String, value: String)]) throws(SearchError) {
        for (name, value) in object.members {
            let key = prefix.isEmpty ? name : prefix + "." + name
            switch value {
            case .object(let inner): try flatten(inner, prefix: key, into: &flat)
            case .string(let text): flat.append((key, text))
            case .integer(let number): flat.append((key, String(number)))
            case .double(let number): flat.append((key, String(number)))
            case .bool(let flag): flat.append((key, flag ? "true" : "false"))
            case .null: continue
            case .array(let values): flat.append((key, values.map { $0.stringValue ?? $0.jsonText }.joined(separator: ",")))
            }
        }
    }

    private mutating func apply(key: String, value: String) throws(SearchError) {
        switch key {
        case "index.number_of_shards":
            numberOfShards = try Self.integer(value, key: key, minimum: 1, maximum: 1024)
        case "index.number_of_replicas":
            numberOfReplicas = try Self.integer(value, key: key, minimum: 0, maximum: Int(Int32.max))
        case "index.max_result_window":
            maxResultWindow = try Self.integer(value, key: key, minimum: 1, maximum: Int(Int32.max))
        case "index.refresh_interval":
            refreshInterval = try Self.timeValue(value, key: key)
        default:
            return
        }
    }

    private static func integer(_ text: String, key: String, minimum: Int, maximum: Int) throws(SearchError) -> Int {
        guard let value = Int(text) else { throw .illegalArgument("Failed to parse value [\(text)] for setting [\(key)]") }
        guard value >= minimum else { throw .illegalArgument("Failed to parse value [\(text)] for setting [\(key)] must be >= \(minimum)") }
        guard value <= maximum else { throw .illegalArgument("Failed to parse value [\(text)] for setting [\(key)] must be <= \(maximum)") }
        return value
    }

    /// OpenSearch time values: `-1` (disabled), `0`, or a number with a unit (`nanos`, `micros`, `ms`, `s`, `m`,
    /// `h`, `d`). Returns nil for `-1`.
    static func timeValue(_ text: String, key: String) throws(SearchError) -> Duration? {
        let trimmed = text.trimmingSpaces().lowercased()
        if trimmed == "-1" { return nil }
        if trimmed == "0" { return .zero }
        let units: [(suffix: String, nanoseconds: Int64)] = [
            ("nanos", 1), ("micros", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
        ]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count).trimmingSpaces()
            if let value = Int64(number), value >= 0 { return .nanoseconds(value * unit.nanoseconds) }
            if let value = Double(number), value >= 0, value.isFinite { return .nanoseconds(Int64(value * Double(unit.nanoseconds))) }
            break
        }
        throw .illegalArgument("failed to parse setting [\(key)] with value [\(text)] as a time value: unit is missing or unrecognized")
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

extension IndexSettings {
    /// GET `<index>/_settings` (under `settings`): the `index` object with every value a string.
    func json(name: String, uuid: String, creationDate: Int64) -> JSONObject {
        var flat: [(key: String, value: JSONValue)] = []
        for (key, value) in given where !["index.number_of_shards", "index.number_of_replicas"].contains(key) {
            flat.append((key, .string(value)))
        }
        flat.append(("index.creation_date", .string(String(creationDate))))
        flat.append(("index.number_of_shards", .string(String(numberOfShards))))
        flat.append(("index.number_of_replicas", .string(String(numberOfReplicas))))
        flat.append(("index.uuid", .string(uuid)))
        flat.append(("index.version.created", .string("136327827")))
        flat.append(("index.provided_name", .string(name)))
        var root = JSONObject()
        for (key, value) in flat { Self.insert(value, path: key.split(separator: ".").map(String.init)[...], into: &root) }
        return root
    }

    private static func insert(_ value: JSONValue, path: ArraySlice<String>, into object: inout JSONObject) {
        guard let name = path.first else { return }
        let index = object.members.firstIndex { $0.name == name }
        if path.count == 1 {
            if let index { object.members[index].value = value } else { object.members.append((name, value)) }
            return
        }
        var inner = index.flatMap { object.members[$0].value.objectValue } ?? JSONObject()
        insert(value, path: path.dropFirst(), into: &inner)
        if let index { object.members[index].value = .object(inner) } else { object.members.append((name, .object(inner))) }
    }

    /// The given settings as a flat object (for the index metadata file).
    var flatJSON: JSONObject { JSONObject(given.map { ($0.key, JSONValue.string($0.value)) }) }
}
