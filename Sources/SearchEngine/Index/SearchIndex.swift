import Logging
import StreamProcessing
import Synchronization

/// One index: its settings and mapping, the single writer that applies document operations, and the
/// snapshot searches read.
///
/// Writes go to an in-memory `IndexingBuffer`; `refresh()` turns it into an immutable segment and publishes
/// a new `IndexSnapshot`; `commit()` writes every segment to a checksummed file and records them, with the
/// deletes, the mapping and the caller's source offsets, in an atomically renamed commit point. After a
/// crash the index reopens at its last commit and the caller replays its log from `committedOffsets`.
///
/// Locks: `writer` (the single writer's state) is held while applying operations, never while merging or
/// writing segment files; `published` (the snapshot, mapping and offsets readers see) only for a copy, so
/// searches never wait for writes; `io` serialises commits and segment flushes.
///
/// `apply`, `refresh`, `commit` and `deleteDocuments` are CPU-bound or do file I/O: call them from a thread
/// that may block, not from the cooperative pool.
public final class SearchIndex: Sendable {
    public let name: String
    public let uuid: String
    /// Epoch milliseconds.
    public let creationDate: Int64
    let settings: IndexSettings
    /// `<data>/indices/<uuid>`.
    let directory: String
    let logger: Logger

    let writer: Mutex<WriterState>
    let published: Mutex<Published>
    let io = Mutex(IOState())

    struct Published {
        var snapshot: IndexSnapshot
        var generation = 0
        var mapping: IndexMapping
        var applied: [String: Int64] = [:]
        var committed: [String: Int64] = [:]
    }

    struct IOState {
        /// Generation of the last commit point written.
        var commitGeneration = 0
        /// Files the last commit point references.
        var committedFiles: Set<String> = []
    }

    init(name: String, uuid: String, creationDate: Int64, settings: IndexSettings, directory: String, logger: Logger, state: WriterState, commitGeneration: Int, committedFiles: Set<String>) {
        self.name = name
        self.uuid = uuid
        self.creationDate = creationDate
        self.settings = settings
        self.directory = directory
        var logger = logger
        logger[metadataKey: "search.index"] = "\(name)"
        self.logger = logger
        let snapshot = IndexSnapshot(indexName: name, mapping: state.mapping, segments: state.segments.map(\.view))
        published = Mutex(Published(snapshot: snapshot, mapping: state.mapping, applied: state.applied, committed: state.committed))
        writer = Mutex(state)
        io.withLock {
            $0.commitGeneration = commitGeneration
            $0.committedFiles = committedFiles
        }
    }

    // MARK: Settings and mapping

    public var mapping: IndexMapping { published.withLock { $0.mapping } }
    public var maxResultWindow: Int { settings.maxResultWindow }
    /// nil when periodic refresh is disabled (`-1`).
    public var refreshInterval: Duration? { settings.refreshInterval }
    public var numberOfShards: Int { settings.numberOfShards }
    public var numberOfReplicas: Int { settings.numberOfReplicas }

    /// GET `<index>/_settings`, the `settings` object: `{"index":{...}}` with every value a string.
    public func settingsJSON() -> JSONObject { settings.json(name: name, uuid: uuid, creationDate: creationDate) }

    /// Put-mapping: merges `json` (a `mappings` object) into the mapping, refusing incompatible changes, and
    /// persists it at once (it is not in the caller's log).
    public func putMapping(_ json: JSONObject) throws(SearchError) {
        let update = try IndexMapping.parse(json)
        try writer.withLock { (state) throws(SearchError) in
            try state.checkOpen(name)
            var merged = state.mapping
            try merged.merge(update)
            guard merged != state.mapping else { return }
            state.mapping = merged
            state.mappingVersion += 1
            try writeMetadata(mapping: merged, mappingVersion: state.mappingVersion)
            published.withLock {
                $0.mapping = merged
                $0.snapshot = IndexSnapshot(indexName: name, mapping: merged, segments: $0.snapshot.segments)
            }
        }
    }

    // MARK: Reading

    /// The last published snapshot (cheap: no lock beyond a copy).
    public func snapshot() -> IndexSnapshot { published.withLock { $0.snapshot } }

    /// Increments with every refresh that published something new.
    public var generation: Int { published.withLock { $0.generation } }

    public var committedOffsets: [String: Int64] { published.withLock { $0.committed } }
    public var appliedOffsets: [String: Int64] { published.withLock { $0.applied } }

    /// The live document with this id, including writes not yet refreshed (GET `_doc` is realtime).
    public func get(_ id: String) -> StoredDocument? {
        writer.withLock { state in
            guard let current = state.findLive(id) else { return nil }
            return StoredDocument(id: id, source: state.source(of: current.location), version: current.version, seqNo: current.seqNo)
        }
    }

    /// `_cat/indices` numbers, as of the last refresh (store size: every segment the writer holds).
    public var stats: IndexStats {
        let snapshot = snapshot()
        let deleted = snapshot.segments.reduce(0) { $0 + ($1.liveDocs?.deletedCount ?? 0) }
        let store = writer.withLock { state in state.segments.reduce(Int64(0)) { $0 + Int64($1.segment.byteSize) } }
        return IndexStats(docsCount: snapshot.liveDocCount, docsDeleted: deleted, storeSizeBytes: store, segmentCount: snapshot.segments.count)
    }

    // MARK: Refresh

    /// Makes every applied write searchable: the buffer becomes a segment and a new snapshot is published
    /// (with current deletes). Cheap when nothing changed.
    public func refresh() {
        let heapBytes = writer.withLock { state -> Int in
            guard !state.closed else { return 0 }
            if state.unrefreshed || !state.buffer.isEmpty {
                do {
                    try state.moveBufferToSegment()
                } catch {
                    logger.error("refresh failed to build a segment", metadata: ["error": "\(error)"])
                    return 0
                }
                publish(&state)
            }
            return state.heapSegmentBytes
        }
        if heapBytes > SearchLimits.maxHeapSegmentBytes { flushHeapSegmentsLogging() }
    }

    /// Publishes the writer's segments and deletes as the new snapshot. Called with the writer lock held.
    func publish(_ state: inout WriterState) {
        state.unrefreshed = false
        state.lastRefresh = .now
        state.pruneTombstones()
        let snapshot = IndexSnapshot(indexName: name, mapping: state.mapping, segments: state.segments.map(\.view))
        published.withLock {
            $0.snapshot = snapshot
            $0.generation += 1
            $0.mapping = state.mapping
        }
    }

    /// Whether a periodic refresh is due (`refresh_interval` elapsed with unrefreshed writes).
    func refreshDue(now: ContinuousClock.Instant) -> Bool {
        guard let interval = settings.refreshInterval else { return false }
        return writer.withLock { state in !state.closed && state.unrefreshed && now - state.lastRefresh >= interval }
    }

    /// Stops the index: later writes fail, maintenance skips it. Snapshots already taken stay readable.
    func close() {
        writer.withLock { $0.closed = true }
    }
}

/// What `_cat/indices` and `_stats` show of an index.
public struct IndexStats: Sendable, Hashable {
    public var docsCount: Int
    public var docsDeleted: Int
    public var storeSizeBytes: Int64
    public var segmentCount: Int

    public init(docsCount: Int, docsDeleted: Int, storeSizeBytes: Int64, segmentCount: Int) {
        self.docsCount = docsCount
        self.docsDeleted = docsDeleted
        self.storeSizeBytes = storeSizeBytes
        self.segmentCount = segmentCount
    }
}
