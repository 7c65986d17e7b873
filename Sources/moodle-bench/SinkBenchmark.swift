import ArgumentParser
import CBenchBaseline
import Foundation
import Logging
import MoodleAnalytics
import PartitionedLog
import SQLiteSink

extension MoodleBench {
    struct Sink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sink",
            abstract: "The SQLite sink consuming change events from the log, against a plain C SQLite upsert loop (same schema, batch size and synchronous mode).")

        @Option(help: "Where the run's fresh working directory (log, databases) is made; removed at the end unless --keep.")
        var directory = "/tmp"
        @Flag(help: "Keep the working directory.")
        var keep = false
        @Flag(help: "100,000 events instead of 1,000,000.")
        var quick = false
        @Option(help: "Change events (default 1,000,000; --quick 100,000).")
        var rows: Int?
        @Option(help: "Records per sink transaction (the sink's maxBatchRecords) and rows per baseline transaction.")
        var batch = 20_000
        @Option(help: "Percent of the events that update an already created row (the rest create rows).")
        var updates = 30
        @Option(help: "Give up on a sink run after this many seconds.")
        var timeoutSeconds = 1800

        func validate() throws {
            for (name, value) in [("--rows", rows ?? 1), ("--batch", batch), ("--timeout-seconds", timeoutSeconds)] where value < 1 {
                throw ValidationError("\(name) must be at least 1")
            }
            guard (0..<100).contains(updates) else { throw ValidationError("--updates must be 0-99") }
            guard (rows ?? 1_000_000) < Int(Int32.max) else { throw ValidationError("--rows must be below 2^31") }
        }

        func run() async throws {
            let work = try WorkDirectory(under: directory, keep: keep)
            defer { work.finish() }
            let workDirectory = work.path
            let parameters = SinkBenchmark.Parameters(
                workDirectory: workDirectory, rows: rows ?? (quick ? 100_000 : 1_000_000), batch: batch,
                updatePercent: updates, timeout: .seconds(timeoutSeconds))
            let started = ContinuousClock.now
            let result = try await SinkBenchmark(parameters).run()
            note("done in \(format((ContinuousClock.now - started).seconds, 1)) s")
            for line in result.summary(parameters) { note(line) }
            print(result.json(parameters).text)
        }
    }
}

/// The sink benchmark (issue 5): `SQLiteSink` catching up on change events already durable in a
/// `PartitionedLog` — mirror only, then again with the two answers — against `sqlite_baseline_upsert`, a C
/// loop upserting the same rows in the same order into the same table with the same settings, all in one run.
/// The goal's ratio is against that loop; the loop is also run with the rows in the order the sink applies
/// them (partition by partition), for information.
struct SinkBenchmark: Sendable {
    struct Parameters: Sendable {
        var workDirectory: String
        /// Change events (and baseline upserts).
        var rows: Int
        var batch: Int
        var updatePercent: Int
        var timeout: Duration
        var partitions = 4
        var table = "bench.public.SitesUsers"
    }

    /// One sink run, from `run()` until its committed records reached the end of the log.
    struct SinkRun: Sendable {
        var seconds: Double
        var cpuSeconds: Double
        var batches: Int
        /// VmHWM while it ran (reset before), and the RSS just before it started.
        var peakRSSKiB: Int
        var startRSSKiB: Int
    }

    struct BaselineRun: Sendable {
        var seconds: Double
        /// Of `seconds`, in COMMIT (WAL writes and checkpoints).
        var commitSeconds: Double
        var cpuSeconds: Double
        var peakRSSKiB: Int
        var startRSSKiB: Int
    }

    /// What a database's mirror table holds at the end.
    struct TableCheck: Sendable {
        var rows: Int64
        var checksum: UInt64
        var schema: String
        var deadLetters: Int
    }

