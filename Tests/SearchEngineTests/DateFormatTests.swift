import SearchEngine
import Testing

@Suite struct DateFormatTests {
    static let parseCases: [(format: String, text: String, millis: Int64?)] = [
        ("strict_date_optional_time", "2024-01-05T10:00:00Z", 1_704_448_800_000),
        ("strict_date_optional_time", "2024-01-05T10:00:00.123Z", 1_704_448_800_123),
        ("strict_date_optional_time", "2024-01-05T10:00:00.123456789Z", 1_704_448_800_123),
        ("strict_date_optional_time", "2024-01-05T10:00:00.5+01:00", 1_704_445_200_500),
        ("strict_date_optional_time", "2024-01-05T10:00:00-0530", 1_704_468_600_000),
        ("strict_date_optional_time", "2024-01-05T10:00:00+02", 1_704_441_600_000),
        ("strict_date_optional_time", "2024-01-05T10:00", 1_704_448_800_000),
        ("strict_date_optional_time", "2024-01-05T10", 1_704_448_800_000),
        ("strict_date_optional_time", "2024-01-05", 1_704_412_800_000),
        ("strict_date_optional_time", "2024-01", 1_704_067_200_000),
        ("strict_date_optional_time", "2024", 1_704_067_200_000),
        ("strict_date_optional_time", "1969-12-31T23:59:59.999Z", -1),
        ("strict_date_optional_time", "2024-1-5", nil),
        ("strict_date_optional_time", "2024-02-30", nil),
        ("strict_date_optional_time", "2024-01-05T25:00:00Z", nil),
        ("strict_date_optional_time", "1704448800000", nil),
        ("date_optional_time", "2024-1-5T9:05", 1_704_445_500_000),
        ("strict_date_optional_time||epoch_millis", "1704448800000", 1_704_448_800_000),
        ("epoch_millis", "-1000", -1000),
        ("epoch_millis", "1704448800000.9", 1_704_448_800_000),
        ("epoch_millis", "12a", nil),
        ("epoch_millis", "-1.5", -2),
        ("epoch_millis", "123.", 123),
        ("epoch_millis", "1.1234567", nil),
        ("epoch_second", "1704448800", 1_704_448_800_000),
        ("epoch_second", "1704448800.25", 1_704_448_800_250),
        ("strict_date", "2024-01-05", 1_704_412_800_000),
        ("date", "2024-1-5", 1_704_412_800_000),
        ("basic_date", "20240105", 1_704_412_800_000),
        ("strict_date_time", "2024-01-05T10:00:00.000Z", 1_704_448_800_000),
        ("strict_date_time_no_millis", "2024-01-05T10:00:00+00:00", 1_704_448_800_000),
        ("yyyy-MM-dd HH:mm:ss", "2024-01-05 10:00:00", 1_704_448_800_000),
        ("yyyy-MM-dd HH:mm:ss", "2024-01-05T10:00:00", nil),
        ("dd/MM/yyyy", "05/01/2024", 1_704_412_800_000),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-01-05T11:00:00.000+01:00", 1_704_448_800_000),
        ("yyyy-MM-dd['T'HH:mm]", "2024-01-05", 1_704_412_800_000),
        ("yyyy-MM-dd['T'HH:mm]", "2024-01-05T10:00", 1_704_448_800_000),
        ("MMM d, yyyy h:mm a", "Jan 5, 2024 10:00 AM", 1_704_448_800_000),
        ("MMM d, yyyy h:mm a", "Jan 5, 2024 10:00 PM", 1_704_492_000_000),
        ("yyyyMMddHHmmssZ", "20240105100000+0000", 1_704_448_800_000),
        ("yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis", "2015/09/02", 1_441_152_000_000),
    ]

    @Test(arguments: parseCases)
    func parses(_ format: String, _ text: String, _ millis: Int64?) throws {
        #expect(try DateFormat(pattern: format).parse(text) == millis, "\(format) \(text)")
    }

