import CLibPQ
import Foundation

/// One libpq connection. Owns the `PGconn` and closes it in `deinit`.
///
/// Every method blocks on the network: use it from a dedicated thread (`BlockingIO.runBlocking`), never
/// from the cooperative pool. Not `Sendable`: a connection is used by one thread at a time.
public final class PGConnection {
    let connection: OpaquePointer

    /// Opens a connection, or throws with libpq's message (which never includes the password).
    public init(_ settings: ConnectionSettings) throws(PostgresError) {
        let pairs = settings.keywords
        let keywords = pairs.map { strdup($0.0) } + [nil]
        let values = pairs.map { strdup($0.1) } + [nil]
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let opened: OpaquePointer? = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywordBuffer in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valueBuffer in
                PQconnectdbParams(keywordBuffer.baseAddress, valueBuffer.baseAddress, 1)
            }
        }
        guard let opened else { throw PostgresError(.connectionFailed, "libpq could not allocate a connection") }
        guard PQstatus(opened) == CONNECTION_OK else {
            let message = Self.errorMessage(opened)
            PQfinish(opened)
            throw PostgresError(.connectionFailed, message)
        }
        self.connection = opened
    }

    deinit { PQfinish(connection) }

    /// The server version as an integer, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(connection)) }

    /// The connected role's name.
    public var user: String { PQuser(connection).map { String(cString: $0) } ?? "" }

    /// The database name.
    public var database: String { PQdb(connection).map { String(cString: $0) } ?? "" }

    /// Runs SQL through the simple query protocol (several statements allowed) and returns the last result.
    @discardableResult
    public func execute(_ sql: String) throws(PostgresError) -> QueryResult {
        try consume(PQexec(connection, sql))
    }

    /// Runs one statement with `$1…$n` parameters sent separately in text format.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?]) throws(PostgresError) -> QueryResult {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let result = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
            PQexecParams(connection, sql, Int32(parameters.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Loads rows with `COPY … FROM STDIN` in text format; returns the number of rows the server took.
    @discardableResult
    public func copyIn(_ copyStatement: String, rows: some Sequence<[String?]>) throws(PostgresError) -> Int {
        let started = PQexec(connection, copyStatement)
        let status = PQresultStatus(started)
        PQclear(started)
        guard status == PGRES_COPY_IN else {
            throw PostgresError(.copyFailed, Self.errorMessage(connection))
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        for row in rows {
            CopyText.appendRow(row, to: &buffer)
            if buffer.count >= 1 << 16 {
                try putCopyData(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { try putCopyData(buffer) }
        guard PQputCopyEnd(connection, nil) == 1 else { throw PostgresError(.copyFailed, Self.errorMessage(connection)) }
        let finished = try consume(PQgetResult(connection))
        while let extra = PQgetResult(connection) { PQclear(extra) }
        return finished.affectedRows ?? 0
    }

    /// Runs `COPY … TO STDOUT` and hands each row (one line of COPY text, with its newline) to `row` without
    /// copying it; returns the number of rows.
    @discardableResult
    public func copyOut(_ copyStatement: String, row: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let started = PQexec(connection, copyStatement)
        let status = PQresultStatus(started)
        if status != PGRES_COPY_OUT {
            // Turns the failed result into the server's error (and frees it).
            _ = try consume(started)
            throw PostgresError(.copyFailed, "COPY TO STDOUT did not start")
        }
        PQclear(started)
        var count = 0
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(connection, &buffer, 0)
            if length > 0, let buffer {
                defer { PQfreemem(buffer) }
                try row(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                count += 1
                continue
            }
            if length == -1 { break }
            throw PostgresError(.connectionLost, Self.errorMessage(connection))
        }
        _ = try consume(PQgetResult(connection))
        while let extra = PQgetResult(connection) { PQclear(extra) }
        return count
    }

    private func putCopyData(_ bytes: [UInt8]) throws(PostgresError) {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw PostgresError(.copyFailed, Self.errorMessage(connection)) }
    }

    /// Turns a PGresult into a `QueryResult` or a thrown error, and frees it.
    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> QueryResult {
        guard let result else {
            let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .queryFailed : .connectionLost
            throw PostgresError(code, Self.errorMessage(connection))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return QueryResult(result)
        default:
            // The primary message only: DETAIL and CONTEXT may quote row values (`Key (email)=(…)`).
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            let message = primary ?? PQresultErrorMessage(result).map { String(cString: $0) } ?? "unknown error"
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw PostgresError(.queryFailed, Self.oneLine(message), sqlState: state)
        }
    }

    /// libpq's current error message for this connection, one line.
    var lastError: String { Self.errorMessage(connection) }

    static func errorMessage(_ connection: OpaquePointer) -> String {
        oneLine(PQerrorMessage(connection).map { String(cString: $0) } ?? "unknown libpq error")
    }

    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
