import SearchEngine
import StreamProcessing

/// What an endpoint answers: a status, a JSON or text body, extra headers. The responder renders it
/// (`?pretty`, `?filter_path`, content type, compatibility headers).
struct RestResponse: Sendable {
    enum Body: Sendable {
        case json(JSONValue)
        /// `_cat` tables (`text/plain`).
        case text(String)
        case empty
    }

    var status: Int
    var body: Body
    var headers: [(name: String, value: String)] = []

    init(status: Int = 200, body: Body, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    static func json(_ object: JSONObject, status: Int = 200) -> RestResponse {
        RestResponse(status: status, body: .json(.object(object)))
    }

    static func acknowledged(_ extra: [(name: String, value: JSONValue)] = []) -> RestResponse {
        .json(JSONObject([("acknowledged", .bool(true))] + extra))
    }

    /// OpenSearch's error body for a `SearchError`.
    static func error(_ error: SearchError) -> RestResponse {
        RestResponse(status: error.status, body: .json(.object(ErrorBody.json(error))))
    }

    /// OpenSearch's "simple" error body, `{"error":"<message>","status":N}` (405, 406, and the like).
    static func simpleError(_ message: String, status: Int) -> RestResponse {
        .json(JSONObject([("error", .string(message)), ("status", .integer(Int64(status)))]), status: status)
    }
}

/// Errors of the REST layer itself (the engine's are in SearchEngine).
enum RestErrors {
    static var bodyRequired: SearchError { SearchError("parse_exception", "request body is required", status: 400) }

    static func unsupportedScript() -> SearchError {
        .illegalArgument("scripts are not supported by this server: use [doc] or [upsert] for partial updates")
    }

    static func contentTooLong(length: Int, limit: Int) -> SearchError {
        SearchError(
            "content_too_long_exception",
            "request body is too large: [\(length)] bytes, the limit is [\(limit)] bytes (http.max_content_length)", status: 413)
    }

    static func validation(_ problems: [String]) -> SearchError {
        let text = problems.enumerated().map { "\($0.offset + 1): \($0.element);" }.joined(separator: "")
        return SearchError("action_request_validation_exception", "Validation Failed: \(text)", status: 400)
    }

    static func internalError(_ error: any Error) -> SearchError {
        SearchError("exception", "\(error)", status: 500)
    }
}
