import Foundation
import Testing
import MoodleAnalytics

@Suite("RegistrationTime")
struct RegistrationTimeTests {
    static let march1 = utc(2024, 3, 1, 10)  // 1_709_287_200 s

    @Test(arguments: [
        ("2024-03-01T10:00:00Z", march1),
        ("2024-03-01T10:00:00", march1),
        ("2024-03-01 10:00:00", march1),
        ("2024-03-01 10:00:00Z", march1),
        ("2024-03-01T12:00:00+02:00", march1),
        ("2024-03-01 12:00:00+02", march1),
        ("2024-03-01 12:00:00+0200", march1),
        ("2024-03-01T07:00:00-03:00", march1),
        ("2024-03-01T15:30:00+05:30", march1),
        ("2024-03-01T10:00:00-00:00", march1),
        ("  2024-03-01T10:00:00Z\n", march1),
        ("2024-03-01T10:00:00.5Z", march1 + 500_000),
        ("2024-03-01 10:00:00.000001", march1 + 1),
        ("2024-03-01 10:00:00.123456+00", march1 + 123_456),
        ("2024-03-01", utc(2024, 3, 1)),
        ("2024-02-29 23:59:59", utc(2024, 2, 29, 23, 59, 59)),
        ("2000-02-29T00:00:00Z", utc(2000, 2, 29)),
        ("1969-12-31T23:59:59Z", -1_000_000),
        ("1969-12-31T23:59:59.5Z", -500_000),
        ("1900-01-01T00:00:00Z", utc(1900, 1, 1)),
        ("0001-01-01T00:00:00Z", RegistrationTime.minimumMicroseconds),
        ("9999-12-31T23:59:59.999999Z", RegistrationTime.maximumMicroseconds),
        // Leap second: the first second of the next minute, as in PostgreSQL.
        ("2016-12-31T23:59:60Z", utc(2017, 1, 1)),
        ("2016-12-31 23:59:60.25", utc(2017, 1, 1) + 250_000),
        // Integer epochs: seconds below 10^11, milliseconds from there.
        ("1709287200", march1),
        ("1709287200000", march1),
        ("0", 0),
        ("-86400", -86_400_000_000),
        ("99999999999", 99_999_999_999_000_000),
        ("100000000000", 100_000_000_000_000),
        ("-100000000000", -100_000_000_000_000),
        ("00001709287200", march1),
    ])
    func acceptsInUTC(text: String, expected: Int64) {
        #expect(RegistrationTime.parse(text, in: zone("UTC")).value == expected)
    }

    @Test func offsetLessTimesAreInTheConfiguredZone() {
        #expect(RegistrationTime.parse("2024-03-01T10:00:00", in: zone("Europe/Berlin")).value == utc(2024, 3, 1, 9))
        #expect(RegistrationTime.parse("2024-03-01", in: zone("Asia/Kolkata")).value == utc(2024, 2, 29, 18, 30))
        // An explicit offset or an epoch ignores the zone.
        #expect(RegistrationTime.parse("2024-03-01T10:00:00Z", in: zone("Europe/Berlin")).value == Self.march1)
        #expect(RegistrationTime.parse("1709287200", in: zone("Europe/Berlin")).value == Self.march1)
        #expect(RegistrationTime.parse("2024-03-01T10:00:00").value == Self.march1)  // default zone: UTC
    }

    /// Gaps read with the offset before the transition, overlaps with the offset after (as PostgreSQL).
    @Test func daylightSavingGapsAndOverlaps() {
        let newYork = zone("America/New_York")
        #expect(RegistrationTime.parse("2024-03-10 02:30:00", in: newYork).value == utc(2024, 3, 10, 7, 30))
        #expect(RegistrationTime.parse("2024-03-10 01:59:59", in: newYork).value == utc(2024, 3, 10, 6, 59, 59))
        #expect(RegistrationTime.parse("2024-03-10 03:00:00", in: newYork).value == utc(2024, 3, 10, 7))
        #expect(RegistrationTime.parse("2024-11-03 01:30:00", in: newYork).value == utc(2024, 11, 3, 6, 30))
        #expect(RegistrationTime.parse("2024-11-03 00:59:59", in: newYork).value == utc(2024, 11, 3, 4, 59, 59))
        #expect(RegistrationTime.parse("2024-11-03 02:00:00", in: newYork).value == utc(2024, 11, 3, 7))
        // Midnight that does not exist: the date means the first instant of the day.
        #expect(RegistrationTime.parse("2022-09-11", in: zone("America/Santiago")).value == utc(2022, 9, 11, 4))
        #expect(RegistrationTime.parse("2022-09-11T00:30:00", in: zone("America/Santiago")).value == utc(2022, 9, 11, 4, 30))
        #expect(RegistrationTime.parse("2024-03-10", in: zone("America/Havana")).value == utc(2024, 3, 10, 5))
    }

