import Foundation
import BlockingIO
import Logging
import CoreMetrics
import Synchronization

/// What one source's capture is doing, for `/readyz`, the console and the inspection API. Updated by the
/// capture thread and the log appender; read by anyone. Also feeds the metrics.
public final class CaptureStatus: Sendable {
    public enum Phase: String, Sendable {
        case starting, snapshot, streaming, reconnecting, failed
    }

    public struct TableSnapshot: Sendable, Equatable {
        public var table: String
        public var done: Bool
        /// Rows durable in the log.
        public var rows: Int
        /// The planner's estimate when the table's snapshot began; -1 when unknown.
        public var estimate: Int
    }

    public struct Snapshot: Sendable {
        public var source: String
        public var phase: Phase = .starting
        /// One line for humans: what is happening or what went wrong.
        public var detail = "starting"
        /// The initial snapshot's progress (durable rows), empty once nothing was ever snapshotted.
        public var snapshotTables: [TableSnapshot] = []
        /// The commit LSN of the last transaction durable in the log.
        public var lastCommitLSN: LSN?
        /// What was last reported to the server as flushed.
        public var flushedLSN: LSN?
        /// `pg_current_wal_lsn() - confirmed_flush_lsn`, and the slot's `wal_status`.
        public var slotLagBytes: Int64?
        public var walStatus: String?
        /// Set while the slot lag exceeds its budget (or WAL is about to be lost).
        public var alarm: String?
        /// Configured tables that cannot be captured, each with the SQL that fixes it.
        public var unusableTables: [String] = []
        public var transactions: Int = 0
        public var events: Int = 0

        /// Ready: streaming (or snapshotting) with no alarm.
        public var healthy: Bool { (phase == .streaming || phase == .snapshot) && alarm == nil }
    }

    private let state: Mutex<Snapshot>
    private let eventsCounter: Counter
    private let transactionsCounter: Counter
    private let reconnectsCounter: Counter
    private let lagGauge: Gauge
    private let snapshotRowsGauge: Gauge
    private let snapshotEstimateGauge: Gauge

    public init(source: String, metricsFactory: any MetricsFactory) {
        state = Mutex(Snapshot(source: source))
        let dimensions = [("source", source)]
        eventsCounter = Counter(label: "cdc_events_total", dimensions: dimensions, factory: metricsFactory)
        transactionsCounter = Counter(label: "cdc_transactions_total", dimensions: dimensions, factory: metricsFactory)
        reconnectsCounter = Counter(label: "cdc_reconnects_total", dimensions: dimensions, factory: metricsFactory)
        lagGauge = Gauge(label: "cdc_slot_lag_bytes", dimensions: dimensions, factory: metricsFactory)
        snapshotRowsGauge = Gauge(label: "cdc_snapshot_rows", dimensions: dimensions, factory: metricsFactory)
        snapshotEstimateGauge = Gauge(label: "cdc_snapshot_rows_estimated", dimensions: dimensions, factory: metricsFactory)
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }

    func phase(_ phase: Phase, _ detail: String) {
        update {
            $0.phase = phase
            $0.detail = detail
        }
        if phase == .reconnecting { reconnectsCounter.increment() }
    }

    /// A group became durable in the log.
    func durable(_ captureState: CaptureState, transactions: Int, events: Int) {
        let tables = captureState.snapshot?.tables.map {
            TableSnapshot(table: $0.table, done: $0.done, rows: $0.rows, estimate: $0.estimate)
        }
        update { status in
            status.lastCommitLSN = captureState.commitLSN.flatMap { LSN($0) }
            if let tables { status.snapshotTables = tables }
            status.transactions += transactions
            status.events += events
        }
        if let tables {
            snapshotRowsGauge.record(tables.reduce(0) { $0 + $1.rows })
            snapshotEstimateGauge.record(tables.reduce(0) { $0 + max($1.estimate, 0) })
        }
        eventsCounter.increment(by: events)
        transactionsCounter.increment(by: transactions)
    }

    func slot(lagBytes: Int64?, walStatus: String?, alarm: String?) {
        update {
            $0.slotLagBytes = lagBytes
            $0.walStatus = walStatus
            $0.alarm = alarm
        }
        if let lagBytes { lagGauge.record(lagBytes) }
    }
}
