import Appliance
import ArgumentParser

@main
struct MoodlePipeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moodle-pipeline",
        abstract: "Change-data-capture from PostgreSQL into a log, SQLite and a search index, in one process.",
        discussion: """
            Start here:
              moodle-pipeline demo              local PostgreSQL sources with generated data, the whole pipeline
              moodle-pipeline doctor            check that the configured sources are ready for capture
              moodle-pipeline serve             run the appliance with ./appliance.conf

            Configuration: appliance.conf (TOML). Every key can also be set as MOODLE_PIPELINE_<SECTION>_<KEY>
            (e.g. MOODLE_PIPELINE_SOURCES_COMMUNITY_URL); flags win over the environment, which wins over the file.
            Configuration errors exit with status 2.
            """,
        version: ApplianceVersion.current,
        subcommands: [
            ServeCommand.self, DemoCommand.self, GenerateCommand.self, DoctorCommand.self,
            ConfigCommand.self, VersionCommand.self,
        ]
    )
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        print("moodle-pipeline \(ApplianceVersion.current)")
    }
}
