import Foundation
import Testing
import MoodleAnalytics
import StreamProcessing

/// A deterministic generator (SplitMix64), so the randomized runs reproduce.
private struct Seeded {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

private func pad(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

/// The text forms of registration times, written independently of the parser.
private enum TimeText {
    /// `YYYY-MM-DD<separator>HH:MM:SS[.f]` of local seconds since the epoch plus `micros`.
    static func civil(localSeconds: Int64, micros: Int64, separator: String, fraction: Bool) -> String {
        let day = floorDivide(localSeconds, 86_400)
        let second = localSeconds - day * 86_400
        var text = LocalDate(daysSinceEpoch: day).text + separator
            + "\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2))"
        if fraction && micros != 0 { text += micros % 1000 == 0 ? "." + pad(micros / 1000, 3) : "." + pad(micros, 6) }
        return text
    }

    static func offset(_ seconds: Int64, style: Int) -> String {
        if seconds == 0 && style == 0 { return "Z" }
        let sign = seconds < 0 ? "-" : "+"
        let hours = pad(abs(seconds) / 3600, 2), minutes = pad(abs(seconds) / 60 % 60, 2)
        switch style {
        case 1: return "\(sign)\(hours)\(minutes)"
        case 2 where minutes == "00": return "\(sign)\(hours)"
        default: return "\(sign)\(hours):\(minutes)"
        }
    }

    /// A valid registration value for the instant `micros` (UTC), in a random accepted form.
    static func valid(_ micros: Int64, zone: TimeZone, random: inout Seeded) -> JSONValue {
        let seconds = floorDivide(micros, 1_000_000), fraction = micros - seconds * 1_000_000
        let zoneOffset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        let space = random.chance(20) ? random.pick([" ", "\t", "\n ", "  "]) : ""
        func text(_ body: String) -> JSONValue { .string(space + body + (random.chance(50) ? space : "")) }
        switch random.below(9) {
        case 0, 1:
            let offset = random.pick([0, 3600, -18_000, 19_800, -3600, 7200] as [Int64])
            let local = civil(localSeconds: seconds + offset, micros: fraction, separator: random.pick(["T", " "]), fraction: true)
            return text(local + Self.offset(offset, style: random.below(3)))
        case 2: return text(civil(localSeconds: seconds + zoneOffset, micros: fraction, separator: "T", fraction: true))
        case 3: return text(civil(localSeconds: seconds + zoneOffset, micros: 0, separator: " ", fraction: false))
        case 4: return text(String(seconds))
        case 5: return text(String(floorDivide(micros, 1000)))
        case 6: return .integer(seconds)
        case 7: return .integer(floorDivide(micros, 1000))
        default: return random.chance(50) ? .double(Double(seconds)) : text(LocalDate(daysSinceEpoch: floorDivide(seconds + zoneOffset, 86_400)).text)
        }
    }

    /// A value that is not a registration time (nil: the column is missing).
    static func invalid(random: inout Seeded) -> JSONValue? {
        random.pick([
            .string("2024-13-01 00:00:00"), .string("yesterday"), .string(""), .string("   "), .string("2024-03-31T25:00:00"),
            .string("2024-02-30"), .string("1.5"), .string("2024-03-31T01:00:00+16:00"), .string("2024-03-31T01:00"),
            .string("12345678901234567890"), .null, .bool(true), .double(1.5), .double(.infinity), .array([]), nil,
        ])
    }
}

/// The randomized comparison of `AnswerProcessor` with `AnswerOracle`.
private struct Simulation {
    let zone: TimeZone
    let normalizer: EmailNormalizer
    let weeks: WeekWindows
    var processor: AnswerProcessor
    var random: Seeded
    /// The source tables as they are now: key → row.
    var users: [String: JSONObject] = [:]
    var sites: [String: JSONObject] = [:]
    /// The join rows kept from `drainChanges()`: "userKey|siteKey" → "email since".
    var pairs: [String: String] = [:]
    var lastQ1: [SitesWeek] = []
    var lastQ2: [AdminsWeek] = []
    /// How much the run exercised: the most join rows at once, rejections, pair changes drained.
    var peakPairs = 0
    var rejections = 0
    var pairChanges = 0

    static let emails = ["ann@example.org", "bob@example.org", "ann+moodle@example.org", "Carol@Example.org", "dave@example.org", "", " "]
    /// Instants around the 2024 daylight-saving changes in Europe (Mar 31, Oct 27), and Monday boundaries.
    static let ranges: [(Int64, Int64)] = [(utc(2024, 3, 11), utc(2024, 4, 15)), (utc(2024, 10, 7), utc(2024, 11, 11))]

    init(zone: TimeZone, foldPlusTags: Bool, seed: UInt64) {
        self.zone = zone
        normalizer = EmailNormalizer(foldPlusTags: foldPlusTags)
        weeks = WeekWindows(timeZone: zone)
        let columns = AnalyticsMapping.Side(topic: "t", emailColumn: "email", registeredColumn: "registration_timestamp")
        processor = AnswerProcessor(mapping: AnalyticsMapping(community: columns, sites: columns, timeZone: zone, normalizer: normalizer))
        random = Seeded(seed)
    }

    mutating func instant() -> Int64 {
        let (low, high) = random.pick(Self.ranges)
        if random.chance(60) { return low + Int64(random.next() % UInt64(high - low)) }
        // Near the start of a local week: Monday 00:00 in the zone, give or take a little.
        let start = weeks.startInstant(Week(containingEpochMicroseconds: low + Int64(random.next() % UInt64(high - low)), in: zone))
        return start + random.pick([0, -1, 1, -1_000_000, 999_999, 3_600_000_000, -3_600_000_000])
    }

    mutating func email() -> JSONValue {
        if random.chance(3) { return .null }
        return .string(vary(random.pick(Self.emails)))
    }

    mutating func vary(_ email: String) -> String {
        let cased = random.pick([email, email.uppercased(), email.lowercased(), email.prefix(1).uppercased() + String(email.dropFirst())])
        let spaces = ["", "", " ", "\t", "\n", " \u{00A0}", "\r\n"]
        return random.pick(spaces) + cased + random.pick(spaces)
    }

    func value(_ row: JSONObject) -> Result<Int64, RegistrationTimeError>? {
        switch row["registration_timestamp"] {
        case .string(let text)?: RegistrationTime.parse(.text(text), in: zone)
        case .integer(let number)?: RegistrationTime.parse(.integer(number), in: zone)
        case .double(let number)?: RegistrationTime.parse(.real(number), in: zone)
        default: nil
        }
    }

    func registered(_ row: JSONObject) -> Int64? { value(row)?.value }

    mutating func step(_ index: Int) {
        let side: AnswerSide = random.chance(50) ? .community : .sites
        var table = side == .community ? users : sites
        let key = "{\"id\":\(random.below(14))}"
        let change: TableChange<String, JSONObject>
        var intendedValid = true
        switch random.below(100) {
        case 0..<2:
            change = .truncate
        case 2..<14:
            change = .delete(key)
        case 14..<30 where table[key] != nil:
            // An email change: another address, or the same one with other case or surrounding whitespace.
            var row = table[key]!
            let current = row["email"]?.stringValue ?? ""
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            let newEmail: JSONValue = switch random.below(3) {
            case 0: self.email()
            case 1: .string(random.chance(50) ? current.uppercased() : current.lowercased())
            default: .string(vary(trimmed))
            }
            row.members = row.members.map { $0.name == "email" ? (name: "email", value: newEmail) : $0 }
            change = .upsert(key, row)
            intendedValid = registered(row) != nil
        case 30..<55 where table[key] != nil:
            // The registration time moves (or becomes invalid).
            var row = table[key]!
            let time: JSONValue?
            if random.chance(20) {
                time = TimeText.invalid(random: &random)
                intendedValid = false
            } else {
                time = TimeText.valid(instant(), zone: zone, random: &random)
            }
            row.members.removeAll { $0.name == "registration_timestamp" }
            if let time { row.members.append(("registration_timestamp", time)) }
            change = .upsert(key, row)
        default:
            let time: JSONValue?
            if random.chance(8) {
                time = TimeText.invalid(random: &random)
                intendedValid = false
            } else {
                time = TimeText.valid(instant(), zone: zone, random: &random)
            }
            var row = JSONObject([("id", .integer(Int64(index))), ("email", email())])
            if let time { row.members.append(("registration_timestamp", time)) }
            change = .upsert(key, row)
        }
        switch change {
        case .upsert(let key, let row): table[key] = row
        case .delete(let key): table[key] = nil
        case .truncate: table.removeAll()
        }
        if side == .community { users = table } else { sites = table }

        let rejection = processor.apply(change, side: side)
        if rejection != nil { rejections += 1 }
        if case .upsert(_, let row) = change {
            let valid = registered(row) != nil
            #expect(valid == intendedValid, "step \(index): generated \(row["registration_timestamp"]?.jsonText ?? "nothing")")
            #expect((rejection == nil) == valid, "step \(index): \(rejection?.reason ?? "accepted")")
            if let rejection { #expect(rejection.reason.contains("registration_timestamp")) }
        } else {
            #expect(rejection == nil)
        }
    }

    var validUsers: [(id: String, email: String, registeredMicros: Int64)] {
        users.compactMap { key, row in registered(row).map { (key, row["email"]?.stringValue ?? "", $0) } }
    }

    var validSites: [(id: String, adminEmail: String, registeredMicros: Int64)] {
        sites.compactMap { key, row in registered(row).map { (key, row["email"]?.stringValue ?? "", $0) } }
    }

    /// Drains the processor and compares everything with the oracle; false on a mismatch.
    mutating func check(_ index: Int) -> Bool {
        let (users, sites) = (validUsers, validSites)
        let drained = processor.drainChanges()
        var seen = Set<String>()
        for change in drained.pairs {
            let key = "\(change.userKey)|\(change.siteKey)"
            #expect(seen.insert(key).inserted, "step \(index): \(key) reported twice")
            #expect(pairs[key] == change.old.map { "\($0.email) \($0.since)" }, "step \(index): old of \(key)")
            #expect(change.old != change.new)
            pairs[key] = change.new.map { "\($0.email) \($0.since)" }
        }
        var expectedPairs: [String: String] = [:]
        for user in users {
            for site in sites where normalizer.matches(user.email, site.adminEmail) {
                expectedPairs["\(user.id)|\(site.id)"] = "\(normalizer.normalize(user.email)) \(max(user.registeredMicros, site.registeredMicros))"
            }
        }
        let q1 = AnswerOracle.q1(sites: sites.map { ($0.id, $0.registeredMicros) }, timeZone: zone)
        let q2 = AnswerOracle.q2(users: users, sites: sites, normalizer: normalizer, timeZone: zone)
        let adminTimes = AnswerOracle.adminTimes(users: users, sites: sites, normalizer: normalizer)
        let processorTimes = Dictionary(uniqueKeysWithValues: self.users.keys.compactMap { key in processor.adminSince(user: key).map { (key, $0) } })
        #expect(pairs == expectedPairs, "step \(index)")
        #expect(processor.q1Series() == q1, "step \(index)")
        #expect(processor.q2Series() == q2, "step \(index)")
        #expect(processorTimes == adminTimes, "step \(index)")
        #expect(drained.q1Changed == (q1 != lastQ1), "step \(index)")
        #expect(drained.q2Changed == (q2 != lastQ2), "step \(index)")
        #expect(processor.userCount == users.count && processor.siteCount == sites.count, "step \(index)")
        (lastQ1, lastQ2) = (q1, q2)
        peakPairs = max(peakPairs, pairs.count)
        pairChanges += drained.pairs.count
        return pairs == expectedPairs && processor.q1Series() == q1 && processor.q2Series() == q2
    }
}

@Suite("AnswerProcessorTests")
struct AnswerProcessorTests {
    @Test(arguments: [("UTC", false, 1), ("UTC", true, 2), ("Europe/London", false, 3), ("Europe/London", true, 4)] as [(String, Bool, UInt64)])
    func randomizedAgainstOracle(zone identifier: String, foldPlusTags: Bool, seed: UInt64) {
        var simulation = Simulation(zone: zone(identifier), foldPlusTags: foldPlusTags, seed: seed)
        for index in 0..<1500 {
            simulation.step(index)
            if index % 3 == 2, !simulation.check(index) { return }
        }
        _ = simulation.check(1500)
        // The run exercised a non-trivial state.
        #expect(simulation.peakPairs >= 10 && simulation.rejections >= 50 && simulation.pairChanges >= 500)
    }

    /// An example by hand: a site and its admin, the admin's email changing case only, then the site's
    /// time becoming invalid.
    @Test func invalidTimeLeavesTheAnswers() throws {
        let columns = AnalyticsMapping.Side(topic: "t", emailColumn: "email", registeredColumn: "registration_timestamp")
        var processor = AnswerProcessor(mapping: AnalyticsMapping(community: columns, sites: columns, timeZone: zone("UTC")))
        func row(_ email: String, _ time: JSONValue) -> JSONObject { JSONObject([("email", .string(email)), ("registration_timestamp", time)]) }
        #expect(processor.apply(.upsert("{\"id\":1}", row("Ann@x.org", .string("2024-03-05 10:00:00"))), side: .sites) == nil)
        #expect(processor.apply(.upsert("{\"id\":1}", row(" ann@x.org", .integer(1_709_251_200))), side: .community) == nil)
        var drained = processor.drainChanges()
        #expect(drained.pairs.count == 1 && drained.q1Changed && drained.q2Changed)
        #expect(drained.pairs.first?.new?.since == utc(2024, 3, 5, 10))
        #expect(processor.q2Series().map(\.weekStart) == ["2024-03-04"])
        #expect(processor.apply(.upsert("{\"id\":1}", row("ANN@X.ORG", .integer(1_709_251_200))), side: .community) == nil)
        drained = processor.drainChanges()
        #expect(drained.pairs.isEmpty && !drained.q1Changed && !drained.q2Changed)
        let rejection = processor.apply(.upsert("{\"id\":1}", row("ann@x.org", .string("2024-02-30"))), side: .sites)
        #expect(rejection != nil)
        drained = processor.drainChanges()
        #expect(drained.pairs.count == 1 && drained.pairs.first?.new == nil)
        #expect(processor.q1Series().isEmpty && processor.q2Series().isEmpty && processor.siteCount == 0)
    }
}

/// Africa/Monrovia is on UTC now without daylight saving, but was at −0:44:30 until 1972: its weeks then
/// are not UTC weeks.
@Test func answersInAZoneOnceOffUTC() {
    let columns = AnalyticsMapping.Side(topic: "t", emailColumn: "email", registeredColumn: "registration_timestamp")
    let monrovia = zone("Africa/Monrovia")
    var processor = AnswerProcessor(mapping: AnalyticsMapping(community: columns, sites: columns, timeZone: monrovia))
    // Wednesday 1965-03-03 and Monday 1965-03-08 00:30 UTC (Sunday 23:45 local).
    let times = [utc(1965, 3, 3, 12), utc(1965, 3, 8, 0, 30)]
    for (index, micros) in times.enumerated() {
        let row = JSONObject([("email", .string("a@b")), ("registration_timestamp", .integer(micros / 1_000_000))])
        #expect(processor.apply(.upsert("{\"id\":\(index)}", row), side: .sites) == nil)
    }
    let expected = AnswerOracle.q1(sites: times.enumerated().map { ($0.offset, $0.element) }, timeZone: monrovia)
    #expect(expected.map { "\($0.weekStart) \($0.sitesRegistered)" } == ["1965-03-01 2"])
    #expect(processor.q1Series() == expected)
}

@Suite("WeekWindows")
struct WeekWindowsTests {
    static let week: Int64 = 7 * 86_400_000_000

    @Test func utcWindowsAreWeeks() {
        let windows = WeekWindows(timeZone: zone("UTC"))
        var random = Seeded(7)
        let instants = (0..<5000).map { _ in Int64(bitPattern: random.next()) % (300 * 365 * 86_400_000_000) }
            + [0, -1, 1, utc(1969, 12, 29), utc(1969, 12, 29) - 1, utc(2024, 3, 4), utc(2024, 3, 4) - 1, utc(1, 1, 1), utc(9999, 12, 31)]
        for micros in instants {
            let week = Week(containingEpochMicroseconds: micros, in: zone("UTC"))
            let window = windows.window(for: micros)
            #expect(window == Window(start: week.start.daysSinceEpoch * 86_400_000_000, end: (week.start.daysSinceEpoch + 7) * 86_400_000_000), "\(micros)")
            #expect(window.start <= micros && micros < window.end)
            #expect(windows.week(window) == week)
            #expect(windows.windows(for: micros) == [window])
        }
    }

    /// In every zone, a window is the week of the instant's local date, from the first instant of its Monday
    /// to the first instant of the next — including zones now on UTC that were not always.
    @Test(arguments: ["Europe/London", "America/New_York", "Africa/Monrovia", "Africa/Abidjan", "America/Santiago", "Asia/Kolkata"])
    func windowsAreLocalWeeks(_ identifier: String) {
        let timeZone = zone(identifier)
        let windows = WeekWindows(timeZone: timeZone)
        var random = Seeded(11)
        for _ in 0..<3000 {
            // 1880 to 2060.
            let micros = utc(1880, 1, 1) + Int64(random.next() % UInt64(utc(2060, 1, 1) - utc(1880, 1, 1)))
            let week = Week(containingEpochMicroseconds: micros, in: timeZone)
            let window = windows.window(for: micros)
            #expect(windows.week(window) == week, "\(identifier) \(micros)")
            #expect(window == Window(start: windows.startInstant(week), end: windows.startInstant(week.next)), "\(identifier) \(micros)")
            if identifier == "Europe/London" { #expect(window.start <= micros && micros < window.end) }
        }
    }

    @Test func londonDaylightSavingWeeks() {
        let windows = WeekWindows(timeZone: zone("Europe/London"))
        let hour: Int64 = 3_600_000_000
        // Clocks go forward on Sunday 2024-03-31: the week of Monday 03-25 is 167 hours.
        let spring = windows.window(for: utc(2024, 3, 28, 12))
        #expect(spring == Window(start: utc(2024, 3, 25), end: utc(2024, 3, 31, 23)))
        #expect(spring.end - spring.start == 167 * hour)
        #expect(windows.week(spring).text == "2024-03-25")
        // The following week starts at local midnight, 23:00 UTC.
        #expect(windows.window(for: utc(2024, 3, 31, 23)).start == utc(2024, 3, 31, 23))
        #expect(windows.window(for: utc(2024, 3, 31, 23) - 1) == spring)
        // Back on Sunday 2024-10-27: 169 hours.
        let autumn = windows.window(for: utc(2024, 10, 24))
        #expect(autumn == Window(start: utc(2024, 10, 20, 23), end: utc(2024, 10, 28)))
        #expect(autumn.end - autumn.start == 169 * hour)
        // An ordinary summer week is 168 hours.
        let summer = windows.window(for: utc(2024, 7, 10))
        #expect(summer.end - summer.start == Self.week)
    }
}
