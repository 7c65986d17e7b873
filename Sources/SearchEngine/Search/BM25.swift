import Foundation

/// OpenSearch 2.x's default similarity, `LegacyBM25Similarity` (org.opensearch.lucene.similarity): Lucene 9's
/// `BM25Similarity` with the boost multiplied by `(1 + k1)`, which keeps the pre-Lucene-8 scale that
/// OpenSearch (like Elasticsearch 7/8) still reports. In Lucene's own Float arithmetic so that scores agree
/// to the bit:
///
///     idf    = Float(ln(1 + (docCount − docFreq + 0.5) / (docFreq + 0.5)))       (in Double, then rounded)
///     avgdl  = Float(sumTotalTermFreq / docCount)
///     normInverse(dl) = 1 / (k1 · ((1 − b) + b · dl / avgdl))                    (Float)
///     score  = weight − weight / (1 + freq · normInverse(dl)),  weight = (boost · (1 + k1)) · idf
///
/// The last line is Lucene's rewrite of `weight · freq / (freq + k1 · (1 − b + b · dl / avgdl))` that keeps
/// the score monotonic in Float. `docCount`, `docFreq` and
/// `sumTotalTermFreq` are summed over all segments of the index, deleted documents included, as Lucene
/// computes them per shard. `dl` is the field length as the norm stores it (SmallFloat, decoded by the
/// segment); a field without norms (keyword, numbers) has norm byte 1 (length 1), Lucene's default norm.
struct BM25 {
    static let k1: Float = 1.2
    static let b: Float = 0.75

    /// `(boost · (1 + k1)) · idf`.
    let weight: Float
    let avgdl: Float
    /// `normInverse` per norm byte (Lucene's `cache`): the byte's decoded length through the formula.
    private let cache: [Float]

    init(boost: Float, idf: Float, avgdl: Float) {
        weight = (boost * (1 + Self.k1)) * idf
        self.avgdl = avgdl
        cache = SmallFloat.lengthTable.map { Self.normInverse(Float($0), avgdl: avgdl) }
    }

    /// Lucene's `idf(docFreq, docCount)`.
    static func idf(docFreq: Int, docCount: Int) -> Float {
        Float(log1pOrLog(Double(docCount - docFreq) + 0.5, Double(docFreq) + 0.5))
    }

    /// Lucene's idf of several terms (a phrase): the Float idfs summed in Double, then rounded to Float.
    static func idf(docFreqs: [Int], docCount: Int) -> Float {
        var sum = 0.0
        for docFreq in docFreqs { sum += Double(idf(docFreq: docFreq, docCount: docCount)) }
        return Float(sum)
    }

    /// Lucene's `avgFieldLength`: `(float) (sumTotalTermFreq / (double) docCount)`.
    static func averageLength(sumTotalTermFreq: Int64, docCount: Int) -> Float {
        docCount == 0 ? 1 : Float(Double(sumTotalTermFreq) / Double(docCount))
    }

    @inline(__always) static func normInverse(_ length: Float, avgdl: Float) -> Float {
        1 / (k1 * ((1 - b) + b * length / avgdl))
    }

    /// The score of a document with `freq` occurrences and norm byte `norm` (1 for fields without norms:
    /// Lucene's default norm, a length of 1).
    @inline(__always) func score(freq: Float, norm: UInt8) -> Float {
        weight - weight / (1 + freq * cache[Int(norm)])
    }

    /// The largest score any document can get (freq → ∞): `weight`.
    var maxScore: Float { weight }

    /// `ln(1 + numerator / denominator)` in Double, as Java's `Math.log(1 + x)`.
    private static func log1pOrLog(_ numerator: Double, _ denominator: Double) -> Double {
        log(1 + numerator / denominator)
    }
}
