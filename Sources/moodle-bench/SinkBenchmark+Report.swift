/// The goal of the sink benchmark (issue 5): our sink's upserts at least this share of a plain SQLite upsert
/// loop's rows/s (same schema, indexes, batch size and synchronous mode), measured in the same run.
enum SinkGoals {
    static let minimumRatio = 0.8
}

extension SinkBenchmark.Result {
    var oursRatio: Double { ours.seconds > 0 ? baseline.seconds / ours.seconds : .nan }
    var answersRatio: Double { answers.seconds > 0 ? baseline.seconds / answers.seconds : .nan }
    /// Ours against the loop given the rows in the order the sink applies them (not the goal's baseline).
    var oursSinkOrderRatio: Double { ours.seconds > 0 ? baselineSinkOrder.seconds / ours.seconds : .nan }

    /// Problems found comparing the tables with the rows the events leave (empty: all identical).
    var problems: [String] {
        var problems: [String] = []
        for (name, table) in [
            ("baseline", baselineTable), ("baseline in the sink's order", baselineSinkOrderTable), ("ours", oursTable),
            ("ours with answers", answersTable),
        ] {
            if table.rows != finalRows { problems.append("\(name): \(table.rows) rows, expected \(finalRows)") }
            if table.checksum != expectedChecksum { problems.append("\(name): checksum \(hex(table.checksum)), expected \(hex(expectedChecksum))") }
            if table.schema != baselineTable.schema { problems.append("\(name): schema \(table.schema) differs from the baseline's \(baselineTable.schema)") }
            if table.deadLetters != 0 { problems.append("\(name): \(table.deadLetters) dead letters") }
        }
        if answersSitesTotal != Int(finalRows) { problems.append("ours with answers: sites_total \(answersSitesTotal), expected \(finalRows)") }
        return problems
    }

    func summary(_ parameters: SinkBenchmark.Parameters) -> [String] {
        let rows = Double(parameters.rows)
        var lines = [
            "baseline (C upsert loop): \(rate(rows / baseline.seconds)) (\(format(baseline.seconds, 2)) s); in the sink's order \(rate(rows / baselineSinkOrder.seconds)) (\(format(baselineSinkOrder.seconds, 2)) s)",
            "ours: \(rate(rows / ours.seconds)) (\(format(ours.seconds, 2)) s, \(ours.batches) batches) = \(format(oursRatio, 2))× baseline (\(format(oursSinkOrderRatio, 2))× in the sink's order); goal ≥ \(format(SinkGoals.minimumRatio, 1))×: \(oursRatio >= SinkGoals.minimumRatio ? "met" : "MISSED")",
            "ours with answers: \(rate(rows / answers.seconds)) (\(format(answers.seconds, 2)) s, \(answers.batches) batches) = \(format(answersRatio, 2))× baseline",
        ]
        let problems = problems
        lines.append(problems.isEmpty
            ? "tables: all four (two baselines, ours, ours with answers) hold the \(finalRows) expected rows (checksum \(hex(expectedChecksum))), same schema, no dead letters"
            : "tables: PROBLEMS: " + problems.joined(separator: "; "))
        return lines
    }

    func json(_ parameters: SinkBenchmark.Parameters) -> JSON {
        let rows = Double(parameters.rows)
        return .object([
            "benchmark": .string("sink"),
            "rows": .int(parameters.rows),
            "final_rows": .int(Int(finalRows)),
            "updates": .int(updates),
            "update_percent": .int(parameters.updatePercent),
            "batch": .int(parameters.batch),
            "partitions": .int(parameters.partitions),
            "log_write_seconds": .number(logSeconds, 3),
            "baseline": .string("sqlite_c_upsert_loop"),
            "baseline_seconds": .number(baseline.seconds, 3),
            "baseline_rows_per_s": .number(rows / baseline.seconds, 0),
            "baseline_cpu_seconds": .number(baseline.cpuSeconds, 3),
            "baseline_commit_seconds": .number(baseline.commitSeconds, 3),
            "baseline_peak_rss_kib": .int(baseline.peakRSSKiB),
            "baseline_start_rss_kib": .int(baseline.startRSSKiB),
            "baseline_sink_order_seconds": .number(baselineSinkOrder.seconds, 3),
            "baseline_sink_order_rows_per_s": .number(rows / baselineSinkOrder.seconds, 0),
            "baseline_sink_order_cpu_seconds": .number(baselineSinkOrder.cpuSeconds, 3),
            "baseline_sink_order_commit_seconds": .number(baselineSinkOrder.commitSeconds, 3),
            "ratio_vs_sink_order": .number(oursSinkOrderRatio, 3),
            "ours_seconds": .number(ours.seconds, 3),
            "ours_rows_per_s": .number(rows / ours.seconds, 0),
            "ours_batches": .int(ours.batches),
            "ours_cpu_seconds": .number(ours.cpuSeconds, 3),
            "ours_peak_rss_kib": .int(ours.peakRSSKiB),
            "ours_start_rss_kib": .int(ours.startRSSKiB),
            "answers_seconds": .number(answers.seconds, 3),
            "answers_rows_per_s": .number(rows / answers.seconds, 0),
            "answers_batches": .int(answers.batches),
            "answers_cpu_seconds": .number(answers.cpuSeconds, 3),
            "answers_peak_rss_kib": .int(answers.peakRSSKiB),
            "answers_start_rss_kib": .int(answers.startRSSKiB),
            "ratio": .number(oursRatio, 3),
            "answers_ratio": .number(answersRatio, 3),
            "goal_ratio": .number(SinkGoals.minimumRatio, 2),
            "goal_ratio_met": .bool(oursRatio >= SinkGoals.minimumRatio),
            "tables_match": .bool(problems.isEmpty),
            "checksum": .string(hex(expectedChecksum)),
            "max_rss_kib": .int(maxRSSKiB),
        ])
    }
}

private func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
