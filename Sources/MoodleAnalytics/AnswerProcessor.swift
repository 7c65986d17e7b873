import Foundation
import StreamProcessing

/// The two answers kept current from the change streams of the two tables, built from the generic operators:
///
/// ```
/// community rows ─► KeyedTable ─┐                                   ┌─► GroupedAggregate min ─► WindowedAggregation
///                               ├─► DerivedKeyJoin on normalize(email) (t(U) per user)           count per week: Q2
/// sites rows ─────► KeyedTable ─┘        │                          └─► community_site_admins (pairs, since)
///                        └──────────────────────────────────────────────► WindowedAggregation count per week: Q1
/// ```
///
/// A row whose registration time cannot be parsed is a dead letter: it leaves the tables (as if deleted), so
/// a row that had a valid time and gets an invalid one leaves the answers. State is in memory and is a pure
/// function of the current rows of the two tables, so it is rebuilt exactly by replaying the rows.
public struct AnswerProcessor: Sendable {
    /// What the answers keep of a row.
    public struct Member: Equatable, Sendable {
        /// Normalised; empty joins nothing.
        public var email: String
        public var registered: Int64
    }

    /// A row of `community_site_admins`: a community user who administers a site, since when.
    public struct AdminPair: Equatable, Sendable {
        public var email: String
        public var since: Int64
    }

    public typealias Join = DerivedKeyJoin<String, Member, String, Member, String>

    public struct PairChange: Equatable, Sendable {
        public var userKey: String
        public var siteKey: String
        public var old: AdminPair?
        public var new: AdminPair?
    }

    public let mapping: AnalyticsMapping
    public let weeks: WeekWindows
    private var users = KeyedTable<String, Member>()
    private var sites = KeyedTable<String, Member>()
    private var join: Join
    private var adminSince: GroupedAggregate<Join.Pair, Join.Joined, String, Int64>
    private var q1: WindowedAggregation<String, Member, Int, WeekWindows, CountAggregator<Member>>
    private var q2: WindowedAggregation<String, Int64, Int, WeekWindows, CountAggregator<Int64>>
    private var pendingPairs: [Join.Pair: AdminPair?] = [:]
    private var joinDeltas: [Join.Delta] = []
    private var adminDeltas: [TableDelta<String, Int64>] = []

    public init(mapping: AnalyticsMapping) {
        self.mapping = mapping
        weeks = WeekWindows(timeZone: mapping.timeZone)
        join = Join(leftKey: { $0.email.isEmpty ? nil : $0.email }, rightKey: { $0.email.isEmpty ? nil : $0.email })
        adminSince = GroupedAggregate(group: { pair, _ in pair.left }, reduce: { joined in
            joined.lazy.map { max($0.left.registered, $0.right.registered) }.min()
        })
        q1 = WindowedAggregation(assigner: weeks, aggregator: CountAggregator(), time: { $0.registered }, group: { _, _ in 0 }, input: { $0 })
        q2 = WindowedAggregation(assigner: weeks, aggregator: CountAggregator(), time: { $0 }, group: { _, _ in 0 }, input: { $0 })
    }

    public var userCount: Int { users.count }
    public var siteCount: Int { sites.count }

    /// Why a row cannot take part in the answers.
    public struct Rejection: Error, Equatable, Sendable {
        public let reason: String
    }

    /// Reads what the answers need from a row (a change event's `after`); a rejection names the column and
    /// why, never the value.
    public func member(_ row: JSONObject, side: AnswerSide) -> Result<Member, Rejection> {
        let columns = side == .community ? mapping.community : mapping.sites
        guard let time = row[columns.registeredColumn] else {
            return .failure(Rejection(reason: "column \(columns.registeredColumn) is missing from the row"))
        }
        let value: RegistrationValue
        switch time {
        case .string(let text): value = .text(text)
        case .integer(let number): value = .integer(number)
        case .double(let number): value = .real(number)
        case .null: return .failure(Rejection(reason: "\(columns.registeredColumn): NULL is not a registration time"))
        case .bool: return .failure(Rejection(reason: "\(columns.registeredColumn): a boolean is not a registration time"))
        case .array, .object: return .failure(Rejection(reason: "\(columns.registeredColumn): JSON is not a registration time"))
        }
        let registered: Int64
        switch RegistrationTime.parse(value, in: mapping.timeZone) {
        case .success(let micros): registered = micros
        case .failure(let error): return .failure(Rejection(reason: "\(columns.registeredColumn): \(error.reason)"))
        }
        let email: String
        switch row[columns.emailColumn] {
        case .string(let text)?: email = mapping.normalizer.normalize(text)
        case .null?, nil: email = ""
        case .integer(let number)?: email = String(number)
        case let other?: email = mapping.normalizer.normalize(other.jsonText)
        }
        return .success(Member(email: email, registered: registered))
    }

