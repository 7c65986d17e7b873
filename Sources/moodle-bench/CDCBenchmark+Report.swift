/// The goals of the CDC benchmark (issue 4), kept together.
enum CDCGoals {
    /// Streaming: our rows/s, durable in the log, at least this share of pg_recvlogical's into a file.
    static let minimumStreamingRatio = 0.9
    /// Initial snapshot: rows/s durable in the log at least this share of `COPY … TO STDOUT`'s.
    static let minimumSnapshotRatio = 0.8

    static func minimumRatio(_ workload: CDCBenchmark.Workload) -> Double {
        workload == .snapshot ? minimumSnapshotRatio : minimumStreamingRatio
    }
}

extension [CDCBenchmark.WorkloadResult] {
    /// A table for people, one row per workload.
    func table(_ parameters: CDCBenchmark.Parameters) -> [String] {
        var lines = [
            "| workload | rows (transactions) | WAL | baseline rows/s | ours rows/s | ours/baseline | goal | baseline peak RSS | ours peak RSS (end RSS) | ours CPU s (setup s) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for result in self {
            let rows = Double(result.generated.rows)
            let goal = CDCGoals.minimumRatio(result.workload)
            let baselineName = result.workload == .snapshot ? "COPY" : "pg_recvlogical"
            let met = result.ratio >= goal ? "met" : "**missed**"
            lines.append(
                "| \(result.workload.rawValue) | \(grouped(result.generated.rows)) (\(grouped(result.generated.transactions))) | \(format(Double(result.generated.walBytes) / 1_048_576, 1)) MiB "
                    + "| \(grouped(Int((rows / result.baseline.seconds).rounded()))) (\(baselineName), \(format(result.baseline.seconds, 2)) s) "
                    + "| \(grouped(Int((rows / result.ours.seconds).rounded()))) (\(format(result.ours.seconds, 2)) s) "
                    + "| \(format(result.ratio, 2))× | ≥ \(format(goal, 1))×: \(met) "
                    + "| \(mebibytes(result.baseline.peakRSSKiB)) | \(mebibytes(result.ours.peakRSSKiB)) (\(mebibytes(result.ours.endRSSKiB ?? -1))) "
                    + "| \(format(result.ours.cpuSeconds, 2)) (\(format(result.ours.setupSeconds ?? .nan, 2))) |")
        }
        return lines
    }

    /// One JSON line per workload, with the run's parameters.
    func json(_ parameters: CDCBenchmark.Parameters) -> [JSON] {
        map { result in
            let rows = Double(result.generated.rows)
            let goal = CDCGoals.minimumRatio(result.workload)
            var fields: [String: JSON] = [
                "benchmark": .string("cdc"),
                "workload": .string(result.workload.rawValue),
                "rows": .int(result.generated.rows),
                "transactions": .int(result.generated.transactions),
                "wal_bytes": .int(Int(result.generated.walBytes)),
                "baseline": .string(result.workload == .snapshot ? "copy_to_stdout" : "pg_recvlogical"),
                "baseline_seconds": .number(result.baseline.seconds, 3),
                "baseline_rows_per_s": .number(rows / result.baseline.seconds, 0),
                "baseline_peak_rss_kib": .int(result.baseline.peakRSSKiB),
                "baseline_cpu_seconds": .number(result.baseline.cpuSeconds, 3),
                "baseline_output_bytes": .int(result.baseline.output),
                "ours_seconds": .number(result.ours.seconds, 3),
                "ours_rows_per_s": .number(rows / result.ours.seconds, 0),
                "ours_peak_rss_kib": .int(result.ours.peakRSSKiB),
                "ours_end_rss_kib": .int(result.ours.endRSSKiB ?? -1),
                "ours_cpu_seconds": .number(result.ours.cpuSeconds, 3),
                "ours_events": .int(result.ours.output),
                "ratio": .number(result.ratio, 3),
                "goal_ratio": .number(goal, 2),
                "goal_met": .bool(result.ratio >= goal),
                "events_match_rows": .bool(result.ours.output == result.generated.rows),
                "parameters": .object([
                    "batch_rows": .int(parameters.batchRows),
                    "pgbench_seconds": .int(parameters.pgbenchSeconds),
                    "pgbench_clients": .int(parameters.pgbenchClients),
                    "logical_decoding_work_mem": .string(parameters.decodingWorkMem),
                    "partitions": .int(parameters.partitions),
                ]),
            ]
            if let setup = result.ours.setupSeconds { fields["ours_setup_seconds"] = .number(setup, 3) }
            return .object(fields)
        }
    }
}

private func mebibytes(_ kibibytes: Int) -> String {
    kibibytes < 0 ? "?" : "\(format(Double(kibibytes) / 1024, 1)) MiB"
}

/// 1234567 → "1,234,567".
private func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { out += "," }
        out.append(digit)
    }
    return (value < 0 ? "-" : "") + out
}
