import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Search index writes")
struct SearchIndexTests {
    private func withIndex(_ body: (SearchEngine, SearchIndex) throws -> Void) throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let engine = try SearchEngine(directory: directory)
        let index = try engine.createIndex("test", settings: nil, mappings: nil)
        try body(engine, index)
    }

    private func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(Array(text.utf8)) else { throw SearchError.parsing("not an object") }
        return object
    }

    @Test func versionsAndSequenceNumbers() throws {
        try withIndex { _, index in
            let results = index.apply([
                DocumentOperation(id: "1", kind: .index(source: json(#"{"title":"hello world","n":5}"#))),
                DocumentOperation(id: "1", kind: .index(source: json(#"{"title":"hello again","n":6}"#))),
                DocumentOperation(id: "2", kind: .create(source: json(#"{"title":"second"}"#))),
                DocumentOperation(id: "1", kind: .delete),
                DocumentOperation(id: "1", kind: .delete),
                DocumentOperation(id: "9", kind: .delete),
                DocumentOperation(id: "1", kind: .index(source: json(#"{"title":"back"}"#))),
            ], consumed: ["log/0": 7])
            #expect(results.map { $0.outcome?.rawValue ?? "error" } == ["created", "updated", "created", "deleted", "not_found", "not_found", "created"])
            #expect(results.map(\.version) == [1, 2, 1, 3, 4, 1, 5])
            #expect(results.map(\.seqNo) == [0, 1, 2, 3, 4, 5, 6])
            #expect(results.map(\.status) == [201, 200, 201, 200, 404, 404, 201])
            #expect(index.appliedOffsets == ["log/0": 7])
            let got = try #require(index.get("1"))
            #expect(String(decoding: got.source, as: UTF8.self) == #"{"title":"back"}"#)
            #expect(got.version == 5 && got.seqNo == 6 && got.primaryTerm == 1)
            #expect(index.get("9") == nil)
        }
    }

    @Test func conflictsAndMissingDocuments() throws {
        try withIndex { _, index in
            _ = index.apply([DocumentOperation(id: "1", kind: .index(source: json(#"{"a":1}"#)))], consumed: [:])
            let results = index.apply([
                DocumentOperation(id: "1", kind: .create(source: json(#"{"a":2}"#))),
                DocumentOperation(id: "1", kind: .index(source: json(#"{"a":3}"#)), ifSeqNo: 5, ifPrimaryTerm: 1),
                DocumentOperation(id: "1", kind: .index(source: json(#"{"a":4}"#)), ifSeqNo: 0, ifPrimaryTerm: 1),
                DocumentOperation(id: "7", kind: .delete, ifSeqNo: 1, ifPrimaryTerm: 1),
                DocumentOperation(id: "8", kind: .update(doc: json(#"{"a":1}"#), upsert: nil, docAsUpsert: false, detectNoop: true)),
                DocumentOperation(id: "", kind: .index(source: json(#"{"a":1}"#))),
            ], consumed: [:])
            #expect(results[0].error?.type == "version_conflict_engine_exception")
            #expect(results[0].error?.reason == "[1]: version conflict, document already exists (current version [1])")
            #expect(results[0].status == 409)
            #expect(results[1].error?.reason == "[1]: version conflict, required seqNo [5], primary term [1]. current document has seqNo [0] and primary term [1]")
            #expect(results[2].outcome == .updated && results[2].seqNo == 1 && results[2].version == 2)
            #expect(results[3].error?.reason == "[7]: version conflict, required seqNo [1], primary term [1]. but no document was found")
            #expect(results[4].error?.type == "document_missing_exception" && results[4].status == 404)
            #expect(results[4].error?.reason == "[8]: document missing" && results[4].error?.index == "test")
            #expect(results[5].error?.type == "action_request_validation_exception")
            // Failures take no sequence number.
            let next = index.apply([DocumentOperation(id: "2", kind: .index(source: json("{}")))], consumed: [:])
            #expect(next[0].seqNo == 2)
        }
    }

    @Test func partialUpdatesNoopsAndUpserts() throws {
        try withIndex { _, index in
            _ = index.apply([DocumentOperation(id: "1", kind: .index(source: json(#"{"a":1,"o":{"x":1,"y":2}}"#)))], consumed: [:])
            let results = index.apply([
                DocumentOperation(id: "1", kind: .update(doc: json(#"{"o":{"y":3},"b":true}"#), upsert: nil, docAsUpsert: false, detectNoop: true)),
                DocumentOperation(id: "1", kind: .update(doc: json(#"{"o":{"y":3}}"#), upsert: nil, docAsUpsert: false, detectNoop: true)),
                DocumentOperation(id: "1", kind: .update(doc: json(#"{"o":{"y":3}}"#), upsert: nil, docAsUpsert: false, detectNoop: false)),
                DocumentOperation(id: "2", kind: .update(doc: json(#"{"a":1}"#), upsert: json(#"{"a":0}"#), docAsUpsert: false, detectNoop: true)),
                DocumentOperation(id: "3", kind: .update(doc: json(#"{"a":3}"#), upsert: nil, docAsUpsert: true, detectNoop: true)),
            ], consumed: [:])
            #expect(results.map { $0.outcome?.rawValue ?? "error" } == ["updated", "noop", "updated", "created", "created"])
            #expect(results[1].version == 2 && results[1].seqNo == 1)
            #expect(results[2].version == 3 && results[2].seqNo == 2)
            #expect(index.get("1").map { String(decoding: $0.source, as: UTF8.self) } == #"{"a":1,"o":{"x":1,"y":3},"b":true}"#)
            #expect(index.get("2").map { String(decoding: $0.source, as: UTF8.self) } == #"{"a":0}"#)
            #expect(index.get("3").map { String(decoding: $0.source, as: UTF8.self) } == #"{"a":3}"#)
        }
    }

    @Test func refreshPublishesAndDeletesShowAsLiveDocs() throws {
        try withIndex { _, index in
            _ = index.apply((0..<5).map { DocumentOperation(id: "\($0)", kind: .index(source: json(#"{"title":"doc number \#($0)"}"#))) }, consumed: [:])
            #expect(index.snapshot().liveDocCount == 0)
            #expect(index.get("3") != nil)  // realtime
            let generation = index.generation
            index.refresh()
            #expect(index.generation == generation + 1)
            let first = index.snapshot()
            #expect(first.liveDocCount == 5 && first.segments.count == 1)
            let segment = try #require(first.segments.first).segment
            #expect(StorageFixtures.docs(segment.postings("_id", Array("3".utf8))) == [3])
            #expect(StorageFixtures.docs(segment.postings("title", Array("number".utf8))).count == 5)
            #expect(first.mapping.field("title")?.type == .text)

            _ = index.apply([DocumentOperation(id: "3", kind: .delete), DocumentOperation(id: "4", kind: .index(source: json(#"{"title":"replaced"}"#)))], consumed: [:])
            #expect(index.snapshot().liveDocCount == 5)  // not yet visible
            index.refresh()
            let second = index.snapshot()
            #expect(second.liveDocCount == 4 && second.segments.count == 2)
            #expect(second.segments[0].liveDocs?.deletedCount == 2)
            #expect(second.segments[0].isLive(3) == false && second.segments[0].isLive(2))
            #expect(first.liveDocCount == 5)  // an older snapshot does not change
            #expect(index.stats.docsCount == 4 && index.stats.docsDeleted == 2 && index.stats.segmentCount == 2)
            index.refresh()
            #expect(index.generation == generation + 2)  // nothing new: no new generation
        }
    }

    @Test func dynamicMappingsAreMerged() throws {
        try withIndex { _, index in
            let results = index.apply([
                DocumentOperation(id: "1", kind: .index(source: json(#"{"count":5,"name":"x"}"#))),
                DocumentOperation(id: "2", kind: .index(source: json(#"{"count":"not a number"}"#))),
            ], consumed: [:])
            #expect(results[0].outcome == .created)
            #expect(index.mapping.field("count")?.type == .long)
            #expect(results[1].error?.type == "mapper_parsing_exception")
            #expect(results[1].status == 400)
        }
    }

    @Test func deleteDocumentsByID() throws {
        try withIndex { _, index in
            _ = index.apply((0..<10).map { DocumentOperation(id: "row-\($0)", kind: .index(source: json("{}"))) }, consumed: [:])
            index.refresh()
            _ = index.apply((10..<14).map { DocumentOperation(id: "row-\($0)", kind: .index(source: json("{}"))) }, consumed: [:])
            let deleted = index.deleteDocuments(where: { $0.hasSuffix("1") || $0.hasSuffix("3") }, consumed: ["t": 1])
            #expect(deleted == 4)  // row-1, row-3, row-11, row-13
            #expect(index.get("row-1") == nil && index.get("row-13") == nil && index.get("row-2") != nil)
            index.refresh()
            #expect(index.snapshot().liveDocCount == 10)
            let next = index.apply([DocumentOperation(id: "x", kind: .index(source: json("{}")))], consumed: [:])
            #expect(next[0].seqNo == 18)
        }
    }

    @Test func indexNamesAreValidatedAsOpenSearchDoes() throws {
        for (name, reason) in [
            ("Upper", "must be lowercase"), ("a b", "must not contain the following characters"), ("a#b", "must not contain '#'"),
            ("a:b", "must not contain ':'"), ("_a", "must not start with '_', '-', or '+'"), ("-a", "must not start"), ("+a", "must not start"),
            (".", "must not be '.' or '..'"), ("..", "must not be '.' or '..'"), (String(repeating: "a", count: 256), "index name is too long, (256 > 255)"),
            ("a/b", "must not contain"), ("a*", "must not contain"), ("", "must not be empty"),
        ] {
            let error = #expect(throws: SearchError.self) { try SearchEngine.validateIndexName(name) }
            #expect(error?.type == "invalid_index_name_exception")
            #expect(error?.reason.contains(reason) == true, "\(name): \(error?.reason ?? "")")
        }
        try SearchEngine.validateIndexName("logs-2024.01.01")
        try SearchEngine.validateIndexName(".hidden")
    }

    @Test func resolvingIndexExpressions() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let engine = try SearchEngine(directory: directory)
        for name in ["logs-a", "logs-b", "metrics"] { try engine.createIndex(name, settings: nil, mappings: nil) }
        #expect(throws: SearchError.self) { try engine.createIndex("metrics", settings: nil, mappings: nil) }
        #expect(try engine.resolve("_all").map(\.name) == ["logs-a", "logs-b", "metrics"])
        #expect(try engine.resolve("logs-*").map(\.name) == ["logs-a", "logs-b"])
        #expect(try engine.resolve("*,-logs-a").map(\.name) == ["logs-b", "metrics"])
        #expect(try engine.resolve("metrics,logs-b").map(\.name) == ["metrics", "logs-b"])
        #expect(try engine.resolve("nothing*", allowNoIndices: true).isEmpty)
        let missing = #expect(throws: SearchError.self) { try engine.resolve("nope") }
        #expect(missing?.type == "index_not_found_exception" && missing?.status == 404)
        #expect(throws: SearchError.self) { try engine.resolve("nothing*") }
        #expect(engine.indices.map(\.name) == ["logs-a", "logs-b", "metrics"])
        try engine.deleteIndex("logs-a")
        #expect(engine.index("logs-a") == nil)
        #expect(throws: SearchError.self) { try engine.deleteIndex("logs-a") }
    }

    @Test func settingsParseAndRender() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let engine = try SearchEngine(directory: directory)
        let nested = try engine.createIndex("nested", settings: try object(#"{"index":{"number_of_shards":3,"refresh_interval":"500ms"}}"#), mappings: nil)
        #expect(nested.numberOfShards == 3 && nested.refreshInterval == .milliseconds(500) && nested.maxResultWindow == 10_000)
        let flat = try engine.createIndex("flat", settings: try object(#"{"index.refresh_interval":"-1","index.max_result_window":50,"number_of_replicas":0}"#), mappings: nil)
        #expect(flat.refreshInterval == nil && flat.maxResultWindow == 50 && flat.numberOfReplicas == 0)
        let rendered = JSONValue.object(nested.settingsJSON()).jsonText
        #expect(rendered.hasPrefix(#"{"index":{"refresh_interval":"500ms","creation_date":"\#(nested.creationDate)","number_of_shards":"3","number_of_replicas":"1","uuid":"\#(nested.uuid)","version":{"created":"136327827"},"provided_name":"nested"}}"#))
        #expect(nested.uuid.count == 22)
        let bad = #expect(throws: SearchError.self) { try engine.createIndex("bad", settings: try object(#"{"refresh_interval":"soon"}"#), mappings: nil) }
        #expect(bad?.type == "illegal_argument_exception")
        #expect(throws: SearchError.self) { try engine.createIndex("bad", settings: try object(#"{"number_of_shards":0}"#), mappings: nil) }
    }

    @Test func indexingRate() throws {
        let directory = try StorageFixtures.temporaryDirectory()
        defer { StorageFixtures.remove(directory) }
        let engine = try SearchEngine(directory: directory)
        let mappings = try object(#"{"properties":{"tag":{"type":"keyword"},"body":{"type":"text"},"n":{"type":"long"},"at":{"type":"date"},"score":{"type":"double"}}}"#)
        let index = try engine.createIndex("rate", settings: nil, mappings: mappings)
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november"]
        let count = 100_000
        let operations = (0..<count).map { doc -> DocumentOperation in
            let body = (0..<8).map { words[(doc &* 7 &+ $0 &* 13) % words.count] }.joined(separator: " ")
            let source = #"{"tag":"t\#(doc % 50)","body":"\#(body)","n":\#(doc),"at":"2024-01-\#(String(format: "%02d", doc % 28 + 1))T10:00:00Z","score":\#(Double(doc) / 7)}"#
            return DocumentOperation(id: String(doc), kind: .index(source: Array(source.utf8)))
        }
        let start = ContinuousClock.now
        for batch in stride(from: 0, to: count, by: 1000) {
            let results = index.apply(Array(operations[batch..<min(count, batch + 1000)]), consumed: [:])
            #expect(results.allSatisfy { $0.outcome == .created })
        }
        index.refresh()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("indexing rate: \(Int(Double(count) / seconds)) docs/s (\(count) docs in \(elapsed), debug build, apply + refresh)")
        #expect(index.snapshot().liveDocCount == count)
        let snapshot = index.snapshot()
        let hits = snapshot.segments.reduce(0) { $0 + StorageFixtures.docs($1.segment.postings("tag", Array("t7".utf8))).count }
        #expect(hits == count / 50)
    }
}
