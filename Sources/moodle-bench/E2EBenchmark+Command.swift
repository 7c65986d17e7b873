import ArgumentParser
import Foundation

extension MoodleBench {
    struct E2E: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "e2e",
            abstract: "Rows loaded into two PostgreSQL sources → time until the SQLite answers are exact; processor replay rate.")

        @Option(help: "Where the run's fresh working directory is made (removed at the end unless --keep).")
        var directory = "/tmp"
        @Flag(help: "Keep the working directory.")
        var keep = false
        @Option(help: "Community users loaded.")
        var users = 600_000
        @Option(help: "Sites loaded.")
        var sites = 400_000
        @Option(help: "Rows per loading transaction (COPY).")
        var chunkRows = 50_000
        @Option(help: "The moodle-pipeline binary (default: next to this one).")
        var binary: String?
        @Flag(help: "A quick run: 60,000 users and 40,000 sites.")
        var quick = false

        func run() async throws {
            let work = try WorkDirectory(under: directory, keep: keep)
            defer { work.finish() }
            let workDirectory = work.path
            let executable = binary ?? siblingPipelineBinary
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw ValidationError("no moodle-pipeline binary at \(executable) (build it, or pass --binary)")
            }
            let parameters = E2EBenchmark.Parameters(
                workDirectory: workDirectory, users: quick ? 60_000 : users, sites: quick ? 40_000 : sites,
                chunkRows: chunkRows, binary: executable)
            let result = try await E2EBenchmark(p: parameters).run()
            let rows = parameters.users + parameters.sites
            func phase(_ phase: E2EBenchmark.Phase) -> String {
                let inLog = phase.ingestSeconds.map { format($0, 3) } ?? "null"
                let rate = phase.ingestSeconds.map { String(Int(Double(rows) / $0)) } ?? "null"
                var text = "\"\(phase.name)\":{\"in_log_s\":\(inLog),\"mirrored_s\":\(format(phase.mirrorSeconds, 3))"
                text += ",\"answers_exact_s\":\(format(phase.exactSeconds, 3)),\"cdc_rows_per_s\":\(rate)"
                text += ",\"peak_rss_mib\":\(format(Double(phase.peakRSSKiB) / 1024, 1))"
                if let visibility = phase.visibility {
                    text += ",\"visible_ms_p50\":\(format(visibility.p50Milliseconds, 1)),\"visible_ms_max\":\(format(visibility.maxMilliseconds, 1))"
                }
                return text + "}"
            }
            let replay = result.replay
            let fastestIngest = [result.streaming, result.snapshot].compactMap { $0.ingestSeconds.map { Double(rows) / $0 } }.max() ?? .infinity
            func seconds(_ value: Double?) -> String { value.map { "\(format($0, 2)) s" } ?? "not observed" }
            note("streaming: in log \(seconds(result.streaming.ingestSeconds)), exact \(seconds(result.streaming.exactSeconds)); snapshot: in log \(seconds(result.snapshot.ingestSeconds)), exact \(seconds(result.snapshot.exactSeconds))")
            note("replay: \(replay.events) events in \(format(replay.seconds, 2)) s = \(Int(replay.eventsPerSecond))/s (decode alone \(format(replay.decodeOnlySeconds, 2)) s); \(format(replay.eventsPerSecond / fastestIngest, 2))× the fastest CDC ingest")
            print("""
                {"benchmark":"e2e","users":\(parameters.users),"sites":\(parameters.sites),"q1_weeks":\(result.expected.q1),"q2_weeks":\(result.expected.q2),\
                \(phase(result.streaming)),\(phase(result.snapshot)),\
                "replay":{"events":\(replay.events),"seconds":\(format(replay.seconds, 3)),"events_per_s":\(Int(replay.eventsPerSecond)),\
                "decode_only_s":\(format(replay.decodeOnlySeconds, 3)),"vs_fastest_cdc_ingest":\(format(replay.eventsPerSecond / fastestIngest, 2))}}
                """)
        }
    }
}
