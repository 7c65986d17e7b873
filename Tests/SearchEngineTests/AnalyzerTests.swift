import Foundation
import SearchEngine
import Testing

/// Expected tokens come from Lucene's own tests (TestStandardAnalyzer.java, StandardTokenizer without
/// lower-casing; lower-cased here because OpenSearch's `standard` analyzer lower-cases).
@Suite struct AnalyzerTests {
    private func terms(_ text: String, _ analyzer: Analyzer = .standard) -> [String] {
        analyzer.analyze(text).map { String(decoding: $0.term, as: UTF8.self) }
    }

    @Test func briefSample() {
        let text = "The QUICK brown-fox's e-mail: john.doe@example.com 3.14 1,000 日本語 \u{FEFF}café"
        #expect(terms(text) == ["the", "quick", "brown", "fox's", "e", "mail", "john.doe", "example.com", "3.14", "1,000", "日", "本", "語", "café"])
    }

    static let luceneCases: [(String, [String])] = [
        ("B2B", ["B2B"]), ("2B", ["2B"]),
        ("some-dashed-phrase", ["some", "dashed", "phrase"]), ("dogs,chase,cats", ["dogs", "chase", "cats"]), ("ac/dc", ["ac", "dc"]),
        ("O'Reilly", ["O'Reilly"]), ("you're", ["you're"]), ("she's", ["she's"]), ("Jim's", ["Jim's"]), ("don't", ["don't"]),
        ("O'Reilly's", ["O'Reilly's"]),
        ("21.35", ["21.35"]), ("R2D2 C3PO", ["R2D2", "C3PO"]), ("216.239.63.104", ["216.239.63.104"]),
        ("David has 5000 bones", ["David", "has", "5000", "bones"]),
        ("C embedded developers wanted", ["C", "embedded", "developers", "wanted"]),
        ("foo      bar .  FOO <> BAR", ["foo", "bar", "FOO", "BAR"]), ("\"QUOTED\" word", ["QUOTED", "word"]),
        ("안녕하세요 한글입니다", ["안녕하세요", "한글입니다"]), ("훈민정음", ["훈민정음"]),
        ("我是中国人。 １２３４ Ｔｅｓｔｓ ", ["我", "是", "中", "国", "人", "１２３４", "Ｔｅｓｔｓ"]),
        ("", []), (".", []), (" ", []),
        ("mo\u{364}chte", ["mo\u{364}chte"]),
        ("𩬅艱鍟䇹愯瀛", ["𩬅", "艱", "鍟", "䇹", "愯", "瀛"]),
        ("仮名遣い カタカナ", ["仮", "名", "遣", "い", "カタカナ"]),
        ("さ\u{3099}", ["さ\u{3099}"]), ("サ\u{3099}", ["サ\u{3099}"]), ("壹\u{3099}", ["壹\u{3099}"]), ("아\u{3099}", ["아\u{3099}"]),
        ("การที่ได้ต้องแสดงว่างานดี. แล้วเธอจะไปไหน? ๑๒๓๔", ["การที่ได้ต้องแสดงว่างานดี", "แล้วเธอจะไปไหน", "๑๒๓๔"]),
        ("ສາທາລະນະລັດ ປະຊາທິປະໄຕ ປະຊາຊົນລາວ", ["ສາທາລະນະລັດ", "ປະຊາທິປະໄຕ", "ປະຊາຊົນລາວ"]),
        // testMid
        ("A:B", ["A:B"]), ("A::B", ["A", "B"]), ("1.2", ["1.2"]), ("A.B", ["A.B"]), ("1..2", ["1", "2"]), ("A..B", ["A", "B"]),
        ("1,2", ["1,2"]), ("1,,2", ["1", "2"]), ("A.:B", ["A", "B"]), ("A:.B", ["A", "B"]), ("1,.2", ["1", "2"]), ("1.,2", ["1", "2"]),
        ("A:B_A:B", ["A:B_A:B"]), ("A:B_A::B", ["A:B_A", "B"]), ("1.2_1.2", ["1.2_1.2"]), ("A.B_A.B", ["A.B_A.B"]),
        ("1.2_1..2", ["1.2_1", "2"]), ("A.B_A..B", ["A.B_A", "B"]), ("1,2_1,2", ["1,2_1,2"]), ("1,2_1,,2", ["1,2_1", "2"]),
        ("C_A.:B", ["C_A", "B"]), ("C_A:.B", ["C_A", "B"]), ("3_1,.2", ["3_1", "2"]), ("3_1.,2", ["3_1", "2"]),
        // emoji
        ("💩 💩💩", ["💩", "💩", "💩"]), ("👩\u{200D}❤\u{FE0F}\u{200D}👩", ["👩\u{200D}❤\u{FE0F}\u{200D}👩"]),
        ("👨🏼\u{200D}⚕\u{FE0F}", ["👨🏼\u{200D}⚕\u{FE0F}"]), ("🇺🇸🇺🇸", ["🇺🇸", "🇺🇸"]), ("#\u{FE0F}\u{20E3}", ["#\u{FE0F}\u{20E3}"]),
        ("3\u{FE0F}\u{20E3}", ["3\u{FE0F}\u{20E3}"]), ("#\u{FE0E}", []), ("3\u{FE0E}", ["3\u{FE0E}"]), ("\u{2B55}\u{FE0E}", ["\u{2B55}"]),
        ("\u{2B55}\u{FE0E}\u{200D}\u{2B55}\u{FE0E}", ["\u{2B55}", "\u{200D}\u{2B55}"]),
        ("🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", ["🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"]),
        ("poo💩poo", ["poo", "💩", "poo"]), ("💩中國💩", ["💩", "中", "國", "💩"]),
        // testGreek (first sentence), testArabic, testBengali, testFarsi
        (
            "Γράφεται σε συνεργασία από εθελοντές με το λογισμικό wiki, κάτι που σημαίνει ότι άρθρα μπορεί να προστεθούν ή να αλλάξουν από τον καθένα.",
            [
                "Γράφεται", "σε", "συνεργασία", "από", "εθελοντές", "με", "το", "λογισμικό", "wiki", "κάτι", "που", "σημαίνει", "ότι", "άρθρα", "μπορεί",
                "να", "προστεθούν", "ή", "να", "αλλάξουν", "από", "τον", "καθένα",
            ]
        ),
        (
            "الفيلم الوثائقي الأول عن ويكيبيديا يسمى \"الحقيقة بالأرقام: قصة ويكيبيديا\" (بالإنجليزية: Truth in Numbers: The Wikipedia Story)، سيتم إطلاقه في 2008.",
            [
                "الفيلم", "الوثائقي", "الأول", "عن", "ويكيبيديا", "يسمى", "الحقيقة", "بالأرقام", "قصة", "ويكيبيديا", "بالإنجليزية", "Truth", "in",
                "Numbers", "The", "Wikipedia", "Story", "سيتم", "إطلاقه", "في", "2008",
            ]
        ),
        (
            "এই বিশ্বকোষ পরিচালনা করে উইকিমিডিয়া ফাউন্ডেশন (একটি অলাভজনক সংস্থা)। উইকিপিডিয়ার শুরু ১৫ জানুয়ারি, ২০০১ সালে। এখন পর্যন্ত ২০০টিরও বেশী ভাষায় উইকিপিডিয়া রয়েছে।",
            [
                "এই", "বিশ্বকোষ", "পরিচালনা", "করে", "উইকিমিডিয়া", "ফাউন্ডেশন", "একটি", "অলাভজনক", "সংস্থা", "উইকিপিডিয়ার", "শুরু", "১৫", "জানুয়ারি", "২০০১",
                "সালে", "এখন", "পর্যন্ত", "২০০টিরও", "বেশী", "ভাষায়", "উইকিপিডিয়া", "রয়েছে",
            ]
        ),
        (
            "ویکی پدیای انگلیسی در تاریخ ۲۵ دی ۱۳۷۹ به صورت مکملی برای دانشنامهٔ تخصصی نوپدیا نوشته شد.",
            ["ویکی", "پدیای", "انگلیسی", "در", "تاریخ", "۲۵", "دی", "۱۳۷۹", "به", "صورت", "مکملی", "برای", "دانشنامهٔ", "تخصصی", "نوپدیا", "نوشته", "شد"]
        ),
    ]

