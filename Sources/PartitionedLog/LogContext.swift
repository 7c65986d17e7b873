import Logging
import Metrics
import NIOPosix
import Synchronization

/// What every partition of one log shares: its threads, clock, fsync policy, logger, metrics, and the
/// fail-stop switch.
final class LogContext: Sendable {
    let configuration: LogConfiguration
    let logger: Logger
    let metrics: LogMetrics
    /// Writes and fsyncs (one flush job per partition at a time).
    let writePool: NIOThreadPool
    /// Reads, index lookups, maintenance.
    let readPool: NIOThreadPool
    private let failure = Mutex<FailureState>(FailureState())
    /// Tests set this to make the next fsyncs fail as a dying disk would (fail-stop is otherwise untestable).
    let injectedSyncFailure = Atomic<Int32>(0)

    private struct FailureState {
        var error: LogError?
        var waiters: [UInt64: CheckedContinuation<LogError?, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    init(configuration: LogConfiguration, logger: Logger, metricsFactory: any MetricsFactory) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = LogMetrics(factory: metricsFactory)
        writePool = NIOThreadPool(numberOfThreads: max(1, configuration.writeThreads))
        readPool = NIOThreadPool(numberOfThreads: max(1, configuration.readThreads))
        writePool.start()
        readPool.start()
    }

    var now: Int64 { configuration.clock.nowMilliseconds() }

    /// The error that stopped the log, if it stopped.
    var failed: LogError? { failure.withLock { $0.error } }

    /// Fail-stop: the first I/O error stops every partition. Nothing is retried (least of all an fsync);
    /// the process restarts and recovery works from what is on disk.
    func fail(_ error: LogError) {
        let first: (LogError, [CheckedContinuation<LogError?, Never>])? = failure.withLock { state in
            guard state.error == nil else { return nil }
            let stopped = LogError(.failed, "the log stopped after an I/O error: \(error.message)")
            state.error = stopped
            defer { state.waiters = [:] }
            return (stopped, Array(state.waiters.values))
        }
        guard let (stopped, waiters) = first else { return }
        logger.critical("log stopped (fail-stop); restart to recover from disk", metadata: ["error": "\(error)"])
        for waiter in waiters { waiter.resume(returning: stopped) }
    }

    /// Returns the error when the log fails, or nil when the calling task is cancelled first.
    func waitForFailure() async -> LogError? {
        let id = failure.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeWith: LogError?? = failure.withLock { state in
                    if let error = state.error { return .some(error) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let resumeWith { continuation.resume(returning: resumeWith) }
            }
        } onCancel: {
            let waiter = failure.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Syncs a segment, or fails with the injected errno.
    func sync(_ segment: Segment) throws(LogError) {
        let injected = injectedSyncFailure.load(ordering: .relaxed)
        if injected != 0 { throw .system("fdatasync", path: segment.paths.log, errno: injected) }
        try segment.sync()
    }

    /// Runs blocking file work on the read pool.
    func onReadThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await readPool.runIfActive(body)
    }

    func shutdown() async {
        try? await writePool.shutdownGracefully()
        try? await readPool.shutdownGracefully()
    }
}

/// The log's metrics (swift-metrics; exported by whatever backend the process bootstraps).
struct LogMetrics: Sendable {
    let factory: any MetricsFactory
    /// One observation per fsync/fdatasync (its `_count` is the number of syncs).
    let fsyncDuration: Metrics.Timer
    /// From an append call to its records being durable and visible (group commit included).
    let appendDuration: Metrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        fsyncDuration = Metrics.Timer(label: "log_fsync_duration_seconds", dimensions: [], factory: factory)
        appendDuration = Metrics.Timer(label: "log_append_duration_seconds", dimensions: [], factory: factory)
    }

    func consumerLag(group: String, _ partition: TopicPartition) -> Gauge {
        Gauge(label: "log_consumer_lag_records", dimensions: [("group", group)] + partition.dimensions, factory: factory)
    }
}

/// One partition's metric handles, made once.
struct PartitionMetrics: Sendable {
    let appendedRecords: Counter
    let appendedBytes: Counter
    /// Bytes that retention would delete but keeps because a durable consumer has not committed past them.
    let retentionHeldBytes: Gauge
    let truncatedBytes: Counter

    init(_ partition: TopicPartition, factory: any MetricsFactory) {
        let dimensions = partition.dimensions
        appendedRecords = Counter(label: "log_appended_records_total", dimensions: dimensions, factory: factory)
        appendedBytes = Counter(label: "log_appended_bytes_total", dimensions: dimensions, factory: factory)
        retentionHeldBytes = Gauge(label: "log_retention_held_bytes", dimensions: dimensions, factory: factory)
        truncatedBytes = Counter(label: "log_recovery_truncated_bytes_total", dimensions: dimensions, factory: factory)
    }
}

extension TopicPartition {
    var dimensions: [(String, String)] { [("topic", topic), ("partition", String(partition))] }
}
