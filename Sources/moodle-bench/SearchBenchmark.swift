import Foundation
import Logging
import SearchEngine

/// The search benchmark (issue 6), in one run on the same generated documents (`SearchCorpus`):
/// 1. tantivy (PyPI, pinned) indexing them with one writer thread, in a child Python process — the baseline;
/// 2. our engine in-process (`SearchIndex.apply` in batches, `refresh`, `commit`), then merged as the merge
///    policy asks (timed apart);
/// 3. the query mix on that index, in-process (`SearchExecutor.search`) and over HTTP (`SearchServer`),
///    and in tantivy for context;
/// 4. `_bulk` over HTTP into a fresh engine behind `SearchServer` + `DocumentLog` (the log as translog),
///    from concurrent client connections;
/// 5. freshness: a source commit until the row is visible in `_search`, at a steady change rate, through
///    `moodle-pipeline serve` (or, when that is not available, through the API's `_doc` path — labelled).
/// Peak memory (VmHWM, reset before each part) for every part.
struct SearchBenchmark: Sendable {
    enum Part: String, CaseIterable, Sendable {
        case tantivy, engine, queries, bulk, freshness
    }

    enum FreshnessPath: String, CaseIterable, Sendable {
        /// Source commit in PostgreSQL → `moodle-pipeline serve` → visible in its `_search` (the definition).
        case pipeline
        /// `PUT _doc` acknowledged → visible in `_search` of an in-process server (not the definition).
        case api
    }

    struct Parameters: Sendable {
        var workDirectory: String
        var documents: Int
        var parts: Set<Part>
        /// Documents per `SearchIndex.apply` call.
        var engineBatch: Int
        /// Documents per `_bulk` request, and concurrent client connections.
        var bulkBatch: Int
        var connections: Int
        /// Timed runs per query kind, after `warmup` untimed ones.
        var queryRuns: Int
        var warmup: Int
        var freshnessPath: FreshnessPath
        var freshnessSeconds: Int
        var freshnessRate: Int
        var freshnessSampleEvery: Int
        /// `[index] refresh_interval` for the pipeline (nil: the appliance's default).
        var refreshInterval: String?
        var pipelineBinary: String?
        var python: String
        var venv: String
        var tantivyScript: String
        var tantivyHeapBytes: Int
    }

    let p: Parameters

    var documentsPath: String { "\(p.workDirectory)/documents.ndjson" }

    func run() async throws -> SearchBenchResult {
        note("generating \(p.documents) documents")
        let started = ContinuousClock.now
        let corpus = SearchCorpus(documents: p.documents)
        try corpus.write(to: documentsPath)
        note("generated \(format(Double(corpus.totalBytes) / 1_048_576, 1)) MiB of JSON in \(format((ContinuousClock.now - started).seconds, 1)) s")
        let plan = QueryPlan(corpus: corpus, runs: p.queryRuns, warmup: p.warmup)
        var result = SearchBenchResult(documents: p.documents, corpusBytes: corpus.totalBytes)
        if p.parts.contains(.tantivy) {
            let specs = "\(p.workDirectory)/tantivy-queries.json"
            try plan.writeTantivySpecs(to: specs)
            result.tantivy = try await TantivyBaseline.run(p, documents: documentsPath, queries: p.parts.contains(.queries) ? specs : nil)
        }
        if p.parts.contains(.engine) || p.parts.contains(.queries) {
            let (figures, engine, index) = try await indexInProcess(corpus)
            result.engine = figures
            if p.parts.contains(.queries) {
                result.queries = try await measureQueries(plan, engine: engine, index: index)
            }
            engine.close()
        }
        if p.parts.contains(.bulk) {
            result.bulk = try await bulkOverHTTP(corpus)
        }
        if p.parts.contains(.freshness) {
            result.freshness = try await measureFreshness()
        }
        return result
    }

    var logger: Logger {
        var logger = Logger(label: "moodle-bench.search")
        logger.logLevel = .warning
        return logger
    }
}

/// Memory of this process around one part: RSS before, the peak during it (VmHWM after a reset), RSS after.
struct MemorySpan: Sendable {
    var beforeKiB: Int
    var peakKiB: Int
    var afterKiB: Int

    var growthKiB: Int { peakKiB - beforeKiB }

    /// Resets the peak, then measures `body`.
    static func measure<T>(_ body: () async throws -> T) async rethrows -> (T, MemorySpan) {
        resetPeakRSS()
        let before = MemoryUsage.current().residentKiB
        let value = try await body()
        let after = MemoryUsage.current()
        return (value, MemorySpan(beforeKiB: before, peakKiB: after.peakKiB, afterKiB: after.residentKiB))
    }

    var text: String {
        "peak \(mib(peakKiB)) MiB (RSS before \(mib(beforeKiB)), growth \(mib(growthKiB)), after \(mib(afterKiB)))"
    }
}

func mib(_ kib: Int) -> String { format(Double(kib) / 1024, 1) }
