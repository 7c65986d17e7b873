import BlockingIO
import Foundation
import Logging
import PartitionedLog

/// One connection's worth of capturing a source, on a dedicated thread (libpq blocks): set up the
/// publication and slot, take or resume the initial snapshot, then stream. Ends by throwing — a lost
/// connection, cancellation, or a problem retrying cannot fix (`CaptureError.retryable == false`).
///
/// Everything it produces goes through `handoff` to the `LogAppender`, in commit order; it learns what is
/// durable from `durable` and reports exactly that to the server.
final class CaptureSession {
    let configuration: CaptureConfiguration
    let handoff: Handoff<CaptureWork>
    let durable: DurablePosition
    let status: CaptureStatus
    let logger: Logger
    let flag: CancellationFlag
    /// The state after everything handed off so far (the log's copy lags until the appender catches up).
    var state: CaptureState
    var builder: EventBuilder!
    var replication: ReplicationConnection?
    /// Status-update bookkeeping while streaming.
    var feedback: Feedback
    /// The transaction being received (between Begin and Commit), if any.
    var transaction: OpenTransaction?
    /// Streamed transactions not yet committed or aborted, by top-level xid, and the one whose block is open.
    var streams: [UInt32: SpillFile] = [:]
    var activeStream: UInt32?
    var decoder = PgOutputDecoder()
    /// The end LSN of the last work handed off; and a position fully dealt with that needs nothing logged
    /// (a skipped or empty transaction, a keepalive, a heartbeat), confirmable once nothing is pending.
    var pendingEnd = LSN.zero
    var idlePosition: LSN?
    var lastMessageAt = ContinuousClock.now
    /// Compares keys for resume filters (nil when no filter is active).
    var keyComparer: KeyComparer?

    init(
        configuration: CaptureConfiguration, state: CaptureState, handoff: Handoff<CaptureWork>, durable: DurablePosition,
        status: CaptureStatus, logger: Logger, flag: CancellationFlag
    ) {
        self.configuration = configuration
        self.state = state
        self.handoff = handoff
        self.durable = durable
        self.status = status
        self.logger = logger
        self.flag = flag
        feedback = Feedback(interval: configuration.statusInterval, start: state.lastEnd)
    }

    func run() throws {
        let normal = try PGConnection(configuration.connection.forChangeCapture)
        let setup = SourceSetup(configuration: configuration, connection: normal)
        let (tables, unusable) = try setup.tables()
        status.update { $0.unusableTables = unusable.map(\.description) }
        for problem in unusable {
            logger.error("table cannot be captured", metadata: ["table": "\(problem.table)", "reason": "\(problem.reason)", "fix": "\(problem.fix)"])
        }
        guard !tables.isEmpty else {
            // Retried: the tables may yet be created (a schema migration, the demo's generator).
            throw CaptureError(.setup, "none of the configured tables can be captured: \(unusable.map(\.description).joined(separator: "; "))")
        }
        try setup.ensurePublication(tables.map(\.name))
        let replication = try ReplicationConnection(configuration.connection)
        self.replication = replication
        let identity = try replication.identifySystem()
        builder = EventBuilder(configuration: configuration, database: identity.database)
        builder.refetch = { [logger] relation, row, columns in
            logger.warning("unchanged TOAST value not in the cache: reading it from the source", metadata: [
                "table": "\(relation.schema).\(relation.table)", "columns": "\(columns.joined(separator: ","))",
            ])
            return try Self.currentValues(normal, relation: relation, row: row, columns: columns)
        }
        SpillFile.clear(directory: configuration.spillDirectory)

        switch (try setup.slot(), state.slot) {
        case (nil, nil):
            try createSlotAndSnapshot(replication, tables: tables)
        case (nil, .some(let lost)):
            guard configuration.onSlotLoss == .resnapshot else {
                throw CaptureError(.slotLost, """
                    the replication slot \(lost) that this pipeline was streaming from no longer exists, so changes \
                    since \(state.endLSN ?? "its last position") may be lost; not creating a new one \
                    (on_slot_loss = "fail"). To start again with a new snapshot set on_slot_loss = "resnapshot"
                    """, retryable: false)
            }
            logger.error("replication slot lost: taking a new snapshot (on_slot_loss = resnapshot)", metadata: ["slot": "\(lost)"])
            state = CaptureState(commitLSN: state.commitLSN, endLSN: state.endLSN, snapshotGeneration: state.snapshotGeneration + 1)
            try createSlotAndSnapshot(replication, tables: tables)
        case (.some(let slot), nil):
            // Made by an earlier start that stopped before recording it: nothing of ours depends on it.
            if let pid = slot.activePID { throw slotInUse(pid) }
            logger.warning("dropping a replication slot that no durable state refers to, to make it anew", metadata: ["slot": "\(configuration.slot)"])
            try setup.dropSlot()
            try createSlotAndSnapshot(replication, tables: tables)
        case (.some(let slot), .some):
            if let pid = slot.activePID { throw slotInUse(pid) }
            if slot.walStatus == "lost" {
                throw CaptureError(.slotLost, "the replication slot \(configuration.slot) has lost WAL it needs (wal_status lost): changes were missed", retryable: false)
            }
            if state.snapshot?.status == .running {
                try resumeSnapshot(tables: tables)
            }
        }
        try stream(replication, normal: normal, tables: tables)
    }

    /// The named columns of the row with `row`'s key, as text, from the source as it is now.
    static func currentValues(_ connection: PGConnection, relation: RelationSchema, row: TupleData, columns: [String]) throws
        -> [String: [UInt8]?]
    {
        let keyIndices = relation.keyIndices
        let keys = keyIndices.map { quoteIdentifier(relation.columns[$0].name) }.joined(separator: ", ")
        let placeholders = keyIndices.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        let selected = columns.map { "\(quoteIdentifier($0))::text" }.joined(separator: ", ")
        let table = "\(quoteIdentifier(relation.schema)).\(quoteIdentifier(relation.table))"
        let parameters = keyIndices.map(row.text(at:))
        let result = try connection.query("SELECT \(selected) FROM \(table) WHERE (\(keys)) = (\(placeholders))", parameters)
        guard let found = result.rows.first else { return [:] }
        var values: [String: [UInt8]?] = [:]
        for (name, value) in zip(columns, found) { values[name] = value.map { Array($0.utf8) } }
        return values
    }

    private func slotInUse(_ pid: String) -> CaptureError {
        CaptureError(.slotInUse, "the replication slot \(configuration.slot) is active for PID \(pid) (an earlier connection of this pipeline, or another reader); retrying")
    }

    // MARK: Handing off

    /// Queues work for the appender, answering the server while the queue is full (back-pressure).
    func push(_ work: CaptureWork, bytes: Int) throws {
        while !handoff.put(work, bytes: bytes, timeout: .milliseconds(500)) {
            if flag.isCancelled { throw CancellationError() }
            if let replication, replication.isStreaming { try sendStatusIfDue(replication, force: false) }
            if handoff.isClosed { throw CaptureError(.log, "the log appender stopped") }
        }
    }
}
