import Logging
import PosixFiles
import StreamProcessing

/// Creating an index directory, and reopening one at its last commit point.
extension SearchIndex {
    /// Creates `directory` with its metadata file (durable before this returns, so the index survives a
    /// crash before its first commit).
    static func create(
        name: String, uuid: String, creationDate: Int64, settings: IndexSettings, mapping: IndexMapping, directory: String, logger: Logger
    ) throws(SearchError) -> SearchIndex {
        try StorageFiles.makeDirectories(directory)
        try writeMetadata(name: name, uuid: uuid, creationDate: creationDate, settings: settings, mapping: mapping, mappingVersion: 0, directory: directory)
        return SearchIndex(
            name: name, uuid: uuid, creationDate: creationDate, settings: settings, directory: directory, logger: logger,
            state: WriterState(mapping: mapping), commitGeneration: 0, committedFiles: [])
    }

    /// Reopens an index directory: its metadata, its last commit point (segments checked, deletes loaded),
    /// and removes files the commit does not reference (segments written after it). The caller replays
    /// its log from `committedOffsets`.
    static func open(directory: String, logger: Logger) throws(SearchError) -> SearchIndex {
        let metadataPath = directory + "/" + metadataFile
        let metadata = try ChecksummedFile.readJSON(magic: metadataMagic, from: metadataPath)
        guard let name = metadata["name"]?.stringValue, let uuid = metadata["uuid"]?.stringValue, case .integer(let creationDate)? = metadata["creation_date"]
        else { throw .corruptIndex(file: metadataPath, "index metadata lacks name, uuid or creation date") }
        let settings = try IndexSettings.parse(metadata["settings"]?.objectValue)
        var mapping = try IndexMapping.parse(metadata["mapping"]?.objectValue ?? JSONObject())
        var mappingVersion = Int(integer(metadata["mapping_version"]) ?? 0)

        var state = WriterState(mapping: mapping)
        var generation = 0
        var files: Set<String> = [metadataFile, commitFile]
        let commitPath = directory + "/" + commitFile
        if StorageFiles.exists(commitPath) {
            let point = try ChecksummedFile.readJSON(magic: commitMagic, from: commitPath)
            generation = Int(integer(point["generation"]) ?? 0)
            state.nextSeqNo = integer(point["next_seq_no"]) ?? 0
            state.nextSegmentNumber = Int(integer(point["next_segment"]) ?? 0)
            let committedMappingVersion = Int(integer(point["mapping_version"]) ?? 0)
            if committedMappingVersion >= mappingVersion {
                mapping = try IndexMapping.parse(point["mapping"]?.objectValue ?? JSONObject())
                mappingVersion = committedMappingVersion
            }
            var offsets: [String: Int64] = [:]
            for (key, value) in point["offsets"]?.objectValue?.members ?? [] { offsets[key] = integer(value) }
            state.applied = offsets
            state.committed = offsets
            guard case .array(let records)? = point["segments"] else { throw .corruptIndex(file: commitPath, "commit point lacks its segment list") }
            for record in records {
                let entry = try openSegment(record, directory: directory, commitPath: commitPath)
                files.insert(entry.segment.name + ".seg")
                if entry.delGen > 0 { files.insert(entry.segment.name + "_" + String(entry.delGen, radix: 36) + ".del") }
                state.segments.append(entry)
            }
        }
        state.mapping = mapping
        state.mappingVersion = mappingVersion
        let index = SearchIndex(
            name: name, uuid: uuid, creationDate: creationDate, settings: settings, directory: directory, logger: logger, state: state,
            commitGeneration: generation, committedFiles: files)
        index.removeUnreferencedFiles(keeping: files)
        return index
    }

    private static func openSegment(_ record: JSONValue, directory: String, commitPath: String) throws(SearchError) -> SegmentEntry {
        guard let object = record.objectValue, let name = object["name"]?.stringValue, Self.isSegmentName(name),
            let maxDoc = integer(object["max_doc"]), let delGen = integer(object["del_gen"]), let deleted = integer(object["deleted"])
        else { throw .corruptIndex(file: commitPath, "commit point has a malformed segment entry") }
        let path = directory + "/" + name + ".seg"
        guard StorageFiles.exists(path) else { throw .corruptIndex(file: path, "segment file referenced by the commit point is missing") }
        let segment = try Segment(name: name, path: path)
        guard segment.maxDoc == Int(maxDoc) else { throw .corruptIndex(file: path, "segment has \(segment.maxDoc) docs, the commit point says \(maxDoc)") }
        var liveDocs: LiveDocs?
        if delGen > 0 {
            let deletesPath = directory + "/" + name + "_" + String(delGen, radix: 36) + ".del"
            let loaded = try LiveDocsFile.read(deletesPath, maxDoc: segment.maxDoc)
            guard loaded.deletedCount == Int(deleted) else { throw .corruptIndex(file: deletesPath, "deletes file holds \(loaded.deletedCount) deletes, the commit point says \(deleted)") }
            liveDocs = loaded
        }
        return SegmentEntry(segment: segment, liveDocs: liveDocs, delGen: Int(delGen))
    }

    /// `_` followed by base-36 digits: the only segment names the writer generates (never a path).
    static func isSegmentName(_ name: String) -> Bool {
        name.count > 1 && name.count < 16 && name.first == "_" && name.dropFirst().allSatisfy { $0.isASCII && ($0.isNumber || $0.isLowercase) }
    }

    private static func integer(_ value: JSONValue?) -> Int64? {
        if case .integer(let number)? = value { return number }
        return nil
    }
}
