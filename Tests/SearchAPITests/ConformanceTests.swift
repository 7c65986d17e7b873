import Foundation
import Logging
import PartitionedLog
import PostgresTestSupport
import SearchAPI
import SearchEngine
import Testing

/// The conformance suites of Tests/SearchConformance: unmodified opensearch-py and elasticsearch-py, pinned
/// in requirements.txt and installed by setup-venv.sh into .build/conformance-venv (CI runs it before
/// `swift test`), against the API served in-process over a fresh directory. Each suite prints one line per
/// check; a failing suite's output is shown in full. A missing or stale environment fails these tests — it
/// never skips them.
@Suite("OpenSearch and Elasticsearch clients against the search API")
struct ConformanceTests {
    @Test func openSearchClient() async throws {
        let run = try await ConformanceRun.suite("opensearch_suite.py", configuration: SearchAPIConfiguration(port: 0))
        #expect(run.status == 0, "opensearch-py suite failed (exit \(run.status)):\n\(run.report)")
        #expect(run.output.contains("conformance: "), "the suite printed no summary:\n\(run.report)")
    }

    @Test func elasticsearchClient() async throws {
        let configuration = SearchAPIConfiguration(port: 0, elasticsearchCompatibility: true)
        let run = try await ConformanceRun.suite("elasticsearch_suite.py", configuration: configuration)
        #expect(run.status == 0, "elasticsearch-py suite failed (exit \(run.status)):\n\(run.report)")
        #expect(run.output.contains("conformance: "), "the suite printed no summary:\n\(run.report)")
    }

    @Test func authentication() async throws {
        let key = "conformance-\(UUID().uuidString)"
        let configuration = SearchAPIConfiguration(port: 0, apiKey: key, basicAuth: (user: "conformance", password: "s3cret:pass"))
        let run = try await ConformanceRun.suite(
            "opensearch_suite.py", configuration: configuration, arguments: ["--api-key", key, "--basic", "conformance:s3cret:pass"])
        #expect(run.status == 0, "opensearch-py authentication checks failed (exit \(run.status)):\n\(run.report)")
        #expect(run.output.contains("authentication: "), "the suite printed no summary:\n\(run.report)")
    }
}
