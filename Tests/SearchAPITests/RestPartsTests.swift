@testable import SearchAPI
import SearchEngine
import StreamProcessing
import Synchronization
import Testing

@Suite("REST parts: routing, rendering, ids, contexts, bulk parsing")
struct RestPartsTests {
    @Test(arguments: [
        ("/", Route.root),
        ("/_search", .search(index: nil)),
        ("/a,b*/_search", .search(index: "a,b*")),
        ("/_all/_count", .count(index: "_all")),
        ("/notes/_doc", .document(index: "notes", id: nil)),
        ("/notes/_doc/x%2Fy", .document(index: "notes", id: "x/y")),
        ("/notes/_create/1", .create(index: "notes", id: "1")),
        ("/notes/_update/1", .update(index: "notes", id: "1")),
        ("/notes/_source/1", .source(index: "notes", id: "1")),
        ("/notes/_bulk", .bulk(index: "notes")),
        ("/_bulk", .bulk(index: nil)),
        ("/_search/scroll", .scroll(id: nil)),
        ("/_search/scroll/abc", .scroll(id: "abc")),
        ("/notes/_search/point_in_time", .createPointInTime(index: "notes")),
        ("/_search/point_in_time", .pointsInTime(all: false)),
        ("/_search/point_in_time/_all", .pointsInTime(all: true)),
        ("/_cluster/health/notes", .clusterHealth(index: "notes")),
        ("/_cat/indices", .catIndices(index: nil)),
        ("/notes", .index("notes")),
        ("/_mapping", .mapping(index: nil)),
    ])
    func routes(path: String, route: Route) {
        #expect(Route.match(RestRequest(method: .get, rawPath: path, query: nil).segments) == route)
    }

    @Test func unknownShapesHaveNoRoute() {
        for path in ["/_cluster", "/_cat/nodes", "/notes/_unknown", "/_search/_doc/1", "/a/b/c/d", "/_search/point_in_time/x"] {
            #expect(Route.match(RestRequest(method: .get, rawPath: path, query: nil).segments) == nil, "\(path)")
        }
    }

    @Test func queryParameters() {
        let request = RestRequest(method: .get, rawPath: "/", query: "q=title:a+b&pretty&size=5&x=%2Fy")
        #expect(request.parameters == ["q": "title:a b", "pretty": "", "size": "5", "x": "/y"])
        #expect((try? request.flag("pretty")) == true)
        #expect((try? request.flag("missing")) == false)
    }

