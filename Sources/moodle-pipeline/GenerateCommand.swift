import Appliance
import ArgumentParser
import Foundation

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic synthetic Moodle data into the seed schema (creates the tables when missing).",
        discussion: """
            Loads CommunityUsers and SitesUsers with COPY (only when both are empty), then with --rate keeps \
            inserting, updating and deleting. Deterministic for a given --seed and --end. Passwords come from \
            --*-password-file or libpq (PGPASSWORD, ~/.pgpass), never from the command line.
            """
    )

    @Option(help: ArgumentHelp("libpq URL of the community database.", valueName: "url")) var community: String
    @Option(help: ArgumentHelp("libpq URL of the sites database.", valueName: "url")) var sites: String
    @Option(help: ArgumentHelp("File (0600) with the community database's password.", valueName: "path")) var communityPasswordFile: String?
    @Option(help: ArgumentHelp("File (0600) with the sites database's password.", valueName: "path")) var sitesPasswordFile: String?
    @Option(help: "Community rows to load (sites get a quarter as many).") var rows = 10_000
    @Option(help: ArgumentHelp("Changes per second after the load (inserts, updates, deletes).", valueName: "per-sec")) var rate: Double?
    @Option(help: ArgumentHelp("Seconds to keep changing (default: until Ctrl-C).", valueName: "seconds")) var duration: Double?
    @Option(help: ArgumentHelp("Share of distinct site administrators who are community users.", valueName: "fraction")) var overlap = 0.3
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Share of rows with an unparseable timestamp.", valueName: "fraction")) var badTimestamps = 0.0
    @Option(help: ArgumentHelp("Days of registration history.", valueName: "days")) var historyDays = 730
    @Option(help: ArgumentHelp("End of the history, YYYY-MM-DD (default: today, UTC).", valueName: "date")) var end: String?
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.bootstrap()
        var endDate = GeneratorOptions.startOfTodayUTC()
        if let end {
            guard let parsed = try? Date(end + "T00:00:00Z", strategy: .iso8601) else {
                throw ValidationError("--end: expected a date as YYYY-MM-DD, got \(end)")
            }
            endDate = parsed
        }
        let communitySettings, sitesSettings: DatabaseSettings
        do {
            communitySettings = try SourceConfig.commandLineSettings(
                url: community, urlFlag: "--community", passwordFile: communityPasswordFile, passwordFlag: "--community-password-file")
            sitesSettings = try SourceConfig.commandLineSettings(
                url: sites, urlFlag: "--sites", passwordFile: sitesPasswordFile, passwordFlag: "--sites-password-file")
        } catch let error as ConfigErrors {
            for problem in error.errors { printError("\(problem)") }
            throw ExitCode(2)
        }
        try await reportingFailure {
            let options = GeneratorOptions(
                community: communitySettings,
                sites: sitesSettings,
                rows: rows, rate: rate, duration: duration.map { .milliseconds(Int64($0 * 1000)) },
                overlap: overlap, seed: seed, badTimestamps: badTimestamps, historyDays: historyDays, end: endDate
            )
            let summary = try await Generator(options: options, logger: logger).run()
            print("""
                loaded \(summary.communityRowsLoaded) community users and \(summary.sitesRowsLoaded) sites \
                (\(summary.communityAdmins) of \(summary.distinctAdmins) distinct site administrators are community users); \
                applied \(summary.changes.inserts) inserts, \(summary.changes.updates) updates, \(summary.changes.deletes) deletes
                """)
        }
    }
}
