import Logging
import PosixFiles
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Compaction of a keyed topic: keep the latest record per key in the rolled segments. Appends go on
/// meanwhile (the active segment is never touched); readers holding a segment keep reading its old file.
extension Partition {
    /// 128 bits of a key: two differently seeded SipHashes (collisions are not a practical concern).
    struct KeyDigest: Hashable {
        var high: Int
        var low: Int

        init(_ key: [UInt8]) {
            var first = Hasher()
            first.combine(0x5A5A)
            var second = Hasher()
            second.combine(0xA5A5)
            key.withUnsafeBytes { bytes in
                first.combine(bytes: bytes)
                second.combine(bytes: bytes)
            }
            high = first.finalize()
            low = second.finalize()
        }
    }

    /// One compaction pass; blocking. Returns the bytes reclaimed.
    @discardableResult
    func compact(now: Int64, guardOffset: Int64?) throws(LogError) -> Int {
        let topic = self.topic
        guard topic.cleanup == .compact else { return 0 }
        // Nothing rolled since the last pass: only time (tombstones expiring) can change the outcome, so
        // pass again at most hourly rather than rereading every rolled segment each maintenance round.
        let (rolled, due) = state.withLock { state in
            let activeBase = state.segments[state.segments.count - 1].baseOffset
            let due = state.lastCompaction.map { $0.activeBase != activeBase || now - $0.at >= 3_600_000 } ?? true
            if due { state.lastCompaction = (activeBase, now) }
            return (state.segments.dropLast(), due)
        }
        guard due, !rolled.isEmpty else { return 0 }

        // Pass 1: the latest offset of every key in the rolled segments (as far as the map's bound allows).
        var latest: [KeyDigest: Int64] = [:]
        var cleanable = 0
        mapping: for segment in rolled {
            try forEachRecord(in: segment) { record in
                if let key = record.key { latest[KeyDigest(key)] = record.offset }
            }
            cleanable += 1
            if latest.count >= LogLimits.compactionMapEntries { break mapping }
        }

        // Pass 2: rewrite the segments that lose records.
        let tombstoneDeadline = now - topic.tombstoneRetention.milliseconds
        var reclaimed = 0
        for segment in rolled.prefix(cleanable) {
            var survivors: [StoredRecord] = []
            var dropped = 0
            try forEachRecord(in: segment) { record in
                guard let key = record.key, latest[KeyDigest(key)] == record.offset else {
                    dropped += 1
                    return
                }
                if record.value == nil, record.timestamp < tombstoneDeadline, record.offset < (guardOffset ?? .max) {
                    dropped += 1
                    return
                }
                survivors.append(record)
            }
            guard dropped > 0 else { continue }
            reclaimed += try rewrite(segment, keeping: survivors, compression: topic.compression)
        }
        if reclaimed > 0 {
            context.logger.info("compacted a partition", metadata: ["partition": "\(id)", "bytes_reclaimed": "\(reclaimed)"])
        }
        return reclaimed
    }

    private func forEachRecord(in segment: Segment, _ body: (StoredRecord) -> Void) throws(LogError) {
        var scanner = SegmentScanner(file: segment.file, limit: segment.visibleSize, verify: true)
        let (stop, position) = try scanner.scan(from: 0) { header, position, batch throws(LogError) in
            guard let batch else { return true }
            for record in try BatchCodec.decode(batch, header: header, what: "\(segment.paths.log) at byte \(position)") {
                body(record)
            }
            return true
        }
        guard stop == .end else {
            throw LogError(.corrupt, "\(segment.paths.log): cannot compact past a damaged batch at byte \(position)")
        }
    }

    /// Writes the survivors to `<base>.*.cleaned`, syncs, and swaps them in by rename. A crash at any
    /// step leaves either the old segment (`.cleaned` files are removed at open) or the new one, with
    /// indexes rebuilt if they are missing.
    private func rewrite(_ segment: Segment, keeping records: [StoredRecord], compression: TopicConfiguration.Compression)
        throws(LogError) -> Int
    {
        let oldSize = segment.size
        if records.isEmpty {
            state.withLock { $0.segments.removeAll { $0 === segment } }
            try FileSystem.remove(segment.paths.log)
            try FileSystem.remove(segment.paths.offsetIndex)
            try FileSystem.remove(segment.paths.timeIndex)
            try FileSystem.syncDirectory(directory)
            return oldSize
        }
        var bytes: [UInt8] = []
        var builder = IndexBuilder(baseOffset: segment.baseOffset)
        var batch: [RecordToEncode] = []
        var batchBytes = 0
        func flushBatch() throws(LogError) {
            guard let first = batch.first else { return }
            let base = first.offsetDelta
            let rebased = batch.map { RecordToEncode(offsetDelta: $0.offsetDelta - base, timestamp: $0.timestamp, key: $0.key, value: $0.value, headers: $0.headers) }
            let position = bytes.count
            let baseOffset = segment.baseOffset + Int64(base)
            let (maxTimestamp, _) = try BatchCodec.appendBatch(
                to: &bytes, rebased, attributes: [], txnId: 0, compression: compression, baseOffset: baseOffset)
            _ = builder.add(BatchSummary(baseOffset: baseOffset, nextOffset: baseOffset + Int64(rebased.last!.offsetDelta) + 1, maxTimestamp: maxTimestamp), at: position)
            batch.removeAll(keepingCapacity: true)
            batchBytes = 0
        }
        for record in records {
            let size = 32 + (record.key?.count ?? 0) + (record.value?.count ?? 0)
            if !batch.isEmpty, batchBytes + size > LogLimits.targetBatchBytes { try flushBatch() }
            batch.append(RecordToEncode(
                offsetDelta: UInt32(record.offset - segment.baseOffset), timestamp: record.timestamp,
                key: record.key, value: record.value, headers: record.headers))
            batchBytes += size
        }
        try flushBatch()

        let paths = segment.paths
        let cleaned = Segment.Paths(log: paths.log + ".cleaned", offsetIndex: paths.offsetIndex + ".cleaned",
                                    timeIndex: paths.timeIndex + ".cleaned")
        do {
            let file = try FileDescriptor(path: cleaned.log, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try file.write(bytes, at: 0)
            try file.sync()
            try SegmentLoader.writeIndexes(builder, paths: cleaned, sync: true)
        }
        try FileSystem.remove(paths.offsetIndex)
        try FileSystem.remove(paths.timeIndex)
        try FileSystem.rename(cleaned.log, paths.log)
        try FileSystem.rename(cleaned.offsetIndex, paths.offsetIndex)
        try FileSystem.rename(cleaned.timeIndex, paths.timeIndex)
        try FileSystem.syncDirectory(directory)

        // What was just written is known: no need to reread and revalidate it.
        let old = segment.snapshot
        let fresh = Segment(
            baseOffset: segment.baseOffset, paths: paths, file: try FileDescriptor(path: paths.log, flags: O_RDWR),
            state: .init(size: bytes.count, visibleSize: bytes.count, nextOffset: old.nextOffset,
                         maxTimestamp: builder.maxTimestamp, openedAt: segment.openedAt, active: nil))
        state.withLock { state in
            if let index = state.segments.firstIndex(where: { $0 === segment }) { state.segments[index] = fresh }
        }
        return oldSize - bytes.count
    }
}
