import StreamProcessing

/// A parsed query DSL object, ready to run against any index (`SearchExecutor`, and the aggregations'
/// `filter`/`filters`, which get it through `AggregationContext.filter`).
public struct ParsedQuery: Sendable {
    let node: QueryNode

    /// `match_all`.
    public static let matchAll = ParsedQuery(node: .matchAll(QueryOptions()))
}

/// The query DSL parser: JSON (`{"bool":{"must":[...]}}`) to `QueryNode`, with OpenSearch's errors
/// (`parsing_exception` for unknown queries and malformed clauses). Nothing here looks at a mapping.
public enum QueryParser {
    public static func parse(_ json: JSONValue) throws(SearchError) -> ParsedQuery {
        ParsedQuery(node: try node(json, depth: 0))
    }

    static func node(_ json: JSONValue, depth: Int) throws(SearchError) -> QueryNode {
        guard depth <= QueryLimits.maxNestedDepth else {
            throw .illegalArgument("The nested depth of the query exceeds the maximum nested depth for queries set in [indices.query.max_nested_depth]")
        }
        guard case .object(let object) = json else {
            throw .parsing("[_na] query malformed, must start with start_object")
        }
        guard let (name, body) = object.members.first else {
            throw .parsing("query malformed, empty clause found")
        }
        if object.members.count > 1 {
            throw .parsing("[\(name)] malformed query, expected [END_OBJECT] but found [FIELD_NAME]")
        }
        return try node(named: name, body, depth: depth)
    }

    private static func node(named name: String, _ body: JSONValue, depth: Int) throws(SearchError) -> QueryNode {
        switch name {
        case "match_all": return .matchAll(try optionsOnly(body, name))
        case "match_none": return .matchNone(try optionsOnly(body, name))
        case "match": return .match(try match(body))
        case "match_phrase": return .matchPhrase(try phrase(body, name, isPrefix: false))
        case "match_phrase_prefix": return .matchPhrase(try phrase(body, name, isPrefix: true))
        case "multi_match": return .multiMatch(try multiMatch(body))
        case "query_string": return .queryString(try queryString(body))
        case "simple_query_string": return .simpleQueryString(try simpleQueryString(body))
        case "term": return .term(try term(body))
        case "terms": return .terms(try terms(body))
        case "range": return .range(try range(body))
        case "exists": return try exists(body)
        case "prefix": return .prefix(try pattern(body, name, valueKey: "value"))
        case "wildcard": return .wildcard(try pattern(body, name, valueKey: "value"))
        case "regexp": return .regexp(try pattern(body, name, valueKey: "value"))
        case "fuzzy": return .fuzzy(try fuzzy(body))
        case "ids": return try ids(body)
        case "bool": return .bool(try bool(body, depth: depth))
        case "constant_score": return try constantScore(body, depth: depth)
        case "dis_max": return try disMax(body, depth: depth)
        default: throw .parsing("unknown query [\(name)]")
        }
    }

    // MARK: Shared pieces

    /// Reads `boost` / `_name`; true when `key` was one of them.
    static func readOption(_ key: String, _ value: JSONValue, into options: inout QueryOptions, _ query: String) throws(SearchError) -> Bool {
        switch key {
        case "boost": options.boost = try DSLValue.float(value, query, key)
        case "_name": options.name = try DSLValue.string(value, query, key)
        default: return false
        }
        return true
    }

    private static func optionsOnly(_ body: JSONValue, _ query: String) throws(SearchError) -> QueryOptions {
        var options = QueryOptions()
        for (key, value) in try DSLValue.object(body, query) {
            if try !readOption(key, value, into: &options, query) { throw unsupported(query, key) }
        }
        return options
    }

    static func unsupported(_ query: String, _ key: String) -> SearchError {
        .parsing("[\(query)] query does not support [\(key)]")
    }

    /// The single `{field: ...}` member of a field-level query (`match`, `term`, `range`, ...), with `boost`
    /// and `_name` allowed next to it.
    static func fieldMember(_ body: JSONValue, _ query: String, options: inout QueryOptions) throws(SearchError) -> (field: String, value: JSONValue) {
        var found: (field: String, value: JSONValue)?
        for (key, value) in try DSLValue.object(body, query) {
            if try readOption(key, value, into: &options, query) { continue }
            if let found { throw .parsing("[\(query)] query doesn't support multiple fields, found [\(found.field)] and [\(key)]") }
            found = (key, value)
        }
        guard let found else { throw .parsing("[\(query)] query malformed, no field specified") }
        return found
    }

