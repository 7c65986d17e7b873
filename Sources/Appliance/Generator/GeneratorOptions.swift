import Foundation
import PostgresCDC

/// What the synthetic data generator makes and where it puts it.
public struct GeneratorOptions: Sendable {
    /// The database that gets `public."CommunityUsers"`.
    public var community: ConnectionSettings
    /// The database that gets `public."SitesUsers"` (may be the same database as `community`).
    public var sites: ConnectionSettings
    /// Community users in the bulk load. Default 10,000.
    public var rows: Int
    /// Sites in the bulk load; nil (the default) means a quarter of `rows`, rounded up — a site has one
    /// administrator and many more people use the forums than run a site.
    public var siteRows: Int?
    /// Changes per second in the continuous phase after the load; nil (the default) runs no such phase.
    public var rate: Double?
    /// How long the continuous phase runs; nil (the default) runs it until the task is cancelled.
    public var duration: Duration?
    /// The share (0…1) of distinct site administrators, by normalised email, who are also community
    /// users. Exact in the bulk load: `round(overlap × administrators)` of them are. Default 0.3.
    public var overlap: Double
    /// Same seed and `end`, same data. Default 1.
    public var seed: UInt64
    /// The share (0…1) of rows whose registration time is unparseable. Default 0.
    public var badTimestamps: Double
    /// Days of registration history before `end`. Default 730.
    public var historyDays: Int
    /// The end of the history: bulk-loaded registrations fall before it, new rows of the continuous phase
    /// after it. Default: today 00:00 UTC.
    public var end: Date

    public init(
        community: ConnectionSettings,
        sites: ConnectionSettings,
        rows: Int = 10_000,
        siteRows: Int? = nil,
        rate: Double? = nil,
        duration: Duration? = nil,
        overlap: Double = 0.3,
        seed: UInt64 = 1,
        badTimestamps: Double = 0,
        historyDays: Int = 730,
        end: Date = GeneratorOptions.startOfTodayUTC()
    ) {
        self.community = community
        self.sites = sites
        self.rows = rows
        self.siteRows = siteRows
        self.rate = rate
        self.duration = duration
        self.overlap = overlap
        self.seed = seed
        self.badTimestamps = badTimestamps
        self.historyDays = historyDays
        self.end = end
    }

    /// The number of sites the bulk load makes.
    public var effectiveSiteRows: Int { siteRows ?? (rows + 3) / 4 }

    /// Today at 00:00 UTC.
    public static func startOfTodayUTC(now: Date = Date()) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// `end` in microseconds since the epoch.
    var endMicros: Int64 { Int64((end.timeIntervalSince1970 * 1_000_000).rounded()) }

    func validate() throws(GeneratorError) {
        func require(_ condition: Bool, _ message: String) throws(GeneratorError) {
            if !condition { throw GeneratorError(.invalidOptions, message) }
        }
        try require(rows >= 0, "rows must not be negative")
        try require(effectiveSiteRows >= 0, "site rows must not be negative")
        try require((0...1).contains(overlap), "overlap must be between 0 and 1")
        try require((0...1).contains(badTimestamps), "the share of bad timestamps must be between 0 and 1")
        try require(historyDays >= 1, "the history must cover at least one day")
        if let rate { try require(rate > 0 && rate.isFinite, "the rate must be a positive number of changes per second") }
        if let duration { try require(duration >= .zero, "the duration must not be negative") }
    }
}

/// What a generator run did.
public struct GeneratorSummary: Sendable, Equatable {
    /// Changes applied to one table in the continuous phase.
    public struct Changes: Sendable, Equatable {
        public var inserts = 0
        public var updates = 0
        public var deletes = 0
        public var total: Int { inserts + updates + deletes }
        public init() {}
    }

    /// Rows the bulk load put into `CommunityUsers` (0 when the tables already held rows).
    public var communityRowsLoaded = 0
    /// Rows the bulk load put into `SitesUsers`.
    public var sitesRowsLoaded = 0
    /// Distinct site administrators (by normalised email) in the bulk load.
    public var distinctAdmins = 0
    /// Of those, the ones who are community users.
    public var communityAdmins = 0
    public var community = Changes()
    public var sites = Changes()

    /// Both tables' changes added up.
    public var changes: Changes {
        var sum = Changes()
        sum.inserts = community.inserts + sites.inserts
        sum.updates = community.updates + sites.updates
        sum.deletes = community.deletes + sites.deletes
        return sum
    }

    public init() {}
}

/// An error from the generator. Messages name tables and settings, never row values or passwords.
public struct GeneratorError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case invalidOptions, database }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The options contradict themselves or are out of range.
        public static let invalidOptions = Code(.invalidOptions)
        /// A database connection or statement failed.
        public static let database = Code(.database)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The PostgreSQL error behind a `database` error.
    public var underlying: PostgresError?
    public var file: String
    public var line: Int

    public init(_ code: Code, _ message: String, underlying: PostgresError? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String {
        underlying.map { "\(message): \($0)" } ?? message
    }
}
