import CoreMetrics
import Logging
import NIOPosix
import PosixFiles
import Synchronization

/// One partition: its segments, its queue of appends, its single writer (a flush job on the write pool,
/// one at a time), and the readers waiting for new records.
///
/// Group commit: appends queue up while a flush is writing and syncing; the next flush takes everything
/// queued (up to `maxFlushBytes`) and writes it with one `write` and one `fdatasync`. Offsets are assigned
/// when an append is queued, so queue order is offset order.
final class Partition: Sendable {
    typealias Completion = @Sendable (Result<Int64, LogError>) -> Void

    struct Pending {
        /// What the writer does with it.
        enum Kind: Equatable {
            /// Records: a plain append, or a multi-partition group's part when `group.txnId` is set.
            case append
            /// A part of the streamed group that holds the partition (`group.txnId`).
            case streamedPart
            /// Nothing to write: completes once everything before it is synced (a streamed group's commit).
            case syncBarrier
            /// Cuts the streamed group that holds the partition off the segment (its abort).
            case rollback
        }

        var group: EncodedGroup
        var baseOffset: Int64
        var kind: Kind = .append
        var completion: Completion
    }

    /// A multi-partition group written here, waiting for its commit decision. Nothing else is written to
    /// the partition meanwhile, so after a crash an undecided group can only be at the very end.
    struct Undecided {
        var txnId: Int64
        var baseOffset: Int64
        var endOffset: Int64
        var endPosition: Int
    }

    /// A streamed group (`AtomicGroupWriter`) holding the partition from its first part to its decision:
    /// only its own parts are queued meanwhile, other appends wait, and the segment does not roll once the
    /// group has bytes in it. So its bytes are the end of one segment, which abort cuts off and recovery
    /// truncates when no commit is durable.
    struct Held {
        var txnId: Int64
        var baseOffset: Int64
        /// The active segment as it was just before the group's first part (set when that part is written).
        var checkpoint: Segment.Checkpoint?
        var firstPartTaken = false
    }

    struct State {
        var segments: [Segment]
        var nextOffset: Int64
        var writtenEnd: Int64
        var visibleEnd: Int64
        var pending: [Pending] = []
        var pendingBytes = 0
        var flushing = false
        var undecided: Undecided?
        var held: Held?
        /// Interval policy: written but not yet synced, and when the last sync was.
        var unsynced = false
        var lastSync: Int64 = 0
        var syncRequested = false
        var closed = false
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiterID: UInt64 = 0
        var spaceWaiters: [CheckedContinuation<Void, Never>] = []
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var rate = RateSamples()
        /// Set by maintenance: bytes retention would delete but a durable consumer still needs.
        var retentionHeldBytes = 0
        /// The last compaction pass: the active segment's base then, and when (log clock, ms).
        var lastCompaction: (activeBase: Int64, at: Int64)?
    }

    struct Waiter {
        /// Wakes when the record at this offset is readable.
        var offset: Int64
        var continuation: CheckedContinuation<Bool, Never>
    }

    let id: TopicPartition
    let directory: String
    /// The topic's settings; all but the partition count and cleanup policy can change while open.
    let settings: Mutex<TopicConfiguration>
    let context: LogContext
    let metrics: PartitionMetrics
    let state: Mutex<State>

    var topic: TopicConfiguration { settings.withLock { $0 } }

    init(id: TopicPartition, directory: String, topic: TopicConfiguration, context: LogContext, segments: [Segment]) {
        self.id = id
        self.directory = directory
        self.settings = Mutex(topic)
        self.context = context
        self.metrics = PartitionMetrics(id, factory: context.metrics.factory)
        let end = segments.last?.snapshot.nextOffset ?? 0
        self.state = Mutex(State(segments: segments, nextOffset: end, writtenEnd: end, visibleEnd: end))
    }

