import Foundation
import GRDB
import GRDBSQLite

/// One week of Q1 as stored in `weekly_site_registrations`.
public struct WeeklySiteRegistrations: Sendable, Equatable, Codable {
    public var weekStart: String
    public var sitesRegistered: Int
    public var sitesTotal: Int

    public init(weekStart: String, sitesRegistered: Int, sitesTotal: Int) {
        (self.weekStart, self.sitesRegistered, self.sitesTotal) = (weekStart, sitesRegistered, sitesTotal)
    }
}

/// One week of Q2 as stored in `weekly_community_admins`.
public struct WeeklyCommunityAdmins: Sendable, Equatable, Codable {
    public var weekStart: String
    public var newAdmins: Int
    public var adminsTotal: Int

    public init(weekStart: String, newAdmins: Int, adminsTotal: Int) {
        (self.weekStart, self.newAdmins, self.adminsTotal) = (weekStart, newAdmins, adminsTotal)
    }
}

/// A row of `community_site_admins`. Ids are the source key values as text.
public struct CommunitySiteAdmin: Sendable, Equatable, Codable {
    public var communityUserID: String
    public var siteID: String
    public var email: String
    /// ISO 8601 UTC.
    public var since: String
}

/// A row of `dead_letters`.
public struct DeadLetter: Sendable, Equatable, Codable {
    public var id: Int64
    public var source: String
    public var topic: String
    public var partition: Int
    public var offset: Int64
    public var key: String?
    public var reason: String
    public var payload: String?
    public var at: String
}

/// A result of a read-only query: column names and values as text (NULL as nil, blobs as base64).
public struct QueryRows: Sendable, Equatable, Codable {
    public var columns: [String]
    public var rows: [[String?]]
    /// More rows existed than the limit allowed.
    public var truncated: Bool
}

extension SinkDatabase {
    /// Q1 as committed: every week from the first to the last with a registration.
    public func weeklySiteRegistrations() throws -> [WeeklySiteRegistrations] {
        try pool.read(Self.weeklySiteRegistrations)
    }

    static func weeklySiteRegistrations(_ db: Database) throws -> [WeeklySiteRegistrations] {
        try Row.fetchAll(db, sql: "SELECT week_start, sites_registered, sites_total FROM weekly_site_registrations ORDER BY week_start")
            .map { WeeklySiteRegistrations(weekStart: $0[0], sitesRegistered: $0[1], sitesTotal: $0[2]) }
    }

    /// Q2 as committed: every week from the first to the last in which a community user became an admin.
    public func weeklyCommunityAdmins() throws -> [WeeklyCommunityAdmins] {
        try pool.read(Self.weeklyCommunityAdmins)
    }

    static func weeklyCommunityAdmins(_ db: Database) throws -> [WeeklyCommunityAdmins] {
        try Row.fetchAll(db, sql: "SELECT week_start, new_admins, admins_total FROM weekly_community_admins ORDER BY week_start")
            .map { WeeklyCommunityAdmins(weekStart: $0[0], newAdmins: $0[1], adminsTotal: $0[2]) }
    }

