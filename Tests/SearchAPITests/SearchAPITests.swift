import PostgresTestSupport
import SearchAPI
import SearchEngine
import StreamProcessing
import Testing

@Suite("REST _search, _count, _msearch, scroll and point in time")
struct SearchAPITests {
    static let colours = ["red", "green", "blue"]

    /// `count` documents `{"n": i, "colour": colours[i % 3], "title": "note number i", "day": 2024-01-(1 + i % 28)}`.
    static func fill(_ client: APIClient, index: String, count: Int) async throws {
        var lines: [String] = []
        for i in 0..<count {
            let day = 1 + i % 28
            lines.append(#"{"index":{"_id":"\#(i)"}}"#)
            lines.append(#"{"n":\#(i),"colour":"\#(colours[i % 3])","title":"note number \#(i)","day":"2024-01-\#(day < 10 ? "0" : "")\#(day)"}"#)
        }
        let response = try await client.bulk("/\(index)/_bulk?refresh=true", lines)
        #expect(response.json.bool("errors") == false, "\(response.text.prefix(500))")
    }

    @Test func queryAndAggregationsRoundTrip() async throws {
        try await APITest.run { client, _ in
            let created = try await client.put("/notes", json: #"""
                {"settings":{"number_of_replicas":0},
                 "mappings":{"properties":{"n":{"type":"long"},"colour":{"type":"keyword"},"title":{"type":"text"},"day":{"type":"date"}}}}
                """#)
            #expect(created.status == 200, "\(created.text)")
            #expect(created.json.bool("acknowledged") == true)
            #expect(created.json.string("index") == "notes")
            try await Self.fill(client, index: "notes", count: 90)

            let response = try await client.post("/notes/_search", json: #"""
                {"query":{"bool":{"filter":[{"range":{"n":{"gte":30}}}]}},
                 "size":5,"sort":[{"n":"asc"}],
                 "aggs":{"colours":{"terms":{"field":"colour"},"aggs":{"total":{"sum":{"field":"n"}}}}}}
                """#)
            #expect(response.status == 200, "\(response.text.prefix(500))")
            #expect(response.json.int("hits.total.value") == 60)
            #expect(response.json.array("hits.hits").compactMap { $0.objectValue?["_id"]?.stringValue } == ["30", "31", "32", "33", "34"])
            let buckets = response.json.array("aggregations.colours.buckets").compactMap(\.objectValue)
            #expect(buckets.count == 3)
            for bucket in buckets {
                let colour = try #require(bucket.string("key"))
                let position = try #require(Self.colours.firstIndex(of: colour))
                let members = (30..<90).filter { $0 % 3 == position }
                #expect(bucket.int("doc_count") == Int64(members.count))
                #expect(bucket.path("total.value") == .double(Double(members.reduce(0, +))))
            }

            let matched = try await client.post("/notes/_search", json: #"{"query":{"match":{"title":"number 7"}},"size":1}"#)
            #expect(matched.json.string("hits.hits.0._id") == "7")
            let byParameter = try await client.get("/notes/_search?q=colour:red&size=0&track_total_hits=true")
            #expect(byParameter.json.int("hits.total.value") == 30)
            let asInt = try await client.get("/notes/_search?size=0&rest_total_hits_as_int=true")
            #expect(asInt.json.int("hits.total") == 90)

            let count = try await client.post("/notes/_count", json: #"{"query":{"term":{"colour":"blue"}}}"#)
            #expect(count.json.int("count") == 30)
            #expect(count.json.int("_shards.total") == 1)
            #expect(try await client.get("/_count").json.int("count") == 90)
        }
    }

    @Test func indexListsWildcardsAndMissingIndices() async throws {
        try await APITest.run { client, _ in
            try await Self.fill(client, index: "logs-a", count: 10)
            try await Self.fill(client, index: "logs-b", count: 5)
            #expect(try await client.get("/logs-*/_search?size=0").json.int("hits.total.value") == 15)
            #expect(try await client.get("/logs-a,logs-b/_count").json.int("count") == 15)
            #expect(try await client.get("/_all/_count").json.int("count") == 15)
            let missing = try await client.get("/logs-a,nope/_search")
            #expect(missing.status == 404)
            #expect(missing.errorType == "index_not_found_exception")
            #expect(try await client.get("/logs-a,nope/_count?ignore_unavailable=true").json.int("count") == 10)
            let empty = try await client.get("/nothing-*/_search")
            #expect(empty.status == 200)
            #expect(try await client.get("/nothing-*/_search?allow_no_indices=false").status == 404)
            let badQuery = try await client.post("/logs-a/_search", json: #"{"query":{"no_such_query":{}}}"#)
            #expect(badQuery.status == 400)
            let badJSON = try await client.post("/logs-a/_search", json: #"{"query":"#)
            #expect(badJSON.status == 400)
        }
    }

    @Test func multiSearchAnswersEachSearch() async throws {
        try await APITest.run { client, _ in
            try await Self.fill(client, index: "notes", count: 30)
            let response = try await client.send("POST", "/_msearch", body: [
                #"{"index":"notes"}"#, #"{"query":{"term":{"colour":"red"}},"size":0}"#,
                #"{"index":"missing"}"#, #"{}"#,
                #"{}"#, #"{"size":1,"sort":[{"n":"desc"}]}"#,
            ].joined(separator: "\n") + "\n", contentType: "application/x-ndjson")
            #expect(response.status == 200, "\(response.text.prefix(300))")
            let responses = response.json.array("responses").compactMap(\.objectValue)
            #expect(responses.count == 3)
            #expect(responses.first?.int("status") == 200)
            #expect(responses.first?.int("hits.total.value") == 10)
            #expect(responses.dropFirst().first?.int("status") == 404)
            #expect(responses.dropFirst().first?.string("error.type") == "index_not_found_exception")
            #expect(responses.last?.string("hits.hits.0._id") == "29")
        }
    }

    @Test func scrollVisitsEveryDocumentOnce() async throws {
        try await APITest.run { client, _ in
            try await Self.fill(client, index: "notes", count: 2_500)
            var response = try await client.post("/notes/_search?scroll=1m", json: #"{"size":300,"query":{"match_all":{}}}"#)
            #expect(response.status == 200, "\(response.text.prefix(300))")
            #expect(response.json.int("hits.total.value") == 2_500)
            var seen: [String: Int] = [:]
            var pages = 0
            while true {
                let hits = response.json.array("hits.hits")
                if hits.isEmpty { break }
                #expect(hits.first?.objectValue?["sort"] == nil, "scroll hits carry no sort values unless sorted")
                for hit in hits { seen[hit.objectValue?["_id"]?.stringValue ?? "", default: 0] += 1 }
                pages += 1
                let id = try #require(response.json.string("_scroll_id"))
                // Documents written meanwhile are not seen: the scroll reads its snapshot.
                if pages == 2 { _ = try await client.put("/notes/_doc/late?refresh=true", json: #"{"n":-1}"#) }
                response = try await client.post("/_search/scroll", json: #"{"scroll":"1m","scroll_id":"\#(id)"}"#)
                #expect(response.status == 200, "\(response.text.prefix(300))")
                #expect(pages < 20)
                if pages >= 20 { break }
            }
            #expect(pages == 9)
            #expect(seen.count == 2_500)
            #expect(seen.values.allSatisfy { $0 == 1 })
            #expect(seen["late"] == nil)

            let id = try #require(response.json.string("_scroll_id"))
            let cleared = try await client.delete("/_search/scroll", json: #"{"scroll_id":["\#(id)"]}"#)
            #expect(cleared.status == 200)
            #expect(cleared.json.bool("succeeded") == true)
            #expect(cleared.json.int("num_freed") == 1)
            let gone = try await client.post("/_search/scroll", json: #"{"scroll":"1m","scroll_id":"\#(id)"}"#)
            #expect(gone.status == 404)
            #expect(gone.errorType == "search_context_missing_exception")
            let clearedAgain = try await client.delete("/_search/scroll", json: #"{"scroll_id":"\#(id)"}"#)
            #expect(clearedAgain.status == 404)
            #expect(clearedAgain.json.int("num_freed") == 0)
            let garbage = try await client.post("/_search/scroll", json: #"{"scroll_id":"not a scroll id"}"#)
            #expect(garbage.status == 400)
        }
    }

    @Test func pointInTimePagesOverAFrozenView() async throws {
        try await APITest.run { client, _ in
            try await Self.fill(client, index: "notes", count: 50)
            let created = try await client.post("/notes/_search/point_in_time?keep_alive=1m")
            #expect(created.status == 200, "\(created.text)")
            let pit = try #require(created.json.string("pit_id"))
            #expect(created.json.int("creation_time") != nil)
            _ = try await client.bulk("/notes/_bulk?refresh=true", [#"{"index":{"_id":"new"}}"#, #"{"n":100}"#])
            #expect(try await client.get("/notes/_count").json.int("count") == 51)

            var after: String?
            var ids: [String] = []
            for _ in 0..<10 {
                let searchAfter = after.map { #","search_after":[\#($0)]"# } ?? ""
                let page = try await client.post("/_search", json: #"{"size":20,"pit":{"id":"\#(pit)","keep_alive":"1m"},"sort":[{"n":"asc"}]\#(searchAfter)}"#)
                #expect(page.status == 200, "\(page.text.prefix(300))")
                #expect(page.json.string("pit_id") == pit)
                let hits = page.json.array("hits.hits").compactMap(\.objectValue)
                if hits.isEmpty { break }
                ids += hits.compactMap { $0.string("_id") }
                after = hits.last?.path("sort.0").map { $0.jsonText }
            }
            #expect(ids == (0..<50).map(String.init))

            let listed = try await client.get("/_search/point_in_time/_all")
            #expect(listed.json.array("pits").compactMap { $0.objectValue?["pit_id"]?.stringValue } == [pit])
            let withIndex = try await client.post("/notes/_search", json: #"{"pit":{"id":"\#(pit)"}}"#)
            #expect(withIndex.status == 400)
            let deleted = try await client.delete("/_search/point_in_time", json: #"{"pit_id":["\#(pit)"]}"#)
            #expect(deleted.status == 200)
            #expect(deleted.json.bool("pits.0.successful") == true)
            let gone = try await client.post("/_search", json: #"{"pit":{"id":"\#(pit)"}}"#)
            #expect(gone.status == 404)
            #expect(gone.errorType == "search_context_missing_exception")
            #expect(try await client.get("/_search/point_in_time/_all").json.array("pits").isEmpty)
        }
    }
}
