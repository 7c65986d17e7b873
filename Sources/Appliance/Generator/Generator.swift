import Logging
import PostgresCDC

/// Fills the two Moodle source tables with synthetic, deterministic data, then (optionally) keeps changing
/// them at a steady rate, as a live Moodle would: the demo's and the tests' data source.
///
/// The run creates the tables when missing and bulk-loads them with COPY — only when both are empty, so
/// that a restarted demo does not load twice — then, with `rate` set, applies inserts, updates and deletes
/// until `duration` has passed or the task is cancelled. All database work runs on one dedicated thread
/// with one connection per database.
public struct Generator: Sendable {
    public let options: GeneratorOptions
    private let logger: Logger

    public init(options: GeneratorOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Loads, then runs the continuous phase if `rate` is set, and reports what it did.
    ///
    /// Cancellation is honoured within a statement's time: during the load it rolls the load back and
    /// throws `CancellationError`; during the continuous phase — which ends that way when `duration` is
    /// nil — it returns the summary so far. Throws `GeneratorError` for bad options and database failures.
    public func run() async throws -> GeneratorSummary {
        try options.validate()
        let signal = CancellationSignal()
        let options = options
        let logger = logger
        // The blocking work runs in a task of its own that this one awaits to the end: cancelling this task
        // only raises the signal, so when `run()` returns the generator has stopped writing and closed its
        // connections (`runBlocking` alone would return at once and leave the thread to finish later).
        let work = Task.detached {
            do {
                return try await PGConnection.withConnection(options.community) { community in
                    let sites = try GeneratorRun.connect(options.sites, "sites")
                    return try GeneratorRun(options: options, logger: logger, signal: signal, community: community, sites: sites).run()
                }
            } catch let error as PostgresError {
                // Only opening the community connection throws this unwrapped.
                throw GeneratorError(.database, "cannot connect to the community database", underlying: error)
            }
        }
        return try await withTaskCancellationHandler {
            try await work.value
        } onCancel: {
            signal.cancel()
        }
    }
}

/// One run on the generator's thread, holding both connections.
struct GeneratorRun {
    let options: GeneratorOptions
    let logger: Logger
    let signal: CancellationSignal
    let community: PGConnection
    let sites: PGConnection

    /// Rows per COPY statement; cancellation is checked between them.
    static let copyBatch = 5_000

    static func connect(_ settings: ConnectionSettings, _ name: String) throws(GeneratorError) -> PGConnection {
        do {
            return try PGConnection(settings)
        } catch {
            throw GeneratorError(.database, "cannot connect to the \(name) database", underlying: error)
        }
    }

    func connection(_ side: GeneratorSide) -> PGConnection {
        switch side {
        case .community: community
        case .sites: sites
        }
    }

    /// Runs `body`, turning a PostgreSQL error into a `GeneratorError` that says what was being done.
    @discardableResult
    func database<T>(_ what: @autoclosure () -> String, _ body: () throws(PostgresError) -> T) throws(GeneratorError) -> T {
        do {
            return try body()
        } catch {
            throw GeneratorError(.database, what(), underlying: error)
        }
    }

    func run() throws -> GeneratorSummary {
        for side in GeneratorSide.allCases {
            try database("cannot create table \(side.table)") { () throws(PostgresError) in
                // Checked first so that an existing table does not draw a NOTICE on every run.
                if try connection(side).query("SELECT to_regclass($1) IS NULL", [side.table.sql]).scalar == "t" {
                    try connection(side).execute(side.schemaSQL)
                }
            }
        }
        var summary = GeneratorSummary()
        try load(&summary)
        if let rate = options.rate, !signal.isCancelled {
            var stream = try ChangeStream(self)
            try stream.run(rate: rate, summary: &summary)
        }
        return summary
    }

    /// Bulk-loads both tables in one transaction each, or nothing when either already holds rows.
    private func load(_ summary: inout GeneratorSummary) throws {
        for side in GeneratorSide.allCases {
            let any = try database("cannot read \(side.table)") { () throws(PostgresError) in
                try connection(side).execute("SELECT EXISTS (SELECT 1 FROM \(side.table.sql))").scalar
            }
            if any == "t" {
                logger.notice("tables already hold rows; skipping the bulk load", metadata: ["generator.table": "\(side.table)"])
                return
            }
        }
        if signal.isCancelled { throw CancellationError() }
        let dataset = try SeedDataset.make(options)
        summary.distinctAdmins = dataset.distinctAdmins
        summary.communityAdmins = dataset.communityAdmins
        do {
            for side in GeneratorSide.allCases {
                try database("cannot begin the load") { () throws(PostgresError) in try connection(side).execute("BEGIN") }
            }
            summary.communityRowsLoaded = try copy(dataset.community, into: .community)
            summary.sitesRowsLoaded = try copy(dataset.sites, into: .sites)
            for side in GeneratorSide.allCases {
                try database("cannot commit the load") { () throws(PostgresError) in try connection(side).execute("COMMIT") }
            }
        } catch {
            for side in GeneratorSide.allCases { _ = try? connection(side).execute("ROLLBACK") }
            throw error
        }
        logger.info("loaded the seed data", metadata: [
            "generator.community_rows": "\(summary.communityRowsLoaded)", "generator.sites_rows": "\(summary.sitesRowsLoaded)",
            "generator.admins": "\(dataset.distinctAdmins)", "generator.community_admins": "\(dataset.communityAdmins)",
        ])
    }

    private func copy(_ rows: [SeedRow], into side: GeneratorSide) throws -> Int {
        let statement = "COPY \(side.table.sql) (\(side.emailColumn), username, registration_timestamp) FROM STDIN"
        var loaded = 0
        var start = 0
        while start < rows.count {
            if signal.isCancelled { throw CancellationError() }
            let batch = rows[start..<min(start + Self.copyBatch, rows.count)].lazy.map(\.copyValues)
            loaded += try database("cannot load \(side.table)") { () throws(PostgresError) in
                try connection(side).copyIn(statement, rows: batch)
            }
            start += Self.copyBatch
        }
        return loaded
    }
}
