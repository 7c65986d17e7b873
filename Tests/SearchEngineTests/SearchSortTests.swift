import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Sorting and paging")
struct SearchSortTests {
    private func sortValues(_ response: JSONObject) -> [[JSONValue]] {
        SearchFixture.hits(response).map { hit in
            if case .array(let values)? = hit["sort"] { return values }
            return []
        }
    }

    @Test func numericKeywordAndDateSorts() throws {
        let fixture = try QueryTestData.fixture()
        #expect(try fixture.ids(#"{"sort":[{"count":"asc"}]}"#) == ["5", "2", "1", "4", "3"])
        #expect(try fixture.ids(#"{"sort":[{"count":{"order":"desc"}}]}"#) == ["3", "4", "1", "2", "5"])
        #expect(try fixture.ids(#"{"sort":"count"}"#) == ["5", "2", "1", "4", "3"])
        #expect(try fixture.ids(nil, parameters: ["sort": "count:desc"]) == ["3", "4", "1", "2", "5"])
        // Multi-valued keyword: ascending uses each document's smallest value; ties in index order.
        let byTag = try fixture.search(#"{"sort":[{"tag":"asc"},{"count":"asc"}]}"#)
        #expect(SearchFixture.hits(byTag).compactMap { $0["_id"]?.stringValue } == ["5", "2", "1", "4", "3"])
        #expect(sortValues(byTag)[0] == [.string("animal"), .integer(0)])
        #expect(try fixture.ids(#"{"sort":[{"tag":{"order":"desc"}},{"count":"desc"}]}"#) == ["3", "1", "4", "2", "5"])
        let byDate = try fixture.search(#"{"sort":[{"published":"desc"}]}"#)
        #expect(SearchFixture.hits(byDate).compactMap { $0["_id"]?.stringValue } == ["4", "2", "1", "3", "5"])
        #expect(sortValues(byDate)[0] == [.integer(1_710_028_800_000)])
        #expect(sortValues(byDate)[4] == [.integer(.min)])
        let formatted = try fixture.search(#"{"sort":[{"published":{"order":"asc","format":"yyyy-MM-dd"}}]}"#)
        #expect(sortValues(formatted)[0] == [.string("2023-12-31")])
    }

    @Test func missingValues() throws {
        let fixture = try QueryTestData.fixture()
        #expect(try fixture.ids(#"{"sort":[{"price":"asc"}]}"#) == ["5", "2", "1", "3", "4"])
        #expect(try fixture.ids(#"{"sort":[{"price":"desc"}]}"#) == ["3", "1", "2", "5", "4"])
        #expect(try fixture.ids(#"{"sort":[{"price":{"order":"asc","missing":"_first"}}]}"#) == ["4", "5", "2", "1", "3"])
        #expect(try fixture.ids(#"{"sort":[{"price":{"order":"asc","missing":50}}]}"#) == ["5", "2", "1", "4", "3"])
        #expect(try fixture.ids(#"{"sort":[{"active":"desc"},{"count":"asc"}]}"#) == ["1", "3", "5", "2", "4"])
        let response = try fixture.search(#"{"sort":[{"price":"asc"}]}"#)
        #expect(sortValues(response)[1] == [.double(3.25)])
        #expect(sortValues(response)[4] == [.double(.infinity)])
        // Field sort: no scores unless track_scores.
        #expect(SearchFixture.hits(response).allSatisfy { $0["_score"] == .null })
        guard case .object(let hits)? = response["hits"] else { throw SearchError.parsing("no hits") }
        #expect(hits["max_score"] == .null)
        let tracked = try fixture.search(#"{"query":{"match":{"body":"quick"}},"sort":[{"count":"asc"}],"track_scores":true}"#)
        #expect(SearchFixture.scores(tracked).allSatisfy { $0 > 0 })
    }

    @Test func unmappedAndTextSortErrors() throws {
        let fixture = try QueryTestData.fixture()
        let unmapped = try #require(fixture.error(#"{"sort":[{"nothing":"asc"}]}"#))
        #expect(unmapped.type == "search_phase_execution_exception")
        #expect(unmapped.causedBy.first?.reason == "No mapping found for [nothing] in order to sort on")
        #expect(try fixture.ids(#"{"sort":[{"nothing":{"order":"asc","unmapped_type":"long"}},{"count":"asc"}]}"#) == ["5", "2", "1", "4", "3"])
        let text = try #require(fixture.error(#"{"sort":["body"]}"#))
        #expect(text.causedBy.first?.type == "illegal_argument_exception")
        #expect(text.causedBy.first?.reason.hasPrefix("Text fields are not optimised") == true)
    }

    @Test func scoreAndDocSorts() throws {
        let fixture = try QueryTestData.fixture()
        #expect(try fixture.ids(#"{"sort":["_doc"]}"#) == ["1", "2", "3", "4", "5"])
        #expect(try fixture.ids(#"{"sort":[{"_doc":"desc"}]}"#) == ["5", "4", "3", "2", "1"])
        let byScore = try fixture.search(#"{"query":{"match":{"body":"quick fox"}},"sort":["_score"]}"#)
        let scores = SearchFixture.scores(byScore)
        #expect(scores == scores.sorted(by: >))
        #expect(sortValues(byScore).map { $0.first } == scores.map { JSONValue.double(Double($0.description) ?? 0) })
    }

    /// 60 documents over three segments, ten deleted; `n` repeats (many ties) and is missing on some.
    private func pagingFixture() throws -> SearchFixture {
        let fixture = try SearchFixture()
        var segments: [[(String, String)]] = [[], [], []]
        for number in 0..<60 {
            let n = number % 7 == 3 ? "" : #","n":\#(number % 5)"#
            segments[number % 3].append(("doc\(number)", #"{"k":"key\#(number % 11)","body":"word\#(number % 4) common"\#(n)}"#))
        }
        try fixture.index("test", mappings: #"{"properties":{"n":{"type":"long"},"k":{"type":"keyword"},"body":{"type":"text"}}}"#, segments: segments)
        try fixture.delete((0..<10).map { "doc\($0 * 6)" }, from: "test")
        return fixture
    }

    @Test func searchAfterVisitsEveryDocumentOnce() throws {
        let fixture = try pagingFixture()
        for sort in [#"[{"n":"asc"},{"_shard_doc":"asc"}]"#, #"[{"k":"desc"},{"n":{"order":"desc","missing":"_first"}},"_doc"]"#] {
            var seen: [String] = []
            var after: String?
            for _ in 0..<20 {
                let body = #"{"size":7,"sort":\#(sort)\#(after.map { #","search_after":\#($0)"# } ?? "")}"#
                let response = try fixture.search(body)
                let hits = SearchFixture.hits(response)
                if hits.isEmpty { break }
                seen += hits.compactMap { $0["_id"]?.stringValue }
                guard case .array(let last)? = hits.last?["sort"] else { throw SearchError.parsing("no sort values") }
                after = JSONValue.array(last).jsonText
            }
            #expect(seen.count == 50, "\(sort)")
            #expect(Set(seen).count == 50, "\(sort)")
            #expect(!seen.contains("doc0") && !seen.contains("doc6"))
        }
    }

    @Test func searchAfterSkipsTiesWithoutTiebreaker() throws {
        let fixture = try pagingFixture()
        let first = try fixture.search(#"{"size":3,"sort":[{"n":"asc"}]}"#)
        let page = try fixture.ids(#"{"size":100,"sort":[{"n":"asc"}],"search_after":[0]}"#)
        #expect(SearchFixture.hits(first).count == 3)
        #expect(try fixture.ids(#"{"size":100,"query":{"term":{"n":0}}}"#).allSatisfy { !page.contains($0) })
        let mismatch = try #require(fixture.error(#"{"sort":[{"n":"asc"}],"search_after":[1,2]}"#))
        #expect(mismatch.reason == "search_after has 2 value(s) but sort has 1.")
    }

    @Test func scrollStylePagingWithTiebreaker() throws {
        let fixture = try pagingFixture()
        let snapshots = try fixture.snapshots(["test"])
        for body in [#"{"query":{"match":{"body":"common word1"}},"size":4}"#, #"{"size":6,"sort":[{"k":"asc"}]}"#] {
            var request = try SearchRequest.parse(body: try SearchFixture.object(body), parameters: [:]).withTiebreaker()
            var seen: [String] = []
            var expectedTotal = 0
            for _ in 0..<30 {
                let page = try SearchExecutor.searchPage(request, over: snapshots)
                let hits = SearchFixture.hits(page.body)
                expectedTotal = Int(SearchFixture.total(page.body)?.value ?? 0)
                if hits.isEmpty { break }
                seen += hits.compactMap { $0["_id"]?.stringValue }
                request.searchAfter = page.lastSortValues
            }
            #expect(seen.count == expectedTotal && Set(seen).count == seen.count, "\(body)")
            #expect(expectedTotal > 0)
        }
        // The tiebreaker is not shown: a request without sort shows no sort values.
        let request = try SearchRequest.parse(body: try SearchFixture.object(#"{"size":1}"#), parameters: [:]).withTiebreaker()
        let page = try SearchExecutor.searchPage(request, over: snapshots)
        #expect(SearchFixture.hits(page.body).first?["sort"] == nil)
        #expect(page.lastSortValues?.count == 2)
    }

    @Test func resultWindow() throws {
        let fixture = try QueryTestData.fixture()
        let error = try #require(fixture.error(#"{"from":9995,"size":10}"#))
        #expect(error.type == "search_phase_execution_exception")
        #expect(error.reason == "all shards failed")
        #expect(error.status == 400)
        let cause = try #require(error.causedBy.first)
        #expect(cause.type == "illegal_argument_exception")
        #expect(cause.reason == "Result window is too large, from + size must be less than or equal to: [10000] but was [10005]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.")
        #expect(try fixture.ids(#"{"from":9990,"size":10}"#).isEmpty)
        #expect(try fixture.ids(#"{"from":1,"size":2,"sort":["count"]}"#) == ["2", "1"])
        #expect(try fixture.ids(nil, parameters: ["from": "3", "size": "5", "sort": "count"]) == ["4", "3"])
        let negative = fixture.error(#"{"size":-1}"#)
        #expect(negative?.type == "illegal_argument_exception")
    }

    @Test func multipleIndicesMergeByScoreThenIndexOrder() throws {
        let fixture = try SearchFixture()
        try fixture.index("b", segments: [[("1", #"{"t":"x"}"#), ("2", #"{"t":"x"}"#)]])
        try fixture.index("a", segments: [[("1", #"{"t":"x"}"#)], [("3", #"{"t":"x"}"#)]])
        let response = try fixture.search(#"{"query":{"constant_score":{"filter":{"term":{"t":"x"}}}}}"#, indices: ["b", "a"])
        let hits = SearchFixture.hits(response)
        #expect(hits.map { "\($0["_index"]?.stringValue ?? "")/\($0["_id"]?.stringValue ?? "")" } == ["a/1", "a/3", "b/1", "b/2"])
        guard case .object(let shards)? = response["_shards"] else { throw SearchError.parsing("no _shards") }
        #expect(shards["total"] == .integer(2))
    }
}
