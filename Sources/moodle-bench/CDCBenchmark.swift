import BlockingIO
import Foundation
import LocalPostgres
import Logging
import PartitionedLog
import PostgresCDC

/// The change-capture benchmark: our reader (`ChangeCapture`, durable in the log) against `pg_recvlogical`
/// (pgoutput into a file) catching up on the same WAL, each from its own slot created before the WAL was
/// written; and the initial snapshot against a plain `COPY … TO STDOUT` over libpq. One local cluster for
/// the whole run.
struct CDCBenchmark: Sendable {
    enum Workload: String, CaseIterable, Sendable {
        /// Rows in transactions of `batchRows` rows.
        case batched
        /// One-row transactions from concurrent pgbench clients.
        case single
        /// One transaction of `largeRows` rows (bigger than logical_decoding_work_mem).
        case large
        /// The initial snapshot of a table loaded before the source exists.
        case snapshot
    }

    struct Parameters: Sendable {
        var workDirectory: String
        var workloads: [Workload]
        var batchedRows: Int
        var batchRows: Int
        var pgbenchSeconds: Int
        var pgbenchClients: Int
        var largeRows: Int
        var snapshotRows: Int
        var decodingWorkMem: String
        var partitions: Int
        var timeout: Duration
    }

    /// What a workload wrote.
    struct Generated: Sendable {
        var rows: Int
        var transactions: Int
        var walBytes: Int64
        var seconds: Double
    }

    /// One reader (or the baseline) working through a workload.
    struct ReaderRun: Sendable {
        var seconds: Double
        /// Peak resident memory while it ran: the child's `ru_maxrss`, or our process's VmHWM (reset before).
        var peakRSSKiB: Int
        /// Our process's resident memory at the end (nil for a child process).
        var endRSSKiB: Int?
        /// CPU of the reader's process while it ran.
        var cpuSeconds: Double
        /// Ours: from start until the phase was `streaming` (connections, state, slot checks).
        var setupSeconds: Double?
        /// Ours: change events durable in the log. pg_recvlogical: bytes written.
        var output: Int
    }

    struct WorkloadResult: Sendable {
        var workload: Workload
        var generated: Generated
        var baseline: ReaderRun
        var ours: ReaderRun
        var ratio: Double { baseline.seconds > 0 && ours.seconds > 0 ? baseline.seconds / ours.seconds : .nan }
    }

    static let publicationPrefix = "bench_pub_"
    static let columns = "id, email, username, registered"

    let parameters: Parameters
    let logger: Logger

    init(_ parameters: Parameters) {
        self.parameters = parameters
        var logger = Logger(label: "moodle-bench")
        logger.logLevel = .warning
        self.logger = logger
    }

    func run() async throws -> [WorkloadResult] {
        let p = parameters
        note("cluster: initdb under \(p.workDirectory)/pg (logical_decoding_work_mem = \(p.decodingWorkMem))")
        let running = try await runBlocking(name: "moodle-bench.cluster") {
            let installation = try PostgresInstallation.locate()
            let cluster = try LocalCluster.create(
                at: "\(p.workDirectory)/pg", installation: installation,
                settings: ["logical_decoding_work_mem": "'\(p.decodingWorkMem)'", "max_wal_size": "'4GB'"])
            return try cluster.start()
        }
        let server = BenchServer(running: running)
        var results: [WorkloadResult] = []
        do {
            note("cluster: PostgreSQL \(try await server.scalar("SHOW server_version") ?? "?") on port \(running.port)")
            for workload in p.workloads {
                let result = workload == .snapshot ? try await snapshotWorkload(server) : try await streamingWorkload(workload, server)
                note(result.summary)
                results.append(result)
            }
        } catch {
            try? await runBlocking { try running.cluster.stop(mode: .fast) }
            throw error
        }
        try await runBlocking { try running.cluster.stop(mode: .fast) }
        return results
    }

