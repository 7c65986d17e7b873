import Testing
import MoodleAnalytics

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
}
