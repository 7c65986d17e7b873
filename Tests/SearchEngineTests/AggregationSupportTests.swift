import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

/// Test scaffolding for the aggregation suites: a real index (SearchEngine → SearchIndex, apply + refresh)
/// filled with seeded random documents, and an `AggregationContext` whose `filter` evaluates `term` /
/// `match_all` queries through the segments' postings and whose `top_hits` returns ids.
final class AggregationFixture {
    struct Document {
        var id: String
        var timestamp: Int64?
        var category: String?
        var price: Double?
        var quantity: Int64?
        var user: String?
        var tags: [String]
        var flag: Bool?
    }

    let directory: String
    let engine: SearchEngine
    let index: SearchIndex
    private(set) var documents: [Document] = []

    static let mapping = #"""
        {"properties":{"ts":{"type":"date"},"category":{"type":"keyword"},"price":{"type":"double"},"quantity":{"type":"long"},
        "user":{"type":"keyword"},"tags":{"type":"keyword"},"flag":{"type":"boolean"},"title":{"type":"text"},
        "day":{"type":"date","format":"yyyy-MM-dd"}}}
        """#

    static let categories = ["books", "games", "garden", "kitchen", "music", "outdoor", "shoes", "sports", "tools", "toys", "video", "wine"]
    static let tagNames = ["red", "green", "blue", "sale", "new"]
    /// 2023-09-01T00:00:00Z ... 2024-06-30T00:00:00Z: both 2023-10-29 and 2024-03-31 London transitions inside.
    static let start: Int64 = 1_693_526_400_000
    static let end: Int64 = 1_719_705_600_000

    init(indexName: String = "aggs") throws {
        directory = NSTemporaryDirectory() + "aggregation-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        engine = try SearchEngine(directory: directory)
        index = try engine.createIndex(indexName, settings: nil, mappings: try Self.object(Self.mapping))
    }

    deinit {
        engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(Array(text.utf8)) else { throw SearchError.parsing("not an object") }
        return object
    }

    /// Seeded random documents, indexed in `batches` refreshes (one segment each, unless merged).
    @discardableResult
    func fill(count: Int, seed: UInt64, batches: Int = 3, users: Int = 500, missingEvery: Int = 17) -> [Document] {
        var random = AggregationRandom(seed: seed)
        var generated: [Document] = []
        for number in 0..<count {
            let missing = number % missingEvery == 5
            let tagCount = Int(random.next() % 3)
            generated.append(
                Document(
                    id: "d\(documents.count + number)",
                    timestamp: missing ? nil : Self.start + Int64(random.next() % UInt64(Self.end - Self.start)),
                    category: number % missingEvery == 7 ? nil : Self.categories[Int(random.next() % UInt64(Self.categories.count))],
                    price: missing ? nil : Double(random.next() % 100_000) / 100,
                    quantity: number % missingEvery == 9 ? nil : Int64(random.next() % 50) - 5,
                    user: "user-\(random.next() % UInt64(users))",
                    tags: (0..<tagCount).map { _ in Self.tagNames[Int(random.next() % UInt64(Self.tagNames.count))] },
                    flag: number % 3 == 0 ? nil : random.next() % 2 == 0))
        }
        let perBatch = (generated.count + batches - 1) / max(batches, 1)
        var start = 0
        while start < generated.count {
            let slice = generated[start..<min(start + perBatch, generated.count)]
            let results = index.apply(slice.map { DocumentOperation(id: $0.id, kind: .index(source: Array(Self.source($0).utf8))) }, consumed: [:])
            precondition(results.allSatisfy { $0.error == nil }, "indexing failed: \(results.compactMap(\.error))")
            index.refresh()
            start += perBatch
        }
        documents += generated
        return generated
    }

    static func source(_ document: Document) -> String {
        var members: [String] = []
        if let timestamp = document.timestamp { members.append(#""ts":\#(timestamp)"#) }
        if let category = document.category { members.append(#""category":"\#(category)""#) }
        if let price = document.price { members.append(#""price":\#(price)"#) }
        if let quantity = document.quantity { members.append(#""quantity":\#(quantity)"#) }
        if let user = document.user { members.append(#""user":"\#(user)""#) }
        if !document.tags.isEmpty { members.append(#""tags":[\#(document.tags.map { "\"\($0)\"" }.joined(separator: ","))]"#) }
        if let flag = document.flag { members.append(#""flag":\#(flag)"#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Applies deletes and refreshes.
    func delete(_ ids: [String]) {
        _ = index.apply(ids.map { DocumentOperation(id: $0, kind: .delete) }, consumed: [:])
        index.refresh()
        documents.removeAll { ids.contains($0.id) }
    }

    /// Every live document of every segment (match_all).
    func matchAll() -> [(snapshot: IndexSnapshot, segments: [SegmentMatches])] {
        let snapshot = index.snapshot()
        let segments = snapshot.segments.map { view -> SegmentMatches in
            let docs = (0..<Int32(view.segment.maxDoc)).filter { view.isLive($0) }
            return SegmentMatches(view: view, docs: docs, scores: [Float](repeating: 1, count: docs.count))
        }
        return [(snapshot, segments)]
    }

    /// The live documents matching `query` (only what `context` understands).
    func matching(_ query: JSONValue) throws -> [(snapshot: IndexSnapshot, segments: [SegmentMatches])] {
        let snapshot = index.snapshot()
        let matcher = try Self.context.filter(query)
        let segments = snapshot.segments.map { view -> SegmentMatches in
            let docs = matcher(snapshot, view)
            return SegmentMatches(view: view, docs: docs, scores: [Float](repeating: 1, count: docs.count))
        }
        return [(snapshot, segments)]
    }

    /// Parses `aggs` (JSON text) and runs it over `matches` (all documents by default).
    func run(_ aggs: String, matches: [(snapshot: IndexSnapshot, segments: [SegmentMatches])]? = nil, now: Int64 = AggregationFixture.end) throws -> JSONObject {
        let requests = try AggregationRequest.parse(try Self.object(aggs))
        var context = Self.context
        context.now = now
        return try AggregationExecutor.run(requests, matches: matches ?? matchAll(), context: context)
    }

    /// `term` on a keyword field (exact bytes) and `match_all`; anything else is a parsing error.
    static let context = AggregationContext(
        filter: { query throws(SearchError) in
            guard case .object(let object) = query, let (kind, body) = object.members.first else { throw .parsing("bad query") }
            switch (kind, body) {
            case ("match_all", _):
                return { _, view in (0..<Int32(view.segment.maxDoc)).filter { view.isLive($0) } }
            case ("term", .object(let term)):
                guard let (field, value) = term.members.first else { throw .parsing("bad term") }
                let text: String
                switch value {
                case .string(let string): text = string
                case .object(let inner): text = inner["value"]?.stringValue ?? ""
                default: text = value.jsonText
                }
                return { _, view in
                    guard let postings = view.segment.postings(field, Array(text.utf8)) else { return [] }
                    var iterator = postings.makeIterator()
                    var docs: [Int32] = []
                    while let doc = iterator.nextDoc() {
                        if view.isLive(doc) { docs.append(doc) }
                    }
                    return docs
                }
            default:
                throw .parsing("unknown query [\(kind)]")
            }
        },
        topHits: { body, matches throws(SearchError) in
            let size = Int(body["size"]?.aggregationNumber ?? 3)
            var ids: [JSONValue] = []
            var total = 0
            for (_, segment) in matches {
                total += segment.docs.count
                for doc in segment.docs where ids.count < size { ids.append(.string(segment.view.segment.id(doc))) }
            }
            return JSONObject([("hits", .object(JSONObject([("total", .integer(Int64(total))), ("ids", .array(ids))])))])
        },
        now: 0)
}

/// A seeded generator (AggregationRandom64), so every run indexes the same documents.
struct AggregationRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Reading responses in tests.
extension JSONObject {
    func aggObject(_ path: String) -> JSONObject? {
        var current: JSONObject? = self
        for part in path.split(separator: ".") { current = current?[String(part)]?.objectValue }
        return current
    }

    func aggBuckets(_ path: String) -> [JSONObject] {
        guard case .array(let values)? = aggObject(path)?["buckets"] else { return [] }
        return values.compactMap(\.objectValue)
    }
}

extension JSONValue {
    var aggInt: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var aggNumber: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

@Suite("Aggregation fixture")
struct AggregationSupportTests {
    @Test func fixtureIndexesEveryDocument() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 300, seed: 1)
        let matches = fixture.matchAll()
        #expect(matches[0].segments.reduce(0) { $0 + $1.docs.count } == 300)
        let books = try fixture.matching(.object(JSONObject([("term", .object(JSONObject([("category", .string("books"))])))])))
        #expect(books[0].segments.reduce(0) { $0 + $1.docs.count } == fixture.documents.filter { $0.category == "books" }.count)
    }
}
