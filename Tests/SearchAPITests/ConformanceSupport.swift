import Foundation
import Logging
import PartitionedLog
import PostgresTestSupport
import SearchAPI
import SearchEngine
import Testing

/// Runs one Python conformance suite against a search API started in-process for it.
struct ConformanceRun {
    var status: Int32
    var output: String
    var errors: String

    /// What a failure shows: the whole report (one line per check) and the end of stderr.
    var report: String { "\(output)\(errors.isEmpty ? "" : "\n--- stderr (end) ---\n\(errors.suffix(6_000))")" }

    /// The package root, from this file's path (Tests/SearchAPITests/ConformanceSupport.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let suites = "\(packageRoot)/Tests/SearchConformance"
    static let setupScript = "Tests/SearchConformance/setup-venv.sh"

    /// The environment setup-venv.sh builds ($SEARCH_CONFORMANCE_VENV overrides, as for the script).
    static var venv: String {
        ProcessInfo.processInfo.environment["SEARCH_CONFORMANCE_VENV"] ?? "\(packageRoot)/.build/conformance-venv"
    }

    /// Starts a server with `configuration` (port 0), runs `python <script> <url> <arguments>` with the
    /// environment's python, and stops the server.
    static func suite(_ script: String, configuration: SearchAPIConfiguration, arguments: [String] = []) async throws -> ConformanceRun {
        try await requireCurrentEnvironment()
        let python = "\(venv)/bin/python"
        return try await serving(configuration) { port, directory in
            try await run(python, ["\(suites)/\(script)", "http://127.0.0.1:\(port)"] + arguments, in: directory, timeout: .seconds(900))
        }
    }

    /// setup-venv.sh: creates the environment when missing, rebuilds it when it does not hold exactly
    /// requirements.txt, does nothing (quickly) otherwise.
    private static func requireCurrentEnvironment() async throws {
        let directory = try makeTemporaryDirectory("search-conformance-check")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setup = try await run("/bin/bash", ["\(packageRoot)/\(setupScript)"], in: directory, timeout: .seconds(600))
        try #require(setup.status == 0, "\(setupScript) could not set up the test environment (python3-venv and PyPI needed)\n\(setup.report)")
    }

    private static func run(_ executable: String, _ arguments: [String], in directory: String, timeout: Duration) async throws -> ConformanceRun {
        // No __pycache__ next to the tracked suites; output unbuffered so a killed run still shows its lines.
        let environment = ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "SEARCH_CONFORMANCE_VENV": venv]
        let child = try ChildProcess(arguments, environment: environment, directory: directory, executable: executable)
        guard let status = await child.waitForExit(timeout: timeout) else {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(10))
            return ConformanceRun(status: -1, output: "\(child.stdout)\n(killed: still running after \(timeout))", errors: child.stderr)
        }
        return ConformanceRun(status: status, output: child.stdout, errors: child.stderr)
    }

    /// Serves the search API over a fresh directory — the log, the engine, the translog (`DocumentLog`),
    /// background maintenance and the listener, as `serve` wires them — for the duration of `body`, which gets
    /// the bound port and the directory; then stops everything.
    private static func serving<T: Sendable>(
        _ configuration: SearchAPIConfiguration, _ body: @Sendable (Int, String) async throws -> T
    ) async throws -> T {
        let directory = try makeTemporaryDirectory("search-conformance")
        var logger = Logger(label: "search-conformance")
        logger.logLevel = .warning
        let log = try await PartitionedLog.open(LogConfiguration(directory: "\(directory)/log"), logger: logger)
        let engine = try SearchEngine(directory: "\(directory)/search", logger: logger)
        let translog = DocumentLog(log: log, engine: engine, logger: logger)
        let server = try SearchServer(configuration: configuration, engine: engine, writer: translog, logger: logger)
        let maintenance = SearchMaintenance(engine: engine)
        let result = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await translog.run() }
            group.addTask { try await maintenance.run() }
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            let port = await server.boundPort()
            try #require(port > 0, "the search API stopped before it listened")
            return try await body(port, directory)
        }
        engine.close()
        await log.close()
        try? FileManager.default.removeItem(atPath: directory)
        return result
    }
}
