import Synchronization

extension PartitionedLog {
    /// Opens an atomic group written in parts (`AtomicGroupWriter`): readers see none of it until `commit()`
    /// returns, and a crash before its commit is durable leaves none of it (recovery truncates it).
    ///
    /// One streamed group is open per log at a time: a second one waits in its first `append` until the
    /// first is committed or aborted. See `AtomicGroupWriter` for what the group holds meanwhile.
    public func beginAtomicGroup() throws -> AtomicGroupWriter {
        if let failed = context.failed { throw failed }
        if groupOrder.withLock({ $0.closed }) { throw LogError(.closed, "the log is closed") }
        return AtomicGroupWriter(log: self, txnId: transactions.allocateId())
    }
}

/// An atomic group written in parts, for a source transaction too large to hold in memory: each `append`
/// writes a part to the partitions its keys hash to, and returns once it is written; `commit` makes the
/// whole group durable and then visible at once; `abort` (or dropping the writer undecided) cuts it off.
///
/// How: every batch carries the group's txn id. Its first part in a partition makes the group hold that
/// partition (`Partition.Held`): other producers wait until the decision, and the segment does not roll,
/// so the group's bytes are the end of one segment (a group's share of one partition is therefore limited
/// to `LogLimits.maxSegmentBytes`). Commit syncs every partition, then the group's entry in
/// `__transactions`, then shows it; at start-up a group without that entry is truncated. Abort truncates
/// the written parts (readers never saw them), so offsets stay dense.
///
/// One streamed group is open per log at a time, and while it holds a partition, multi-partition groups
/// that touch it wait (see `GroupOrder`). Calls on one writer run one at a time, in call order. Memory:
/// one part at a time (a call returns once its part is written), plus offsets per partition.
public final class AtomicGroupWriter: Sendable {
    private enum Phase {
        case open
        case committed
        case aborted
        /// A part or the commit failed: only `abort` is left.
        case broken(LogError)
    }

    private struct State {
        var phase = Phase.open
        /// Holds the log's streamed-group slot (from the first part on).
        var opened = false
        /// The partitions written so far, in the order first written, with the group's offsets there.
        var partitions: [(partition: Partition, offsets: Range<Int64>)] = []
        var busy = false
        var turnWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let log: PartitionedLog
    let txnId: Int64
    private let state = Mutex(State())

    init(log: PartitionedLog, txnId: Int64) {
        self.log = log
        self.txnId = txnId
    }

    /// Dropped undecided: the group is aborted in the background (its rollbacks are queued in its
    /// partitions, which then take other appends again).
    deinit {
        let (undecided, partitions) = state.withLock { state -> (Bool, [Partition]) in
            switch state.phase {
            case .open, .broken: (state.opened, state.partitions.map(\.partition))
            case .committed, .aborted: (false, [])
            }
        }
        guard undecided else { return }
        let (log, txnId) = (self.log, self.txnId)
        Self.rollBack(partitions, txnId: txnId) { log.closeStreamed(txnId: txnId) }
    }

    /// Writes records, each to the partition its key hashes to, as part of the group, and returns where they
    /// will be once the group is committed. Returns when they are written (synced too with the `always`
    /// policy); a failure leaves the group broken: abort it.
    @discardableResult
    public func append(_ records: [(topic: String, record: LogRecord)]) async throws -> [RecordPosition] {
        guard !records.isEmpty else { return [] }
        await takeTurn()
        defer { endTurn() }
        try checkOpen()
        let shares = try log.shares(of: records)
        let parts = try log.encode(shares, of: records, txnId: txnId)
        if !state.withLock({ $0.opened }) {
            try await log.openStreamed(txnId: txnId)
            state.withLock { $0.opened = true }
        }
        let log = self.log
        let txnId = self.txnId
        let results = await Self.waitForAll(parts.count) { done in
            log.queueStreamed(parts.map { ($0.0, $0.1) }, txnId: txnId, completion: done)
        }
        var positions = [RecordPosition?](repeating: nil, count: records.count)
        for ((partition, _, indices), result) in zip(parts, results) {
            let base: Int64
            do {
                base = try result.get()
            } catch {
                state.withLock { $0.phase = .broken(error) }
                throw error
            }
            record(partition, offsets: base..<(base + Int64(indices.count)))
            for (delta, index) in indices.enumerated() {
                positions[index] = RecordPosition(partition: partition.id, offset: base + Int64(delta))
            }
        }
        return positions.compactMap { $0 }
    }

