import CLibPQ
import Foundation

/// A replication connection (`replication=database`): the replication commands, then the COPY BOTH stream
/// of a logical slot, driven without blocking inside libpq.
///
/// Once streaming, the socket is non-blocking: `receive` takes what libpq has buffered (`PQgetCopyData` in
/// async mode), otherwise waits on `PQsocket` with `poll` for at most the given time and feeds libpq with
/// `PQconsumeInput`; `send` queues a message and `PQflush`es until the kernel took it. Like `PGConnection`,
/// it blocks its thread: the reader runs it on a dedicated thread, never on the cooperative pool.
public final class ReplicationConnection {
    public let connection: PGConnection
    /// Whether START_REPLICATION succeeded and the stream has not ended.
    public private(set) var isStreaming = false

    public init(_ settings: ConnectionSettings) throws(PostgresError) {
        var settings = settings.forReplication
        if settings.sessionSettings.isEmpty { settings.sessionSettings = ConnectionSettings.changeCaptureSessionSettings }
        connection = try PGConnection(settings)
    }

    private var raw: OpaquePointer { connection.connection }

    public struct SystemIdentity: Sendable {
        public var systemID: String
        public var timeline: Int
        public var walPosition: LSN
        public var database: String
    }

    /// `IDENTIFY_SYSTEM`.
    public func identifySystem() throws(PostgresError) -> SystemIdentity {
        let result = try connection.execute("IDENTIFY_SYSTEM")
        guard let lsn = result.value("xlogpos").flatMap({ LSN($0) }) else {
            throw PostgresError(.protocolViolation, "IDENTIFY_SYSTEM returned no WAL position")
        }
        return SystemIdentity(
            systemID: result.value("systemid") ?? "", timeline: Int(result.value("timeline") ?? "") ?? 0,
            walPosition: lsn, database: result.value("dbname") ?? "")
    }

    public struct CreatedSlot: Sendable {
        public var name: String
        /// Changes committed after this point are streamed; the exported snapshot sees everything before it.
        public var consistentPoint: LSN
        /// Valid while this connection stays idle: import it with `SET TRANSACTION SNAPSHOT`.
        public var snapshotName: String?
    }

    /// `CREATE_REPLICATION_SLOT … LOGICAL pgoutput EXPORT_SNAPSHOT`. The snapshot stays importable until this
    /// connection runs its next command.
    public func createLogicalSlot(_ name: String, exportSnapshot: Bool) throws(PostgresError) -> CreatedSlot {
        let mode = exportSnapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT"
        let result = try connection.execute("CREATE_REPLICATION_SLOT \(quoteIdentifier(name)) LOGICAL pgoutput \(mode)")
        guard let point = result.value("consistent_point").flatMap({ LSN($0) }) else {
            throw PostgresError(.protocolViolation, "CREATE_REPLICATION_SLOT returned no consistent point")
        }
        return CreatedSlot(name: name, consistentPoint: point, snapshotName: result.value("snapshot_name"))
    }

    /// `START_REPLICATION SLOT … LOGICAL <lsn> (options)`: from here on the connection streams.
    /// `from` = 0/0 starts at the slot's `confirmed_flush_lsn`.
    public func startLogicalReplication(slot: String, from: LSN, options: [(String, String)]) throws(PostgresError) {
        let optionText = options.map { "\(quoteIdentifier($0.0)) \(quoteLiteral($0.1))" }.joined(separator: ", ")
        let command = "START_REPLICATION SLOT \(quoteIdentifier(slot)) LOGICAL \(from) (\(optionText))"
        guard let result = PQexec(raw, command) else {
            throw PostgresError(.connectionLost, connection.lastError)
        }
        let status = PQresultStatus(result)
        let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        PQclear(result)
        guard status == PGRES_COPY_BOTH else {
            throw PostgresError(.queryFailed, PGConnection.oneLine(message ?? connection.lastError), sqlState: state)
        }
        guard PQsetnonblocking(raw, 1) == 0 else {
            throw PostgresError(.connectionLost, connection.lastError)
        }
        isStreaming = true
    }

    public enum Received {
        /// One CopyData message (a `ReplicationMessage`).
        case message([UInt8])
        /// Nothing arrived within the wait.
        case timeout
        /// The server ended the stream (e.g. the slot was dropped or the server shut down); the error says why.
        case ended(PostgresError)
    }

    /// The next message, waiting at most `timeout` for one to arrive.
    public func receive(timeout: Duration) throws(PostgresError) -> Received {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(raw, &buffer, 1)
            if length > 0, let buffer {
                let bytes = [UInt8](UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                PQfreemem(buffer)
                return .message(bytes)
            }
            if length == -1 { return .ended(endOfStream()) }
            if length == -2 { throw PostgresError(.connectionLost, connection.lastError) }
            // Nothing buffered: wait for the socket, then let libpq read.
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return .timeout }
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            try waitForSocket(readable: true, writable: PQflush(raw) == 1, timeoutMilliseconds: milliseconds)
            guard PQconsumeInput(raw) == 1 else { throw PostgresError(.connectionLost, connection.lastError) }
        }
    }

    /// Sends one CopyData message and flushes it to the kernel.
    public func send(_ bytes: [UInt8]) throws(PostgresError) {
        let queued = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(raw, $0.baseAddress, Int32($0.count)) }
        }
        guard queued == 1 else { throw PostgresError(.connectionLost, connection.lastError) }
        try flush()
    }

    /// Flushes libpq's output buffer, waiting for the socket as long as needed (bounded by the kernel's
    /// TCP timeouts and keepalives).
    private func flush() throws(PostgresError) {
        while true {
            switch PQflush(raw) {
            case 0: return
            case 1: try waitForSocket(readable: true, writable: true, timeoutMilliseconds: 1000)
                // Reading while waiting to write avoids a deadlock with a server blocked on its own send.
                guard PQconsumeInput(raw) == 1 else { throw PostgresError(.connectionLost, connection.lastError) }
            default: throw PostgresError(.connectionLost, connection.lastError)
            }
        }
    }

    private func waitForSocket(readable: Bool, writable: Bool, timeoutMilliseconds: Int32) throws(PostgresError) {
        let socket = PQsocket(raw)
        guard socket >= 0 else { throw PostgresError(.connectionLost, "the replication connection has no socket") }
        var events: Int16 = 0
        if readable { events |= Int16(POLLIN) }
        if writable { events |= Int16(POLLOUT) }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR {
            throw PostgresError(.connectionLost, "poll on the replication connection failed: \(String(cString: strerror(errno)))")
        }
    }

    /// After the copy ended: the server's reason, from the final result.
    private func endOfStream() -> PostgresError {
        isStreaming = false
        var reason: PostgresError?
        while let result = PQgetResult(raw) {
            let status = PQresultStatus(result)
            if status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && reason == nil {
                let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? connection.lastError
                let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
                reason = PostgresError(.connectionLost, PGConnection.oneLine(message), sqlState: state)
            }
            PQclear(result)
        }
        return reason ?? PostgresError(.connectionLost, "the server ended the replication stream")
    }
}
