/// The parsed form of a `query_string` / `simple_query_string` text, before fields are resolved.
indirect enum QueryStringNode: Sendable {
    /// A term analyzed with the field's analyzer.
    case term(field: String?, text: String, boost: Float)
    /// `term~` / `term~2` (nil edits: the query's `fuzziness`).
    case fuzzy(field: String?, text: String, edits: Int?, boost: Float)
    /// A term with `*` or `?`.
    case wildcard(field: String?, pattern: String, boost: Float)
    /// `/regexp/`.
    case regexp(field: String?, pattern: String, boost: Float)
    /// `"a phrase"~slop` (nil slop: the query's `phrase_slop`).
    case phrase(field: String?, text: String, slop: Int?, boost: Float)
    /// `[a TO b]`, `{a TO *}`, `>=a`; nil bounds are open.
    case range(field: String?, lower: String?, upper: String?, includeLower: Bool, includeUpper: Bool, boost: Float)
    /// `_exists_:field`, `field:*`.
    case exists(field: String, boost: Float)
    /// `*:*`.
    case matchAll(boost: Float)
    case group([QueryStringClause], boost: Float)

    func boosted(_ factor: Float) -> QueryStringNode {
        switch self {
        case .term(let field, let text, let boost): .term(field: field, text: text, boost: boost * factor)
        case .fuzzy(let field, let text, let edits, let boost): .fuzzy(field: field, text: text, edits: edits, boost: boost * factor)
        case .wildcard(let field, let pattern, let boost): .wildcard(field: field, pattern: pattern, boost: boost * factor)
        case .regexp(let field, let pattern, let boost): .regexp(field: field, pattern: pattern, boost: boost * factor)
        case .phrase(let field, let text, let slop, let boost): .phrase(field: field, text: text, slop: slop, boost: boost * factor)
        case .range(let field, let lower, let upper, let includeLower, let includeUpper, let boost):
            .range(field: field, lower: lower, upper: upper, includeLower: includeLower, includeUpper: includeUpper, boost: boost * factor)
        case .exists(let field, let boost): .exists(field: field, boost: boost * factor)
        case .matchAll(let boost): .matchAll(boost: boost * factor)
        case .group(let clauses, let boost): .group(clauses, boost: boost * factor)
        }
    }
}

struct QueryStringClause: Sendable {
    enum Occur: Sendable { case must, should, mustNot }
    var occur: Occur
    var node: QueryStringNode
}

/// A syntax error in query text; reported as OpenSearch's `query_shard_exception` "Failed to parse query [...]".
struct QueryStringSyntaxError: Error {
    var message: String
}
