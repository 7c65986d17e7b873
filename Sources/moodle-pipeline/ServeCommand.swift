import Appliance
import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the appliance: capture the sources and serve the admin listener.",
        discussion: "Stops gracefully on SIGTERM or SIGINT (Ctrl-C) within 10 seconds and exits 0."
    )

    @OptionGroup var file: ConfigFileOption
    @Option(name: .long, help: ArgumentHelp("Data directory (default ./data).", valueName: "dir"))
    var dataDir: String?
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        var overrides: [ConfigOverride] = []
        if let dataDir { overrides.append(ConfigOverride(path: "data_dir", value: dataDir, origin: .flag("--data-dir"))) }
        let loaded = try loadConfiguration(file: file.config, overrides: overrides)
        let logger = logging.bootstrap()
        Telemetry.bootstrap()
        try await reportingFailure {
            try await ApplianceRunner(config: loaded.config, logger: logger).run()
        }
    }
}
