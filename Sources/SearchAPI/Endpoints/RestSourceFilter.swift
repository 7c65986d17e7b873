import SearchEngine
import StreamProcessing

/// `_source` filtering of GET and update responses (`_source=false`, `_source=a,b.*`, `_source_includes`,
/// `_source_excludes`), as OpenSearch's `FetchSourceContext`: an include keeps a field and everything under
/// it; objects are kept when something inside them is; excludes win over includes. Patterns are full dotted
/// paths with `*` wildcards.
struct RestSourceFilter: Sendable {
    var fetch = true
    var includes: [String] = []
    var excludes: [String] = []

    /// From the URL parameters; nil when they ask for the whole source.
    init?(parameters: [String: String]) throws(SearchError) {
        if let source = parameters["_source"] {
            switch source {
            case "", "true": break
            case "false": fetch = false
            default: includes = Self.list(source)
            }
        }
        if let value = parameters["_source_includes"] ?? parameters["_source_include"] { includes += Self.list(value) }
        if let value = parameters["_source_excludes"] ?? parameters["_source_exclude"] { excludes += Self.list(value) }
        if fetch && includes.isEmpty && excludes.isEmpty { return nil }
    }

    /// From a body's `_source` (bool, string, array, or `{includes, excludes}`).
    init?(json: JSONValue) throws(SearchError) {
        switch json {
        case .bool(let flag):
            if flag { return nil }
            fetch = false
        case .string(let pattern): includes = [pattern]
        case .array(let values): includes = values.compactMap(\.stringValue)
        case .object(let object):
            includes = Self.patterns(object["includes"] ?? object["include"])
            excludes = Self.patterns(object["excludes"] ?? object["exclude"])
        default:
            throw SearchError("parsing_exception", "Expected one of [true, false, string, array, object] for [_source]", status: 400)
        }
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init).filter { !$0.isEmpty }
    }

    private static func patterns(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text)?: [text]
        case .array(let values)?: values.compactMap(\.stringValue)
        default: []
        }
    }

    func apply(_ source: JSONObject) -> JSONObject {
        filter(source, prefix: "")
    }

    private func filter(_ object: JSONObject, prefix: String) -> JSONObject {
        var members: [(name: String, value: JSONValue)] = []
        for (name, value) in object.members {
            let path = prefix.isEmpty ? name : prefix + "." + name
            if excludes.contains(where: { GlobPattern.matches($0, path) }) { continue }
            let included = includes.isEmpty || includes.contains { GlobPattern.matches($0, path) }
            if included {
                members.append((name, excludes.isEmpty ? value : pruned(value, path: path, includeAll: true)))
            } else if includes.contains(where: { Self.mayMatchBelow($0, path) }) {
                let inner = pruned(value, path: path, includeAll: false)
                if !Self.isEmptyContainer(inner) { members.append((name, inner)) }
            }
        }
        return JSONObject(members)
    }

    /// Filters inside an included (or partly included) value; arrays are looked through.
    private func pruned(_ value: JSONValue, path: String, includeAll: Bool) -> JSONValue {
        switch value {
        case .object(let object):
            if includeAll {
                var copy = self
                copy.includes = []
                return .object(copy.filter(object, prefix: path))
            }
            return .object(filter(object, prefix: path))
        case .array(let values):
            let kept = values.map { pruned($0, path: path, includeAll: includeAll) }
            return .array(includeAll ? kept : kept.filter { !Self.isEmptyContainer($0) && Self.isContainer($0) })
        default:
            return value
        }
    }

    /// Whether a pattern could match some path below `path` (`a.b*` below `a`).
    private static func mayMatchBelow(_ pattern: String, _ path: String) -> Bool {
        let prefix = path + "."
        if pattern.hasPrefix(prefix) { return true }
        guard let star = pattern.firstIndex(of: "*") else { return false }
        let fixed = pattern[..<star]
        return prefix.hasPrefix(fixed) || fixed.hasPrefix(prefix)
    }

    private static func isContainer(_ value: JSONValue) -> Bool {
        switch value {
        case .object, .array: true
        default: false
        }
    }

    private static func isEmptyContainer(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object): object.members.isEmpty
        case .array(let values): values.isEmpty
        default: false
        }
    }
}
