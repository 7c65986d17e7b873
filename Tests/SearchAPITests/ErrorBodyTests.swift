import SearchAPI
import SearchEngine
import StreamProcessing
import Testing

@Suite struct ErrorBodyTests {
    @Test func indexNotFoundHasOpenSearchShape() throws {
        let body = ErrorBody.json(.indexNotFound("nope"))
        #expect(body["status"] == .integer(404))
        let error = try #require(body["error"]?.objectValue)
        #expect(error["type"] == .string("index_not_found_exception"))
        #expect(error["reason"] == .string("no such index [nope]"))
        #expect(error["index"] == .string("nope"))
        guard case .array(let causes)? = error["root_cause"] else { Issue.record("no root_cause"); return }
        #expect(causes.count == 1)
        #expect(causes.first?.objectValue?["type"] == .string("index_not_found_exception"))
    }

    @Test func rootCausesAreTheInnermostErrors() throws {
        let inner = SearchError.parsing("unknown query [mtch]")
        let outer = SearchError("search_phase_execution_exception", "all shards failed", status: 400, causedBy: [inner])
        let error = try #require(ErrorBody.json(outer)["error"]?.objectValue)
        guard case .array(let causes)? = error["root_cause"] else { Issue.record("no root_cause"); return }
        #expect(causes.first?.objectValue?["type"] == .string("parsing_exception"))
        #expect(error["caused_by"]?.objectValue?["reason"] == .string("unknown query [mtch]"))
    }
}