    /// Opens (recovering) or creates the partition's directory.
    static func open(
        id: TopicPartition, directory: String, topic: TopicConfiguration, context: LogContext,
        isCommitted: (Int64) -> Bool
    ) throws(LogError) -> (Partition, SegmentLoader.Outcome) {
        try FileSystem.makeDirectories(directory)
        let names = try FileSystem.list(directory)
        for name in names where name.hasSuffix(".cleaned") || name.hasSuffix(".tmp") {
            try FileSystem.remove("\(directory)/\(name)")
        }
        let bases = names.compactMap { name -> Int64? in
            guard name.hasSuffix(".log"), name.count == 24 else { return nil }
            return Int64(name.dropLast(4))
        }.sorted()
        // Index files whose segment was deleted (a crash during retention) go too.
        let baseNames = Set(bases.map(Segment.fileName))
        for name in names where name.hasSuffix(".index") || name.hasSuffix(".timeindex") {
            if !baseNames.contains(String(name.prefix(20))) { try FileSystem.remove("\(directory)/\(name)") }
        }
        let now = context.now
        guard let lastBase = bases.last else {
            let segment = try Segment.create(directory: directory, baseOffset: 0, now: now)
            return (Partition(id: id, directory: directory, topic: topic, context: context, segments: [segment]), .init())
        }
        var segments: [Segment] = []
        for (base, next) in zip(bases, bases.dropFirst()) {
            segments.append(try SegmentLoader.openRolled(
                directory: directory, baseOffset: base, nextBaseOffset: next, now: now, logger: context.logger))
        }
        let (last, outcome) = try SegmentLoader.openLast(
            directory: directory, baseOffset: lastBase, now: now, isCommitted: isCommitted, logger: context.logger)
        segments.append(last)
        if outcome.truncatedBytes > 0 {
            context.logger.warning("recovery truncated the end of a partition", metadata: [
                "partition": "\(id)", "segment": "\(last.paths.log)", "bytes": "\(outcome.truncatedBytes)",
                "from_offset": "\(outcome.droppedFromOffset ?? -1)", "reason": "\(outcome.reason ?? "")",
            ])
        }
        let partition = Partition(id: id, directory: directory, topic: topic, context: context, segments: segments)
        if outcome.truncatedBytes > 0 { partition.metrics.truncatedBytes.increment(by: outcome.truncatedBytes) }
        return (partition, outcome)
    }

    // MARK: Appending

    /// Queues a group and returns its base offset once it is durable (or, with the interval policy, written).
    func append(_ group: EncodedGroup) async throws -> Int64 {
        while true {
            let result: Result<Int64, LogError>? = await withCheckedContinuation { continuation in
                let queued = enqueue(group, bypassLimit: false) { result in continuation.resume(returning: result) }
                if !queued { continuation.resume(returning: nil) }
            }
            if let result { return try result.get() }
            await waitForSpace()
        }
    }

    /// Queues a group; false when the queue is full (the caller waits for space and retries).
    /// `completion` runs on a write thread once the group is durable, or with the error that stopped the log.
    /// While a streamed group holds the partition, other appends are full too (they wait for its decision);
    /// a multi-partition group's part, which cannot wait, is refused (`PartitionedLog.groupOrder` keeps
    /// those away from held partitions).
    @discardableResult
    func enqueue(
        _ group: EncodedGroup, kind: Pending.Kind = .append, bypassLimit: Bool, completion: @escaping Completion
    ) -> Bool {
        enum Outcome { case queued(schedule: Bool), full, refused(LogError) }
        let size = group.bytes.count
        let outcome: Outcome = state.withLock { state in
            if let failed = context.failed { return .refused(failed) }
            if state.closed { return .refused(LogError(.closed, "the log is closed")) }
            if kind == .append {
                if state.held != nil {
                    return bypassLimit ? .refused(LogError(.invalidArgument, "\(id) is held by a streamed group")) : .full
                }
                if !bypassLimit, state.pendingBytes > 0, state.pendingBytes + size > LogLimits.maxPendingBytesPerPartition {
                    return .full
                }
            } else if let refusal = admitStreamed(group, kind: kind, &state) {
                return .refused(refusal)
            }
            state.pending.append(Pending(group: group, baseOffset: state.nextOffset, kind: kind, completion: completion))
            state.nextOffset += Int64(group.recordCount)
            state.pendingBytes += size
            let schedule = !state.flushing && state.undecided == nil
            if schedule { state.flushing = true }
            return .queued(schedule: schedule)
        }
        switch outcome {
        case .queued(let schedule):
            if schedule { scheduleFlush() }
            return true
        case .full:
            return false
        case .refused(let error):
            completion(.failure(error))
            return true
        }
    }

