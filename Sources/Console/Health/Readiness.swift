/// One component's part in readiness: a source, the log, a sink.
public struct ComponentStatus: Sendable, Codable, Equatable {
    public var name: String
    public var ready: Bool
    /// Why it is not ready, or what it is doing; never a secret or a row value.
    public var detail: String

    public init(name: String, ready: Bool, detail: String) {
        self.name = name
        self.ready = ready
        self.detail = detail
    }
}

/// The answer of `/readyz`.
public struct ReadinessReport: Sendable, Codable, Equatable {
    /// `ready` or `not_ready`.
    public var status: String
    /// The first reason it is not ready, absent when ready.
    public var reason: String?
    public var components: [ComponentStatus]

    public init(components: [ComponentStatus]) {
        self.components = components
        let failing = components.first { !$0.ready }
        self.status = failing == nil ? "ready" : "not_ready"
        self.reason = failing.map { "\($0.name): \($0.detail)" }
    }

    public var isReady: Bool { status == "ready" }
}

/// What the admin listener asks for `/readyz`.
public protocol ReadinessProvider: Sendable {
    func readiness() async -> ReadinessReport
}
