import Logging
import PostgresCDC

/// The continuous phase: inserts, updates and deletes on both tables at a steady rate, as a live Moodle
/// makes them. Which change comes next, and which row it touches, follows from the seed and the tables'
/// contents, so a run is reproducible up to how many changes fit in its time.
///
/// Rows are chosen by probing: a random id between the table's lowest and highest, then the first row at
/// or after it. New rows are registered at the end of the history plus the phase's elapsed time, counted
/// in changes (`n / rate` seconds), not read from the wall clock.
struct ChangeStream {
    private let run: GeneratorRun
    private var random: SeededRandom
    private let history: RegistrationHistory
    /// Normalised emails of community users, to keep them unique.
    private var communityEmails = Set<String>()
    /// Normalised emails of everyone in either table: fresh people avoid all of them.
    private var knownEmails = Set<String>()
    private var usernames = Set<String>()
    private var communityIDs: ClosedRange<Int64>?
    private var sitesIDs: ClosedRange<Int64>?
    /// Changes applied so far: the phase's logical clock.
    private var applied = 0

    init(_ run: GeneratorRun) throws(GeneratorError) {
        self.run = run
        random = SeededRandom(seed: run.options.seed).stream(2)
        history = RegistrationHistory(endMicros: run.options.endMicros, days: run.options.historyDays)
        let people = try run.database("cannot read \(GeneratorSide.community.table)") { () throws(PostgresError) in
            try run.community.execute("SELECT lower(btrim(email)), username FROM \(GeneratorSide.community.table.sql)").rows
        }
        for row in people {
            communityEmails.insert(row[0] ?? "")
            knownEmails.insert(row[0] ?? "")
            usernames.insert(row[1] ?? "")
        }
        let admins = try run.database("cannot read \(GeneratorSide.sites.table)") { () throws(PostgresError) in
            try run.sites.execute("SELECT DISTINCT lower(btrim(admin_email)) FROM \(GeneratorSide.sites.table.sql)").rows
        }
        for row in admins { knownEmails.insert(row[0] ?? "") }
        communityIDs = try idRange(.community)
        sitesIDs = try idRange(.sites)
    }

    /// Applies changes at `rate` per second until the duration is over or the run is cancelled.
    mutating func run(rate: Double, summary: inout GeneratorSummary) throws(GeneratorError) {
        let clock = ContinuousClock()
        let interval = Duration.seconds(1 / rate)
        let started = clock.now
        let stop = run.options.duration.map { started + $0 }
        var base = started
        var ticks = 0
        let logEvery = max(1, Int(rate * 10))
        while true {
            let due = base + interval * ticks
            if let stop, due >= stop { break }
            if run.signal.sleep(until: due, clock: clock) { break }
            try applyOne(&summary)
            ticks += 1
            // Fallen behind by more than a second (a slow server): carry on from now rather than burst.
            if clock.now - due > .seconds(1) {
                base = clock.now
                ticks = 0
            }
            if applied % logEvery == 0 {
                run.logger.info("generator changes applied", metadata: ["generator.changes": "\(applied)"])
            }
        }
    }

    /// "Now" for the rows being written: the end of the history plus the logical elapsed time.
    private var nowMicros: Int64 {
        run.options.endMicros + Int64(Double(applied) / (run.options.rate ?? 1) * 1_000_000)
    }

    private mutating func applyOne(_ summary: inout GeneratorSummary) throws(GeneratorError) {
        let side = random.pick(weighted: GeneratorMix.sideWeights)
        var kind = random.pick(weighted: GeneratorMix.kindWeights)
        var target: ProbedRow?
        if kind != .insert {
            target = try probe(side)
            if target == nil { kind = .insert }  // nothing left to change
        }
        switch (kind, target) {
        case (.update, let row?):
            try update(side, row)
            count(side, \.updates, in: &summary)
        case (.delete, let row?):
            try execute(side, "DELETE FROM \(side.table.sql) WHERE id = $1", [row.id])
            count(side, \.deletes, in: &summary)
        default:
            try insert(side)
            count(side, \.inserts, in: &summary)
        }
        applied += 1
    }

    private func count(_ side: GeneratorSide, _ kind: WritableKeyPath<GeneratorSummary.Changes, Int>, in summary: inout GeneratorSummary) {
        switch side {
        case .community: summary.community[keyPath: kind] += 1
        case .sites: summary.sites[keyPath: kind] += 1
        }
    }

    // MARK: - Inserts

    private mutating func insert(_ side: GeneratorSide) throws(GeneratorError) {
        let registration = TimestampText.random(
            nowMicros - Int64(random.below(GeneratorMix.recentJitterSeconds)) * 1_000_000,
            bad: run.options.badTimestamps, &random
        )
        let email: String
        let username: String
        switch side {
        case .community:
            let person = freshPerson(uniqueUsername: true)
            (email, username) = (person.email, person.username)
            communityEmails.insert(person.normalizedEmail)
        case .sites:
            (email, username) = try newSiteAdmin()
        }
        let id = try execute(side, """
            INSERT INTO \(side.table.sql) (\(side.emailColumn), username, registration_timestamp)
            VALUES ($1, $2, $3) RETURNING id
            """, [email, username, registration]).scalar.flatMap { Int64($0) }
        if let id { extend(side, to: id) }
    }

