/// One row of either table as the bulk load writes it: email (or admin_email), username, registration.
struct SeedRow {
    var email: String
    var username: String
    var registration: String?

    var copyValues: [String?] { [email, username, registration] }
}

/// When people register: over `days` before `end`, more of them in recent weeks (growth).
struct RegistrationHistory {
    var endMicros: Int64
    var days: Int

    var startMicros: Int64 { endMicros - Int64(days) * 86_400_000_000 }

    /// `start + span × √u`: the density grows linearly towards the end of the history.
    func instant(_ random: inout SeededRandom) -> Int64 {
        startMicros + Int64((Double(endMicros - startMicros) * random.unit().squareRoot()).rounded(.down))
    }

    /// `count` instants, earliest first, so that ids grow with registration time as in a real table.
    func sortedInstants(_ count: Int, _ random: inout SeededRandom) -> [Int64] {
        (0..<count).map { _ in instant(&random) }.sorted()
    }
}

/// The rows of the bulk load, made in memory from the options alone (deterministic for a seed and end).
///
/// Site administrators are chosen first — each site takes a new administrator, or with
/// `GeneratorMix.reusedAdminShare` one of an earlier site — and then exactly `round(overlap × admins)` of
/// the distinct administrators are community users; the others have addresses no community user has.
struct SeedDataset {
    var community: [SeedRow]
    var sites: [SeedRow]
    /// Distinct administrators by normalised email.
    var distinctAdmins: Int
    /// Administrators who are community users.
    var communityAdmins: Int

    static func make(_ options: GeneratorOptions) throws(GeneratorError) -> SeedDataset {
        var random = SeededRandom(seed: options.seed).stream(1)
        let history = RegistrationHistory(endMicros: options.endMicros, days: options.historyDays)
        var takenEmails = Set<String>()
        var takenUsernames = Set<String>()

        let communityTimes = history.sortedInstants(options.rows, &random)
        var members: [Person] = []
        members.reserveCapacity(options.rows)
        for _ in 0..<options.rows {
            let person = PersonFactory.make(&random, isEmailTaken: takenEmails.contains, isUsernameTaken: takenUsernames.contains)
            takenEmails.insert(person.normalizedEmail)
            takenUsernames.insert(person.username)
            members.append(person)
        }
        let community = zip(members, communityTimes).map { person, time in
            SeedRow(email: person.email, username: person.username,
                    registration: TimestampText.random(time, bad: options.badTimestamps, &random))
        }

        let adminOfSite = assignAdmins(sites: options.effectiveSiteRows, &random)
        let adminCount = (adminOfSite.max() ?? -1) + 1
        let shared = Int((options.overlap * Double(adminCount)).rounded())
        guard shared <= members.count else {
            throw GeneratorError(.invalidOptions, "an overlap of \(options.overlap) needs \(shared) community users, but only \(members.count) are loaded")
        }
        var admins = [Person?](repeating: nil, count: adminCount)
        var isMember = [Bool](repeating: false, count: adminCount)
        for (admin, member) in zip(random.sample(shared, of: adminCount), random.sample(shared, of: members.count)) {
            admins[admin] = members[member]
            isMember[admin] = true
        }
        for admin in 0..<adminCount where admins[admin] == nil {
            let person = PersonFactory.make(&random, isEmailTaken: takenEmails.contains)
            takenEmails.insert(person.normalizedEmail)
            admins[admin] = person
        }

        let adminPeople = admins.compactMap { $0 }  // every slot is filled by now
        let siteTimes = history.sortedInstants(adminOfSite.count, &random)
        let sites = zip(adminOfSite, siteTimes).map { admin, time in
            siteRow(adminPeople[admin], isMember: isMember[admin], time: time, options: options, &random)
        }
        return SeedDataset(community: community, sites: sites, distinctAdmins: adminCount, communityAdmins: shared)
    }

    /// For each site (in registration order), the index of its administrator; new ones are numbered in
    /// order of first appearance.
    private static func assignAdmins(sites: Int, _ random: inout SeededRandom) -> [Int] {
        var adminOfSite: [Int] = []
        adminOfSite.reserveCapacity(sites)
        var admins = 0
        for _ in 0..<sites {
            if admins > 0 && random.chance(GeneratorMix.reusedAdminShare) {
                adminOfSite.append(random.below(admins))
            } else {
                adminOfSite.append(admins)
                admins += 1
            }
        }
        return adminOfSite
    }

    /// A site row for `admin`: the address often typed differently, the username often a generic one.
    static func siteRow(
        _ admin: Person, isMember: Bool, time: Int64, options: GeneratorOptions, _ random: inout SeededRandom
    ) -> SeedRow {
        let variantShare = isMember ? GeneratorMix.communityAdminVariantShare : GeneratorMix.otherAdminVariantShare
        let email = random.chance(variantShare) ? PersonFactory.cosmeticVariant(of: admin.email, &random) : admin.email
        let username = random.chance(GeneratorMix.genericAdminUsernameShare)
            ? random.pick(NameCatalog.siteAdminUsernames) : admin.username
        return SeedRow(email: email, username: username,
                       registration: TimestampText.random(time, bad: options.badTimestamps, &random))
    }
}
