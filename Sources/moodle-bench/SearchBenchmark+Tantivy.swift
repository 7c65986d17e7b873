import Foundation
import StreamProcessing

/// The baseline: tantivy from PyPI (pinned), one indexing thread, run by `search_baseline_tantivy.py` in a
/// virtual environment of its own (`.build/bench-venv`, made here when missing or different).
enum TantivyBaseline {
    static let version = "0.27.0"

    struct Run: Sendable {
        var indexing: IndexingFigures
        var segments: Int
        var mergeWaitSeconds: Double
        var heapBytes: Int
        /// Query kind → latency (nearest-rank, as `LatencySummary`), for context.
        var queries: [String: TantivyLatency]
    }

    struct TantivyLatency: Sendable {
        var count: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double
        /// Hits (or buckets, for the aggregation) of the first timed run.
        var firstCount: Int?
    }

    static func run(_ p: SearchBenchmark.Parameters, documents: String, queries: String?) async throws -> Run {
        let python = try await prepareEnvironment(p)
        let resultPath = "\(p.workDirectory)/tantivy-result.json"
        var arguments = [
            p.tantivyScript, "--documents", documents, "--index-dir", "\(p.workDirectory)/tantivy",
            "--heap-bytes", String(p.tantivyHeapBytes), "--result", resultPath,
        ]
        if let queries { arguments += ["--queries", queries] }
        note("tantivy \(version): indexing with one writer thread (heap \(p.tantivyHeapBytes / 1_000_000) MB)")
        let child = try await ChildProcess.run(python, arguments, outputPath: "\(p.workDirectory)/tantivy.log")
        guard child.status == 0 else {
            throw BenchmarkFailure(description: "the tantivy baseline failed (status \(child.status)): \(child.output.suffix(2000))")
        }
        let run = try parse(try Data(contentsOf: URL(fileURLWithPath: resultPath)))
        try? FileManager.default.removeItem(atPath: "\(p.workDirectory)/tantivy")
        note("tantivy: \(run.indexing.documents) docs in \(format(run.indexing.seconds, 2)) s = \(Int(run.indexing.docsPerSecond))/s, CPU \(format(run.indexing.cpuSeconds, 2)) s, \(run.indexing.memory.text)")
        return run
    }

    /// The venv's python, after making sure the venv holds exactly tantivy==`version` (it has no dependencies).
    private static func prepareEnvironment(_ p: SearchBenchmark.Parameters) async throws -> String {
        let python = "\(p.venv)/bin/python"
        let freezeLog = "\(p.workDirectory)/pip-freeze.log"
        if FileManager.default.isExecutableFile(atPath: python) {
            let freeze = try await ChildProcess.run(python, ["-m", "pip", "freeze"], outputPath: freezeLog)
            if freeze.status == 0, freeze.output.split(separator: "\n").map(String.init) == ["tantivy==\(version)"] { return python }
            note("bench venv at \(p.venv) does not hold exactly tantivy==\(version); rebuilding it")
        }
        try? FileManager.default.removeItem(atPath: p.venv)
        let setupLog = "\(p.workDirectory)/venv-setup.log"
        note("making the bench venv at \(p.venv) (pip install tantivy==\(version))")
        for (executable, arguments) in [
            (p.python, ["-m", "venv", p.venv]),
            (python, ["-m", "pip", "install", "--quiet", "--no-input", "--disable-pip-version-check", "--no-deps", "tantivy==\(version)"]),
        ] {
            let step = try await ChildProcess.run(executable, arguments, outputPath: setupLog)
            guard step.status == 0 else {
                throw BenchmarkFailure(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(step.output.suffix(1500))")
            }
        }
        return python
    }

    private static func parse(_ data: Data) throws -> Run {
        guard case .object(let json) = try JSONParser.parse(Array(data)) else {
            throw BenchmarkFailure(description: "the tantivy result is not a JSON object")
        }
        func number(_ object: JSONObject, _ name: String) -> Double {
            switch object[name] {
            case .integer(let value)?: Double(value)
            case .double(let value)?: value
            default: .nan
            }
        }
        let documents = Int(number(json, "documents"))
        let memory = MemorySpan(
            beforeKiB: Int(number(json, "rss_before_kib")), peakKiB: Int(number(json, "peak_kib")),
            afterKiB: Int(number(json, "rss_after_kib")))
        let indexing = IndexingFigures(
            documents: documents, seconds: number(json, "seconds"), cpuSeconds: number(json, "cpu_seconds"), memory: memory)
        var queries: [String: TantivyLatency] = [:]
        if case .object(let kinds)? = json["queries"] {
            for (name, value) in kinds.members {
                guard case .object(let figures) = value else { continue }
                queries[name] = TantivyLatency(
                    count: Int(number(figures, "n")), p50Milliseconds: number(figures, "p50_ms"),
                    p99Milliseconds: number(figures, "p99_ms"), maxMilliseconds: number(figures, "max_ms"),
                    firstCount: figures["first_count"].flatMap { if case .integer(let value) = $0 { Int(value) } else { nil } })
            }
        }
        guard Int(number(json, "searchable_docs")) == documents else {
            throw BenchmarkFailure(description: "tantivy holds \(number(json, "searchable_docs")) documents, not \(documents)")
        }
        return Run(
            indexing: indexing, segments: Int(number(json, "segments")), mergeWaitSeconds: number(json, "merge_wait_seconds"),
            heapBytes: Int(number(json, "heap_bytes")), queries: queries)
    }
}

/// Indexing throughput of one run: documents, wall seconds from the first document to the commit, CPU
/// seconds of the whole process meanwhile, memory.
struct IndexingFigures: Sendable {
    var documents: Int
    var seconds: Double
    var cpuSeconds: Double
    var memory: MemorySpan

    var docsPerSecond: Double { seconds > 0 ? Double(documents) / seconds : 0 }
}
