@testable import Appliance
import Foundation
import PostgresCDC
import Testing

/// The generator's pure parts, without a database.
@Suite("Generator data")
struct GeneratorDataTests {
    static let instant: Int64 = 1_741_075_872_345_678  // 2025-03-04 08:11:12.345678 UTC

    @Test("each timestamp form writes the instant as expected")
    func timestampForms() {
        let cases: [(TimestampText.Form, Int, String)] = [
            (.isoOffset, 120, "2025-03-04T10:11:12+02:00"),
            (.isoOffset, -210, "2025-03-04T04:41:12-03:30"),
            (.isoZulu, 0, "2025-03-04T08:11:12Z"),
            (.isoZuluMillis, 0, "2025-03-04T08:11:12.345Z"),
            (.isoLocal, 0, "2025-03-04T08:11:12"),
            (.sql, 0, "2025-03-04 08:11:12"),
            (.sqlFraction, 0, "2025-03-04 08:11:12.345678"),
            (.sqlOffset, 330, "2025-03-04 13:41:12+05:30"),
            (.sqlOffset, 0, "2025-03-04 08:11:12+00"),
            (.sqlFractionOffset, -180, "2025-03-04 05:11:12.345678-03"),
            (.epochSeconds, 0, "1741075872"),
            (.epochMillis, 0, "1741075872345"),
        ]
        for (form, offset, expected) in cases {
            #expect(TimestampText.format(Self.instant, form, offsetMinutes: offset) == expected)
        }
        // Across a leap day and a month end, and before 1970.
        #expect(TimestampText.format(1_709_249_400_000_000, .isoOffset, offsetMinutes: 60) == "2024-03-01T00:30:00+01:00")
        #expect(TimestampText.format(-500_000, .sqlFraction, offsetMinutes: 0) == "1969-12-31 23:59:59.500000")
    }

    @Test("the same seed draws the same numbers; samples are distinct and draws stay in range")
    func seededRandom() {
        var first = SeededRandom(seed: 42)
        var second = SeededRandom(seed: 42)
        var other = SeededRandom(seed: 43)
        let a = (0..<100).map { _ in first.next() }
        #expect(a == (0..<100).map { _ in second.next() })
        #expect(a != (0..<100).map { _ in other.next() })
        let sample = first.sample(50, of: 60)
        #expect(Set(sample).count == 50 && sample.allSatisfy { (0..<60).contains($0) })
        #expect((0..<1_000).allSatisfy { _ in (0..<7).contains(first.below(7)) })
        #expect((0..<1_000).allSatisfy { _ in (0..<1).contains(first.unit()) })
    }

    @Test("cosmetic variants differ from the address and normalise to it")
    func cosmeticVariants() {
        var random = SeededRandom(seed: 5)
        for email in ["john.smith@gmail.com", "Ana_Lopez@Outlook.com", " wei.chen@qq.com ", "x@y.z"] {
            for _ in 0..<50 {
                let variant = PersonFactory.cosmeticVariant(of: email, &random)
                #expect(variant != email)
                #expect(Person.normalize(variant) == Person.normalize(email))
            }
        }
    }

    @Test("the bulk load's overlap is exact for any seed, and community emails are unique", arguments: [0.0, 0.3, 0.5, 1.0])
    func datasetOverlap(overlap: Double) throws {
        for seed in UInt64(1)...8 {
            let options = GeneratorOptions(
                community: ConnectionSettings(url: ""), sites: ConnectionSettings(url: ""),
                rows: 400, overlap: overlap, seed: seed, end: Date(timeIntervalSince1970: 1_767_225_600)
            )
            let dataset = try SeedDataset.make(options)
            let members = Set(dataset.community.map { Person.normalize($0.email) })
            #expect(members.count == 400)
            #expect(Set(dataset.community.map(\.username)).count == 400)
            let admins = Set(dataset.sites.map { Person.normalize($0.email) })
            #expect(dataset.sites.count == 100)
            #expect(admins.count == dataset.distinctAdmins && admins.count < 100)
            let shared = admins.intersection(members).count
            #expect(shared == Int((overlap * Double(admins.count)).rounded()))
            #expect(shared == dataset.communityAdmins)
        }
    }

    @Test("options out of range are refused")
    func validation() {
        var options = GeneratorOptions(community: ConnectionSettings(url: ""), sites: ConnectionSettings(url: ""))
        options.overlap = 1.5
        #expect(throws: GeneratorError.self) { try options.validate() }
        options.overlap = 0.3
        options.rate = 0
        #expect(throws: GeneratorError.self) { try options.validate() }
        options.rate = 10
        #expect(throws: Never.self) { try options.validate() }
    }
}