    @Test(arguments: luceneCases)
    func standardMatchesLucene(_ text: String, _ expected: [String]) {
        #expect(terms(text) == expected.map { $0.lowercased() }, "\(text)")
    }

    @Test func offsetsArePositionsAndUTF8Bytes() {
        let tokens = Analyzer.standard.analyze("David has 5000 bones")
        #expect(tokens.map(\.startOffset) == [0, 6, 10, 15])
        #expect(tokens.map(\.endOffset) == [5, 9, 14, 20])
        #expect(tokens.map(\.position) == [0, 1, 2, 3])
        let unicode = Analyzer.standard.analyze("日本 Café")
        #expect(unicode.map(\.startOffset) == [0, 3, 7])
        #expect(unicode.map(\.endOffset) == [3, 6, 12])
        #expect(unicode.last?.term == Array("café".utf8))
    }

    @Test func longTokensSplitAt255() {
        let b255 = String(repeating: "b", count: 255)
        #expect(terms("x \(b255) \(b255)b") == ["x", b255, b255, "b"])
        #expect(terms("ab cd toolong xy z", Analyzer(kind: .standard, maxTokenLength: 5)) == ["ab", "cd", "toolo", "ng", "xy", "z"])
    }

    @Test func javaLowerCasing() {
        #expect(terms("İSTANBUL ΟΔΟΣ ÀÉÎ") == ["istanbul", "οδοσ", "àéî"])
    }

