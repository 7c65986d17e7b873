import Appliance
import ArgumentParser

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on a laptop: two local PostgreSQL sources with generated data.",
        discussion: """
            The first run creates two PostgreSQL clusters under <data-dir>/demo/ with the system's PostgreSQL \
            binaries (as the postgres OS user when run as root), loads generated Moodle data, and keeps a generator \
            writing; later runs reuse them. Everything `serve` runs runs too. Ctrl-C stops all of it.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Data directory (default ./data).", valueName: "dir"))
    var dataDir: String = "data"
    @OptionGroup var file: ConfigFileOption
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.bootstrap()
        Telemetry.bootstrap()
        try await reportingFailure {
            let session = try await Demo(dataDirectory: dataDir, logger: logger).start()
            let loaded: LoadedConfig
            do {
                loaded = try loadConfiguration(file: file.config, overrides: session.overrides)
            } catch {
                await session.stop()
                throw error
            }
            try await session.run(config: loaded.config)
        }
    }
}
