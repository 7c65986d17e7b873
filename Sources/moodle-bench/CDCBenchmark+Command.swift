import ArgumentParser
import Foundation

extension MoodleBench {
    struct CDC: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cdc",
            abstract: "Change capture into the log against pg_recvlogical on the same WAL, and the initial snapshot against COPY TO STDOUT.")

        @Option(help: "Where the run's fresh working directory (cluster, logs) is made; removed at the end unless --keep.")
        var directory = "/tmp"
        @Flag(help: "Keep the working directory (the cluster is stopped either way).")
        var keep = false
        @Flag(help: "Small sizes, for trying the benchmark out (under a minute).")
        var quick = false
        @Option(help: "Rows of the batched-inserts workload (default 200,000; --quick 20,000).")
        var batchedRows: Int?
        @Option(help: "Rows per transaction of the batched-inserts workload.")
        var batchRows = 1_000
        @Option(help: "Seconds of single-row transactions from pgbench (default 10; --quick 3).")
        var pgbenchSeconds: Int?
        @Option(help: "pgbench clients.")
        var pgbenchClients = 2
        @Option(help: "Rows of the one large transaction (default 1,000,000; --quick 100,000).")
        var largeRows: Int?
        @Option(help: "Rows of the snapshot table (default 1,000,000; --quick 100,000).")
        var snapshotRows: Int?
        @Option(help: "The server's logical_decoding_work_mem.")
        var decodingWorkMem = "64MB"
        @Option(help: "Partitions of each captured table's topic (the appliance's default is 4).")
        var partitions = 4
        @Option(help: "Workloads to run, comma-separated: \(CDCBenchmark.Workload.allCases.map(\.rawValue).joined(separator: ",")).")
        var workloads = CDCBenchmark.Workload.allCases.map(\.rawValue).joined(separator: ",")
        @Option(help: "Give up on a reader after this many seconds.")
        var timeoutSeconds = 900

        func validate() throws {
            for (name, value) in [
                ("--batched-rows", batchedRows ?? 1), ("--batch-rows", batchRows), ("--pgbench-seconds", pgbenchSeconds ?? 1),
                ("--pgbench-clients", pgbenchClients), ("--large-rows", largeRows ?? 1), ("--snapshot-rows", snapshotRows ?? 1),
                ("--timeout-seconds", timeoutSeconds),
            ] where value < 1 {
                throw ValidationError("\(name) must be at least 1")
            }
            _ = try selectedWorkloads()
        }

        private func selectedWorkloads() throws -> [CDCBenchmark.Workload] {
            try workloads.split(separator: ",").map { name in
                guard let workload = CDCBenchmark.Workload(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown workload '\(name)'")
                }
                return workload
            }
        }

        func run() async throws {
            let work = try WorkDirectory(under: directory, keep: keep)
            defer { work.finish() }
            let workDirectory = work.path
            let parameters = CDCBenchmark.Parameters(
                workDirectory: workDirectory, workloads: try selectedWorkloads(),
                batchedRows: batchedRows ?? (quick ? 20_000 : 200_000), batchRows: batchRows,
                pgbenchSeconds: pgbenchSeconds ?? (quick ? 3 : 10), pgbenchClients: pgbenchClients,
                largeRows: largeRows ?? (quick ? 100_000 : 1_000_000), snapshotRows: snapshotRows ?? (quick ? 100_000 : 1_000_000),
                decodingWorkMem: decodingWorkMem, partitions: partitions, timeout: .seconds(timeoutSeconds))
            let started = ContinuousClock.now
            let results = try await CDCBenchmark(parameters).run()
            note("done in \(format((ContinuousClock.now - started).seconds, 1)) s")
            for line in results.table(parameters) { note(line) }
            for line in results.json(parameters) { print(line.text) }
        }
    }
}
