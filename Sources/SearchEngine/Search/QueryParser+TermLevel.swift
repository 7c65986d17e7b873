import StreamProcessing

/// `term`, `terms`, `range`, `exists`, `prefix`, `wildcard`, `regexp`, `fuzzy`, `ids`.
extension QueryParser {
    static func term(_ body: JSONValue) throws(SearchError) -> TermQuerySpec {
        var options = QueryOptions()
        let (field, value) = try fieldMember(body, "term", options: &options)
        guard case .object(let object) = value else {
            return TermQuerySpec(field: field, value: try scalar(value, "term"), options: options)
        }
        var spec = TermQuerySpec(field: field, value: .null, options: options)
        var hasValue = false
        for (key, value) in object {
            if try readOption(key, value, into: &spec.options, "term") { continue }
            switch key {
            case "value": spec.value = try scalar(value, "term"); hasValue = true
            case "case_insensitive": spec.caseInsensitive = try DSLValue.bool(value, "term", key)
            default: throw .parsing("[term] query does not support [\(key)]")
            }
        }
        guard hasValue else { throw .parsing("[term] query requires a value") }
        return spec
    }

    private static func scalar(_ value: JSONValue, _ query: String) throws(SearchError) -> JSONValue {
        switch value {
        case .string, .integer, .double, .bool: return value
        case .null: throw .illegalArgument("value cannot be null")
        default: throw .parsing("[\(query)] query does not support array of values")
        }
    }

    static func terms(_ body: JSONValue) throws(SearchError) -> TermsQuerySpec {
        var options = QueryOptions()
        var found: TermsQuerySpec?
        for (key, value) in try DSLValue.object(body, "terms") {
            if try readOption(key, value, into: &options, "terms") { continue }
            if key == "minimum_should_match" || key == "minimum_should_match_field" { continue }
            guard found == nil else { throw .parsing("[terms] query does not support multiple fields") }
            guard case .array(let values) = value else {
                if case .object = value { throw .parsing("[terms] query does not support terms lookup") }
                throw .parsing("[terms] query does not support [\(key)]")
            }
            var scalars: [JSONValue] = []
            for element in values {
                guard element != .null else { throw .parsing("No value specified for terms query") }
                scalars.append(try scalar(element, "terms"))
            }
            guard scalars.count <= QueryLimits.maxTermsCount else {
                throw .illegalArgument("The number of terms [\(scalars.count)] used in the Terms Query request has exceeded the allowed maximum of [\(QueryLimits.maxTermsCount)]. This maximum can be set by changing the [index.max_terms_count] index level setting.")
            }
            found = TermsQuerySpec(field: key, values: scalars)
        }
        guard var spec = found else { throw .parsing("[terms] query requires a field with an array of terms") }
        spec.options = options
        return spec
    }

    static func range(_ body: JSONValue) throws(SearchError) -> RangeQuerySpec {
        var options = QueryOptions()
        let (field, value) = try fieldMember(body, "range", options: &options)
        var spec = RangeQuerySpec(field: field, options: options)
        for (key, value) in try DSLValue.object(value, "range") {
            if try readOption(key, value, into: &spec.options, "range") { continue }
            let bound: JSONValue? = value == .null ? nil : value
            switch key {
            case "gt": spec.lower = bound; spec.includeLower = false
            case "gte": spec.lower = bound; spec.includeLower = true
            case "lt": spec.upper = bound; spec.includeUpper = false
            case "lte": spec.upper = bound; spec.includeUpper = true
            case "from": spec.lower = bound
            case "to": spec.upper = bound
            case "include_lower": spec.includeLower = try DSLValue.bool(value, "range", key)
            case "include_upper": spec.includeUpper = try DSLValue.bool(value, "range", key)
            case "format": spec.format = try DSLValue.string(value, "range", key)
            case "time_zone": spec.timeZone = try DSLValue.string(value, "range", key)
            case "relation":
                let relation = try DSLValue.string(value, "range", key).lowercased()
                guard ["intersects", "within", "contains"].contains(relation) else {
                    throw .parsing("[range] query does not support relation [\(relation)]")
                }
            default: throw .parsing("[range] query does not support [\(key)]")
            }
        }
        return spec
    }