    /// A new site's administrator: with the configured overlap a community user, sometimes the
    /// administrator of another site, otherwise somebody new.
    private mutating func newSiteAdmin() throws(GeneratorError) -> (email: String, username: String) {
        if random.chance(run.options.overlap), let member = try probe(.community) {
            return (maybeVariant(member.email), member.username)
        }
        if random.chance(GeneratorMix.reusedAdminShare), let site = try probe(.sites) {
            return (maybeVariant(site.email), site.username)
        }
        let person = freshPerson(uniqueUsername: false)
        let username = random.chance(GeneratorMix.genericAdminUsernameShare)
            ? random.pick(NameCatalog.siteAdminUsernames) : person.username
        return (person.email, username)
    }

    private mutating func freshPerson(uniqueUsername: Bool) -> Person {
        // Copies (cheap: copy-on-write), so that the closures do not reach into self while `random` is inout.
        let (emails, names) = (knownEmails, usernames)
        let person = PersonFactory.make(
            &random, isEmailTaken: { emails.contains($0) }, isUsernameTaken: uniqueUsername ? { names.contains($0) } : nil
        )
        knownEmails.insert(person.normalizedEmail)
        if uniqueUsername { usernames.insert(person.username) }
        return person
    }

    private mutating func maybeVariant(_ email: String) -> String {
        random.chance(GeneratorMix.communityAdminVariantShare) ? PersonFactory.cosmeticVariant(of: email, &random) : email
    }

    // MARK: - Updates

    private mutating func update(_ side: GeneratorSide, _ row: ProbedRow) throws(GeneratorError) {
        let setEmail = "UPDATE \(side.table.sql) SET \(side.emailColumn) = $1 WHERE id = $2"
        switch random.pick(weighted: GeneratorMix.updateWeights) {
        case .cosmeticEmail:
            try execute(side, setEmail, [PersonFactory.cosmeticVariant(of: row.email, &random), row.id])
        case .newEmail:
            let person = freshPerson(uniqueUsername: false)
            if side == .community {
                communityEmails.remove(Person.normalize(row.email))
                communityEmails.insert(person.normalizedEmail)
            }
            try execute(side, setEmail, [person.email, row.id])
        case .joinOtherSide:
            let other: GeneratorSide = side == .community ? .sites : .community
            guard let source = try probe(other),
                  side == .sites || !communityEmails.contains(Person.normalize(source.email)) else {
                // Already a community user (possibly this one): change only how the address is typed.
                try execute(side, setEmail, [PersonFactory.cosmeticVariant(of: row.email, &random), row.id])
                return
            }
            if side == .community {
                communityEmails.remove(Person.normalize(row.email))
                communityEmails.insert(Person.normalize(source.email))
            }
            try execute(side, setEmail, [maybeVariant(source.email), row.id])
        case .moveTimestamp:
            let span = nowMicros - history.startMicros
            let instant = history.startMicros + Int64((Double(span) * random.unit()).rounded(.down))
            let registration = TimestampText.random(instant, bad: run.options.badTimestamps, &random)
            try execute(side, "UPDATE \(side.table.sql) SET registration_timestamp = $1 WHERE id = $2", [registration, row.id])
        }
    }

    // MARK: - Rows and statements

    private struct ProbedRow {
        var id: String
        var email: String
        var username: String
    }

    /// A row chosen at random: the first at or after a random id in the table's range; nil when empty.
    private mutating func probe(_ side: GeneratorSide) throws(GeneratorError) -> ProbedRow? {
        guard let range = side == .community ? communityIDs : sitesIDs else { return nil }
        let start = range.lowerBound + Int64(random.below(Int(range.upperBound - range.lowerBound + 1)))
        let select = "SELECT id, \(side.emailColumn), username FROM \(side.table.sql)"
        var rows = try execute(side, "\(select) WHERE id >= $1 ORDER BY id LIMIT 1", [String(start)]).rows
        if rows.isEmpty { rows = try execute(side, "\(select) ORDER BY id LIMIT 1", []).rows }
        guard let row = rows.first, let id = row[0], let email = row[1] else { return nil }
        return ProbedRow(id: id, email: email, username: row[2] ?? "")
    }

    private func idRange(_ side: GeneratorSide) throws(GeneratorError) -> ClosedRange<Int64>? {
        let row = try execute(side, "SELECT min(id), max(id) FROM \(side.table.sql)", []).rows.first
        guard let low = row?[0].flatMap({ Int64($0) }), let high = row?[1].flatMap({ Int64($0) }) else { return nil }
        return low...high
    }

    private mutating func extend(_ side: GeneratorSide, to id: Int64) {
        switch side {
        case .community: communityIDs = communityIDs.map { min($0.lowerBound, id)...max($0.upperBound, id) } ?? id...id
        case .sites: sitesIDs = sitesIDs.map { min($0.lowerBound, id)...max($0.upperBound, id) } ?? id...id
        }
    }

    @discardableResult
    private func execute(_ side: GeneratorSide, _ sql: String, _ parameters: [String?]) throws(GeneratorError) -> QueryResult {
        try run.database("a change to \(side.table) failed") { () throws(PostgresError) in
            try run.connection(side).query(sql, parameters)
        }
    }
}
