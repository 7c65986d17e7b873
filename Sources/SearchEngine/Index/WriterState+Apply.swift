import StreamProcessing

/// Document operations with OpenSearch's results: versions, sequence numbers, optimistic concurrency,
/// partial updates with `detect_noop`, upserts, and the errors OpenSearch gives.
extension WriterState {
    enum Location {
        case buffer(Int32)
        case segment(Int, Int32)
    }

    struct Current {
        var location: Location
        var seqNo: Int64
        var version: Int64
    }

    /// The live document with this id: in the buffer, else in a segment (newest first).
    func findLive(_ id: String) -> Current? {
        if let doc = buffer.liveDoc(forID: id) {
            return Current(location: .buffer(doc), seqNo: buffer.seqNos[Int(doc)], version: buffer.versions[Int(doc)])
        }
        var id = id
        return id.withUTF8 { utf8 -> Current? in
            let bytes = UnsafeRawBufferPointer(utf8)
            for index in segments.indices.reversed() {
                let entry = segments[index]
                guard entry.segment.mightContain(id: bytes), let doc = entry.segment.liveDoc(forID: bytes, entry.liveDocs) else { continue }
                return Current(location: .segment(index, doc), seqNo: entry.segment.seqNo(doc), version: entry.segment.version(doc))
            }
            return nil
        }
    }

    func source(of location: Location) -> [UInt8] {
        switch location {
        case .buffer(let doc): return buffer.source(doc)
        case .segment(let index, let doc): return segments[index].segment.source(doc)
        }
    }

    mutating func delete(_ location: Location) {
        switch location {
        case .buffer(let doc): buffer.delete(doc)
        case .segment(let index, let doc): segments[index].delete(doc)
        }
    }

    mutating func apply(_ operation: DocumentOperation, index: String) -> DocumentResult {
        do throws(SearchError) {
            try Self.validate(operation)
            let current = findLive(operation.id)
            try checkConcurrency(operation, current, index: index)
            switch operation.kind {
            case .index(let source):
                return try write(id: operation.id, source: source, current: current)
            case .create(let source):
                if let current {
                    throw SearchError.versionConflict(index: index, id: operation.id, reason: "document already exists (current version [\(current.version)])")
                }
                return try write(id: operation.id, source: source, current: nil)
            case .update(let doc, let upsert, let docAsUpsert, let detectNoop):
                return try update(id: operation.id, doc: doc, upsert: upsert, docAsUpsert: docAsUpsert, detectNoop: detectNoop, current: current, index: index)
            case .delete:
                return delete(id: operation.id, current: current)
            }
        } catch {
            var error = error
            if error.index == nil { error.index = index }
            return DocumentResult(outcome: nil, error: error, version: -1, seqNo: -2, primaryTerm: 0)
        }
    }

    private static func validate(_ operation: DocumentOperation) throws(SearchError) {
        if operation.id.isEmpty {
            throw SearchError("action_request_validation_exception", "Validation Failed: 1: if _id is specified it must not be empty;")
        }
        let length = operation.id.utf8.count
        if length > SearchLimits.maxIDBytes {
            throw SearchError(
                "action_request_validation_exception",
                "Validation Failed: 1: id [\(operation.id)] is too long, must be no longer than \(SearchLimits.maxIDBytes) bytes but was: \(length);")
        }
        if case .create = operation.kind, operation.ifSeqNo != nil || operation.ifPrimaryTerm != nil {
            throw SearchError("action_request_validation_exception", "Validation Failed: 1: create operations do not support compare and set. use index instead;")
        }
    }

    private func checkConcurrency(_ operation: DocumentOperation, _ current: Current?, index: String) throws(SearchError) {
        guard operation.ifSeqNo != nil || operation.ifPrimaryTerm != nil else { return }
        let seqNo = operation.ifSeqNo ?? -2
        let term = operation.ifPrimaryTerm ?? 0
        if case .update = operation.kind, current == nil { return }  // update: document_missing_exception (or upsert) first
        guard let current else {
            throw SearchError.versionConflict(index: index, id: operation.id, reason: "required seqNo [\(seqNo)], primary term [\(term)]. but no document was found")
        }
        guard current.seqNo == seqNo, term == 1 else {
            throw SearchError.versionConflict(
                index: index, id: operation.id,
                reason: "required seqNo [\(seqNo)], primary term [\(term)]. current document has seqNo [\(current.seqNo)] and primary term [1]")
        }
    }

