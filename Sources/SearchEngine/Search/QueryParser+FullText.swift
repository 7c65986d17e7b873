import StreamProcessing

/// `match`, `match_phrase`, `match_phrase_prefix`, `multi_match`, `query_string`, `simple_query_string`.
extension QueryParser {
    static func match(_ body: JSONValue) throws(SearchError) -> MatchQuerySpec {
        var options = QueryOptions()
        let (field, value) = try fieldMember(body, "match", options: &options)
        guard case .object(let object) = value else {
            return MatchQuerySpec(field: field, text: try DSLValue.string(value, "match", "query"), options: options)
        }
        var spec = MatchQuerySpec(field: field, text: "", options: options)
        var fuzzy = FuzzyOptions(fuzziness: .edits(0))
        var hasFuzziness = false
        var hasQuery = false
        for (key, value) in object {
            if try readOption(key, value, into: &spec.options, "match") { continue }
            switch key {
            case "query": spec.text = try DSLValue.string(value, "match", key); hasQuery = true
            case "operator": spec.isOperatorAnd = try isOperatorAnd(value, "match")
            case "minimum_should_match": spec.minimumShouldMatch = try minimumShouldMatch(value, "match")
            case "fuzziness": fuzzy.fuzziness = try fuzziness(value, "match"); hasFuzziness = true
            case "prefix_length": fuzzy.prefixLength = try DSLValue.int(value, "match", key)
            case "max_expansions": fuzzy.maxExpansions = try maxExpansions(value, "match")
            case "fuzzy_transpositions": fuzzy.transpositions = try DSLValue.bool(value, "match", key)
            case "analyzer": spec.analyzer = try DSLValue.string(value, "match", key)
            case "lenient": spec.lenient = try DSLValue.bool(value, "match", key)
            case "zero_terms_query": spec.zeroTermsAll = try zeroTermsAll(value, "match")
            case "fuzzy_rewrite", "auto_generate_synonyms_phrase_query", "cutoff_frequency": break
            default: throw .parsing("[match] query does not support [\(key)]")
            }
        }
        guard hasQuery else { throw .parsing("No text specified for text query") }
        if hasFuzziness { spec.fuzzy = fuzzy }
        return spec
    }

    static func phrase(_ body: JSONValue, _ name: String, isPrefix: Bool) throws(SearchError) -> PhraseQuerySpec {
        var options = QueryOptions()
        let (field, value) = try fieldMember(body, name, options: &options)
        guard case .object(let object) = value else {
            return PhraseQuerySpec(field: field, text: try DSLValue.string(value, name, "query"), isPrefix: isPrefix, options: options)
        }
        var spec = PhraseQuerySpec(field: field, text: "", isPrefix: isPrefix, options: options)
        var hasQuery = false
        for (key, value) in object {
            if try readOption(key, value, into: &spec.options, name) { continue }
            switch key {
            case "query": spec.text = try DSLValue.string(value, name, key); hasQuery = true
            case "slop": spec.slop = try nonNegative(value, name, key)
            case "max_expansions" where isPrefix: spec.maxExpansions = try maxExpansions(value, name)
            case "analyzer": spec.analyzer = try DSLValue.string(value, name, key)
            case "zero_terms_query": spec.zeroTermsAll = try zeroTermsAll(value, name)
            default: throw .parsing("[\(name)] query does not support [\(key)]")
            }
        }
        guard hasQuery else { throw .parsing("No text specified for text query") }
        return spec
    }