    struct Result: Sendable {
        var finalRows: Int64
        var updates: Int
        var logSeconds: Double
        var expectedChecksum: UInt64
        var baseline: BaselineRun
        /// The same loop with the rows in the order the sink applies them: partition by partition.
        var baselineSinkOrder: BaselineRun
        var ours: SinkRun
        var answers: SinkRun
        var baselineTable: TableCheck
        var baselineSinkOrderTable: TableCheck
        var oursTable: TableCheck
        var answersTable: TableCheck
        /// `max(sites_total)` of `weekly_site_registrations` in the answers run (every row's time is valid).
        var answersSitesTotal: Int
        var maxRSSKiB: Int
    }

    let parameters: Parameters
    private let logger: Logger

    init(_ parameters: Parameters) {
        self.parameters = parameters
        var logger = Logger(label: "moodle-bench")
        logger.logLevel = .warning
        self.logger = logger
    }

    func run() async throws -> Result {
        let p = parameters
        let log = try await PartitionedLog.open(LogConfiguration(directory: "\(p.workDirectory)/log", fsync: .always), logger: logger)
        do {
            let result = try await measure(log)
            await log.close()
            return result
        } catch {
            await log.close()
            throw error
        }
    }

    private func measure(_ log: PartitionedLog) async throws -> Result {
        let p = parameters
        note("log: \(p.rows) change events into \(p.table) (\(p.partitions) partitions), \(p.updatePercent)% updates")
        let logStart = ContinuousClock.now
        let workload: SinkWorkload, logSeconds: Double, baseline: BaselineRun, baselineSinkOrder: BaselineRun
        do {  // the baseline's rows are freed at the end of this block, before our runs (whose peak RSS is measured)
            let (written, rows) = try await writeLog(log)
            workload = written
            logSeconds = (ContinuousClock.now - logStart).seconds
            note("log: written in \(format(logSeconds, 2)) s; \(workload.created) rows at the end, \(p.rows - Int(workload.created)) updates")
            note("baseline: C upsert loop, \(p.rows) rows in the events' order, in transactions of \(p.batch)")
            baseline = try await runBaseline(rows, order: nil, file: "baseline.sqlite")
            note("baseline: \(rate(Double(p.rows) / baseline.seconds)) in \(format(baseline.seconds, 2)) s (\(format(baseline.commitSeconds, 2)) s in COMMIT; CPU \(format(baseline.cpuSeconds, 2)) s)")
            // What the sink does: each batch takes the next records of partition 0, then 1, ... (an id's
            // changes stay in its partition and in order, so the final rows are the same).
            let order = rows.partitions.indices.sorted { (rows.partitions[$0], $0) < (rows.partitions[$1], $1) }.map(Int64.init)
            note("baseline in the sink's order (partition by partition): \(p.rows) rows, in transactions of \(p.batch)")
            baselineSinkOrder = try await runBaseline(rows, order: order, file: "baseline-sink-order.sqlite")
            note("baseline in the sink's order: \(rate(Double(p.rows) / baselineSinkOrder.seconds)) in \(format(baselineSinkOrder.seconds, 2)) s (\(format(baselineSinkOrder.commitSeconds, 2)) s in COMMIT; CPU \(format(baselineSinkOrder.cpuSeconds, 2)) s)")
        }

        let ours = try await runSink(label: "ours", path: "\(p.workDirectory)/ours.sqlite", analytics: nil, group: "bench-mirror", log)
        let mapping = AnalyticsMapping(
            community: .init(topic: "bench.public.CommunityUsers", emailColumn: "email", registeredColumn: "timecreated"),
            sites: .init(topic: p.table, emailColumn: "admin_email", registeredColumn: "registration_timestamp"))
        let answers = try await runSink(label: "ours with answers", path: "\(p.workDirectory)/answers.sqlite", analytics: mapping, group: "bench-answers", log)

        note("checking the four tables")
        let expected = workload.expectedChecksum()
        let baselineTable = try check("\(p.workDirectory)/baseline.sqlite", sink: false)
        let baselineSinkOrderTable = try check("\(p.workDirectory)/baseline-sink-order.sqlite", sink: false)
        let oursTable = try check("\(p.workDirectory)/ours.sqlite", sink: true)
        let answersTable = try check("\(p.workDirectory)/answers.sqlite", sink: true)
        let sitesTotal = Int(try queryText("\(p.workDirectory)/answers.sqlite", "SELECT coalesce(max(sites_total), 0) FROM weekly_site_registrations")) ?? -1
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Result(
            finalRows: workload.created, updates: p.rows - Int(workload.created), logSeconds: logSeconds, expectedChecksum: expected,
            baseline: baseline, baselineSinkOrder: baselineSinkOrder, ours: ours, answers: answers,
            baselineTable: baselineTable, baselineSinkOrderTable: baselineSinkOrderTable, oursTable: oursTable,
            answersTable: answersTable, answersSitesTotal: sitesTotal, maxRSSKiB: usage.ru_maxrss)
    }