    /// Applies one row change of a side's table. An upsert of a row that cannot be read removes the row
    /// from the answers and returns the rejection (the caller records the dead letter).
    @discardableResult
    public mutating func apply(_ change: TableChange<String, JSONObject>, side: AnswerSide) -> Rejection? {
        switch change {
        case .upsert(let key, let row):
            switch member(row, side: side) {
            case .success(let member): upsert(key, member, side: side)
            case .failure(let rejection):
                delete(key, side: side)
                return rejection
            }
        case .delete(let key):
            delete(key, side: side)
        case .truncate:
            let keys = side == .community ? Array(users.rows.keys) : Array(sites.rows.keys)
            for key in keys { delete(key, side: side) }
        }
        return nil
    }

    public mutating func upsert(_ key: String, _ member: Member, side: AnswerSide) {
        switch side {
        case .community: if let delta = users.upsert(key, member) { userChanged(delta) }
        case .sites: if let delta = sites.upsert(key, member) { siteChanged(delta) }
        }
    }

    public mutating func delete(_ key: String, side: AnswerSide) {
        switch side {
        case .community: if let delta = users.delete(key) { userChanged(delta) }
        case .sites: if let delta = sites.delete(key) { siteChanged(delta) }
        }
    }

    private mutating func userChanged(_ delta: TableDelta<String, Member>) {
        joinDeltas.removeAll(keepingCapacity: true)
        join.applyLeft(delta, into: &joinDeltas)
        joined()
    }

    private mutating func siteChanged(_ delta: TableDelta<String, Member>) {
        q1.apply(delta)
        joinDeltas.removeAll(keepingCapacity: true)
        join.applyRight(delta, into: &joinDeltas)
        joined()
    }

    private mutating func joined() {
        for delta in joinDeltas {
            if pendingPairs[delta.key] == nil { pendingPairs[delta.key] = .some(delta.old.map(Self.pair)) }
            adminDeltas.removeAll(keepingCapacity: true)
            adminSince.apply(delta, into: &adminDeltas)
            for admin in adminDeltas { q2.apply(admin) }
        }
    }

    private static func pair(_ joined: Join.Joined) -> AdminPair {
        AdminPair(email: joined.joinKey, since: max(joined.left.registered, joined.right.registered))
    }

    /// The join rows changed since the last drain (each once: its value before the first change and after
    /// the last), and whether each series changed.
    public mutating func drainChanges() -> (pairs: [PairChange], q1Changed: Bool, q2Changed: Bool) {
        var pairs: [PairChange] = []
        pairs.reserveCapacity(pendingPairs.count)
        for (key, old) in pendingPairs {
            let new = users[key.left].flatMap { user in
                sites[key.right].flatMap { site in
                    user.email == site.email && !user.email.isEmpty
                        ? AdminPair(email: user.email, since: max(user.registered, site.registered)) : nil
                }
            }
            if old != new { pairs.append(PairChange(userKey: key.left, siteKey: key.right, old: old, new: new)) }
        }
        pendingPairs.removeAll(keepingCapacity: true)
        let q1Changed = !q1.drainChanges().isEmpty
        let q2Changed = !q2.drainChanges().isEmpty
        return (pairs, q1Changed, q2Changed)
    }

    /// Q1 as it stands: every week from the first to the last with a registration.
    public func q1Series() -> [SitesWeek] {
        series(q1.windows(of: 0)).map { SitesWeek(week: $0.week, sitesRegistered: $0.count, sitesTotal: $0.total) }
    }

    /// Q2 as it stands: every week from the first to the last in which a community user became an admin.
    public func q2Series() -> [AdminsWeek] {
        series(q2.windows(of: 0)).map { AdminsWeek(week: $0.week, newAdmins: $0.count, adminsTotal: $0.total) }
    }

    /// `t(U)` of a community user who administers a site.
    public func adminSince(user key: String) -> Int64? { adminSince[key] }

    private func series(_ windows: [(window: Window, state: Int)]) -> [(week: Week, count: Int, total: Int)] {
        var counts: [Week: Int] = [:]
        for (window, count) in windows { counts[weeks.week(window), default: 0] += count }
        return AnswerOracle.runningTotals(counts)
    }
}
