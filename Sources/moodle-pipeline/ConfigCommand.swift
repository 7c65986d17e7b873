import Appliance
import ArgumentParser

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check or print the configuration.",
        subcommands: [Check.self, Print.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration (file, environment); exit 0 when valid, 2 with one line per problem otherwise."
        )
        @OptionGroup var file: ConfigFileOption

        func run() async throws {
            let loaded = try loadConfiguration(file: file.config)
            let sources = loaded.config.sources.map(\.name).joined(separator: ", ")
            print("configuration is valid (\(loaded.filePath ?? "no file, environment and defaults only"); sources: \(sources))")
        }
    }

    struct Print: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration as TOML, with where each value came from; secrets are never shown."
        )
        @OptionGroup var file: ConfigFileOption

        func run() async throws {
            print(try loadConfiguration(file: file.config).renderTOML(), terminator: "")
        }
    }
}
