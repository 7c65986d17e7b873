import StreamProcessing

/// Typed reading of request-body values as OpenSearch's parsers read them: numbers may be given as strings,
/// booleans as `"true"`/`"false"`, and a wrong type is a `parsing_exception` naming the query and the key.
enum DSLValue {
    static func string(_ value: JSONValue, _ query: String, _ key: String) throws(SearchError) -> String {
        if let text = text(value) { return text }
        throw .parsing("[\(query)] [\(key)] expected a value, found \(kind(value))")
    }

    /// A scalar as text (numbers and booleans as OpenSearch prints them); nil for arrays, objects and null.
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) + ".0" : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    static func int(_ value: JSONValue, _ query: String, _ key: String) throws(SearchError) -> Int {
        switch value {
        case .integer(let number) where number >= Int64(Int32.min) && number <= Int64(Int32.max): return Int(number)
        case .double(let number) where number.rounded(.towardZero) == number && abs(number) < 2e9: return Int(number)
        case .string(let text):
            if let number = Int(trim(text)) { return number }
        default: break
        }
        throw .parsing("[\(query)] failed to parse field [\(key)]: not an integer")
    }

    static func float(_ value: JSONValue, _ query: String, _ key: String) throws(SearchError) -> Float {
        switch value {
        case .integer(let number): return Float(number)
        case .double(let number): return Float(number)
        case .string(let text):
            if let number = Float(trim(text)) { return number }
        default: break
        }
        throw .parsing("[\(query)] failed to parse field [\(key)]: not a number")
    }

    static func bool(_ value: JSONValue, _ query: String, _ key: String) throws(SearchError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default: throw .parsing("[\(query)] failed to parse field [\(key)]: Failed to parse value [\(text(value) ?? kind(value))] as only [true] or [false] are allowed.")
        }
    }

    static func object(_ value: JSONValue, _ query: String) throws(SearchError) -> JSONObject {
        guard case .object(let object) = value else {
            throw .parsing("[\(query)] query malformed, no start_object after query name")
        }
        return object
    }

    /// A string or an array of strings.
    static func strings(_ value: JSONValue, _ query: String, _ key: String) throws(SearchError) -> [String] {
        if case .array(let values) = value {
            var result: [String] = []
            for element in values { result.append(try string(element, query, key)) }
            return result
        }
        return [try string(value, query, key)]
    }

    /// Without leading and trailing ASCII white space (no Foundation).
    static func trim(_ text: some StringProtocol) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "VALUE_NULL"
        case .bool: "VALUE_BOOLEAN"
        case .integer, .double: "VALUE_NUMBER"
        case .string: "VALUE_STRING"
        case .array: "START_ARRAY"
        case .object: "START_OBJECT"
        }
    }
}
