import StreamProcessing

/// One named aggregation of a search request (`"aggs": {"<name>": {"<type>": {...}, "aggs": {...}}}`), parsed and
/// validated as OpenSearch 2.x parses it. Executed by `AggregationExecutor.run`.
public struct AggregationRequest: Sendable {
    public let name: String
    /// The aggregation type as written (`terms`, `date_histogram`, ...).
    public var type: String { kind.typeName }
    /// `meta`, echoed back in the response.
    public let meta: JSONObject?
    public let subAggregations: [AggregationRequest]
    let kind: AggregationKind

    init(name: String, kind: AggregationKind, meta: JSONObject?, subAggregations: [AggregationRequest]) {
        self.name = name
        self.kind = kind
        self.meta = meta
        self.subAggregations = subAggregations
    }

    /// Whether this aggregation or one below it reads the matches' scores (`top_hits`).
    var needsScores: Bool {
        if case .topHits = kind { return true }
        return subAggregations.contains { $0.needsScores }
    }

    /// Parses the `aggs` / `aggregations` object of a search body.
    public static func parse(_ json: JSONObject) throws(SearchError) -> [AggregationRequest] {
        var requests: [AggregationRequest] = []
        var seen = Set<String>()
        for (name, value) in json.members {
            guard isValidName(name) else {
                throw .parsing("Invalid aggregation name [\(name)]. Aggregation names can contain any character except '[', ']', and '>'")
            }
            guard case .object(let definition) = value else {
                throw .parsing("Aggregation definition for [\(name) starts with a [\(tokenName(value))], expected a [START_OBJECT].")
            }
            let request = try parseDefinition(name: name, definition)
            guard seen.insert(name).inserted else {
                throw .illegalArgument("Two sibling aggregations cannot have the same name: [\(name)]")
            }
            requests.append(request)
        }
        return requests
    }

    private static func parseDefinition(name: String, _ definition: JSONObject) throws(SearchError) -> AggregationRequest {
        var kind: AggregationKind?
        var typeName: String?
        var meta: JSONObject?
        var subs: [AggregationRequest]?
        for (field, value) in definition.members {
            guard case .object(let body) = value else {
                throw .parsing("Expected [START_OBJECT] under [\(field)], but got a [\(tokenName(value))] in [\(name)]")
            }
            switch field {
            case "meta": meta = body
            case "aggs", "aggregations":
                if subs != nil { throw .parsing("Found two sub aggregation definitions under [\(name)]") }
                subs = try parse(body)
            default:
                if let typeName { throw .parsing("Found two aggregation type definitions in [\(name)]: [\(typeName)] and [\(field)]") }
                typeName = field
                kind = try AggregationKind.parse(type: field, name: name, body: body)
            }
        }
        guard let kind else { throw .parsing("Missing definition for aggregation [\(name)]") }
        let children = subs ?? []
        if !children.isEmpty, !kind.acceptsSubAggregations {
            throw SearchError(
                "aggregation_initialization_exception", "Aggregator [\(name)] of type [\(kind.typeName)] cannot accept sub-aggregations", status: 500)
        }
        return AggregationRequest(name: name, kind: kind, meta: meta, subAggregations: children)
    }

    /// OpenSearch's `VALID_AGG_NAME`: any character except `[`, `]` and `>`, at least one.
    private static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains(where: { $0 == "[" || $0 == "]" || $0 == ">" })
    }

    /// The Jackson token name OpenSearch puts in its messages for a value.
    static func tokenName(_ value: JSONValue) -> String {
        switch value {
        case .null: "VALUE_NULL"
        case .bool: "VALUE_BOOLEAN"
        case .integer, .double: "VALUE_NUMBER"
        case .string: "VALUE_STRING"
        case .array: "START_ARRAY"
        case .object: "START_OBJECT"
        }
    }
}
