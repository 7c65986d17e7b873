import StreamProcessing

/// `_source` filtering: `false`, a field, a list of fields, or `{includes, excludes}`, with `*` wildcards on
/// dotted paths (`user.*`); an included object brings everything under it.
public struct SourceFilter: Sendable {
    public var fetch = true
    public var includes: [String] = []
    public var excludes: [String] = []

    public init(fetch: Bool = true, includes: [String] = [], excludes: [String] = []) {
        self.fetch = fetch
        self.includes = includes
        self.excludes = excludes
    }

    static func parse(_ value: JSONValue) throws(SearchError) -> SourceFilter {
        switch value {
        case .bool(let fetch): return SourceFilter(fetch: fetch)
        case .string(let field): return SourceFilter(includes: [field])
        case .array:
            return SourceFilter(includes: try DSLValue.strings(value, "_source", "_source"))
        case .object(let object):
            var filter = SourceFilter()
            for (key, member) in object {
                switch key {
                case "includes", "include": filter.includes = try DSLValue.strings(member, "_source", key)
                case "excludes", "exclude": filter.excludes = try DSLValue.strings(member, "_source", key)
                default: throw SearchError.parsing("Unknown key for a \(DSLValue.kind(member)) in [\(key)].")
                }
            }
            return filter
        default: throw SearchError.parsing("Expected one of [VALUE_BOOLEAN, VALUE_STRING, START_ARRAY, START_OBJECT] but found [\(DSLValue.kind(value))]")
        }
    }

    /// URL parameters: `_source=false|true|a,b`, `_source_includes=a,b`, `_source_excludes=c`.
    mutating func apply(parameters: [String: String]) {
        if let value = parameters["_source"] {
            switch value {
            case "false": fetch = false
            case "true": fetch = true
            default: includes = value.split(separator: ",").map(String.init)
            }
        }
        if let value = parameters["_source_includes"] ?? parameters["_source_include"] { includes = value.split(separator: ",").map(String.init) }
        if let value = parameters["_source_excludes"] ?? parameters["_source_exclude"] { excludes = value.split(separator: ",").map(String.init) }
    }

    var isIdentity: Bool { fetch && includes.isEmpty && excludes.isEmpty }

    /// The filtered source object.
    func filter(_ source: JSONObject) -> JSONObject {
        if includes.isEmpty && excludes.isEmpty { return source }
        return filter(source, prefix: "", included: includes.isEmpty)
    }

    private func filter(_ object: JSONObject, prefix: String, included: Bool) -> JSONObject {
        var result = JSONObject()
        for (name, value) in object {
            let path = prefix + name
            if excludes.contains(where: { Self.glob($0, path) }) { continue }
            let matched = included || includes.contains { Self.glob($0, path) }
            if let kept = filter(value, path: path, included: matched) { result.members.append((name, kept)) }
        }
        return result
    }

    private func filter(_ value: JSONValue, path: String, included: Bool) -> JSONValue? {
        switch value {
        case .object(let object):
            guard included || includes.contains(where: { Self.mayMatchBelow($0, path) }) else { return nil }
            let inner = filter(object, prefix: path + ".", included: included)
            return included || !inner.members.isEmpty ? .object(inner) : nil
        case .array(let elements):
            guard included || includes.contains(where: { Self.mayMatchBelow($0, path) }) else { return nil }
            var kept: [JSONValue] = []
            for element in elements {
                if let value = filter(element, path: path, included: included) { kept.append(value) }
            }
            return included || !kept.isEmpty ? .array(kept) : nil
        default: return included ? value : nil
        }
    }

    /// `pattern` matches `path` (`*` spans dots).
    static func glob(_ pattern: String, _ path: String) -> Bool {
        if !pattern.contains("*") { return pattern == path }
        return WildcardPattern(pattern).matches(Array(path.utf8))
    }

    /// Whether `pattern` can match something under `path` (`path.…`).
    static func mayMatchBelow(_ pattern: String, _ path: String) -> Bool {
        let below = path + "."
        let literal = pattern.prefix { $0 != "*" }
        if literal.count == pattern.count { return pattern.hasPrefix(below) }
        return literal.count <= below.count ? below.hasPrefix(literal) : literal.hasPrefix(below)
    }
}
