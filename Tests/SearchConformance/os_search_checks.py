"""opensearch-py checks of the search request's other parts: BM25 scores, sort (string, object and array
forms, `_score`, the `sort` parameter), from/size, `_source` filtering, highlighting, track_total_hits."""

import re

import corpus
from corpus import standard_tokens
from harness import expect_close, expect_equal, expect_raises, expect_true, fail, hit_ids, show
from opensearchpy.exceptions import RequestError
from reference import bm25_term_score, stored_length


def check_bm25_example(ctx):
    """The tiny index: exact scores, computed with Lucene's formula and float arithmetic."""
    docs = corpus.BM25_DOCS
    lengths = {i: len(standard_tokens(d["body"])) for i, d in docs.items()}
    expect_equal(sorted(lengths.values()), [3, 30, 45], "internal: the BM25 example's field lengths")
    expect_equal(stored_length(45), 44, "internal: SmallFloat keeps 45 as 44")
    total = sum(lengths.values())

    def score(doc_id, term):
        tokens = standard_tokens(docs[doc_id]["body"])
        df = sum(1 for d in docs.values() if term in standard_tokens(d["body"]))
        return bm25_term_score(tokens.count(term), lengths[doc_id], df, len(docs), total)

    for text in ("apple", "apple banana"):
        body = {"query": {"match": {"body": text}}}
        response = ctx.client.search(index=corpus.BM25, body=body)
        want = {i: sum(score(i, t) for t in text.split() if t in standard_tokens(docs[i]["body"])) for i in docs}
        want = {i: s for i, s in want.items() if s > 0}
        got = {h["_id"]: h["_score"] for h in response["hits"]["hits"]}
        expect_equal(sorted(got), sorted(want), f"POST /{corpus.BM25}/_search {show(body)}: the matching ids")
        for doc_id, expected in want.items():
            expect_close(got[doc_id], expected, f"{show(body)}: _score of {doc_id!r} ({docs[doc_id]['body'][:40]}...)", abs_tol=1e-5)
        expect_equal(hit_ids(response), sorted(want, key=lambda i: -want[i]), f"{show(body)}: hits in descending _score")
        expect_close(response["hits"]["max_score"], max(want.values()), f"{show(body)}: max_score", abs_tol=1e-5)
    short, long = score("short", "apple"), score("long", "apple")
    expect_true(short > long, f"internal: twice in a short field ({short}) scores above once in a long field ({long})")


def main_title_scores(ctx, terms):
    """Every document's expected score for a `match` of `terms` on title, over the whole main index."""
    docs = ctx.main.docs
    tokens = {i: standard_tokens(d["title"]) for i, d in docs.items()}
    total = sum(len(t) for t in tokens.values())
    scores = {}
    for term in terms:
        df = sum(1 for t in tokens.values() if term in t)
        for i, t in tokens.items():
            if term in t:
                scores[i] = scores.get(i, 0.0) + bm25_term_score(t.count(term), len(t), df, len(docs), total)
    return scores


def check_bm25_main(ctx):
    body = {"query": {"match": {"title": "bravo charlie"}}, "size": 200}
    want = main_title_scores(ctx, ["bravo", "charlie"])
    response = ctx.client.search(index=corpus.MAIN, body=body)
    expect_equal(response["hits"]["total"], {"value": len(want), "relation": "eq"}, f"{show(body)} hits.total")
    hits = response["hits"]["hits"]
    expect_equal(len(hits), 200, f"{show(body)}: number of hits")
    for hit in hits:
        expect_close(hit["_score"], want.get(hit["_id"], -1), f"{show(body)}: _score of {hit['_id']}", abs_tol=1e-4)
    scores = [h["_score"] for h in hits]
    expect_true(scores == sorted(scores, reverse=True), f"{show(body)}: hits in descending _score", scores[:20])
    best = sorted(want.values(), reverse=True)[:200]
    expect_close(min(scores), best[-1], f"{show(body)}: the 200th best score", abs_tol=1e-4)


def sorted_docs(ctx, key, present=lambda d: True):
    docs = list(ctx.main.docs.items())
    return [i for i, d in sorted((x for x in docs if present(x[1])), key=lambda x: key(x[1]))]