    @Test func formats() throws {
        #expect(DateFormat.default.format(1_704_448_800_000) == "2024-01-05T10:00:00.000Z")
        #expect(DateFormat.default.format(-1) == "1969-12-31T23:59:59.999Z")
        #expect(try DateFormat(pattern: "epoch_millis").format(-1234) == "-1234")
        #expect(try DateFormat(pattern: "epoch_second").format(1_704_448_800_000) == "1704448800")
        #expect(try DateFormat(pattern: "strict_date").format(1_704_448_800_000) == "2024-01-05")
        #expect(try DateFormat(pattern: "basic_date").format(1_704_448_800_000) == "20240105")
        #expect(try DateFormat(pattern: "yyyy-MM-dd HH:mm:ss||epoch_millis").format(1_704_448_800_123) == "2024-01-05 10:00:00")
        #expect(try DateFormat(pattern: "dd MMMM yyyy, EEE h a").format(1_704_448_800_000) == "05 January 2024, Fri 10 AM")
        #expect(try DateFormat(pattern: "yyyy-MM-dd'T'HH:mm:ss.SSSxx").format(0) == "1970-01-01T00:00:00.000+0000")
        #expect(DateFormat.default.format(1_704_448_800_000, zone: .fixed(seconds: 3600)) == "2024-01-05T11:00:00.000+01:00")
    }

    @Test func refusesBadPatterns() {
        #expect(throws: SearchError.self) { try DateFormat(pattern: "yyyy-qq") }
        #expect(throws: SearchError.self) { try DateFormat(pattern: "yyyy-MM-dd'T") }
        #expect(throws: SearchError.self) { try DateFormat(pattern: "yyyy[-MM") }
        #expect(throws: SearchError.self) { try DateFormat(pattern: "") }
    }

    @Test func roundTripsAcrossCenturies() {
        for millis: Int64 in [-62_135_596_800_000, -2_208_988_800_001, 0, 951_782_400_000, 4_102_444_800_000] {
            let text = DateFormat.default.format(millis)
            #expect(DateFormat.default.parse(text) == millis, "\(text)")
        }
    }

    // 2024-01-10T15:30:45.500Z, a Wednesday.
    static let now: Int64 = 1_704_900_645_500

    @Test func dateMath() throws {
        func math(_ text: String, roundUp: Bool = false, zone: String? = nil) throws -> String {
            DateFormat.default.format(try DateMath.parse(text, now: Self.now, format: .default, roundUp: roundUp, timeZone: zone))
        }
        #expect(try math("now") == "2024-01-10T15:30:45.500Z")
        #expect(try math("now-1w/w") == "2024-01-01T00:00:00.000Z")
        #expect(try math("now-1w/w", roundUp: true) == "2024-01-07T23:59:59.999Z")
        #expect(try math("now/d") == "2024-01-10T00:00:00.000Z")
        #expect(try math("now/d", roundUp: true) == "2024-01-10T23:59:59.999Z")
        #expect(try math("now+1h/h") == "2024-01-10T16:00:00.000Z")
        #expect(try math("now-90m") == "2024-01-10T14:00:45.500Z")
        #expect(try math("now/M") == "2024-01-01T00:00:00.000Z")
        #expect(try math("now/y", roundUp: true) == "2024-12-31T23:59:59.999Z")
        #expect(try math("2024-01-31||+1M/d") == "2024-02-29T00:00:00.000Z")
        #expect(try math("2024-01-01||+1M/d", roundUp: true) == "2024-02-01T23:59:59.999Z")
        #expect(try math("2024-01-01", roundUp: true) == "2024-01-01T23:59:59.999Z")
        #expect(try math("2024-01-01T10:15", roundUp: true) == "2024-01-01T10:15:59.999Z")
        #expect(try DateMath.parse("1704448800", now: Self.now, format: DateFormat(pattern: "epoch_second"), roundUp: true) == 1_704_448_800_999)
        #expect(try DateMath.parse("1704448800000", now: Self.now, format: .default, roundUp: true) == 1_704_448_800_000)
        #expect(try math("now/d", zone: "+02:00") == "2024-01-09T22:00:00.000Z")
        #expect(try math("now/d", zone: "Europe/Paris") == "2024-01-09T23:00:00.000Z")
        #expect(try math("2024-07-01", zone: "Europe/Paris") == "2024-06-30T22:00:00.000Z")
        #expect(try math("2024-07-01T00:00:00Z", zone: "Europe/Paris") == "2024-07-01T00:00:00.000Z")
        for bad in ["now*1d", "now+1", "now/2d", "now+1q", "not a date"] {
            #expect(throws: SearchError.self, "\(bad)") { try math(bad) }
        }
        #expect(throws: SearchError.self) { try math("now", zone: "Mars/Olympus") }
        // Absurd amounts give absurd instants, never a trap.
        for absurd in ["now+9999999999999y", "now-9999999999999999d/w", "now+99999999999999M/y", "+292278994-01-01||+1y"] {
            _ = try? DateMath.parse(absurd, now: Self.now, format: .default, roundUp: true, timeZone: "Europe/Paris")
        }
    }
}
