import BlockingIO
import Foundation
import PostgresCDC
import PostgresTestSupport

/// A seeded random workload on the two sources, covering every revision the answers must follow: inserts,
/// email changes (also of case or surrounding whitespace only), registration times moved across weeks in
/// every accepted form, invalid times, deletes, transactions with a rolled-back savepoint, a truncate of the
/// sites, and changes to the table with hostile identifiers (including a column added midway).
struct AnswerWorkload {
    var random: SplitMix64
    var nextCommunityID: Int64 = 1
    var nextSiteID: Int64 = 1
    var nextHostileKey: Int64 = 1
    var communityIDs: [Int64] = []
    var siteIDs: [Int64] = []
    var hostileKeys: [Int64] = []
    var hostileHasGroup = false
    var truncatedSites = false

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    static let emailPool = (0..<30).map { "admin\($0)@example.org" }

    mutating func email() -> String {
        random.next(100) < 75 ? Self.emailPool[random.next(Self.emailPool.count)] : "solo\(random.next(1_000_000))@example.net"
    }

    /// A registration time in one of the accepted forms, or (1 in 12) an invalid one.
    mutating func timestamp() -> String {
        if random.next(12) == 0 {
            return ["not a date", "2024-13-45 10:00:00", "31/12/2023", "", "2024-02-30", "1700000000.5", "2024-01-01T25:00:00"][random.next(7)]
        }
        let (y, mo, d) = (2023 + random.next(2), 1 + random.next(12), 1 + random.next(28))
        let (h, mi, s) = (random.next(24), random.next(60), random.next(60))
        let date = String(format: "%04d-%02d-%02d", y, mo, d)
        let time = String(format: "%02d:%02d:%02d", h, mi, s)
        switch random.next(9) {
        case 0: return "\(date)T\(time)Z"
        case 1: return "\(date)T\(time)+02:00"
        case 2: return "\(date) \(time)"
        case 3: return "\(date) \(time).\(String(format: "%06d", random.next(1_000_000)))"
        case 4: return date
        case 5: return String(1_672_531_200 + Int64(random.next(63_072_000)))
        case 6: return String((1_672_531_200 + Int64(random.next(63_072_000))) * 1000 + Int64(random.next(1000)))
        case 7: return "\(date)T\(time)-05"
        default: return " \(date) \(time)\t"
        }
    }

    /// One step's SQL for the community or the sites database (nil: nothing this step).
    mutating func step(_ index: Int, of total: Int) -> (community: String?, sites: String?) {
        if index == total / 2 && !truncatedSites {
            truncatedSites = true
            siteIDs.removeAll()
            return (nil, #"TRUNCATE "SitesUsers""#)
        }
        if index == total / 3 && !hostileHasGroup {
            hostileHasGroup = true
            return (#"ALTER TABLE "my ""odd"" Table" ADD COLUMN "group" integer; UPDATE "my ""odd"" Table" SET "group" = 7"#, nil)
        }
        let onSites = random.next(2) == 0
        if !onSites && random.next(10) == 0 { return (hostileStep(), nil) }
        let table = onSites ? #""SitesUsers""# : #""CommunityUsers""#
        let emailColumn = onSites ? "admin_email" : "email"
        let ids = onSites ? siteIDs : communityIDs
        let roll = random.next(100)
        var sql: String
        if ids.count < 5 || roll < 40 {
            sql = insert(onSites: onSites)
        } else {
            let id = ids[random.next(ids.count)]
            switch roll {
            case 40..<50: sql = "UPDATE \(table) SET \(emailColumn) = \(quoteLiteral(email())) WHERE id = \(id)"
            case 50..<55: sql = "UPDATE \(table) SET \(emailColumn) = upper(\(emailColumn)) WHERE id = \(id)"
            case 55..<60: sql = "UPDATE \(table) SET \(emailColumn) = E' ' || btrim(\(emailColumn)) || E'\\t' WHERE id = \(id)"
            case 60..<75: sql = "UPDATE \(table) SET registration_timestamp = \(quoteLiteral(timestamp())) WHERE id = \(id)"
            case 75..<85:
                sql = "DELETE FROM \(table) WHERE id = \(id)"
                if onSites { siteIDs.removeAll { $0 == id } } else { communityIDs.removeAll { $0 == id } }
            default:
                // A transaction whose middle part is rolled back to a savepoint: only the rest counts.
                let kept = insert(onSites: onSites)
                let dropped = "UPDATE \(table) SET \(emailColumn) = 'rolled-back@example.org', registration_timestamp = '1999-01-01' WHERE id = \(id)"
                let lostID = onSites ? nextSiteID + 1_000_000 : nextCommunityID + 1_000_000
                sql = """
                    BEGIN; \(kept); SAVEPOINT s; \(dropped); INSERT INTO \(table) VALUES (\(lostID), 'lost@example.org', 'lost', '2024-01-01');
                    ROLLBACK TO SAVEPOINT s; UPDATE \(table) SET username = 'kept' WHERE id = \(id); COMMIT
                    """
            }
        }
        return onSites ? (nil, sql) : (sql, nil)
    }

    private mutating func insert(onSites: Bool) -> String {
        let id: Int64
        if onSites {
            id = nextSiteID
            nextSiteID += 1
            siteIDs.append(id)
        } else {
            id = nextCommunityID
            nextCommunityID += 1
            communityIDs.append(id)
        }
        let table = onSites ? #""SitesUsers""# : #""CommunityUsers""#
        return "INSERT INTO \(table) VALUES (\(id), \(quoteLiteral(email())), 'user\(id)', \(quoteLiteral(timestamp())))"
    }

    private mutating func hostileStep() -> String {
        let table = #""my ""odd"" Table""#
        if hostileKeys.count < 3 || random.next(3) == 0 {
            let key = nextHostileKey
            nextHostileKey += 1
            hostileKeys.append(key)
            let group = hostileHasGroup ? ", \"group\"" : ""
            let groupValue = hostileHasGroup ? ", \(random.next(100))" : ""
            return """
                INSERT INTO \(table) ("order", "select", "col with space", "Quote""d"\(group)) VALUES \
                (\(key), 'it''s "quoted"', 'a b\tc', \(random.next(100_000)).\(random.next(100))\(groupValue))
                """
        }
        let key = hostileKeys[random.next(hostileKeys.count)]
        if random.next(4) == 0 {
            hostileKeys.removeAll { $0 == key }
            return "DELETE FROM \(table) WHERE \"order\" = \(key)"
        }
        return "UPDATE \(table) SET \"select\" = 'v\(random.next(1000))', \"Quote\"\"d\" = NULL WHERE \"order\" = \(key)"
    }

    /// Runs steps `range` (of `total`) against the two databases, pausing `pause` between steps.
    static func run(_ workload: AnswerWorkload, steps range: Range<Int>, of total: Int, rig: AnswerRig, pause: Duration = .zero)
        async throws -> AnswerWorkload
    {
        let communitySettings = ThrowawayCluster.superuserSettings(rig.community, database: "community")
        let sitesSettings = ThrowawayCluster.superuserSettings(rig.sites, database: "sites")
        let pauseSeconds = Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18
        return try await runBlocking(name: "answers.workload") {
            let community = try PGConnection(communitySettings)
            let sites = try PGConnection(sitesSettings)
            var workload = workload
            for index in range {
                let (a, b) = workload.step(index, of: total)
                if let a { _ = try community.execute(a) }
                if let b { _ = try sites.execute(b) }
                if pauseSeconds > 0 { Thread.sleep(forTimeInterval: pauseSeconds) }
            }
            return workload
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing run can be repeated from its seed.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
