/// Record values for the benchmark: JSON-like event text (a Moodle log row) of an exact size, with varying
/// numbers and words, so that zlib finds what it would find in real rows and no more. Made once before
/// the timed phases: producers pick from the pool, so the timing measures the log, not string formatting.
struct RecordValues: Sendable {
    private let pool: [[UInt8]]

    init(recordBytes: Int, distinct: Int = 4096, seed: UInt64 = 0x6d6f_6f64_6c65) {
        var random = SplitMix64(seed: seed)
        pool = (0..<distinct).map { _ in Self.makeValue(bytes: recordBytes, random: &random) }
    }

    /// The value of record number `index` (values repeat every `distinct` records).
    func value(_ index: Int) -> [UInt8] { pool[index % pool.count] }

    /// The key of record number `index`: its number, 8 bytes little-endian.
    static func key(_ index: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(index).littleEndian) { Array($0) }
    }

    private static let actions = ["viewed", "submitted", "graded", "created", "updated", "deleted", "started"]
    private static let components = ["mod_quiz", "mod_forum", "mod_assign", "core_course", "mod_page", "mod_url"]
    private static let words = [
        "lorem", "ipsum", "course", "module", "attempt", "review", "section", "resource", "discussion",
        "answer", "question", "feedback", "overview", "summary", "grade", "student", "teacher", "group",
    ]

    private static func makeValue(bytes: Int, random: inout SplitMix64) -> [UInt8] {
        var text = "{\"id\":\(random.next(below: 100_000_000)),\"userid\":\(random.next(below: 50_000))"
        text += ",\"courseid\":\(random.next(below: 2_000)),\"contextid\":\(random.next(below: 400_000))"
        text += ",\"component\":\"\(components[random.next(below: components.count)])\""
        text += ",\"action\":\"\(actions[random.next(below: actions.count)])\""
        text += ",\"timecreated\":\(1_700_000_000 + random.next(below: 30_000_000))"
        text += ",\"ip\":\"10.\(random.next(below: 256)).\(random.next(below: 256)).\(random.next(below: 256))\""
        text += ",\"other\":\""
        while text.utf8.count < bytes - 2 {
            text += words[random.next(below: words.count)] + " "
        }
        var value = Array(text.utf8.prefix(max(0, bytes - 2)))
        value += Array("\"}".utf8)
        return Array(value.prefix(bytes))
    }
}

/// A small deterministic generator (SplitMix64): the same values every run, so runs compare.
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

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
