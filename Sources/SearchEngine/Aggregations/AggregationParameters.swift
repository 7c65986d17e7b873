import StreamProcessing

/// Reads the parameters of one aggregation body the way OpenSearch's `ObjectParser` does: unknown fields are
/// refused with a "did you mean" hint, values of the wrong kind with "failed to parse field".
struct AggregationParameters {
    let type: String
    let body: JSONObject
    /// Parameters OpenSearch accepts that change nothing here (e.g. `execution_hint`).
    var ignored: [String] = []

    init(type: String, _ body: JSONObject, known: [String], ignored: [String] = []) throws(SearchError) {
        self.type = type
        self.body = body
        self.ignored = ignored
        for (name, _) in body.members where !known.contains(name) && !ignored.contains(name) {
            if name == "script" {
                throw .illegalArgument("[\(type)] scripts are not supported by this engine")
            }
            throw SearchError("x_content_parse_exception", "[\(type)] unknown field [\(name)]\(AggregationSuggestions.didYouMean(name, among: known))")
        }
    }

    subscript(name: String) -> JSONValue? {
        guard let value = body[name], value != .null else { return nil }
        return value
    }

    func failure(_ field: String, _ cause: SearchError? = nil) -> SearchError {
        SearchError("x_content_parse_exception", "[\(type)] failed to parse field [\(field)]", causedBy: cause.map { [$0] } ?? [])
    }

    func string(_ name: String) throws(SearchError) -> String? {
        guard let value = self[name] else { return nil }
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: throw failure(name)
        }
    }

    func int(_ name: String) throws(SearchError) -> Int? {
        guard let value = self[name] else { return nil }
        switch value {
        case .integer(let number): return Int(number)
        case .double(let number) where number.rounded(.towardZero) == number && abs(number) < 1e18: return Int(number)
        case .string(let text):
            if let number = Int(text.aggregationTrimmed) { return number }
            throw failure(name, SearchError("number_format_exception", "For input string: \"\(text)\""))
        default: throw failure(name)
        }
    }

    func double(_ name: String) throws(SearchError) -> Double? {
        guard let value = self[name] else { return nil }
        if let number = value.aggregationNumber { return number }
        throw failure(name, SearchError("number_format_exception", "For input string: \"\(value.jsonText)\""))
    }

    func bool(_ name: String) throws(SearchError) -> Bool? {
        guard let value = self[name] else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default: throw failure(name)
        }
    }

    func object(_ name: String) throws(SearchError) -> JSONObject? {
        guard let value = self[name] else { return nil }
        guard case .object(let object) = value else { throw failure(name) }
        return object
    }
}

extension JSONValue {
    /// A number, or a string holding one (OpenSearch coerces numeric strings).
    var aggregationNumber: Double? {
        switch self {
        case .integer(let number): Double(number)
        case .double(let number): number
        case .string(let text): Double(text.aggregationTrimmed)
        default: nil
        }
    }
}

extension String {
    var aggregationTrimmed: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
