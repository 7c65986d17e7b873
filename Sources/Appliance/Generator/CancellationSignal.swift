import Dispatch
import Synchronization

/// Carries a task's cancellation into the generator's blocking thread: `cancel()` is called from
/// `withTaskCancellationHandler`, and the thread checks `isCancelled` between statements and wakes from
/// its pacing sleep at once.
final class CancellationSignal: Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let wakeUp = DispatchSemaphore(value: 0)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func cancel() {
        cancelled.store(true, ordering: .releasing)
        wakeUp.signal()
    }

    /// Blocks the calling thread until `deadline` or until cancelled; returns whether it was cancelled.
    func sleep(until deadline: ContinuousClock.Instant, clock: ContinuousClock = ContinuousClock()) -> Bool {
        while !isCancelled {
            let remaining = deadline - clock.now
            if remaining <= .zero { return false }
            let (seconds, attoseconds) = remaining.components
            let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
            _ = wakeUp.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds)))
        }
        return true
    }
}
