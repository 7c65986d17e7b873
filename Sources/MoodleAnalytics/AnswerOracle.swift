import Foundation

/// One row of Q1: sites registered in a week and the running total up to the end of it.
public struct SitesWeek: Hashable, Sendable {
    public let week: Week
    public let sitesRegistered: Int
    public let sitesTotal: Int
    public var weekStart: String { week.text }

    public init(week: Week, sitesRegistered: Int, sitesTotal: Int) {
        (self.week, self.sitesRegistered, self.sitesTotal) = (week, sitesRegistered, sitesTotal)
    }
}

/// One row of Q2: community users who became site administrators in a week, and the running total.
public struct AdminsWeek: Hashable, Sendable {
    public let week: Week
    public let newAdmins: Int
    public let adminsTotal: Int
    public var weekStart: String { week.text }

    public init(week: Week, newAdmins: Int, adminsTotal: Int) {
        (self.week, self.newAdmins, self.adminsTotal) = (week, newAdmins, adminsTotal)
    }
}

/// Q1 and Q2 computed from scratch over in-memory rows, literally from DESIGN.md's definitions: the oracle
/// and the specification for the incremental processor. Linear in the rows; recomputes everything.
///
/// Callers pass the rows as the sources are now, one per primary key, with registration times already
/// parsed (`RegistrationTime`); rows whose time could not be parsed are dead letters and are left out by
/// the caller.
public enum AnswerOracle {
    /// Q1: for each week from the first to the last with a registration (zero weeks included), the number
    /// of sites registered in it and the running total to its end. Empty input gives no rows.
    public static func q1<ID: Hashable>(
        sites: [(id: ID, registeredMicros: Int64)],
        timeZone: TimeZone
    ) -> [SitesWeek] {
        let counts = weeklyCounts(sites.map(\.registeredMicros), timeZone: timeZone)
        return runningTotals(counts).map { SitesWeek(week: $0.week, sitesRegistered: $0.count, sitesTotal: $0.total) }
    }

    /// Q2: a community user U administers a site S when `normalize(U.email) == normalize(S.adminEmail)`
    /// (an empty normalized email matches nothing); U became an administrator at
    /// `t(U) = min over matching S of max(U.registered, S.registered)`; for each week from the first to
    /// the last containing some `t(U)` (zero weeks included), `newAdmins` counts users whose `t(U)` is in
    /// the week and `adminsTotal` the distinct users with `t(U)` up to its end. A user who administers
    /// several sites counts once (users are distinct by `id`).
    public static func q2<UserID: Hashable, SiteID: Hashable>(
        users: [(id: UserID, email: String, registeredMicros: Int64)],
        sites: [(id: SiteID, adminEmail: String, registeredMicros: Int64)],
        normalizer: EmailNormalizer,
        timeZone: TimeZone
    ) -> [AdminsWeek] {
        let becameAdmin = adminTimes(users: users, sites: sites, normalizer: normalizer)
        let counts = weeklyCounts(Array(becameAdmin.values), timeZone: timeZone)
        return runningTotals(counts).map { AdminsWeek(week: $0.week, newAdmins: $0.count, adminsTotal: $0.total) }
    }

    /// `t(U)` for every community user who administers at least one site, keyed by user id.
    public static func adminTimes<UserID: Hashable, SiteID: Hashable>(
        users: [(id: UserID, email: String, registeredMicros: Int64)],
        sites: [(id: SiteID, adminEmail: String, registeredMicros: Int64)],
        normalizer: EmailNormalizer
    ) -> [UserID: Int64] {
        var sitesByEmail: [String: [Int64]] = [:]
        for site in sites {
            let email = normalizer.normalize(site.adminEmail)
            if !email.isEmpty { sitesByEmail[email, default: []].append(site.registeredMicros) }
        }
        var times: [UserID: Int64] = [:]
        for user in users {
            let email = normalizer.normalize(user.email)
            guard !email.isEmpty, let matching = sitesByEmail[email] else { continue }
            let t = matching.map { max(user.registeredMicros, $0) }.min() ?? user.registeredMicros
            times[user.id] = min(times[user.id] ?? t, t)
        }
        return times
    }

    /// How many instants fall in each week.
    private static func weeklyCounts(_ instants: [Int64], timeZone: TimeZone) -> [Week: Int] {
        var counts: [Week: Int] = [:]
        for micros in instants {
            counts[Week(containingEpochMicroseconds: micros, in: timeZone), default: 0] += 1
        }
        return counts
    }

    /// Every week from the first to the last counted, with its count (0 when absent) and the running total.
    static func runningTotals(_ counts: [Week: Int]) -> [(week: Week, count: Int, total: Int)] {
        guard let first = counts.keys.min(), let last = counts.keys.max() else { return [] }
        var total = 0
        return Week.all(from: first, through: last).map { week in
            let count = counts[week] ?? 0
            total += count
            return (week, count, total)
        }
    }
}
