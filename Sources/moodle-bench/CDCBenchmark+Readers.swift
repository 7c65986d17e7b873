import Foundation
import LocalPostgres
import PartitionedLog
import PostgresCDC

/// The two readers: pg_recvlogical (the baseline) and ours.
extension CDCBenchmark {
    /// `pg_recvlogical --start --endpos <end> --no-loop` with pgoutput protocol 1 into a file, timed from
    /// start to exit. It fsyncs the file at exit (and every `--fsync-interval`, 10 s by default).
    func runRecvLogical(_ server: BenchServer, slot: String, publication: String, end: LSN, workload: Workload) async throws -> ReaderRun {
        let output = "\(parameters.workDirectory)/recv-\(workload.rawValue).out"
        let arguments = [
            "-d", server.settings.url, "--slot", slot, "--start", "-E", end.description, "--no-loop",
            "-o", "proto_version=1", "-o", "publication_names=\(publication)", "-f", output,
        ]
        // Under /usr/bin/time, whose %M is pg_recvlogical's own peak RSS: a child spawned straight from us
        // reports ours in `ru_maxrss` (posix_spawn shares our address space until exec, and the peak survives it).
        let rssFile = "\(parameters.workDirectory)/recv-\(workload.rawValue).rss"
        let child = try await ChildProcess.run(
            "/usr/bin/time", ["-f", "%M", "-o", rssFile, server.installation.tool("pg_recvlogical")] + arguments,
            outputPath: "\(parameters.workDirectory)/recv-\(workload.rawValue).log")
        guard child.status == 0 else {
            throw BenchmarkFailure(description: "pg_recvlogical exited with \(child.status): \(child.output)")
        }
        let peakKiB = (try? String(contentsOfFile: rssFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? -1
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: output))?[.size] as? Int) ?? 0
        try? FileManager.default.removeItem(atPath: output)
        return ReaderRun(
            seconds: child.seconds, peakRSSKiB: peakKiB, endRSSKiB: nil, cpuSeconds: child.cpuSeconds,
            setupSeconds: nil, output: bytes)
    }

    /// Runs a `ChangeCapture` from its start until `done` holds for its status (polled every 5 ms), then
    /// stops it. Memory is this process's peak RSS while it ran (reset first).
    func runCapture(
        _ configuration: CaptureConfiguration, _ log: PartitionedLog, label: String,
        until done: @escaping @Sendable (CaptureStatus.Snapshot) -> Bool
    ) async throws -> ReaderRun {
        let capture = ChangeCapture(
            configuration: configuration, log: log, topicConfiguration: TopicConfiguration(partitions: parameters.partitions),
            logger: logger)
        resetPeakRSS()
        let cpuStart = processCPUSeconds()
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + parameters.timeout
        let task = Task { try await capture.run() }
        var setup: Double?
        var status = capture.status.snapshot
        while !done(status) {
            if setup == nil, status.phase == .streaming || status.phase == .snapshot && !status.snapshotTables.isEmpty {
                setup = (clock.now - started).seconds
            }
            guard status.phase != .failed, clock.now < deadline else {
                task.cancel()
                _ = try? await task.value
                throw BenchmarkFailure(description: "\(label): our reader \(status.phase == .failed ? "failed" : "timed out"): \(status.detail)")
            }
            if status.phase == .reconnecting { note("\(label): reconnecting: \(status.detail)") }
            try await Task.sleep(for: .milliseconds(5))
            status = capture.status.snapshot
        }
        let seconds = (clock.now - started).seconds
        let memory = MemoryUsage.current()
        let cpu = processCPUSeconds() - cpuStart
        task.cancel()
        try await task.value
        return ReaderRun(
            seconds: seconds, peakRSSKiB: memory.peakKiB, endRSSKiB: memory.residentKiB, cpuSeconds: cpu,
            setupSeconds: setup, output: status.events)
    }
}
