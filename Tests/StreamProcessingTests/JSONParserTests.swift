import Testing
import StreamProcessing

private func parse(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

private func rejects(_ bytes: [UInt8]) -> Bool {
    do {
        _ = try JSONParser.parse(bytes)
        return false
    } catch {
        return true
    }
}

private func rejects(_ text: String) -> Bool { rejects(Array(text.utf8)) }

@Suite("JSONParser")
struct JSONParserTests {
    @Test func objectsKeepMemberOrder() throws {
        let value = try parse(#"{"z":1, "a":2 ,"m":{"y":null,"b":true},"a2":[false]}"#)
        let object = try #require(value.objectValue)
        #expect(object.members.map(\.name) == ["z", "a", "m", "a2"])
        #expect(object["a"] == .integer(2))
        #expect(object["m"]?.objectValue?.members.map(\.name) == ["y", "b"])
        #expect(object["a2"] == .array([.bool(false)]))
        #expect(object["missing"] == nil)
        // Member order is part of equality.
        #expect(try parse(#"{"a":1,"b":2}"#) != parse(#"{"b":2,"a":1}"#))
    }

    @Test func literalsAndWhitespace() throws {
        #expect(try parse(" \t\r\n null \n") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{ }") == .object(JSONObject()))
        #expect(try parse(#""""#) == .string(""))
    }

    @Test(arguments: [
        (#""a\"b\\c\/d""#, "a\"b\\c/d"),
        (#""\b\f\n\r\t""#, "\u{08}\u{0C}\n\r\t"),
        (#""\u0041\u00e9\u20AC""#, "Aé€"),
        (#""\u0000""#, "\u{0}"),
        (#""x\ud83d\ude00y""#, "x😀y"),
        (#""\uD834\uDD1E""#, "𝄞"),
        (#""héllo 😀 raw""#, "héllo 😀 raw"),
        (#""mixed é \n 😀""#, "mixed é \n 😀"),
    ])
    func escapes(json: String, expected: String) throws {
        #expect(try parse(json) == .string(expected))
    }

    @Test func integersAndDoubles() throws {
        #expect(try parse("0") == .integer(0))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("42") == .integer(42))
        #expect(try parse("-17") == .integer(-17))
        #expect(try parse("9223372036854775807") == .integer(Int64.max))
        #expect(try parse("-9223372036854775808") == .integer(Int64.min))
        // Beyond 64 bits: a double.
        #expect(try parse("9223372036854775808") == .double(0x1p63))
        #expect(try parse("-9223372036854775809") == .double(-0x1p63))
        #expect(try parse("1e3") == .double(1000))
        #expect(try parse("1E+3") == .double(1000))
        #expect(try parse("25e-1") == .double(2.5))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("-0.0") == .double(-0.0))
        #expect(try parse("1.0") == .double(1))
        #expect(try parse("[1,2.0]") == .array([.integer(1), .double(2)]))
    }

    @Test func hugeNumbersAreRejectedNotInfinite() throws {
        #expect(rejects("1e400"))
        #expect(rejects("-1e400"))
        #expect(try parse("1e-400") == .double(0))
    }

    @Test func depthLimit() throws {
        let limit = JSONParser.maximumDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(!rejects(deepest))
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(rejects(tooDeep))
        let objects = String(repeating: #"{"a":"#, count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)
        #expect(rejects(objects))
        // Far deeper than the limit: refused, not a stack overflow.
        #expect(rejects(String(repeating: "[", count: 100_000)))
    }

    @Test(arguments: [
        "", " ", "[1,]", #"{"a":1,}"#, "[,1]", "{,}", "01", "-01", "00", "1.", ".5", "+1", "-", "1e", "1e+", "0x10",
        "[1 2]", #"{"a" 1}"#, #"{"a":}"#, "{a:1}", "'a'", #""abc"#, #""\x""#, #""\u12""#, #""\u12G4""#,
        "\"a\u{01}b\"", "\"tab\there\"", "\"line\nbreak\"", #""\ud800""#, #""\ud800x""#, #""\ud800\u0041""#,
        #""\udc00""#, #""\ude00\ud83d""#, "nul", "nulll", "tru", "True", "NaN", "Infinity", "1 2", "{} x", "[]]",
        "null,", "\"a\"\"b\"", "[1]\u{0}",
    ])
    func invalidInputsRejected(_ text: String) {
        #expect(rejects(text), "accepted \(text.debugDescription)")
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22],  // 0xFF never occurs in UTF-8
        [0x22, 0xC3, 0x22],  // truncated two-byte sequence
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
        [0x22, 0x5C, 0x6E, 0xE2, 0x82, 0x22],  // invalid after an escape (slow path)
        [0x22, 0x80, 0x5C, 0x6E, 0x22],  // invalid before an escape
        [0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D],  // in a member name
        [0xEF, 0xBB, 0xBF, 0x31],  // a byte-order mark is not JSON
    ] as [[UInt8]])
    func invalidUTF8Rejected(_ bytes: [UInt8]) {
        #expect(rejects(bytes))
    }

    @Test func failureNamesTheOffset() {
        do {
            _ = try JSONParser.parse(Array("[1, x]".utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 4)
            #expect(error.description.contains("byte 4"))
        }
    }

    @Test func writerIsCompactAndEscapes() throws {
        let value = try parse(#"{ "b" : [ 1 , 2.5 , "x\"y\\z\n\t\u0001\u001f" ] , "a" : { "c" : null , "d" : false } }"#)
        #expect(value.jsonText == #"{"b":[1,2.5,"x\"y\\z\n\t\u0001\u001f"],"a":{"c":null,"d":false}}"#)
        #expect(JSONValue.string("\u{08}\u{0C}\r").jsonText == #""\u0008\u000c\r""#)
        #expect(JSONValue.double(.nan).jsonText == #""nan""#)
    }

    @Test func writerRoundTripsDocuments() throws {
        let documents = [
            #"{"before":null,"after":{"id":1,"email":"a@b","n":-3.25e-7},"op":"c","ts_ms":1700000000000}"#,
            #"[[],{},[{}],"",0,-1,1e300,5e-324,-0.0,9223372036854775807,-9223372036854775808,1.7976931348623157e308]"#,
            #"{"ü":"😀 é \u2028 \\ \"","":{"":[true,false,null]}}"#,
        ]
        for document in documents {
            let value = try parse(document)
            #expect(try parse(value.jsonText) == value)
        }
    }

    /// Random values written then parsed give back the same value (doubles exactly).
    @Test func writerRoundTripsRandomValues() throws {
        var random = SplitMix64(seed: 0x5EED_150)
        for _ in 0..<500 {
            let value = randomValue(&random, depth: 0)
            let text = value.jsonText
            let parsed = try JSONParser.parse(Array(text.utf8))
            #expect(parsed == value, "\(text)")
            #expect(parsed.jsonText == text)
        }
    }

    private func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next(below: depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.next(below: 2) == 0)
        case 2:
            let choices: [Int64] = [0, 1, -1, .max, .min, Int64(bitPattern: random.next())]
            return .integer(choices[random.next(below: choices.count)])
        case 3:
            var double = Double(bitPattern: random.next())
            while !double.isFinite { double = Double(bitPattern: random.next()) }
            let choices: [Double] = [double, 0.1, -0.0, 1e21, 1e-7, Double(random.next(below: 1000)) / 8]
            return .double(choices[random.next(below: choices.count)])
        case 4: return .string(randomString(&random))
        case 5: return .array((0..<random.next(below: 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            return .object(JSONObject((0..<random.next(below: 4)).map { _ in
                (randomString(&random), randomValue(&random, depth: depth + 1))
            }))
        }
    }

    private func randomString(_ random: inout SplitMix64) -> String {
        let pieces: [String] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "😀", "\u{2028}"]
        return String((0..<random.next(below: 6)).map { _ in pieces[random.next(below: pieces.count)] }.joined())
    }
}

/// A small deterministic generator, so randomized tests reproduce.
struct SplitMix64: RandomNumberGenerator {
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
