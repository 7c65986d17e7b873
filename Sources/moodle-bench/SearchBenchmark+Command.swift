import ArgumentParser
import Foundation

extension SearchBenchmark.Part: ExpressibleByArgument {}
extension SearchBenchmark.FreshnessPath: ExpressibleByArgument {}

extension MoodleBench {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search",
            abstract: "The search engine on 1,000,000 generated documents: indexing against tantivy (one writer thread), _bulk over HTTP, query latency, freshness.")

        @Option(help: "Where the run's fresh working directory is made (removed at the end unless --keep).")
        var directory = "/tmp"
        @Flag(help: "Keep the working directory.")
        var keep = false
        @Option(help: "Documents generated (the same for every part).")
        var documents = 1_000_000
        @Option(help: "Skip parts (comma-separated): \(SearchBenchmark.Part.allCases.map(\.rawValue).joined(separator: ", ")).")
        var skip: String = ""
        @Option(help: "Documents per SearchIndex.apply call (in-process).")
        var engineBatch = 1_000
        @Option(help: "Documents per _bulk request.")
        var bulkBatch = 2_000
        @Option(help: "Concurrent _bulk client connections.")
        var connections = 2
        @Option(help: "Timed runs per query kind.")
        var queryRuns = 200
        @Option(help: "Untimed warm-up runs per query kind.")
        var warmup = 50
        @Option(help: "Freshness through the pipeline (source commit → _search) or the API (_doc → _search).")
        var freshness = SearchBenchmark.FreshnessPath.pipeline
        @Option(help: "Seconds of changes in the freshness part.")
        var freshnessSeconds = 30
        @Option(help: "Changes per second in the freshness part.")
        var freshnessRate = 1_000
        @Option(help: "Time every n-th change in the freshness part.")
        var freshnessSampleEvery = 10
        @Option(help: "[index] refresh_interval for the pipeline in the freshness part (default: the appliance's).")
        var refreshInterval: String?
        @Option(help: "The moodle-pipeline binary (default: next to this one).")
        var binary: String?
        @Option(help: "The python3 that makes the bench venv.")
        var python = "/usr/bin/python3"
        @Option(help: "The Python virtual environment holding tantivy (default: .build/bench-venv of this checkout).")
        var venv: String?
        @Option(help: "tantivy's writer heap, in MB.")
        var tantivyHeapMb = 128

        func validate() throws {
            for (name, value) in [
                ("--documents", documents), ("--engine-batch", engineBatch), ("--bulk-batch", bulkBatch),
                ("--connections", connections), ("--query-runs", queryRuns), ("--freshness-seconds", freshnessSeconds),
                ("--freshness-rate", freshnessRate), ("--freshness-sample-every", freshnessSampleEvery),
            ] where value < 1 {
                throw ValidationError("\(name) must be at least 1")
            }
            guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
            guard tantivyHeapMb >= 15 else { throw ValidationError("--tantivy-heap-mb must be at least 15 (tantivy's minimum per thread)") }
            _ = try parts()
        }

        private func parts() throws -> Set<SearchBenchmark.Part> {
            var parts = Set(SearchBenchmark.Part.allCases)
            for name in skip.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let part = SearchBenchmark.Part(rawValue: name) else { throw ValidationError("--skip: unknown part \(name)") }
                parts.remove(part)
            }
            return parts
        }

        func run() async throws {
            let work = try WorkDirectory(under: directory, keep: keep)
            defer { work.finish() }
            let workDirectory = work.path
            // This file is Sources/moodle-bench/…; the checkout's root is two folders up.
            let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            let root = sources.deletingLastPathComponent().deletingLastPathComponent()
            let parameters = SearchBenchmark.Parameters(
                workDirectory: workDirectory, documents: documents, parts: try parts(), engineBatch: engineBatch,
                bulkBatch: bulkBatch, connections: connections, queryRuns: queryRuns, warmup: warmup,
                freshnessPath: freshness, freshnessSeconds: freshnessSeconds, freshnessRate: freshnessRate,
                freshnessSampleEvery: freshnessSampleEvery, refreshInterval: refreshInterval, pipelineBinary: binary,
                python: python, venv: venv ?? root.appendingPathComponent(".build/bench-venv").path,
                tantivyScript: sources.appendingPathComponent("search_baseline_tantivy.py").path,
                tantivyHeapBytes: tantivyHeapMb * 1_000_000)
            let machine = MachineNote.now()
            let started = ContinuousClock.now
            let result = try await SearchBenchmark(p: parameters).run()
            note("done in \(format((ContinuousClock.now - started).seconds, 1)) s")
            let command = ([".build/\(machine.buildMode)/moodle-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            print(result.markdown(command: command, started: machine, ended: MachineNote.now(), date: Self.today()))
            print(result.json())
        }

        private static func today() -> String {
            var now = time(nil)
            var parts = tm()
            gmtime_r(&now, &parts)
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
        }
    }
}
