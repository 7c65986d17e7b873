import SearchEngine
import Synchronization

/// Open scroll or point-in-time contexts: each pins index snapshots (so it keeps seeing the documents as
/// they were) until it is cleared or its keep-alive runs out. Bounded in number; expired contexts are
/// dropped by `purgeExpired` (called on every use and by the server's reaper).
///
/// The clock is injected (`now`) so expiry is testable without waiting.
final class SearchContextStore<Payload: Sendable>: Sendable {
    enum Kind: Sendable { case scroll, pointInTime }

    struct Entry: Sendable {
        let id: String
        var payload: Payload
        var keepAlive: Duration
        var expires: ContinuousClock.Instant
        /// Epoch milliseconds.
        let creationTime: Int64
    }

    /// Bytes of randomness in an id (22 characters of base64url).
    static var idBytes: Int { 16 }

    let kind: Kind
    let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let entries = Mutex([String: Entry]())

    init(kind: Kind, capacity: Int, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.kind = kind
        self.capacity = capacity
        self.now = now
    }

    var count: Int { entries.withLock { $0.count } }

    /// Stores a new context; refuses beyond `capacity` as OpenSearch does (429, `rejected_execution`... see
    /// `tooMany`).
    func open(_ payload: Payload, keepAlive: Duration, creationTime: Int64) throws(SearchError) -> String {
        let id = GeneratedID.random(bytes: Self.idBytes)
        let instant = now()
        try entries.withLock { (entries) throws(SearchError) in
            entries = entries.filter { $0.value.expires > instant }
            guard entries.count < capacity else { throw tooMany() }
            entries[id] = Entry(id: id, payload: payload, keepAlive: keepAlive, expires: instant + keepAlive, creationTime: creationTime)
        }
        return id
    }

    /// The live context with this id; its expiry moves to now + `keepAlive` when one is given.
    func use(_ id: String, keepAlive: Duration?) throws(SearchError) -> Entry {
        guard GeneratedID.looksRandom(id, bytes: Self.idBytes) else { throw malformed(id) }
        let instant = now()
        return try entries.withLock { (entries) throws(SearchError) -> Entry in
            guard var entry = entries[id], entry.expires > instant else {
                entries[id] = nil
                throw missing(id)
            }
            if let keepAlive {
                entry.keepAlive = keepAlive
                entry.expires = instant + keepAlive
                entries[id] = entry
            }
            return entry
        }
    }

    /// Replaces a context's payload (a scroll's position), if it is still open.
    func update(_ id: String, _ payload: Payload) {
        entries.withLock { entries in entries[id]?.payload = payload }
    }

    /// Removes the given contexts; returns how many were open.
    func remove(_ ids: [String]) -> Int {
        let instant = now()
        return entries.withLock { entries in
            var freed = 0
            for id in ids {
                if let entry = entries.removeValue(forKey: id), entry.expires > instant { freed += 1 }
            }
            return freed
        }
    }

    /// Removes every context; returns how many were open.
    func removeAll() -> [Entry] {
        let instant = now()
        return entries.withLock { entries in
            defer { entries = [:] }
            return entries.values.filter { $0.expires > instant }
        }
    }

    /// Every open context, oldest first.
    func list() -> [Entry] {
        purgeExpired()
        return entries.withLock { $0.values.sorted { $0.creationTime < $1.creationTime } }
    }

    /// Drops expired contexts (releasing their snapshots).
    func purgeExpired() {
        let instant = now()
        entries.withLock { entries in entries = entries.filter { $0.value.expires > instant } }
    }

    private func tooMany() -> SearchError {
        switch kind {
        case .scroll:
            SearchError(
                "rejected_execution_exception",
                "Trying to create too many scroll contexts. Must be less than or equal to: [\(capacity)]. This limit can be set by changing the [search.max_open_scroll_context] setting.",
                status: 429)
        case .pointInTime:
            SearchError(
                "rejected_execution_exception",
                "Trying to create too many Point In Time contexts. Must be less than or equal to: [\(capacity)]. This limit can be set by changing the [search.max_open_pit_context] setting.",
                status: 429)
        }
    }

    private func missing(_ id: String) -> SearchError {
        SearchError("search_context_missing_exception", "No search context found for id [\(id)]", status: 404)
    }

    private func malformed(_ id: String) -> SearchError {
        switch kind {
        case .scroll: .illegalArgument("Cannot parse scroll id")
        case .pointInTime: .illegalArgument("invalid id [\(id)]")
        }
    }
}
