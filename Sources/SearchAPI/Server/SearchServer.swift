import Hummingbird
import Logging
import SearchEngine
import ServiceLifecycle
import StreamProcessing
import Synchronization

/// The OpenSearch-compatible listener: a Hummingbird 2 application whose responder routes OpenSearch paths
/// to `RestAPI`, plus the reaper that releases expired scroll and point-in-time contexts.
///
/// Writes go through `writer` (the `DocumentLog`, which must be running for them to complete); reads go
/// straight to the engine's snapshots.
public final class SearchServer: Service, Sendable {
    private let configuration: SearchAPIConfiguration
    private let logger: Logger
    let api: RestAPI
    private let port = Mutex(PortState())

    private struct PortState {
        var port: Int?
        var finished = false
        var waiters: [CheckedContinuation<Int, Never>] = []
    }

    /// Refuses (`illegal_argument_exception`) to listen beyond loopback without authentication.
    public init(configuration: SearchAPIConfiguration, engine: SearchEngine, writer: any DocumentWriting, logger: Logger) throws(SearchError) {
        try Self.checkExposure(configuration)
        guard configuration.maxContentLength > 0 else { throw .illegalArgument("maxContentLength must be positive") }
        self.configuration = configuration
        self.logger = logger
        api = RestAPI(engine: engine, writer: writer, configuration: configuration, logger: logger)
    }

    public func run() async throws {
        let responder = SearchResponder(api: api, configuration: configuration, logger: logger)
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [ContextReaper(api: api)],
            onServerRunning: { [weak self] channel in
                self?.listening(on: channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        defer { finished() }
        try await application.run()
    }

    /// The port the listener is bound to, once it listens (useful with port 0). Returns 0 if the server stops
    /// before it ever listened.
    public func boundPort() async -> Int {
        await withCheckedContinuation { continuation in
            let ready = port.withLock { state -> Int? in
                if let port = state.port { return port }
                if state.finished { return 0 }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func listening(on number: Int) {
        let waiters = port.withLock { state in
            state.port = number
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: number) }
        logger.info("search API listening", metadata: ["search.host": "\(configuration.host)", "search.port": "\(number)"])
    }

    private func finished() {
        let waiters = port.withLock { state in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: 0) }
    }

    /// Loopback-only unless authentication is configured (the security rule).
    static func checkExposure(_ configuration: SearchAPIConfiguration) throws(SearchError) {
        guard !configuration.requiresAuthentication, !isLoopback(configuration.host) else { return }
        throw .illegalArgument(
            "refusing to listen on [\(configuration.host)] without authentication: configure an API key or basic auth, or listen on a loopback address")
    }

    /// 127.0.0.0/8, ::1 and localhost.
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in UInt8(octet) != nil }
    }
}

/// Releases expired scroll and point-in-time contexts in the background, so an abandoned scroll does not
/// pin its snapshots until the next request comes along.
struct ContextReaper: Service {
    let api: RestAPI

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: SearchAPILimits.contextReaperInterval)
                api.scrolls.purgeExpired()
                api.pointsInTime.purgeExpired()
            }
        }
    }
}

extension SearchServer {
    /// Runs one `_search` on `index` in-process, as `POST /<index>/_search` would over HTTP (same parser, same
    /// answer), for the console's search page: the admin listener has already authenticated the caller.
    /// Only searches: `index` may not name an API path (no `/`, no leading `_`).
    public func search(index: String, body: [UInt8]) async -> (status: Int, body: [UInt8]) {
        let response: RestResponse
        if index.isEmpty || index.contains("/") || index.hasPrefix("_") || index.contains("?") || index.contains("%") {
            response = .error(SearchError("invalid_index_name_exception", "Invalid index name [\(index)]", status: 400))
        } else {
            let request = RestRequest(method: .post, rawPath: "/\(index)/_search", query: nil, body: body)
            if let route = Route.match(request.segments) {
                do {
                    response = try await api.handle(route, request)
                } catch {
                    response = .error(error)
                }
            } else {
                response = .error(SearchError("invalid_index_name_exception", "Invalid index name [\(index)]", status: 400))
            }
        }
        guard case .json(let value) = response.body else { return (response.status, []) }
        var bytes: [UInt8] = []
        JSONWriter.append(value, to: &bytes)
        return (response.status, bytes)
    }
}
