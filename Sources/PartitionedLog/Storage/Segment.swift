import PosixFiles
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One segment: `<base>.log` with its `<base>.index` and `<base>.timeindex`, named by the base offset
/// (20 digits, so that names sort in offset order). The active segment keeps its sparse indexes in memory
/// (bounded by the segment size); rolled segments are immutable and searched on disk, so memory does not
/// grow with the log.
final class Segment: Sendable {
    struct Paths: Sendable {
        let log: String
        let offsetIndex: String
        let timeIndex: String

        init(log: String, offsetIndex: String, timeIndex: String) {
            self.log = log
            self.offsetIndex = offsetIndex
            self.timeIndex = timeIndex
        }

        init(directory: String, baseOffset: Int64) {
            let name = Segment.fileName(baseOffset)
            log = "\(directory)/\(name).log"
            offsetIndex = "\(directory)/\(name).index"
            timeIndex = "\(directory)/\(name).timeindex"
        }
    }

    /// The active segment's indexes, appended by the writer as batches land.
    struct ActiveIndex {
        var builder: IndexBuilder
        var offsetFile: FileDescriptor
        var timeFile: FileDescriptor
    }

    struct State {
        /// Bytes written.
        var size: Int
        /// Bytes readers may read: synced and, for multi-partition groups, decided.
        var visibleSize: Int
        /// Offset after the last written record.
        var nextOffset: Int64
        var maxTimestamp: Int64
        /// Wall-clock ms when the segment was created or (after a restart) reopened: for rolling by age.
        var openedAt: Int64
        var active: ActiveIndex?
    }

    let baseOffset: Int64
    let paths: Paths
    let file: FileDescriptor
    private let state: Mutex<State>

    init(baseOffset: Int64, paths: Paths, file: FileDescriptor, state: State) {
        self.baseOffset = baseOffset
        self.paths = paths
        self.file = file
        self.state = Mutex(state)
    }

    static func fileName(_ baseOffset: Int64) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Creates an empty active segment and makes its directory entry durable.
    static func create(directory: String, baseOffset: Int64, now: Int64) throws(LogError) -> Segment {
        let paths = Paths(directory: directory, baseOffset: baseOffset)
        let file = try FileDescriptor(path: paths.log, flags: O_RDWR | O_CREAT | O_TRUNC)
        let index = ActiveIndex(
            builder: IndexBuilder(baseOffset: baseOffset),
            offsetFile: try FileDescriptor(path: paths.offsetIndex, flags: O_RDWR | O_CREAT | O_TRUNC),
            timeFile: try FileDescriptor(path: paths.timeIndex, flags: O_RDWR | O_CREAT | O_TRUNC))
        try FileSystem.syncDirectory(directory)
        return Segment(
            baseOffset: baseOffset, paths: paths, file: file,
            state: State(size: 0, visibleSize: 0, nextOffset: baseOffset, maxTimestamp: -1, openedAt: now, active: index))
    }

    var snapshot: (visibleSize: Int, nextOffset: Int64, maxTimestamp: Int64, isActive: Bool) {
        state.withLock { ($0.visibleSize, $0.nextOffset, $0.maxTimestamp, $0.active != nil) }
    }

    var size: Int { state.withLock { $0.size } }
    var visibleSize: Int { state.withLock { $0.visibleSize } }
    var openedAt: Int64 { state.withLock { $0.openedAt } }

    // MARK: Writing (the partition's writer only)

    /// Writes encoded batches at the end and indexes them. Not yet visible to readers.
    func append(_ bytes: [UInt8], batches: [(position: Int, summary: BatchSummary)]) throws(LogError) {
        let start = state.withLock { $0.size }
        try file.write(bytes, at: start)
        let (offsetFile, timeFile, newOffsets, newTimes, offsetCount, timeCount) = state.withLock { state in
            var newOffsets: [IndexEntry] = []
            var newTimes: [TimeIndexEntry] = []
            let counts = (state.active?.builder.offsets.count ?? 0, state.active?.builder.times.count ?? 0)
            for (relativePosition, batch) in batches {
                state.nextOffset = batch.nextOffset
                state.maxTimestamp = max(state.maxTimestamp, batch.maxTimestamp)
                let (offsetEntry, timeEntry) = state.active?.builder.add(batch, at: start + relativePosition) ?? (nil, nil)
                if let offsetEntry { newOffsets.append(offsetEntry) }
                if let timeEntry { newTimes.append(timeEntry) }
            }
            state.size = start + bytes.count
            return (state.active?.offsetFile, state.active?.timeFile, newOffsets, newTimes, counts.0, counts.1)
        }
        if !newOffsets.isEmpty, let offsetFile {
            try offsetFile.write(SegmentIndex.encode(newOffsets), at: offsetCount * IndexEntry.size)
        }
        if !newTimes.isEmpty, let timeFile {
            try timeFile.write(SegmentIndex.encode(newTimes), at: timeCount * TimeIndexEntry.size)
        }
    }

    func sync() throws(LogError) { try file.sync() }

