import Foundation
import TOMLKit

/// A setting given on the command line (or by the demo), as text, like an environment variable.
public struct ConfigOverride: Sendable {
    public var path: String
    public var value: String
    public var origin: ConfigOrigin

    public init(path: String, value: String, origin: ConfigOrigin) {
        self.path = path
        self.value = value
        self.origin = origin
    }
}

/// A loaded configuration and, for `config print`, every effective setting with where it came from.
public struct LoadedConfig: Sendable {
    public var config: ApplianceConfig
    /// The file that was read, if any.
    public var filePath: String?
    /// Where each setting came from, by dotted path; a key missing here has its default or a computed value.
    public var origins: [String: ConfigOrigin]
}

extension ApplianceConfig {
    /// The default configuration file, relative to the working directory.
    public static let defaultFilePath = "appliance.conf"

    /// Loads the configuration: flags (`overrides`) over the environment over the file over defaults.
    ///
    /// - Parameters:
    ///   - filePath: the `--config` path; nil means `$MOODLE_PIPELINE_CONFIG` or `./appliance.conf`, and a
    ///     missing default file is not an error (everything can come from the environment).
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    /// - Throws: `ConfigErrors` listing every problem, each naming the key and where it was set.
    public static func load(
        filePath: String?,
        environment: [String: String],
        overrides: [ConfigOverride] = []
    ) throws(ConfigErrors) -> LoadedConfig {
        var errors: [ConfigError] = []
        var layers = ConfigLayers()
        for key in ConfigSchema.keys where key.section != ConfigSchema.sourceSection {
            if let value = key.defaultValue { layers.set(key.path(), value, from: .defaultValue) }
        }

        let explicitPath = filePath ?? environment["MOODLE_PIPELINE_CONFIG"]
        let path = explicitPath ?? defaultFilePath
        var readPath: String?
        if explicitPath != nil || FileManager.default.fileExists(atPath: path) {
            readPath = path
            loadFile(path, into: &layers, errors: &errors)
            // A file that cannot be read or parsed says nothing about the keys: stop at its error.
            if errors.contains(where: { $0.code == .syntax || $0.code == .unreadableFile && $0.key.isEmpty }) {
                throw ConfigErrors(errors: errors)
            }
        }
        loadEnvironment(environment, into: &layers, errors: &errors)
        for override in overrides {
            guard let key = ConfigSchema.key(forPath: override.path) else {
                errors.append(ConfigError(.unknownKey, key: override.path, origin: override.origin, "unknown setting"))
                continue
            }
            switch convert(override.value, to: key.shape) {
            case .success(let value): layers.set(override.path, value, from: override.origin)
            case .failure(let error): errors.append(ConfigError(.wrongType, key: override.path, origin: override.origin, error.message))
            }
        }

        var reader = ConfigReader(layers: layers)
        let config = reader.decode()
        errors += reader.errors
        guard errors.isEmpty else { throw ConfigErrors(errors: errors) }
        return LoadedConfig(config: config, filePath: readPath, origins: reader.origins)
    }

    // MARK: - The file

