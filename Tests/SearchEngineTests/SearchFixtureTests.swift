import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

/// A throwaway engine in a temp directory with indices filled through the real write path
/// (`SearchIndex.apply` + `refresh`): each `segments` batch becomes its own segment.
final class SearchFixture {
    let directory: String
    let engine: SearchEngine

    init() throws {
        directory = NSTemporaryDirectory() + "search-query-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        engine = try SearchEngine(directory: directory)
    }

    deinit {
        engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Creates `name` with `mappings` (JSON of the `mappings` object, nil for dynamic) and indexes each batch
    /// of `(id, source)` as one refreshed segment.
    @discardableResult
    func index(_ name: String, mappings: String? = nil, settings: String? = nil, segments: [[(String, String)]]) throws -> SearchIndex {
        let index = try engine.createIndex(name, settings: try settings.map(Self.object), mappings: try mappings.map(Self.object))
        for batch in segments {
            let results = index.apply(batch.map { DocumentOperation(id: $0.0, kind: .index(source: Array($0.1.utf8))) }, consumed: [:])
            for result in results where result.error != nil { throw result.error ?? SearchError.parsing("write failed") }
            index.refresh()
        }
        return index
    }

    func delete(_ ids: [String], from name: String) throws {
        let index = try #require(engine.index(name))
        _ = index.apply(ids.map { DocumentOperation(id: $0, kind: .delete) }, consumed: [:])
        index.refresh()
    }

    func snapshots(_ names: [String]) throws -> [IndexSnapshot] {
        try names.map { name in try #require(engine.index(name)).snapshot() }
    }

    func search(_ body: String?, parameters: [String: String] = [:], indices: [String] = ["test"]) throws -> JSONObject {
        let request = try SearchRequest.parse(body: try body.map(Self.object), parameters: parameters)
        return try SearchExecutor.search(request, over: try snapshots(indices))
    }

    /// The `_id`s of the hits, in order.
    func ids(_ body: String?, parameters: [String: String] = [:], indices: [String] = ["test"]) throws -> [String] {
        Self.hits(try search(body, parameters: parameters, indices: indices)).compactMap { $0["_id"]?.stringValue }
    }

    /// The ids as a set (for queries whose order is not the point).
    func idSet(_ body: String?, indices: [String] = ["test"]) throws -> Set<String> {
        Set(try ids(body, indices: indices))
    }

    /// The error a search throws.
    func error(_ body: String?, parameters: [String: String] = [:], indices: [String] = ["test"]) -> SearchError? {
        do {
            _ = try search(body, parameters: parameters, indices: indices)
            return nil
        } catch let error as SearchError {
            return error
        } catch {
            return nil
        }
    }

    static func hits(_ response: JSONObject) -> [JSONObject] {
        guard case .object(let hits)? = response["hits"], case .array(let list)? = hits["hits"] else { return [] }
        return list.compactMap(\.objectValue)
    }

    static func scores(_ response: JSONObject) -> [Float] {
        hits(response).map { hit in
            switch hit["_score"] {
            case .double(let value)?: Float(value)
            case .integer(let value)?: Float(value)
            default: .nan
            }
        }
    }

    static func total(_ response: JSONObject) -> (value: Int64, relation: String)? {
        guard case .object(let hits)? = response["hits"], case .object(let total)? = hits["total"],
            case .integer(let value)? = total["value"], let relation = total["relation"]?.stringValue
        else { return nil }
        return (value, relation)
    }

    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(Array(text.utf8)) else { throw SearchError.parsing("not an object: \(text)") }
        return object
    }
}

@Suite("Search fixture")
struct SearchFixtureTests {
    @Test func segmentsAreBuiltPerBatch() throws {
        let fixture = try SearchFixture()
        let index = try fixture.index("test", segments: [[("1", #"{"a":"x"}"#)], [("2", #"{"a":"y"}"#)]])
        #expect(index.snapshot().segments.count == 2)
        #expect(try fixture.idSet(nil) == ["1", "2"])
    }
}
