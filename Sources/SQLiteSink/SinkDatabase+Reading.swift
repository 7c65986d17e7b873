import Foundation
import GRDB

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
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT week_start, sites_registered, sites_total FROM weekly_site_registrations ORDER BY week_start")
                .map { WeeklySiteRegistrations(weekStart: $0[0], sitesRegistered: $0[1], sitesTotal: $0[2]) }
        }
    }

    /// Q2 as committed: every week from the first to the last in which a community user became an admin.
    public func weeklyCommunityAdmins() throws -> [WeeklyCommunityAdmins] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT week_start, new_admins, admins_total FROM weekly_community_admins ORDER BY week_start")
                .map { WeeklyCommunityAdmins(weekStart: $0[0], newAdmins: $0[1], adminsTotal: $0[2]) }
        }
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
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, source, topic, partition, offset, key, reason, payload, at FROM dead_letters ORDER BY id DESC LIMIT ?
                """, arguments: [limit])
                .map { DeadLetter(id: $0[0], source: $0[1], topic: $0[2], partition: $0[3], offset: $0[4], key: $0[5],
                                  reason: $0[6], payload: $0[7], at: $0[8]) }
        }
    }

    /// Runs one read-only statement (writes are refused by SQLite itself: the connection is read-only) and
    /// returns at most `maxRows` rows.
    public func query(_ sql: String, arguments: [String] = [], maxRows: Int = 10_000) throws -> QueryRows {
        try pool.read { db in
            let statement = try db.makeStatement(sql: sql)
            guard statement.isReadonly else {
                throw DatabaseError(resultCode: .SQLITE_READONLY, message: "only read-only statements are allowed")
            }
            statement.arguments = StatementArguments(arguments)
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
}
