import Testing
@testable import MoodleAnalytics

@Suite("EmailNormalizer")
struct EmailNormalizerTests {
    @Test(arguments: [
        ("Ann@Example.ORG", "ann@example.org"),
        ("  ann@example.org \n", "ann@example.org"),
        ("\u{00A0}\tann@example.org\u{3000}\r\n", "ann@example.org"),
        ("ÉLODIE@EXAMPLE.FR", "élodie@example.fr"),
        ("ann+moodle@example.org", "ann+moodle@example.org"),
        ("a b@example.org", "a b@example.org"),
        ("   ", ""),
        ("", ""),
    ])
    func normalizes(input: String, expected: String) {
        #expect(EmailNormalizer().normalize(input) == expected)
    }

    @Test(arguments: [
        ("Ann+Moodle@Example.org", "ann@example.org"),
        ("ann+a+b@example.org", "ann@example.org"),
        ("ann@example.org", "ann@example.org"),
        ("+tag@example.org", "@example.org"),
        ("ann@ex+ample.org", "ann@ex+ample.org"),
        ("no-at-sign+tag", "no-at-sign+tag"),
    ])
    func foldsPlusTagsWhenConfigured(input: String, expected: String) {
        #expect(EmailNormalizer(foldPlusTags: true).normalize(input) == expected)
    }

    @Test func emptyNeverMatches() {
        let normalizer = EmailNormalizer()
        #expect(!normalizer.matches("", ""))
        #expect(!normalizer.matches(" ", "\n"))
        #expect(normalizer.matches(" Ann@x.org", "ann@X.ORG "))
        #expect(!normalizer.matches("ann+t@x.org", "ann@x.org"))
        #expect(EmailNormalizer(foldPlusTags: true).matches("ann+t@x.org", "ann@x.org"))
    }

    /// The ASCII fast path agrees with the Unicode path on every ASCII text (random, whitespace-heavy).
    @Test func asciiFastPathAgreesWithTheUnicodePath() {
        var state: UInt64 = 0xA5C11
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let alphabet = Array(" \t\n\r\u{0B}\u{0C}aZ@.+-_09xQ\u{1F}\u{7F}")
        for _ in 0..<20_000 {
            let text = String((0..<next(12)).map { _ in alphabet[next(alphabet.count)] })
            let unicode = String(String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())).lowercased()
            #expect(EmailNormalizer.asciiTrimmedLowercased(text) == unicode, "\(Array(text.utf8))")
        }
        #expect(EmailNormalizer.asciiTrimmedLowercased(" Émile@x.org") == nil)
    }
}
