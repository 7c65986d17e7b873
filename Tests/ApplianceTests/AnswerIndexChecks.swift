import Foundation
import PostgresCDC
import PostgresTestSupport
import SQLiteSink
import Testing

/// The pipeline's search indices against the sources and the sink, through the search API of `serve`:
/// `community_users` and `sites` hold exactly the source rows (one document per primary key, the row as
/// its `_source`), `community_site_admins` exactly the sink's join rows, and `weekly_metrics` exactly both
/// weekly series.
extension AnswerOracleTests {
    static func expectIndicesConverged(_ rig: AnswerRig, serve: ChildProcess) async throws {
        let expected = try await indexExpectations(rig)
        var actual: [String: Set<String>] = [:]
        let converged = await eventually(timeout: .seconds(60)) {
            for (index, documents) in expected {
                guard let found = await searchAll(port: rig.searchPort, index: index) else { return false }
                actual[index] = found
                if found != documents { return false }
            }
            return true
        }
        // What serve said about the search side, shown when an index is wrong.
        let searchLog = serve.stdout.split(separator: "\n").filter { $0.contains("document") || $0.contains("search") || $0.contains("index") }
        for (index, documents) in expected.sorted(by: { $0.key < $1.key }) {
            let found = actual[index] ?? []
            #expect(found == documents, """
                index \(index): \(found.count) documents vs \(documents.count) expected; \
                missing \(documents.subtracting(found).sorted().prefix(3)), unexpected \(found.subtracting(documents).sorted().prefix(3)); \
                serve's search log: \(searchLog.suffix(5))
                """)
        }
        #expect(converged)
    }

    /// Per index, the expected documents as `_id` + canonical `_source` strings.
    private static func indexExpectations(_ rig: AnswerRig) async throws -> [String: Set<String>] {
        let users = try await ThrowawayCluster.sql(rig.community, #"SELECT id, email, username, registration_timestamp FROM "CommunityUsers""#, database: "community")
        let sites = try await ThrowawayCluster.sql(rig.sites, #"SELECT id, admin_email, username, registration_timestamp FROM "SitesUsers""#, database: "sites")
        func rows(_ result: QueryResult, _ columns: [String]) -> Set<String> {
            Set(result.rows.map { row in
                var object: [String: Any] = [:]
                for (column, value) in zip(columns, row) { object[column] = value.map { column == "id" ? (Int64($0) as Any? ?? $0) : $0 } ?? NSNull() }
                return "\(row[0] ?? "") \(canonical(object))"
            })
        }
        let sink = try SinkDatabase(path: rig.sinkPath)
        var weekly: Set<String> = []
        for row in try sink.weeklySiteRegistrations() {
            weekly.insert("site_registrations:\(row.weekStart) \(canonical(["metric": "site_registrations", "week_start": row.weekStart, "sites_registered": row.sitesRegistered, "sites_total": row.sitesTotal, "count": row.sitesRegistered, "running_total": row.sitesTotal]))")
        }
        for row in try sink.weeklyCommunityAdmins() {
            weekly.insert("community_admins:\(row.weekStart) \(canonical(["metric": "community_admins", "week_start": row.weekStart, "new_admins": row.newAdmins, "admins_total": row.adminsTotal, "count": row.newAdmins, "running_total": row.adminsTotal]))")
        }
        let admins = Set(try sink.communitySiteAdmins().map { "\($0.communityUserID)|\($0.siteID) \($0.email)" })
        return [
            "community_users": rows(users, ["id", "email", "username", "registration_timestamp"]),
            "sites": rows(sites, ["id", "admin_email", "username", "registration_timestamp"]),
            "weekly_metrics": weekly,
            "community_site_admins": admins,
        ]
    }

    /// Every document of an index as `_id` + canonical `_source` (for `community_site_admins`: `_id` + email).
    private static func searchAll(port: Int, index: String) async -> Set<String>? {
        guard let response = await httpGet("http://127.0.0.1:\(port)/\(index)/_search?size=10000"), response.status == 200,
              let body = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
              let hits = (body["hits"] as? [String: Any])?["hits"] as? [[String: Any]] else { return nil }
        return Set(hits.compactMap { hit -> String? in
            guard let id = hit["_id"] as? String, let source = hit["_source"] as? [String: Any] else { return nil }
            if index == "community_site_admins" { return "\(id) \(source["email"] as? String ?? "")" }
            return "\(id) \(canonical(source))"
        })
    }

    private static func canonical(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "?" }
        return String(decoding: data, as: UTF8.self)
    }
}