    /// Makes the whole group durable (every partition synced, then its commit synced in `__transactions`)
    /// and then visible, atomically. Returns the group's offsets in each partition.
    @discardableResult
    public func commit() async throws -> [TopicPartition: Range<Int64>] {
        await takeTurn()
        defer { endTurn() }
        try checkOpen()
        let partitions = state.withLock { $0.partitions }
        let ranges = Dictionary(uniqueKeysWithValues: partitions.map { ($0.partition.id, $0.offsets) })
        if !partitions.isEmpty {
            do {
                _ = try await withCheckedThrowingContinuation { continuation in
                    let commit = GroupCommit(
                        txnId: txnId, partitions: partitions.map(\.partition), transactions: log.transactions,
                        context: log.context, continuation: continuation)
                    for (index, (partition, _)) in partitions.enumerated() {
                        partition.enqueue(EncodedGroup(txnId: txnId), kind: .syncBarrier, bypassLimit: true) { result in
                            commit.partDone(index, result)
                        }
                    }
                }
            } catch {
                state.withLock { $0.phase = .broken(error as? LogError ?? LogError(.io, "\(error)")) }
                throw error
            }
        }
        let opened = state.withLock { state in
            state.phase = .committed
            return state.opened
        }
        if opened { log.closeStreamed(txnId: txnId) }
        return ranges
    }

    /// Abandons the group: nothing of it becomes visible. Its parts are cut off the segments (readers never
    /// saw them), so later appends continue at the group's first offset in each partition. After a commit,
    /// or a second time, it does nothing.
    public func abort() async {
        await takeTurn()
        defer { endTurn() }
        let (abortNow, opened, partitions) = state.withLock { state -> (Bool, Bool, [Partition]) in
            switch state.phase {
            case .open, .broken:
                state.phase = .aborted
                return (true, state.opened, state.partitions.map(\.partition))
            case .committed, .aborted:
                return (false, false, [])
            }
        }
        guard abortNow, opened else { return }
        let txnId = self.txnId
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Self.rollBack(partitions, txnId: txnId) { continuation.resume() }
        }
        log.closeStreamed(txnId: txnId)
    }

    // MARK: Internals

    private func checkOpen() throws(LogError) {
        switch state.withLock({ $0.phase }) {
        case .open: return
        case .committed: throw LogError(.invalidArgument, "the atomic group is already committed")
        case .aborted: throw LogError(.invalidArgument, "the atomic group was aborted")
        case .broken(let error): throw LogError(.invalidArgument, "the atomic group failed (\(error.message)): abort it")
        }
    }

    private func record(_ partition: Partition, offsets: Range<Int64>) {
        state.withLock { state in
            if let index = state.partitions.firstIndex(where: { $0.partition === partition }) {
                state.partitions[index].offsets = state.partitions[index].offsets.lowerBound..<offsets.upperBound
            } else {
                state.partitions.append((partition, offsets))
            }
        }
    }

    /// Queues a rollback in every partition and calls `done` once all are through. A partition that
    /// cannot take it (the log failed or closed) just lets the group go: recovery truncates it.
    private static func rollBack(_ partitions: [Partition], txnId: Int64, done: @escaping @Sendable () -> Void) {
        let collector = Collector(count: partitions.count) { results in
            for (partition, result) in zip(partitions, results) {
                if case .failure = result { partition.releaseHeld(txnId: txnId) }
            }
            done()
        }
        for (index, partition) in partitions.enumerated() {
            partition.enqueue(EncodedGroup(txnId: txnId), kind: .rollback, bypassLimit: true) { result in
                collector.done(index, result)
            }
        }
    }

    /// Starts `count` completions with `start` and waits for all of them.
    private static func waitForAll(
        _ count: Int, start: (@escaping @Sendable (Int, Result<Int64, LogError>) -> Void) -> Void
    ) async -> [Result<Int64, LogError>] {
        await withCheckedContinuation { continuation in
            let collector = Collector(count: count) { continuation.resume(returning: $0) }
            start { index, result in collector.done(index, result) }
        }
    }

    /// Calls run one at a time, in call order.
    private func takeTurn() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.turnWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func endTurn() {
        let next = state.withLock { state in
            guard !state.turnWaiters.isEmpty else {
                state.busy = false
                return nil as CheckedContinuation<Void, Never>?
            }
            return state.turnWaiters.removeFirst()
        }
        next?.resume()
    }
}

/// Gathers the results of `count` queued items and hands them over once all are in.
private final class Collector: Sendable {
    private struct State {
        var results: [Result<Int64, LogError>?]
        var remaining: Int
    }

    private let state: Mutex<State>
    private let finish: @Sendable ([Result<Int64, LogError>]) -> Void

    init(count: Int, finish: @escaping @Sendable ([Result<Int64, LogError>]) -> Void) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
        self.finish = finish
        if count == 0 { finish([]) }
    }

    func done(_ index: Int, _ result: Result<Int64, LogError>) {
        let all: [Result<Int64, LogError>]? = state.withLock { state in
            guard state.results[index] == nil else { return nil }
            state.results[index] = result
            state.remaining -= 1
            return state.remaining == 0 ? state.results.compactMap { $0 } : nil
        }
        if let all { finish(all) }
    }
}
