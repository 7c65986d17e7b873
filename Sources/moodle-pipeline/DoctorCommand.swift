import Appliance
import ArgumentParser

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every configured source for what capture needs, with the SQL or setting that fixes each problem.",
        discussion: """
            Checks the server version, wal_level, free replication slots and WAL senders, the role's REPLICATION \
            and SELECT rights, a replication connection, the tables and their primary keys or replica identity, the \
            publication (its owner and tables) and an existing slot (its lag and wal_status). Exit status 0 only \
            when `serve` would work; 1 when a source is not ready; 2 when the configuration is invalid.
            """
    )

    @OptionGroup var file: ConfigFileOption

    func run() async throws {
        let loaded = try loadConfiguration(file: file.config)
        let reports = await Doctor.run(loaded.config)
        print(Doctor.render(reports, config: loaded.config), terminator: "")
        if !Doctor.allPassed(reports) { throw ExitCode.failure }
    }
}
