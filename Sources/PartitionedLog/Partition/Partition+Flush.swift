import CoreMetrics
import Logging
import Synchronization

import Logging

extension Partition {
    /// The work one round of the flush job took from the queue.
    private struct Round {
        var work: [Partition.Pending]
        var bytes: Int
        var sync: Bool
        /// The round starts with a streamed group's first part: checkpoint the segment before writing.
        var startsStreamedGroup = false
    }

    /// The partition's writer: runs on a write-pool thread, one at a time per partition, until the queue
    /// is empty. Each round: take what is queued, roll if due, write it all, sync once, publish, complete.
    func flush() {
        while let round = takeRound() {
            do {
                try write(round)
            } catch {
                context.fail(error)
                failAll(round.work, error: context.failed ?? error)
                return
            }
        }
    }

    private func takeRound() -> Round? {
        let policy = context.configuration.fsync
        let now = context.now
        // After a failure the queued work is answered once the lock is released: a completion may come back
        // to this partition (a failed group abandons the pending work of all its partitions).
        var abandoned: (work: [Partition.Pending], failure: LogError)?
        var released: [CheckedContinuation<Void, Never>] = []
        defer {
            if let abandoned { for item in abandoned.work { item.completion(.failure(abandoned.failure)) } }
            for waiter in released { waiter.resume() }
        }
        return state.withLock { state -> Round? in
            if let failed = context.failed {
                abandoned = (state.pending, failed)
                state.pending = []
                state.pendingBytes = 0
                state.flushing = false
                released = state.idleWaiters + state.spaceWaiters
                state.idleWaiters = []
                state.spaceWaiters = []
                return nil
            }
            var work: [Partition.Pending] = []
            var bytes = 0
            var startsStreamedGroup = false
            if state.undecided == nil {
                for next in state.pending {
                    guard work.isEmpty || bytes + next.group.bytes.count <= LogLimits.maxFlushBytes else { break }
                    let firstPart = next.kind == .streamedPart && state.held?.firstPartTaken == false
                    // A streamed group's first part, a sync barrier and a rollback each start a round.
                    if !work.isEmpty && (firstPart || next.kind == .syncBarrier || next.kind == .rollback) { break }
                    if firstPart {
                        state.held?.firstPartTaken = true
                        startsStreamedGroup = true
                    }
                    work.append(next)
                    bytes += next.group.bytes.count
                    // A multi-partition group ends its round: nothing may follow it until it is decided.
                    // A rollback is a round of its own.
                    if (next.kind == .append && next.group.txnId != 0) || next.kind == .rollback { break }
                }
                state.pending.removeFirst(work.count)
            }
            state.pendingBytes -= bytes
            let hasTxn = work.last.map { $0.kind == .append && $0.group.txnId != 0 } ?? false
            let barrier = work.contains { $0.kind == .syncBarrier }
            var sync: Bool
            switch policy {
            case .always: sync = !work.isEmpty
            case .interval(let interval):
                sync = hasTxn || barrier || (state.syncRequested && (state.unsynced || !work.isEmpty))
                    || (!work.isEmpty && now - state.lastSync >= interval.milliseconds)
            }
            if work.isEmpty && !sync {
                state.flushing = false
                state.syncRequested = false
                let idle = state.idleWaiters
                state.idleWaiters = []
                for waiter in idle { waiter.resume() }
                return nil
            }
            if sync { state.syncRequested = false }
            return Round(work: work, bytes: bytes, sync: sync, startsStreamedGroup: startsStreamedGroup)
        }
    }

