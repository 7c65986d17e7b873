import PostgresTestSupport
import SearchAPI
import SearchEngine
import StreamProcessing
import Testing

@Suite("REST documents: index, get, update, delete")
struct DocumentAPITests {
    @Test func indexGetUpdateDeleteFlow() async throws {
        try await APITest.run { client, _ in
            let created = try await client.put("/notes/_doc/1?refresh=true", json: #"{"title":"First note","n":1}"#)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json.string("result") == "created")
            #expect(created.json.int("_version") == 1)
            #expect(created.json.string("_index") == "notes")
            #expect(created.json.bool("forced_refresh") == true)
            #expect(created.json.int("_shards.successful") == 1)

            let fetched = try await client.get("/notes/_doc/1")
            #expect(fetched.status == 200)
            #expect(fetched.json.bool("found") == true)
            #expect(fetched.json.string("_source.title") == "First note")
            #expect(try await client.head("/notes/_doc/1").status == 200)

            let replaced = try await client.put("/notes/_doc/1", json: #"{"title":"First note","n":2}"#)
            #expect(replaced.status == 200)
            #expect(replaced.json.string("result") == "updated")
            #expect(replaced.json.int("_version") == 2)

            let updated = try await client.post("/notes/_update/1?_source=true", json: #"{"doc":{"n":3,"tag":"x"}}"#)
            #expect(updated.status == 200, "\(updated.text)")
            #expect(updated.json.string("result") == "updated")
            #expect(updated.json.int("_version") == 3)
            #expect(updated.json.int("get._source.n") == 3)
            #expect(updated.json.string("get._source.title") == "First note")

            let noop = try await client.post("/notes/_update/1", json: #"{"doc":{"n":3}}"#)
            #expect(noop.json.string("result") == "noop")
            #expect(noop.json.int("_version") == 3)

            let filtered = try await client.get("/notes/_doc/1?_source_includes=tag")
            #expect(filtered.json.path("_source")?.objectValue?.members.map(\.name) == ["tag"])
            let sourceless = try await client.get("/notes/_doc/1?_source=false")
            #expect(sourceless.json.path("_source") == nil)
            let source = try await client.get("/notes/_source/1")
            #expect(source.json.int("n") == 3)

            let deleted = try await client.delete("/notes/_doc/1")
            #expect(deleted.status == 200)
            #expect(deleted.json.string("result") == "deleted")
            #expect(deleted.json.int("_version") == 4)

            let missing = try await client.get("/notes/_doc/1")
            #expect(missing.status == 404)
            #expect(missing.json.bool("found") == false)
            #expect(try await client.head("/notes/_doc/1").status == 404)
            let deletedAgain = try await client.delete("/notes/_doc/1")
            #expect(deletedAgain.status == 404)
            #expect(deletedAgain.json.string("result") == "not_found")
        }
    }

    @Test func generatedIDsAndCreate() async throws {
        try await APITest.run { client, _ in
            let first = try await client.post("/notes/_doc", json: #"{"a":1}"#)
            #expect(first.status == 201)
            let id = try #require(first.json.string("_id"))
            #expect(id.utf8.count == 20)
            #expect(id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            let second = try await client.post("/notes/_doc", json: #"{"a":2}"#)
            #expect(second.json.string("_id") != id)

            #expect(try await client.put("/notes/_create/c1", json: #"{"a":1}"#).status == 201)
            let conflict = try await client.put("/notes/_create/c1", json: #"{"a":1}"#)
            #expect(conflict.status == 409)
            #expect(conflict.errorType == "version_conflict_engine_exception")
            #expect(conflict.json.int("status") == 409)
            let opType = try await client.put("/notes/_doc/c1?op_type=create", json: #"{"a":1}"#)
            #expect(opType.status == 409)
        }
    }

    @Test func optimisticConcurrency() async throws {
        try await APITest.run { client, _ in
            let created = try await client.put("/notes/_doc/1", json: #"{"a":1}"#)
            let seqNo = try #require(created.json.int("_seq_no"))
            let term = try #require(created.json.int("_primary_term"))
            let stale = try await client.put("/notes/_doc/1?if_seq_no=\(seqNo + 7)&if_primary_term=\(term)", json: #"{"a":2}"#)
            #expect(stale.status == 409)
            #expect(stale.errorType == "version_conflict_engine_exception")
            let current = try await client.put("/notes/_doc/1?if_seq_no=\(seqNo)&if_primary_term=\(term)", json: #"{"a":2}"#)
            #expect(current.status == 200, "\(current.text)")
            let invalid = try await client.put("/notes/_doc/1?if_seq_no=1", json: #"{"a":2}"#)
            #expect(invalid.status == 400)
            #expect(invalid.errorType == "action_request_validation_exception")
        }
    }

    @Test func updateUpsertsAndRefusesScripts() async throws {
        try await APITest.run { client, _ in
            let missing = try await client.post("/notes/_update/u1", json: #"{"doc":{"a":1}}"#)
            #expect(missing.status == 404)
            #expect(missing.errorType == "document_missing_exception")
            let upserted = try await client.post("/notes/_update/u1", json: #"{"doc":{"a":1},"doc_as_upsert":true}"#)
            #expect(upserted.status == 201, "\(upserted.text)")
            #expect(upserted.json.string("result") == "created")
            let withUpsert = try await client.post("/notes/_update/u2", json: #"{"doc":{"a":1},"upsert":{"a":0,"b":true}}"#)
            #expect(withUpsert.status == 201)
            #expect(try await client.get("/notes/_doc/u2").json.int("_source.a") == 0)
            let script = try await client.post("/notes/_update/u1", json: #"{"script":{"source":"ctx._source.a += 1"}}"#)
            #expect(script.status == 400)
            #expect(script.errorType == "illegal_argument_exception")
            #expect(script.json.string("error.reason")?.contains("scripts are not supported") == true)
        }
    }

    @Test func missingIndexAndBadDocuments() async throws {
        try await APITest.run { client, _ in
            let missing = try await client.get("/nothing/_doc/1")
            #expect(missing.status == 404)
            #expect(missing.errorType == "index_not_found_exception")
            #expect(missing.json.string("error.index") == "nothing")
            #expect(missing.json.array("error.root_cause").count == 1)
            let deleteMissing = try await client.delete("/nothing/_doc/1")
            #expect(deleteMissing.errorType == "index_not_found_exception")
            let badName = try await client.put("/Notes/_doc/1", json: #"{"a":1}"#)
            #expect(badName.status == 400)
            #expect(badName.errorType == "invalid_index_name_exception")
            #expect(badName.json.string("error.reason") == "Invalid index name [Notes], must be lowercase")
            let noBody = try await client.put("/notes/_doc/1")
            #expect(noBody.status == 400)
            #expect(noBody.errorType == "parse_exception")
            let malformed = try await client.put("/notes/_doc/1", json: #"{"a":"#)
            #expect(malformed.status == 400)
            #expect(malformed.errorType == "mapper_parsing_exception")
        }
    }
}
