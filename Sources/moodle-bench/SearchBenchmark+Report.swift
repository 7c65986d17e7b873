import Foundation

/// Everything one `moodle-bench search` run measured; nil parts were skipped.
struct SearchBenchResult: Sendable {
    var documents: Int
    var corpusBytes: Int
    var tantivy: TantivyBaseline.Run?
    var engine: SearchBenchmark.EngineRun?
    var queries: SearchBenchmark.QueryRun?
    var bulk: SearchBenchmark.BulkRun?
    var freshness: SearchBenchmark.FreshnessRun?
}

/// The machine, as the results block states it.
struct MachineNote: Sendable {
    var cores: Int
    var memoryGiB: Double
    var loadAverage: String
    var buildMode: String

    static func now() -> MachineNote {
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
        #if DEBUG
        let mode = "debug"
        #else
        let mode = "release"
        #endif
        return MachineNote(
            cores: ProcessInfo.processInfo.activeProcessorCount, memoryGiB: Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824,
            loadAverage: load, buildMode: mode)
    }
}

extension SearchBenchResult {
    /// The results block (Markdown, BENCHMARKS.md's style): each figure with its baseline and goal.
    func markdown(command: String, started: MachineNote, ended: MachineNote, date: String) -> String {
        var out = "## search — \(date), \(documents) documents (\(format(Double(corpusBytes) / 1_048_576, 1)) MiB of JSON)\n\n"
        out += "```sh\n\(command)\n```\n\n"
        out += "Machine: \(started.cores) cores, \(format(started.memoryGiB, 1)) GiB, \(started.buildMode) build; load average \(started.loadAverage) at start, \(ended.loadAverage) at end.\n\n"
        out += "| measure | ours | baseline (same run) | goal | met |\n|---|---|---|---|---|\n"
        out += indexingRows()
        out += queryRows()
        out += freshnessRow()
        out += "\n" + memoryLines()
        return out
    }

    private func indexingRows() -> String {
        var out = ""
        if let engine {
            let ours = engine.indexing
            var baseline = "—"
            var met = "no baseline"
            if let tantivy {
                let ratio = ours.docsPerSecond / tantivy.indexing.docsPerSecond
                baseline = "tantivy \(TantivyBaseline.version): \(Int(tantivy.indexing.docsPerSecond)) (\(format(tantivy.indexing.seconds, 2)) s, CPU \(format(tantivy.indexing.cpuSeconds, 2)) s)"
                met = ratio >= 0.5 ? "yes: \(format(ratio, 2))×" : "**MISSED: \(format(ratio, 2))×**"
            }
            out += "| indexing in-process, docs/s (1 writer thread) | \(Int(ours.docsPerSecond)) (\(format(ours.seconds, 2)) s, CPU \(format(ours.cpuSeconds, 2)) s; \(engine.segmentsAfterCommit) segments, then \(engine.merges) merges in \(format(engine.mergeSeconds, 2)) s → \(engine.segmentsAfterMerges)) | \(baseline) | ≥ 0.5× tantivy | \(met) |\n"
        } else if let tantivy {
            out += "| indexing, docs/s | (engine part skipped) | tantivy \(Int(tantivy.indexing.docsPerSecond)) | ≥ 0.5× | — |\n"
        }
        if let bulk {
            let rate = bulk.indexing.docsPerSecond
            let met = rate >= 40_000 ? "yes" : "**MISSED**"
            out += "| `_bulk` over HTTP, docs/s | \(Int(rate)) (\(format(bulk.indexing.seconds, 2)) s; \(bulk.connections) connections × \(bulk.documentsPerRequest) docs per request; request p50 \(format(bulk.requestLatency.p50Milliseconds, 1)) ms, p99 \(format(bulk.requestLatency.p99Milliseconds, 1)) ms; client CPU \(format(bulk.clientCPUSeconds, 2)) s of \(format(bulk.indexing.cpuSeconds, 2)) s) | — | ≥ 40,000 | \(met) |\n"
        }
        return out
    }

