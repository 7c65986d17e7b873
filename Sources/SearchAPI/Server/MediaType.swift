/// The media types the API reads: JSON and NDJSON, plain or as Elasticsearch's versioned
/// `application/vnd.elasticsearch+json; compatible-with=8` (sent by elasticsearch-py 8).
struct MediaType: Equatable, Sendable {
    enum Format: Sendable { case json, ndjson }

    var format: Format
    /// `compatible-with` of a `vnd.elasticsearch` type; nil for the plain types.
    var compatibleWith: Int?

    /// Parses a `Content-Type` or `Accept` value; nil when it is none of the accepted types.
    init?(_ header: String) {
        let parts = header.split(separator: ";").map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
        guard let essence = parts.first else { return nil }
        switch essence {
        case "application/json": format = .json
        case "application/x-ndjson": format = .ndjson
        case "application/vnd.elasticsearch+json": format = .json
        case "application/vnd.elasticsearch+x-ndjson": format = .ndjson
        default: return nil
        }
        compatibleWith = nil
        if essence.hasPrefix("application/vnd.elasticsearch+") {
            let version = parts.dropFirst().first { $0.hasPrefix("compatible-with=") }.map { $0.dropFirst("compatible-with=".count) }
            guard let version, let number = Int(version) else { return nil }
            compatibleWith = number
        }
    }

    /// The `compatible-with` version a request asked for, from its `Content-Type` or else its `Accept`.
    static func compatibleVersion(contentType: String?, accept: String?) -> Int? {
        if let contentType, let type = MediaType(contentType), let version = type.compatibleWith { return version }
        guard let accept else { return nil }
        for candidate in accept.split(separator: ",") {
            if let type = MediaType(String(candidate)), let version = type.compatibleWith { return version }
        }
        return nil
    }
}
