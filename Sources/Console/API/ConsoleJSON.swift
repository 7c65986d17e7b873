import Foundation
import Hummingbird

/// The one JSON encoding of the console API (snake_case keys) and the responses built from it.
enum ConsoleJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding our own value types cannot fail (no non-finite doubles reach here: rates are finite).
        return (try? Array(encoder.encode(value))) ?? Array(#"{"error":{"type":"encoding_failed","reason":"cannot encode the response"},"status":500}"#.utf8)
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        bytes(encode(value), status: status)
    }

    static func bytes(_ body: [UInt8], status: HTTPResponse.Status = .ok, contentType: String = "application/json; charset=UTF-8") -> Response {
        Response(
            status: status,
            headers: [.contentType: contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func error(_ error: ConsoleError) -> Response {
        bytes(encode(ErrorBody(error)), status: HTTPResponse.Status(code: error.status))
    }

    /// `{"error":{"type","reason"},"status"}`, as OpenSearch answers.
    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var type: String
            var reason: String
        }

        var error: Detail
        var status: Int

        init(_ error: ConsoleError) {
            self.error = Detail(type: error.type, reason: error.reason)
            status = error.status
        }
    }
}