    static func fuzziness(_ value: JSONValue, _ query: String) throws(SearchError) -> Fuzziness {
        let text = DSLValue.text(value) ?? ""
        if text.uppercased() == "AUTO" { return .auto(low: 3, high: 6) }
        if text.uppercased().hasPrefix("AUTO:") {
            let bounds = text.dropFirst(5).split(separator: ",").compactMap { Int(DSLValue.trim($0)) }
            guard bounds.count == 2, bounds[0] >= 0, bounds[1] >= bounds[0] else {
                throw .parsing("[\(query)] failed to find low and high distance values")
            }
            return .auto(low: bounds[0], high: bounds[1])
        }
        if let edits = Int(text), (0...2).contains(edits) { return .edits(edits) }
        if let number = Double(text), number >= 0, number.rounded(.towardZero) <= 2 { return .edits(Int(number)) }
        throw .parsing("[\(query)] failed to parse [fuzziness]: invalid fuzziness value: [\(text)]")
    }

    static func isOperatorAnd(_ value: JSONValue, _ query: String) throws(SearchError) -> Bool {
        switch try DSLValue.string(value, query, "operator").lowercased() {
        case "and": return true
        case "or": return false
        case let other: throw .illegalArgument("No enum constant for operator [\(other)]")
        }
    }

    static func zeroTermsAll(_ value: JSONValue, _ query: String) throws(SearchError) -> Bool {
        switch try DSLValue.string(value, query, "zero_terms_query").lowercased() {
        case "all": return true
        case "none": return false
        case let other: throw .parsing("[\(query)] Unsupported zero_terms_query value [\(other)]")
        }
    }

    /// `minimum_should_match`: an integer or a spec string (`2`, `-1`, `75%`, `3<90%`).
    static func minimumShouldMatch(_ value: JSONValue, _ query: String) throws(SearchError) -> String {
        try DSLValue.string(value, query, "minimum_should_match")
    }

    // MARK: Compound queries

    private static func bool(_ body: JSONValue, depth: Int) throws(SearchError) -> BoolQuerySpec {
        var spec = BoolQuerySpec()
        for (key, value) in try DSLValue.object(body, "bool") {
            if try readOption(key, value, into: &spec.options, "bool") { continue }
            switch key {
            case "must": spec.must = try clauses(value, depth: depth)
            case "should": spec.should = try clauses(value, depth: depth)
            case "filter": spec.filter = try clauses(value, depth: depth)
            case "must_not", "mustNot": spec.mustNot = try clauses(value, depth: depth)
            case "minimum_should_match", "minimumShouldMatch": spec.minimumShouldMatch = try minimumShouldMatch(value, "bool")
            case "adjust_pure_negative", "disable_coord": _ = try DSLValue.bool(value, "bool", key)
            default: throw .parsing("[bool] query does not support [\(key)]")
            }
        }
        return spec
    }

    /// One clause object or an array of them.
    private static func clauses(_ value: JSONValue, depth: Int) throws(SearchError) -> [QueryNode] {
        switch value {
        case .array(let elements):
            var result: [QueryNode] = []
            for element in elements { result.append(try node(element, depth: depth + 1)) }
            return result
        case .object: return [try node(value, depth: depth + 1)]
        case .null: return []
        default: throw .parsing("[bool] query malformed, expected an object or an array of objects")
        }
    }

    private static func constantScore(_ body: JSONValue, depth: Int) throws(SearchError) -> QueryNode {
        var options = QueryOptions()
        var filter: QueryNode?
        for (key, value) in try DSLValue.object(body, "constant_score") {
            if try readOption(key, value, into: &options, "constant_score") { continue }
            guard key == "filter" else { throw .parsing("[constant_score] query does not support [\(key)]") }
            filter = try node(value, depth: depth + 1)
        }
        guard let filter else { throw .parsing("[constant_score] requires a 'filter' element") }
        return .constantScore(filter, options)
    }

    private static func disMax(_ body: JSONValue, depth: Int) throws(SearchError) -> QueryNode {
        var options = QueryOptions()
        var queries: [QueryNode] = []
        var tieBreaker: Float = 0
        for (key, value) in try DSLValue.object(body, "dis_max") {
            if try readOption(key, value, into: &options, "dis_max") { continue }
            switch key {
            case "queries": queries = try clauses(value, depth: depth)
            case "tie_breaker": tieBreaker = try DSLValue.float(value, "dis_max", key)
            default: throw .parsing("[dis_max] query does not support [\(key)]")
            }
        }
        guard !queries.isEmpty else { throw .parsing("[dis_max] requires 'queries' field with at least one clause") }
        return .disMax(queries, tieBreaker: tieBreaker, options)
    }
}
