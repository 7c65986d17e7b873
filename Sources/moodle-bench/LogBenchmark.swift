import Logging
import PartitionedLog

/// The log benchmark: durable appends from concurrent producers and reads back, against a C appender
/// (write + CRC + fdatasync) and the disk's fdatasync latency, all measured in the same run and directory.
struct LogBenchmark: Sendable {
    struct Parameters: Sendable {
        /// A fresh directory for this run; everything is written under it.
        var workDirectory: String
        var records: Int
        var recordBytes: Int
        var producers: Int
        var batch: Int
        var partitions: Int
        /// The main topic's compression. Reads with decompression are always measured on a zlib topic.
        var compression: TopicConfiguration.Compression
        var fsyncSamples: Int
        /// About how long each baseline run takes.
        var baselineSeconds: Double
    }

    struct Result: Sendable {
        var disk: LatencySummary
        var ours: AppendPhaseResult
        var oursZlib: AppendPhaseResult?
        var read: ReadPhaseResult
        var readZlib: ReadPhaseResult
        var baseline: Baseline.AppendRun
        var baselineGroup: Baseline.AppendRun
        var baselineAchieved: Baseline.AppendRun
    }

    let parameters: Parameters
    let values: RecordValues

    init(_ parameters: Parameters) {
        self.parameters = parameters
        values = RecordValues(recordBytes: parameters.recordBytes)
    }

    func run() async throws -> Result {
        let p = parameters
        note("disk: \(p.fsyncSamples) × (4 KiB write + fdatasync)")
        let disk = try await Baseline.fdatasyncLatency(path: "\(p.workDirectory)/fdatasync.dat", samples: p.fsyncSamples)
        note("disk: fdatasync \(disk.text)")

        let probe = FsyncProbe()
        var logger = Logger(label: "moodle-bench")
        logger.logLevel = .warning
        let log = try await PartitionedLog.open(
            LogConfiguration(directory: "\(p.workDirectory)/log", fsync: .always), logger: logger, metricsFactory: probe)
        let ours: AppendPhaseResult, oursZlib: AppendPhaseResult?, read: ReadPhaseResult, readZlib: ReadPhaseResult
        do {
            ours = try await appendTopic(log, "bench", p.compression, probe: probe)
            oursZlib = p.compression == .zlib ? nil : try await appendTopic(log, "bench-zlib", .zlib, probe: probe)
            read = try await readTopic(log, "bench")
            readZlib = oursZlib == nil ? read : try await readTopic(log, "bench-zlib")
        } catch {
            await log.close()
            throw error
        }
        await log.close()

        let group = p.producers * p.batch
        let achieved = max(1, Int(ours.recordsPerFsync.rounded()))
        var runs: [Baseline.AppendRun] = []
        for (name, size) in [("same batch", p.batch), ("group", group), ("achieved group", achieved)] {
            note("baseline (\(name)): batches of \(size) records, about \(format(p.baselineSeconds, 1)) s")
            let run = try await Baseline.append(
                path: "\(p.workDirectory)/baseline.dat", records: size, recordBytes: p.recordBytes,
                aboutSeconds: p.baselineSeconds, maxRecords: p.records)
            note("baseline (\(name)): \(rate(run.recordsPerSecond)) over \(run.batches) batches; per batch \(run.latency.text)")
            runs.append(run)
        }
        return Result(
            disk: disk, ours: ours, oursZlib: oursZlib, read: read, readZlib: readZlib,
            baseline: runs[0], baselineGroup: runs[1], baselineAchieved: runs[2])
    }

    private func appendTopic(
        _ log: PartitionedLog, _ topic: String, _ compression: TopicConfiguration.Compression, probe: FsyncProbe
    ) async throws -> AppendPhaseResult {
        let p = parameters
        try await log.createTopic(topic, TopicConfiguration(partitions: p.partitions, compression: compression))
        note("append \(topic) (\(compression.rawValue)): \(p.records) records of \(p.recordBytes) bytes, \(p.producers) producers × \(p.batch) per call")
        let result = try await appendPhase(log, topic: topic, probe: probe)
        note("append \(topic): \(rate(result.recordsPerSecond)) in \(format(result.seconds, 2)) s (CPU \(format(result.cpuSeconds, 2)) s); ack \(result.ack.text)")
        note("append \(topic): \(result.logFsync.count) fsyncs, \(format(result.recordsPerFsync, 1)) records per fsync; log fsync \(result.logFsync.text)")
        return result
    }

    private func readTopic(_ log: PartitionedLog, _ topic: String) async throws -> ReadPhaseResult {
        let result = try await readPhase(log, topic: topic)
        note("read \(topic): \(rate(result.recordsPerSecond)), \(result.records) records in \(result.reads) reads, \(format(result.seconds, 3)) s (CPU \(format(result.cpuSeconds, 3)) s)")
        for problem in result.problems { note("read \(topic): PROBLEM: \(problem)") }
        return result
    }
}

func rate(_ recordsPerSecond: Double) -> String { "\(format(recordsPerSecond, 0)) records/s" }
