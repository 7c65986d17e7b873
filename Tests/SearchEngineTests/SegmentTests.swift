import Foundation
import Testing

@testable import SearchEngine

/// Shared fixtures of the storage and index tests.
enum StorageFixtures {
    /// A fresh directory under the system temp directory; remove it with `remove`.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "search-storage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func tokens(_ words: [String]) -> [Token] {
        var offset: Int32 = 0
        return words.enumerated().map { position, word in
            defer { offset += Int32(word.utf8.count) + 1 }
            return Token(term: Array(word.utf8), position: Int32(position), startOffset: offset, endOffset: offset + Int32(word.utf8.count))
        }
    }

    /// A hand-built parsed document (no parser): a text `body`, a keyword `tag` (+ doc values), a long `n`.
    static func document(_ id: String, body: [String], tags: [String], numbers: [Int64]) -> ParsedDocument {
        ParsedDocument(
            id: id, source: Array("{\"id\":\"\(id)\"}".utf8),
            indexedFields: [
                IndexedField(name: "body", options: .positions, tokens: tokens(body), hasNorms: true),
                IndexedField(name: "tag", options: .docs, tokens: tags.map { Token(term: Array($0.utf8), position: 0, startOffset: 0, endOffset: 0) }, hasNorms: false),
                IndexedField(name: "n", options: .docs, tokens: numbers.map { Token(term: SortableNumber.encode($0), position: 0, startOffset: 0, endOffset: 0) }, hasNorms: false),
            ],
            docValues: [
                DocValuesField(name: "tag", values: .keywords(tags.map { Array($0.utf8) })),
                DocValuesField(name: "n", values: .longs(numbers)),
            ])
    }

    static func docs(_ postings: (any Postings)?) -> [Int32] {
        guard let postings else { return [] }
        var iterator = postings.makeIterator()
        var docs: [Int32] = []
        while let doc = iterator.nextDoc() { docs.append(doc) }
        return docs
    }

    static func terms(_ segment: any SegmentReading, _ field: String) -> [String] {
        var iterator = segment.terms(field, from: nil)
        var terms: [String] = []
        while let (term, _) = iterator.next() { terms.append(String(decoding: term, as: UTF8.self)) }
        return terms
    }
}

@Suite("Segment format")
struct SegmentTests {
    private func sampleBuffer() -> IndexingBuffer {
        var buffer = IndexingBuffer()
        _ = buffer.add(StorageFixtures.document("a", body: ["the", "quick", "fox", "the"], tags: ["red"], numbers: [5]), seqNo: 0, version: 1)
        _ = buffer.add(StorageFixtures.document("b", body: ["lazy", "dog"], tags: ["blue", "red"], numbers: [9, 2]), seqNo: 1, version: 1)
        _ = buffer.add(StorageFixtures.document("c", body: [], tags: [], numbers: []), seqNo: 2, version: 3)
        return buffer
    }

    /// Everything a reader sees of the sample segment, as comparable values.
    private func describe(_ segment: Segment) -> [String] {
        var lines: [String] = ["maxDoc \(segment.maxDoc)"]
        for field in ["_id", "body", "tag", "n"] {
            lines.append("\(field) stats \(String(describing: segment.fieldStatistics(field)))")
            var iterator = segment.terms(field, from: nil)
            while let (term, postings) = iterator.next() {
                var walk = postings.makeIterator()
                var entries: [String] = []
                while let doc = walk.nextDoc() { entries.append("\(doc)x\(walk.freq)\(walk.positions().map { "@\($0.position):\($0.startOffset)-\($0.endOffset)" }.joined())") }
                lines.append("\(field) \(term) df=\(postings.docFreq) ttf=\(postings.totalTermFreq) \(entries)")
            }
        }
        for doc in Int32(0)..<Int32(segment.maxDoc) {
            let numbers = segment.numericDocValues("n")?.values(doc) ?? []
            let tags = (segment.sortedSetDocValues("tag")?.ordinals(doc) ?? []).map { String(decoding: segment.sortedSetDocValues("tag")?.term(forOrdinal: $0) ?? [], as: UTF8.self) }
            lines.append("doc \(doc) id=\(segment.id(doc)) seq=\(segment.seqNo(doc)) v=\(segment.version(doc)) len=\(segment.fieldLength("body", doc: doc)) n=\(numbers) tags=\(tags) src=\(String(decoding: segment.source(doc), as: UTF8.self))")
        }
        return lines
    }

    @Test func inMemoryAndFlushedSegmentsReadTheSame() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let (heap, _) = try sampleBuffer().makeSegment(name: "_0")
        let path = directory + "/_0.seg"
        try Data(UnsafeRawBufferPointer(heap.storage.bytes)).write(to: URL(fileURLWithPath: path))
        let mapped = try Segment(name: "_0", path: path)
        #expect(!heap.isMapped && mapped.isMapped)
        #expect(describe(heap) == describe(mapped))

