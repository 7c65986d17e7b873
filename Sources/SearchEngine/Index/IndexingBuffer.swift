/// Documents indexed since the last refresh, inverted in memory: per field a `TermHash` and flat token
/// arrays (term id, doc, and for text position and offsets), per doc-values field flat columns, and the
/// stored sources and ids. `encode` turns it into a segment (a counting sort groups tokens by term).
struct IndexingBuffer {
    private(set) var docCount: Int32 = 0
    /// id → latest doc with that id in the buffer (possibly deleted since).
    private(set) var docsByID: [String: Int32] = [:]
    private(set) var idBytes: [UInt8] = []
    private(set) var idStarts: [Int] = [0]
    private(set) var sourceBytes: [UInt8] = []
    private(set) var sourceStarts: [Int] = [0]
    private(set) var seqNos: [Int64] = []
    private(set) var versions: [Int64] = []
    /// Deleted buffered docs (replaced or deleted before the refresh), one bit per doc.
    private(set) var deleted: [UInt64] = []
    private(set) var deletedCount = 0

    private(set) var fields: [InvertedFieldBuffer] = []
    private var fieldIndex: [String: Int] = [:]
    private(set) var numerics: [NumericFieldBuffer] = []
    private var numericIndex: [String: Int] = [:]
    private(set) var keywords: [KeywordFieldBuffer] = []
    private var keywordIndex: [String: Int] = [:]

    /// Approximate bytes held, for `SearchLimits.indexingBufferBytes`.
    private(set) var byteSize = 0

    var isEmpty: Bool { docCount == 0 }

    /// Adds a parsed document; returns its doc id in the buffer.
    mutating func add(_ document: ParsedDocument, seqNo: Int64, version: Int64) -> Int32 {
        let doc = docCount
        docCount += 1
        if Int(doc) >> 6 >= deleted.count { deleted.append(0) }
        document.id.utf8.withContiguousStorageIfAvailable { idBytes.append(contentsOf: $0) } ?? idBytes.append(contentsOf: Array(document.id.utf8))
        idStarts.append(idBytes.count)
        docsByID[document.id] = doc
        sourceBytes += document.source
        sourceStarts.append(sourceBytes.count)
        seqNos.append(seqNo)
        versions.append(version)
        byteSize += 96 + document.id.utf8.count * 2 + document.source.count

        let idStart = idStarts[Int(doc)]
        let idEnd = idStarts[Int(doc) + 1]
        let idField = field(named: "_id", positions: false)
        byteSize += idBytes.withUnsafeBytes { raw in
            fields[idField].add(term: UnsafeRawBufferPointer(rebasing: raw[idStart..<idEnd]), doc: doc)
        }
        for indexed in document.indexedFields where !indexed.tokens.isEmpty {
            let index = field(named: indexed.name, positions: indexed.options == .positions)
            byteSize += fields[index].add(indexed, doc: doc)
        }
        for values in document.docValues {
            switch values.values {
            case .longs(let longs):
                byteSize += numerics[numeric(named: values.name)].add(longs, doc: doc)
            case .doubles(let doubles):
                byteSize += numerics[numeric(named: values.name)].add(doubles.map(SortableNumber.sortableBits), doc: doc)
            case .keywords(let terms):
                let index = keyword(named: values.name)
                for term in terms { byteSize += keywords[index].add(term, doc: doc) }
            }
        }
        return doc
    }

    /// Marks a buffered doc deleted; false when it already was.
    @discardableResult
    mutating func delete(_ doc: Int32) -> Bool {
        let bit: UInt64 = 1 << UInt64(doc & 63)
        guard deleted[Int(doc) >> 6] & bit == 0 else { return false }
        deleted[Int(doc) >> 6] |= bit
        deletedCount += 1
        return true
    }

    func isDeleted(_ doc: Int32) -> Bool { deleted[Int(doc) >> 6] & (1 << UInt64(doc & 63)) != 0 }

