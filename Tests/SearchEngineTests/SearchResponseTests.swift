import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Search response")
struct SearchResponseTests {
    @Test func shapeOfTheResponse() throws {
        let fixture = try QueryTestData.fixture()
        let response = try fixture.search(#"{"query":{"term":{"tag":"code"}},"size":1}"#)
        #expect(response.members.map(\.name) == ["took", "timed_out", "_shards", "hits"])
        guard case .object(let hits)? = response["hits"] else { throw SearchError.parsing("no hits") }
        #expect(hits.members.map(\.name) == ["total", "max_score", "hits"])
        #expect(SearchFixture.total(response)! == (2, "eq"))
        let hit = try #require(SearchFixture.hits(response).first)
        #expect(hit.members.map(\.name) == ["_index", "_id", "_score", "_source"])
        #expect(hit["_index"] == .string("test"))
        let empty = try fixture.search(#"{"query":{"term":{"tag":"none"}}}"#)
        guard case .object(let emptyHits)? = empty["hits"] else { throw SearchError.parsing("no hits") }
        #expect(emptyHits["max_score"] == .null)
    }

    @Test func trackTotalHits() throws {
        let fixture = try SearchFixture()
        try fixture.index("test", segments: [(0..<40).map { ("\($0)", #"{"v":"same","n":\#($0)}"#) }, (40..<75).map { ("\($0)", #"{"v":"same","n":\#($0)}"#) }])
        #expect(SearchFixture.total(try fixture.search(#"{"track_total_hits":10}"#))! == (10, "gte"))
        #expect(SearchFixture.total(try fixture.search(#"{"track_total_hits":75}"#))! == (75, "eq"))
        #expect(SearchFixture.total(try fixture.search(#"{"track_total_hits":true}"#))! == (75, "eq"))
        #expect(SearchFixture.total(try fixture.search(#"{"query":{"match":{"v":"same"}},"track_total_hits":20}"#))! == (20, "gte"))
        #expect(SearchFixture.total(try fixture.search(nil, parameters: ["track_total_hits": "5"]))! == (5, "gte"))
        #expect(SearchFixture.total(try fixture.search(#"{"track_total_hits":false}"#)) == nil)
        #expect(SearchFixture.total(try fixture.search(#"{"size":0}"#))! == (75, "eq"))
        // Early termination must not change the hits: constant scores keep index order.
        #expect(try fixture.ids(#"{"query":{"match":{"v":"same"}},"track_total_hits":5,"size":3}"#) == ["0", "1", "2"])
        #expect(try fixture.ids(#"{"query":{"constant_score":{"filter":{"range":{"n":{"gte":50}}}}},"track_total_hits":1,"size":2}"#) == ["50", "51"])
    }

    @Test func sourceFiltering() throws {
        let fixture = try SearchFixture()
        try fixture.index("test", segments: [[("1", #"{"a":1,"b":{"x":2,"y":{"z":3}},"c":[{"d":4,"e":5}],"f":"text"}"#)]])
        func source(_ body: String, _ parameters: [String: String] = [:]) throws -> String? {
            SearchFixture.hits(try fixture.search(body, parameters: parameters)).first?["_source"].map { $0.jsonText }
        }
        #expect(try source(#"{"_source":false}"#) == nil)
        #expect(try source(#"{"_source":"a"}"#) == #"{"a":1}"#)
        #expect(try source(#"{"_source":["b.*","f"]}"#) == #"{"b":{"x":2,"y":{"z":3}},"f":"text"}"#)
        #expect(try source(#"{"_source":"b.y"}"#) == #"{"b":{"y":{"z":3}}}"#)
        #expect(try source(#"{"_source":{"includes":["*"],"excludes":["b.y","c.e"]}}"#) == #"{"a":1,"b":{"x":2},"c":[{"d":4}],"f":"text"}"#)
        #expect(try source(#"{"_source":{"excludes":["b"]}}"#) == #"{"a":1,"c":[{"d":4,"e":5}],"f":"text"}"#)
        #expect(try source(#"{}"#, ["_source_includes": "c.d"]) == #"{"c":[{"d":4}]}"#)
        #expect(try source(#"{}"#, ["_source": "false"]) == nil)
    }

    @Test func minScorePostFilterAndAggregationsSeeTheRightDocuments() throws {
        let fixture = try QueryTestData.fixture()
        let all = try fixture.search(#"{"query":{"match":{"body":"quick fox dog"}}}"#)
        let scores = SearchFixture.scores(all)
        let threshold = scores[1]
        let filtered = try fixture.search(#"{"query":{"match":{"body":"quick fox dog"}},"min_score":\#(threshold)}"#)
        #expect(SearchFixture.hits(filtered).count == scores.filter { $0 >= threshold }.count)
        let post = try fixture.search(#"{"post_filter":{"term":{"tag":"code"}},"aggs":{"tags":{"terms":{"field":"tag"}}}}"#)
        #expect(Set(SearchFixture.hits(post).compactMap { $0["_id"]?.stringValue }) == ["3", "4"])
        #expect(SearchFixture.total(post)! == (2, "eq"))
        // Aggregations ignore the post filter: all five documents are bucketed.
        guard case .object(let aggregations)? = post["aggregations"], case .object(let tags)? = aggregations["tags"],
            case .array(let buckets)? = tags["buckets"]
        else { throw SearchError.parsing("no buckets") }
        let counts = buckets.compactMap(\.objectValue).map { ($0["key"]?.stringValue ?? "", $0["doc_count"]) }
        #expect(counts.first?.0 == "animal" && counts.first?.1 == .integer(3))
    }

    @Test func aggregationFilterAndTopHits() throws {
        let fixture = try QueryTestData.fixture()
        let body = #"{"size":0,"aggs":{"cheap":{"filter":{"range":{"price":{"lt":20}}},"aggs":{"best":{"top_hits":{"size":1,"sort":[{"price":"desc"}],"_source":["title"]}}}}}}"#
        let response = try fixture.search(body)
        guard case .object(let aggregations)? = response["aggregations"], case .object(let cheap)? = aggregations["cheap"] else {
            throw SearchError.parsing("no aggregation")
        }
        #expect(cheap["doc_count"] == .integer(3))
        guard case .object(let best)? = cheap["best"], case .object(let hits)? = best["hits"], case .array(let list)? = hits["hits"],
            case .object(let top)? = list.first
        else { throw SearchError.parsing("no top hits") }
        #expect(top["_id"] == .string("1"))
        #expect(top["_source"]?.jsonText == #"{"title":"Quick brown fox"}"#)
    }

    @Test func sizeZeroCountsWithoutScoresUnlessTopHitsNeedThem() throws {
        let fixture = try QueryTestData.fixture()
        let scored = try fixture.search(#"{"query":{"match":{"body":"quick"}},"size":1}"#)
        let bestScore = try #require(SearchFixture.scores(scored).first)
        let counted = try fixture.search(#"{"query":{"match":{"body":"quick"}},"size":0}"#)
        guard case .object(let hits)? = counted["hits"] else { throw SearchError.parsing("no hits") }
        #expect(hits["max_score"] == .null)
        #expect(SearchFixture.total(counted)! == (2, "eq"))
        let withTopHits = try fixture.search(#"{"query":{"match":{"body":"quick"}},"size":0,"aggs":{"best":{"top_hits":{"size":1}}}}"#)
        guard case .object(let aggregations)? = withTopHits["aggregations"], case .object(let best)? = aggregations["best"],
              case .object(let topHits)? = best["hits"], case .array(let list)? = topHits["hits"], case .object(let top)? = list.first,
              case .double(let score)? = top["_score"]
        else { throw SearchError.parsing("no scored top hit: \(JSONValue.object(withTopHits).jsonText)") }
        #expect(Float(score) == bestScore)
    }

    @Test func count() throws {
        let fixture = try QueryTestData.fixture()
        let snapshots = try fixture.snapshots(["test"])
        #expect(try SearchExecutor.count(query: nil, parameters: [:], over: snapshots) == 5)
        #expect(try SearchExecutor.count(query: try JSONParser.parse(Array(#"{"term":{"tag":"code"}}"#.utf8)), parameters: [:], over: snapshots) == 2)
        #expect(try SearchExecutor.count(query: try JSONParser.parse(Array(#"{"query":{"match":{"body":"quick"}}}"#.utf8)), parameters: [:], over: snapshots) == 2)
        #expect(try SearchExecutor.count(query: nil, parameters: ["q": "tag:animal"], over: snapshots) == 3)
        try fixture.delete(["1"], from: "test")
        #expect(try SearchExecutor.count(query: nil, parameters: [:], over: try fixture.snapshots(["test"])) == 4)
    }
}
