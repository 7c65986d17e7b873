import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `moodle-pipeline` binary that `swift build` put next to the test bundle, run as a child process.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `Process` is not Sendable; this class only reads its state after launch, and
    // Foundation's `Process` is documented thread-safe for `isRunning`, `terminationStatus` and signals.
    private let process: Process
    public let stdoutPath: String
    public let stderrPath: String

    /// The path of the `moodle-pipeline` executable built alongside the tests.
    public static var binaryPath: String { path(of: "moodle-pipeline") }

    /// The path of an executable of this package built alongside the tests.
    public static func path(of executable: String) -> String {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (testBinary as NSString).deletingLastPathComponent
        // On Linux the test binary sits in .build/<triple>/debug/; on macOS inside a .xctest bundle.
        while !directory.isEmpty, directory != "/" {
            let candidate = (directory as NSString).appendingPathComponent(executable)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return executable
    }

    /// Starts the binary with `arguments`, the current environment plus `environment` (minus any
    /// `MOODLE_PIPELINE_*` of the test's own), in `directory`.
    public init(
        _ arguments: [String], environment: [String: String] = [:], directory: String, executable: String = "moodle-pipeline"
    ) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.path(of: executable))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MOODLE_PIPELINE_") }
        env.merge(environment) { _, new in new }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        stdoutPath = (directory as NSString).appendingPathComponent("stdout-\(UUID().uuidString).log")
        stderrPath = (directory as NSString).appendingPathComponent("stderr-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Runs the binary to completion and returns its exit status and output.
    public static func run(_ arguments: [String], environment: [String: String] = [:], directory: String, timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(arguments, environment: environment, directory: directory)
        guard let status = await child.waitForExit(timeout: timeout) else {
            child.signal(SIGKILL)
            throw ChildProcessError(message: "moodle-pipeline \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return (status, child.stdout, child.stderr)
    }

    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.isRunning }
    /// The child's process id (e.g. to read `/proc/<pid>/status`).
    public var pid: Int32 { process.processIdentifier }

    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit; nil when it is still running after `timeout`.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A plain HTTP GET for tests: the status and the body, or nil when nothing answers.
public func httpGet(_ url: String) async -> (status: Int, body: String)? {
    guard let url = URL(string: url) else { return nil }
    var request = URLRequest(url: url)
    request.timeoutInterval = 5
    guard let (data, response) = try? await URLSession.shared.data(for: request),
          let http = response as? HTTPURLResponse else { return nil }
    return (http.statusCode, String(decoding: data, as: UTF8.self))
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes; returns whether it held.
public func eventually(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return await condition()
}

/// A fresh temporary directory, removed by the caller (or left for inspection when a test fails).
public func makeTemporaryDirectory(_ prefix: String = "moodle-pipeline-test") throws -> String {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    chmod(path, 0o755)
    return path
}

/// Writes a file with mode 0600 (or `mode`).
public func writeFile(_ path: String, _ contents: String, mode: mode_t = 0o600) throws {
    try contents.write(toFile: path, atomically: false, encoding: .utf8)
    chmod(path, mode)
}
