import CoreMetrics
import Synchronization

/// A metrics backend that keeps only the log's `log_fsync_duration_seconds` samples: how many fsyncs an append
/// phase took (so records per fsync, the batch size group commit actually achieved) and how long they took
/// inside the log. Everything else goes to a no-op handler.
final class FsyncProbe: MetricsFactory {
    private let timer = SampleTimer()

    /// The fsync durations (ns) recorded since the last call.
    func take() -> [Int64] { timer.take() }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        label == "log_fsync_duration_seconds" ? timer : NOOPMetricsHandler.instance
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        NOOPMetricsHandler.instance
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

private final class SampleTimer: TimerHandler {
    private let samples = Mutex<[Int64]>([])

    func recordNanoseconds(_ duration: Int64) {
        samples.withLock { $0.append(duration) }
    }

    func take() -> [Int64] {
        samples.withLock { samples in
            defer { samples = [] }
            return samples
        }
    }
}
