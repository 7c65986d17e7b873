import Logging
import PosixFiles
import StreamProcessing
import Synchronization

/// Flushing segments to files and writing commit points.
extension SearchIndex {
    static let commitFile = "commit"
    static let commitMagic = "SCMT"
    static let metadataFile = "index.meta"
    static let metadataMagic = "SIDX"

    func segmentPath(_ name: String) -> String { directory + "/" + name + ".seg" }
    func deletesPath(_ name: String, generation: Int) -> String { directory + "/" + name + "_" + String(generation, radix: 36) + ".del" }

    /// Makes everything applied durable: the buffer becomes a segment, every heap segment is written to its
    /// file, changed deletes get new `.del` files, then the commit point (segments, deletes, next seqNo,
    /// mapping, applied offsets) replaces the old one atomically. Files no commit needs are removed.
    /// Does not change what searches see.
    ///
    /// What is committed is captured in one step under the writer lock — the buffer turned into a segment,
    /// the segments with their deletes, and the applied offsets — so the offsets never claim an operation
    /// that a concurrent `apply` left in the next buffer (the commit would then lose it after a crash).
    public func commit() throws(SearchError) {
        try io.withLock { (ioState) throws(SearchError) in
            var capture = try writer.withLock { (state) throws(SearchError) -> CommitCapture in
                try state.checkOpen(name)
                try state.moveBufferToSegment()
                return CommitCapture(state)
            }
            // The captured heap segments are immutable: write them without the writer lock. A merge may
            // have replaced one meanwhile; the commit still references it, so its file is written anyway.
            for position in capture.segments.indices where !capture.segments[position].segment.isMapped {
                let mapped = try writeSegmentFile(capture.segments[position].segment)
                capture.segments[position].segment = mapped
                writer.withLock { state in
                    if let index = state.index(ofSegment: mapped.name), !state.segments[index].segment.isMapped {
                        state.segments[index].segment = mapped
                    }
                }
            }
            let generation = ioState.commitGeneration + 1
            var records: [JSONValue] = []
            var files: Set<String> = [Self.metadataFile, Self.commitFile]
            var persisted: [(name: String, delGen: Int, deleted: Int)] = []
            for segment in capture.segments {
                var delGen = segment.delGen
                if segment.deleted != segment.persistedDeletes, let liveDocs = segment.liveDocs {
                    delGen = generation
                    try LiveDocsFile.write(liveDocs, maxDoc: segment.segment.maxDoc, to: deletesPath(segment.segment.name, generation: delGen), directory: directory)
                    persisted.append((segment.segment.name, delGen, segment.deleted))
                }
                files.insert(segment.segment.name + ".seg")
                if delGen > 0 { files.insert(segment.segment.name + "_" + String(delGen, radix: 36) + ".del") }
                records.append(.object(JSONObject([
                    ("name", .string(segment.segment.name)), ("max_doc", .integer(Int64(segment.segment.maxDoc))),
                    ("del_gen", .integer(Int64(delGen))), ("deleted", .integer(Int64(segment.deleted))),
                ])))
            }
            let point = JSONObject([
                ("generation", .integer(Int64(generation))), ("next_seq_no", .integer(capture.nextSeqNo)),
                ("next_segment", .integer(Int64(capture.nextSegmentNumber))), ("mapping_version", .integer(Int64(capture.mappingVersion))),
                ("mapping", .object(capture.mapping.json())), ("offsets", .object(JSONObject(capture.applied.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) }))),
                ("segments", .array(records)),
            ])
            try ChecksummedFile.writeJSON(magic: Self.commitMagic, point, to: directory + "/" + Self.commitFile, directory: directory)
            ioState.commitGeneration = generation
            ioState.committedFiles = files
            let live = writer.withLock { state -> Set<String> in
                for record in persisted {
                    guard let index = state.index(ofSegment: record.name) else { continue }
                    state.segments[index].delGen = record.delGen
                    // Deletes applied since the capture differ from this count: the next commit writes them.
                    state.segments[index].persistedDeletes = record.deleted
                }
                state.committed = capture.applied
                return Set(state.segments.map { $0.segment.name + ".seg" }).union(state.reservedNames.map { $0 + ".seg" })
            }
            published.withLock { $0.committed = capture.applied }
            removeUnreferencedFiles(keeping: files.union(live))
        }
    }

    /// Writes every heap segment to its file and swaps in the memory-mapped twin, so memory stays bounded.
    func flushHeapSegments() throws(SearchError) {
        try io.withLock { (_) throws(SearchError) in try flushHeapSegmentsLocked() }
    }

    func flushHeapSegmentsLogging() {
        do {
            try flushHeapSegments()
        } catch {
            logger.error("failed to flush segments", metadata: ["error": "\(error)"])
        }
    }

    /// With `io` held.
    private func flushHeapSegmentsLocked() throws(SearchError) {
        let heap = writer.withLock { state in state.segments.filter { !$0.segment.isMapped }.map(\.segment) }
        for segment in heap {
            let mapped = try writeSegmentFile(segment)
            writer.withLock { state in
                if let index = state.index(ofSegment: segment.name) { state.segments[index].segment = mapped }
            }
        }
    }

    /// Writes a heap segment's bytes to `<name>.seg` (temp file, fsync, rename, fsync of the directory) and
    /// reads it back memory-mapped, checking it again.
    private func writeSegmentFile(_ segment: Segment) throws(SearchError) -> Segment {
        let path = segmentPath(segment.name)
        let temporary = path + ".tmp"
        do {
            let file = try StorageFile(path: temporary, flags: O_WRONLY_CREATE_TRUNCATE)
            try file.write(segment.storage.bytes, at: 0)
            try file.fullSync()
        }
        try StorageFiles.rename(temporary, path)
        try StorageFiles.syncDirectory(directory)
        return try Segment(name: segment.name, path: path)
    }

    /// Removes segment, deletes and temp files that neither the last commit nor the writer needs. Snapshots
    /// still reading a removed segment keep its memory map.
    func removeUnreferencedFiles(keeping: Set<String>) {
        guard let names = try? StorageFiles.list(directory) else { return }
        for name in names where !keeping.contains(name) {
            let isTemp = name.hasSuffix(".tmp")
            let base = String(name.prefix { $0 != "." })
            if isTemp, keeping.contains(base + ".seg") { continue }  // a flush or merge in progress
            guard name.hasSuffix(".seg") || name.hasSuffix(".del") || isTemp else { continue }
            do {
                try StorageFiles.remove(directory + "/" + name)
            } catch {
                logger.warning("could not remove an unreferenced file", metadata: ["file": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// Writes `index.meta`: name, uuid, creation date, settings and mapping, atomically.
    func writeMetadata(mapping: IndexMapping, mappingVersion: Int) throws(SearchError) {
        try Self.writeMetadata(
            name: name, uuid: uuid, creationDate: creationDate, settings: settings, mapping: mapping, mappingVersion: mappingVersion, directory: directory)
    }

    static func writeMetadata(
        name: String, uuid: String, creationDate: Int64, settings: IndexSettings, mapping: IndexMapping, mappingVersion: Int, directory: String
    ) throws(SearchError) {
        let object = JSONObject([
            ("name", .string(name)), ("uuid", .string(uuid)), ("creation_date", .integer(creationDate)), ("settings", .object(settings.flatJSON)),
            ("mapping_version", .integer(Int64(mappingVersion))), ("mapping", .object(mapping.json())),
        ])
        try ChecksummedFile.writeJSON(magic: metadataMagic, object, to: directory + "/" + metadataFile, directory: directory)
    }
}

/// What a commit records, copied under the writer lock.
struct CommitCapture {
    struct Entry {
        var segment: Segment
        var liveDocs: LiveDocs?
        var delGen: Int
        var persistedDeletes: Int
        var deleted: Int
    }

    var segments: [Entry]
    var nextSeqNo: Int64
    var nextSegmentNumber: Int
    var mapping: IndexMapping
    var mappingVersion: Int
    var applied: [String: Int64]

    init(_ state: WriterState) {
        segments = state.segments.map {
            Entry(segment: $0.segment, liveDocs: $0.liveDocs, delGen: $0.delGen, persistedDeletes: $0.persistedDeletes, deleted: $0.deletedCount)
        }
        nextSeqNo = state.nextSeqNo
        nextSegmentNumber = state.nextSegmentNumber
        mapping = state.mapping
        mappingVersion = state.mappingVersion
        applied = state.applied
    }
}
