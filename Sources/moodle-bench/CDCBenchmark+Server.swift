import Foundation
import LocalPostgres
import PostgresCDC

/// The benchmark's cluster: SQL over its unix socket (each call a connection on a dedicated thread).
struct BenchServer: Sendable {
    let running: RunningCluster

    var settings: ConnectionSettings { ConnectionSettings(url: running.socketURL(), applicationName: "moodle-bench") }
    var installation: PostgresInstallation { running.cluster.installation }

    @discardableResult
    func execute(_ sql: String) async throws -> QueryResult {
        let settings = self.settings
        return try await PGConnection.withConnection(settings) { try $0.execute(sql) }
    }

    func scalar(_ sql: String) async throws -> String? { try await execute(sql).scalar }

    func currentLSN() async throws -> LSN {
        guard let text = try await scalar("SELECT pg_current_wal_lsn()::text"), let lsn = LSN(text) else {
            throw BenchmarkFailure(description: "pg_current_wal_lsn() returned no LSN")
        }
        return lsn
    }

    func walBytes(since start: LSN) async throws -> Int64 {
        let end = try await currentLSN()
        return end > start ? Int64(clamping: end.value - start.value) : 0
    }

    /// A table shaped like Moodle's users.
    func createTable(_ table: String) async throws {
        try await execute("DROP TABLE IF EXISTS \(table)")
        try await execute("CREATE TABLE \(table) (id bigint PRIMARY KEY, email text, username text, registered varchar)")
    }

    /// Drops the slots once no walsender holds them (a stopped reader's connection takes a moment to go).
    func dropSlots(_ slots: [String]) async throws {
        for slot in slots {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let result = try await execute(
                    "SELECT active, pg_drop_replication_slot(slot_name) IS NULL FROM pg_replication_slots WHERE slot_name = \(quoteLiteral(slot)) AND NOT active")
                if !result.rows.isEmpty { break }
                let left = try await scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = \(quoteLiteral(slot))")
                if left == "0" { break }
                guard ContinuousClock.now < deadline else { throw BenchmarkFailure(description: "slot \(slot) stayed active") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// `COPY … TO STDOUT` over libpq with the capture session's settings, counting the bytes: the baseline
    /// of the initial snapshot. Memory is this process's peak while it ran (libpq runs in it).
    func copyOut(_ statement: String) async throws -> CDCBenchmark.ReaderRun {
        let settings = self.settings.forChangeCapture
        resetPeakRSS()
        let cpuStart = processCPUSeconds()
        let started = ContinuousClock.now
        let bytes = try await PGConnection.withConnection(settings) { connection in
            var bytes = 0
            try connection.copyOut(statement) { bytes += $0.count }
            return bytes
        }
        let seconds = (ContinuousClock.now - started).seconds
        let memory = MemoryUsage.current()
        return CDCBenchmark.ReaderRun(
            seconds: seconds, peakRSSKiB: memory.peakKiB, endRSSKiB: memory.residentKiB,
            cpuSeconds: processCPUSeconds() - cpuStart, setupSeconds: nil, output: bytes)
    }
}
