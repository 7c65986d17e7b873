/// An error starting, stopping or creating a local PostgreSQL cluster.
public struct LocalPostgresError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case binariesNotFound, commandFailed, fileSystem, notAccessible, noFreePort
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// No PostgreSQL server binaries (initdb, pg_ctl) were found.
        public static let binariesNotFound = Code(.binariesNotFound)
        /// initdb, pg_ctl or another program exited with an error.
        public static let commandFailed = Code(.commandFailed)
        /// Creating, reading or changing files failed.
        public static let fileSystem = Code(.fileSystem)
        /// The `postgres` OS user cannot reach the cluster's directory.
        public static let notAccessible = Code(.notAccessible)
        /// No free loopback port could be found.
        public static let noFreePort = Code(.noFreePort)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var file: String
    public var line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message }
}
