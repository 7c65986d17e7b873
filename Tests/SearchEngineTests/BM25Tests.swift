import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

/// BM25 against scores worked out by hand from OpenSearch's formula (LegacyBM25Similarity: Lucene 9's BM25 with
/// the boost times (1 + k1)). The expected values are computed in the
/// test from the formula (Lucene's Float arithmetic), independently of the engine's BM25 code, and checked
/// against the decimal values worked out below.
@Suite("BM25 scoring")
struct BM25Tests {
    /// Four documents in two segments (so the statistics must be summed over segments):
    ///
    ///     1: "the quick brown fox"          length 4
    ///     2: "the lazy dog"                 length 3
    ///     3: "quick quick fox jumps over"   length 5   (segment 2)
    ///     4: "fox"                          length 1   (segment 2)
    ///
    /// docCount = 4, sumTotalTermFreq = 13, avgdl = 13 / 4 = 3.25. Lengths below 24 survive SmallFloat exactly.
    private func fixture() throws -> SearchFixture {
        let fixture = try SearchFixture()
        try fixture.index("test", mappings: #"{"properties":{"body":{"type":"text"},"tag":{"type":"keyword"}}}"#, segments: [
            [("1", #"{"body":"the quick brown fox","tag":"a"}"#), ("2", #"{"body":"the lazy dog","tag":["a","b"]}"#)],
            [("3", #"{"body":"quick quick fox jumps over","tag":"b"}"#), ("4", #"{"body":"fox","tag":"c"}"#)],
        ])
        return fixture
    }

    /// Lucene's `BM25Scorer.score`, written out: weight − weight / (1 + freq · 1 / (k1 · ((1 − b) + b · dl / avgdl))),
    /// with weight = (boost · (1 + k1)) · idf as OpenSearch's LegacyBM25Similarity passes it.
    private func lucene(idf: Float, freq: Float, length: Float, avgdl: Float, boost: Float = 1) -> Float {
        let k1: Float = 1.2
        let b: Float = 0.75
        let weight = (boost * (1 + k1)) * idf
        let normInverse = 1 / (k1 * ((1 - b) + b * length / avgdl))
        return weight - weight / (1 + freq * normInverse)
    }

    private func idf(docFreq: Double, docCount: Double) -> Float {
        Float(log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5)))
    }

    @Test func singleTermAcrossSegments() throws {
        let fixture = try fixture()
        let response = try fixture.search(#"{"query":{"match":{"body":"fox"}}}"#)
        // "fox": docFreq 3 of docCount 4 → idf = ln(1 + 1.5 / 3.5) = ln(1.4285714) = 0.35667494; score = 2.2 · idf · tfnorm.
        // doc 4: dl 1 → tfnorm = 1 / (1 + 1.2 · (0.25 + 0.75 · 1 / 3.25)) = 1 / 1.5769231 = 0.6341463 → 0.49760506
        // doc 1: dl 4 → tfnorm = 1 / (1 + 1.2 · (0.25 + 0.75 · 4 / 3.25)) = 1 / 2.4076923 = 0.4153355 → 0.32590744
        // doc 3: dl 5 → tfnorm = 1 / (1 + 1.2 · (0.25 + 0.75 · 5 / 3.25)) = 1 / 2.6846154 = 0.3724928 → 0.29228947
        let foxIDF = idf(docFreq: 3, docCount: 4)
        #expect(abs(foxIDF - 0.35667494) < 1e-6)
        let expected = [
            lucene(idf: foxIDF, freq: 1, length: 1, avgdl: 3.25),
            lucene(idf: foxIDF, freq: 1, length: 4, avgdl: 3.25),
            lucene(idf: foxIDF, freq: 1, length: 5, avgdl: 3.25),
        ]
        #expect(zip(expected, [0.49760506, 0.32590744, 0.29228947] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(SearchFixture.hits(response).compactMap { $0["_id"]?.stringValue } == ["4", "1", "3"])
        #expect(SearchFixture.scores(response) == expected)
        guard case .object(let hits)? = response["hits"], case .double(let maxScore)? = hits["max_score"] else {
            Issue.record("no max_score")
            return
        }
        #expect(Float(maxScore) == expected[0])
    }

    @Test func termFrequencyAndSummedClauses() throws {
        let fixture = try fixture()
        let response = try fixture.search(#"{"query":{"match":{"body":"quick fox"}}}"#)
        // "quick": docFreq 2 → idf = ln(1 + 2.5 / 2.5) = ln 2 = 0.6931472.
        // doc 3: quick freq 2, dl 5 → 2.2 · 0.6931472 · 2 / (2 + 1.2 · 1.4038462) = 2.2 · 0.6931472 · 0.5428030 = 0.8277248;
        //        plus fox 0.29228947 → 1.1200142
        // doc 1: quick freq 1, dl 4 → 2.2 · 0.6931472 · 0.4153355 = 0.6333549; plus fox 0.32590744 → 0.9592623
        // doc 4: fox only → 0.49760506
        let quickIDF = idf(docFreq: 2, docCount: 4)
        let foxIDF = idf(docFreq: 3, docCount: 4)
        let doc3 = Float(Double(lucene(idf: quickIDF, freq: 2, length: 5, avgdl: 3.25)) + Double(lucene(idf: foxIDF, freq: 1, length: 5, avgdl: 3.25)))
        let doc1 = Float(Double(lucene(idf: quickIDF, freq: 1, length: 4, avgdl: 3.25)) + Double(lucene(idf: foxIDF, freq: 1, length: 4, avgdl: 3.25)))
        let doc4 = lucene(idf: foxIDF, freq: 1, length: 1, avgdl: 3.25)
        #expect(abs(doc3 - 1.1200142) < 1e-5 && abs(doc1 - 0.9592623) < 1e-5)
        #expect(SearchFixture.hits(response).compactMap { $0["_id"]?.stringValue } == ["3", "1", "4"])
        #expect(SearchFixture.scores(response) == [doc3, doc1, doc4])
    }

    @Test func boostMultipliesTheWeight() throws {
        let fixture = try fixture()
        let response = try fixture.search(#"{"query":{"match":{"body":{"query":"fox","boost":2.5}}}}"#)
        let foxIDF = idf(docFreq: 3, docCount: 4)
        #expect(SearchFixture.scores(response).first == lucene(idf: foxIDF, freq: 1, length: 1, avgdl: 3.25, boost: 2.5))
    }

    @Test func keywordTermsHaveNoNorms() throws {
        let fixture = try fixture()
        // tag: 4 documents with the field, 5 values (doc 2 has two) → avgdl = 5 / 4 = 1.25; no norms, so every
        // document has length 1 and frequency 1. "b": docFreq 2 → idf = ln(1 + 2.5 / 2.5) = ln 2.
        // score = 2.2 · ln 2 · 1 / (1 + 1.2 · (0.25 + 0.75 · 1 / 1.25)) = 2.2 · 0.6931472 / 2.02 = 0.7549127
        let response = try fixture.search(#"{"query":{"term":{"tag":"b"}}}"#)
        let expected = lucene(idf: idf(docFreq: 2, docCount: 4), freq: 1, length: 1, avgdl: 1.25)
        #expect(abs(expected - 0.7549127) < 1e-6)
        #expect(SearchFixture.scores(response) == [expected, expected])
        #expect(SearchFixture.hits(response).compactMap { $0["_id"]?.stringValue } == ["2", "3"])
    }

    @Test func deletedDocumentsStillCountInStatistics() throws {
        let fixture = try fixture()
        try fixture.delete(["2"], from: "test")
        let response = try fixture.search(#"{"query":{"match":{"body":"fox"}}}"#)
        // Lucene keeps deleted documents in docCount and sumTotalTermFreq until a merge: same scores as before.
        let foxIDF = idf(docFreq: 3, docCount: 4)
        #expect(SearchFixture.scores(response).first == lucene(idf: foxIDF, freq: 1, length: 1, avgdl: 3.25))
    }

    @Test func phraseScoresWithSummedIDF() throws {
        let fixture = try fixture()
        let response = try fixture.search(#"{"query":{"match_phrase":{"body":"quick fox"}}}"#)
        // Exact phrase "quick fox" only in doc 3 ("quick quick fox ..."): phrase freq 1, dl 5;
        // idf = idf(quick) + idf(fox) = 0.6931472 + 0.35667494 = 1.0498221.
        let summed = Float(Double(idf(docFreq: 2, docCount: 4)) + Double(idf(docFreq: 3, docCount: 4)))
        #expect(SearchFixture.hits(response).compactMap { $0["_id"]?.stringValue } == ["3"])
        #expect(SearchFixture.scores(response) == [lucene(idf: summed, freq: 1, length: 5, avgdl: 3.25)])
    }

    @Test func sloppyPhraseFrequency() throws {
        let fixture = try fixture()
        let response = try fixture.search(#"{"query":{"match_phrase":{"body":{"query":"quick fox","slop":2}}}}"#)
        // doc 1 "the quick brown fox": quick@1 fox@3 → distance 1 → freq 1/2.
        // doc 3 "quick quick fox": the exact match (distance 0) → freq 1 (Lucene counts the tightest window).
        let summed = Float(Double(idf(docFreq: 2, docCount: 4)) + Double(idf(docFreq: 3, docCount: 4)))
        let scores = Dictionary(uniqueKeysWithValues: zip(SearchFixture.hits(response).compactMap { $0["_id"]?.stringValue }, SearchFixture.scores(response)))
        #expect(scores["1"] == lucene(idf: summed, freq: 0.5, length: 4, avgdl: 3.25))
        #expect(scores["3"] == lucene(idf: summed, freq: 1, length: 5, avgdl: 3.25))
        #expect(scores.count == 2)
    }
}
