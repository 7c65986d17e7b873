import CoreMetrics
import Logging
import PosixFiles
import Synchronization

extension Partition {
    /// Deletes the oldest rolled segments that are past the topic's age or size limit, but never one that
    /// holds offsets a durable consumer has not committed (`guardOffset`). Blocking. Returns deleted bytes.
    @discardableResult
    func applyRetention(now: Int64, guardOffset: Int64?) throws(LogError) -> Int {
        let topic = self.topic
        guard topic.cleanup == .delete, topic.retentionAge != nil || topic.retentionBytes != nil else {
            setHeld(0)
            return 0
        }
        let segments = state.withLock { $0.segments }
        var total = segments.reduce(0) { $0 + $1.size }
        var doomed: [Segment] = []
        var held = 0
        for (segment, next) in zip(segments, segments.dropFirst()) {
            let expired = topic.retentionAge.map { segment.snapshot.maxTimestamp < now - $0.milliseconds } ?? false
            let oversize = topic.retentionBytes.map { total > $0 } ?? false
            guard expired || oversize else { break }
            if let guardOffset, next.baseOffset > guardOffset {
                held += segment.size
                continue
            }
            guard held == 0 else { break }
            doomed.append(segment)
            total -= segment.size
        }
        setHeld(held)
        guard !doomed.isEmpty else { return 0 }
        state.withLock { state in
            state.segments.removeAll { segment in doomed.contains { $0 === segment } }
        }
        for segment in doomed {
            // The log file first: a crash in between leaves index files without a segment, removed at open.
            try FileSystem.remove(segment.paths.log)
            try FileSystem.remove(segment.paths.offsetIndex)
            try FileSystem.remove(segment.paths.timeIndex)
        }
        try FileSystem.syncDirectory(directory)
        let bytes = doomed.reduce(0) { $0 + $1.size }
        context.logger.info("retention deleted segments", metadata: [
            "partition": "\(id)", "segments": "\(doomed.count)", "bytes": "\(bytes)",
            "new_start_offset": "\(state.withLock { $0.segments[0].baseOffset })",
        ])
        return bytes
    }

    private func setHeld(_ bytes: Int) {
        state.withLock { $0.retentionHeldBytes = bytes }
        metrics.retentionHeldBytes.record(bytes)
    }
}
