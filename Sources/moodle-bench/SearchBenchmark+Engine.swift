import Foundation
import SearchEngine
import StreamProcessing

/// Our engine in-process: the operations are made before the clock starts (as tantivy's lines are read
/// before its clock starts); then `apply` in batches, `refresh`, `commit` — one thread, timed from the first
/// `apply` to the commit's return. Merges the merge policy then asks for run after, timed apart (tantivy
/// merges on threads of its own, outside its timed window too).
extension SearchBenchmark {
    struct EngineRun: Sendable {
        var indexing: IndexingFigures
        var segmentsAfterCommit: Int
        var mergeSeconds: Double
        var merges: Int
        var segmentsAfterMerges: Int
        var storeBytes: Int64
    }

    static let indexName = "bench"

    func indexInProcess(_ corpus: SearchCorpus) async throws -> (EngineRun, SearchEngine, SearchIndex) {
        let engine = try SearchEngine(directory: "\(p.workDirectory)/engine", logger: logger)
        let index = try engine.createIndex(Self.indexName, settings: nil, mappings: try Self.mappingsJSON())
        let batches: [[DocumentOperation]] = stride(from: 0, to: corpus.lines.count, by: p.engineBatch).map { first in
            (first..<min(first + p.engineBatch, corpus.lines.count)).map { position in
                DocumentOperation(id: String(position + 1), kind: .index(source: corpus.lines[position]))
            }
        }
        note("engine: indexing in-process, \(batches.count) batches of \(p.engineBatch)")
        let ((seconds, cpu, failures), memory) = try await MemorySpan.measure {
            try await onDedicatedThreadThrowing { () throws -> (Double, Double, Int) in
                let cpuStart = processCPUSeconds()
                let started = ContinuousClock.now
                var failures = 0
                for batch in batches {
                    for result in index.apply(batch, consumed: [:]) where result.error != nil { failures += 1 }
                }
                index.refresh()
                try index.commit()
                return ((ContinuousClock.now - started).seconds, processCPUSeconds() - cpuStart, failures)
            }
        }
        guard failures == 0 else { throw BenchmarkFailure(description: "engine: \(failures) documents were rejected") }
        let indexing = IndexingFigures(documents: corpus.lines.count, seconds: seconds, cpuSeconds: cpu, memory: memory)
        let segments = index.stats.segmentCount
        note("engine: \(indexing.documents) docs in \(format(seconds, 2)) s = \(Int(indexing.docsPerSecond))/s, CPU \(format(cpu, 2)) s, \(segments) segments, \(memory.text)")
        let (mergeSeconds, merges) = await onDedicatedThread { () -> (Double, Int) in
            let started = ContinuousClock.now
            var merges = 0
            while index.maybeMerge() { merges += 1 }
            index.refresh()
            return ((ContinuousClock.now - started).seconds, merges)
        }
        let stats = index.stats
        guard stats.docsCount == corpus.lines.count else {
            throw BenchmarkFailure(description: "engine: the index holds \(stats.docsCount) documents, not \(corpus.lines.count)")
        }
        note("engine: \(merges) merges in \(format(mergeSeconds, 2)) s → \(stats.segmentCount) segments, \(format(Double(stats.storeSizeBytes) / 1_048_576, 1)) MiB on disk")
        let run = EngineRun(
            indexing: indexing, segmentsAfterCommit: segments, mergeSeconds: mergeSeconds, merges: merges,
            segmentsAfterMerges: stats.segmentCount, storeBytes: stats.storeSizeBytes)
        return (run, engine, index)
    }

    static func mappingsJSON() throws -> JSONObject {
        guard case .object(let mappings) = try JSONParser.parse(Array(SearchCorpus.mappings.utf8)) else {
            throw BenchmarkFailure(description: "the benchmark's mappings are not a JSON object")
        }
        return mappings
    }
}

/// Runs throwing `body` on a new thread and returns its result.
func onDedicatedThreadThrowing<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let result = await onDedicatedThread { () -> Result<T, any Error> in Result { try body() } }
    return try result.get()
}
