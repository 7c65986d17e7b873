import Foundation
import Testing
import MoodleAnalytics

/// Small examples worked out by hand from DESIGN.md's definitions.
@Suite("AnswerOracle")
struct AnswerOracleTests {
    // s1 Mon 03-04 00:00, s2 Sun 03-10 23:59:59.999999, s3 Mon 03-11 00:00, s4 Wed 03-27 12:00 (UTC).
    static let sites: [(id: Int, adminEmail: String, registeredMicros: Int64)] = [
        (1, "Ann@Example.org ", utc(2024, 3, 4)),
        (2, "bob@example.org", utc(2024, 3, 10, 23, 59, 59, micros: 999_999)),
        (3, "ann@example.org", utc(2024, 3, 11)),
        (4, "", utc(2024, 3, 27, 12)),
    ]
    static let users: [(id: String, email: String, registeredMicros: Int64)] = [
        ("u1", "ann@example.org", utc(2024, 2, 1)),  // before both of Ann's sites: t = s1 = 03-04
        ("u2", " BOB@EXAMPLE.ORG\n", utc(2024, 3, 20)),  // after s2: t = 03-20
        ("u3", "", utc(2024, 3, 1)),  // no email: never matches site 4's empty email
        ("u4", "carol@example.org", utc(2024, 3, 5)),  // no site
        ("u5", "ann+moodle@example.org", utc(2024, 3, 12)),  // matches Ann's sites only when folding: t = 03-12
    ]

    static func rows(_ rows: [SitesWeek]) -> [String] {
        rows.map { "\($0.weekStart) \($0.sitesRegistered) \($0.sitesTotal)" }
    }

    static func rows(_ rows: [AdminsWeek]) -> [String] {
        rows.map { "\($0.weekStart) \($0.newAdmins) \($0.adminsTotal)" }
    }

    @Test func q1InUTCIncludesZeroWeeks() {
        let q1 = AnswerOracle.q1(sites: Self.sites.map { ($0.id, $0.registeredMicros) }, timeZone: zone("UTC"))
        #expect(Self.rows(q1) == ["2024-03-04 2 2", "2024-03-11 1 3", "2024-03-18 0 3", "2024-03-25 1 4"])
    }

    /// In New York s1 is Sunday 03-03 19:00 EST, s2 and s3 fall on Sunday 03-10 (EDT).
    @Test func q1InNewYork() {
        let q1 = AnswerOracle.q1(sites: Self.sites.map { ($0.id, $0.registeredMicros) }, timeZone: zone("America/New_York"))
        #expect(Self.rows(q1) == ["2024-02-26 1 1", "2024-03-04 2 3", "2024-03-11 0 3", "2024-03-18 0 3", "2024-03-25 1 4"])
    }

    @Test func q1Empty() {
        #expect(AnswerOracle.q1(sites: [(id: Int, registeredMicros: Int64)](), timeZone: zone("UTC")).isEmpty)
    }

    @Test func q2WithoutFolding() {
        let q2 = AnswerOracle.q2(users: Self.users, sites: Self.sites, normalizer: EmailNormalizer(), timeZone: zone("UTC"))
        #expect(Self.rows(q2) == ["2024-03-04 1 1", "2024-03-11 0 1", "2024-03-18 1 2"])
        let times = AnswerOracle.adminTimes(users: Self.users, sites: Self.sites, normalizer: EmailNormalizer())
        #expect(times == ["u1": utc(2024, 3, 4), "u2": utc(2024, 3, 20)])
    }

    @Test func q2WithPlusTagFolding() {
        let q2 = AnswerOracle.q2(
            users: Self.users, sites: Self.sites, normalizer: EmailNormalizer(foldPlusTags: true), timeZone: zone("UTC"))
        #expect(Self.rows(q2) == ["2024-03-04 1 1", "2024-03-11 1 2", "2024-03-18 1 3"])
    }

    /// t(U) = min over matching S of max(U.registered, S.registered): a user registered between two of
    /// their sites became an administrator when they registered, not at either site's time.
    @Test func adminTimeIsMinOfMax() {
        let sites: [(id: Int, adminEmail: String, registeredMicros: Int64)] = [
            (1, "x@y.z", utc(2024, 1, 1)), (2, "x@y.z", utc(2024, 6, 1)), (3, "x@y.z", utc(2024, 3, 1)),
        ]
        let users: [(id: Int, email: String, registeredMicros: Int64)] = [
            (10, "x@y.z", utc(2024, 2, 1)),  // max with each: 02-01, 06-01, 03-01 → 02-01
            (11, "X@Y.Z", utc(2023, 1, 1)),  // → 2024-01-01
            (12, "x@y.z", utc(2025, 1, 1)),  // after all → itself
        ]
        let times = AnswerOracle.adminTimes(users: users, sites: sites, normalizer: EmailNormalizer())
        #expect(times == [10: utc(2024, 2, 1), 11: utc(2024, 1, 1), 12: utc(2025, 1, 1)])
        let q2 = AnswerOracle.q2(users: users, sites: sites, normalizer: EmailNormalizer(), timeZone: zone("UTC"))
        #expect(q2.count == 53)  // 2024-01-01 through 2024-12-30, zero weeks included
        #expect(q2.first?.weekStart == "2024-01-01")
        #expect(q2.last.map { "\($0.weekStart) \($0.newAdmins) \($0.adminsTotal)" } == "2024-12-30 1 3")
        #expect(q2.reduce(0) { $0 + $1.newAdmins } == 3)
    }
}
