import SearchEngine

/// The write path of the REST API. Every document write goes through the log first (the log is the
/// translog): `write` appends the operations, waits until they are durable and applied to the index in
/// log order, and returns one result per operation, in order. Implemented by `DocumentLog`.
public protocol DocumentWriting: Sendable {
    func write(_ operations: [DocumentOperation], to index: SearchIndex, refresh: RefreshPolicy) async throws(SearchError) -> [DocumentResult]
}

/// `?refresh=` of index, update, delete and bulk requests.
public enum RefreshPolicy: String, Sendable {
    /// Return once applied; visible to search after the next periodic refresh.
    case none = "false"
    /// Refresh the index before returning.
    case immediate = "true"
    /// Return once a refresh has made the writes visible.
    case waitFor = "wait_for"

    /// Parses the parameter as OpenSearch does: absent → `false`, empty or `true` → refresh.
    public init(parameter: String?) throws(SearchError) {
        switch parameter {
        case nil, "false": self = .none
        case "", "true": self = .immediate
        case "wait_for": self = .waitFor
        case let other?: throw .illegalArgument("Unknown value for refresh: [\(other)].")
        }
    }
}
