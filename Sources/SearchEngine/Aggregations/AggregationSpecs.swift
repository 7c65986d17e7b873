import StreamProcessing

/// The field an aggregation reads, and how documents without a value count (`missing`).
struct ValueSourceSpec: Sendable {
    var field: String
    var missing: JSONValue?
    /// `format`: a date format for key_as_string / value_as_string (dates only here).
    var format: String?

    init(_ reader: AggregationParameters, requireField: Bool = true) throws(SearchError) {
        guard let field = try reader.string("field") else {
            throw .illegalArgument("Required one of fields [field, script], but none were specified. ")
        }
        self.field = field
        missing = reader["missing"]
        format = try reader.string("format")
    }
}

/// A bucket order: `_count`, `_key` or a single-value sub-aggregation (`name` or `name.metric`).
enum BucketOrder: Sendable, Equatable {
    case count(ascending: Bool)
    case key(ascending: Bool)
    case subAggregation(name: String, metric: String?, ascending: Bool)

    static func parse(_ value: JSONValue, type: String) throws(SearchError) -> [BucketOrder] {
        switch value {
        case .object(let object): return try object.members.map { (path, direction) throws(SearchError) in try parse(path, direction, type: type) }
        case .array(let elements):
            var orders: [BucketOrder] = []
            for element in elements {
                guard case .object(let object) = element else { throw .parsing("Order elements must be objects in [\(type)]") }
                for (path, direction) in object.members { orders.append(try parse(path, direction, type: type)) }
            }
            return orders
        default: throw SearchError("x_content_parse_exception", "[\(type)] failed to parse field [order]")
        }
    }

    private static func parse(_ path: String, _ direction: JSONValue, type: String) throws(SearchError) -> BucketOrder {
        guard case .string(let text) = direction else { throw .parsing("Unexpected token \(AggregationRequest.tokenName(direction)) for [order]") }
        let ascending: Bool
        switch text.lowercased() {
        case "asc": ascending = true
        case "desc": ascending = false
        default: throw .parsing("Unknown order direction [\(text)]")
        }
        switch path {
        case "_count": return .count(ascending: ascending)
        case "_key", "_term", "_time": return .key(ascending: ascending)
        default:
            if let dot = path.firstIndex(of: ".") {
                return .subAggregation(name: String(path[..<dot]), metric: String(path[path.index(after: dot)...]), ascending: ascending)
            }
            if let bracket = path.firstIndex(of: "[") {
                let metric = path[path.index(after: bracket)...].dropLast()
                return .subAggregation(name: String(path[..<bracket]), metric: String(metric), ascending: ascending)
            }
            return .subAggregation(name: path, metric: nil, ascending: ascending)
        }
    }
}

/// `include` / `exclude` of a terms aggregation.
enum TermsFilterSpec: Sendable {
    case regex(String)
    case values([JSONValue])
    case partition(Int, of: Int)

    static func parse(_ value: JSONValue, field: String) throws(SearchError) -> TermsFilterSpec {
        switch value {
        case .string(let pattern): return .regex(pattern)
        case .array(let values): return .values(values)
        case .object(let object):
            guard let partition = object["partition"]?.aggregationNumber, let count = object["num_partitions"]?.aggregationNumber, count > 0
            else { throw .parsing("Missing [partition] or [num_partitions] parameter for include/exclude") }
            return .partition(Int(partition), of: Int(count))
        default: throw SearchError("x_content_parse_exception", "[terms] failed to parse field [\(field)]")
        }
    }
}

struct TermsSpec: Sendable {
    var source: ValueSourceSpec
    var size: Int
    var shardSize: Int?
    var minDocCount: Int
    var order: [BucketOrder]
    var include: TermsFilterSpec?
    var exclude: TermsFilterSpec?

    init(name: String, _ body: JSONObject) throws(SearchError) {
        let reader = try AggregationParameters(
            type: "terms", body,
            known: ["field", "size", "shard_size", "min_doc_count", "shard_min_doc_count", "order", "include", "exclude", "missing", "format"],
            ignored: ["execution_hint", "collect_mode", "show_term_doc_count_error", "value_type"])
        source = try ValueSourceSpec(reader)
        size = try reader.int("size") ?? 10
        guard size > 0 else { throw .illegalArgument("[size] must be greater than 0. Found [\(size)] in [\(name)]") }
        shardSize = try reader.int("shard_size")
        minDocCount = try reader.int("min_doc_count") ?? 1
        guard minDocCount >= 0 else { throw .illegalArgument("[minDocCount] must be greater than or equal to 0. Found [\(minDocCount)] in [\(name)]") }
        order = try reader["order"].map { (value) throws(SearchError) in try BucketOrder.parse(value, type: "terms") } ?? [.count(ascending: false)]
        include = try reader["include"].map { (value) throws(SearchError) in try TermsFilterSpec.parse(value, field: "include") }
        exclude = try reader["exclude"].map { (value) throws(SearchError) in try TermsFilterSpec.parse(value, field: "exclude") }
    }
}

struct CardinalitySpec: Sendable {
    var source: ValueSourceSpec
    var precisionThreshold: Int

    init(_ body: JSONObject) throws(SearchError) {
        let reader = try AggregationParameters(
            type: "cardinality", body, known: ["field", "precision_threshold", "missing", "format"], ignored: ["execution_hint", "rehash", "value_type"])
        source = try ValueSourceSpec(reader)
        let threshold = try reader.int("precision_threshold") ?? 3000
        guard threshold >= 0 else { throw .illegalArgument("[precisionThreshold] must be greater than or equal to 0. Found [\(threshold)] in [cardinality]") }
        precisionThreshold = min(threshold, 40_000)
    }
}

struct MetricSpec: Sendable {
    enum Metric: String, Sendable {
        case valueCount = "value_count", sum, avg, min, max, stats
    }

    var metric: Metric
    var source: ValueSourceSpec

    init(metric: Metric, _ body: JSONObject) throws(SearchError) {
        self.metric = metric
        let reader = try AggregationParameters(type: metric.rawValue, body, known: ["field", "missing", "format"], ignored: ["value_type"])
        source = try ValueSourceSpec(reader)
    }
}

struct FiltersSpec: Sendable {
    /// Named filters (keyed response) or anonymous ones (a list), in request order.
    var filters: [(name: String, query: JSONValue)]
    var keyed: Bool
    var otherBucketKey: String?

    init(_ body: JSONObject) throws(SearchError) {
        let reader = try AggregationParameters(type: "filters", body, known: ["filters", "other_bucket", "other_bucket_key"])
        switch reader["filters"] {
        case .object(let named)?:
            filters = named.members.map { ($0.name, $0.value) }
            keyed = true
        case .array(let anonymous)?:
            filters = anonymous.enumerated().map { (String($0.offset), $0.element) }
            keyed = false
        default:
            throw .parsing("[filters] cannot be null.")
        }
        let key = try reader.string("other_bucket_key")
        let other = try reader.bool("other_bucket") ?? (key != nil)
        otherBucketKey = other ? (key ?? "_other_") : nil
    }
}