    static func multiMatch(_ body: JSONValue) throws(SearchError) -> MultiMatchQuerySpec {
        var spec = MultiMatchQuerySpec(text: "", fields: [])
        var fuzzy = FuzzyOptions(fuzziness: .edits(0))
        var hasFuzziness = false
        var hasQuery = false
        for (key, value) in try DSLValue.object(body, "multi_match") {
            if try readOption(key, value, into: &spec.options, "multi_match") { continue }
            switch key {
            case "query": spec.text = try DSLValue.string(value, "multi_match", key); hasQuery = true
            case "fields": spec.fields = try DSLValue.strings(value, "multi_match", key)
            case "type":
                let name = try DSLValue.string(value, "multi_match", key).lowercased()
                guard let kind = MultiMatchQuerySpec.Kind(rawValue: name) else {
                    throw .parsing("[multi_match] query type [\(name)] unknown")
                }
                spec.kind = kind
            case "tie_breaker": spec.tieBreaker = try DSLValue.float(value, "multi_match", key)
            case "operator": spec.isOperatorAnd = try isOperatorAnd(value, "multi_match")
            case "minimum_should_match": spec.minimumShouldMatch = try minimumShouldMatch(value, "multi_match")
            case "fuzziness": fuzzy.fuzziness = try fuzziness(value, "multi_match"); hasFuzziness = true
            case "prefix_length": fuzzy.prefixLength = try DSLValue.int(value, "multi_match", key)
            case "max_expansions":
                fuzzy.maxExpansions = try maxExpansions(value, "multi_match")
                spec.maxExpansions = fuzzy.maxExpansions
            case "fuzzy_transpositions": fuzzy.transpositions = try DSLValue.bool(value, "multi_match", key)
            case "slop": spec.slop = try nonNegative(value, "multi_match", key)
            case "analyzer": spec.analyzer = try DSLValue.string(value, "multi_match", key)
            case "lenient": spec.lenient = try DSLValue.bool(value, "multi_match", key)
            case "zero_terms_query": spec.zeroTermsAll = try zeroTermsAll(value, "multi_match")
            case "fuzzy_rewrite", "auto_generate_synonyms_phrase_query", "cutoff_frequency": break
            default: throw .parsing("[multi_match] query does not support [\(key)]")
            }
        }
        guard hasQuery else { throw .parsing("[multi_match] requires query value") }
        if hasFuzziness {
            if spec.kind != .bestFields && spec.kind != .mostFields && spec.kind != .boolPrefix {
                throw .parsing("Fuzziness not allowed for type [\(spec.kind.rawValue)]")
            }
            spec.fuzzy = fuzzy
        }
        return spec
    }

    static func queryString(_ body: JSONValue) throws(SearchError) -> QueryStringSpec {
        var spec = QueryStringSpec(query: "")
        var hasQuery = false
        let name = "query_string"
        for (key, value) in try DSLValue.object(body, name) {
            if try readOption(key, value, into: &spec.options, name) { continue }
            switch key {
            case "query": spec.query = try DSLValue.string(value, name, key); hasQuery = true
            case "default_field": spec.defaultField = try DSLValue.string(value, name, key)
            case "fields": spec.fields = try DSLValue.strings(value, name, key)
            case "default_operator": spec.isOperatorAnd = try isOperatorAnd(value, name)
            case "analyzer": spec.analyzer = try DSLValue.string(value, name, key)
            case "lenient": spec.lenient = try DSLValue.bool(value, name, key)
            case "allow_leading_wildcard": spec.allowLeadingWildcard = try DSLValue.bool(value, name, key)
            case "fuzziness": spec.fuzziness = try fuzziness(value, name)
            case "fuzzy_prefix_length": spec.fuzzyPrefixLength = try nonNegative(value, name, key)
            case "fuzzy_max_expansions": spec.fuzzyMaxExpansions = try maxExpansions(value, name)
            case "fuzzy_transpositions": spec.fuzzyTranspositions = try DSLValue.bool(value, name, key)
            case "phrase_slop": spec.phraseSlop = try nonNegative(value, name, key)
            case "tie_breaker": spec.tieBreaker = try DSLValue.float(value, name, key)
            case "minimum_should_match": spec.minimumShouldMatch = try minimumShouldMatch(value, name)
            case "analyze_wildcard": spec.analyzeWildcard = try DSLValue.bool(value, name, key)
            case "type":
                let type = try DSLValue.string(value, name, key)
                guard MultiMatchQuerySpec.Kind(rawValue: type) != nil else { throw .parsing("[query_string] query type [\(type)] unknown") }
            case "quote_analyzer", "quote_field_suffix", "auto_generate_synonyms_phrase_query", "enable_position_increments",
                "escape", "max_determinized_states", "rewrite", "fuzzy_rewrite", "time_zone", "split_on_whitespace",
                "auto_generate_phrase_queries":
                break
            default: throw .parsing("[query_string] query does not support [\(key)]")
            }
        }
        guard hasQuery else { throw .parsing("[query_string] must be provided with a [query]") }
        return spec
    }

