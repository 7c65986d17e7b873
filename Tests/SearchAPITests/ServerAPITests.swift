import Foundation
import Logging
import PostgresTestSupport
import SearchAPI
import SearchEngine
import StreamProcessing
import Testing

@Suite("REST server: info, health, _cat, indices, errors, limits, security")
struct ServerAPITests {
    @Test func clusterInfo() async throws {
        try await APITest.run { client, _ in
            let info = try await client.get("/")
            #expect(info.status == 200)
            #expect(info.header("content-type") == "application/json; charset=UTF-8")
            #expect(info.json.string("cluster_name") == "moodle-pipeline")
            #expect(info.json.string("version.distribution") == "opensearch")
            #expect(info.json.string("version.number")?.hasPrefix("2.") == true)
            #expect(info.json.bool("version.build_snapshot") == false)
            #expect(info.json.string("tagline") == "The OpenSearch Project: https://opensearch.org/")
            #expect(info.header("x-elastic-product") == nil)
            let head = try await client.head("/")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            let pretty = try await client.get("/?pretty")
            #expect(pretty.text.hasPrefix("{\n  \"name\" : \"moodle-pipeline\",\n"))
            #expect(pretty.text.hasSuffix("}\n"))
            let filtered = try await client.get("/?filter_path=version.number,tagline")
            #expect(filtered.json.members.map(\.name) == ["version", "tagline"])
            #expect(filtered.json.path("version")?.objectValue?.members.map(\.name) == ["number"])
        }
    }

    @Test func elasticsearchCompatibility() async throws {
        try await APITest.run(SearchAPIConfiguration(port: 0, elasticsearchCompatibility: true)) { client, _ in
            let plain = try await client.get("/")
            #expect(plain.header("x-elastic-product") == "Elasticsearch")
            #expect(plain.json.string("version.number") == "7.10.2")
            #expect(plain.json.string("version.build_flavor") == "default")
            #expect(plain.json.string("tagline") == "You Know, for Search")
            let compatible = try await client.send(
                "PUT", "/notes/_doc/1", body: #"{"a":1}"#, contentType: "application/vnd.elasticsearch+json; compatible-with=8",
                headers: [("Accept", "application/vnd.elasticsearch+json; compatible-with=8")])
            #expect(compatible.status == 201)
            #expect(compatible.header("content-type") == "application/vnd.elasticsearch+json;compatible-with=8")
            let failed = try await client.get("/missing/_doc/1")
            #expect(failed.header("x-elastic-product") == "Elasticsearch")
        }
    }

