"""Reference computations the expected answers come from: Lucene's BM25 as OpenSearch 2.x scores it,
its SmallFloat length encoding, fuzzy edit distance, phrase positions.

Scoring: OpenSearch's default similarity is `LegacyBM25Similarity` (OpenSearch
server/src/main/java/org/opensearch/index/similarity/SimilarityProviders.java `createBM25Similarity`),
which delegates to Lucene's `BM25Similarity` with the boost multiplied by (1 + k1)
(server/src/main/java/org/opensearch/lucene/similarity/LegacyBM25Similarity.java `scorer`), keeping
the pre-Lucene-8 scale: idf · (k1 + 1) · freq / (freq + k1 · (1 − b + b · dl / avgdl)).
Lucene computes in 32-bit floats; `f32` rounds each step the same way.
"""

import math
import struct


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


# Lucene's SmallFloat (org.apache.lucene.util.SmallFloat), as BM25Similarity.computeNorm uses it.
def _long_to_int4(i):
    num_bits = i.bit_length()
    if num_bits < 4:
        return i
    shift = num_bits - 4
    encoded = (i >> shift) & 0x07
    return encoded | ((shift + 1) << 3)


def _int4_to_long(i):
    bits = i & 0x07
    shift = (i >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


_NUM_FREE_VALUES = 255 - _long_to_int4(2**31 - 1)  # 24


def int_to_byte4(i):
    return i if i < _NUM_FREE_VALUES else _NUM_FREE_VALUES + _long_to_int4(i - _NUM_FREE_VALUES)


def byte4_to_int(b):
    return b if b < _NUM_FREE_VALUES else _NUM_FREE_VALUES + _int4_to_long(b - _NUM_FREE_VALUES)


def stored_length(length):
    """The field length BM25 sees: the norm byte's decoded value (exact below 24 tokens)."""
    return byte4_to_int(int_to_byte4(length))


def bm25_term_score(freq, length, doc_freq, doc_count, sum_total_term_freq, boost=1.0):
    """OpenSearch's score of one term in one document's field, step by step in float32 like Lucene."""
    k1 = f32(1.2)
    b = f32(0.75)
    idf = f32(math.log(1 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5)))
    avgdl = f32(sum_total_term_freq / doc_count)
    dl = f32(stored_length(length))
    norm_inverse = f32(1.0 / f32(k1 * f32(f32(1 - b) + f32(f32(b * dl) / avgdl))))
    weight = f32(f32(boost * f32(1 + k1)) * idf)  # LegacyBM25Similarity: boost · (1 + k1), then · idf
    return f32(weight - f32(weight / f32(1 + f32(freq * norm_inverse))))


def osa_distance(a, b):
    """Edit distance with adjacent transpositions (what Lucene's fuzzy automata accept with
    fuzzy_transpositions, the default)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def auto_fuzziness(term):
    """`fuzziness: AUTO` (AUTO:3,6): 0 edits below 3 characters, 1 up to 5, 2 from 6."""
    return 0 if len(term) < 3 else (1 if len(term) < 6 else 2)


def fuzzy_expansions(term, vocabulary):
    return {word for word in vocabulary if osa_distance(term, word) <= auto_fuzziness(term)}


def has_phrase(tokens, phrase, slop=0):
    """Whether `phrase` (distinct terms) occurs in `tokens` within `slop`: Lucene's sloppy phrase
    matches when the spread of (position − offset in the phrase) over the terms is at most `slop`."""
    positions = [[i for i, t in enumerate(tokens) if t == term] for term in phrase]
    if any(not p for p in positions):
        return False

    def search(k, chosen):
        if k == len(phrase):
            shifted = [p - offset for offset, p in enumerate(chosen)]
            return max(shifted) - min(shifted) <= slop and len(set(chosen)) == len(chosen)
        return any(search(k + 1, chosen + [p]) for p in positions[k])

    return search(0, [])


def has_phrase_prefix(tokens, phrase, prefix):
    """`phrase` followed at the next position by a token starting with `prefix`."""
    n = len(phrase)
    for i in range(len(tokens) - n):
        if tokens[i:i + n] == phrase and tokens[i + n].startswith(prefix):
            return True
    return False
