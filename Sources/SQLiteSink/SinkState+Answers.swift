import Foundation
import GRDB
import MoodleAnalytics
import StreamProcessing

extension SinkState {
    /// Writes what the batch changed in the answers — join rows, and each series' weeks that differ from
    /// what is stored — and queues the same changes for the derived topics (`changelog_outbox`).
    func writeAnswers(_ db: Database) throws {
        guard var processor else { return }
        let changes = processor.drainChanges()
        self.processor = processor
        if !changes.pairs.isEmpty { try writePairs(changes.pairs, db) }
        if changes.q1Changed {
            let rows = processor.q1Series().map { ($0.weekStart, [$0.sitesRegistered, $0.sitesTotal]) }
            try writeSeries(rows, written: &writtenQ1, table: "weekly_site_registrations",
                            columns: ["sites_registered", "sites_total"], topic: DerivedTopic.weeklySiteRegistrations, db)
        }
        if changes.q2Changed {
            let rows = processor.q2Series().map { ($0.weekStart, [$0.newAdmins, $0.adminsTotal]) }
            try writeSeries(rows, written: &writtenQ2, table: "weekly_community_admins",
                            columns: ["new_admins", "admins_total"], topic: DerivedTopic.weeklyCommunityAdmins, db)
        }
    }

    private func writePairs(_ pairs: [AnswerProcessor.PairChange], _ db: Database) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO community_site_admins(community_user_id, site_id, email, since) VALUES (?, ?, ?, ?)
            ON CONFLICT(community_user_id, site_id) DO UPDATE SET email = excluded.email, since = excluded.since
            """)
        let delete = try db.cachedStatement(sql: "DELETE FROM community_site_admins WHERE community_user_id = ? AND site_id = ?")
        for change in pairs {
            let user = RowKey.identity(change.userKey)
            let site = RowKey.identity(change.siteKey)
            let key = JSONObject([("community_user_id", Self.json(user)), ("site_id", Self.json(site))])
            if let new = change.new {
                let since = Self.timestampText(new.since)
                try upsert.execute(arguments: [user, site, new.email, since])
                try outbox(ChangelogRecord(topic: DerivedTopic.communitySiteAdmins, key: key, value: JSONObject(
                    key.members + [("email", .string(new.email)), ("since", .string(since))])), db)
            } else {
                try delete.execute(arguments: [user, site])
                try outbox(ChangelogRecord(topic: DerivedTopic.communitySiteAdmins, key: key, value: nil), db)
            }
        }
    }

    private func writeSeries(
        _ rows: [(String, [Int])], written: inout [String: [Int]], table: String, columns: [String], topic: String, _ db: Database
    ) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO \(table)(week_start, \(columns[0]), \(columns[1])) VALUES (?, ?, ?)
            ON CONFLICT(week_start) DO UPDATE SET \(columns[0]) = excluded.\(columns[0]), \(columns[1]) = excluded.\(columns[1])
            """)
        let delete = try db.cachedStatement(sql: "DELETE FROM \(table) WHERE week_start = ?")
        var current: [String: [Int]] = [:]
        for (week, values) in rows {
            current[week] = values
            guard written[week] != values else { continue }
            try upsert.execute(arguments: [week, values[0], values[1]])
            try outbox(ChangelogRecord(topic: topic, key: JSONObject([("week_start", .string(week))]), value: JSONObject([
                ("week_start", .string(week)), (columns[0], .integer(Int64(values[0]))), (columns[1], .integer(Int64(values[1]))),
            ])), db)
        }
        for week in written.keys where current[week] == nil {
            try delete.execute(arguments: [week])
            try outbox(ChangelogRecord(topic: topic, key: JSONObject([("week_start", .string(week))]), value: nil), db)
        }
        written = current
    }

    private func outbox(_ record: ChangelogRecord, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO changelog_outbox(topic, key, value) VALUES (?, ?, ?)")
            .execute(arguments: [record.topic, Data(record.key), record.value.map { Data($0) }])
    }

    static func json(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .blob(let data): .string(data.base64EncodedString())
        }
    }

    /// An instant as ISO 8601 in UTC: `2024-03-04T09:15:00Z`, with microseconds when it has any.
    static func timestampText(_ micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = LocalDate(daysSinceEpoch: days)
        var text = date.text + "T" + two(secondOfDay / 3600) + ":" + two(secondOfDay / 60 % 60) + ":" + two(secondOfDay % 60)
        if fraction != 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return text + "Z"
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
