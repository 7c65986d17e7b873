/// An error that stops the appliance (or a command) with a clear message.
public struct ApplianceError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case dataDirectory, dataDirectoryInUse, sink, log, demo, sourceUnreachable, search
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The data directory cannot be created or used.
        public static let dataDirectory = Code(.dataDirectory)
        /// Another instance holds the data directory's lock.
        public static let dataDirectoryInUse = Code(.dataDirectoryInUse)
        /// The SQLite sink cannot be opened.
        public static let sink = Code(.sink)
        /// The partitioned log cannot be opened (or recovered).
        public static let log = Code(.log)
        /// The demo's local clusters cannot be set up.
        public static let demo = Code(.demo)
        /// A source cannot be reached.
        public static let sourceUnreachable = Code(.sourceUnreachable)
        /// The search indices cannot be opened or the search listener cannot start.
        public static let search = Code(.search)
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
