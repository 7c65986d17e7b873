import Foundation
import BlockingIO
import Logging
/// How one source is captured. Defaults in parentheses.
public struct CaptureConfiguration: Sendable {
    /// What to do when the slot this pipeline had been using is gone (its WAL position is lost with it).
    public enum SlotLossPolicy: String, Sendable, CaseIterable {
        /// Report it and mark the source unhealthy; an operator decides (the default).
        case fail
        /// Make a new slot and take a new initial snapshot (consumers see every row again as `r`).
        case resnapshot
    }

    /// The source's name: topics are `<name>.<schema>.<table>`, the state topic is `_cdc.<name>`.
    public var sourceName: String
    /// A normal connection; the reader derives its replication and snapshot sessions from it.
    public var connection: ConnectionSettings
    public var tables: [QualifiedName]
    public var slot: String
    public var publication: String
    /// (`.fail`)
    public var onSlotLoss: SlotLossPolicy
    /// Rows per snapshot chunk: each chunk is one atomic append with its progress (10,000).
    public var snapshotChunkRows: Int
    /// A `pg_logical_emit_message` this often, so that an idle database's slot still advances; nil: none (10 s).
    public var heartbeatInterval: Duration?
    /// A standby status update at least this often, whatever happens downstream (10 s, PostgreSQL's own default).
    public var statusInterval: Duration
    /// No message (not even a keepalive) for this long means the connection is dead (60 s).
    public var receiveTimeout: Duration
    /// Slot lag (`pg_current_wal_lsn() - confirmed_flush_lsn`) above this raises an alarm (1 GiB).
    public var lagBudgetBytes: Int64
    /// How often the slot's lag and `wal_status` are checked (10 s).
    public var lagCheckInterval: Duration
    /// Where streamed (not yet committed) transactions are spilled: `<data>/cdc/<source>`.
    public var spillDirectory: String
    /// Encoded events held between the capture thread and the log, at most (32 MiB).
    public var maxBufferedBytes: Int
    /// A transaction bigger than this is appended to the log in parts, in one streamed atomic group (4 MiB).
    public var largeTransactionBytes: Int
    /// First and longest wait between reconnection attempts; each wait doubles, with ±50 % jitter (1 s, 60 s).
    public var reconnectBackoff: (first: Duration, max: Duration)
    /// Ask the server to stream large in-progress transactions (protocol version 2, PostgreSQL 14+) (true).
    public var streamLargeTransactions: Bool

    public init(
        sourceName: String, connection: ConnectionSettings, tables: [QualifiedName], slot: String, publication: String,
        spillDirectory: String
    ) {
        self.sourceName = sourceName
        self.connection = connection
        self.tables = tables
        self.slot = slot
        self.publication = publication
        self.spillDirectory = spillDirectory
        onSlotLoss = .fail
        snapshotChunkRows = 10_000
        heartbeatInterval = .seconds(10)
        statusInterval = .seconds(10)
        receiveTimeout = .seconds(60)
        lagBudgetBytes = 1 << 30
        lagCheckInterval = .seconds(10)
        maxBufferedBytes = 32 << 20
        largeTransactionBytes = 4 << 20
        reconnectBackoff = (.seconds(1), .seconds(60))
        streamLargeTransactions = true
    }

    /// The topic of a table's change events.
    public func topic(for table: QualifiedName) -> String {
        changeTopicName(source: sourceName, schema: table.schema, table: table.table)
    }

    /// The topic holding this source's durable capture state (position, slot, snapshot progress).
    public var stateTopic: String { "_cdc.\(sourceName)" }
}
