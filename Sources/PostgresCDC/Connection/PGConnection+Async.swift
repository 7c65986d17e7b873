import BlockingIO
import Foundation

extension PGConnection {
    /// Opens a connection on a dedicated thread, runs `body` there, and closes it.
    public static func withConnection<T: Sendable>(
        _ settings: ConnectionSettings,
        _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        try await runBlocking(name: "moodle-pipeline.libpq") {
            let connection = try PGConnection(settings)
            return try body(connection)
        }
    }
}

/// Quotes an SQL identifier: `my "table"` → `"my ""table"""`.
public func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Quotes an SQL string literal: `it's` → `'it''s'` (standard_conforming_strings is on since 9.1).
public func quoteLiteral(_ value: String) -> String {
    "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
}

/// A table named as `schema.table`; a bare `table` is in `public`. Case is kept as written.
public struct QualifiedName: Hashable, Sendable, CustomStringConvertible {
    public var schema: String
    public var table: String

    public init(schema: String, table: String) {
        self.schema = schema
        self.table = table
    }

    public init(_ qualified: String) {
        if let dot = qualified.firstIndex(of: ".") {
            schema = String(qualified[..<dot])
            table = String(qualified[qualified.index(after: dot)...])
        } else {
            schema = "public"
            table = qualified
        }
    }

    public var description: String { "\(schema).\(table)" }
    /// As SQL: each part quoted.
    public var sql: String { quoteIdentifier(schema) + "." + quoteIdentifier(table) }
}
