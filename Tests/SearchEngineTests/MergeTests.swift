import Foundation
import Testing

@testable import SearchEngine

@Suite("Segment merges")
struct MergeTests {
    private func operations(_ range: Range<Int>, round: Int = 0) -> [DocumentOperation] {
        range.map { DocumentOperation(id: "\($0)", kind: .index(source: Array(#"{"title":"word\#($0 % 5) round\#(round)","n":\#($0),"tag":"t\#($0 % 3)"}"#.utf8))) }
    }

    /// Builds `segments` refreshed segments of 10 docs each (ids 0..<segments*10).
    private func makeIndex(_ directory: String, segments: Int) throws -> (SearchEngine, SearchIndex) {
        let engine = try SearchEngine(directory: directory)
        let index = try engine.createIndex("m", settings: nil, mappings: nil)
        for segment in 0..<segments {
            _ = index.apply(operations(segment * 10..<segment * 10 + 10), consumed: [:])
            index.refresh()
        }
        return (engine, index)
    }

    /// Every live document of a snapshot: id → (source, seqNo, version, n, tag), each id exactly once.
    private func contents(_ snapshot: IndexSnapshot) -> [String: String] {
        var result: [String: String] = [:]
        for view in snapshot.segments {
            let segment = view.segment
            for doc in 0..<Int32(segment.maxDoc) where view.isLive(doc) {
                let id = segment.id(doc)
                #expect(result[id] == nil, "id \(id) live twice")
                let tag = segment.sortedSetDocValues("tag.keyword").flatMap { column in column.firstOrdinal(doc).map { String(decoding: column.term(forOrdinal: $0), as: UTF8.self) } }
                result[id] = "\(String(decoding: segment.source(doc), as: UTF8.self)) seq=\(segment.seqNo(doc)) v=\(segment.version(doc)) n=\(segment.numericDocValues("n")?.values(doc) ?? []) tag=\(tag ?? "-")"
            }
        }
        return result
    }

    private func matching(_ snapshot: IndexSnapshot, _ field: String, _ term: String) -> [String] {
        snapshot.segments.flatMap { view in StorageFixtures.docs(view.segment.postings(field, Array(term.utf8))).filter(view.isLive).map { view.segment.id($0) } }.sorted()
    }

    @Test func policyChoosesTiersAndDeletes() {
        let small = (0..<10).map { MergePolicy.Candidate(name: "_\($0)", bytes: 1000 + $0, maxDoc: 10, deleted: 0) }
        #expect(MergePolicy.select(Array(small.prefix(9))) == nil)
        #expect(MergePolicy.select(small)?.count == 10)
        let mostlyDeleted = MergePolicy.Candidate(name: "_d", bytes: 50 << 20, maxDoc: 100, deleted: 40)
        #expect(MergePolicy.select([mostlyDeleted]) == ["_d"])
        let empty = MergePolicy.Candidate(name: "_e", bytes: 10, maxDoc: 5, deleted: 5)
        #expect(MergePolicy.select(small + [empty]) == ["_e"])
        let huge = MergePolicy.Candidate(name: "_h", bytes: SearchLimits.maxMergedSegmentBytes, maxDoc: 100, deleted: 50)
        #expect(MergePolicy.select([huge]) == nil)
    }

    @Test func mergesKeepEveryLiveDocumentOnce() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let (_, index) = try makeIndex(directory, segments: 12)
        _ = index.apply([DocumentOperation(id: "3", kind: .delete), DocumentOperation(id: "44", kind: .delete)] + operations(10..<15, round: 1), consumed: [:])
        index.refresh()
        let before = index.snapshot()
        let expected = contents(before)
        #expect(expected.count == 118)
        var merges = 0
        while index.maybeMerge() { merges += 1 }
        #expect(merges >= 1)
        index.refresh()
        let after = index.snapshot()
        #expect(after.segments.count < before.segments.count)
        #expect(contents(after) == expected)
        #expect(matching(after, "title", "round1") == (10..<15).map(String.init).sorted())
        #expect(matching(after, "title", "word3") == matching(before, "title", "word3"))
        #expect(matching(after, "_id", "44").isEmpty && matching(after, "_id", "45") == ["45"])
        #expect(index.get("12")?.version == 2 && index.get("3") == nil)
        let stats = try #require(after.segments.first?.segment.fieldStatistics("title"))
        #expect(stats.docCount > 0)
    }

    @Test func deletesDuringAMergeAreCarriedOver() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let (_, index) = try makeIndex(directory, segments: 10)
        let plan = try #require(index.planMerge())
        #expect(plan.sources.count == 10)
        #expect(index.planMerge() == nil)  // segments being merged are not chosen again
        _ = index.apply([DocumentOperation(id: "7", kind: .delete), DocumentOperation(id: "55", kind: .index(source: Array(#"{"title":"new"}"#.utf8)))], consumed: [:])
        #expect(index.executeMerge(plan))
        #expect(index.get("7") == nil)
        #expect(String(decoding: index.get("55")?.source ?? [], as: UTF8.self) == #"{"title":"new"}"#)
        index.refresh()
        let snapshot = index.snapshot()
        #expect(snapshot.liveDocCount == 99)
        #expect(matching(snapshot, "_id", "7").isEmpty && matching(snapshot, "_id", "55") == ["55"])
        #expect(contents(snapshot)["55"]?.contains("v=2") == true)
    }

    @Test func aSnapshotTakenBeforeAMergeStillReads() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let (_, index) = try makeIndex(directory, segments: 10)
        try index.commit()
        let old = index.snapshot()
        let expected = contents(old)
        while index.maybeMerge() {}
        try index.commit()  // removes the merged-away segment files
        let files = try FileManager.default.contentsOfDirectory(atPath: index.directory).filter { $0.hasSuffix(".seg") }
        #expect(files.count == 1)
        #expect(contents(old) == expected)
        #expect(matching(old, "title", "word2").count == 20)
    }

    @Test func mergedSegmentsSurviveReopening() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let expected: [String: String]
        do {
            let (_, index) = try makeIndex(directory, segments: 11)
            _ = index.apply([DocumentOperation(id: "20", kind: .delete)], consumed: ["k": 1])
            while index.maybeMerge() {}
            _ = index.apply([DocumentOperation(id: "21", kind: .delete)], consumed: ["k": 2])
            try index.commit()
            index.refresh()
            expected = contents(index.snapshot())
        }
        let index = try #require(try SearchEngine(directory: directory).index("m"))
        #expect(contents(index.snapshot()) == expected)
        #expect(index.committedOffsets == ["k": 2])
    }
}
