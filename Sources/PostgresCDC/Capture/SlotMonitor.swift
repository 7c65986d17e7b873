import BlockingIO
import Foundation
import Logging

/// Keeps an eye on the slot while a session streams, over its own normal connection:
/// - a heartbeat (`pg_logical_emit_message`, not transactional) every `heartbeatInterval`, so that the
///   stream moves even when the captured tables are idle and the slot's position can advance;
/// - the slot's lag (`pg_current_wal_lsn() - confirmed_flush_lsn`) and `wal_status` every
///   `lagCheckInterval`, raising an alarm (log and `/readyz`) above `lagBudgetBytes` or when WAL is at risk.
struct SlotMonitor: Sendable {
    let configuration: CaptureConfiguration
    let status: CaptureStatus
    let logger: Logger

    static let heartbeatPrefix = "moodle-pipeline.heartbeat"

    func run() async {
        let tick = min(configuration.heartbeatInterval ?? configuration.lagCheckInterval, configuration.lagCheckInterval)
        _ = try? await runBlocking(name: "moodle-pipeline.slot-monitor.\(configuration.sourceName)") { flag in
            var connection: PGConnection?
            var lastHeartbeat = ContinuousClock.now
            var lastCheck = ContinuousClock.now - configuration.lagCheckInterval
            var alarmed = false
            while !flag.isCancelled {
                do {
                    let link = try connection ?? PGConnection(configuration.connection)
                    connection = link
                    if let interval = configuration.heartbeatInterval, lastHeartbeat.duration(to: .now) >= interval {
                        try link.query("SELECT pg_logical_emit_message(false, $1, '')", [Self.heartbeatPrefix])
                        lastHeartbeat = .now
                    }
                    if lastCheck.duration(to: .now) >= configuration.lagCheckInterval {
                        alarmed = try check(link, alarmed: alarmed)
                        lastCheck = .now
                    }
                } catch {
                    connection = nil
                }
                // Sleep in short steps so that cancellation is noticed quickly.
                let until = ContinuousClock.now.advanced(by: tick)
                while !flag.isCancelled, ContinuousClock.now < until { Thread.sleep(forTimeInterval: 0.2) }
            }
        }
    }

    /// Reads the slot's lag and WAL status; returns whether the alarm is raised.
    private func check(_ connection: PGConnection, alarmed: Bool) throws -> Bool {
        let walStatus = connection.serverVersion >= 130_000 ? "wal_status" : "NULL::text"
        let result = try connection.query("""
            SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::int8::text AS lag, \(walStatus) AS wal_status
            FROM pg_replication_slots WHERE slot_name = $1
            """, [configuration.slot])
        guard !result.rows.isEmpty else { return alarmed }
        let lag = result.value("lag").flatMap { Int64($0) }
        let wal = result.value("wal_status")
        var alarm: String?
        if let lag, lag > configuration.lagBudgetBytes {
            alarm = "slot \(configuration.slot) lags \(lag) bytes behind the server, over its budget of \(configuration.lagBudgetBytes) bytes (the server keeps that WAL)"
        }
        if wal == "unreserved" || wal == "lost" {
            alarm = "slot \(configuration.slot) has wal_status \(wal ?? ""): the server \(wal == "lost" ? "removed" : "is about to remove") WAL this reader needs"
        }
        status.slot(lagBytes: lag, walStatus: wal, alarm: alarm)
        if let alarm, !alarmed { logger.error("slot lag alarm", metadata: ["alarm": "\(alarm)"]) }
        if alarm == nil, alarmed { logger.info("slot lag back within budget", metadata: ["lag_bytes": "\(lag ?? 0)"]) }
        return alarm != nil
    }
}
