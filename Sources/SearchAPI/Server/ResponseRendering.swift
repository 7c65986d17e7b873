import StreamProcessing

/// `?pretty` and `?filter_path` over response bodies.
enum ResponseRendering {
    /// OpenSearch's pretty output (Jackson's default pretty printer with arrays indented like objects):
    /// two-space indentation, `"name" : value`, empty containers as `{ }` and `[ ]`, a final newline.
    static func pretty(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        appendPretty(value, indent: 0, to: &output)
        output.append(UInt8(ascii: "\n"))
        return output
    }

    private static func appendPretty(_ value: JSONValue, indent: Int, to output: inout [UInt8]) {
        switch value {
        case .object(let object):
            guard !object.members.isEmpty else { return output += Array("{ }".utf8) }
            output.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                output += Array((position == 0 ? "\n" : ",\n").utf8)
                output += [UInt8](repeating: UInt8(ascii: " "), count: indent + 2)
                JSONWriter.appendString(member.name, to: &output)
                output += Array(" : ".utf8)
                appendPretty(member.value, indent: indent + 2, to: &output)
            }
            output.append(UInt8(ascii: "\n"))
            output += [UInt8](repeating: UInt8(ascii: " "), count: indent)
            output.append(UInt8(ascii: "}"))
        case .array(let values):
            guard !values.isEmpty else { return output += Array("[ ]".utf8) }
            output.append(UInt8(ascii: "["))
            for (position, element) in values.enumerated() {
                output += Array((position == 0 ? "\n" : ",\n").utf8)
                output += [UInt8](repeating: UInt8(ascii: " "), count: indent + 2)
                appendPretty(element, indent: indent + 2, to: &output)
            }
            output.append(UInt8(ascii: "\n"))
            output += [UInt8](repeating: UInt8(ascii: " "), count: indent)
            output.append(UInt8(ascii: "]"))
        default:
            JSONWriter.append(value, to: &output)
        }
    }
}

/// `?filter_path=hits.hits._id,-took`: keeps only the members matching an include pattern (when there is
/// one) and drops those matching an exclude pattern (`-` prefix). Patterns are dotted paths whose
/// segments may use `*` wildcards; `**` matches any number of segments. Arrays are looked through.
struct FilterPath {
    private var includes: [[String]] = []
    private var excludes: [[String]] = []

    init?(_ parameter: String?) {
        guard let parameter, !parameter.isEmpty else { return nil }
        for pattern in parameter.split(separator: ",").map({ $0.filter { $0 != " " } }) where !pattern.isEmpty {
            if pattern.hasPrefix("-") {
                excludes.append(pattern.dropFirst().split(separator: ".").map(String.init))
            } else {
                includes.append(pattern.split(separator: ".").map(String.init))
            }
        }
        if includes.isEmpty && excludes.isEmpty { return nil }
    }

    func apply(_ value: JSONValue) -> JSONValue {
        var result = value
        if !includes.isEmpty { result = Self.include(result, includes) ?? .object(JSONObject()) }
        if !excludes.isEmpty { result = Self.exclude(result, excludes) }
        return result
    }

    /// The parts of `value` that the patterns reach; nil when none.
    private static func include(_ value: JSONValue, _ patterns: [[String]]) -> JSONValue? {
        if patterns.contains(where: \.isEmpty) { return value }
        switch value {
        case .array(let values):
            let kept = values.compactMap { include($0, patterns) }
            return kept.isEmpty ? nil : .array(kept)
        case .object(let object):
            var members: [(name: String, value: JSONValue)] = []
            for (name, inner) in object.members {
                let rest = patterns.flatMap { advance($0, over: name) }
                guard !rest.isEmpty, let kept = include(inner, rest) else { continue }
                members.append((name, kept))
            }
            return members.isEmpty ? nil : .object(JSONObject(members))
        default:
            return nil
        }
    }

    private static func exclude(_ value: JSONValue, _ patterns: [[String]]) -> JSONValue {
        switch value {
        case .array(let values):
            return .array(values.map { exclude($0, patterns) })
        case .object(let object):
            var members: [(name: String, value: JSONValue)] = []
            for (name, inner) in object.members {
                let rest = patterns.flatMap { advance($0, over: name) }
                if rest.contains(where: \.isEmpty) { continue }
                members.append((name, rest.isEmpty ? inner : exclude(inner, rest)))
            }
            return .object(JSONObject(members))
        default:
            return value
        }
    }

    /// What remains of `pattern` after it consumed the member `name` (none when it does not match).
    private static func advance(_ pattern: [String], over name: String) -> [[String]] {
        guard let head = pattern.first else { return [] }
        if head == "**" {
            // `**` may stop here (the rest applies to this member) or keep consuming.
            return advance(Array(pattern.dropFirst()), over: name) + [pattern]
        }
        return GlobPattern.matches(head, name) ? [Array(pattern.dropFirst())] : []
    }
}

/// `*` glob matching (OpenSearch's `Regex.simpleMatch`).
enum GlobPattern {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard pattern.contains("*") else { return pattern == text }
        let pieces = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(text)
        guard let first = pieces.first, rest.hasPrefix(first) else { return false }
        rest = rest.dropFirst(first.count)
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let range = rest.firstRange(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        guard let last = pieces.last else { return true }
        return rest.hasSuffix(last)
    }
}