    @Test func prettyPrintingMatchesOpenSearch() throws {
        let value = try JSONParser.parse(Array(#"{"a":1,"b":[],"c":{},"d":[1,{"e":"x"}]}"#.utf8))
        let text = String(decoding: ResponseRendering.pretty(value), as: UTF8.self)
        #expect(text == """
            {
              "a" : 1,
              "b" : [ ],
              "c" : { },
              "d" : [
                1,
                {
                  "e" : "x"
                }
              ]
            }

            """)
    }

    @Test func filterPath() throws {
        let value = try JSONParser.parse(Array(#"{"took":3,"hits":{"total":{"value":2},"hits":[{"_id":"1","_source":{}},{"_id":"2"}]}}"#.utf8))
        #expect(FilterPath("hits.hits._id")?.apply(value).jsonText == #"{"hits":{"hits":[{"_id":"1"},{"_id":"2"}]}}"#)
        #expect(FilterPath("-hits")?.apply(value).jsonText == #"{"took":3}"#)
        #expect(FilterPath("**._id")?.apply(value).jsonText == #"{"hits":{"hits":[{"_id":"1"},{"_id":"2"}]}}"#)
        #expect(FilterPath("t*")?.apply(value).jsonText == #"{"took":3}"#)
        #expect(FilterPath("nothing")?.apply(value).jsonText == "{}")
    }

    @Test func byteSizesAsOpenSearchPrintsThem() {
        #expect(ByteSize.format(208, unit: .human) == "208b")
        #expect(ByteSize.format(5 * 1024, unit: .human) == "5kb")
        #expect(ByteSize.format(5 * 1024 + 300, unit: .human) == "5.2kb")
        #expect(ByteSize.format(3 << 20, unit: .human) == "3mb")
        #expect(ByteSize.format(3 << 20, unit: .kb) == "3072")
    }

    @Test func documentIDsAreTwentyURLSafeCharactersAndUnique() {
        var ids: Set<String> = []
        for _ in 0..<10_000 { ids.insert(GeneratedID.documentID(nowMillis: 1_700_000_000_000)) }
        #expect(ids.count == 10_000)
        #expect(ids.allSatisfy { $0.utf8.count == 20 && !$0.contains("+") && !$0.contains("/") && !$0.contains("=") })
    }

    @Test func contextsExpireAndAreBounded() throws {
        let offset = Mutex(Duration.zero)
        let start = ContinuousClock.now
        let store = SearchContextStore<Int>(kind: .scroll, capacity: 2, now: { start + offset.withLock { $0 } })
        let first = try store.open(1, keepAlive: .seconds(60), creationTime: 0)
        _ = try store.open(2, keepAlive: .seconds(10), creationTime: 0)
        #expect(throws: SearchError.self) { try store.open(3, keepAlive: .seconds(10), creationTime: 0) }
        offset.withLock { $0 = .seconds(30) }
        #expect(try store.use(first, keepAlive: .seconds(60)).payload == 1)
        _ = try store.open(3, keepAlive: .seconds(10), creationTime: 0)  // the second expired: room again
        offset.withLock { $0 = .seconds(80) }
        #expect(try store.use(first, keepAlive: nil).payload == 1, "renewed at 30s for 60s")
        offset.withLock { $0 = .seconds(100) }
        do {
            _ = try store.use(first, keepAlive: nil)
            Issue.record("an expired context was found")
        } catch {
            #expect(error.type == "search_context_missing_exception")
            #expect(error.status == 404)
        }
        #expect(store.count == 0 || store.list().isEmpty)
    }

    @Test func bulkParsing() throws {
        let body = Array("""
            {"index":{"_index":"a","_id":"1"}}
            {"n":1}

            {"delete":{"_index":"a","_id":"2"}}
            {"update":{"_id":"3","if_seq_no":4,"if_primary_term":1}}
            {"doc":{"n":2},"doc_as_upsert":true}
            {"create":{}}
            {"n":3}

            """.utf8)
        let request = try BulkRequest(body, defaultIndex: "d", nowMillis: 0)
        #expect(request.items.map(\.action) == [.index, .delete, .update, .create])
        #expect(request.items.map(\.index) == ["a", "a", "d", "d"])
        #expect(request.items[2].operation?.ifSeqNo == 4)
        #expect(request.items[3].id.utf8.count == 20)
        #expect(request.items.allSatisfy { $0.error == nil })
    }

    @Test func constantTimeComparison() {
        #expect(Authenticator.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!Authenticator.constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!Authenticator.constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!Authenticator.constantTimeEquals([], Array("a".utf8)))
    }

    @Test func mediaTypes() {
        #expect(MediaType("application/json; charset=UTF-8") == MediaType("application/json"))
        #expect(MediaType("application/vnd.elasticsearch+json; compatible-with=8")?.compatibleWith == 8)
        #expect(MediaType("application/vnd.elasticsearch+x-ndjson;compatible-with=7")?.format == .ndjson)
        #expect(MediaType("text/plain") == nil)
        #expect(MediaType("application/x-www-form-urlencoded") == nil)
    }

    @Test func sourceFiltering() throws {
        let source = try RestJSON.object(Array(#"{"a":1,"b":{"c":2,"d":3},"e":[{"f":1,"g":2}]}"#.utf8))
        let includes = try #require(try RestSourceFilter(parameters: ["_source_includes": "b.c,e.f"]))
        #expect(JSONValue.object(includes.apply(source)).jsonText == #"{"b":{"c":2},"e":[{"f":1}]}"#)
        let excludes = try #require(try RestSourceFilter(parameters: ["_source_excludes": "b"]))
        #expect(JSONValue.object(excludes.apply(source)).jsonText == #"{"a":1,"e":[{"f":1,"g":2}]}"#)
        let wildcard = try #require(try RestSourceFilter(parameters: ["_source": "b.*"]))
        #expect(JSONValue.object(wildcard.apply(source)).jsonText == #"{"b":{"c":2,"d":3}}"#)
        #expect(try RestSourceFilter(parameters: [:]) == nil)
    }
}
