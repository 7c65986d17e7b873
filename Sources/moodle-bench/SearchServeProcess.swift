import Foundation
import LocalPostgres

/// `moodle-pipeline serve` as a child process over the e2e benchmark's two clusters, with its search API
/// on a free loopback port (`[http] listen`) and, when given, `[index] refresh_interval`.
final class SearchServeProcess: @unchecked Sendable {  // Process is used from one task at a time.
    private let process: Process
    let directory: String
    let searchPort: Int

    private init(process: Process, directory: String, searchPort: Int) {
        self.process = process
        self.directory = directory
        self.searchPort = searchPort
    }

    static func start(binary: String, directory: String, clusters: E2EClusters, refreshInterval: String?) async throws -> SearchServeProcess {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let adminPort = try freeLoopbackPort()
        let searchPort = try freeLoopbackPort()
        var config = "data_dir = \"\(directory)/data\"\n"
        for (name, server) in [("community", clusters.community), ("sites", clusters.sites)] {
            let passwordFile = "\(directory)/\(name).password"
            _ = FileManager.default.createFile(atPath: passwordFile, contents: Data(try server.running.cluster.superuserPassword().utf8),
                                           attributes: [.posixPermissions: 0o600])
            config += "\n[sources.\(name)]\nurl = \"\(server.running.url())\"\npassword_file = \"\(passwordFile)\"\n"
        }
        config += "\n[analytics]\ncommunity_table = \"public.CommunityUsers\"\nsites_table = \"public.SitesUsers\"\n"
        if let refreshInterval { config += "\n[index]\nrefresh_interval = \"\(refreshInterval)\"\n" }
        config += "\n[http]\nlisten = \"127.0.0.1:\(searchPort)\"\n"
        config += "\n[admin]\nlisten = \"127.0.0.1:\(adminPort)\"\n"
        try config.write(toFile: "\(directory)/appliance.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", "\(directory)/appliance.conf", "--log-format", "json"]
        _ = FileManager.default.createFile(atPath: "\(directory)/serve.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/serve.log"))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return SearchServeProcess(process: process, directory: directory, searchPort: searchPort)
    }

    var isRunning: Bool { process.isRunning }

    /// VmHWM of the serve process.
    func peakRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }

    func logTail() -> String {
        String(((try? String(contentsOfFile: "\(directory)/serve.log", encoding: .utf8)) ?? "").suffix(2000))
    }

    /// SIGTERM, then waits up to 20 s for the exit.
    func stop() async throws {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else { throw BenchmarkFailure(description: "serve did not stop on SIGTERM") }
    }

    /// SIGTERM without waiting (for error paths; `stop` waits).
    func terminate() {
        if process.isRunning { process.terminate() }
    }
}
