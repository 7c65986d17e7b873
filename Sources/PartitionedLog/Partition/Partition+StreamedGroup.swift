import Synchronization

/// A streamed group (`AtomicGroupWriter`) in one partition: it takes the partition with its first part
/// (`Partition.Held`), and gives it back when it is committed (`decide`) or aborted (`rollBackHeld`).
extension Partition {
    /// Checks a streamed group's item against the hold, under the state lock; the group's first part takes
    /// the hold. Returns why the item is refused, if it is.
    func admitStreamed(_ group: EncodedGroup, kind: Pending.Kind, _ state: inout State) -> LogError? {
        switch kind {
        case .append:
            return nil
        case .streamedPart:
            if let held = state.held, held.txnId != group.txnId {
                return LogError(.invalidArgument, "\(id) is held by another streamed group")
            }
            // The group's bytes stay in one segment, and a segment never grows past its limit.
            let projected = state.segments[state.segments.count - 1].size + state.pendingBytes + group.bytes.count
            guard projected <= LogLimits.maxSegmentBytes else {
                return LogError(.recordTooLarge, "a streamed group's share of \(id) must fit in one segment (\(LogLimits.maxSegmentBytes) bytes)")
            }
            if state.held == nil { state.held = Held(txnId: group.txnId, baseOffset: state.nextOffset) }
            return nil
        case .syncBarrier, .rollback:
            guard state.held?.txnId == group.txnId else {
                return LogError(.invalidArgument, "\(id) is not held by streamed group \(group.txnId)")
            }
            return nil
        }
    }

    /// The group's commit is durable (from `decide`): everything written becomes visible, and the producers
    /// waiting behind the group come in.
    func commitHeld(txnId: Int64) {
        let (waiters, spaceWaiters, segment, size): ([Waiter], [CheckedContinuation<Void, Never>], Segment?, Int) =
            state.withLock { state in
                guard let held = state.held, held.txnId == txnId else { return ([], [], nil, 0) }
                state.held = nil
                state.visibleEnd = state.writtenEnd
                let spaceWaiters = state.spaceWaiters
                state.spaceWaiters = []
                // Nothing else can have been written since the group's last part: the size is all of it.
                let segment = state.segments[state.segments.count - 1]
                return (state.takeWaiters(), spaceWaiters, segment, segment.size)
            }
        segment?.makeVisible(upTo: size)
        for waiter in waiters { waiter.continuation.resume(returning: true) }
        for waiter in spaceWaiters { waiter.resume() }
    }

    /// The group's abort, on the partition's writer: its bytes are cut off the segment (and the cut synced),
    /// its offsets are given back, and the producers waiting behind it come in. Readers never saw the bytes.
    func rollBackHeld(_ item: Pending) throws(LogError) {
        let (held, segment) = state.withLock { ($0.held, $0.segments[$0.segments.count - 1]) }
        guard let held, held.txnId == item.group.txnId else { return item.completion(.success(item.baseOffset)) }
        if let checkpoint = held.checkpoint {
            try segment.rollBack(to: checkpoint)
            // The cut was synced, so everything before the group is durable now.
            segment.makeVisible(upTo: checkpoint.size)
        }
        let (waiters, spaceWaiters) = state.withLock { state in
            state.held = nil
            // Only the group's own items were queued behind its first part, and this is the last of them.
            assert(state.pending.isEmpty, "nothing is queued behind a streamed group's rollback")
            state.nextOffset = held.baseOffset
            state.writtenEnd = held.baseOffset
            if held.checkpoint != nil {
                state.visibleEnd = held.baseOffset
                state.unsynced = false
            }
            let spaceWaiters = state.spaceWaiters
            state.spaceWaiters = []
            return (state.takeWaiters(), spaceWaiters)
        }
        item.completion(.success(held.baseOffset))
        for waiter in waiters { waiter.continuation.resume(returning: true) }
        for waiter in spaceWaiters { waiter.resume() }
    }

    /// Drops the hold without touching the disk, when the rollback cannot be queued (the log failed or was
    /// closed): what the group wrote stays invisible, and the next start truncates it (it has no commit).
    func releaseHeld(txnId: Int64) {
        let spaceWaiters = state.withLock { state in
            guard state.held?.txnId == txnId else { return [CheckedContinuation<Void, Never>]() }
            state.held = nil
            defer { state.spaceWaiters = [] }
            return state.spaceWaiters
        }
        for waiter in spaceWaiters { waiter.resume() }
    }
}
