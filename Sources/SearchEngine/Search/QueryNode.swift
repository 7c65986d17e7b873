import StreamProcessing

/// A query as the request wrote it (OpenSearch's query builders): parsed from the DSL without looking at any
/// mapping, so a syntax error is found once, before any index is searched. `QueryCompiler` turns it, per index,
/// into a `CompiledQuery` against that index's mapping.
indirect enum QueryNode: Sendable {
    case matchAll(QueryOptions)
    case matchNone(QueryOptions)
    case match(MatchQuerySpec)
    case matchPhrase(PhraseQuerySpec)
    case multiMatch(MultiMatchQuerySpec)
    case queryString(QueryStringSpec)
    case simpleQueryString(SimpleQueryStringSpec)
    case term(TermQuerySpec)
    case terms(TermsQuerySpec)
    case range(RangeQuerySpec)
    case exists(field: String, QueryOptions)
    case prefix(PatternQuerySpec)
    case wildcard(PatternQuerySpec)
    case regexp(PatternQuerySpec)
    case fuzzy(FuzzyQuerySpec)
    case ids([String], QueryOptions)
    case bool(BoolQuerySpec)
    case constantScore(QueryNode, QueryOptions)
    case disMax([QueryNode], tieBreaker: Float, QueryOptions)
}

/// `boost` and `_name`, which every query accepts.
struct QueryOptions: Sendable {
    var boost: Float = 1
    var name: String?
}

/// `fuzziness`: a number of edits, or `AUTO[:low,high]` (0 edits below `low` code points, 1 below `high`, else 2).
enum Fuzziness: Sendable, Equatable {
    case edits(Int)
    case auto(low: Int, high: Int)

    func maxEdits(termLength: Int) -> Int {
        switch self {
        case .edits(let edits): return edits
        case .auto(let low, let high): return termLength < low ? 0 : termLength < high ? 1 : 2
        }
    }
}

struct FuzzyOptions: Sendable {
    var fuzziness: Fuzziness
    var prefixLength = 0
    var maxExpansions = QueryLimits.defaultMaxExpansions
    var transpositions = true
}


struct MatchQuerySpec: Sendable {
    var field: String
    var text: String
    var isOperatorAnd = false
    var minimumShouldMatch: String?
    var fuzzy: FuzzyOptions?
    var analyzer: String?
    var lenient = false
    var zeroTermsAll = false
    var options = QueryOptions()
}

struct PhraseQuerySpec: Sendable {
    var field: String
    var text: String
    var slop = 0
    /// `match_phrase_prefix`: the last term is a prefix expanded to at most `maxExpansions` terms.
    var isPrefix = false
    var maxExpansions = QueryLimits.defaultMaxExpansions
    var analyzer: String?
    var zeroTermsAll = false
    var options = QueryOptions()
}

struct MultiMatchQuerySpec: Sendable {
    enum Kind: String, Sendable {
        case bestFields = "best_fields", mostFields = "most_fields", crossFields = "cross_fields"
        case phrase, phrasePrefix = "phrase_prefix", boolPrefix = "bool_prefix"
    }
    var text: String
    /// Field patterns with optional `^boost`; empty means `index.query.default_field` (`*`).
    var fields: [String]
    var kind = Kind.bestFields
    var tieBreaker: Float?
    var isOperatorAnd = false
    var minimumShouldMatch: String?
    var fuzzy: FuzzyOptions?
    var slop = 0
    var maxExpansions = QueryLimits.defaultMaxExpansions
    var analyzer: String?
    var lenient = false
    var zeroTermsAll = false
    var options = QueryOptions()
}

struct QueryStringSpec: Sendable {
    var query: String
    var defaultField: String?
    var fields: [String] = []
    var isOperatorAnd = false
    var analyzer: String?
    var lenient = false
    var allowLeadingWildcard = true
    var fuzziness = Fuzziness.auto(low: 3, high: 6)
    var fuzzyPrefixLength = 0
    var fuzzyMaxExpansions = QueryLimits.defaultMaxExpansions
    var fuzzyTranspositions = true
    var phraseSlop = 0
    var tieBreaker: Float = 0
    var minimumShouldMatch: String?
    var analyzeWildcard = false
    var options = QueryOptions()
}

struct SimpleQueryStringSpec: Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: Int
        static let and = Flags(rawValue: 1), not = Flags(rawValue: 2), or = Flags(rawValue: 4)
        static let prefix = Flags(rawValue: 8), phrase = Flags(rawValue: 16), precedence = Flags(rawValue: 32)
        static let escape = Flags(rawValue: 64), whitespace = Flags(rawValue: 128), fuzzy = Flags(rawValue: 256)
        static let near = Flags(rawValue: 512), slop = Flags(rawValue: 512)
        static let all: Flags = [.and, .not, .or, .prefix, .phrase, .precedence, .escape, .whitespace, .fuzzy, .near]
    }
    var query: String
    var fields: [String] = []
    var isOperatorAnd = false
    var flags = Flags.all
    var analyzer: String?
    var lenient = false
    var minimumShouldMatch: String?
    var fuzzyPrefixLength = 0
    var fuzzyMaxExpansions = QueryLimits.defaultMaxExpansions
    var fuzzyTranspositions = true
    var options = QueryOptions()
}

struct TermQuerySpec: Sendable {
    var field: String
    var value: JSONValue
    var caseInsensitive = false
    var options = QueryOptions()
}

struct TermsQuerySpec: Sendable {
    var field: String
    var values: [JSONValue]
    var options = QueryOptions()
}

struct RangeQuerySpec: Sendable {
    var field: String
    var lower: JSONValue?
    var upper: JSONValue?
    var includeLower = true
    var includeUpper = true
    var format: String?
    var timeZone: String?
    var options = QueryOptions()
}

/// `prefix`, `wildcard` and `regexp`.
struct PatternQuerySpec: Sendable {
    var field: String
    var pattern: String
    var caseInsensitive = false
    /// regexp: `max_determinized_states`.
    var maxStates = QueryLimits.maxRegexStates
    var options = QueryOptions()
}

struct FuzzyQuerySpec: Sendable {
    var field: String
    var value: JSONValue
    var fuzzy: FuzzyOptions
    var options = QueryOptions()
}

struct BoolQuerySpec: Sendable {
    var must: [QueryNode] = []
    var should: [QueryNode] = []
    var filter: [QueryNode] = []
    var mustNot: [QueryNode] = []
    var minimumShouldMatch: String?
    var options = QueryOptions()
}
