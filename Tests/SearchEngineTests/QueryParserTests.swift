import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Query DSL parsing and limits")
struct QueryParserTests {
    private func parse(_ text: String) throws -> ParsedQuery {
        try QueryParser.parse(try JSONParser.parse(Array(text.utf8)))
    }

    private func parseError(_ text: String) -> SearchError? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as SearchError {
            return error
        } catch {
            return nil
        }
    }

    @Test func unknownAndMalformedQueries() {
        #expect(parseError(#"{"foo":{}}"#)?.type == "parsing_exception")
        #expect(parseError(#"{"foo":{}}"#)?.reason == "unknown query [foo]")
        #expect(parseError(#"{"match":{"a":"x","b":"y"}}"#)?.reason == "[match] query doesn't support multiple fields, found [a] and [b]")
        #expect(parseError(#"{"match_all":{},"term":{"a":"b"}}"#)?.type == "parsing_exception")
        #expect(parseError(#"{"term":{"a":{"value":"x","bogus":1}}}"#)?.reason == "[term] query does not support [bogus]")
        #expect(parseError(#"{"bool":{"must":"x"}}"#)?.type == "parsing_exception")
        #expect(parseError(#"{"match_all":[]}"#)?.type == "parsing_exception")
        #expect(parseError(#"{"match":{"a":{"query":"x","fuzziness":"lots"}}}"#)?.type == "parsing_exception")
        #expect(parseError(#"{"exists":{}}"#)?.type == "parsing_exception")
        #expect(parseError(#"{"match":{"a":{"query":"x","_name":"n","boost":2}}}"#) == nil)
    }

    @Test func requestErrors() throws {
        let fixture = try QueryTestData.fixture()
        #expect(fixture.error(#"{"query":{"nope":{}}}"#)?.type == "parsing_exception")
        #expect(fixture.error(#"{"bogus":1}"#)?.reason == "Unknown key for a VALUE_NUMBER in [bogus].")
        #expect(fixture.error(#"{"sort":[{"count":{"order":"sideways"}}]}"#)?.type == "illegal_argument_exception")
    }

    @Test func boolDepthLimit() throws {
        var query = #"{"match_all":{}}"#
        for _ in 0..<21 { query = #"{"bool":{"must":[\#(query)]}}"# }
        let error = try #require(parseError(query))
        #expect(error.type == "illegal_argument_exception")
        var shallow = #"{"match_all":{}}"#
        for _ in 0..<19 { shallow = #"{"bool":{"must":[\#(shallow)]}}"# }
        #expect(parseError(shallow) == nil)
    }

    @Test func clauseCountLimit() throws {
        let fixture = try QueryTestData.fixture()
        let clauses = (0..<1025).map { #"{"term":{"tag":"t\#($0)"}}"# }.joined(separator: ",")
        let error = try #require(fixture.error(#"{"query":{"bool":{"should":[\#(clauses)]}}}"#))
        #expect(error.type == "search_phase_execution_exception")
        #expect(error.causedBy.first?.type == "too_many_clauses")
        #expect(error.causedBy.first?.reason == "maxClauseCount is set to 1024")
        let words = (0..<1100).map { "w\($0)" }.joined(separator: " ")
        #expect(fixture.error(#"{"query":{"match":{"body":"\#(words)"}}}"#)?.causedBy.first?.type == "too_many_clauses")
        let fine = (0..<1000).map { #"{"term":{"tag":"t\#($0)"}}"# }.joined(separator: ",")
        #expect(fixture.error(#"{"query":{"bool":{"should":[\#(fine)]}}}"#) == nil)
    }

    @Test func regexLimits() throws {
        let fixture = try QueryTestData.fixture()
        let long = String(repeating: "a", count: 1001)
        let error = try #require(fixture.error(#"{"query":{"regexp":{"body":"\#(long)"}}}"#))
        #expect(error.type == "search_phase_execution_exception")
        #expect(error.causedBy.first?.type == "illegal_argument_exception")
        #expect(error.causedBy.first?.reason == "The length of regex [1001] used in the Regexp Query request has exceeded the allowed maximum of [1000]. This maximum can be set by changing the [index.max_regex_length] index level setting.")
        let explosive = fixture.error(#"{"query":{"regexp":{"body":"(a{1,100}){1,100}"}}}"#)
        #expect(explosive?.causedBy.first?.type == "too_complex_to_determinize_exception")
        #expect(fixture.error(#"{"query":{"regexp":{"body":"(a|b)*c[^d]?"}}}"#) == nil)
    }

    @Test func minimumShouldMatchSpecs() {
        #expect(MinimumShouldMatch.calculate(5, "3") == 3)
        #expect(MinimumShouldMatch.calculate(5, "-2") == 3)
        #expect(MinimumShouldMatch.calculate(5, "75%") == 3)
        #expect(MinimumShouldMatch.calculate(5, "-25%") == 4)
        #expect(MinimumShouldMatch.calculate(3, "2<-25% 9<-3") == 3)
        #expect(MinimumShouldMatch.calculate(8, "2<-25% 9<-3") == 6)
        #expect(MinimumShouldMatch.calculate(12, "2<-25% 9<-3") == 9)
        #expect(MinimumShouldMatch.calculate(5, "x") == nil)
    }

    @Test func automata() throws {
        let regex = try RegexAutomaton("ab+c|d[0-9]{2,3}", maxStates: 1000)
        #expect(regex.matches(Array("abbbc".utf8)) && regex.matches(Array("d123".utf8)))
        #expect(!regex.matches(Array("ac".utf8)) && !regex.matches(Array("d1".utf8)) && !regex.matches(Array("d1234".utf8)))
        #expect(regex.literalPrefix.isEmpty)
        #expect(try RegexAutomaton("foo.*", maxStates: 100).literalPrefix == Array("foo".utf8))
        #expect(WildcardPattern("a*b?c").matches(Array("axxbyc".utf8)))
        #expect(!WildcardPattern("a*b?c").matches(Array("abc".utf8)))
        #expect(WildcardPattern("é*").matches(Array("éa".utf8)))
        let fuzzy = FuzzyMatcher(term: "quick", maxEdits: 1, prefixLength: 0, transpositions: true)
        #expect(fuzzy.distance(Array("quikc".utf8))?.edits == 1)
        #expect(fuzzy.distance(Array("quack".utf8))?.edits == 1)
        #expect(fuzzy.distance(Array("qack".utf8)) == nil)
        #expect(fuzzy.boost(edits: 1, candidateLength: 5) == 1 - Float(1) / 5)
    }
}
