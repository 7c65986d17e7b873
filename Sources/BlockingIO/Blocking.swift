import Foundation
import Synchronization

/// Runs a blocking call (libpq, `fsync`, `waitpid`, a child process) on a dedicated thread, so that it
/// never occupies a thread of Swift's cooperative pool, and resumes the caller with its result.
///
/// If the calling task is cancelled first, the caller resumes at once with `CancellationError` and the
/// thread finishes on its own, its result discarded: a blocking call cannot be interrupted, but shutdown
/// need not wait for it. Bodies that must observe cancellation take a `CancellationFlag` (see the other
/// overload).
///
/// One thread per call: meant for calls that are rare or long (a connection's lifetime, a preflight, a
/// subprocess), not for a hot path of tiny calls — those belong on a long-lived thread of their own.
public func runBlocking<T: Sendable>(
    name: String = "moodle-pipeline.blocking",
    _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await runBlocking(name: name) { (_: CancellationFlag) in try body() }
}

/// As `runBlocking(name:_:)`, handing the body a flag that turns true when the calling task is cancelled,
/// so that a long loop on the thread can stop by itself.
public func runBlocking<T: Sendable>(
    name: String = "moodle-pipeline.blocking",
    _ body: @escaping @Sendable (CancellationFlag) throws -> T
) async throws -> T {
    let flag = CancellationFlag()
    let once = ResumeOnce<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            once.install(continuation)
            let thread = Thread {
                once.resume(with: Result { try body(flag) })
            }
            thread.name = name
            thread.start()
        }
    } onCancel: {
        flag.cancel()
        once.resume(with: .failure(CancellationError()))
    }
}

/// Set when the task that started a blocking call is cancelled.
public final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)
    public init() {}
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
    public func cancel() { cancelled.store(true, ordering: .releasing) }
}

/// Resumes a continuation exactly once, whichever of the thread or the cancellation handler comes first.
/// A result that arrives before the continuation is installed (cancelled before start) is kept for it.
private final class ResumeOnce<T: Sendable>: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<T, any Error>)
        case early(Result<T, any Error>)
        case done
    }

    private let state = Mutex<State>(.waiting)

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            switch state {
            case .waiting:
                state = .installed(continuation)
                return nil
            case .early(let result):
                state = .done
                return result
            case .installed, .done:
                return nil
            }
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<T, any Error>) {
        let continuation: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .waiting:
                state = .early(result)
                return nil
            case .installed(let continuation):
                state = .done
                return continuation
            case .early, .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
