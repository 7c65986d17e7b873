import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("query_string and simple_query_string")
struct QueryStringTests {
    let fixture: SearchFixture

    init() throws {
        fixture = try QueryTestData.fixture()
    }

    private func ids(_ text: String, _ extra: String = "") throws -> Set<String> {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return try fixture.idSet(#"{"query":{"query_string":{"query":"\#(escaped)"\#(extra)}}}"#)
    }

    private func simple(_ text: String, _ extra: String = "") throws -> Set<String> {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return try fixture.idSet(#"{"query":{"simple_query_string":{"query":"\#(escaped)"\#(extra)}}}"#)
    }

    @Test func termsAndFields() throws {
        #expect(try ids("quick") == ["1", "5"])
        #expect(try ids("body:lazy") == ["1", "2"])
        #expect(try ids("title:lazy") == ["2"])
        #expect(try ids("tag:code") == ["3", "4"])
        #expect(try ids("count:7") == ["4"])
        #expect(try ids("body:(fish OR servers)") == ["3", "5"])
        #expect(try ids("lazy", #","default_field":"title""#) == ["2"])
        #expect(try ids("brown", #","fields":["title"]"#) == ["1", "5"])
        #expect(try ids("*:*").count == 5)
        #expect(try ids("*").count == 5)
    }

    @Test func booleanOperators() throws {
        #expect(try ids("quick AND dog") == ["1"])
        #expect(try ids("quick && dog") == ["1"])
        #expect(try ids("fish OR servers") == ["3", "5"])
        #expect(try ids("fish || servers") == ["3", "5"])
        #expect(try ids("quick NOT fox") == ["5"])
        #expect(try ids("quick !fox") == ["5"])
        #expect(try ids("quick -fox") == ["5"])
        #expect(try ids("+quick +dog") == ["1"])
        #expect(try ids("(quick OR swift) AND fast") == ["1", "3"])
        #expect(try ids("quick dog", #","default_operator":"AND""#) == ["1"])
        // Lucene's classic semantics: `a AND b OR c` makes a and b required, c optional.
        #expect(try ids("quick AND dog OR fish") == ["1"])
        #expect(try ids("NOT quick").isEmpty == false)
        #expect(try ids("-tag:animal") == ["3", "4"])
    }

    @Test func phrasesWildcardsFuzzyRangesExists() throws {
        #expect(try ids("\"lazy dog\"") == ["1", "2"])
        #expect(try ids("\"quick fox\"") == [])
        #expect(try ids("\"quick fox\"~1") == ["1"])
        #expect(try ids("body:qu*") == ["1", "5"])
        #expect(try ids("body:l?zy") == ["1", "2"])
        #expect(try ids("body:Qu*") == ["1", "5"])
        #expect(try ids("body:lasy~") == ["1", "2"])
        #expect(try ids("body:lasy~1") == ["1", "2"])
        #expect(try ids("body:lasy~0") == [])
        #expect(try ids("body:/s[a-z]+s/") == ["2", "3"])
        #expect(try ids("count:[5 TO 10]") == ["1", "3", "4"])
        #expect(try ids("count:{5 TO 10}") == ["4"])
        #expect(try ids("count:[5 TO 10}") == ["1", "4"])
        #expect(try ids("count:[7 TO *]") == ["3", "4"])
        #expect(try ids("count:>=7") == ["3", "4"])
        #expect(try ids("count:<5") == ["2", "5"])
        #expect(try ids("published:[2024-01-01 TO 2024-02-28]") == ["1", "2"])
        #expect(try ids("_exists_:price") == ["1", "2", "3", "5"])
        #expect(try ids("price:*") == ["1", "2", "3", "5"])
        #expect(try ids("body:lazy^3 OR fish").count == 3)
        #expect(try ids("title.keyword:Lazy\\ dog") == ["2"])
    }

    @Test func boostsScale() throws {
        let plain = try fixture.search(#"{"query":{"query_string":{"query":"body:fish"}}}"#)
        let boosted = try fixture.search(#"{"query":{"query_string":{"query":"body:fish^2"}}}"#)
        #expect(SearchFixture.scores(boosted) == SearchFixture.scores(plain).map { $0 * 2 })
    }

    @Test func syntaxErrors() throws {
        for text in ["body:(quick", "quick AND", "\"unterminated", "count:[1 TO", "body:", "(a OR b))", "^2"] {
            let escaped = text.replacingOccurrences(of: "\"", with: "\\\"")
            let error = try #require(fixture.error(#"{"query":{"query_string":{"query":"\#(escaped)"}}}"#), "\(text)")
            #expect(error.type == "search_phase_execution_exception", "\(text)")
            #expect(error.status == 400)
            let cause = try #require(error.causedBy.first)
            #expect(cause.type == "query_shard_exception", "\(text)")
            #expect(cause.reason == "Failed to parse query [\(text)]", "\(text)")
            #expect(cause.index == "test")
        }
        let leading = fixture.error(#"{"query":{"query_string":{"query":"*ick","allow_leading_wildcard":false}}}"#)
        #expect(leading?.causedBy.first?.type == "query_shard_exception")
    }

    @Test func uriSearch() throws {
        #expect(try Set(fixture.ids(nil, parameters: ["q": "tag:code"])) == ["3", "4"])
        #expect(try Set(fixture.ids(nil, parameters: ["q": "lazy", "df": "title"])) == ["2"])
        #expect(try Set(fixture.ids(nil, parameters: ["q": "quick dog", "default_operator": "AND"])) == ["1"])
    }

    @Test func simpleQueryString() throws {
        #expect(try simple("quick dog") == ["1", "2", "5"])
        #expect(try simple("quick + dog") == ["1"])
        #expect(try simple("quick dog", #","default_operator":"and""#) == ["1"])
        #expect(try simple("fish | servers") == ["3", "5"])
        #expect(try simple("quick + -fox") == ["5"])
        #expect(try simple("\"lazy dog\"") == ["1", "2"])
        #expect(try simple("\"quick fox\"~1") == ["1"])
        #expect(try simple("serv*") == ["3"])
        #expect(try simple("lasy~1") == ["1", "2"])
        #expect(try simple("(fish | servers) + fast") == ["3"])
        #expect(try simple("brown", #","fields":["title^2"]"#) == ["1", "5"])
        #expect(try simple("serv*", #","flags":"NONE""#) == [])
        // Never a syntax error: unbalanced pieces are read as text.
        #expect(try simple("quick (\"unbalanced") == ["1", "5"])
    }
}
