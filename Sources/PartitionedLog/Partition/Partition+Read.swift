import Logging
import Synchronization

extension Partition {
    /// The partition as readers see it.
    struct View {
        var segments: [Segment]
        var startOffset: Int64
        var visibleEnd: Int64
    }

    var view: View {
        state.withLock { View(segments: $0.segments, startOffset: $0.segments[0].baseOffset, visibleEnd: $0.visibleEnd) }
    }

    var visibleEnd: Int64 { state.withLock { $0.visibleEnd } }

    /// Reads records from `offset` on (blocking: call on a read thread). At least one batch, then up to
    /// `maxRecords` and about `maxBytes`. Every batch is CRC-checked before any of its records is returned.
    func read(from requested: Int64, maxRecords: Int, maxBytes: Int) throws(LogError) -> ReadResult {
        let view = self.view
        var offset = requested
        if offset < view.startOffset {
            guard topic.cleanup == .compact else {
                throw LogError(.offsetOutOfRange, "\(id): offset \(requested) is below the log start \(view.startOffset) (deleted by retention)")
            }
            offset = view.startOffset
        }
        guard offset <= view.visibleEnd else {
            throw LogError(.offsetOutOfRange, "\(id): offset \(requested) is beyond the end \(view.visibleEnd)")
        }
        var records: [StoredRecord] = []
        var bytes = 0
        var next = offset
        guard offset < view.visibleEnd else { return ReadResult(records: [], nextOffset: offset, endOffset: view.visibleEnd) }
        let first = max(0, (view.segments.lastIndex { $0.baseOffset <= offset }) ?? 0)
        segments: for segment in view.segments[first...] {
            let limit = segment.visibleSize
            guard limit > 0 else { continue }
            var scanner = SegmentScanner(file: segment.file, limit: limit, verify: true)
            let (stop, position) = try scanner.scan(from: try segment.position(for: offset)) {
                header, position, batch throws(LogError) in
                guard header.nextOffset > offset, let batch else { return true }
                let decoded = try BatchCodec.decode(batch, header: header, what: "\(segment.paths.log) at byte \(position)")
                for record in decoded where record.offset >= offset && record.offset < view.visibleEnd {
                    records.append(record)
                    next = record.offset + 1
                    if records.count >= maxRecords { return false }
                }
                if header.nextOffset >= view.visibleEnd { return false }
                next = max(next, min(header.nextOffset, view.visibleEnd))
                bytes += header.totalSize
                return bytes < maxBytes
            }
            switch stop {
            case .stopped: break segments
            case .end: next = max(next, min(segment.snapshot.nextOffset, view.visibleEnd))
            case .torn, .corrupt:
                if !records.isEmpty { break segments }
                let problem = if case .corrupt(let message) = stop { message } else { "torn batch at byte \(position)" }
                throw LogError(.corrupt, "\(id): refusing to serve a damaged batch: \(problem)")
            }
        }
        return ReadResult(records: records, nextOffset: next, endOffset: view.visibleEnd)
    }

    /// The first readable offset whose record's timestamp is at or after `timestamp` (nil: none yet).
    /// Segments whose newest record is older are skipped; within one, the time index says where to start.
    func offset(forTimestamp timestamp: Int64) throws(LogError) -> Int64? {
        let view = self.view
        for segment in view.segments where segment.snapshot.maxTimestamp >= timestamp {
            var found: Int64?
            var scanner = SegmentScanner(file: segment.file, limit: segment.visibleSize, verify: true)
            _ = try scanner.scan(from: try segment.position(forTimestamp: timestamp)) { header, position, batch throws(LogError) in
                guard header.maxTimestamp >= timestamp, let batch else { return true }
                let records = try BatchCodec.decode(batch, header: header, what: "\(segment.paths.log) at byte \(position)")
                found = records.first { $0.timestamp >= timestamp && $0.offset < view.visibleEnd }?.offset
                return found == nil
            }
            if let found { return found }
        }
        return nil
    }

    /// Returns true as soon as the record at `offset` is readable, false after `timeout` or on
    /// cancellation. No polling: writers resume waiters when the visible end moves.
    func waitForRecords(from offset: Int64, timeout: Duration) async -> Bool {
        if state.withLock({ $0.visibleEnd > offset }) { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.notification(from: offset) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func notification(from offset: Int64) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    if state.visibleEnd > offset || state.closed || Task.isCancelled { return true }
                    state.waiters[id] = Waiter(offset: offset, continuation: continuation)
                    return false
                }
                if ready { continuation.resume(returning: state.withLock { $0.visibleEnd > offset }) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Wakes every waiter (closing).
    func wakeAllWaiters() {
        let waiters = state.withLock { state in
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.continuation.resume(returning: false) }
    }
}
