/// The streaming replication protocol's messages inside CopyBoth data (PostgreSQL "Streaming Replication
/// Protocol"): what the server sends, and the standby status update we send back.
public enum ReplicationMessage: Sendable, Equatable {
    /// `w`: WAL data (for logical replication, one pgoutput message).
    case xlogData(start: LSN, end: LSN, sentAt: Int64, data: [UInt8])
    /// `k`: the server's keepalive; when `replyRequested`, answer at once or be disconnected.
    case keepalive(walEnd: LSN, sentAt: Int64, replyRequested: Bool)

    public static func decode(_ bytes: [UInt8]) throws(ReplicationProtocolError) -> ReplicationMessage {
        var reader = WireReader(bytes, message: "replication message")
        switch try reader.byte("kind") {
        case UInt8(ascii: "w"):
            let start = try reader.lsn("WAL start")
            let end = try reader.lsn("WAL end")
            let sentAt = try reader.integer(Int64.self, "send time")
            return .xlogData(start: start, end: end, sentAt: sentAt, data: reader.rest())
        case UInt8(ascii: "k"):
            let end = try reader.lsn("WAL end")
            let sentAt = try reader.integer(Int64.self, "send time")
            let reply = try reader.byte("reply requested")
            try reader.expectEnd()
            return .keepalive(walEnd: end, sentAt: sentAt, replyRequested: reply == 1)
        case let kind:
            throw ReplicationProtocolError("replication message: unknown kind \(kind)")
        }
    }

    /// `r`: the standby status update. `flushed` is what PostgreSQL may discard: for us, the end of the
    /// last transaction durable in the log, never more. Times are µs since 2000-01-01.
    public static func statusUpdate(written: LSN, flushed: LSN, applied: LSN, clock: Int64, replyRequested: Bool = false)
        -> [UInt8]
    {
        var bytes: [UInt8] = [UInt8(ascii: "r")]
        bytes.appendBigEndian(written.value)
        bytes.appendBigEndian(flushed.value)
        bytes.appendBigEndian(applied.value)
        bytes.appendBigEndian(clock)
        bytes.append(replyRequested ? 1 : 0)
        return bytes
    }
}

/// PostgreSQL's epoch (2000-01-01) in Unix seconds: replication timestamps count µs from it.
public let postgresEpochUnixSeconds: Int64 = 946_684_800