        #expect(StorageFixtures.docs(mapped.postings("body", Array("the".utf8))) == [0])
        var the = try #require(mapped.postings("body", Array("the".utf8))).makeIterator()
        #expect(the.nextDoc() == 0 && the.freq == 2)
        #expect(the.positions().map(\.position) == [0, 3])
        #expect(the.positions().map(\.startOffset) == [0, 14])
        #expect(StorageFixtures.docs(mapped.postings("tag", Array("red".utf8))) == [0, 1])
        #expect(StorageFixtures.docs(mapped.postings("_id", Array("b".utf8))) == [1])
        #expect(StorageFixtures.docs(mapped.postings("n", SortableNumber.encode(Int64(2)))) == [1])
        #expect(mapped.postings("body", Array("cat".utf8)) == nil)
        #expect(mapped.fieldStatistics("body") == FieldStatistics(docCount: 2, sumTotalTermFreq: 6))
        #expect(mapped.fieldLength("body", doc: 0) == 4 && mapped.fieldLength("body", doc: 2) == 0)
        #expect(mapped.numericDocValues("n")?.values(1) == [2, 9])
        #expect(mapped.numericDocValues("n")?.first(2) == nil)
        let tags = try #require(mapped.sortedSetDocValues("tag"))
        #expect(tags.valueCount == 2 && tags.ordinals(1) == [0, 1] && tags.ordinal(of: Array("red".utf8)) == 1 && tags.firstOrdinal(2) == nil)
        #expect(mapped.doc(forID: "c") == 2 && mapped.doc(forID: "zz") == nil)
        #expect(mapped.version(2) == 3 && mapped.seqNo(1) == 1)
        #expect(StorageFixtures.terms(mapped, "body") == ["dog", "fox", "lazy", "quick", "the"])
        var fromL = mapped.terms("body", from: Array("l".utf8))
        #expect(fromL.next().map { String(decoding: $0.term, as: UTF8.self) } == "lazy")
    }

    @Test func skipListsAdvanceLikeALinearScan() throws {
        var buffer = IndexingBuffer()
        for doc in 0..<1000 {
            var words = ["all"]
            if doc % 3 == 0 { words.append("three") }
            if doc % 7 == 0 { words += ["seven", "seven"] }
            _ = buffer.add(StorageFixtures.document("d\(doc)", body: words, tags: doc % 2 == 0 ? ["even"] : ["odd"], numbers: [Int64(doc)]), seqNo: Int64(doc), version: 1)
        }
        let (segment, _) = try buffer.makeSegment(name: "_1")
        for (field, term) in [("body", "three"), ("body", "seven"), ("tag", "even"), ("body", "all")] {
            let expected = StorageFixtures.docs(segment.postings(field, Array(term.utf8)))
            for target in stride(from: Int32(0), to: 1010, by: 37) {
                var iterator = try #require(segment.postings(field, Array(term.utf8))).makeIterator()
                _ = iterator.nextDoc()
                let advanced = iterator.advance(to: target)
                #expect(advanced == expected.first { $0 >= target }, "\(field):\(term) advance(\(target))")
                if let advanced, term == "seven" {
                    #expect(iterator.freq == 2 && iterator.positions().count == 2 && advanced % 7 == 0)
                }
                if let advanced {
                    #expect(iterator.nextDoc() == expected.first { $0 > advanced })
                }
            }
        }
    }

    @Test func aCorruptedByteIsDetected() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let (heap, _) = try sampleBuffer().makeSegment(name: "_0")
        var bytes = [UInt8](heap.storage.bytes)
        for position in [20, bytes.count / 2, bytes.count - 30] {
            var corrupted = bytes
            corrupted[position] ^= 0x5A
            let path = directory + "/_0.seg"
            try Data(corrupted).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: SearchError.self) { try Segment(name: "_0", path: path) }
            #expect(error?.type == "corrupt_index_exception")
            #expect(error?.reason.contains(path) == true)
        }
        bytes.removeLast(10)
        let truncated = directory + "/_1.seg"
        try Data(bytes).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: SearchError.self) { try Segment(name: "_1", path: truncated) }
    }

    @Test func normsUseLuceneSmallFloat() {
        #expect(SmallFloat.numFreeValues == 24)
        for length in Int32(0)..<40 where length < 24 { #expect(SmallFloat.byte4ToInt(SmallFloat.intToByte4(length)) == length) }
        // Lucene: lengths above 24 keep 4 significant bits (rounded down).
        #expect(SmallFloat.byte4ToInt(SmallFloat.intToByte4(100)) == 96)
        #expect(SmallFloat.byte4ToInt(SmallFloat.intToByte4(1000)) == 984)
        var previous: Int32 = -1
        for byte in 0...255 {
            let decoded = SmallFloat.byte4ToInt(UInt8(byte))
            #expect(decoded > previous)
            previous = decoded
        }
    }

    @Test func bufferDeletesBecomeLiveDocs() throws {
        var buffer = sampleBuffer()
        buffer.delete(1)
        let (segment, liveDocs) = try buffer.makeSegment(name: "_2")
        #expect(segment.maxDoc == 3)
        #expect(liveDocs?.deletedCount == 1 && liveDocs?.contains(1) == false && liveDocs?.contains(0) == true)
    }
}
