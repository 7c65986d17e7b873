import BlockingIO

enum BlockingIOBridge {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await runBlocking(name: "moodle-pipeline.tests", body)
    }
}
