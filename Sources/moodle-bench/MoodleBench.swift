import ArgumentParser
import Foundation
import PartitionedLog

/// Benchmarks against baselines measured in the same run. Progress goes to stderr; the result is one
/// JSON line on stdout.
@main
struct MoodleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moodle-bench",
        abstract: "Benchmarks of the pipeline's parts, each against a baseline measured in the same run.",
        subcommands: [Log.self, CDC.self, Sink.self, E2E.self, Search.self])
}

extension MoodleBench {
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Durable appends from concurrent producers and reads back, against a C write + CRC + fdatasync appender.")

        enum Compression: String, ExpressibleByArgument, CaseIterable {
            case none, zlib
            var topic: TopicConfiguration.Compression { self == .zlib ? .zlib : .none }
        }

        @Option(help: "Where the run's fresh working directory is made (it is removed at the end unless --keep).")
        var directory = "/tmp"
        @Flag(help: "Keep the working directory.")
        var keep = false
        @Option(help: "Records appended per topic.")
        var records = 1_000_000
        @Option(help: "Bytes per record value (the key adds 8).")
        var recordBytes = 250
        @Option(help: "Concurrent producer tasks.")
        var producers = 64
        @Option(help: "Records per append call (and per baseline batch).")
        var batch = 16
        @Option(help: "Partitions of each topic.")
        var partitions = 1
        @Option(help: "Compression of the main topic (reads with decompression always use a zlib topic).")
        var compression = Compression.none
        @Option(help: "fdatasync latency samples of the disk.")
        var fsyncSamples = 2000
        @Option(help: "About how long each baseline run takes, in seconds.")
        var baselineSeconds = 3.0

        func validate() throws {
            for (name, value) in [
                ("--records", records), ("--record-bytes", recordBytes), ("--producers", producers),
                ("--batch", batch), ("--fsync-samples", fsyncSamples),
            ] where value < 1 {
                throw ValidationError("\(name) must be at least 1")
            }
            guard (1...LogLimits.maxPartitions).contains(partitions) else {
                throw ValidationError("--partitions must be 1-\(LogLimits.maxPartitions)")
            }
            guard baselineSeconds > 0 else { throw ValidationError("--baseline-seconds must be positive") }
        }

        func run() async throws {
            let work = try WorkDirectory(under: directory, keep: keep)
            defer { work.finish() }
            let workDirectory = work.path
            let parameters = LogBenchmark.Parameters(
                workDirectory: workDirectory, records: records, recordBytes: recordBytes, producers: producers,
                batch: batch, partitions: partitions, compression: compression.topic, fsyncSamples: fsyncSamples,
                baselineSeconds: baselineSeconds)
            let started = ContinuousClock.now
            let result = try await LogBenchmark(parameters).run()
            note("done in \(format((ContinuousClock.now - started).seconds, 1)) s")
            print(result.json(parameters).text)
        }
    }
}

/// A new, empty directory `moodle-bench-XXXXXX` under `parent`.
private func makeWorkDirectory(under parent: String) throws -> String {
    var template = Array("\(parent)/moodle-bench-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
    }
    guard let made else {
        throw BenchmarkFailure(description: "cannot make a directory under \(parent): \(String(cString: strerror(errno)))")
    }
    return made
}

/// A benchmark run's fresh working directory under `parent`, mode 0755 (the benchmarks' clusters live under
/// it and run as the `postgres` OS user when we are root). `finish()` removes it unless `keep`.
struct WorkDirectory {
    let path: String
    let keep: Bool

    init(under parent: String, keep: Bool) throws {
        path = try makeWorkDirectory(under: parent)
        self.keep = keep
        chmod(path, 0o755)
        note("working directory: \(path)")
    }

    func finish() {
        if keep { note("kept \(path)") } else { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// `moodle-pipeline` next to this executable (the same build).
var siblingPipelineBinary: String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("moodle-pipeline").path
}

/// A progress line on stderr.
func note(_ line: String) {
    FileHandle.standardError.write(Data("[moodle-bench] \(line)\n".utf8))
}