    @Test func healthAndCatIndices() async throws {
        try await APITest.run { client, _ in
            #expect(try await client.get("/_cluster/health").json.string("status") == "green")
            #expect(try await client.put("/replicated", json: nil).status == 200)
            #expect(try await client.put("/single", json: #"{"settings":{"index":{"number_of_replicas":0}}}"#).status == 200)
            _ = try await client.put("/single/_doc/1?refresh=true", json: #"{"a":1}"#)
            let health = try await client.get("/_cluster/health?wait_for_status=yellow&timeout=5s")
            #expect(health.status == 200)
            #expect(health.json.string("status") == "yellow", "one replica that one node cannot allocate")
            #expect(health.json.bool("timed_out") == false)
            #expect(health.json.int("unassigned_shards") == 1)
            #expect(try await client.get("/_cluster/health/single").json.string("status") == "green")
            let waited = try await client.get("/_cluster/health?wait_for_status=green&timeout=100ms")
            #expect(waited.status == 408)
            #expect(waited.json.bool("timed_out") == true)

            let json = try await client.get("/_cat/indices?format=json&s=index")
            #expect(json.status == 200)
            guard case .array(let rows)? = try? JSONParser.parse(json.body) else {
                Issue.record("not an array: \(json.text)")
                return
            }
            #expect(rows.count == 2)
            for row in rows {
                let object = try #require(row.objectValue)
                #expect(object.members.allSatisfy { if case .string = $0.value { true } else { false } }, "every value is a string")
                #expect(object.members.map(\.name) == ["health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size"])
            }
            #expect(rows.first?.objectValue?["index"] == .string("replicated"))
            #expect(rows.last?.objectValue?["docs.count"] == .string("1"))
            #expect(rows.last?.objectValue?["health"] == .string("green"))

            let text = try await client.get("/_cat/indices?v&h=index,docs.count&s=index:desc")
            #expect(text.header("content-type") == "text/plain; charset=UTF-8")
            let lines = text.text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(lines == [["index", "docs.count"], ["single", "1"], ["replicated", "0"]])
            #expect(try await client.get("/_cat/indices/nope").status == 404)
        }
    }

    @Test func indexAdministration() async throws {
        try await APITest.run { client, _ in
            let created = try await client.put("/notes", json: #"{"mappings":{"properties":{"title":{"type":"text"}}}}"#)
            #expect(created.json.bool("shards_acknowledged") == true)
            let exists = try await client.put("/notes", json: nil)
            #expect(exists.status == 400)
            #expect(exists.errorType == "resource_already_exists_exception")
            #expect(try await client.head("/notes").status == 200)
            #expect(try await client.head("/nope").status == 404)
            let invalid = try await client.put("/UPPER", json: nil)
            #expect(invalid.status == 400)
            #expect(invalid.json.string("error.reason") == "Invalid index name [UPPER], must be lowercase")
            let unknownKey = try await client.put("/other", json: #"{"setting":{}}"#)
            #expect(unknownKey.status == 400)

            let put = try await client.put("/notes/_mapping", json: #"{"properties":{"n":{"type":"long"}}}"#)
            #expect(put.json.bool("acknowledged") == true, "\(put.text)")
            let mapping = try await client.get("/notes/_mapping")
            #expect(mapping.json.string("notes.mappings.properties.n.type") == "long")
            #expect(mapping.json.string("notes.mappings.properties.title.type") == "text")
            let conflict = try await client.put("/notes/_mapping", json: #"{"properties":{"n":{"type":"text"}}}"#)
            #expect(conflict.status == 400)
            let index = try await client.get("/notes")
            #expect(index.json.path("notes.aliases") != nil)
            #expect(index.json.string("notes.settings.index.number_of_shards") == "1")
            #expect(try await client.post("/notes/_refresh").json.int("_shards.failed") == 0)

            let deleted = try await client.delete("/notes")
            #expect(deleted.json.bool("acknowledged") == true)
            #expect(try await client.head("/notes").status == 404)
            let deleteMissing = try await client.delete("/notes")
            #expect(deleteMissing.status == 404)
            #expect(try await client.delete("/nothing-*").status == 200)
        }
    }

    @Test func routingErrors() async throws {
        try await APITest.run { client, _ in
            let unknown = try await client.get("/a/b/c/d/e")
            #expect(unknown.status == 400)
            #expect(unknown.json.string("error") == "no handler found for uri [/a/b/c/d/e] and method [GET]")
            let wrongMethod = try await client.send("PATCH", "/notes/_doc/1", body: #"{}"#)
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.json.string("error")?.hasPrefix("Incorrect HTTP method for uri [/notes/_doc/1] and method [PATCH], allowed: [") == true)
            #expect(wrongMethod.header("allow") != nil)
            let contentType = try await client.send("PUT", "/notes/_doc/1", body: "a=1", contentType: "application/x-www-form-urlencoded")
            #expect(contentType.status == 406)
            #expect(contentType.json.string("error") == "Content-Type header [application/x-www-form-urlencoded] is not supported")
            let noContentType = try await client.send("PUT", "/notes/_doc/1", body: #"{"a":1}"#, contentType: nil)
            #expect(noContentType.status == 201)
            let encodedID = try await client.put("/notes/_doc/a%2Fb", json: #"{"a":1}"#)
            #expect(encodedID.json.string("_id") == "a/b")
        }
    }

    @Test func bodyLimit() async throws {
        try await APITest.run(SearchAPIConfiguration(port: 0, maxContentLength: 1024)) { client, _ in
            let large = "{\"text\":\"" + String(repeating: "x", count: 2000) + "\"}"
            let refused = try await client.put("/notes/_doc/1", json: large)
            #expect(refused.status == 413)
            #expect(refused.errorType == "content_too_long_exception")
            let declared = try await client.send("POST", "/_bulk", body: "{}", contentType: "application/x-ndjson", declaredLength: 200 << 20)
            #expect(declared.status == 413)
            #expect(try await client.put("/notes/_doc/1", json: #"{"text":"small"}"#).status == 201)
        }
    }

    @Test func authentication() async throws {
        var configuration = SearchAPIConfiguration(port: 0, apiKey: "s3cret-key")
        configuration.basicAuth = (user: "admin", password: "pa55")
        try await APITest.run(configuration) { client, _ in
            let anonymous = try await client.get("/")
            #expect(anonymous.status == 401)
            #expect(anonymous.errorType == "security_exception")
            #expect(anonymous.headers("www-authenticate").count == 2)
            var wrong = client
            wrong.authorization = "ApiKey nope"
            #expect(try await wrong.get("/").status == 401)
            var keyed = client
            keyed.authorization = "ApiKey s3cret-key"
            #expect(try await keyed.get("/").status == 200)
            keyed.authorization = "ApiKey " + Data("s3cret-key".utf8).base64EncodedString()
            #expect(try await keyed.get("/_cluster/health").status == 200)
            var basic = client
            basic.authorization = "Basic " + Data("admin:pa55".utf8).base64EncodedString()
            #expect(try await basic.put("/notes/_doc/1", json: #"{"a":1}"#).status == 201)
            basic.authorization = "Basic " + Data("admin:wrong".utf8).base64EncodedString()
            let refused = try await basic.get("/notes/_doc/1")
            #expect(refused.status == 401)
            #expect(!refused.text.contains("wrong"))
        }
    }

    @Test func nonLoopbackWithoutAuthenticationIsRefused() async throws {
        let directory = try makeTemporaryDirectory("search-api-exposure")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "search-api-test")
        let engine = try SearchEngine(directory: directory, logger: logger)
        let writer = RefusingWriter()
        for host in ["0.0.0.0", "::", "192.168.1.10", "example.org"] {
            #expect(throws: SearchError.self) {
                try SearchServer(configuration: SearchAPIConfiguration(host: host, port: 0), engine: engine, writer: writer, logger: logger)
            }
            _ = try SearchServer(configuration: SearchAPIConfiguration(host: host, port: 0, apiKey: "k"), engine: engine, writer: writer, logger: logger)
        }
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"] {
            _ = try SearchServer(configuration: SearchAPIConfiguration(host: host, port: 0), engine: engine, writer: writer, logger: logger)
        }
        engine.close()
    }
}

/// A writer for tests that never write.
private struct RefusingWriter: DocumentWriting {
    func write(_ operations: [DocumentOperation], to index: SearchIndex, refresh: RefreshPolicy) async throws(SearchError) -> [DocumentResult] {
        throw SearchError("exception", "not writable", status: 500)
    }
}
