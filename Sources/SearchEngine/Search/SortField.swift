import StreamProcessing

/// One `sort` criterion: `_score`, `_doc`, `_shard_doc` or a field, with OpenSearch's options.
public struct SortField: Sendable {
    public enum Target: Sendable, Equatable {
        case score
        /// Index order within an index (`_doc`): the document's position over the snapshot's segments.
        case doc
        /// Index order across the searched indices (`_shard_doc`): the tiebreaker scroll and PIT pages use.
        case shardDoc
        case field(String)
    }

    public enum Mode: String, Sendable {
        case min, max, sum, avg, median
    }

    public enum Missing: Sendable, Equatable {
        case last, first
        case value(JSONValue)
    }

    public var target: Target
    public var descending: Bool
    public var missing: Missing = .last
    public var mode: Mode?
    /// The type to assume in indices where the field is not mapped (they then sort as missing).
    public var unmappedType: String?
    /// Date fields: the format of the sort values in hits (epoch millis when nil).
    public var format: String?

    public init(target: Target, descending: Bool? = nil) {
        self.target = target
        self.descending = descending ?? (target == .score)
    }

    /// The mode used for multi-valued fields: `min` ascending, `max` descending, unless set.
    var effectiveMode: Mode { mode ?? (descending ? .max : .min) }

    /// Whether missing values sort before all others in the result order.
    var missingSortsFirst: Bool {
        if case .first = missing { return true }
        return false
    }
}

/// The `sort` request member (string, object, or array of those) and the `sort` URL parameter (`f:desc,g`).
enum SortParser {
    static func parse(_ value: JSONValue) throws(SearchError) -> [SortField] {
        switch value {
        case .array(let elements):
            var fields: [SortField] = []
            for element in elements { fields += try parse(element) }
            return fields
        case .string(let name): return [SortField(target: target(name))]
        case .object(let object):
            var fields: [SortField] = []
            for (name, options) in object { fields.append(try field(name, options)) }
            return fields
        default: throw SearchError.parsing("[sort] expected a string, an object or an array, found \(DSLValue.kind(value))")
        }
    }

    static func parse(parameter: String) throws(SearchError) -> [SortField] {
        var fields: [SortField] = []
        for part in parameter.split(separator: ",") {
            let pieces = part.split(separator: ":", maxSplits: 1)
            var field = SortField(target: target(String(pieces[0])))
            if pieces.count == 2 { field.descending = try descending(String(pieces[1])) }
            fields.append(field)
        }
        return fields
    }

    private static func target(_ name: String) -> SortField.Target {
        switch name {
        case "_score": .score
        case "_doc": .doc
        case "_shard_doc": .shardDoc
        default: .field(name)
        }
    }

    private static func descending(_ order: String) throws(SearchError) -> Bool {
        switch order.lowercased() {
        case "asc": return false
        case "desc": return true
        default: throw SearchError.illegalArgument("Unknown SortOrder [\(order)]")
        }
    }

    private static func field(_ name: String, _ options: JSONValue) throws(SearchError) -> SortField {
        var field = SortField(target: target(name))
        if case .string(let order) = options {
            field.descending = try descending(order)
            return field
        }
        guard case .object(let object) = options else { throw SearchError.parsing("[\(name)] sort options must be a string or an object") }
        let context = field.target == .score ? "score_sort" : "field_sort"
        for (key, value) in object {
            switch key {
            case "order": field.descending = try descending(try DSLValue.string(value, context, key))
            case "missing":
                switch value {
                case .string("_last"): field.missing = .last
                case .string("_first"): field.missing = .first
                case .null: field.missing = .last
                default: field.missing = .value(value)
                }
            case "mode":
                let text = try DSLValue.string(value, context, key)
                guard let mode = SortField.Mode(rawValue: text.lowercased()) else { throw SearchError.illegalArgument("Unknown MultiValueMode [\(text)]") }
                field.mode = mode
            case "unmapped_type": field.unmappedType = try DSLValue.string(value, context, key)
            case "format": field.format = try DSLValue.string(value, context, key)
            case "numeric_type", "nested", "nested_path", "nested_filter": break
            default: throw SearchError.parsing("[\(context)] unknown field [\(key)]")
            }
        }
        return field
    }
}
