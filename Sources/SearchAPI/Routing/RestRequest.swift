import SearchEngine
import StreamProcessing

/// HTTP methods the API knows; anything else is `.other` (answered with 405 or 400 as OpenSearch does).
enum RestMethod: Hashable, Sendable, CustomStringConvertible {
    case get, head, post, put, delete
    case other(String)

    init(_ name: String) {
        switch name.uppercased() {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "DELETE": self = .delete
        default: self = .other(name.uppercased())
        }
    }

    var description: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .other(let name): name
        }
    }
}

/// One REST request as the endpoints see it: method, decoded path segments, URL parameters and the whole
/// body. Built by the responder; independent of Hummingbird so endpoints are plain functions.
struct RestRequest: Sendable {
    var method: RestMethod
    /// The path as sent (still percent-encoded), for error messages.
    var rawPath: String
    /// Path segments, percent-decoded one by one (so `%2F` inside an id stays in its segment).
    var segments: [String]
    var parameters: [String: String]
    var body: [UInt8]
    /// The `compatible-with` version of a `application/vnd.elasticsearch+json` request, if one was sent.
    var compatibleWith: Int?

    init(method: RestMethod, rawPath: String, query: String?, body: [UInt8] = [], compatibleWith: Int? = nil) {
        self.method = method
        self.rawPath = rawPath
        segments = rawPath.split(separator: "/", omittingEmptySubsequences: true).map { PercentDecoding.decode($0, plusAsSpace: false) }
        parameters = PercentDecoding.queryParameters(query ?? "")
        self.body = body
        self.compatibleWith = compatibleWith
    }

    func parameter(_ name: String) -> String? { parameters[name] }

    /// A boolean parameter as OpenSearch reads it: present without a value or `true` → true, `false` → false.
    func flag(_ name: String, default value: Bool = false) throws(SearchError) -> Bool {
        guard let text = parameters[name] else { return value }
        switch text {
        case "", "true": return true
        case "false": return false
        default: throw .illegalArgument("Failed to parse value [\(text)] as only [true] or [false] are allowed.")
        }
    }

    func integer(_ name: String) throws(SearchError) -> Int? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int(text) else { throw .illegalArgument("Failed to parse int parameter [\(name)] with value [\(text)]") }
        return value
    }

    func long(_ name: String) throws(SearchError) -> Int64? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int64(text) else { throw .illegalArgument("Failed to parse long parameter [\(name)] with value [\(text)]") }
        return value
    }

    /// The body (or the `source` parameter, for clients that cannot send a body with GET), nil when empty.
    var content: [UInt8]? {
        if !body.isEmpty { return body }
        if let source = parameters["source"], !source.isEmpty { return Array(source.utf8) }
        return nil
    }

    /// The body parsed as a JSON object; nil when there is none.
    func jsonObject() throws(SearchError) -> JSONObject? {
        guard let content else { return nil }
        return try RestJSON.object(content)
    }

    /// The body parsed as a JSON object; `request body is required` when there is none.
    func requiredJSONObject() throws(SearchError) -> JSONObject {
        guard let object = try jsonObject() else { throw RestErrors.bodyRequired }
        return object
    }
}

/// Parsing request JSON into OpenSearch's errors.
enum RestJSON {
    static func value(_ bytes: [UInt8]) throws(SearchError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw SearchError("json_parse_exception", "\(error.reason) at byte \(error.offset)", status: 400)
        }
    }

    static func object(_ bytes: [UInt8]) throws(SearchError) -> JSONObject {
        let parsed = try value(bytes)
        guard case .object(let object) = parsed else {
            throw SearchError("parse_exception", "request body must be a JSON object", status: 400)
        }
        return object
    }
}

/// `%XX` decoding of paths and query strings, as OpenSearch's `RestUtils.decodeComponent`.
enum PercentDecoding {
    static func decode(_ text: some StringProtocol, plusAsSpace: Bool) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "%")) || (plusAsSpace && bytes.contains(UInt8(ascii: "+"))) else { return String(text) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `a=1&b&c=x%20y` → `["a": "1", "b": "", "c": "x y"]`; a repeated name keeps its last value.
    static func queryParameters(_ query: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: "=") {
                parameters[decode(pair[..<equals], plusAsSpace: true)] = decode(pair[pair.index(after: equals)...], plusAsSpace: true)
            } else {
                parameters[decode(pair, plusAsSpace: true)] = ""
            }
        }
        return parameters
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