    /// Parses and indexes `source` as the new live version of `id`.
    private mutating func write(id: String, source: [UInt8], current: Current?) throws(SearchError) -> DocumentResult {
        let document = try parser.parse(id: id, source: source)
        if !document.dynamicMappings.isEmpty {
            var merged = mapping
            try merged.addDynamicMappings(document.dynamicMappings)
            if merged != mapping {
                mapping = merged
                mappingVersion += 1
            }
        }
        let version: Int64
        let outcome: DocumentResult.Outcome
        if let current {
            version = current.version + 1
            outcome = .updated
            delete(current.location)
        } else {
            version = (tombstones[id]?.version ?? 0) + 1
            outcome = .created
        }
        tombstones[id] = nil
        let seqNo = nextSeqNo
        nextSeqNo += 1
        _ = buffer.add(document, seqNo: seqNo, version: version)
        unrefreshed = true
        return DocumentResult(outcome: outcome, version: version, seqNo: seqNo)
    }

    private mutating func update(
        id: String, doc: [UInt8]?, upsert: [UInt8]?, docAsUpsert: Bool, detectNoop: Bool, current: Current?, index: String
    ) throws(SearchError) -> DocumentResult {
        guard let current else {
            if let upsert { return try write(id: id, source: upsert, current: nil) }
            if docAsUpsert, let doc { return try write(id: id, source: doc, current: nil) }
            throw SearchError.documentMissing(index: index, id: id)
        }
        guard let doc else { throw SearchError("action_request_validation_exception", "Validation Failed: 1: script or doc is missing;") }
        let changes = try SourceUpdate.object(doc)
        var merged = try SourceUpdate.object(source(of: current.location))
        let modified = SourceUpdate.merge(changes, into: &merged)
        if detectNoop, !modified {
            return DocumentResult(outcome: .noop, version: current.version, seqNo: current.seqNo)
        }
        return try write(id: id, source: SourceUpdate.bytes(merged), current: current)
    }

    private mutating func delete(id: String, current: Current?) -> DocumentResult {
        let seqNo = nextSeqNo
        nextSeqNo += 1
        unrefreshed = true
        guard let current else {
            let version = (tombstones[id]?.version ?? 0) + 1
            tombstones[id] = Tombstone(version: version, seqNo: seqNo, time: .now)
            return DocumentResult(outcome: .notFound, version: version, seqNo: seqNo)
        }
        delete(current.location)
        let version = current.version + 1
        tombstones[id] = Tombstone(version: version, seqNo: seqNo, time: .now)
        return DocumentResult(outcome: .deleted, version: version, seqNo: seqNo)
    }

    /// Deletes every live document whose id matches (each delete takes a sequence number, as a
    /// delete-by-query would). Returns how many.
    mutating func deleteDocuments(where predicate: (String) -> Bool) -> Int {
        var deleted = 0
        for (doc, id) in buffer.liveIDs() where predicate(id) {
            buffer.delete(doc)
            deleted += 1
        }
        for index in segments.indices {
            let segment = segments[index].segment
            for doc in 0..<Int32(segment.maxDoc) where segments[index].isLive(doc) && predicate(segment.id(doc)) {
                segments[index].delete(doc)
                deleted += 1
            }
        }
        nextSeqNo += Int64(deleted)
        if deleted > 0 { unrefreshed = true }
        return deleted
    }
}

extension Segment {
    /// The live doc with this id (a segment may hold older, deleted versions of it too).
    func liveDoc(forID id: UnsafeRawBufferPointer, _ liveDocs: LiveDocs?) -> Int32? {
        guard let info = inverted["_id"], let index = termIndex(info, id) else { return nil }
        var iterator = termPostings(info, index).iterator()
        var found: Int32?
        while let doc = iterator.nextDoc() {
            if liveDocs?.contains(doc) ?? true { found = doc }
        }
        return found
    }
}
