/// An error in OpenSearch's vocabulary: the exception `type` clients switch on (`index_not_found_exception`,
/// `parsing_exception`, ...), a human `reason`, and the REST status OpenSearch gives it. The engine knows no
/// HTTP; the REST layer renders this as `{"error":{"root_cause":[...],"type":...,"reason":...},"status":...}`.
///
/// Reasons name fields, indices and ids, never document values.
public struct SearchError: Error, Sendable, CustomStringConvertible {
    public var type: String
    public var reason: String
    public var status: Int
    /// The index concerned, when there is one (`error.index` in OpenSearch's body).
    public var index: String?
    /// Extra members OpenSearch puts in the error object (`line`, `col`, `resource.id`, ...).
    public var details: [(name: String, value: String)]
    /// A nested cause (`caused_by`).
    public var causedBy: [SearchError]

    public init(_ type: String, _ reason: String, status: Int = 400, index: String? = nil, details: [(name: String, value: String)] = [], causedBy: [SearchError] = []) {
        self.type = type
        self.reason = reason
        self.status = status
        self.index = index
        self.details = details
        self.causedBy = causedBy
    }

    public var description: String { "\(type): \(reason)" }
}

extension SearchError {
    public static func indexNotFound(_ index: String) -> SearchError {
        SearchError("index_not_found_exception", "no such index [\(index)]", status: 404, index: index, details: [("resource.type", "index_or_alias"), ("resource.id", index)])
    }
    public static func indexExists(_ index: String) -> SearchError {
        SearchError("resource_already_exists_exception", "index [\(index)] already exists", status: 400, index: index)
    }
    public static func parsing(_ reason: String) -> SearchError {
        SearchError("parsing_exception", reason, status: 400)
    }
    public static func illegalArgument(_ reason: String) -> SearchError {
        SearchError("illegal_argument_exception", reason, status: 400)
    }
    public static func versionConflict(index: String, id: String, reason: String) -> SearchError {
        SearchError("version_conflict_engine_exception", "[\(id)]: version conflict, \(reason)", status: 409, index: index)
    }
    public static func mapperParsing(_ reason: String) -> SearchError {
        SearchError("mapper_parsing_exception", reason, status: 400)
    }
    public static func documentMissing(index: String, id: String) -> SearchError {
        SearchError("document_missing_exception", "[\(id)]: document missing", status: 404, index: index)
    }
}