def expect_sorted(ctx, body, want_ids, what, sort_values=None, params=None):
    response = ctx.client.search(index=corpus.MAIN, body=body, params=params or {})
    got = hit_ids(response)
    if got != want_ids:
        first = next((n for n, (a, b) in enumerate(zip(got, want_ids)) if a != b), min(len(got), len(want_ids)))
        fail(f"{what} {show(body)} {params or ''}: order differs from position {first}: expected {want_ids[first:first + 5]}, got {got[first:first + 5]} ({len(got)} hits for {len(want_ids)})")
    if sort_values:
        for hit in response["hits"]["hits"]:
            want = sort_values(ctx.main.docs[hit["_id"]])
            if want is not None and hit.get("sort") != want:
                fail(f"{what} {show(body)}: hit {hit['_id']} sort values expected {want}, got {hit.get('sort')}")
    return response


def check_sort_object_form(ctx):
    priced = sorted_docs(ctx, lambda d: (-d["price"], d["serial"]), lambda d: "price" in d)
    expect_sorted(ctx, {"sort": [{"price": {"order": "desc"}}, {"serial": "asc"}], "size": 50}, priced[:50], "sort",
                  lambda d: [d["price"], d["serial"]])
    unpriced = sorted_docs(ctx, lambda d: d["serial"], lambda d: "price" not in d)
    ascending = sorted_docs(ctx, lambda d: (d["price"], d["serial"]), lambda d: "price" in d)
    body = {"sort": [{"price": {"order": "asc", "missing": "_first"}}, {"serial": {"order": "asc"}}], "size": len(unpriced) + 10}
    expect_sorted(ctx, body, (unpriced + ascending)[:len(unpriced) + 10], "sort with missing _first")
    body = {"sort": [{"price": "asc"}, "serial"], "from": len(ascending) - 5, "size": 10}
    expect_sorted(ctx, body, (ascending + unpriced)[len(ascending) - 5:len(ascending) + 5], "sort: missing values last by default")


def check_sort_string_and_array_forms(ctx):
    expect_sorted(ctx, {"sort": "serial", "size": 20}, [f"m{n:04d}" for n in range(20)], "sort as a string", lambda d: [d["serial"]])
    want = sorted_docs(ctx, lambda d: (d["category"], -d["serial"]))[:100]
    expect_sorted(ctx, {"sort": ["category", {"serial": "desc"}], "size": 100}, want, "sort as an array",
                  lambda d: [d["category"], d["serial"]])
    dated = sorted_docs(ctx, lambda d: (ctx.main.created[f"m{d['serial']:04d}"], d["serial"]), lambda d: "created" in d)
    expect_sorted(ctx, {"sort": [{"created": "desc"}, {"serial": "desc"}], "size": 100}, list(reversed(dated))[:100],
                  "sort by a date", lambda d: [ctx.main.created[f"m{d['serial']:04d}"], d["serial"]])
    qty = sorted_docs(ctx, lambda d: (-d["qty"], d["serial"]), lambda d: "qty" in d)
    expect_sorted(ctx, {"size": 100}, qty[:100], "the sort parameter", params={"sort": "qty:desc,serial:asc"})


def check_sort_score(ctx):
    want = main_title_scores(ctx, ["bravo", "charlie"])
    body = {"query": {"match": {"title": "bravo charlie"}}, "sort": ["_score", {"serial": "asc"}], "size": 300}
    response = ctx.client.search(index=corpus.MAIN, body=body)
    hits = response["hits"]["hits"]
    keys = [(-h["_score"], ctx.main.docs[h["_id"]]["serial"]) for h in hits]
    expect_true(keys == sorted(keys), f"{show(body)}: hits by _score desc then serial asc", keys[:20])
    for hit in hits:
        expect_close(hit["_score"], want.get(hit["_id"], -1), f"{show(body)}: _score of {hit['_id']}", abs_tol=1e-4)
        sort = hit.get("sort")
        expect_true(isinstance(sort, list) and len(sort) == 2 and abs(sort[0] - hit["_score"]) < 1e-6
                    and sort[1] == ctx.main.docs[hit["_id"]]["serial"], f"{show(body)}: hit {hit['_id']} sort values", hit)
    body = {"query": {"match": {"title": "bravo"}}, "sort": [{"_score": {"order": "asc"}}, "serial"], "size": 50}
    scores = [h["_score"] for h in ctx.client.search(index=corpus.MAIN, body=body)["hits"]["hits"]]
    expect_true(scores == sorted(scores), f"{show(body)}: _score ascending", scores)


