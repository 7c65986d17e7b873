import Logging
import PosixFiles

#if canImport(Glibc)
import Glibc
#endif

/// Opens a partition's segments at start-up: checks the indexes of rolled segments (rebuilding missing or
/// damaged ones) and validates the last segment batch by batch, truncating a torn or corrupt tail, an
/// incomplete group and an undecided multi-partition or streamed group (a streamed group's bytes are
/// always the end of one segment: the partition does not roll while one holds it).
enum SegmentLoader {
    /// What recovery did to the last segment.
    struct Outcome: Equatable {
        var truncatedBytes = 0
        var droppedFromOffset: Int64?
        var reason: String?
        /// The txn id of a multi-partition group that was rolled back, if any.
        var rolledBackTxn: Int64?
        var rebuiltIndexes = false
    }

    /// A rolled segment: immutable, fully visible. Its end offset is the next segment's base.
    static func openRolled(
        directory: String, baseOffset: Int64, nextBaseOffset: Int64, now: Int64, logger: Logger
    ) throws(LogError) -> Segment {
        let paths = Segment.Paths(directory: directory, baseOffset: baseOffset)
        let file = try FileDescriptor(path: paths.log, flags: O_RDWR)
        let size = try file.size()
        var maxTimestamp: Int64
        if let valid = try validIndexes(paths: paths, file: file, baseOffset: baseOffset, size: size) {
            maxTimestamp = valid.maxTimestamp
        } else {
            logger.notice("rebuilding the indexes of a segment", metadata: ["segment": "\(paths.log)"])
            var builder = IndexBuilder(baseOffset: baseOffset)
            var scanner = SegmentScanner(file: file, limit: size, verify: true)
            let (stop, position) = try scanner.scan(from: 0) { header, position, _ throws(LogError) in
                _ = builder.add(BatchSummary(header), at: position)
                return true
            }
            if stop != .end {
                // A rolled segment was synced before the next one was created: this is media damage, not a
                // torn write. Keep it; reads stop with a `corrupt` error there rather than serve it.
                logger.error("damaged batch in a rolled segment", metadata: [
                    "segment": "\(paths.log)", "byte": "\(position)", "problem": "\(stop)",
                ])
            }
            try writeIndexes(builder, paths: paths, sync: true)
            maxTimestamp = builder.maxTimestamp
        }
        return Segment(
            baseOffset: baseOffset, paths: paths, file: file,
            state: .init(size: size, visibleSize: size, nextOffset: nextBaseOffset, maxTimestamp: maxTimestamp,
                         openedAt: now, active: nil))
    }

    /// The last segment: validated in full and made the active segment.
    static func openLast(
        directory: String, baseOffset: Int64, now: Int64, isCommitted: (Int64) -> Bool, logger: Logger
    ) throws(LogError) -> (Segment, Outcome) {
        let paths = Segment.Paths(directory: directory, baseOffset: baseOffset)
        let file = try FileDescriptor(path: paths.log, flags: O_RDWR)
        let size = try file.size()
        var outcome = Outcome()

        // Walk the batches, remembering where the last complete group starts and ends.
        var groupStart = 0
        var groupEnd = 0
        var groupBase = baseOffset
        var lastGroupStart = 0
        var lastGroupBase = baseOffset
        var lastGroupTxn: Int64 = 0
        var nextOffset = baseOffset
        var minimumBase = baseOffset
        // Every valid batch, so that the indexes are built from this one pass (a few bytes per batch).
        var batches: [(position: Int, summary: BatchSummary)] = []
        var scanner = SegmentScanner(file: file, limit: size, verify: true)
        let (stop, stoppedAt) = try scanner.scan(from: 0) { header, position, _ throws(LogError) in
            // The active segment is only ever appended to: its offsets are dense.
            guard header.baseOffset == minimumBase, header.lastOffsetDelta == header.recordCount - 1 else { return false }
            minimumBase = header.nextOffset
            batches.append((position, BatchSummary(header)))
            if position == groupEnd {
                groupStart = position
                groupBase = header.baseOffset
            }
            if !header.continuesGroup {
                groupEnd = position + header.totalSize
                let txn = header.attributes.contains(.transactional) ? header.txnId : 0
                // A streamed group's parts follow one another with the same txn id: together, one group.
                if txn == 0 || txn != lastGroupTxn {
                    lastGroupStart = groupStart
                    lastGroupBase = groupBase
                }
                lastGroupTxn = txn
                nextOffset = header.nextOffset
            }
            return true
        }
        var keep = groupEnd
        switch stop {
        case .end where groupEnd == size: break
        case .end: outcome.reason = "an incomplete group at the end"
        case .torn: outcome.reason = "a torn write at byte \(stoppedAt)"
        case .corrupt(let problem): outcome.reason = problem
        case .stopped: outcome.reason = "offsets out of sequence in the batch ending at byte \(stoppedAt)"
        }
        if lastGroupTxn != 0, !isCommitted(lastGroupTxn) {
            // A multi-partition group whose commit never became durable: roll it back everywhere.
            keep = lastGroupStart
            nextOffset = lastGroupBase
            outcome.rolledBackTxn = lastGroupTxn
            outcome.reason = (outcome.reason.map { $0 + "; " } ?? "") + "an uncommitted multi-partition group"
        }
        if keep < size {
            outcome.truncatedBytes = size - keep
            outcome.droppedFromOffset = nextOffset
            try file.truncate(to: keep)
            try file.sync()
        }

        // Rebuild the active indexes from the batches kept.
        var builder = IndexBuilder(baseOffset: baseOffset)
        for (position, summary) in batches where position < keep { _ = builder.add(summary, at: position) }
        let (offsetFile, timeFile) = try writeIndexes(builder, paths: paths, sync: false)
        outcome.rebuiltIndexes = true
        let segment = Segment(
            baseOffset: baseOffset, paths: paths, file: file,
            state: .init(size: keep, visibleSize: keep, nextOffset: nextOffset, maxTimestamp: builder.maxTimestamp,
                         openedAt: now,
                         active: .init(builder: builder, offsetFile: offsetFile, timeFile: timeFile)))
        return (segment, outcome)
    }

