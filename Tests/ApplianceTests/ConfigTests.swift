@testable import Appliance
import Foundation
import PostgresTestSupport
import Testing

/// The repository's root, where the shipped appliance.conf lives.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

@Suite("Configuration")
struct ConfigTests {
    static let minimalSources = """
        [sources.community]
        url = "postgresql://moodle@db1/community"
        [sources.sites]
        url = "postgresql://moodle@db2/sites"

        """

    func load(_ text: String, environment: [String: String] = [:], overrides: [ConfigOverride] = []) throws -> LoadedConfig {
        let directory = try makeTemporaryDirectory()
        let path = (directory as NSString).appendingPathComponent("appliance.conf")
        try writeFile(path, text, mode: 0o644)
        return try ApplianceConfig.load(filePath: path, environment: environment, overrides: overrides)
    }

    /// The single error a broken configuration gives.
    func error(_ text: String, environment: [String: String] = [:]) throws -> ConfigError {
        do {
            _ = try load(text, environment: environment)
        } catch let error as ConfigErrors {
            #expect(error.errors.count == 1, "errors: \(error.errors)")
            return try #require(error.errors.first)
        }
        Issue.record("the configuration was accepted")
        throw ChildProcessError(message: "accepted")
    }

    @Test("the shipped appliance.conf is valid and matches the documented defaults")
    func shippedFile() throws {
        let loaded = try ApplianceConfig.load(filePath: "\(repositoryRoot)/appliance.conf", environment: [:])
        let config = loaded.config
        #expect(config.sources.map(\.name) == ["community", "sites"])
        #expect(config.source(named: "community")?.tables == ["public.CommunityUsers"])
        #expect(config.analytics.sitesAdminEmail == "admin_email")
        #expect(config.log.segmentBytes == 128 << 20)
        #expect(config.log.retention == .seconds(7 * 86_400))
        #expect(config.http.listen == ListenAddress(host: "127.0.0.1", port: 9200))
        #expect(config.admin.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(config.sink.path == "data/moodle.sqlite")
    }

    @Test("every key of the schema is documented in the shipped appliance.conf")
    func shippedFileDocumentsEveryKey() throws {
        let text = try String(contentsOfFile: "\(repositoryRoot)/appliance.conf", encoding: .utf8)
        for key in ConfigSchema.keys {
            #expect(text.contains("\(key.name) ="), "appliance.conf does not mention \(key.name)")
        }
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var text: String
        var key: String
        var line: Int?
        var code: ConfigError.Code
        var testDescription: String { "\(key) (\(code))" }
    }

    static let brokenFiles: [Broken] = [
        Broken(text: minimalSources + "[log]\npartitions = -1\n", key: "log.partitions", line: 6, code: .invalidValue),
        Broken(text: minimalSources + "[log]\npartitions = \"four\"\n", key: "log.partitions", line: 6, code: .wrongType),
        Broken(text: minimalSources + "[log]\nsegment_bytes = -5\n", key: "log.segment_bytes", line: 6, code: .invalidValue),
        Broken(text: minimalSources + "[log]\nfsync = \"sometimes\"\n", key: "log.fsync", line: 6, code: .invalidValue),
        Broken(text: minimalSources + "[log]\nretention = \"a week\"\n", key: "log.retention", line: 6, code: .invalidValue),
        Broken(text: minimalSources + "[log]\ncompression = \"lz4\"\n", key: "log.compression", line: 6, code: .invalidValue),
        Broken(text: minimalSources + "[log]\nsegment_bytes = \"3GiB\"\n", key: "log.segment_bytes", line: 6, code: .invalidValue),
        Broken(text: minimalSources + "[log]\npartitionz = 3\n", key: "log.partitionz", line: 6, code: .unknownKey),
        Broken(text: minimalSources + "[logs]\npartitions = 3\n", key: "logs", line: 5, code: .unknownKey),
        Broken(text: minimalSources + "[http]\nlisten = \"127.0.0.1:99999\"\n", key: "http.listen", line: 6, code: .invalidValue),
        Broken(text: minimalSources + "[admin]\nlisten = \"localhost\"\n", key: "admin.listen", line: 6, code: .invalidValue),
        Broken(text: minimalSources + "[http]\nlisten = \"0.0.0.0:9200\"\n", key: "http.listen", line: 6, code: .insecureSecret),
        Broken(text: minimalSources + "[index]\nrefresh_interval = 5\n", key: "index.refresh_interval", line: 6, code: .wrongType),
        Broken(text: minimalSources + "[analytics]\ntime_zone = \"Mars/Olympus\"\n", key: "analytics.time_zone", line: 6, code: .invalidValue),
        Broken(text: minimalSources.replacingOccurrences(of: "sites\"\n", with: "sites\"\ntables = [\"public.SitesUsers\"]\n") + "[analytics]\nsites_source = \"nowhere\"\n", key: "analytics.sites_source", line: 7, code: .invalidValue),
        Broken(text: "[sources.community]\nurl = \"\"\n[sources.sites]\nurl = \"postgresql://h/s\"\n", key: "sources.community.url", line: 2, code: .invalidValue),
        Broken(text: "[sources.community]\nurl = \"postgresql://u:hunter2@h/c\"\n[sources.sites]\nurl = \"postgresql://h/s\"\n", key: "sources.community.url", line: 2, code: .insecureSecret),
        Broken(text: "[sources.community]\nslot = \"x\"\n[sources.sites]\nurl = \"postgresql://h/s\"\n", key: "sources.community.url", line: 2, code: .missing),
        Broken(text: minimalSources + "[sources.extra]\nurl = \"postgresql://h/x\"\n", key: "sources.extra.tables", line: 6, code: .missing),
        Broken(text: minimalSources.replacingOccurrences(of: "community\"\n", with: "community\"\ntables = [\"public.Other\"]\n"), key: "sources.community.tables", line: 3, code: .invalidValue),
        // Defining a table twice is a TOML error, located at the second header.
        Broken(text: minimalSources + "[sources.community]\nsslmode = \"always\"\n", key: "", line: 5, code: .syntax),
        Broken(text: minimalSources.replacingOccurrences(of: "community\"\n", with: "community\"\nsslmode = \"always\"\n"), key: "sources.community.sslmode", line: 3, code: .invalidValue),
        Broken(text: minimalSources.replacingOccurrences(of: "community\"\n", with: "community\"\nslot = \"Bad-Slot\"\n"), key: "sources.community.slot", line: 3, code: .invalidValue),
        Broken(text: minimalSources + "[sources.Community]\nurl = \"postgresql://h/c\"\n", key: "sources.Community", line: 5, code: .invalidValue),
        Broken(text: minimalSources + "[log\n", key: "", line: 5, code: .syntax),
    ]