    @Test func multiValuedPositionsAndOffsets() {
        var tokens: [Token] = []
        let first = Analyzer.standard.analyze("John Abraham", into: &tokens, positionBase: 0, offsetBase: 0)
        let bases = Analyzer.nextValueBases(after: "John Abraham", nextPosition: first, offsetBase: 0)
        Analyzer.standard.analyze("Lincoln Smith", into: &tokens, positionBase: bases.positionBase, offsetBase: bases.offsetBase)
        #expect(tokens.map(\.position) == [0, 1, 102, 103])
        #expect(tokens.map(\.startOffset) == [0, 5, 13, 21])
    }

    @Test func otherAnalyzers() {
        #expect(terms("The quick-brown fox's 42 café", .simple) == ["the", "quick", "brown", "fox", "s", "café"])
        #expect(terms("The  quick-brown\tFox's\u{A0}x 42", .whitespace) == ["The", "quick-brown", "Fox's\u{A0}x", "42"])
        #expect(terms("New York, NY", .keyword) == ["New York, NY"])
        #expect(Analyzer.keyword.analyze("New York").first?.endOffset == 8)
    }

    @Test func namedAnalyzers() throws {
        #expect(try Analyzer.named("standard") == .standard)
        #expect(try Analyzer.named("whitespace") == .whitespace)
        #expect(throws: SearchError.self) { try Analyzer.named("english") }
        do {
            _ = try Analyzer.named("nope")
            Issue.record("expected an error")
        } catch {
            #expect(error.type == "illegal_argument_exception")
            #expect(error.reason == "failed to find analyzer [nope]")
        }
    }

    /// Random text from many scripts: every token is a lower-cased slice of the input at its offsets, in order.
    @Test func randomTextKeepsOffsetsConsistent() {
        let pools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0xC0...0x17F, 0x300...0x36F, 0x391...0x3C9, 0x5D0...0x5EA, 0x620...0x64A, 0xE01...0xE4E, 0x3041...0x30FF, 0x4E00...0x4E80,
            0xAC00...0xAC40, 0x1F300...0x1F64F, 0x1F3FB...0x1F3FF, 0x200B...0x200F, 0xFE0E...0xFE0F, 0x1F1E6...0x1F1FF, 0x20000...0x20010,
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var text = ""
            for _ in 0..<Int.random(in: 0..<80, using: &generator) {
                let pool = pools[Int.random(in: 0..<pools.count, using: &generator)]
                if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &generator)) { text.unicodeScalars.append(scalar) }
                if Bool.random(using: &generator) { text += " " }
            }
            let bytes = Array(text.utf8)
            var lastEnd: Int32 = 0
            for (number, token) in Analyzer.standard.analyze(text).enumerated() {
                #expect(token.position == Int32(number))
                #expect(token.startOffset >= lastEnd && token.startOffset < token.endOffset && Int(token.endOffset) <= bytes.count)
                lastEnd = token.endOffset
                let slice = String(decoding: bytes[Int(token.startOffset)..<Int(token.endOffset)], as: UTF8.self)
                #expect(String(validating: token.term, as: UTF8.self) != nil)
                // Swift's lowercased() applies full mappings (İ → i̇) and final sigma; Java's per-character mapping does not.
                let special = slice.unicodeScalars.contains { $0 == "İ" || $0 == "Σ" }
                #expect(token.term == Array(slice.lowercased().utf8) || special, "\(slice.debugDescription)")
            }
        }
    }

    /// Prints the standard analyzer's rate on Latin text; asserts only a floor a debug build clears.
    @Test func throughput() {
        let words = ["the", "Quick", "brown", "fox", "jumps", "over", "lazy", "dogs", "course", "Moodle", "quiz", "3.14", "student's", "email"]
        var text = ""
        for index in 0..<20_000 { text += words[index % words.count] + (index % 9 == 0 ? ". " : " ") }
        let start = ContinuousClock.now
        var count = 0
        for _ in 0..<5 { count += Analyzer.standard.analyze(text).count }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let rate = Double(count) / seconds
        print("standard analyzer: \(Int(rate)) tokens/s (\(count) tokens)")
        #expect(count == 5 * 20_000)
        #expect(rate > 50_000)
    }
}