    static func exists(_ body: JSONValue) throws(SearchError) -> QueryNode {
        var options = QueryOptions()
        var field: String?
        for (key, value) in try DSLValue.object(body, "exists") {
            if try readOption(key, value, into: &options, "exists") { continue }
            guard key == "field" else { throw .parsing("[exists] query does not support [\(key)]") }
            field = try DSLValue.string(value, "exists", key)
        }
        guard let field else { throw .parsing("[exists] must be provided with a [field]") }
        return .exists(field: field, options)
    }

    /// `prefix`, `wildcard`, `regexp`: `{field: "pattern"}` or `{field: {value, case_insensitive, ...}}`.
    static func pattern(_ body: JSONValue, _ query: String, valueKey: String) throws(SearchError) -> PatternQuerySpec {
        var options = QueryOptions()
        let (field, value) = try fieldMember(body, query, options: &options)
        guard case .object(let object) = value else {
            return PatternQuerySpec(field: field, pattern: try DSLValue.string(value, query, valueKey), options: options)
        }
        var spec = PatternQuerySpec(field: field, pattern: "", options: options)
        var hasValue = false
        for (key, value) in object {
            if try readOption(key, value, into: &spec.options, query) { continue }
            switch key {
            case "value",
                "wildcard" where query == "wildcard",
                "prefix" where query == "prefix":
                spec.pattern = try DSLValue.string(value, query, key)
                hasValue = true
            case "case_insensitive": spec.caseInsensitive = try DSLValue.bool(value, query, key)
            case "max_determinized_states" where query == "regexp": spec.maxStates = try DSLValue.int(value, query, key)
            case "flags" where query == "regexp", "flags_value" where query == "regexp", "rewrite": break
            default: throw .parsing("[\(query)] query does not support [\(key)]")
            }
        }
        guard hasValue else { throw .parsing("No value specified for \(query) query") }
        return spec
    }

    static func fuzzy(_ body: JSONValue) throws(SearchError) -> FuzzyQuerySpec {
        var options = QueryOptions()
        let (field, value) = try fieldMember(body, "fuzzy", options: &options)
        let auto = FuzzyOptions(fuzziness: .auto(low: 3, high: 6))
        guard case .object(let object) = value else {
            return FuzzyQuerySpec(field: field, value: try scalar(value, "fuzzy"), fuzzy: auto, options: options)
        }
        var spec = FuzzyQuerySpec(field: field, value: .null, fuzzy: auto, options: options)
        for (key, value) in object {
            if try readOption(key, value, into: &spec.options, "fuzzy") { continue }
            switch key {
            case "value": spec.value = try scalar(value, "fuzzy")
            case "fuzziness": spec.fuzzy.fuzziness = try fuzziness(value, "fuzzy")
            case "prefix_length": spec.fuzzy.prefixLength = try nonNegative(value, "fuzzy", key)
            case "max_expansions": spec.fuzzy.maxExpansions = try maxExpansions(value, "fuzzy")
            case "transpositions": spec.fuzzy.transpositions = try DSLValue.bool(value, "fuzzy", key)
            case "rewrite": break
            default: throw .parsing("[fuzzy] query does not support [\(key)]")
            }
        }
        guard spec.value != .null else { throw .parsing("No value specified for fuzzy query") }
        return spec
    }

    static func ids(_ body: JSONValue) throws(SearchError) -> QueryNode {
        var options = QueryOptions()
        var ids: [String] = []
        for (key, value) in try DSLValue.object(body, "ids") {
            if try readOption(key, value, into: &options, "ids") { continue }
            switch key {
            case "values": ids = try DSLValue.strings(value, "ids", key)
            case "type", "types": break
            default: throw .parsing("[ids] query does not support [\(key)]")
            }
        }
        return .ids(ids, options)
    }
}
