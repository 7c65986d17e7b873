/// Every path the API serves, matched on path segments. A segment starting with `_` names an API; any
/// other (and `_all`) is an index name or expression, as in OpenSearch's route table
/// (`/{index}/_doc/{id}`, `/{index}/_search`, ...).
enum Route: Equatable, Sendable {
    case root
    case clusterHealth(index: String?)
    case catIndices(index: String?)
    case catHealth
    /// `/{index}`: create, delete, exists, get.
    case index(String)
    case mapping(index: String?)
    case settings(index: String?)
    case refresh(index: String?)
    case count(index: String?)
    case search(index: String?)
    case multiSearch(index: String?)
    case bulk(index: String?)
    /// `/{index}/_doc` (POST, generated id) and `/{index}/_doc/{id}`.
    case document(index: String, id: String?)
    case create(index: String, id: String)
    case update(index: String, id: String)
    case source(index: String, id: String)
    case scroll(id: String?)
    /// `POST /{index}/_search/point_in_time`.
    case createPointInTime(index: String)
    /// `DELETE /_search/point_in_time`, and with `all`, `GET|DELETE /_search/point_in_time/_all`.
    case pointsInTime(all: Bool)

    /// The low-cardinality name used in metrics.
    var metricName: String {
        switch self {
        case .root: "info"
        case .clusterHealth: "cluster_health"
        case .catIndices, .catHealth: "cat"
        case .index: "index"
        case .mapping: "mapping"
        case .settings: "settings"
        case .refresh: "refresh"
        case .count: "count"
        case .search: "search"
        case .multiSearch: "msearch"
        case .bulk: "bulk"
        case .document, .create, .source: "doc"
        case .update: "update"
        case .scroll: "scroll"
        case .createPointInTime, .pointsInTime: "pit"
        }
    }

    /// The methods the route answers, in the order OpenSearch lists them in a 405.
    var methods: [RestMethod] {
        switch self {
        case .root: [.get, .head]
        case .clusterHealth, .catIndices, .catHealth, .settings: [.get]
        case .index: [.get, .head, .put, .delete]
        case .mapping(let index): index == nil ? [.get] : [.get, .put, .post]
        case .refresh, .count, .search, .multiSearch: [.get, .post]
        case .bulk: [.post, .put]
        case .document(_, let id): id == nil ? [.post] : [.get, .head, .put, .post, .delete]
        case .create: [.put, .post]
        case .update: [.post]
        case .source: [.get, .head]
        case .scroll: [.get, .post, .delete]
        case .createPointInTime: [.post]
        case .pointsInTime(let all): all ? [.get, .delete] : [.delete]
        }
    }

    /// The route of a path, or nil when no route has this shape (OpenSearch: "no handler found").
    static func match(_ segments: [String]) -> Route? {
        switch segments.count {
        case 0: return .root
        case 1: return single(segments[0])
        case 2: return pair(segments[0], segments[1])
        case 3: return triple(segments[0], segments[1], segments[2])
        default: return nil
        }
    }

    private static func single(_ name: String) -> Route? {
        switch name {
        case "_mapping": .mapping(index: nil)
        case "_settings": .settings(index: nil)
        case "_refresh": .refresh(index: nil)
        case "_count": .count(index: nil)
        case "_search": .search(index: nil)
        case "_msearch": .multiSearch(index: nil)
        case "_bulk": .bulk(index: nil)
        case "_cluster", "_cat": nil
        default: .index(name)
        }
    }

    private static func pair(_ first: String, _ second: String) -> Route? {
        switch (first, second) {
        case ("_cluster", "health"): return .clusterHealth(index: nil)
        case ("_cat", "indices"): return .catIndices(index: nil)
        case ("_cat", "health"): return .catHealth
        case ("_search", "scroll"): return .scroll(id: nil)
        case ("_search", "point_in_time"): return .pointsInTime(all: false)
        default: break
        }
        guard !isAPIName(first) else { return nil }
        switch second {
        case "_mapping": return .mapping(index: first)
        case "_settings": return .settings(index: first)
        case "_refresh": return .refresh(index: first)
        case "_count": return .count(index: first)
        case "_search": return .search(index: first)
        case "_msearch": return .multiSearch(index: first)
        case "_bulk": return .bulk(index: first)
        case "_doc": return .document(index: first, id: nil)
        default: return nil
        }
    }

    private static func triple(_ first: String, _ second: String, _ third: String) -> Route? {
        switch (first, second) {
        case ("_cluster", "health"): return .clusterHealth(index: third)
        case ("_cat", "indices"): return .catIndices(index: third)
        case ("_search", "scroll"): return .scroll(id: third)
        case ("_search", "point_in_time"): return third == "_all" ? .pointsInTime(all: true) : nil
        default: break
        }
        guard !isAPIName(first) else { return nil }
        switch second {
        case "_doc": return .document(index: first, id: third)
        case "_create": return .create(index: first, id: third)
        case "_update": return .update(index: first, id: third)
        case "_source": return .source(index: first, id: third)
        case "_search" where third == "point_in_time": return .createPointInTime(index: first)
        default: return nil
        }
    }

    /// First segments that name an API rather than an index expression.
    private static func isAPIName(_ segment: String) -> Bool {
        ["_cluster", "_cat", "_search", "_mapping", "_settings", "_refresh", "_count", "_msearch", "_bulk", "_nodes", "_stats"].contains(segment)
    }
}