    /// Creates the topics, appends the relation record, then the events in appends of 10,000; returns the
    /// workload (for the expected table) and the same rows as the baseline's input.
    private func writeLog(_ log: PartitionedLog) async throws -> (SinkWorkload, BaselineRows) {
        let p = parameters
        try await log.createTopic(p.table, TopicConfiguration(partitions: p.partitions))
        try await log.createTopic("_cdc.bench", TopicConfiguration(partitions: 1, cleanup: .compact, retentionAge: nil))
        _ = try await log.append(LogRecord(key: SinkWorkload.relationKey, value: SinkWorkload.relationValue), to: "_cdc.bench")
        var workload = SinkWorkload(rows: p.rows, updatePercent: p.updatePercent)
        var rows = BaselineRows(capacity: p.rows)
        var records: [LogRecord] = []
        records.reserveCapacity(10_000)
        while true {
            let event = workload.next()
            if let event {
                let email = SinkWorkload.email(id: event.id, index: event.index, isUpdate: event.isUpdate)
                let username = SinkWorkload.username(id: event.id)
                let timestamp = SinkWorkload.timestamp(event.index)
                records.append(LogRecord(
                    key: SinkWorkload.key(event), value: SinkWorkload.value(event, email: email, username: username, timestamp: timestamp)))
                rows.append(id: event.id, partition: Partitioner.partition(for: records[records.count - 1].key, partitions: p.partitions), email, username, timestamp)
            }
            if records.count == 10_000 || (event == nil && !records.isEmpty) {
                let positions = try await log.append(records, to: p.table)
                guard positions.count == records.count else {
                    throw BenchmarkFailure(description: "append returned \(positions.count) positions for \(records.count) records")
                }
                records.removeAll(keepingCapacity: true)
            }
            if event == nil { break }
        }
        return (workload, rows)
    }

    /// The C loop over `rows` in `order` (row numbers; nil: as generated) into a new database `file`.
    private func runBaseline(_ rows: BaselineRows, order: [Int64]?, file: String) async throws -> BaselineRun {
        let path = "\(parameters.workDirectory)/\(file)"
        let batch = Int32(clamping: parameters.batch)
        settle()
        resetPeakRSS()
        let startRSS = MemoryUsage.current().residentKiB
        let cpuStart = processCPUSeconds()
        let (status, seconds, commitSeconds, message) = await onDedicatedThread { () -> (Int32, Double, Double, String) in
            var seconds = 0.0, commitSeconds = 0.0
            var message = [CChar](repeating: 0, count: 512)
            let status = rows.ids.withUnsafeBufferPointer { ids in
                rows.offsets.withUnsafeBufferPointer { offsets in
                    rows.text.withUnsafeBytes { text in
                        (order ?? []).withUnsafeBufferPointer { ordered in
                            sqlite_baseline_upsert(
                                path, ids.baseAddress, text.baseAddress?.assumingMemoryBound(to: CChar.self), offsets.baseAddress,
                                order == nil ? nil : ordered.baseAddress, Int64(ids.count), batch, &seconds, &commitSeconds, &message, message.count)
                        }
                    }
                }
            }
            return (status, seconds, commitSeconds, text(message))
        }
        let cpu = processCPUSeconds() - cpuStart
        guard status == 0 else { throw BenchmarkFailure(description: "baseline: SQLite error \(status): \(message)") }
        return BaselineRun(seconds: seconds, commitSeconds: commitSeconds, cpuSeconds: cpu, peakRSSKiB: MemoryUsage.current().peakKiB, startRSSKiB: startRSS)
    }