    private func queryRows() -> String {
        guard let queries else { return "" }
        var out = ""
        for figures in queries.figures {
            var baseline = "—"
            if let latency = tantivy?.queries[figures.name] {
                baseline = "tantivy p50 \(format(latency.p50Milliseconds, 3)), p99 \(format(latency.p99Milliseconds, 3)), max \(format(latency.maxMilliseconds, 3)) ms\(latency.firstCount.map { figures.name.hasPrefix("date_histogram") ? "; \($0) buckets" : "; hits \($0)" } ?? "")"
            }
            let goal = figures.goalP99Milliseconds.map { "p99 ≤ \(format($0, 0)) ms" } ?? "—"
            var met = "—"
            if let limit = figures.goalP99Milliseconds {
                met = figures.inProcess.p99Milliseconds <= limit ? "yes" : "**MISSED**"
                met += figures.http.p99Milliseconds <= limit ? " (HTTP yes)" : " (HTTP **MISSED**)"
            }
            let hits = figures.firstTotalHits.map { "; hits \($0)" } ?? ""
            out += "| \(figures.name), ms (n=\(figures.inProcess.count)\(hits)) | in-process p50 \(format(figures.inProcess.p50Milliseconds, 3)), p99 \(format(figures.inProcess.p99Milliseconds, 3)), max \(format(figures.inProcess.maxMilliseconds, 3)); HTTP p50 \(format(figures.http.p50Milliseconds, 3)), p99 \(format(figures.http.p99Milliseconds, 3)), max \(format(figures.http.maxMilliseconds, 3)) | \(baseline) | \(goal) | \(met) |\n"
        }
        return out
    }

    private func freshnessRow() -> String {
        guard let freshness else { return "" }
        let path = switch freshness.path {
        case .pipeline: "source COMMIT → `_search` through moodle-pipeline serve"
        case .api: "**API path** (`PUT _doc` ack → `_search`; NOT the issue's definition\(freshness.fallbackReason.map { ": \($0)" } ?? ""))"
        }
        let met = freshness.latency.p99Milliseconds <= 250 && freshness.missing == 0 ? "yes" : "**MISSED**"
        return "| freshness, ms (\(path); \(Int(freshness.changesPerSecond)) changes/s for \(format(freshness.writeSeconds, 1)) s, every \(freshness.sampleEvery)th change timed; refresh_interval \(freshness.refreshInterval)) | p50 \(format(freshness.latency.p50Milliseconds, 1)), p99 \(format(freshness.latency.p99Milliseconds, 1)), max \(format(freshness.latency.maxMilliseconds, 1)) (n=\(freshness.latency.count), \(freshness.missing) never seen) | — | p99 ≤ 250 ms at 1,000 changes/s | \(met) |\n"
    }