    private static func loadFile(_ path: String, into layers: inout ConfigLayers, errors: inout [ConfigError]) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            errors.append(ConfigError(.unreadableFile, key: "", origin: .file(path: path, line: nil), "cannot read the configuration file: \(Self.reason(error))"))
            return
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let origin = ConfigOrigin.file(path: path, line: error.source.begin.line)
            errors.append(ConfigError(.syntax, key: "", origin: origin, "invalid TOML: \(error.description)"))
            return
        } catch {
            errors.append(ConfigError(.syntax, key: "", origin: .file(path: path, line: nil), "invalid TOML: \(error)"))
            return
        }
        let locator = TOMLKeyLocator(text: text)
        walk(table, prefix: [], path: path, locator: locator, into: &layers, errors: &errors)
    }

    /// Adds every leaf of `table` to the layers, reporting unknown sections and keys and wrong types.
    private static func walk(
        _ table: TOMLTable, prefix: [String], path file: String, locator: TOMLKeyLocator,
        into layers: inout ConfigLayers, errors: inout [ConfigError]
    ) {
        for (name, node) in table {
            let parts = prefix + [name]
            let path = parts.joined(separator: ".")
            let origin = ConfigOrigin.file(path: file, line: locator.line(of: path))
            if let child = node.table {
                if parts.count == 2, parts[0] == "sources", let problem = sourceNameProblem(name) {
                    errors.append(ConfigError(.invalidValue, key: path, origin: origin, problem))
                    continue
                } else if !isKnownSection(parts) {
                    errors.append(ConfigError(.unknownKey, key: path, origin: origin, "unknown section; known sections: \(knownSectionsList)"))
                    continue
                }
                walk(child, prefix: parts, path: file, locator: locator, into: &layers, errors: &errors)
                continue
            }
            guard let key = ConfigSchema.key(forPath: path), isKnownSection(Array(prefix)) else {
                let section = prefix.joined(separator: ".")
                errors.append(ConfigError(.unknownKey, key: path, origin: origin, "unknown key\(knownKeysHint(section))"))
                continue
            }
            switch value(of: node, shape: key.shape) {
            case .success(let value): layers.set(path, value, from: origin)
            case .failure(let error): errors.append(ConfigError(.wrongType, key: path, origin: origin, error.message))
            }
        }
    }

    private static func value(of node: any TOMLValueConvertible, shape: ConfigSchema.Shape) -> Result<ConfigValue, Problem> {
        switch (shape, node.type) {
        case (.string, .string), (.integerOrString, .string):
            return .success(.string(node.string ?? ""))
        case (.integer, .int), (.integerOrString, .int):
            return .success(.integer(node.int ?? 0))
        case (.stringList, .array):
            var items: [ConfigValue] = []
            for item in node.array ?? TOMLArray() {
                guard item.type == .string, let string = item.string else {
                    return .failure(Problem("expected an array of strings, found an element that is \(item.type)"))
                }
                items.append(.string(string))
            }
            return .success(.list(items))
        default:
            return .failure(Problem("expected \(describe(shape)), found \(node.type)"))
        }
    }

    // MARK: - The environment

    private static func loadEnvironment(_ environment: [String: String], into layers: inout ConfigLayers, errors: inout [ConfigError]) {
        let fixed = Dictionary(uniqueKeysWithValues: ConfigSchema.keys
            .filter { $0.section != ConfigSchema.sourceSection }
            .map { (ConfigSchema.environmentVariable(forPath: $0.path()), $0) })
        let sourceKeys = ConfigSchema.keys.filter { $0.section == ConfigSchema.sourceSection }
            .sorted { $0.name.count > $1.name.count }
        for (variable, text) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix("MOODLE_PIPELINE_") {
            if variable == "MOODLE_PIPELINE_CONFIG" { continue }
            let origin = ConfigOrigin.environment(variable: variable)
            var found: (path: String, key: ConfigSchema.Key)?
            if let key = fixed[variable] {
                found = (key.path(), key)
            } else if variable.hasPrefix("MOODLE_PIPELINE_SOURCES_") {
                let rest = variable.dropFirst("MOODLE_PIPELINE_SOURCES_".count)
                for key in sourceKeys where rest.hasSuffix("_" + key.name.uppercased()) {
                    let name = rest.dropLast(key.name.count + 1).lowercased()
                    if let problem = sourceNameProblem(name) {
                        errors.append(ConfigError(.invalidValue, key: "sources.\(name)", origin: origin, problem))
                    }
                    found = (key.path(source: name), key)
                    break
                }
            }
            guard let (path, key) = found else {
                errors.append(ConfigError(.unknownKey, key: "", origin: origin, "unknown setting; variables are MOODLE_PIPELINE_<SECTION>_<KEY>, e.g. MOODLE_PIPELINE_HTTP_LISTEN or MOODLE_PIPELINE_SOURCES_COMMUNITY_URL"))
                continue
            }
            switch convert(text, to: key.shape) {
            case .success(let value): layers.set(path, value, from: origin)
            case .failure(let error): errors.append(ConfigError(.wrongType, key: path, origin: origin, error.message))
            }
        }
    }

    /// Text from the environment or a flag, as the TOML value it stands for.
    private static func convert(_ text: String, to shape: ConfigSchema.Shape) -> Result<ConfigValue, Problem> {
        switch shape {
        case .string:
            return .success(.string(text))
        case .integer:
            guard let integer = Int(text.trimmingWhitespace()) else { return .failure(Problem("expected an integer, got \(tomlQuoted(text))")) }
            return .success(.integer(integer))
        case .integerOrString:
            return .success(Int(text.trimmingWhitespace()).map(ConfigValue.integer) ?? .string(text))
        case .stringList:
            let items = text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            return .success(.list(items.map(ConfigValue.string)))
        }
    }

    // MARK: - Names

    /// Source names become topic prefixes and slot names: lower-case letters, digits and `_`.
    static func sourceNameProblem(_ name: String) -> String? {
        let valid = !name.isEmpty && name.count <= 40 && name.first!.isLetter
            && name.allSatisfy { ($0.isLetter && $0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "_" }
        return valid ? nil : "a source name must be 1-40 lower-case letters, digits or '_', starting with a letter"
    }

    private static func isKnownSection(_ parts: [String]) -> Bool {
        if parts.isEmpty { return true }
        if parts[0] == "sources" { return parts.count <= 2 }
        let path = parts.joined(separator: ".")
        return ConfigSchema.sections.contains { $0 == path || $0.hasPrefix(path + ".") }
    }

    private static var knownSectionsList: String {
        ConfigSchema.sections.filter { !$0.isEmpty }.map { $0 == ConfigSchema.sourceSection ? "sources.<name>" : $0 }.joined(separator: ", ")
    }

    private static func knownKeysHint(_ section: String) -> String {
        let pattern = section.hasPrefix("sources.") ? ConfigSchema.sourceSection : section
        let names = ConfigSchema.keys.filter { $0.section == pattern }.map(\.name)
        guard !names.isEmpty else { return "" }
        return section.isEmpty
            ? "; top-level keys: \(names.joined(separator: ", ")), and sections \(knownSectionsList)"
            : "; keys of [\(section)]: \(names.joined(separator: ", "))"
    }

    static func describe(_ shape: ConfigSchema.Shape) -> String {
        switch shape {
        case .string: return "a string"
        case .integer: return "an integer"
        case .integerOrString: return "an integer or a string with a unit"
        case .stringList: return "an array of strings"
        }
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

/// Why a value was refused, before it is tied to a key and an origin.
struct Problem: Error {
    var message: String
    var code: ConfigError.Code

    init(_ message: String, code: ConfigError.Code = .invalidValue) {
        self.message = message
        self.code = code
    }
}