    /// Runs a new sink on a new database from the start of the log until it has committed every record
    /// (the relation record and the events), polling its status every 2 ms, then cancels it.
    private func runSink(label: String, path: String, analytics: AnalyticsMapping?, group: String, _ log: PartitionedLog) async throws -> SinkRun {
        let p = parameters
        var configuration = SinkConfiguration(path: path, sources: ["bench"], analytics: analytics)
        configuration.maxBatchRecords = p.batch
        configuration.consumerGroup = group
        let sink = try SQLiteSink(configuration: configuration, log: log, logger: logger)
        let target = p.rows + 1
        note("\(label): sink from the start of the log until \(target) records are committed")
        settle()
        resetPeakRSS()
        let startRSS = MemoryUsage.current().residentKiB
        let cpuStart = processCPUSeconds()
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + p.timeout
        let task = Task { try await sink.run() }
        var status = sink.status
        while status.records < target {
            if let error = status.lastError {
                task.cancel()
                _ = try? await task.value
                throw BenchmarkFailure(description: "\(label): a sink batch failed: \(error)")
            }
            guard clock.now < deadline else {
                task.cancel()
                _ = try? await task.value
                throw BenchmarkFailure(description: "\(label): timed out at \(status.records) of \(target) records")
            }
            try await Task.sleep(for: .milliseconds(2))
            status = sink.status
        }
        let seconds = (clock.now - started).seconds
        let cpu = processCPUSeconds() - cpuStart
        let memory = MemoryUsage.current()
        task.cancel()
        try await task.value
        guard status.records == target else {
            throw BenchmarkFailure(description: "\(label): the sink committed \(status.records) records, the log holds \(target)")
        }
        let run = SinkRun(seconds: seconds, cpuSeconds: cpu, batches: status.batches, peakRSSKiB: memory.peakKiB, startRSSKiB: startRSS)
        note("\(label): \(rate(Double(p.rows) / seconds)) in \(format(seconds, 2)) s, \(run.batches) batches (CPU \(format(cpu, 2)) s, peak RSS \(run.peakRSSKiB / 1024) MiB)")
        return run
    }

    private func check(_ path: String, sink: Bool) throws -> TableCheck {
        var rows: Int64 = 0
        var checksum: UInt64 = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = sqlite_baseline_checksum(path, parameters.table, &rows, &checksum, &message, message.count)
        guard status == 0 else { throw BenchmarkFailure(description: "checksum of \(path): SQLite error \(status): \(text(message))") }
        let schema = try queryText(path, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '\(parameters.table)'")
        let deadLetters = sink ? Int(try queryText(path, "SELECT count(*) FROM dead_letters")) ?? -1 : 0
        return TableCheck(rows: rows, checksum: checksum, schema: schema, deadLetters: deadLetters)
    }

    private func queryText(_ path: String, _ sql: String) throws -> String {
        var output = [CChar](repeating: 0, count: 4096)
        let status = sqlite_baseline_query_text(path, sql, &output, output.count)
        guard status == 0 else { throw BenchmarkFailure(description: "\(sql) on \(path): SQLite error \(status): \(text(output))") }
        return text(output)
    }
}

/// Writes back every dirty page (`sync`) before a timed phase, so that none pays for the writeback of what
/// an earlier phase wrote (the log's 400 MB, the previous database).
private func settle() {
    sync()
}

/// The NUL-terminated text in a C buffer.
private func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
