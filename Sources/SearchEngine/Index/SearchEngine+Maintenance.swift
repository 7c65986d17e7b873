import Dispatch

/// The engine's background work: periodic refreshes and merges, on dispatch queues of their own so blocking
/// work never runs on the cooperative pool.
extension SearchEngine {
    /// Refreshes each index when its `refresh_interval` has elapsed with unrefreshed writes, and merges
    /// segments, until the task is cancelled. A merge under way when cancelled finishes first.
    public func runMaintenance() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.refreshLoop() }
            group.addTask { await self.mergeLoop() }
        }
    }

    static let refreshCheckInterval: Duration = .milliseconds(10)

    private func refreshLoop() async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            for index in indices where index.refreshDue(now: now) {
                await Self.run(on: refreshQueue) { index.refresh() }
            }
            // Checked often: a refresh is due at most this late (the pipeline's freshness rides on it).
            do { try await Task.sleep(for: Self.refreshCheckInterval) } catch { return }
        }
    }

    private func mergeLoop() async {
        while !Task.isCancelled {
            var merged = false
            for index in indices where !Task.isCancelled {
                if await Self.run(on: mergeQueue, { index.maybeMerge() }) { merged = true }
            }
            if !merged {
                do { try await Task.sleep(for: .milliseconds(250)) } catch { return }
            }
        }
    }

    static func run<T: Sendable>(on queue: DispatchQueue, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
