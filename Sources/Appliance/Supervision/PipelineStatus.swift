import Console
import Synchronization

/// The live status of every component, as shown by `/readyz` (and later the console).
///
/// Components report with `update`; readers take a snapshot. One `Mutex` guards the dictionary.
public final class PipelineStatus: ReadinessProvider {
    private let components = Mutex<[String: ComponentStatus]>([:])
    /// Components that report by being asked (e.g. a source's capture status).
    private let live = Mutex<[String: @Sendable () -> ComponentStatus]>([:])
    private let order: [String]

    /// - Parameter components: the component names, in display order; each starts not ready.
    public init(components names: [String]) {
        order = names
        components.withLock { state in
            for name in names { state[name] = ComponentStatus(name: name, ready: false, detail: "starting") }
        }
    }

    public func update(_ name: String, ready: Bool, detail: String) {
        components.withLock { $0[name] = ComponentStatus(name: name, ready: ready, detail: detail) }
    }

    /// Makes `name` report whatever `status` returns when asked.
    public func track(_ name: String, _ status: @escaping @Sendable () -> ComponentStatus) {
        live.withLock { $0[name] = status }
    }

    public func snapshot() -> [ComponentStatus] {
        let asked = live.withLock { $0 }
        if !asked.isEmpty {
            components.withLock { state in
                for (name, status) in asked { state[name] = status() }
            }
        }
        return components.withLock { state in
            order.compactMap { state[$0] } + state.keys.filter { !order.contains($0) }.sorted().compactMap { state[$0] }
        }
    }

    public func readiness() async -> ReadinessReport {
        ReadinessReport(components: snapshot())
    }
}
