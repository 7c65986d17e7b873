/// The single writer's state, behind `SearchIndex.writer`.
struct WriterState {
    var mapping: IndexMapping {
        didSet { parser = DocumentParser(mapping: mapping) }
    }
    /// The parser compiled for `mapping`.
    private(set) var parser: DocumentParser
    /// Increments with every mapping change; the metadata file or the commit point with the higher one wins
    /// at recovery.
    var mappingVersion = 0
    var buffer = IndexingBuffer()
    /// Every segment, oldest first, with the writer's current deletes; includes segments not yet published.
    var segments: [SegmentEntry] = []
    var nextSeqNo: Int64 = 0
    var nextSegmentNumber = 0
    /// Recently deleted ids, so a re-index continues their `_version` (OpenSearch's delete tombstones).
    var tombstones: [String: Tombstone] = [:]
    var applied: [String: Int64] = [:]
    var committed: [String: Int64] = [:]
    /// Writes applied since the last publish.
    var unrefreshed = false
    var lastRefresh = ContinuousClock.now
    /// Segment names handed to flushes and merges whose files may exist before the segment joins `segments`.
    var reservedNames: Set<String> = []
    var closed = false

    init(mapping: IndexMapping) {
        self.mapping = mapping
        self.parser = DocumentParser(mapping: mapping)
    }

    struct Tombstone {
        var version: Int64
        var seqNo: Int64
        var time: ContinuousClock.Instant
    }

    func checkOpen(_ index: String) throws(SearchError) {
        if closed { throw .indexNotFound(index) }
    }

    mutating func allocateSegmentName() -> String {
        let name = "_" + String(nextSegmentNumber, radix: 36)
        nextSegmentNumber += 1
        reservedNames.insert(name)
        return name
    }

    /// Turns the buffer into an in-memory segment (not yet published).
    mutating func moveBufferToSegment() throws(SearchError) {
        guard !buffer.isEmpty else { return }
        let name = allocateSegmentName()
        defer { reservedNames.remove(name) }
        let (segment, liveDocs) = try buffer.makeSegment(name: name)
        segments.append(SegmentEntry(segment: segment, liveDocs: liveDocs))
        buffer = IndexingBuffer()
    }

    var heapSegmentBytes: Int {
        segments.reduce(0) { $0 + ($1.segment.isMapped ? 0 : $1.segment.byteSize) }
    }

    mutating func pruneTombstones() {
        guard !tombstones.isEmpty else { return }
        let oldest = ContinuousClock.now - SearchLimits.deleteTombstoneLifetime
        tombstones = tombstones.filter { $0.value.time >= oldest }
    }

    /// Segments are found by name: a flush replaces an entry's heap segment by its mapped twin (same name, same
    /// bytes, same doc ids) while a merge may hold the heap one.
    func index(ofSegment name: String) -> Int? {
        segments.firstIndex { $0.segment.name == name }
    }
}

/// A segment in the writer's list, with its current deletes and what of them a commit has persisted.
struct SegmentEntry {
    var segment: Segment
    var liveDocs: LiveDocs?
    /// Generation of the last `.del` file written for this segment (0: none).
    var delGen = 0
    /// Deleted count that `.del` file holds (deletes only grow, so a larger count means unpersisted deletes).
    var persistedDeletes = 0
    var merging = false

    init(segment: Segment, liveDocs: LiveDocs?, delGen: Int = 0) {
        self.segment = segment
        self.liveDocs = liveDocs
        self.delGen = delGen
        self.persistedDeletes = delGen > 0 ? liveDocs?.deletedCount ?? 0 : 0
    }

    var deletedCount: Int { liveDocs?.deletedCount ?? 0 }
    var view: SegmentView { SegmentView(segment: segment, liveDocs: liveDocs) }

    @inline(__always) func isLive(_ doc: Int32) -> Bool { liveDocs?.contains(doc) ?? true }

    /// Marks a doc deleted; false when it already was.
    @discardableResult
    mutating func delete(_ doc: Int32) -> Bool {
        if liveDocs == nil { liveDocs = LiveDocs(maxDoc: segment.maxDoc) }
        return liveDocs?.delete(doc) ?? false
    }
}
