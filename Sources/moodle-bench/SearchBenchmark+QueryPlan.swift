import Foundation
import StreamProcessing

/// The query mix, with varied values drawn once (seeded) so that the engine in-process, the engine over
/// HTTP and tantivy run exactly the same queries in the same order: `warmup` untimed, then `runs` timed.
/// - term_keyword: `term` on `city` (any of the 500 values, uniformly: common and rare cities alike);
/// - term_numeric: `term` on `logins` (0–199);
/// - match_common: `match` on `bio` with one of the 50 commonest words (in most documents);
/// - match_rare: `match` on `bio` with a word ranked 10,000–19,999 (tens of documents);
/// - bool: `must` match a mid-frequency bio word (rank 50–999), `filter` a 90-day `range` on `created`,
///   `must_not` `term` on a city;
/// - date_histogram_terms: `size: 0`, `date_histogram` on `created` by calendar week with a `terms`
///   sub-aggregation on `city` (10 buckets), over all documents. (tantivy: `fixed_interval: 7d`.)
struct QueryPlan: Sendable {
    struct Kind: Sendable {
        var name: String
        /// The issue's goal for this kind's p99, if it sets one.
        var goalP99Milliseconds: Double?
        /// `warmup + runs` request bodies.
        var bodies: [[UInt8]]
    }

    struct BoolValues: Sendable {
        var word: String
        var fromMillis: Int64
        var toMillis: Int64
        var city: String
    }

    let warmup: Int
    let runs: Int
    let kinds: [Kind]
    private let cities: [String]
    private let logins: [Int]
    private let common: [String]
    private let rare: [String]
    private let bools: [BoolValues]

    init(corpus: SearchCorpus, runs: Int, warmup: Int, seed: UInt64 = 0x9_0E_41) {
        var random = SplitMix64(seed: seed)
        let total = runs + warmup
        self.runs = runs
        self.warmup = warmup
        cities = (0..<total).map { _ in corpus.cities[random.next(below: corpus.cities.count)] }
        logins = (0..<total).map { _ in random.next(below: 200) }
        common = (0..<total).map { _ in corpus.words[random.next(below: 50)] }
        rare = (0..<total).map { _ in corpus.words[10_000 + random.next(below: min(10_000, corpus.words.count - 10_000))] }
        let ninetyDays: Int64 = 90 * 86_400_000
        bools = (0..<total).map { _ in
            let from = SearchCorpus.firstMillis + Int64(random.next(below: Int((SearchCorpus.spanMillis - ninetyDays) / 86_400_000))) * 86_400_000
            return BoolValues(
                word: corpus.words[50 + random.next(below: 950)], fromMillis: from, toMillis: from + ninetyDays,
                city: corpus.cities[random.next(below: corpus.cities.count)])
        }
        let aggregation = Array(#"""
            {"size":0,"aggs":{"weeks":{"date_histogram":{"field":"created","calendar_interval":"week"},\#
            "aggs":{"cities":{"terms":{"field":"city","size":10}}}}}}
            """#.utf8)
        kinds = [
            Kind(name: "term_keyword", goalP99Milliseconds: 5, bodies: cities.map { Self.body(#"{"term":{"city":\#(Self.quoted($0))}}"#) }),
            Kind(name: "term_numeric", goalP99Milliseconds: 5, bodies: logins.map { Self.body(#"{"term":{"logins":\#($0)}}"#) }),
            Kind(name: "match_common", goalP99Milliseconds: nil, bodies: common.map { Self.body(#"{"match":{"bio":\#(Self.quoted($0))}}"#) }),
            Kind(name: "match_rare", goalP99Milliseconds: nil, bodies: rare.map { Self.body(#"{"match":{"bio":\#(Self.quoted($0))}}"#) }),
            Kind(name: "bool", goalP99Milliseconds: 5, bodies: bools.map { values in
                Self.body(#"""
                    {"bool":{"must":[{"match":{"bio":\#(Self.quoted(values.word))}}],\#
                    "filter":[{"range":{"created":{"gte":"\#(SearchCorpus.isoDate(millis: values.fromMillis))","lt":"\#(SearchCorpus.isoDate(millis: values.toMillis))"}}}],\#
                    "must_not":[{"term":{"city":\#(Self.quoted(values.city))}}]}}
                    """#)
            }),
            Kind(name: "date_histogram_terms", goalP99Milliseconds: 20, bodies: Array(repeating: aggregation, count: total)),
        ]
    }

    private static func body(_ query: String) -> [UInt8] { Array(#"{"query":\#(query)}"#.utf8) }

    private static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONWriter.appendString(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same values for `search_baseline_tantivy.py --queries`.
    func writeTantivySpecs(to path: String) throws {
        let specs = JSONObject([
            ("warmup", .integer(Int64(warmup))),
            ("aggregation_runs", .integer(Int64(runs))),
            ("cities", .array(cities.map { .string($0) })),
            ("logins", .array(logins.map { .integer(Int64($0)) })),
            // tantivy's default tokenizer lower-cases, as the standard analyzer does; the words are lower case.
            ("common", .array(common.map { .string($0) })),
            ("rare", .array(rare.map { .string($0) })),
            ("bool", .array(bools.map { values in
                .object(JSONObject([
                    ("word", .string(values.word)), ("from", .integer(values.fromMillis)), ("to", .integer(values.toMillis)),
                    ("city", .string(values.city)),
                ]))
            })),
        ])
        var bytes: [UInt8] = []
        JSONWriter.append(.object(specs), to: &bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