    private func memoryLines() -> String {
        var lines: [String] = ["Peak memory (VmHWM; reset before each part; RSS before it in parentheses):"]
        if let tantivy { lines.append("- tantivy (its Python process, lines loaded): \(tantivy.indexing.memory.text)") }
        if let engine { lines.append("- engine in-process indexing (this process, corpus in memory): \(engine.indexing.memory.text)") }
        if let queries {
            lines.append("- queries in-process: \(queries.inProcessMemory.text)")
            lines.append("- queries over HTTP (server in this process): \(queries.httpMemory.text)")
        }
        if let bulk { lines.append("- `_bulk` over HTTP (server + log + clients in this process, bodies prepared): \(bulk.indexing.memory.text)") }
        if let freshness {
            let whose = freshness.path == .pipeline ? "moodle-pipeline serve (child process)" : "this process (API path)"
            lines.append("- freshness, \(whose): peak \(mib(freshness.peakKiB)) MiB")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One JSON line with every figure and `goal_*` verdicts.
    func json() -> String {
        var fields: [String] = ["\"benchmark\":\"search\"", "\"documents\":\(documents)"]
        if let tantivy {
            fields.append("\"tantivy\":{\"version\":\"\(TantivyBaseline.version)\",\"docs_per_s\":\(Int(tantivy.indexing.docsPerSecond)),\"seconds\":\(format(tantivy.indexing.seconds, 3)),\"cpu_s\":\(format(tantivy.indexing.cpuSeconds, 2)),\"peak_mib\":\(mib(tantivy.indexing.memory.peakKiB)),\"growth_mib\":\(mib(tantivy.indexing.memory.growthKiB)),\"segments\":\(tantivy.segments)}")
        }
        if let engine {
            var text = "\"engine\":{\"docs_per_s\":\(Int(engine.indexing.docsPerSecond)),\"seconds\":\(format(engine.indexing.seconds, 3)),\"cpu_s\":\(format(engine.indexing.cpuSeconds, 2)),\"peak_mib\":\(mib(engine.indexing.memory.peakKiB)),\"growth_mib\":\(mib(engine.indexing.memory.growthKiB)),\"segments\":\(engine.segmentsAfterCommit),\"merge_s\":\(format(engine.mergeSeconds, 2)),\"segments_merged\":\(engine.segmentsAfterMerges)"
            if let tantivy {
                let ratio = engine.indexing.docsPerSecond / tantivy.indexing.docsPerSecond
                text += ",\"vs_tantivy\":\(format(ratio, 3)),\"goal_half_tantivy\":\(ratio >= 0.5)"
            }
            fields.append(text + "}")
        }
        if let bulk {
            fields.append("\"bulk\":{\"docs_per_s\":\(Int(bulk.indexing.docsPerSecond)),\"seconds\":\(format(bulk.indexing.seconds, 3)),\"connections\":\(bulk.connections),\"docs_per_request\":\(bulk.documentsPerRequest),\"request_p50_ms\":\(format(bulk.requestLatency.p50Milliseconds, 2)),\"request_p99_ms\":\(format(bulk.requestLatency.p99Milliseconds, 2)),\"client_cpu_s\":\(format(bulk.clientCPUSeconds, 2)),\"process_cpu_s\":\(format(bulk.indexing.cpuSeconds, 2)),\"peak_mib\":\(mib(bulk.indexing.memory.peakKiB)),\"goal_40k\":\(bulk.indexing.docsPerSecond >= 40_000)}")
        }
        if let queries {
            let kinds = queries.figures.map { figures -> String in
                var text = "\"\(figures.name)\":{\"p50_ms\":\(format(figures.inProcess.p50Milliseconds, 3)),\"p99_ms\":\(format(figures.inProcess.p99Milliseconds, 3)),\"max_ms\":\(format(figures.inProcess.maxMilliseconds, 3)),\"http_p50_ms\":\(format(figures.http.p50Milliseconds, 3)),\"http_p99_ms\":\(format(figures.http.p99Milliseconds, 3))"
                if let latency = tantivy?.queries[figures.name] { text += ",\"tantivy_p50_ms\":\(format(latency.p50Milliseconds, 3)),\"tantivy_p99_ms\":\(format(latency.p99Milliseconds, 3))" }
                if let limit = figures.goalP99Milliseconds { text += ",\"goal_p99\":\(figures.inProcess.p99Milliseconds <= limit)" }
                return text + "}"
            }
            fields.append("\"queries\":{\"segments\":\(queries.segments),\(kinds.joined(separator: ","))}")
        }
        if let freshness {
            fields.append("\"freshness\":{\"path\":\"\(freshness.path.rawValue)\",\"changes_per_s\":\(Int(freshness.changesPerSecond)),\"p50_ms\":\(format(freshness.latency.p50Milliseconds, 1)),\"p99_ms\":\(format(freshness.latency.p99Milliseconds, 1)),\"max_ms\":\(format(freshness.latency.maxMilliseconds, 1)),\"n\":\(freshness.latency.count),\"missing\":\(freshness.missing),\"peak_mib\":\(mib(freshness.peakKiB)),\"goal_250ms\":\(freshness.path == .pipeline && freshness.latency.p99Milliseconds <= 250 && freshness.missing == 0)}")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
