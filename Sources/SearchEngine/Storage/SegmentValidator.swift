/// Checks that every structure the meta block names lies inside the segment body and that every offset table
/// is ascending and ends where its bytes end — once, at open, so reads can trust the layout.
struct SegmentValidator {
    let bytes: UnsafeRawBufferPointer
    let dataEnd: Int
    let maxDoc: Int
    let file: String

    func range(_ at: Int, _ length: Int, _ what: String) throws(SearchError) {
        guard at >= SegmentFormat.headerSize, length >= 0, at <= dataEnd, length <= dataEnd - at else {
            throw .corruptIndex(file: file, "segment \(what) out of bounds")
        }
    }

    /// An offsets table of `count + 1` entries of width 4 or 8, ascending from 0 to `total`.
    func offsets(_ at: Int, count: Int, width: Int, total: Int, _ what: String) throws(SearchError) {
        try range(at, (count + 1) * width, what)
        var previous = 0
        for index in 0...count {
            let value = width == 8 ? Int(bytes.loadLE(UInt64.self, at: at + index * 8)) : Int(bytes.loadLE(UInt32.self, at: at + index * 4))
            guard value >= previous, value <= total, index > 0 || value == 0 else { throw .corruptIndex(file: file, "segment \(what) not ascending") }
            previous = value
        }
        guard previous == total else { throw .corruptIndex(file: file, "segment \(what) do not cover their bytes") }
    }

    mutating func validate(_ meta: SegmentMeta) throws(SearchError) {
        let stored = meta.stored
        try range(stored.sourceBytesAt, stored.sourceBytesLength, "sources")
        try offsets(stored.sourceOffsetsAt, count: maxDoc, width: 8, total: stored.sourceBytesLength, "source offsets")
        try range(stored.idBytesAt, stored.idBytesLength, "ids")
        try offsets(stored.idOffsetsAt, count: maxDoc, width: 4, total: stored.idBytesLength, "id offsets")
        try range(stored.seqNosAt, maxDoc * 8, "seqNo column")
        try range(stored.versionsAt, maxDoc * 8, "version column")
        guard stored.bloomBits == 0 || (stored.bloomBits >= 64 && stored.bloomBits.nonzeroBitCount == 1) else { throw .corruptIndex(file: file, "segment bloom size invalid") }
        try range(stored.bloomAt, stored.bloomBits / 8, "bloom filter")
        for field in meta.inverted { try validate(field) }
        for field in meta.numeric { try validate(field) }
        for field in meta.sortedSets { try validate(field) }
    }

    private func validate(_ field: InvertedFieldMeta) throws(SearchError) {
        let what = "field [\(field.name)]"
        try range(field.termBytesAt, field.termBytesLength, "\(what) terms")
        try offsets(field.termOffsetsAt, count: field.termCount, width: 4, total: field.termBytesLength, "\(what) term offsets")
        try range(field.termInfosAt, field.termCount * SegmentFormat.termInfoSize, "\(what) term infos")
        if field.normsAt != 0 { try range(field.normsAt, maxDoc, "\(what) norms") }
        for term in 0..<field.termCount {
            let info = field.termInfosAt + term * SegmentFormat.termInfoSize
            let offset = bytes.loadLE(UInt64.self, at: info)
            let docFreq = Int(bytes.loadLE(UInt32.self, at: info + 8))
            guard docFreq >= 1, docFreq <= maxDoc else { throw .corruptIndex(file: file, "segment \(what) docFreq \(docFreq) out of range") }
            let inline = !field.positions && docFreq == 1
            guard inline ? offset < UInt64(maxDoc) : (offset >= UInt64(SegmentFormat.headerSize) && offset < UInt64(dataEnd)) else {
                throw .corruptIndex(file: file, "segment \(what) postings offset out of range")
            }
        }
    }

    private func validate(_ field: NumericFieldMeta) throws(SearchError) {
        let what = "doc values [\(field.name)]"
        try range(field.valuesAt, field.valueCount * 8, what)
        if field.multiValued {
            try offsets(field.offsetsAt, count: maxDoc, width: 4, total: field.valueCount, "\(what) offsets")
        } else {
            guard field.valueCount == maxDoc else { throw .corruptIndex(file: file, "segment \(what) has \(field.valueCount) values for \(maxDoc) docs") }
        }
    }

    private func validate(_ field: SortedSetFieldMeta) throws(SearchError) {
        let what = "doc values [\(field.name)]"
        try range(field.termBytesAt, field.termBytesLength, "\(what) terms")
        try offsets(field.termOffsetsAt, count: field.termCount, width: 4, total: field.termBytesLength, "\(what) term offsets")
        try range(field.ordinalsAt, field.ordinalCount * 4, "\(what) ordinals")
        if field.multiValued {
            try offsets(field.offsetsAt, count: maxDoc, width: 4, total: field.ordinalCount, "\(what) offsets")
        } else {
            guard field.ordinalCount == maxDoc else { throw .corruptIndex(file: file, "segment \(what) has \(field.ordinalCount) ordinals for \(maxDoc) docs") }
        }
        for index in 0..<field.ordinalCount {
            let ordinal = Int(bytes.loadLE(Int32.self, at: field.ordinalsAt + index * 4))
            guard ordinal >= (field.multiValued ? 0 : -1), ordinal < field.termCount else { throw .corruptIndex(file: file, "segment \(what) ordinal out of range") }
        }
    }
}
