import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

/// Five documents in two segments with every field type, shared by the query tests.
enum QueryTestData {
    static let mappings = #"""
    {"properties":{
      "title":{"type":"text","fields":{"keyword":{"type":"keyword"}}},
      "body":{"type":"text"},
      "tag":{"type":"keyword"},
      "count":{"type":"integer"},
      "price":{"type":"double"},
      "published":{"type":"date"},
      "active":{"type":"boolean"}
    }}
    """#

    static let documents: [[(String, String)]] = [
        [
            ("1", #"{"title":"Quick brown fox","body":"The quick brown fox jumps over the lazy dog","tag":["animal","fast"],"count":5,"price":10.5,"published":"2024-01-15","active":true}"#),
            ("2", #"{"title":"Lazy dog","body":"A lazy dog sleeps all day","tag":"animal","count":2,"price":3.25,"published":"2024-02-01T10:00:00Z","active":false}"#),
            ("3", #"{"title":"Swift programming","body":"Swift is a fast language for servers","tag":["code","fast"],"count":10,"price":99.99,"published":"2023-12-31","active":true}"#),
        ],
        [
            ("4", #"{"title":"Search engines","body":"Lucene powers OpenSearch and Elasticsearch search engines","tag":"code","count":7,"published":"2024-03-10"}"#),
            ("5", #"{"title":"Brown bears","body":"Brown bears eat fish; the bear is quick","tag":["animal"],"count":0,"price":0,"active":false}"#),
        ],
    ]

    static func fixture() throws -> SearchFixture {
        let fixture = try SearchFixture()
        try fixture.index("test", mappings: mappings, segments: documents)
        return fixture
    }
}

@Suite("Query types")
struct QueryTypesTests {
    let fixture: SearchFixture

    init() throws {
        fixture = try QueryTestData.fixture()
    }

    private func ids(_ query: String) throws -> Set<String> {
        try fixture.idSet(#"{"query":\#(query)}"#)
    }

    @Test func matchAllAndNone() throws {
        #expect(try ids(#"{"match_all":{}}"#) == ["1", "2", "3", "4", "5"])
        #expect(try ids(#"{"match_none":{}}"#) == [])
        let response = try fixture.search(#"{"query":{"match_all":{"boost":2}}}"#)
        #expect(SearchFixture.scores(response).allSatisfy { $0 == 2 })
    }

    @Test func match() throws {
        #expect(try ids(#"{"match":{"body":"quick"}}"#) == ["1", "5"])
        #expect(try ids(#"{"match":{"body":"QUICK Dog"}}"#) == ["1", "2", "5"])
        #expect(try ids(#"{"match":{"body":{"query":"quick dog","operator":"and"}}}"#) == ["1"])
        #expect(try ids(#"{"match":{"body":{"query":"quick dog fish","minimum_should_match":2}}}"#) == ["1", "5"])
        #expect(try ids(#"{"match":{"body":{"query":"The quick","analyzer":"keyword"}}}"#) == [])
        #expect(try ids(#"{"match":{"tag":"code"}}"#) == ["3", "4"])
        #expect(try ids(#"{"match":{"count":"7"}}"#) == ["4"])
        #expect(try ids(#"{"match":{"unmapped":"x"}}"#) == [])
        #expect(try ids(#"{"match":{"body":{"query":"","zero_terms_query":"all"}}}"#).count == 5)
    }

    @Test func matchFuzzinessAuto() throws {
        // AUTO: 0 edits up to 2 characters, 1 edit for 3–5, 2 beyond; a transposition is one edit.
        #expect(try ids(#"{"match":{"body":{"query":"quikc","fuzziness":"AUTO"}}}"#) == ["1", "5"])
        #expect(try ids(#"{"match":{"body":{"query":"dgo","fuzziness":"AUTO"}}}"#) == ["1", "2"])
        #expect(try ids(#"{"match":{"body":{"query":"fx","fuzziness":"AUTO"}}}"#) == [])
        #expect(try ids(#"{"match":{"body":{"query":"fx","fuzziness":1}}}"#) == ["1"])
        #expect(try ids(#"{"match":{"body":{"query":"languaeg","fuzziness":"AUTO"}}}"#) == ["3"])
        #expect(try ids(#"{"match":{"body":{"query":"dgo","fuzziness":"AUTO","fuzzy_transpositions":false}}}"#) == [])
        #expect(try ids(#"{"match":{"body":{"query":"lazi","fuzziness":1,"prefix_length":4}}}"#) == [])
    }

    @Test func phrases() throws {
        #expect(try ids(#"{"match_phrase":{"body":"lazy dog"}}"#) == ["1", "2"])
        #expect(try ids(#"{"match_phrase":{"body":"quick fox"}}"#) == [])
        #expect(try ids(#"{"match_phrase":{"body":{"query":"quick fox","slop":1}}}"#) == ["1"])
        #expect(try ids(#"{"match_phrase":{"body":{"query":"fox quick","slop":1}}}"#) == [])
        #expect(try ids(#"{"match_phrase":{"body":{"query":"fox quick","slop":3}}}"#) == ["1"])
        #expect(try ids(#"{"match_phrase_prefix":{"body":"lazy d"}}"#) == ["1", "2"])
        #expect(try ids(#"{"match_phrase_prefix":{"body":"bro"}}"#) == ["1", "5"])
        #expect(try ids(#"{"match_phrase_prefix":{"body":{"query":"fast l","max_expansions":1}}}"#) == ["3"])
    }

    @Test func multiMatch() throws {
        #expect(try ids(#"{"multi_match":{"query":"brown","fields":["title","body"]}}"#) == ["1", "5"])
        #expect(try ids(#"{"multi_match":{"query":"lazy dog","type":"phrase","fields":["title","body"]}}"#) == ["1", "2"])
        #expect(try ids(#"{"multi_match":{"query":"swift","fields":["ti*"]}}"#) == ["3"])
        #expect(try ids(#"{"multi_match":{"query":"search engines"}}"#) == ["4"])
        // best_fields scores the best field; most_fields adds them.
        let best = try fixture.search(#"{"query":{"multi_match":{"query":"brown","fields":["title","body"]}}}"#)
        let most = try fixture.search(#"{"query":{"multi_match":{"query":"brown","fields":["title","body"],"type":"most_fields"}}}"#)
        let title = try fixture.search(#"{"query":{"match":{"title":"brown"}}}"#)
        let body = try fixture.search(#"{"query":{"match":{"body":"brown"}}}"#)
        let titleScores = Dictionary(uniqueKeysWithValues: zip(SearchFixture.hits(title).compactMap { $0["_id"]?.stringValue }, SearchFixture.scores(title)))
        let bodyScores = Dictionary(uniqueKeysWithValues: zip(SearchFixture.hits(body).compactMap { $0["_id"]?.stringValue }, SearchFixture.scores(body)))
        let bestScores = Dictionary(uniqueKeysWithValues: zip(SearchFixture.hits(best).compactMap { $0["_id"]?.stringValue }, SearchFixture.scores(best)))
        let mostScores = Dictionary(uniqueKeysWithValues: zip(SearchFixture.hits(most).compactMap { $0["_id"]?.stringValue }, SearchFixture.scores(most)))
        for id in ["1", "5"] {
            let t = try #require(titleScores[id])
            let b = try #require(bodyScores[id])
            #expect(bestScores[id] == max(t, b))
            #expect(mostScores[id] == Float(Double(t) + Double(b)))
        }
        let boosted = try fixture.search(#"{"query":{"multi_match":{"query":"swift","fields":["title^3","body"]}}}"#)
        let plain = try fixture.search(#"{"query":{"match":{"title":"swift"}}}"#)
        // (3 · 2.2) · idf against 3 · ((1 · 2.2) · idf): equal up to Float rounding.
        let boostedScore = try #require(SearchFixture.scores(boosted).first), plainScore = try #require(SearchFixture.scores(plain).first)
        #expect(abs(boostedScore - plainScore * 3) <= 1e-6 * plainScore * 3)
    }

    @Test func termLevel() throws {
        #expect(try ids(#"{"term":{"tag":"code"}}"#) == ["3", "4"])
        #expect(try ids(#"{"term":{"body":"quick"}}"#) == ["1", "5"])
        #expect(try ids(#"{"term":{"body":"Quick"}}"#) == [])
        #expect(try ids(#"{"term":{"title.keyword":{"value":"Lazy dog"}}}"#) == ["2"])
        #expect(try ids(#"{"term":{"tag":{"value":"CODE","case_insensitive":true}}}"#) == ["3", "4"])
        #expect(try ids(#"{"term":{"count":5}}"#) == ["1"])
        #expect(try ids(#"{"term":{"count":"10"}}"#) == ["3"])
        #expect(try ids(#"{"term":{"count":5.5}}"#) == [])
        #expect(try ids(#"{"term":{"price":3.25}}"#) == ["2"])
        #expect(try ids(#"{"term":{"active":true}}"#) == ["1", "3"])
        #expect(try ids(#"{"term":{"active":"false"}}"#) == ["2", "5"])
        #expect(try ids(#"{"term":{"published":"2024-01-15"}}"#) == ["1"])
        #expect(try ids(#"{"term":{"_id":"4"}}"#) == ["4"])
        #expect(try ids(#"{"terms":{"tag":["code","animal"]}}"#) == ["1", "2", "3", "4", "5"])
        #expect(try ids(#"{"terms":{"count":[2,10]}}"#) == ["2", "3"])
        #expect(try ids(#"{"ids":{"values":["2","4","9"]}}"#) == ["2", "4"])
        let constant = try fixture.search(#"{"query":{"terms":{"tag":["code"],"boost":3}}}"#)
        #expect(SearchFixture.scores(constant) == [3, 3])
    }

    @Test func termValueErrors() throws {
        let error = try #require(fixture.error(#"{"query":{"term":{"count":"abc"}}}"#))
        #expect(error.type == "search_phase_execution_exception")
        #expect(error.causedBy.first?.type == "query_shard_exception")
        #expect(error.causedBy.first?.causedBy.first?.type == "number_format_exception")
        let boolean = try #require(fixture.error(#"{"query":{"term":{"active":"yes"}}}"#))
        #expect(boolean.causedBy.first?.reason.contains("Can't parse boolean value [yes]") == true)
        // lenient: a value the field cannot hold matches nothing instead.
        #expect(try ids(#"{"match":{"count":{"query":"abc","lenient":true}}}"#) == [])
    }

    @Test func ranges() throws {
        #expect(try ids(#"{"range":{"count":{"gte":5,"lt":10}}}"#) == ["1", "4"])
        #expect(try ids(#"{"range":{"count":{"gt":5}}}"#) == ["3", "4"])
        #expect(try ids(#"{"range":{"count":{"gte":1.5,"lte":6.9}}}"#) == ["1", "2"])
        #expect(try ids(#"{"range":{"count":{"from":2,"to":7,"include_lower":false,"include_upper":true}}}"#) == ["1", "4"])
        #expect(try ids(#"{"range":{"price":{"gt":3.25}}}"#) == ["1", "3"])
        #expect(try ids(#"{"range":{"price":{"lte":3.25}}}"#) == ["2", "5"])
        #expect(try ids(#"{"range":{"published":{"gte":"2024-01-01","lt":"2024-03-01"}}}"#) == ["1", "2"])
        #expect(try ids(#"{"range":{"published":{"gte":"2024-01-15||/M","lte":"2024-01-15||/M"}}}"#) == ["1"])
        #expect(try ids(#"{"range":{"published":{"gt":"2024-01-15"}}}"#) == ["2", "4"])
        #expect(try ids(#"{"range":{"published":{"lte":"2024-01-15"}}}"#) == ["1", "3"])
        #expect(try ids(#"{"range":{"published":{"gte":"15/01/2024","format":"dd/MM/yyyy"}}}"#) == ["1", "2", "4"])
        #expect(try ids(#"{"range":{"published":{"gte":"now-100y"}}}"#) == ["1", "2", "3", "4"])
        #expect(try ids(#"{"range":{"tag":{"gte":"b","lt":"d"}}}"#) == ["3", "4"])
        #expect(try ids(#"{"range":{"title":{"gte":"s"}}}"#) == ["3", "4"])
        #expect(try ids(#"{"range":{"active":{"gte":true}}}"#) == ["1", "3"])
        let constant = try fixture.search(#"{"query":{"range":{"count":{"gte":0,"boost":2}}}}"#)
        #expect(SearchFixture.scores(constant).allSatisfy { $0 == 2 })
    }

    @Test func existsAndMultiTerm() throws {
        #expect(try ids(#"{"exists":{"field":"price"}}"#) == ["1", "2", "3", "5"])
        #expect(try ids(#"{"exists":{"field":"published"}}"#) == ["1", "2", "3", "4"])
        #expect(try ids(#"{"exists":{"field":"active"}}"#) == ["1", "2", "3", "5"])
        #expect(try ids(#"{"exists":{"field":"title"}}"#).count == 5)
        #expect(try ids(#"{"exists":{"field":"nothing"}}"#) == [])
        #expect(try ids(#"{"prefix":{"body":"ser"}}"#) == ["3"])
        #expect(try ids(#"{"prefix":{"tag":{"value":"ANI","case_insensitive":true}}}"#) == ["1", "2", "5"])
        #expect(try ids(#"{"wildcard":{"body":"l*y"}}"#) == ["1", "2"])
        #expect(try ids(#"{"wildcard":{"tag":{"value":"an?mal"}}}"#) == ["1", "2", "5"])
        #expect(try ids(#"{"wildcard":{"tag":{"value":"ANIM*","case_insensitive":true}}}"#) == ["1", "2", "5"])
        #expect(try ids(#"{"regexp":{"body":"s[a-z]+s"}}"#) == ["2", "3"])
        #expect(try ids(#"{"regexp":{"body":"b(ea|ro)[a-z]*"}}"#) == ["1", "5"])
        #expect(try ids(#"{"regexp":{"tag":"c.{2}e"}}"#) == ["3", "4"])
        #expect(try ids(#"{"fuzzy":{"body":"lasy"}}"#) == ["1", "2"])
        #expect(try ids(#"{"fuzzy":{"body":{"value":"lasy","fuzziness":0}}}"#) == [])
        let constant = try fixture.search(#"{"query":{"prefix":{"body":{"value":"ser","boost":4}}}}"#)
        #expect(SearchFixture.scores(constant) == [4])
    }

    @Test func numericFieldsRefuseTextQueries() throws {
        let error = try #require(fixture.error(#"{"query":{"prefix":{"count":"1"}}}"#))
        #expect(error.causedBy.first?.reason.contains("Can only use prefix queries on keyword and text fields") == true)
    }

    @Test func compound() throws {
        #expect(try ids(#"{"bool":{"must":{"match":{"body":"fox"}},"filter":[{"term":{"tag":"animal"}}]}}"#) == ["1"])
        #expect(try ids(#"{"bool":{"must_not":[{"term":{"tag":"animal"}}]}}"#) == ["3", "4"])
        let negative = try fixture.search(#"{"query":{"bool":{"must_not":[{"term":{"tag":"animal"}}]}}}"#)
        #expect(SearchFixture.scores(negative) == [0, 0])
        let filtered = try fixture.search(#"{"query":{"bool":{"filter":{"term":{"tag":"code"}}}}}"#)
        #expect(SearchFixture.scores(filtered) == [0, 0])
        #expect(try ids(#"{"bool":{}}"#).count == 5)
        let constant = try fixture.search(#"{"query":{"constant_score":{"filter":{"term":{"tag":"code"}},"boost":1.7}}}"#)
        #expect(SearchFixture.scores(constant) == [1.7, 1.7])
        #expect(try ids(#"{"dis_max":{"queries":[{"term":{"tag":"code"}},{"match":{"body":"lazy"}}]}}"#) == ["1", "2", "3", "4"])
        // should + must: should only adds to the score.
        #expect(try ids(#"{"bool":{"must":{"term":{"tag":"animal"}},"should":{"match":{"body":"fish"}}}}"#) == ["1", "2", "5"])
        let ranked = try fixture.ids(#"{"query":{"bool":{"must":{"term":{"tag":"animal"}},"should":{"match":{"body":"fish"}}}}}"#)
        #expect(ranked.first == "5")
    }

    @Test func minimumShouldMatch() throws {
        let shoulds = #"[{"term":{"tag":"animal"}},{"term":{"tag":"fast"}},{"term":{"tag":"code"}}]"#
        #expect(try ids(#"{"bool":{"should":\#(shoulds),"minimum_should_match":2}}"#) == ["1", "3"])
        #expect(try ids(#"{"bool":{"should":\#(shoulds),"minimum_should_match":-1}}"#) == ["1", "3"])
        #expect(try ids(#"{"bool":{"should":\#(shoulds),"minimum_should_match":"67%"}}"#) == ["1", "3"])
        #expect(try ids(#"{"bool":{"should":\#(shoulds),"minimum_should_match":"34%"}}"#).count == 5)
        #expect(try ids(#"{"bool":{"should":\#(shoulds),"minimum_should_match":"-34%"}}"#) == ["1", "3"])
        #expect(try ids(#"{"bool":{"should":\#(shoulds),"minimum_should_match":4}}"#) == [])
        // With a must clause the default is 0: should clauses are optional.
        #expect(try ids(#"{"bool":{"must":{"term":{"tag":"code"}},"should":[{"term":{"tag":"fast"}}]}}"#) == ["3", "4"])
        #expect(try ids(#"{"bool":{"must":{"term":{"tag":"code"}},"should":[{"term":{"tag":"fast"}}],"minimum_should_match":1}}"#) == ["3"])
        // Only should (and must_not): at least one should clause.
        #expect(try ids(#"{"bool":{"should":[{"term":{"tag":"fast"}}],"must_not":{"term":{"tag":"code"}}}}"#) == ["1"])
    }
}
