/// An error from a PostgreSQL server or from libpq.
///
/// The message is the server's or libpq's own text: it names objects and settings but, unlike a row
/// value or a password, nothing this pipeline would keep secret. Connection parameters are never added.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connectionFailed, queryFailed, copyFailed, protocolViolation, connectionLost
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The connection could not be opened (unreachable, refused, authentication).
        public static let connectionFailed = Code(.connectionFailed)
        /// The server rejected a statement.
        public static let queryFailed = Code(.queryFailed)
        /// A COPY could not be carried out.
        public static let copyFailed = Code(.copyFailed)
        /// The server sent something this code does not expect.
        public static let protocolViolation = Code(.protocolViolation)
        /// An open connection broke.
        public static let connectionLost = Code(.connectionLost)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The server's or libpq's message, one line.
    public var message: String
    /// The five-character SQLSTATE when the server sent one.
    public var sqlState: String?
    public var file: String
    public var line: Int

    public init(_ code: Code, _ message: String, sqlState: String? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.file = file
        self.line = line
    }

    public var description: String {
        if let sqlState { return "\(message) (SQLSTATE \(sqlState))" }
        return message
    }
}