    @Test("a broken file is rejected with the key, its line and what is expected", arguments: brokenFiles)
    func brokenFile(_ broken: Broken) throws {
        let error = try error(broken.text)
        #expect(error.key == broken.key)
        #expect(error.code == broken.code)
        guard case .file(_, let line) = error.origin else {
            Issue.record("origin is \(error.origin), not the file")
            return
        }
        #expect(line == broken.line)
        #expect(!error.description.contains("hunter2"), "the error repeats a password: \(error)")
    }

    @Test("environment variables override the file, and flags override the environment")
    func precedence() throws {
        let file = Self.minimalSources + "[log]\npartitions = 4\n[http]\nlisten = \"127.0.0.1:9200\"\n"
        let environment = ["MOODLE_PIPELINE_LOG_PARTITIONS": "8", "MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:9300", "MOODLE_PIPELINE_DATA_DIR": "/tmp/from-env"]
        let flag = ConfigOverride(path: "data_dir", value: "/tmp/from-flag", origin: .flag("--data-dir"))
        let loaded = try load(file, environment: environment, overrides: [flag])
        #expect(loaded.config.log.partitions == 8)
        #expect(loaded.config.http.listen.port == 9300)
        #expect(loaded.config.dataDirectory == "/tmp/from-flag")
        #expect(loaded.config.sink.path == "/tmp/from-flag/moodle.sqlite")
        #expect(loaded.origins["log.partitions"] == .environment(variable: "MOODLE_PIPELINE_LOG_PARTITIONS"))
        let withoutFlag = try load(file, environment: environment)
        #expect(withoutFlag.config.dataDirectory == "/tmp/from-env")
        let fileOnly = try load(file)
        #expect(fileOnly.config.log.partitions == 4)
    }

    @Test("sources can come from the environment alone, with tables defaulting from [analytics]")
    func environmentOnlySources() throws {
        let environment = [
            "MOODLE_PIPELINE_SOURCES_COMMUNITY_URL": "postgresql://moodle@db1/community",
            "MOODLE_PIPELINE_SOURCES_SITES_URL": "postgresql://moodle@db2/sites",
            "MOODLE_PIPELINE_SOURCES_SITES_TABLES": "public.SitesUsers, public.Other",
        ]
        let config = try load("", environment: environment).config
        #expect(config.sources.map(\.name) == ["community", "sites"])
        #expect(config.source(named: "community")?.tables == ["public.CommunityUsers"])
        #expect(config.source(named: "sites")?.tables == ["public.SitesUsers", "public.Other"])
        #expect(config.source(named: "sites")?.slot == "moodle_pipeline_sites")
    }

    @Test("a bad value or an unknown name in the environment is rejected, naming the variable")
    func badEnvironment() throws {
        let listen = try error(Self.minimalSources, environment: ["MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:notaport"])
        #expect(listen.key == "http.listen")
        #expect(listen.origin == .environment(variable: "MOODLE_PIPELINE_HTTP_LISTEN"))
        #expect(listen.description.contains("port from 1 to 65535"))
        let partitions = try error(Self.minimalSources, environment: ["MOODLE_PIPELINE_LOG_PARTITIONS": "many"])
        #expect(partitions.code == .wrongType)
        let unknown = try error(Self.minimalSources, environment: ["MOODLE_PIPELINE_HTTP_LISTNE": "127.0.0.1:1"])
        #expect(unknown.code == .unknownKey)
        #expect(unknown.origin == .environment(variable: "MOODLE_PIPELINE_HTTP_LISTNE"))
    }

