/// A raw setting before it is typed: what TOML, the environment or a flag said.
enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case list([ConfigValue])

    /// How a person would write it in the TOML file.
    var tomlLiteral: String {
        switch self {
        case .string(let string): return tomlQuoted(string)
        case .integer(let integer): return String(integer)
        case .boolean(let boolean): return String(boolean)
        case .list(let items): return "[" + items.map(\.tomlLiteral).joined(separator: ", ") + "]"
        }
    }

    var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .boolean: return "a boolean"
        case .list: return "an array"
        }
    }
}

/// Where a setting came from, for error messages and `config print`.
public enum ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    case defaultValue
    case file(path: String, line: Int?)
    case environment(variable: String)
    case flag(String)

    public var description: String {
        switch self {
        case .defaultValue: return "(default)"
        case .file(let path, let line): return line.map { "\(path):\($0)" } ?? path
        case .environment(let variable): return "environment \(variable)"
        case .flag(let flag): return "flag \(flag)"
        }
    }
}

/// Settings by dotted path (`sources.community.url`), each with where it came from; later layers win.
struct ConfigLayers {
    private(set) var values: [String: (value: ConfigValue, origin: ConfigOrigin)] = [:]

    mutating func set(_ path: String, _ value: ConfigValue, from origin: ConfigOrigin) {
        values[path] = (value, origin)
    }

    subscript(path: String) -> (value: ConfigValue, origin: ConfigOrigin)? { values[path] }

    /// The names of the `[sources.<name>]` sections that any layer mentions, sorted.
    var sourceNames: [String] {
        Set(values.keys.compactMap { path -> String? in
            let parts = path.split(separator: ".", maxSplits: 2)
            return parts.count == 3 && parts[0] == "sources" ? String(parts[1]) : nil
        }).sorted()
    }
}

func tomlQuoted(_ string: String) -> String {
    var out = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