    /// Prime both slots on an empty table, write the workload's WAL, then let pg_recvlogical and our reader
    /// each catch up on it.
    private func streamingWorkload(_ workload: Workload, _ server: BenchServer) async throws -> WorkloadResult {
        let table = "bench_\(workload.rawValue)"
        let publication = Self.publicationPrefix + workload.rawValue
        try await server.createTable(table)
        let log = try await openLog(workload)
        do {
            let configuration = captureConfiguration(workload, table: table, server)
            note("\(workload): reader start on the empty table (creates \(configuration.slot) and \(publication))")
            _ = try await runCapture(configuration, log, label: "\(workload) prime") { status in
                status.phase == .streaming && !status.snapshotTables.isEmpty && status.snapshotTables.allSatisfy(\.done)
            }
            let recvSlot = "recv_\(workload.rawValue)"
            try await server.execute("SELECT pg_create_logical_replication_slot('\(recvSlot)', 'pgoutput')")
            let generated = try await generate(workload, table: table, server)
            let endLSN = try await server.currentLSN()
            note("\(workload): \(generated.rows) rows in \(generated.transactions) transactions, \(generated.walBytes / 1024) KiB of WAL in \(format(generated.seconds, 1)) s; end \(endLSN)")

            note("\(workload): pg_recvlogical catching up")
            let baseline = try await runRecvLogical(server, slot: recvSlot, publication: publication, end: endLSN, workload: workload)
            note("\(workload): our reader catching up")
            let ours = try await runCapture(configuration, log, label: "\(workload)") { status in
                (status.flushedLSN ?? .zero) >= endLSN
            }
            await log.close()
            try await server.dropSlots([recvSlot, configuration.slot])
            try await server.execute("DROP TABLE \(table)")
            return WorkloadResult(workload: workload, generated: generated, baseline: baseline, ours: ours)
        } catch {
            await log.close()
            throw error
        }
    }

    /// A table loaded before its source exists: `COPY (SELECT …) TO STDOUT` against our reader's initial
    /// snapshot, durable in the log.
    private func snapshotWorkload(_ server: BenchServer) async throws -> WorkloadResult {
        let p = parameters
        let table = "bench_snapshot"
        try await server.createTable(table)
        let started = ContinuousClock.now
        let start = try await server.currentLSN()
        try await server.execute("INSERT INTO \(table) SELECT \(Self.rowExpressions) FROM generate_series(1, \(p.snapshotRows)) g")
        // Hint bits and statistics set now, so that neither reader pays for them.
        try await server.execute("VACUUM (FREEZE, ANALYZE) \(table)")
        let generated = Generated(
            rows: p.snapshotRows, transactions: 1, walBytes: try await server.walBytes(since: start),
            seconds: (ContinuousClock.now - started).seconds)
        note("snapshot: \(p.snapshotRows) rows loaded in \(format(generated.seconds, 1)) s")

        note("snapshot: COPY TO STDOUT baseline")
        let baseline = try await server.copyOut("COPY (SELECT \(Self.columns) FROM \(table)) TO STDOUT")
        let log = try await openLog(.snapshot)
        do {
            let configuration = captureConfiguration(.snapshot, table: table, server)
            note("snapshot: our reader's initial snapshot")
            let ours = try await runCapture(configuration, log, label: "snapshot") { status in
                !status.snapshotTables.isEmpty && status.snapshotTables.allSatisfy(\.done)
                    && status.snapshotTables.reduce(0) { $0 + $1.rows } == p.snapshotRows
            }
            await log.close()
            try await server.dropSlots([configuration.slot])
            try await server.execute("DROP TABLE \(table)")
            return WorkloadResult(workload: .snapshot, generated: generated, baseline: baseline, ours: ours)
        } catch {
            await log.close()
            throw error
        }
    }

    private func openLog(_ workload: Workload) async throws -> PartitionedLog {
        try await PartitionedLog.open(
            LogConfiguration(directory: "\(parameters.workDirectory)/log-\(workload.rawValue)", fsync: .always), logger: logger)
    }

    private func captureConfiguration(_ workload: Workload, table: String, _ server: BenchServer) -> CaptureConfiguration {
        CaptureConfiguration(
            sourceName: "bench_\(workload.rawValue)", connection: server.settings,
            tables: [QualifiedName(schema: "public", table: table)], slot: "reader_\(workload.rawValue)",
            publication: Self.publicationPrefix + workload.rawValue,
            spillDirectory: "\(parameters.workDirectory)/spill-\(workload.rawValue)")
    }
}

extension CDCBenchmark.WorkloadResult {
    var summary: String {
        let rows = Double(generated.rows)
        let baselineName = workload == .snapshot ? "COPY TO STDOUT" : "pg_recvlogical"
        return "\(workload): \(baselineName) \(format(rows / baseline.seconds, 0)) rows/s (\(format(baseline.seconds, 2)) s); ours \(format(rows / ours.seconds, 0)) rows/s (\(format(ours.seconds, 2)) s, \(ours.output) events); ours/baseline \(format(ratio, 2))×"
    }
}
