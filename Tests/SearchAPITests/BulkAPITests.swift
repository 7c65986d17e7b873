import PostgresTestSupport
import SearchAPI
import SearchEngine
import StreamProcessing
import Testing

@Suite("REST _bulk")
struct BulkAPITests {
    @Test func mixedItemsKeepRequestOrderWithPerItemErrors() async throws {
        try await APITest.run { client, _ in
            let response = try await client.bulk("/_bulk?refresh=true", [
                #"{"index":{"_index":"a","_id":"1"}}"#, #"{"n":1}"#,
                #"{"create":{"_index":"b","_id":"1"}}"#, #"{"n":2}"#,
                #"{"create":{"_index":"a","_id":"1"}}"#, #"{"n":3}"#,
                #"{"update":{"_index":"a","_id":"1"}}"#, #"{"doc":{"m":1}}"#,
                #"{"update":{"_index":"a","_id":"missing"}}"#, #"{"doc":{"m":1}}"#,
                #"{"delete":{"_index":"b","_id":"1"}}"#,
                #"{"delete":{"_index":"b","_id":"nope"}}"#,
                #"{"index":{"_index":"Bad"}}"#, #"{"n":4}"#,
                #"{"index":{"_index":"a"}}"#, #"{"n":"#,
                #"{"update":{"_index":"a","_id":"1"}}"#, #"{"script":"ctx._source.n++"}"#,
            ])
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json.bool("errors") == true)
            let items = response.json.array("items")
            let summary = items.map { item -> String in
                guard case .object(let object) = item, let (action, value) = object.members.first, case .object(let body) = value else { return "?" }
                return "\(action):\(body.string("_index") ?? ""):\(body.int("status") ?? 0):\(body.string("result") ?? body.string("error.type") ?? "")"
            }
            #expect(summary == [
                "index:a:201:created",
                "create:b:201:created",
                "create:a:409:version_conflict_engine_exception",
                "update:a:200:updated",
                "update:a:404:document_missing_exception",
                "delete:b:200:deleted",
                "delete:b:404:not_found",
                "index:Bad:400:invalid_index_name_exception",
                "index:a:400:mapper_parsing_exception",
                "update:a:400:illegal_argument_exception",
            ])
            let updated = try await client.get("/a/_doc/1")
            #expect(updated.json.int("_source.m") == 1)
            #expect(updated.json.int("_version") == 2)
        }
    }

    @Test func defaultIndexGeneratedIDsAndAutoCreation() async throws {
        try await APITest.run { client, engine in
            let lines = (0..<500).flatMap { [#"{"index":{}}"#, #"{"n":\#($0)}"#] }
            let response = try await client.bulk("/numbers/_bulk?refresh=wait_for", lines)
            #expect(response.status == 200)
            #expect(response.json.bool("errors") == false)
            let ids = response.json.array("items").compactMap { $0.objectValue?["index"]?.objectValue?["_id"]?.stringValue }
            #expect(Set(ids).count == 500)
            #expect(engine.index("numbers")?.stats.docsCount == 500)
            let count = try await client.get("/numbers/_count")
            #expect(count.json.int("count") == 500, "\(count.text)")
        }
    }

    @Test func malformedRequestsFailWhole() async throws {
        try await APITest.run { client, engine in
            let noNewline = try await client.send("POST", "/_bulk", body: "{\"index\":{\"_index\":\"a\"}}\n{\"n\":1}", contentType: "application/x-ndjson")
            #expect(noNewline.status == 400)
            #expect(noNewline.json.string("error.reason") == "The bulk request must be terminated by a newline [\\n]")
            let unknownAction = try await client.bulk([#"{"upsert":{"_index":"a"}}"#, #"{"n":1}"#])
            #expect(unknownAction.status == 400)
            #expect(unknownAction.errorType == "illegal_argument_exception")
            #expect(unknownAction.json.string("error.reason")?.contains("expected one of [create, delete, index, update] but found [upsert]") == true)
            let unknownParameter = try await client.bulk([#"{"index":{"_index":"a","colour":"red"}}"#, #"{"n":1}"#])
            #expect(unknownParameter.json.string("error.reason") == "Action/metadata line [1] contains an unknown parameter [colour]")
            let noIndex = try await client.bulk([#"{"index":{}}"#, #"{"n":1}"#])
            #expect(noIndex.errorType == "action_request_validation_exception")
            let badJSON = try await client.bulk([#"{"index":"#, #"{"n":1}"#])
            #expect(badJSON.status == 400)
            let empty = try await client.send("POST", "/_bulk", body: "", contentType: "application/x-ndjson")
            #expect(empty.status == 400)
            #expect(engine.index("a") == nil, "a failed bulk request must not write anything")
        }
    }
}