    /// The join rows (community user, site), ordered by user then site; at most `limit`.
    public func communitySiteAdmins(limit: Int = .max) throws -> [CommunitySiteAdmin] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT CAST(community_user_id AS TEXT), CAST(site_id AS TEXT), email, since FROM community_site_admins
                ORDER BY community_user_id, site_id LIMIT ?
                """, arguments: [min(limit, Int(Int64.max))])
                .map { CommunitySiteAdmin(communityUserID: $0[0], siteID: $0[1], email: $0[2], since: $0[3]) }
        }
    }

    /// Dead letters, newest first; at most `limit`.
    public func deadLetters(limit: Int = 1_000) throws -> [DeadLetter] {
        try pool.read { db in try Self.deadLetters(db, limit: limit) }
    }

    static func deadLetters(_ db: Database, limit: Int) throws -> [DeadLetter] {
        try Row.fetchAll(db, sql: """
            SELECT id, source, topic, partition, offset, key, reason, payload, at FROM dead_letters ORDER BY id DESC LIMIT ?
            """, arguments: [limit])
            .map { DeadLetter(id: $0[0], source: $0[1], topic: $0[2], partition: $0[3], offset: $0[4], key: $0[5],
                              reason: $0[6], payload: $0[7], at: $0[8]) }
    }

    /// Runs one read-only statement on a read-only connection (writes are refused twice: by the statement
    /// check and by SQLite, the readers being opened read-only) and returns at most `maxRows` rows. With
    /// `timeout` the statement is interrupted when it runs longer (`SinkQueryError.timeout`).
    public func query(_ sql: String, arguments: [String] = [], maxRows: Int = 10_000, timeout: Duration? = nil) throws -> QueryRows {
        try pool.read { db in try Self.run(db, sql, arguments, maxRows, timeout) }
    }

    /// `query` on GRDB's reader queue, off the caller's thread (for async callers such as the console).
    public func query(_ sql: String, arguments: [String] = [], maxRows: Int, timeout: Duration?) async throws -> QueryRows {
        try await pool.read { db in try Self.run(db, sql, arguments, maxRows, timeout) }
    }

    private static func run(_ db: Database, _ sql: String, _ arguments: [String], _ maxRows: Int, _ timeout: Duration?) throws -> QueryRows {
        do {
            return try execute(db, sql, arguments, maxRows, timeout)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT && timeout != nil {
            throw SinkQueryError.timeout(timeout ?? .zero)
        } catch let error as DatabaseError {
            throw SinkQueryError.invalid(error.message ?? "\(error)")
        }
    }

    private static func execute(_ db: Database, _ sql: String, _ arguments: [String], _ maxRows: Int, _ timeout: Duration?) throws -> QueryRows {
        // No ATTACH: it would let a read-only query read any other SQLite file the process can open.
        let attachLimit = sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_ATTACHED, 0)
        defer { sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_ATTACHED, attachLimit) }
        let statements = try db.allStatements(sql: sql)
        guard let statement = try statements.next() else { throw SinkQueryError.invalid("no statement to run") }
        guard try statements.next() == nil else { throw SinkQueryError.invalid("one statement at a time, please") }
        guard statement.isReadonly else { throw SinkQueryError.notReadOnly }
        statement.arguments = StatementArguments(arguments)
        let deadline = timeout.map { QueryDeadline(after: $0) }
        if let deadline { deadline.install(on: db) }
        defer {
            QueryDeadline.remove(from: db)
            withExtendedLifetime(deadline) {}
        }
        let cursor = try Row.fetchCursor(statement)
        var rows: [[String?]] = []
        while let row = try cursor.next() {
            if rows.count == maxRows { return QueryRows(columns: statement.columnNames, rows: rows, truncated: true) }
            rows.append((0..<row.count).map { index in
                let value: DatabaseValue = row[index]
                switch value.storage {
                case .null: return nil
                case .int64(let number): return String(number)
                case .double(let number): return String(number)
                case .string(let text): return text
                case .blob(let data): return data.base64EncodedString()
                }
            })
        }
        return QueryRows(columns: statement.columnNames, rows: rows, truncated: false)
    }
}

/// Why a read-only query was refused or stopped.
public enum SinkQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a read-only statement (INSERT, UPDATE, DELETE, DDL, ATTACH, a writing PRAGMA …).
    case notReadOnly
    /// Ran past its time limit and was interrupted.
    case timeout(Duration)
    /// SQLite refused it (syntax, unknown table …): SQLite's message.
    case invalid(String)

    public var description: String {
        switch self {
        case .notReadOnly: "only read-only statements are allowed: the sink is read-only here"
        case .timeout(let limit): "the statement ran longer than its limit of \(limit) and was interrupted"
        case .invalid(let message): message
        }
    }
}

/// Interrupts a statement past its deadline through SQLite's progress handler (called every 1,000 virtual
/// machine instructions on the connection's own thread; returning non-zero makes the step fail with
/// SQLITE_INTERRUPT).
private final class QueryDeadline {
    let deadline: ContinuousClock.Instant

    init(after timeout: Duration) { deadline = .now + timeout }

    func install(on db: Database) {
        // Unretained: `run` keeps `self` alive until `remove` has cleared the handler.
        sqlite3_progress_handler(db.sqliteConnection, 1_000, { context in
            guard let context else { return 0 }
            let deadline = Unmanaged<QueryDeadline>.fromOpaque(context).takeUnretainedValue()
            return ContinuousClock.now >= deadline.deadline ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    static func remove(from db: Database) {
        sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
    }
}

/// Q1 and Q2 read in one transaction: the two series are of the same commit.
public struct CommittedAnswers: Sendable, Equatable {
    public var registrations: [WeeklySiteRegistrations]
    public var admins: [WeeklyCommunityAdmins]
}

extension SinkDatabase {
    /// Both answers from one read transaction, on GRDB's reader queue (for async callers).
    public func answers() async throws -> CommittedAnswers {
        try await pool.read { db in
            try CommittedAnswers(registrations: Self.weeklySiteRegistrations(db), admins: Self.weeklyCommunityAdmins(db))
        }
    }

    /// Dead letters, newest first, on GRDB's reader queue.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await pool.read { db in try Self.deadLetters(db, limit: limit) }
    }

    /// How many rows the sink has rejected in all.
    public func deadLetterCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM dead_letters") ?? 0 }
    }
}