def check_from_size(ctx):
    expect_sorted(ctx, {"sort": ["serial"], "from": 20, "size": 10}, [f"m{n:04d}" for n in range(20, 30)], "from/size")
    expect_sorted(ctx, {"sort": ["serial"], "from": 2995, "size": 10}, [f"m{n:04d}" for n in range(2995, 3000)], "from/size at the end")
    response = ctx.client.search(index=corpus.MAIN, body={"sort": ["serial"]}, params={"from": 5, "size": 3})
    expect_equal(hit_ids(response), ["m0005", "m0006", "m0007"], "from/size as URL parameters")
    body = {"query": {"match_all": {}}, "from": 9_995, "size": 10}
    error = expect_raises(RequestError, lambda: ctx.client.search(index=corpus.MAIN, body=body),
                          f"{show(body)} (beyond index.max_result_window)", status=400)
    root = (error.info or {}).get("error", {}).get("root_cause", [{}])[0].get("type")
    expect_equal(root, "illegal_argument_exception", f"{show(body)}: error.root_cause[0].type")


def filtered(doc, includes=None, excludes=()):
    out = {}
    for key, value in doc.items():
        if includes is not None and not any(re.fullmatch(p.replace("*", ".*"), key) for p in includes):
            continue
        if any(re.fullmatch(p.replace("*", ".*"), key) for p in excludes):
            continue
        out[key] = value
    return out


def check_source_filtering(ctx):
    cases = [
        ({"_source": ["title", "price"]}, {}, lambda d: filtered(d, ["title", "price"])),
        ({"_source": {"includes": ["t*"], "excludes": ["tags"]}}, {}, lambda d: filtered(d, ["t*"], ["tags"])),
        ({"_source": "code"}, {}, lambda d: filtered(d, ["code"])),
        ({}, {"_source_includes": "code,qty"}, lambda d: filtered(d, ["code", "qty"])),
        ({}, {"_source_excludes": "title,summary,notes"}, lambda d: filtered(d, None, ["title", "summary", "notes"])),
        ({}, {}, lambda d: d),
    ]
    for extra, params, want in cases:
        body = dict({"sort": ["serial"], "size": 30}, **extra)
        for hit in ctx.client.search(index=corpus.MAIN, body=body, params=params)["hits"]["hits"]:
            expect_equal(hit.get("_source"), want(ctx.main.docs[hit["_id"]]), f"{show(body)} {params}: _source of {hit['_id']}")
    body = {"sort": ["serial"], "size": 5, "_source": False}
    for hit in ctx.client.search(index=corpus.MAIN, body=body)["hits"]["hits"]:
        expect_true("_source" not in hit, f"{show(body)}: no _source in the hit", hit)


def check_highlight(ctx):
    body = {"query": {"match": {"title": "bravo"}}, "highlight": {"fields": {"title": {}}}, "sort": ["serial"], "size": 50}
    response = ctx.client.search(index=corpus.MAIN, body=body)
    expect_true(len(response["hits"]["hits"]) == 50, f"{show(body)}: 50 hits", len(response["hits"]["hits"]))
    for hit in response["hits"]["hits"]:
        title = ctx.main.docs[hit["_id"]]["title"]
        marked = re.sub(r"[A-Za-z0-9]+", lambda m: f"<em>{m.group(0)}</em>" if m.group(0).lower() == "bravo" else m.group(0), title)
        expect_equal(hit.get("highlight"), {"title": [marked]}, f"{show(body)}: highlight of {hit['_id']} ({title!r})")


def check_track_total_hits(ctx):
    cases = [
        ({}, {"value": 10_000, "relation": "gte"}),
        ({"track_total_hits": True}, {"value": corpus.BIG_COUNT, "relation": "eq"}),
        ({"track_total_hits": 500}, {"value": 500, "relation": "gte"}),
        ({"track_total_hits": 20_000}, {"value": corpus.BIG_COUNT, "relation": "eq"}),
        ({"query": {"range": {"n": {"lt": 700}}}}, {"value": 700, "relation": "eq"}),
    ]
    for extra, want in cases:
        body = dict({"size": 3}, **extra)
        response = ctx.client.search(index=corpus.BIG, body=body)
        expect_equal(response["hits"].get("total"), want, f"POST /{corpus.BIG}/_search {show(body)} ({corpus.BIG_COUNT} docs): hits.total")
    body = {"size": 3, "track_total_hits": False}
    response = ctx.client.search(index=corpus.BIG, body=body)
    expect_true("total" not in response["hits"], f"POST /{corpus.BIG}/_search {show(body)}: no hits.total", response["hits"])
    response = ctx.client.search(index=corpus.BIG, body={"size": 0}, params={"track_total_hits": "true"})
    expect_equal(response["hits"].get("total"), {"value": corpus.BIG_COUNT, "relation": "eq"}, "?track_total_hits=true")
    expect_equal(ctx.client.count(index=corpus.BIG)["count"], corpus.BIG_COUNT, f"GET /{corpus.BIG}/_count")
