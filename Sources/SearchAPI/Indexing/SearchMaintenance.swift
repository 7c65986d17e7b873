import SearchEngine
import ServiceLifecycle

/// Runs the engine's background work — periodic refreshes, merges — as a service.
public struct SearchMaintenance: Service {
    public let engine: SearchEngine

    public init(engine: SearchEngine) {
        self.engine = engine
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await engine.runMaintenance() }
    }
}
