import PartitionedLog

/// The goals of the log benchmark (issue: partitioned log), kept together with their sources.
enum LogGoals {
    /// Append throughput at least this share of the C baseline's at the same batch size.
    static let minimumRatioToBaseline = 0.8
    /// Appended records per second with group commit, on the 2-core machine.
    static let minimumRecordsPerSecond = 300_000.0
    /// p99 acknowledgement latency at most this multiple of the disk's fdatasync p99.
    static let maximumAckP99OverFdatasyncP99 = 2.0
    /// Reads with decompression, records per second.
    static let minimumZlibReadRecordsPerSecond = 1_000_000.0
}

extension LogBenchmark.Result {
    /// The final JSON line: ours, the baselines, their ratios and whether each goal was met, from the
    /// values measured in this run.
    func json(_ parameters: LogBenchmark.Parameters) -> JSON {
        let ratio = divide(ours.recordsPerSecond, baseline.recordsPerSecond)
        let ratioGroup = divide(ours.recordsPerSecond, baselineGroup.recordsPerSecond)
        let ratioAchieved = divide(ours.recordsPerSecond, baselineAchieved.recordsPerSecond)
        let ackOverDisk = divide(ours.ack.p99Milliseconds, disk.p99Milliseconds)
        let verified = read.problems.isEmpty && readZlib.problems.isEmpty
        var fields: [String: JSON] = [
            "ours_records_per_s": .number(ours.recordsPerSecond, 0),
            "ours_seconds": .number(ours.seconds, 3),
            "ours_cpu_seconds": .number(ours.cpuSeconds, 3),
            "ack_p50_ms": .number(ours.ack.p50Milliseconds, 3),
            "ack_p99_ms": .number(ours.ack.p99Milliseconds, 3),
            "ack_max_ms": .number(ours.ack.maxMilliseconds, 3),
            "ours_fsyncs": .int(ours.logFsync.count),
            "ours_records_per_fsync": .number(ours.recordsPerFsync, 1),
            "log_fsync_p50_ms": .number(ours.logFsync.p50Milliseconds, 3),
            "log_fsync_p99_ms": .number(ours.logFsync.p99Milliseconds, 3),
            "fdatasync_p50_ms": .number(disk.p50Milliseconds, 3),
            "fdatasync_p99_ms": .number(disk.p99Milliseconds, 3),
            "ack_p99_over_fdatasync_p99": .number(ackOverDisk, 2),
            "baseline_records_per_s": .number(baseline.recordsPerSecond, 0),
            "baseline_p99_ms": .number(baseline.latency.p99Milliseconds, 3),
            "baseline_batches": .int(baseline.batches),
            "baseline_group_records_per_s": .number(baselineGroup.recordsPerSecond, 0),
            "baseline_group_batch": .int(baselineGroup.recordsPerBatch),
            "baseline_group_p99_ms": .number(baselineGroup.latency.p99Milliseconds, 3),
            "baseline_achieved_records_per_s": .number(baselineAchieved.recordsPerSecond, 0),
            "baseline_achieved_batch": .int(baselineAchieved.recordsPerBatch),
            "ratio": .number(ratio, 3),
            "ratio_group": .number(ratioGroup, 3),
            "ratio_achieved": .number(ratioAchieved, 3),
            "read_records_per_s": .number(read.recordsPerSecond, 0),
            "read_zlib_records_per_s": .number(readZlib.recordsPerSecond, 0),
            "read_cpu_seconds": .number(read.cpuSeconds, 3),
            "read_zlib_cpu_seconds": .number(readZlib.cpuSeconds, 3),
            "read_verified": .bool(verified),
            // "The same batch size": the baseline writing batches of as many records as our group commit
            // actually put behind each fsync. (`ratio`, against batches of one append call, is flattering.)
            "goal_append_vs_baseline_met": .bool(ratioAchieved >= LogGoals.minimumRatioToBaseline),
            "goal_append_vs_baseline_group_met": .bool(ratioGroup >= LogGoals.minimumRatioToBaseline),
            "goal_append_300k_met": .bool(ours.recordsPerSecond >= LogGoals.minimumRecordsPerSecond),
            "goal_ack_p99_met": .bool(ackOverDisk <= LogGoals.maximumAckP99OverFdatasyncP99),
            "goal_read_zlib_1m_met": .bool(verified && readZlib.recordsPerSecond >= LogGoals.minimumZlibReadRecordsPerSecond),
            "parameters": .object([
                "records": .int(parameters.records),
                "record_bytes": .int(parameters.recordBytes),
                "producers": .int(parameters.producers),
                "batch": .int(parameters.batch),
                "partitions": .int(parameters.partitions),
                "compression": .string(parameters.compression.rawValue),
                "fsync_samples": .int(parameters.fsyncSamples),
                "baseline_seconds": .number(parameters.baselineSeconds, 1),
            ]),
        ]
        if let oursZlib {
            fields["zlib_append_records_per_s"] = .number(oursZlib.recordsPerSecond, 0)
            fields["zlib_ack_p99_ms"] = .number(oursZlib.ack.p99Milliseconds, 3)
            fields["zlib_records_per_fsync"] = .number(oursZlib.recordsPerFsync, 1)
            fields["zlib_append_cpu_seconds"] = .number(oursZlib.cpuSeconds, 3)
        }
        return .object(fields)
    }

    private func divide(_ numerator: Double, _ denominator: Double) -> Double {
        denominator > 0 ? numerator / denominator : .nan
    }
}

/// Just enough JSON for one report line: keys sorted, numbers with a fixed number of decimals.
indirect enum JSON {
    case int(Int)
    case number(Double, Int)
    case bool(Bool)
    case string(String)
    case object([String: JSON])

    var text: String {
        switch self {
        case .int(let value): return String(value)
        case .number(let value, let decimals): return value.isFinite ? format(value, decimals) : "null"
        case .bool(let value): return value ? "true" : "false"
        case .string(let value): return Self.quoted(value)
        case .object(let fields):
            let members = fields.keys.sorted().map { "\(Self.quoted($0)):\(fields[$0]?.text ?? "null")" }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