    @Test("a secret file readable by others is refused; a 0600 one is accepted and never printed")
    func secretFilePermissions() throws {
        let directory = try makeTemporaryDirectory()
        let secret = (directory as NSString).appendingPathComponent("password")
        try writeFile(secret, "s3cret-value\n", mode: 0o644)
        let text = Self.minimalSources.replacingOccurrences(of: "community\"\n", with: "community\"\npassword_file = \"\(secret)\"\n")
        let refused = try error(text)
        #expect(refused.key == "sources.community.password_file")
        #expect(refused.code == .insecureSecret)
        #expect(refused.description.contains("0644"))
        chmod(secret, 0o600)
        let loaded = try load(text)
        #expect(loaded.config.source(named: "community")?.passwordFile == secret)
        let printed = loaded.renderTOML()
        #expect(printed.contains(secret))
        #expect(!printed.contains("s3cret-value"))
        let missing = try error(Self.minimalSources, environment: ["MOODLE_PIPELINE_HTTP_API_KEY_FILE": "/nonexistent/key"])
        #expect(missing.code == .unreadableFile)
    }

    @Test("a basic-auth file authenticates the search listener beyond loopback; it is never printed")
    func basicAuthFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = (directory as NSString).appendingPathComponent("basic-auth")
        try writeFile(file, "reader:pa55-value\n")
        let open = Self.minimalSources + "[http]\nlisten = \"0.0.0.0:9200\"\n"
        let refused = try error(open)
        #expect(refused.key == "http.listen")
        #expect(refused.description.contains("http.basic_auth_file"))
        let loaded = try load(open + "basic_auth_file = \"\(file)\"\n")
        #expect(loaded.config.http.basicAuthFile == file)
        #expect(loaded.config.http.listen.host == "0.0.0.0")
        #expect(!loaded.renderTOML().contains("pa55-value"))
    }

    @Test("durations and sizes parse with their units")
    func units() {
        #expect(Parse.parseDuration("250ms") == .milliseconds(250))
        #expect(Parse.parseDuration("7d") == .seconds(604_800))
        #expect(Parse.parseDuration("7 days") == nil)
        #expect(Parse.parseByteSize("64MiB") == 64 << 20)
        #expect(Parse.parseByteSize("1GB") == 1_000_000_000)
        #expect(Parse.parseByteSize("12 parsecs") == nil)
        #expect(Parse.format(.seconds(3600)) == "1h")
    }

    @Test("config print shows every section with the origin of each value")
    func printing() throws {
        let loaded = try load(Self.minimalSources, environment: ["MOODLE_PIPELINE_LOG_PARTITIONS": "2"])
        let printed = loaded.renderTOML()
        #expect(printed.contains("partitions = 2  # environment MOODLE_PIPELINE_LOG_PARTITIONS"))
        #expect(printed.contains("[sources.sites]"))
        #expect(printed.contains("[admin]"))
        // What it prints is itself a valid configuration.
        let directory = try makeTemporaryDirectory()
        let path = (directory as NSString).appendingPathComponent("printed.conf")
        try writeFile(path, printed)
        let reloaded = try ApplianceConfig.load(filePath: path, environment: [:])
        #expect(reloaded.config.log.partitions == 2)
        #expect(reloaded.config.sources == loaded.config.sources)
    }
}

@Suite("The command line")
struct CommandLineTests {
    @Test("config check exits 2 with one line naming the key and the line")
    func configCheckExitCode() async throws {
        let directory = try makeTemporaryDirectory()
        try writeFile((directory as NSString).appendingPathComponent("bad.conf"), ConfigTests.minimalSources + "[log]\nsegment_bytes = -1\n")
        let result = try await ChildProcess.run(["config", "check", "--config", "bad.conf"], directory: directory)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("bad.conf:6: log.segment_bytes:") == true, "stderr: \(result.stderr)")
        let good = try await ChildProcess.run(["config", "check", "--config", "\(repositoryRoot)/appliance.conf"], directory: directory)
        #expect(good.status == 0, "stderr: \(good.stderr)")
        let badPort = try await ChildProcess.run(
            ["config", "check", "--config", "\(repositoryRoot)/appliance.conf"],
            environment: ["MOODLE_PIPELINE_HTTP_LISTEN": "127.0.0.1:notaport"], directory: directory
        )
        #expect(badPort.status == 2)
        #expect(badPort.stderr.contains("MOODLE_PIPELINE_HTTP_LISTEN: http.listen:"))
    }

    @Test("version and help answer")
    func versionAndHelp() async throws {
        let directory = try makeTemporaryDirectory()
        let version = try await ChildProcess.run(["version"], directory: directory)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("moodle-pipeline \(ApplianceVersion.current)"))
        let help = try await ChildProcess.run(["--help"], directory: directory)
        for command in ["serve", "demo", "generate", "doctor", "config"] {
            #expect(help.stdout.contains(command))
        }
    }
}
