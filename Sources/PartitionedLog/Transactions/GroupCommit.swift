import Synchronization

/// Drives one multi-partition group to its decision, from the partitions' write threads: when every part
/// is durable, the commit is synced in `__transactions` and the parts become visible. It does not depend on
/// the appending task: a cancelled caller cannot leave a partition waiting on an undecided group.
final class GroupCommit: Sendable {
    private struct State {
        var remaining: Int
        var bases: [Int64]
        var continuation: CheckedContinuation<[Int64], any Error>?
    }

    let txnId: Int64
    let partitions: [Partition]
    let transactions: TransactionLog
    let context: LogContext
    private let state: Mutex<State>

    init(
        txnId: Int64, partitions: [Partition], transactions: TransactionLog, context: LogContext,
        continuation: CheckedContinuation<[Int64], any Error>
    ) {
        self.txnId = txnId
        self.partitions = partitions
        self.transactions = transactions
        self.context = context
        state = Mutex(State(remaining: partitions.count, bases: Array(repeating: 0, count: partitions.count),
                            continuation: continuation))
    }

    func partDone(_ index: Int, _ result: Result<Int64, LogError>) {
        enum Next { case wait, fail(CheckedContinuation<[Int64], any Error>, LogError), decide }
        let next: Next = state.withLock { state in
            switch result {
            case .failure(let error):
                guard let continuation = state.continuation else { return .wait }
                state.continuation = nil
                return .fail(continuation, error)
            case .success(let base):
                state.bases[index] = base
                state.remaining -= 1
                return state.remaining == 0 && state.continuation != nil ? .decide : .wait
            }
        }
        switch next {
        case .wait: return
        case .fail(let continuation, let error):
            continuation.resume(throwing: error)
            for partition in partitions { partition.abandonPending() }
        case .decide: decide()
        }
    }

    private func decide() {
        let (continuation, bases) = state.withLock { state in
            defer { state.continuation = nil }
            return (state.continuation, state.bases)
        }
        do {
            try transactions.commit(txnId: txnId, partitions: partitions.map(\.id))
        } catch {
            context.fail(error)
            continuation?.resume(throwing: context.failed ?? error)
            for partition in partitions { partition.abandonPending() }
            return
        }
        for partition in partitions { partition.decide(txnId: txnId) }
        continuation?.resume(returning: bases)
    }
}

extension PartitionedLog {
    /// Queues every part (in one global order, see `groupOrder`) and waits for the group's decision.
    func appendMultiPartition(_ parts: [(Partition, EncodedGroup)], txnId: Int64) async throws -> [Int64] {
        try await withCheckedThrowingContinuation { continuation in
            let commit = GroupCommit(
                txnId: txnId, partitions: parts.map(\.0), transactions: transactions, context: context,
                continuation: continuation)
            queueMultiPartition(parts, commit)
        }
    }

    /// Queues the parts, or, when the streamed group holds one of their partitions, waits for its decision
    /// without queueing anything (see `GroupOrder`).
    private func queueMultiPartition(_ parts: [(Partition, EncodedGroup)], _ commit: GroupCommit) {
        let closed: Bool = groupOrder.withLock { order in
            if order.closed { return true }
            if let streamed = order.streamed, parts.contains(where: { streamed.partitions.contains($0.0.id) }) {
                order.blocked.append { [self] in queueMultiPartition(parts, commit) }
                return false
            }
            for (index, (partition, group)) in parts.enumerated() {
                partition.enqueue(group, bypassLimit: true) { result in commit.partDone(index, result) }
            }
            return false
        }
        if closed { commit.partDone(0, .failure(LogError(.closed, "the log is closed"))) }
    }
}
