import Logging
import Synchronization

extension PartitionedLog {
    /// One round of retention (delete topics) and compaction (compact topics) over every partition, on the
    /// read threads. Appends are never blocked by it.
    public func runMaintenance() async throws {
        let partitions = topics.withLock { $0.values.flatMap(\.partitions) }
        let consumers = self.consumers
        let context = self.context
        for partition in partitions {
            try await context.onReadThread {
                let now = context.now
                let guardOffset = consumers.guardOffset(for: partition.id)
                try partition.applyRetention(now: now, guardOffset: guardOffset)
                try partition.compact(now: now, guardOffset: guardOffset)
            }
        }
    }

    /// Interval policy: syncs whatever is written but not yet synced, in every partition.
    public func syncNow() {
        for partition in topics.withLock({ $0.values.flatMap(\.partitions) }) { partition.requestSync() }
    }
}
