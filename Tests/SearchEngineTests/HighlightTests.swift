import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Highlighting")
struct HighlightTests {
    private func highlight(_ response: JSONObject, _ index: Int = 0) -> [String: [String]] {
        guard SearchFixture.hits(response).count > index, case .object(let fields)? = SearchFixture.hits(response)[index]["highlight"] else { return [:] }
        var result: [String: [String]] = [:]
        for (name, value) in fields {
            if case .array(let fragments) = value { result[name] = fragments.compactMap(\.stringValue) }
        }
        return result
    }

    @Test func marksMatchedTokens() throws {
        let fixture = try QueryTestData.fixture()
        let response = try fixture.search(#"{"query":{"match":{"body":"quick dog"}},"highlight":{"fields":{"body":{}}},"sort":["_doc"]}"#)
        #expect(highlight(response)["body"] == ["The <em>quick</em> brown fox jumps over the lazy <em>dog</em>"])
        #expect(highlight(response, 1)["body"] == ["A lazy <em>dog</em> sleeps all day"])
        #expect(highlight(response, 1)["title"] == nil)
    }

    @Test func tagsFragmentsAndFieldMatch() throws {
        let fixture = try QueryTestData.fixture()
        let tagged = try fixture.search(#"{"query":{"match":{"body":"lazy"}},"highlight":{"pre_tags":["["],"post_tags":["]"],"fields":{"body":{}}},"sort":["_doc"]}"#)
        #expect(highlight(tagged)["body"] == ["The quick brown fox jumps over the [lazy] dog"])
        // require_field_match (default true): title is not queried, so not highlighted; false: it is.
        let strict = try fixture.search(#"{"query":{"match":{"body":"lazy"}},"highlight":{"fields":{"title":{}}},"sort":["_doc"]}"#)
        #expect(highlight(strict, 1).isEmpty)
        let loose = try fixture.search(#"{"query":{"match":{"body":"lazy"}},"highlight":{"require_field_match":false,"fields":{"title":{}}},"sort":["_doc"]}"#)
        #expect(highlight(loose, 1)["title"] == ["<em>Lazy</em> dog"])
        // Small fragments: each fragment holds matches; at most number_of_fragments, in text order.
        let fragments = try fixture.search(#"{"query":{"match":{"body":"quick lazy"}},"highlight":{"fields":{"body":{"fragment_size":18,"number_of_fragments":5}}},"sort":["_doc"]}"#)
        let pieces = try #require(highlight(fragments)["body"])
        #expect(pieces.count == 2)
        #expect(pieces[0].contains("<em>quick</em>") && pieces[1].contains("<em>lazy</em>"))
        #expect(pieces.allSatisfy { $0.count < 40 })
        let whole = try fixture.search(#"{"query":{"match":{"body":"quick lazy"}},"highlight":{"fields":{"body":{"fragment_size":18,"number_of_fragments":0}}},"sort":["_doc"]}"#)
        #expect(highlight(whole)["body"] == ["The <em>quick</em> brown fox jumps over the <em>lazy</em> dog"])
        let one = try fixture.search(#"{"query":{"match":{"body":"quick lazy"}},"highlight":{"fields":{"body":{"fragment_size":18,"number_of_fragments":1}}},"sort":["_doc"]}"#)
        #expect(highlight(one)["body"]?.count == 1)
    }

    @Test func multiTermAndWildcardFields() throws {
        let fixture = try QueryTestData.fixture()
        let prefix = try fixture.search(#"{"query":{"prefix":{"body":"ser"}},"highlight":{"fields":{"b*":{}}}}"#)
        #expect(highlight(prefix)["body"] == ["Swift is a fast language for <em>servers</em>"])
        let fuzzy = try fixture.search(#"{"query":{"match":{"title":{"query":"swfit","fuzziness":"AUTO"}}},"highlight":{"fields":{"title":{}}}}"#)
        #expect(highlight(fuzzy)["title"] == ["<em>Swift</em> programming"])
        let keyword = try fixture.search(#"{"query":{"term":{"tag":"code"}},"highlight":{"fields":{"tag":{}}},"sort":["_doc"]}"#)
        #expect(highlight(keyword)["tag"] == ["<em>code</em>"])
        let html = try fixture.search(#"{"query":{"match":{"body":"fish"}},"highlight":{"encoder":"html","fields":{"body":{}}}}"#)
        #expect(highlight(html)["body"] == ["Brown bears eat <em>fish</em>; the bear is quick"])
    }
}