    /// The active segment's end, to cut back to (a streamed group's abort). Holds a copy of the in-memory
    /// index, which is bounded by the segment size.
    struct Checkpoint {
        var size: Int
        var nextOffset: Int64
        var maxTimestamp: Int64
        var index: IndexBuilder?
    }

    func checkpoint() -> Checkpoint {
        state.withLock { Checkpoint(size: $0.size, nextOffset: $0.nextOffset, maxTimestamp: $0.maxTimestamp, index: $0.active?.builder) }
    }

    /// Cuts everything written after `checkpoint` off the log file (synced) and the indexes. Only for bytes
    /// readers never saw: the partition's writer calls it for a streamed group that was aborted.
    func rollBack(to checkpoint: Checkpoint) throws(LogError) {
        let active = state.withLock { $0.active }
        try file.truncate(to: checkpoint.size)
        try file.sync()
        if let active, let index = checkpoint.index {
            // The active indexes are rebuilt at recovery anyway; they are cut so that appends continue them.
            try active.offsetFile.truncate(to: index.offsets.count * IndexEntry.size)
            try active.timeFile.truncate(to: index.times.count * TimeIndexEntry.size)
        }
        state.withLock { state in
            state.size = checkpoint.size
            state.visibleSize = min(state.visibleSize, checkpoint.size)
            state.nextOffset = checkpoint.nextOffset
            state.maxTimestamp = checkpoint.maxTimestamp
            if let index = checkpoint.index { state.active?.builder = index }
        }
    }

    /// Lets readers see everything written up to `size`.
    func makeVisible(upTo size: Int) {
        state.withLock { $0.visibleSize = max($0.visibleSize, size) }
    }

    /// Seals the segment: a final time-index entry, everything synced, the in-memory indexes dropped.
    func roll() throws(LogError) {
        let (active, maxTimestamp, lastRelative) = state.withLock {
            ($0.active, $0.maxTimestamp, UInt32(max(0, $0.nextOffset - 1 - baseOffset)))
        }
        guard let active else { return }
        if maxTimestamp > (active.builder.times.last?.timestamp ?? -1) {
            let final = TimeIndexEntry(timestamp: maxTimestamp, relativeOffset: lastRelative)
            try active.timeFile.write(SegmentIndex.encode([final]), at: active.builder.times.count * TimeIndexEntry.size)
        }
        try file.sync()
        try active.offsetFile.sync()
        try active.timeFile.sync()
        state.withLock { $0.active = nil }
    }

    // MARK: Reading

    /// Where to start scanning for the first record with a timestamp at or after `timestamp`: the batch of
    /// the last time-index entry whose running maximum is still below it (everything before is older).
    func position(forTimestamp timestamp: Int64) throws(LogError) -> Int {
        let times: [TimeIndexEntry]
        if let active = state.withLock({ $0.active?.builder.times }) {
            times = active
        } else if FileSystem.exists(paths.timeIndex), let stored = SegmentIndex.decodeTimes(try FileSystem.readAll(paths.timeIndex)) {
            times = stored
        } else {
            return 0
        }
        guard let entry = times.last(where: { $0.timestamp < timestamp }) else { return 0 }
        return try position(for: baseOffset + Int64(entry.relativeOffset))
    }

    /// Where to start scanning for `offset`: the sparse index's floor entry.
    func position(for offset: Int64) throws(LogError) -> Int {
        let relative = UInt32(clamping: max(0, offset - baseOffset))
        if let entries = state.withLock({ $0.active?.builder.offsets }) {
            return SegmentIndex.floorPosition(entries, relativeOffset: relative)
        }
        guard let index = try? FileDescriptor(path: paths.offsetIndex, flags: O_RDONLY) else { return 0 }
        return try SegmentIndex.floorPosition(file: index, relativeOffset: relative)
    }
}

/// What the writer and the indexes need to know of a batch.
struct BatchSummary {
    var baseOffset: Int64
    var nextOffset: Int64
    var maxTimestamp: Int64
}

/// Decides which batches get a sparse index entry: the writer and index rebuilds share it, so a rebuilt
/// index is the one the writer would have written.
struct IndexBuilder {
    let baseOffset: Int64
    var offsets: [IndexEntry] = []
    var times: [TimeIndexEntry] = []
    var maxTimestamp: Int64 = -1
    private var lastIndexedPosition = -LogLimits.indexIntervalBytes

    init(baseOffset: Int64) {
        self.baseOffset = baseOffset
    }

    mutating func add(_ batch: BatchSummary, at position: Int) -> (IndexEntry?, TimeIndexEntry?) {
        maxTimestamp = max(maxTimestamp, batch.maxTimestamp)
        guard position - lastIndexedPosition >= LogLimits.indexIntervalBytes else { return (nil, nil) }
        lastIndexedPosition = position
        let relative = UInt32(batch.baseOffset - baseOffset)
        let offsetEntry = IndexEntry(relativeOffset: relative, position: UInt32(position))
        offsets.append(offsetEntry)
        guard maxTimestamp > (times.last?.timestamp ?? -1) else { return (offsetEntry, nil) }
        let timeEntry = TimeIndexEntry(timestamp: maxTimestamp, relativeOffset: relative)
        times.append(timeEntry)
        return (offsetEntry, timeEntry)
    }
}
