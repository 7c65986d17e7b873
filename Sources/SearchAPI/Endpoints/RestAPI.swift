import BlockingIO
import Logging
import SearchEngine
import StreamProcessing

/// The endpoints: one method per OpenSearch API, grouped by concern in `RestAPI+*.swift`. Requests arrive
/// already authenticated, routed and with their whole body; every failure is a `SearchError`.
final class RestAPI: Sendable {
    let engine: SearchEngine
    let writer: any DocumentWriting
    let configuration: SearchAPIConfiguration
    let logger: Logger
    let scrolls: SearchContextStore<ScrollCursor>
    let pointsInTime: SearchContextStore<PointInTime>
    /// Made up at start (a single node has no cluster state to keep it in).
    let clusterUUID = GeneratedID.random(bytes: 16)

    init(
        engine: SearchEngine, writer: any DocumentWriting, configuration: SearchAPIConfiguration, logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.engine = engine
        self.writer = writer
        self.configuration = configuration
        self.logger = logger
        scrolls = SearchContextStore(kind: .scroll, capacity: SearchAPILimits.maxOpenScrollContexts, now: now)
        pointsInTime = SearchContextStore(kind: .pointInTime, capacity: SearchAPILimits.maxOpenPointInTimeContexts, now: now)
    }

    func handle(_ route: Route, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        switch route {
        case .root: return info(request)
        case .clusterHealth(let index): return try await clusterHealth(index, request)
        case .catIndices(let index): return try catIndices(index, request)
        case .catHealth: return try catHealth(request)
        case .index(let name): return try await indexRoute(name, request)
        case .mapping(let index): return try await mapping(index, request)
        case .settings(let index): return try settings(index, request)
        case .refresh(let index): return try await refresh(index, request)
        case .count(let index): return try count(index, request)
        case .search(let index): return try search(index, request)
        case .multiSearch(let index): return try await multiSearch(index, request)
        case .bulk(let index): return try await bulk(index, request)
        case .document(let index, let id): return try await documentRoute(index, id, request)
        case .create(let index, let id): return try await indexDocument(index, id: id, request, create: true)
        case .update(let index, let id): return try await update(index, id: id, request)
        case .source(let index, let id): return try getSource(index, id: id, request)
        case .scroll(let id): return try scroll(id, request)
        case .createPointInTime(let index): return try createPointInTime(index, request)
        case .pointsInTime(let all): return try pointsInTimeRoute(all: all, request)
        }
    }

    // MARK: Shared helpers

    /// The indices an expression names, as OpenSearch's `IndicesOptions`: `ignore_unavailable` skips missing
    /// concrete names, `allow_no_indices` (default true) lets wildcards match nothing.
    func resolve(_ expression: String?, _ request: RestRequest, allowNoIndicesDefault: Bool = true) throws(SearchError) -> [SearchIndex] {
        let ignoreUnavailable = try request.flag("ignore_unavailable")
        let allowNoIndices = try request.flag("allow_no_indices", default: allowNoIndicesDefault)
        var parts = (expression ?? "_all").split(separator: ",").map(String.init)
        if ignoreUnavailable {
            parts.removeAll { part in
                !part.contains("*") && !part.hasPrefix("-") && part != "_all" && engine.index(part) == nil
            }
            if parts.isEmpty {
                if allowNoIndices { return [] }
                throw .indexNotFound(expression ?? "_all")
            }
        }
        return try engine.resolve(parts.joined(separator: ","), allowNoIndices: allowNoIndices)
    }

    /// The index to write to, created with dynamic mapping when missing (OpenSearch's
    /// `action.auto_create_index`, true by default).
    func indexForWriting(_ name: String) async throws(SearchError) -> SearchIndex {
        if let index = engine.index(name) { return index }
        try SearchEngine.validateIndexName(name)
        let engine = self.engine
        do {
            return try await blocking { () throws(SearchError) in try engine.createIndex(name, settings: nil, mappings: nil) }
        } catch let error where error.type == "resource_already_exists_exception" {
            if let index = engine.index(name) { return index }
            throw error
        }
    }

    /// Runs file work (index creation and deletion, refreshes, mapping updates) on its own thread, off the
    /// cooperative pool.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws(SearchError) -> T) async throws(SearchError) -> T {
        do {
            return try await runBlocking(name: "moodle-pipeline.search-api") { () throws -> T in try body() }
        } catch let error as SearchError {
            throw error
        } catch is CancellationError {
            throw SearchError("task_cancelled_exception", "the request was cancelled", status: 500)
        } catch {
            throw RestErrors.internalError(error)
        }
    }

    /// `_shards` of a write: one primary, plus the replicas the index asks for (never allocated here).
    static func writeShards(_ index: SearchIndex?, successful: Bool = true) -> JSONValue {
        let total = 1 + (index?.numberOfReplicas ?? 0)
        return .object(JSONObject([
            ("total", .integer(Int64(successful ? total : 0))), ("successful", .integer(successful ? 1 : 0)), ("failed", .integer(0)),
        ]))
    }

    /// `_shards` of a read over `count` indices (one shard each).
    static func readShards(_ count: Int) -> JSONValue {
        .object(JSONObject([
            ("total", .integer(Int64(count))), ("successful", .integer(Int64(count))), ("skipped", .integer(0)), ("failed", .integer(0)),
        ]))
    }
}