    static func simpleQueryString(_ body: JSONValue) throws(SearchError) -> SimpleQueryStringSpec {
        var spec = SimpleQueryStringSpec(query: "")
        var hasQuery = false
        let name = "simple_query_string"
        for (key, value) in try DSLValue.object(body, name) {
            if try readOption(key, value, into: &spec.options, name) { continue }
            switch key {
            case "query": spec.query = try DSLValue.string(value, name, key); hasQuery = true
            case "fields": spec.fields = try DSLValue.strings(value, name, key)
            case "default_operator": spec.isOperatorAnd = try isOperatorAnd(value, name)
            case "flags": spec.flags = try simpleFlags(value)
            case "analyzer": spec.analyzer = try DSLValue.string(value, name, key)
            case "lenient": spec.lenient = try DSLValue.bool(value, name, key)
            case "minimum_should_match": spec.minimumShouldMatch = try minimumShouldMatch(value, name)
            case "fuzzy_prefix_length": spec.fuzzyPrefixLength = try nonNegative(value, name, key)
            case "fuzzy_max_expansions": spec.fuzzyMaxExpansions = try maxExpansions(value, name)
            case "fuzzy_transpositions": spec.fuzzyTranspositions = try DSLValue.bool(value, name, key)
            case "analyze_wildcard", "auto_generate_synonyms_phrase_query", "quote_field_suffix": break
            default: throw .parsing("[simple_query_string] unsupported field [\(key)]")
            }
        }
        guard hasQuery else { throw .parsing("[simple_query_string] query text missing") }
        return spec
    }

    /// `flags`: `ALL`, `NONE`, or names joined by `|` (`AND|OR|PREFIX`); also the numeric form.
    private static func simpleFlags(_ value: JSONValue) throws(SearchError) -> SimpleQueryStringSpec.Flags {
        if case .integer(let raw) = value { return raw == -1 ? .all : SimpleQueryStringSpec.Flags(rawValue: Int(raw)) }
        var flags: SimpleQueryStringSpec.Flags = []
        for name in try DSLValue.string(value, "simple_query_string", "flags").split(separator: "|") {
            switch DSLValue.trim(name).uppercased() {
            case "ALL": flags.formUnion(.all)
            case "NONE": break
            case "AND": flags.insert(.and)
            case "NOT": flags.insert(.not)
            case "OR": flags.insert(.or)
            case "PREFIX": flags.insert(.prefix)
            case "PHRASE": flags.insert(.phrase)
            case "PRECEDENCE": flags.insert(.precedence)
            case "ESCAPE": flags.insert(.escape)
            case "WHITESPACE": flags.insert(.whitespace)
            case "FUZZY": flags.insert(.fuzzy)
            case "NEAR", "SLOP": flags.insert(.near)
            case let other: throw .illegalArgument("Unknown simple_query_string flag [\(other)]")
            }
        }
        return flags
    }

    static func maxExpansions(_ value: JSONValue, _ query: String) throws(SearchError) -> Int {
        let count = try DSLValue.int(value, query, "max_expansions")
        guard count > 0 else { throw .illegalArgument("[max_expansions] must be greater than 0") }
        return count
    }

    static func nonNegative(_ value: JSONValue, _ query: String, _ key: String) throws(SearchError) -> Int {
        let number = try DSLValue.int(value, query, key)
        guard number >= 0 else { throw .illegalArgument("[\(query)] requires [\(key)] to be non-negative") }
        return number
    }
}