    private func waitForSpace() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waitNow = state.withLock { state in
                guard state.pendingBytes > 0 || state.held != nil, !state.closed, context.failed == nil else { return false }
                state.spaceWaiters.append(continuation)
                return true
            }
            if !waitNow { continuation.resume() }
        }
    }

    func scheduleFlush() {
        context.writePool.submit { [self] _ in flush() }
    }

    /// Interval policy: asks for a sync of whatever is written but unsynced.
    func requestSync() {
        let schedule = state.withLock { state in
            guard state.unsynced, !state.closed else { return false }
            state.syncRequested = true
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if schedule { scheduleFlush() }
    }

    // MARK: Closing

    /// Refuses new appends; what is queued is still written, and synced (interval policy) on the way out.
    /// Producers waiting for space or behind a streamed group get the refusal now.
    func beginClose() {
        let (schedule, spaceWaiters) = state.withLock { state in
            state.closed = true
            if state.unsynced { state.syncRequested = true }
            let spaceWaiters = state.spaceWaiters
            state.spaceWaiters = []
            guard !state.flushing, state.syncRequested || !state.pending.isEmpty else { return (false, spaceWaiters) }
            state.flushing = true
            return (true, spaceWaiters)
        }
        for waiter in spaceWaiters { waiter.resume() }
        if schedule { scheduleFlush() }
    }

    /// Returns once no flush is running and nothing is queued.
    func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                guard state.flushing || (!state.pending.isEmpty && state.undecided == nil) else { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    // MARK: Decisions on multi-partition groups

    /// The group's commit is durable: make it visible and resume writing.
    func decide(txnId: Int64) {
        if state.withLock({ $0.held?.txnId == txnId }) { return commitHeld(txnId: txnId) }
        let (waiters, schedule, segment, position): ([Waiter], Bool, Segment?, Int) = state.withLock { state in
            guard let undecided = state.undecided, undecided.txnId == txnId else { return ([], false, nil, 0) }
            state.undecided = nil
            state.visibleEnd = undecided.endOffset
            let waiters = state.takeWaiters()
            let schedule = !state.pending.isEmpty && !state.flushing
            if schedule { state.flushing = true }
            return (waiters, schedule, state.segments.last, undecided.endPosition)
        }
        segment?.makeVisible(upTo: position)
        for waiter in waiters { waiter.continuation.resume(returning: true) }
        if schedule { scheduleFlush() }
    }
}

extension Partition.State {
    /// Waiters whose offset is now readable.
    mutating func takeWaiters() -> [Partition.Waiter] {
        var ready: [Partition.Waiter] = []
        for (id, waiter) in waiters where waiter.offset < visibleEnd {
            ready.append(waiter)
            waiters[id] = nil
        }
        return ready
    }
}

/// (time, end offset) samples, one per second at most, for the record rate over the last minute.
struct RateSamples {
    private var samples: [(time: Int64, end: Int64)] = []

    mutating func record(time: Int64, end: Int64) {
        if let last = samples.last, time - last.time < 1000 { return }
        samples.append((time, end))
        if samples.count > 61 { samples.removeFirst(samples.count - 61) }
    }

    func perSecond(now: Int64, end: Int64) -> Double {
        guard let oldest = samples.first(where: { now - $0.time <= 60_000 }), now > oldest.time else { return 0 }
        return Double(end - oldest.end) * 1000 / Double(now - oldest.time)
    }
}