    /// Both indexes of a rolled segment, if they are present and agree with the segment.
    private static func validIndexes(paths: Segment.Paths, file: FileDescriptor, baseOffset: Int64, size: Int)
        throws(LogError) -> (offsets: [IndexEntry], maxTimestamp: Int64)?
    {
        guard FileSystem.exists(paths.offsetIndex), FileSystem.exists(paths.timeIndex),
            let offsets = SegmentIndex.decodeOffsets(try FileSystem.readAll(paths.offsetIndex)),
            let times = SegmentIndex.decodeTimes(try FileSystem.readAll(paths.timeIndex)),
            SegmentIndex.isConsistent(offsets, segmentSize: size), SegmentIndex.isConsistent(times)
        else { return nil }
        if size > 0 {
            // The last entry must point at a batch with the offset it claims.
            guard let last = offsets.last, offsets.first?.position == 0 else { return nil }
            let header = try file.read(count: BatchHeader.size, at: Int(last.position))
            guard let parsed = try? header.withRawBytes({ (raw) throws(LogError) in
                try BatchHeader.parse(raw, what: paths.log)
            }), parsed.baseOffset == baseOffset + Int64(last.relativeOffset)
            else { return nil }
            guard !times.isEmpty else { return nil }
        }
        return (offsets, times.last?.timestamp ?? -1)
    }

    @discardableResult
    static func writeIndexes(_ builder: IndexBuilder, paths: Segment.Paths, sync: Bool)
        throws(LogError) -> (FileDescriptor, FileDescriptor)
    {
        let offsetFile = try FileDescriptor(path: paths.offsetIndex, flags: O_RDWR | O_CREAT | O_TRUNC)
        let timeFile = try FileDescriptor(path: paths.timeIndex, flags: O_RDWR | O_CREAT | O_TRUNC)
        var times = builder.times
        if builder.maxTimestamp > (times.last?.timestamp ?? -1), let last = builder.offsets.last, sync {
            // A rolled segment's time index ends with its newest timestamp.
            times.append(TimeIndexEntry(timestamp: builder.maxTimestamp, relativeOffset: last.relativeOffset))
        }
        try offsetFile.write(SegmentIndex.encode(builder.offsets), at: 0)
        try timeFile.write(SegmentIndex.encode(times), at: 0)
        if sync {
            try offsetFile.sync()
            try timeFile.sync()
        }
        return (offsetFile, timeFile)
    }
}

extension BatchSummary {
    init(_ header: BatchHeader) {
        self.init(baseOffset: header.baseOffset, nextOffset: header.nextOffset, maxTimestamp: header.maxTimestamp)
    }
}
