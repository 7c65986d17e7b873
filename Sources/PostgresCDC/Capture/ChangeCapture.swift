import BlockingIO
import CoreMetrics
import Foundation
import Logging
import PartitionedLog
import ServiceLifecycle

/// Captures one PostgreSQL source into the log: every committed change of the configured tables, exactly
/// once, each transaction one atomic group, preceded by a consistent initial snapshot. The appliance's
/// Debezium connector, as a `Service`.
///
/// Sessions (a connection each, see `CaptureSession`) run until they fail; then the reader waits with
/// exponential backoff and jitter and starts a new one, resuming from the state durable in the log. A
/// problem that retrying cannot fix (a lost slot with `on_slot_loss = "fail"`, no capturable table) marks
/// the source failed and leaves it so, without stopping the rest of the appliance.
public final class ChangeCapture: Service, Sendable {
    public let configuration: CaptureConfiguration
    public let status: CaptureStatus
    let log: PartitionedLog
    let topicConfiguration: TopicConfiguration
    let logger: Logger

    public init(
        configuration: CaptureConfiguration, log: PartitionedLog, topicConfiguration: TopicConfiguration, logger: Logger,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.configuration = configuration
        self.log = log
        self.topicConfiguration = topicConfiguration
        var logger = logger
        logger[metadataKey: "source"] = "\(configuration.sourceName)"
        self.logger = logger
        status = CaptureStatus(source: configuration.sourceName, metricsFactory: metricsFactory ?? MetricsSystem.factory)
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.runSessions() }
        } catch is CancellationError {
            return
        }
    }

    private func runSessions() async throws {
        var backoff = configuration.reconnectBackoff.first
        while !Task.isCancelled {
            let started = ContinuousClock.now
            do {
                try await runSession()
            } catch is CancellationError {
                return
            } catch let error as CaptureError where !error.retryable {
                status.phase(.failed, error.message)
                logger.error("capture stopped; fix the cause and restart", metadata: ["error": "\(error)", "code": "\(error.code)"])
                // Stay down without taking the appliance with us; shutdown cancels the sleep.
                while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
                return
            } catch {
                if log.failure != nil { throw error }
                // A session that got as far as streaming, or ran a while, earns a fresh backoff.
                if status.snapshot.phase == .streaming || started.duration(to: .now) > configuration.reconnectBackoff.max {
                    backoff = configuration.reconnectBackoff.first
                }
                let wait = backoff * Double.random(in: 0.5...1.5)
                status.phase(.reconnecting, "\(error); reconnecting in \(wait.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
                logger.warning("capture session ended; reconnecting", metadata: ["error": "\(error)", "wait": "\(wait)"])
                try await Task.sleep(for: wait)
                backoff = min(backoff * 2, configuration.reconnectBackoff.max)
            }
        }
    }

    /// One session: load the durable state, then run the capture thread, the appender and the monitor
    /// until the thread stops; the appender drains what was handed off before the session ends.
    private func runSession() async throws {
        try await log.createTopic(configuration.stateTopic, TopicConfiguration(partitions: 1, cleanup: .compact, retentionAge: nil))
        for table in configuration.tables {
            try await log.createTopic(configuration.topic(for: table), topicConfiguration)
        }
        let state = try await loadState()
        let handoff = Handoff<CaptureWork>(maxBytes: configuration.maxBufferedBytes)
        let durable = DurablePosition(state.lastEnd)
        let appender = LogAppender(
            log: log, configuration: configuration, topicConfiguration: topicConfiguration, handoff: handoff, durableEnd: durable,
            status: status, logger: logger)
        status.update { $0.lastCommitLSN = state.commitLSN.flatMap { LSN($0) } }
        let configuration = self.configuration
        let status = self.status
        let logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await appender.run() }
            group.addTask {
                defer { handoff.close() }
                try await runBlocking(name: "moodle-pipeline.capture.\(configuration.sourceName)") { flag in
                    let session = CaptureSession(
                        configuration: configuration, state: state, handoff: handoff, durable: durable, status: status,
                        logger: logger, flag: flag)
                    try session.run()
                }
            }
            let monitor = Task { await SlotMonitor(configuration: configuration, status: status, logger: logger).run() }
            defer { monitor.cancel() }
            // The first to finish is the thread (with its error) or a failed appender; either ends the session
            // once the appender has drained.
            var firstError: (any Error)?
            while let result = await group.nextResult() {
                if case .failure(let error) = result, firstError == nil {
                    firstError = error
                    handoff.close()
                }
            }
            if let firstError { throw firstError }
        }
    }

    /// The state recorded with the last group in the log (the state topic's last record).
    private func loadState() async throws -> CaptureState {
        let partition = TopicPartition(topic: configuration.stateTopic, partition: 0)
        let (start, end) = try log.offsets(partition)
        guard end > start else { return CaptureState() }
        let result = try await log.read(partition, from: end - 1, maxRecords: 1, maxBytes: 1 << 20)
        guard let value = result.records.last?.value else { return CaptureState() }
        do {
            return try CaptureState.decode(value)
        } catch {
            throw CaptureError(.log, "the capture state in \(configuration.stateTopic) at offset \(end - 1) is unreadable: \(error)", retryable: false)
        }
    }
}
