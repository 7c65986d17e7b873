import Foundation

/// Runs a blocking call (libpq, `fsync`, `waitpid`, a child process) on a dedicated thread, so that it
/// never occupies a thread of Swift's cooperative pool, and resumes the caller with its result.
///
/// One thread per call: meant for calls that are rare or long (a connection's lifetime, a preflight, a
/// subprocess), not for a hot path of tiny calls — those belong on a long-lived thread of their own.
public func runBlocking<T: Sendable>(
    name: String = "moodle-pipeline.blocking",
    _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.name = name
        thread.start()
    }
}
