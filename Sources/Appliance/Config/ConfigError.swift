/// A configuration problem: which key, where it was set, and what was expected.
///
/// `description` is one line, `<origin>: <key>: <problem>`, e.g.
/// `appliance.conf:14: http.listen: expected host:port with a port from 1 to 65535, got "127.0.0.1:notaport"`.
/// Values are quoted only for keys that hold no secret.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case syntax, unknownKey, wrongType, invalidValue, missing, insecureSecret, unreadableFile
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The file is not valid TOML.
        public static let syntax = Code(.syntax)
        /// A key, section or environment variable the appliance does not know.
        public static let unknownKey = Code(.unknownKey)
        /// A value of the wrong TOML type.
        public static let wrongType = Code(.wrongType)
        /// A value of the right type but out of range or malformed.
        public static let invalidValue = Code(.invalidValue)
        /// A required key has no value.
        public static let missing = Code(.missing)
        /// A secret file readable by others, or a secret where secrets are not allowed.
        public static let insecureSecret = Code(.insecureSecret)
        /// The configuration file or a file it names cannot be read.
        public static let unreadableFile = Code(.unreadableFile)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The dotted key, e.g. `sources.community.url`; empty for whole-file problems.
    public var key: String
    public var origin: ConfigOrigin
    public var message: String

    init(_ code: Code, key: String, origin: ConfigOrigin, _ message: String) {
        self.code = code
        self.key = key
        self.origin = origin
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(origin): \(message)" : "\(origin): \(key): \(message)"
    }
}

/// Every problem found while loading, so that one run reports them all.
public struct ConfigErrors: Error, CustomStringConvertible, Sendable {
    public var errors: [ConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
