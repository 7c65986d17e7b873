import SearchEngine
import StreamProcessing

/// `GET /`, `_cluster/health`.
extension RestAPI {
    static let clusterName = "moodle-pipeline"
    /// The OpenSearch release whose REST behaviour this API follows.
    static let versionNumber = "2.19.0"
    static let luceneVersion = "9.12.1"

    /// Cluster info. With Elasticsearch compatibility on, the version is `7.10.2` (what OpenSearch itself
    /// reports with `compatibility.override_main_response_version`) with `build_flavor: default` and
    /// Elasticsearch's tagline: elasticsearch-py 7.x accepts 7.0–7.13 servers that show both, and
    /// elasticsearch-py 8.x only checks the `X-Elastic-Product` header, which every response then carries.
    func info(_ request: RestRequest) -> RestResponse {
        let compatible = configuration.elasticsearchCompatibility
        var version: [(name: String, value: JSONValue)] = [("distribution", .string("opensearch"))]
        version.append(("number", .string(compatible ? "7.10.2" : Self.versionNumber)))
        if compatible { version.append(("build_flavor", .string("default"))) }
        version += [
            ("build_type", .string("tar")),
            ("build_hash", .string("moodle-pipeline")),
            ("build_date", .string("2025-01-01T00:00:00.000000000Z")),
            ("build_snapshot", .bool(false)),
            ("lucene_version", .string(Self.luceneVersion)),
            ("minimum_wire_compatibility_version", .string(compatible ? "6.8.0" : "7.10.0")),
            ("minimum_index_compatibility_version", .string(compatible ? "6.0.0-beta1" : "7.0.0")),
        ]
        return .json(JSONObject([
            ("name", .string(Self.clusterName)),
            ("cluster_name", .string(Self.clusterName)),
            ("cluster_uuid", .string(clusterUUID)),
            ("version", .object(JSONObject(version))),
            ("tagline", .string(compatible ? "You Know, for Search" : "The OpenSearch Project: https://opensearch.org/")),
        ]))
    }

    /// Health of one index. A single node never allocates replicas, so an index that asks for any (the
    /// default is one) is `yellow`, exactly as on a one-node OpenSearch; with `number_of_replicas: 0` it is
    /// `green`.
    static func health(_ index: SearchIndex) -> HealthStatus { index.numberOfReplicas > 0 ? .yellow : .green }

    enum HealthStatus: Int, Comparable, Sendable {
        case green = 0, yellow = 1, red = 2

        init?(_ name: String) {
            switch name.lowercased() {
            case "green": self = .green
            case "yellow": self = .yellow
            case "red": self = .red
            default: return nil
            }
        }

        var name: String {
            switch self {
            case .green: "green"
            case .yellow: "yellow"
            case .red: "red"
            }
        }

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// `GET _cluster/health[/{index}]` with `wait_for_status` and `timeout` (default 30s); other wait
    /// conditions (`wait_for_no_relocating_shards`, `wait_for_active_shards`, ...) hold at once on one node.
    /// A wait that times out answers 408 with `timed_out: true`, as OpenSearch does. A missing index makes the
    /// status `red` (OpenSearch waits for it to appear, and so does a `wait_for_status` here).
    func clusterHealth(_ expression: String?, _ request: RestRequest) async throws(SearchError) -> RestResponse {
        let wanted = try request.parameter("wait_for_status").map { (name) throws(SearchError) -> HealthStatus in
            guard let status = HealthStatus(name) else { throw .illegalArgument("unknown cluster health status [\(name)]") }
            return status
        }
        let timeout = try request.parameter("timeout").map { (text) throws(SearchError) in try TimeValue.parse(text, name: "timeout") }
            ?? SearchAPILimits.defaultHealthTimeout
        let deadline = ContinuousClock.now + timeout
        var report = healthReport(expression)
        var timedOut = false
        if let wanted {
            while report.status > wanted {
                guard ContinuousClock.now < deadline else {
                    timedOut = true
                    break
                }
                do {
                    try await Task.sleep(for: .milliseconds(50))
                } catch {
                    break
                }
                report = healthReport(expression)
            }
        }
        return .json(report.json(clusterName: Self.clusterName, timedOut: timedOut), status: timedOut ? 408 : 200)
    }

    struct HealthReport {
        var status: HealthStatus
        var primaries = 0
        var unassigned = 0

        func json(clusterName: String, timedOut: Bool) -> JSONObject {
            let total = primaries + unassigned
            let percent = total == 0 ? 100.0 : Double(primaries) * 100 / Double(total)
            return JSONObject([
                ("cluster_name", .string(clusterName)),
                ("status", .string(status.name)),
                ("timed_out", .bool(timedOut)),
                ("number_of_nodes", .integer(1)),
                ("number_of_data_nodes", .integer(1)),
                ("discovered_master", .bool(true)),
                ("discovered_cluster_manager", .bool(true)),
                ("active_primary_shards", .integer(Int64(primaries))),
                ("active_shards", .integer(Int64(primaries))),
                ("relocating_shards", .integer(0)),
                ("initializing_shards", .integer(0)),
                ("unassigned_shards", .integer(Int64(unassigned))),
                ("delayed_unassigned_shards", .integer(0)),
                ("number_of_pending_tasks", .integer(0)),
                ("number_of_in_flight_fetch", .integer(0)),
                ("task_max_waiting_in_queue_millis", .integer(0)),
                ("active_shards_percent_as_number", .double(percent)),
            ])
        }
    }

    func healthReport(_ expression: String?) -> HealthReport {
        let indices: [SearchIndex]
        do {
            indices = try engine.resolve(expression ?? "_all", allowNoIndices: true)
        } catch {
            return HealthReport(status: .red)
        }
        var report = HealthReport(status: .green)
        for index in indices {
            report.status = max(report.status, Self.health(index))
            report.primaries += index.numberOfShards
            report.unassigned += index.numberOfShards * index.numberOfReplicas
        }
        return report
    }
}

/// OpenSearch time values in parameters (`30s`, `1m`, `500ms`, `-1`).
enum TimeValue {
    static func parse(_ text: String, name: String) throws(SearchError) -> Duration {
        let trimmed = text.lowercased()
        let units: [(suffix: String, nanoseconds: Int64)] = [
            ("nanos", 1), ("micros", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000),
            ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
        ]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            if let value = Int64(number), value >= 0 { return .nanoseconds(value * unit.nanoseconds) }
            if let value = Double(number), value >= 0, value.isFinite { return .nanoseconds(Int64(value * Double(unit.nanoseconds))) }
            break
        }
        throw SearchError("parse_exception", "failed to parse setting [\(name)] with value [\(text)] as a time value: unit is missing or unrecognized", status: 400)
    }
}
