import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Commit points and recovery")
struct RecoveryTests {
    private func writes(_ count: Range<Int>, prefix: String = "") -> [DocumentOperation] {
        count.map { DocumentOperation(id: "\(prefix)\($0)", kind: .index(source: Array(#"{"title":"document \#($0)","n":\#($0)}"#.utf8))) }
    }

    private func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(Array(text.utf8)) else { throw SearchError.parsing("not an object") }
        return object
    }

    private func liveIDs(_ index: SearchIndex) -> [String] {
        index.snapshot().segments.flatMap { view in (0..<Int32(view.segment.maxDoc)).filter(view.isLive).map { view.segment.id($0) } }.sorted()
    }

    @Test func reopeningGivesTheLastCommitExactly() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        do {
            let engine = try SearchEngine(directory: directory)
            let index = try engine.createIndex("books", settings: nil, mappings: nil)
            _ = index.apply(writes(0..<20), consumed: ["p0": 20])
            index.refresh()
            _ = index.apply([DocumentOperation(id: "3", kind: .delete), DocumentOperation(id: "4", kind: .index(source: Array(#"{"title":"four"}"#.utf8)))], consumed: ["p0": 22, "p1": 1])
            try index.commit()
            #expect(index.committedOffsets == ["p0": 22, "p1": 1])
            // Written after the commit: lost in the crash, replayed from the log by the caller.
            _ = index.apply(writes(20..<30), consumed: ["p0": 32])
            index.refresh()
            _ = index.apply([DocumentOperation(id: "5", kind: .delete)], consumed: ["p0": 33])
            try index.flushHeapSegments()
        }
        let engine = try SearchEngine(directory: directory)
        let index = try #require(engine.index("books"))
        #expect(index.committedOffsets == ["p0": 22, "p1": 1] && index.appliedOffsets == ["p0": 22, "p1": 1])
        #expect(liveIDs(index) == (0..<20).filter { $0 != 3 }.map(String.init).sorted())
        #expect(index.get("5") != nil && index.get("3") == nil && index.get("25") == nil)
        let four = try #require(index.get("4"))
        #expect(String(decoding: four.source, as: UTF8.self) == #"{"title":"four"}"#)
        #expect(four.version == 2 && four.seqNo == 21)
        #expect(index.mapping.field("n")?.type == .long)
        // Sequence numbers continue from the commit; replay gives the same results as before the crash.
        let replay = index.apply(writes(20..<30), consumed: ["p0": 32])
        #expect(replay.first?.seqNo == 22 && replay.allSatisfy { $0.outcome == .created })
        // Files of the lost segments were removed.
        let files = try FileManager.default.contentsOfDirectory(atPath: index.directory).filter { $0.hasSuffix(".seg") }
        #expect(files.count == 2)
    }

    @Test func anIndexExistsBeforeItsFirstCommit() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let (uuid, created): (String, Int64)
        do {
            let engine = try SearchEngine(directory: directory)
            let index = try engine.createIndex(
                "fresh", settings: try object(#"{"index":{"refresh_interval":"2s","number_of_shards":2}}"#), mappings: try object(#"{"properties":{"tag":{"type":"keyword"}}}"#))
            (uuid, created) = (index.uuid, index.creationDate)
            _ = index.apply(writes(0..<3), consumed: ["p": 3])
            try index.putMapping(try object(#"{"properties":{"extra":{"type":"long"}}}"#))
        }
        let engine = try SearchEngine(directory: directory)
        let index = try #require(engine.index("fresh"))
        #expect(index.uuid == uuid && index.creationDate == created)
        #expect(index.refreshInterval == .seconds(2) && index.numberOfShards == 2)
        #expect(index.mapping.field("tag")?.type == .keyword && index.mapping.field("extra")?.type == .long)
        #expect(index.committedOffsets.isEmpty && index.get("1") == nil)
    }

    @Test func deletesArePersistedPerCommit() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        do {
            let engine = try SearchEngine(directory: directory)
            let index = try engine.createIndex("d", settings: nil, mappings: nil)
            _ = index.apply(writes(0..<10), consumed: [:])
            try index.commit()
            _ = index.apply([DocumentOperation(id: "1", kind: .delete)], consumed: [:])
            try index.commit()
            _ = index.apply([DocumentOperation(id: "2", kind: .delete)], consumed: [:])
            try index.commit()
            let deletes = try FileManager.default.contentsOfDirectory(atPath: index.directory).filter { $0.hasSuffix(".del") }
            #expect(deletes.count == 1)  // the older generation was removed
        }
        let index = try #require(try SearchEngine(directory: directory).index("d"))
        #expect(liveIDs(index) == ["0", "3", "4", "5", "6", "7", "8", "9"])
    }

    @Test func aCopyTakenMidWriteRecoversToTheCommit() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        let copy = try StorageFixtures.temporaryDirectory()
        defer {
            StorageFixtures.remove(directory)
            StorageFixtures.remove(copy)
        }
        let engine = try SearchEngine(directory: directory)
        let index = try engine.createIndex("w", settings: nil, mappings: nil)
        _ = index.apply(writes(0..<50), consumed: ["x": 50])
        try index.commit()
        _ = index.apply(writes(50..<80), consumed: ["x": 80])
        index.refresh()
        try index.flushHeapSegments()
        // A torn temp file, as a crash during the next commit would leave.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: index.directory + "/commit.tmp"))
        try Data([9, 9]).write(to: URL(fileURLWithPath: index.directory + "/_z.seg.tmp"))
        try FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: directory, toPath: copy)

        let recovered = try #require(try SearchEngine(directory: copy).index("w"))
        #expect(recovered.committedOffsets == ["x": 50])
        #expect(liveIDs(recovered).count == 50 && recovered.get("60") == nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: recovered.directory).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func corruptFilesAreRefusedNamingTheFile() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let indexDirectory: String
        do {
            let engine = try SearchEngine(directory: directory)
            let index = try engine.createIndex("c", settings: nil, mappings: nil)
            _ = index.apply(writes(0..<10), consumed: [:])
            try index.commit()
            indexDirectory = index.directory
        }
        let commit = indexDirectory + "/commit"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: commit)))
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: commit))
        do {
            _ = try SearchEngine(directory: directory)
            Issue.record("a corrupt commit point was accepted")
        } catch let error as SearchError {
            #expect(error.type == "corrupt_index_exception" && error.reason.contains(commit))
        }
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: commit))
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: indexDirectory).first { $0.hasSuffix(".seg") })
        let segmentPath = indexDirectory + "/" + segment
        var segmentBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segmentPath)))
        segmentBytes[segmentBytes.count / 3] ^= 0x80
        try Data(segmentBytes).write(to: URL(fileURLWithPath: segmentPath))
        do {
            _ = try SearchEngine(directory: directory)
            Issue.record("a corrupt segment was accepted")
        } catch let error as SearchError {
            #expect(error.type == "corrupt_index_exception" && error.reason.contains(segmentPath))
        }
    }

    @Test func deletedIndicesStayDeleted() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        do {
            let engine = try SearchEngine(directory: directory)
            try engine.createIndex("gone", settings: nil, mappings: nil)
            let kept = try engine.createIndex("kept", settings: nil, mappings: nil)
            try engine.deleteIndex("gone")
            // A delete interrupted after its rename.
            let interrupted = try engine.createIndex("interrupted", settings: nil, mappings: nil)
            try FileManager.default.moveItem(atPath: interrupted.directory, toPath: interrupted.directory + ".deleted")
            #expect(kept.directory.hasPrefix(directory + "/indices/"))
        }
        let engine = try SearchEngine(directory: directory)
        #expect(engine.indices.map(\.name) == ["kept"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/indices").count == 1)
        try engine.createIndex("gone", settings: nil, mappings: nil)
    }

    @Test func maintenanceRefreshesOnTheInterval() async throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let engine = try SearchEngine(directory: directory)
        let index = try engine.createIndex("timed", settings: try object(#"{"refresh_interval":"100ms"}"#), mappings: nil)
        let manual = try engine.createIndex("manual", settings: try object(#"{"refresh_interval":"-1"}"#), mappings: nil)
        let maintenance = Task { await engine.runMaintenance() }
        _ = index.apply(writes(0..<5), consumed: [:])
        _ = manual.apply(writes(0..<5), consumed: [:])
        // A generous deadline: the loop ends as soon as the refresh shows; parallel suites on 2 cores can keep
        // the cooperative pool busy for seconds.
        let deadline = ContinuousClock.now + .seconds(60)
        while index.snapshot().liveDocCount < 5, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(index.snapshot().liveDocCount == 5)
        #expect(manual.snapshot().liveDocCount == 0)
        maintenance.cancel()
        await maintenance.value
    }
}