    private func write(_ round: Round) throws(LogError) {
        if round.work.count == 1, round.work[0].kind == .rollback { return try rollBackHeld(round.work[0]) }
        let segment = try rollIfDue(incoming: round.bytes)
        if round.startsStreamedGroup {
            let checkpoint = segment.checkpoint()
            state.withLock { $0.held?.checkpoint = checkpoint }
        }
        var buffer: [UInt8]
        var batches: [(position: Int, summary: BatchSummary)] = []
        if round.work.count == 1 {
            buffer = round.work[0].group.bytes
        } else {
            buffer = []
            buffer.reserveCapacity(round.bytes)
        }
        var position = 0
        var recordCount = 0
        for item in round.work {
            if round.work.count > 1 { buffer.append(contentsOf: item.group.bytes) }
            var offset = item.baseOffset
            for batch in item.group.batches {
                BatchHeader.seal(&buffer, at: position + batch.start, size: batch.size, baseOffset: offset, bodyCRC: batch.bodyCRC)
                let next = offset + Int64(batch.recordCount)
                batches.append((position + batch.start, BatchSummary(baseOffset: offset, nextOffset: next, maxTimestamp: batch.maxTimestamp)))
                offset = next
            }
            position += item.group.bytes.count
            recordCount += item.group.recordCount
        }
        if !buffer.isEmpty { try segment.append(buffer, batches: batches) }
        if round.sync {
            let start = ContinuousClock.now
            try context.sync(segment)
            let elapsed = (ContinuousClock.now - start).components
            context.metrics.fsyncDuration.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        publish(round, segment: segment, recordCount: recordCount)
    }

    /// Rolls the active segment when it is full or old; returns the segment to write to. Not while a
    /// streamed group has bytes in it: those stay in one segment until the group is decided.
    private func rollIfDue(incoming: Int) throws(LogError) -> Segment {
        let (active, holding) = state.withLock { ($0.segments[$0.segments.count - 1], $0.held?.checkpoint != nil) }
        if holding { return active }
        let size = active.size
        let age = context.now - active.openedAt
        let due = size > 0 && (size >= topic.segmentBytes || size + incoming > LogLimits.maxSegmentBytes
            || age >= topic.segmentAge.milliseconds)
        guard due else { return active }
        try active.roll()
        let base = state.withLock { $0.writtenEnd }
        let fresh = try Segment.create(directory: directory, baseOffset: base, now: context.now)
        // The rolled segment is synced whole: all of it is now visible.
        active.makeVisible(upTo: size)
        let waiters: [Partition.Waiter] = state.withLock { state in
            state.segments.append(fresh)
            state.visibleEnd = state.writtenEnd
            state.unsynced = false
            return state.takeWaiters()
        }
        for waiter in waiters { waiter.continuation.resume(returning: true) }
        return fresh
    }

    private func publish(_ round: Round, segment: Segment, recordCount: Int) {
        let now = context.now
        let newSize = segment.size
        let txn = round.work.last.flatMap { $0.kind == .append && $0.group.txnId != 0 ? $0 : nil }
        let (waiters, spaceWaiters, visibleSize): ([Partition.Waiter], [CheckedContinuation<Void, Never>], Int?) =
            state.withLock { state in
                if !round.work.isEmpty, let last = round.work.last {
                    state.writtenEnd = last.baseOffset + Int64(last.group.recordCount)
                }
                var visibleSize: Int?
                if round.sync {
                    state.unsynced = false
                    state.lastSync = now
                    if let txn {
                        let partSize = txn.group.bytes.count
                        state.undecided = Undecided(
                            txnId: txn.group.txnId, baseOffset: txn.baseOffset, endOffset: state.writtenEnd,
                            endPosition: newSize)
                        state.visibleEnd = txn.baseOffset
                        visibleSize = newSize - partSize
                    } else if let held = state.held, let checkpoint = held.checkpoint {
                        // A streamed group's parts stay invisible until its commit.
                        state.visibleEnd = held.baseOffset
                        visibleSize = checkpoint.size
                    } else {
                        state.visibleEnd = state.writtenEnd
                        visibleSize = newSize
                    }
                } else if !round.work.isEmpty {
                    state.unsynced = true
                }
                state.rate.record(time: now, end: state.visibleEnd)
                let spaceWaiters = state.spaceWaiters
                state.spaceWaiters = []
                return (state.takeWaiters(), spaceWaiters, visibleSize)
            }
        if let visibleSize { segment.makeVisible(upTo: visibleSize) }
        if recordCount > 0 {
            metrics.appendedRecords.increment(by: recordCount)
            metrics.appendedBytes.increment(by: round.bytes)
        }
        for item in round.work { item.completion(.success(item.baseOffset)) }
        for waiter in waiters { waiter.continuation.resume(returning: true) }
        for waiter in spaceWaiters { waiter.resume() }
    }

    /// After the log failed: answers everything queued here with the error (a partition blocked behind an
    /// undecided group would otherwise keep its callers waiting for a decision that will never come).
    /// A running flush is left alone (it fails on its next round).
    func abandonPending() {
        guard let failed = context.failed else { return }
        let (pending, spaceWaiters) = state.withLock { state in
            defer {
                state.pending = []
                state.pendingBytes = 0
                state.spaceWaiters = []
            }
            return (state.pending, state.spaceWaiters)
        }
        for item in pending { item.completion(.failure(failed)) }
        for waiter in spaceWaiters { waiter.resume() }
    }

    private func failAll(_ work: [Partition.Pending], error: LogError) {
        let (waiting, spaceWaiters) = state.withLock { state in
            let pending = state.pending
            state.pending = []
            state.pendingBytes = 0
            state.flushing = false
            let waiters = state.spaceWaiters + state.idleWaiters
            state.spaceWaiters = []
            state.idleWaiters = []
            return (pending, waiters)
        }
        for item in work + waiting { item.completion(.failure(error)) }
        for waiter in spaceWaiters { waiter.resume() }
    }
}