    @Test(arguments: [
        ("", RegistrationTimeError.Code.empty, "empty timestamp"),
        ("  \t\n", .empty, "empty timestamp"),
        ("2023-02-30 00:00:00", .fieldOutOfRange, "day 30 is out of range for 2023-02"),
        ("1900-02-29", .fieldOutOfRange, "day 29 is out of range for 1900-02"),
        ("2024-13-01", .fieldOutOfRange, "month 13 is out of range"),
        ("2024-00-01", .fieldOutOfRange, "month 0 is out of range"),
        ("2024-03-01T24:00:00", .fieldOutOfRange, "hour 24 is out of range"),
        ("2024-03-01T10:60:00", .fieldOutOfRange, "minute 60 is out of range"),
        ("2024-03-01T10:00:61", .fieldOutOfRange, "second 61 is out of range"),
        ("2024-03-01T10:00:00+16:00", .fieldOutOfRange, "offset hour 16 is out of range"),
        ("2024-03-01T10:00:00+02:60", .fieldOutOfRange, "offset minute 60 is out of range"),
        ("2024-03-01T10:00:00.1234567Z", .fieldOutOfRange, "more than 6 fractional-second digits"),
        ("0000-01-01", .outOfSupportedRange, "outside the supported years 0001–9999"),
        ("99999999999999999999", .outOfSupportedRange, "outside the supported years 0001–9999"),
        ("999999999999999", .outOfSupportedRange, "outside the supported years 0001–9999"),
    ])
    func rejectsWithAReason(text: String, code: RegistrationTimeError.Code, reason: String) {
        let error = RegistrationTime.parse(text, in: zone("UTC")).error
        #expect(error?.code == code)
        #expect(error?.reason == reason)
    }

    @Test(arguments: [
        "2024-03-01T10:00:00Zjunk", "2024-03-01T10:00:00 Z", "2024-03-01 10:00:00 +02", "2024-03-01T10:00",
        "2024-03-01T10:00:00.", "2024-03-01T10:00:00+2", "2024-03-01T10:00:00+02:0", "2024-3-1",
        "24-03-01", "2024/03/01", "2024-03-01t10:00:00z", "2024-03-01T10:00:00z", "20240301T100000Z",
        "NaN", "nan", "infinity", "-infinity", "12.5", "1e9", "-", "+1709287200", "--1", "1 709 287 200",
        "１７０９２８７２００", "2024-03-01x", "March 1, 2024", "2024-W09-5", "2024-061", "today", "null",
    ])
    func rejectsUnrecognisedForms(text: String) {
        let error = RegistrationTime.parse(text, in: zone("UTC")).error
        #expect(error?.code == .unrecognisedForm)
        #expect(error?.reason == "not a recognised timestamp form")
    }

    @Test func reasonsNeverQuoteTheValue() {
        for text in ["secret@example.org", "2024-02-30 00:00:00", "2024-03-01T10:00:00Zjunk", "99999999999999999999"] {
            let error = RegistrationTime.parse(text).error
            #expect(error != nil)
            #expect(error.map { !$0.reason.contains(text) && !"\($0)".contains(text) } == true)
        }
    }

    @Test func numericColumns() {
        #expect(RegistrationTime.parse(.integer(1_709_287_200)).value == Self.march1)
        #expect(RegistrationTime.parse(.integer(1_709_287_200_000)).value == Self.march1)
        #expect(RegistrationTime.parse(.integer(-1)).value == -1_000_000)
        #expect(RegistrationTime.parse(.integer(.max)).error?.code == .outOfSupportedRange)
        #expect(RegistrationTime.parse(.integer(.min)).error?.code == .outOfSupportedRange)
        #expect(RegistrationTime.parse(.real(1_709_287_200)).value == Self.march1)
        #expect(RegistrationTime.parse(.real(-0.0)).value == 0)
        #expect(RegistrationTime.parse(.real(1.5)).error?.code == .notAnInteger)
        #expect(RegistrationTime.parse(.real(.nan)).error?.code == .notFinite)
        #expect(RegistrationTime.parse(.real(.infinity)).error?.code == .notFinite)
        #expect(RegistrationTime.parse(.real(1e300)).error?.code == .outOfSupportedRange)
    }

    @Test func nativeColumns() {
        let berlin = zone("Europe/Berlin")
        #expect(RegistrationTime.parse(.timestamp("2024-03-01 10:00:00"), in: berlin).value == utc(2024, 3, 1, 9))
        #expect(RegistrationTime.parse(.timestamp("2024-03-01 10:00:00.25"), in: berlin).value == utc(2024, 3, 1, 9) + 250_000)
        #expect(RegistrationTime.parse(.timestamp("2024-03-01 10:00:00+00"), in: berlin).error?.code == .unrecognisedForm)
        #expect(RegistrationTime.parse(.timestamptz("2024-03-01T10:00:00Z"), in: berlin).value == Self.march1)
        #expect(RegistrationTime.parse(.timestamptz("2024-03-01 11:00:00+01"), in: berlin).value == Self.march1)
        #expect(RegistrationTime.parse(.timestamptz("2024-03-01 10:00:00"), in: berlin).error?.code == .unrecognisedForm)
        #expect(RegistrationTime.parse(.timestamptz("2024-03-01"), in: berlin).error?.code == .unrecognisedForm)
        #expect(RegistrationTime.parse(.date("2024-03-01"), in: berlin).value == utc(2024, 2, 29, 23))
        #expect(RegistrationTime.parse(.date("2024-03-01 00:00:00"), in: berlin).error?.code == .unrecognisedForm)
        #expect(RegistrationTime.parse(.date("2023-02-29"), in: berlin).error?.code == .fieldOutOfRange)
        #expect(RegistrationTime.parse(.date(""), in: berlin).error?.code == .empty)
        #expect(RegistrationTime.parse(.text("1709287200"), in: berlin).value == Self.march1)
    }
}
