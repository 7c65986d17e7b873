import Foundation

/// The search benchmark's documents: community-user-like JSON objects, the same every run (seeded).
///
/// `{"id":7,"email":"…","name":"Two To Four","city":"…","bio":"eight to twenty words","created":
/// "2023-04-05T10:11:12Z","logins":12,"score":45.67,"active":true}` — names from ~3,000 capitalised words,
/// cities from 500 values with a Zipf-like spread, bios from a 20,000-word vocabulary drawn with Zipf
/// weights (s = 1: the commonest word is in most bios, the rarest in a few dozen of a million), creation
/// times spread evenly over three years. Words are ASCII letters only, so every tokenizer splits them alike.
struct SearchCorpus: Sendable {
    /// One JSON object per document; document `i` has `"id": i + 1` and `_id` "\(i + 1)".
    let lines: [[UInt8]]
    /// City values, commonest first.
    let cities: [String]
    /// Bio vocabulary, commonest first.
    let words: [String]

    /// 2022-01-01T00:00:00Z.
    static let firstMillis: Int64 = 1_640_995_200_000
    /// Three years (2024 is a leap year).
    static let spanMillis: Int64 = 1096 * 86_400_000

    static let mappings = #"""
        {"properties":{"id":{"type":"long"},"email":{"type":"keyword"},"name":{"type":"text"},\#
        "city":{"type":"keyword"},"bio":{"type":"text"},"created":{"type":"date"},"logins":{"type":"integer"},\#
        "score":{"type":"double"},"active":{"type":"boolean"}}}
        """#

    init(documents: Int, seed: UInt64 = 0x5EA5C4) {
        var random = SplitMix64(seed: seed)
        words = Self.vocabulary(count: 20_000, syllables: 2...4, capitalised: false, random: &random)
        let names = Self.vocabulary(count: 3_000, syllables: 2...3, capitalised: true, random: &random)
        cities = Self.vocabulary(count: 500, syllables: 2...4, capitalised: true, random: &random)
        let wordSampler = ZipfSampler(count: words.count, exponent: 1.0)
        let citySampler = ZipfSampler(count: cities.count, exponent: 1.0)
        let wordBytes = words.map { Array($0.utf8) }
        let nameBytes = names.map { Array($0.utf8) }
        let cityBytes = cities.map { Array($0.utf8) }
        let domains = ["example.org", "school.example", "uni.example.edu", "mail.example.com", "moodle.example.net"].map { Array($0.utf8) }
        var lines: [[UInt8]] = []
        lines.reserveCapacity(documents)
        for index in 0..<documents {
            var line: [UInt8] = []
            line.reserveCapacity(320)
            Self.append(#"{"id":\#(index + 1),"email":""#, to: &line)
            let first = random.next(below: nameBytes.count)
            let last = random.next(below: nameBytes.count)
            Self.appendLowercased(nameBytes[first], to: &line)
            line.append(UInt8(ascii: "."))
            Self.appendLowercased(nameBytes[last], to: &line)
            Self.append("\(index + 1)@", to: &line)
            line += domains[random.next(below: domains.count)]
            Self.append(#"","name":""#, to: &line)
            line += nameBytes[first]
            for _ in 0..<(1 + random.next(below: 3)) {
                line.append(UInt8(ascii: " "))
                line += nameBytes[random.next(below: nameBytes.count)]
            }
            Self.append(#"","city":""#, to: &line)
            line += cityBytes[citySampler.sample(&random)]
            Self.append(#"","bio":""#, to: &line)
            for word in 0..<(8 + random.next(below: 13)) {
                if word > 0 { line.append(UInt8(ascii: " ")) }
                line += wordBytes[wordSampler.sample(&random)]
            }
            let created = Self.firstMillis + Int64(random.next(below: Int(Self.spanMillis / 1000))) * 1000
            Self.append(#"","created":""#, to: &line)
            Self.append(Self.isoDate(millis: created), to: &line)
            // Logins: roughly exponential, mean ~30; score: 0.00–99.99; 80% active.
            let unit = Double(random.next() >> 11) * 0x1p-53
            let logins = Int(-log(max(unit, 1e-12)) * 30)
            let score = Double(random.next(below: 10_000)) / 100
            let active = random.next(below: 5) != 0
            Self.append(#"","logins":\#(logins),"score":\#(score),"active":\#(active)}"#, to: &line)
            lines.append(line)
        }
        self.lines = lines
    }

    /// Writes the documents as JSON lines (the tantivy baseline's input).
    func write(to path: String) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            bytes += line
            bytes.append(UInt8(ascii: "\n"))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    var totalBytes: Int { lines.reduce(0) { $0 + $1.count } }

    // MARK: Generation helpers

    private static let syllables = [
        "ka", "lo", "mi", "ra", "ten", "sa", "vo", "li", "der", "ban", "to", "ne", "ri", "mor", "el", "an", "gu",
        "fi", "pa", "de", "sun", "ho", "ci", "ber", "ta", "mo", "len", "sti", "wa", "qui", "ru", "ze", "lan",
        "dor", "ve", "ni", "ga", "pe", "tor", "hal", "bri", "co", "fen", "ja", "ul", "mer", "ost", "xa", "yo",
        "lu", "in", "sor", "ple", "dra", "vi", "nu", "ke", "tha", "wen",
    ]

    /// `count` distinct words of random syllables, in the order first made (that order is the rank).
    private static func vocabulary(count: Int, syllables range: ClosedRange<Int>, capitalised: Bool, random: inout SplitMix64) -> [String] {
        var seen: Set<String> = []
        var words: [String] = []
        words.reserveCapacity(count)
        while words.count < count {
            let length = range.lowerBound + random.next(below: range.count)
            var word = ""
            for _ in 0..<length { word += syllables[random.next(below: syllables.count)] }
            if capitalised { word = word.prefix(1).uppercased() + word.dropFirst() }
            if seen.insert(word).inserted { words.append(word) }
        }
        return words
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: text.utf8)
    }

    private static func appendLowercased(_ word: [UInt8], to bytes: inout [UInt8]) {
        for byte in word { bytes.append(byte >= 65 && byte <= 90 ? byte + 32 : byte) }
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` (UTC) of epoch milliseconds.
    static func isoDate(millis: Int64) -> String {
        let seconds = millis / 1000
        let days = seconds / 86_400
        let time = seconds % 86_400
        let (year, month, day) = civilDate(days: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60))Z"
    }

    /// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's `civil_from_days`).
    private static func civilDate(days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Draws ranks 0..<count with probability ∝ 1 / (rank + 1)^exponent.
struct ZipfSampler: Sendable {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var total = 0.0
        cumulative = (0..<count).map { rank in
            total += 1 / pow(Double(rank + 1), exponent)
            return total
        }
    }

    func sample(_ random: inout SplitMix64) -> Int {
        let target = Double(random.next() >> 11) * 0x1p-53 * (cumulative.last ?? 0)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The expected share of draws that give `rank`.
    func probability(_ rank: Int) -> Double {
        let previous = rank > 0 ? cumulative[rank - 1] : 0
        return (cumulative[rank] - previous) / (cumulative.last ?? 1)
    }
}
