import Synchronization

/// Who may queue into which partitions, so that groups never wait on each other in a cycle.
///
/// A multi-partition group queues all its parts at once under `PartitionedLog.groupOrder`, so every partition
/// sees such groups in the same order. A streamed group (`AtomicGroupWriter`) takes its partitions one part
/// at a time and holds them until its decision, so a multi-partition group queued into one of them could
/// hold another partition the streamed group reaches later: a multi-partition group touching a held
/// partition therefore waits, unqueued, until the streamed group is decided. Two streamed groups could hold
/// each other's partitions in the same way, so only one is open per log at a time; the next waits for it.
struct GroupOrder {
    struct Streamed {
        var txnId: Int64
        var partitions: Set<TopicPartition>
    }

    /// The open streamed group and the partitions it holds.
    var streamed: Streamed?
    /// Groups waiting for the open streamed group's decision; each tries again once it is decided.
    var blocked: [@Sendable () -> Void] = []
    var closed = false
}

extension PartitionedLog {
    /// Returns once the streamed group `txnId` is the log's open one (waiting for another to be decided).
    func openStreamed(txnId: Int64) async throws(LogError) {
        while true {
            if let failed = context.failed { throw failed }
            // true: open; false: another was decided, try again; nil: the log is closed.
            let opened: Bool? = await withCheckedContinuation { continuation in
                let now: Bool?? = groupOrder.withLock { order in
                    if order.closed { return .some(nil) }
                    if order.streamed == nil { order.streamed = GroupOrder.Streamed(txnId: txnId, partitions: []) }
                    if order.streamed?.txnId == txnId { return .some(true) }
                    order.blocked.append { continuation.resume(returning: false) }
                    return .none
                }
                if let now { continuation.resume(returning: now) }
            }
            guard let opened else { throw LogError(.closed, "the log is closed") }
            if opened { return }
        }
    }

    /// Queues a streamed group's parts; a partition not held yet is taken under the lock (see `GroupOrder`).
    func queueStreamed(
        _ parts: [(Partition, EncodedGroup)], txnId: Int64,
        completion: @escaping @Sendable (Int, Result<Int64, LogError>) -> Void
    ) {
        let open = groupOrder.withLock { order in
            guard order.streamed?.txnId == txnId else { return false }
            for (partition, _) in parts { order.streamed?.partitions.insert(partition.id) }
            for (index, (partition, group)) in parts.enumerated() {
                partition.enqueue(group, kind: .streamedPart, bypassLimit: true) { result in completion(index, result) }
            }
            return true
        }
        if !open {
            for index in parts.indices { completion(index, .failure(LogError(.invalidArgument, "streamed group \(txnId) is not open"))) }
        }
    }

    /// The streamed group `txnId` is decided: the next streamed group and the groups it blocked go on.
    func closeStreamed(txnId: Int64) {
        let blocked = groupOrder.withLock { order in
            guard order.streamed?.txnId == txnId else { return [@Sendable () -> Void]() }
            order.streamed = nil
            defer { order.blocked = [] }
            return order.blocked
        }
        for retry in blocked { retry() }
    }

    /// The log is closing: whatever waits for a streamed group gets the refusal.
    func closeGroupOrder() {
        let blocked = groupOrder.withLock { order in
            order.closed = true
            defer { order.blocked = [] }
            return order.blocked
        }
        for retry in blocked { retry() }
    }
}