    /// The live buffered doc with this id.
    func liveDoc(forID id: String) -> Int32? {
        guard let doc = docsByID[id], !isDeleted(doc) else { return nil }
        return doc
    }

    func source(_ doc: Int32) -> [UInt8] { Array(sourceBytes[sourceStarts[Int(doc)]..<sourceStarts[Int(doc) + 1]]) }

    func id(_ doc: Int32) -> String { String(decoding: idBytes[idStarts[Int(doc)]..<idStarts[Int(doc) + 1]], as: UTF8.self) }

    /// The live docs' ids, in doc order.
    func liveIDs() -> [(doc: Int32, id: String)] {
        (0..<docCount).filter { !isDeleted($0) }.map { ($0, id($0)) }
    }

    private mutating func field(named name: String, positions: Bool) -> Int {
        if let index = fieldIndex[name] { return index }
        fields.append(InvertedFieldBuffer(name: name, positions: positions))
        fieldIndex[name] = fields.count - 1
        return fields.count - 1
    }

    private mutating func numeric(named name: String) -> Int {
        if let index = numericIndex[name] { return index }
        numerics.append(NumericFieldBuffer(name: name))
        numericIndex[name] = numerics.count - 1
        return numerics.count - 1
    }

    private mutating func keyword(named name: String) -> Int {
        if let index = keywordIndex[name] { return index }
        keywords.append(KeywordFieldBuffer(name: name))
        keywordIndex[name] = keywords.count - 1
        return keywords.count - 1
    }
}

/// One inverted field's tokens, in the order added (so doc-ascending per term).
struct InvertedFieldBuffer {
    let name: String
    let positions: Bool
    var terms = TermHash()
    var termIDs: [Int32] = []
    var docs: [Int32] = []
    /// Positions fields only.
    var tokenPositions: [Int32] = []
    var startOffsets: [Int32] = []
    var endOffsets: [Int32] = []
    /// Token count per doc (for norms), for positions fields; docs without the field are 0.
    var lengths: [Int32] = []
    var hasNorms = false

    init(name: String, positions: Bool) {
        self.name = name
        self.positions = positions
    }

    /// A single-token docs-only value (`_id`). Returns the bytes added.
    mutating func add(term: UnsafeRawBufferPointer, doc: Int32) -> Int {
        termIDs.append(terms.id(for: term))
        docs.append(doc)
        return 8 + term.count + 16
    }

    mutating func add(_ field: IndexedField, doc: Int32) -> Int {
        let before = terms.byteSize
        for token in field.tokens where token.term.count <= SearchLimits.maxTermBytes {
            termIDs.append(token.term.withUnsafeBytes { terms.id(for: $0) })
            docs.append(doc)
            if positions {
                tokenPositions.append(token.position)
                startOffsets.append(token.startOffset)
                endOffsets.append(token.endOffset)
            }
        }
        if field.hasNorms {
            hasNorms = true
            while lengths.count <= Int(doc) { lengths.append(0) }
            lengths[Int(doc)] += Int32(field.tokens.count)
        }
        return field.tokens.count * (positions ? 20 : 8) + (terms.byteSize - before)
    }
}

/// One numeric doc-values field: (doc, value) pairs, doc-ascending.
struct NumericFieldBuffer {
    let name: String
    var docs: [Int32] = []
    var values: [Int64] = []

    mutating func add(_ longs: [Int64], doc: Int32) -> Int {
        for value in longs {
            docs.append(doc)
            values.append(value)
        }
        return longs.count * 12
    }
}

/// One keyword doc-values field: (doc, term id) pairs, doc-ascending.
struct KeywordFieldBuffer {
    let name: String
    var terms = TermHash()
    var docs: [Int32] = []
    var termIDs: [Int32] = []

    mutating func add(_ term: TermBytes, doc: Int32) -> Int {
        let before = terms.byteSize
        termIDs.append(term.withUnsafeBytes { terms.id(for: $0) })
        docs.append(doc)
        return 8 + (terms.byteSize - before)
    }
}
