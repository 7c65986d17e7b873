"""opensearch-py checks of the query DSL: every query type the issue lists, each against the set of
documents Python finds with the reference analysers (corpus.py) over the documents it indexed."""

import datetime
import fnmatch
import re

import corpus
from corpus import LONDON, format_date, simple_tokens, standard_tokens, values, week_start_in, week_start_utc, whitespace_tokens
from harness import expect_equal, expect_ids, expect_true, fail, show
from reference import fuzzy_expansions, has_phrase, has_phrase_prefix


def search_all(ctx, query, index=corpus.MAIN, **extra):
    body = {"query": query, "size": 10_000, "_source": False, "track_total_hits": True}
    body.update(extra)
    return ctx.client.search(index=index, body=body)


def expect_query(ctx, query, predicate, what=""):
    """The query's hits and `_count` are exactly the documents `predicate` holds for."""
    want = ctx.main.ids_where(predicate)
    label = f"{what} POST /{corpus.MAIN}/_search {show({'query': query})}".strip()
    expect_ids(search_all(ctx, query), want, label)
    count = ctx.client.count(index=corpus.MAIN, body={"query": query})["count"]
    expect_equal(count, len(want), f"POST /{corpus.MAIN}/_count {show({'query': query})}")
    return want


def title(d):
    return standard_tokens(d["title"])


def summary(d):
    return simple_tokens(d.get("summary", ""))


def notes(d):
    return whitespace_tokens(d.get("notes", ""))


def check_match_all(ctx):
    response = ctx.client.search(index=corpus.MAIN, body={"query": {"match_all": {"boost": 2}}, "size": 5})
    expect_equal(response["hits"]["total"], {"value": corpus.MAIN_COUNT, "relation": "eq"}, "match_all hits.total")
    expect_equal({h["_score"] for h in response["hits"]["hits"]}, {2.0}, "match_all with boost 2: every _score")
    expect_equal(response["hits"]["max_score"], 2.0, "match_all with boost 2: max_score")
    expect_query(ctx, {"match_all": {}}, lambda d: True)


def check_match(ctx):
    expect_query(ctx, {"match": {"title": "bravo"}}, lambda d: "bravo" in title(d))
    expect_query(ctx, {"match": {"title": "Bravo, CHARLIE"}}, lambda d: {"bravo", "charlie"} & set(title(d)))
    expect_query(ctx, {"match": {"title": "zulu"}}, lambda d: False)
    expect_query(ctx, {"match": {"category": "books"}}, lambda d: d["category"] == "books")
    expect_query(ctx, {"match": {"tags": "Violet"}}, lambda d: "Violet" in values(d, "tags"))
    expect_query(ctx, {"match": {"qty": 42}}, lambda d: d.get("qty") == 42)


def check_match_operator_and_msm(ctx):
    expect_query(ctx, {"match": {"title": {"query": "bravo charlie", "operator": "and"}}},
                 lambda d: {"bravo", "charlie"} <= set(title(d)))
    expect_query(ctx, {"match": {"title": {"query": "bravo charlie delta", "minimum_should_match": 2}}},
                 lambda d: len({"bravo", "charlie", "delta"} & set(title(d))) >= 2)


def check_match_fuzziness(ctx):
    for text in ("hotell chrlie", "ekho"):
        terms = text.split()
        expansions = set().union(*(fuzzy_expansions(t, corpus.TITLE_WORDS) for t in terms))
        if not expansions:
            fail(f"internal: {text!r} expands to nothing; pick another query")
        expect_query(ctx, {"match": {"title": {"query": text, "fuzziness": "AUTO"}}},
                     lambda d, e=expansions: e & set(title(d)), f"(expands to {sorted(expansions)})")


def check_match_analyzers(ctx):
    # summary uses the simple analyzer (letters only): "x1ray" is the tokens x and ray, at index and search time.
    expect_query(ctx, {"match": {"summary": "ray"}}, lambda d: "ray" in summary(d))
    expect_query(ctx, {"match": {"summary": {"query": "x1ray", "operator": "and"}}}, lambda d: {"x", "ray"} <= set(summary(d)))
    # notes uses the whitespace analyzer: case is kept.
    expect_query(ctx, {"match": {"notes": "Alpha"}}, lambda d: "Alpha" in notes(d))
    expect_query(ctx, {"match": {"notes": "beta-gamma"}}, lambda d: "beta-gamma" in notes(d))


def check_match_phrase(ctx):
    expect_query(ctx, {"match_phrase": {"title": "bravo charlie"}}, lambda d: has_phrase(title(d), ["bravo", "charlie"]))
    expect_query(ctx, {"match_phrase": {"title": "alpha bravo charlie"}},
                 lambda d: has_phrase(title(d), ["alpha", "bravo", "charlie"]))
    expect_query(ctx, {"match_phrase": {"title": {"query": "bravo charlie", "slop": 1}}},
                 lambda d: has_phrase(title(d), ["bravo", "charlie"], slop=1))
    expect_query(ctx, {"match_phrase": {"title": {"query": "bravo charlie", "slop": 2}}},
                 lambda d: has_phrase(title(d), ["bravo", "charlie"], slop=2))


def check_match_phrase_prefix(ctx):
    expect_query(ctx, {"match_phrase_prefix": {"title": "bravo ch"}}, lambda d: has_phrase_prefix(title(d), ["bravo"], "ch"))
    expect_query(ctx, {"match_phrase_prefix": {"title": "nov"}}, lambda d: any(t.startswith("nov") for t in title(d)))


def check_multi_match(ctx):
    expect_query(ctx, {"multi_match": {"query": "fox delta", "fields": ["title", "summary"]}},
                 lambda d: {"fox", "delta"} & (set(title(d)) | set(summary(d))))
    expect_query(ctx, {"multi_match": {"query": "bravo charlie", "fields": ["title^2", "summary"], "operator": "and"}},
                 lambda d: {"bravo", "charlie"} <= set(title(d)))
    expect_query(ctx, {"multi_match": {"query": "bravo charlie", "type": "phrase", "fields": ["title", "notes"]}},
                 lambda d: has_phrase(title(d), ["bravo", "charlie"]))
    expect_query(ctx, {"multi_match": {"query": "omega", "fields": ["summary", "tit*"]}},
                 lambda d: "omega" in summary(d))
    # No fields: index.query.default_field, "*" (every field; numbers and dates leniently skipped).
    expect_query(ctx, {"multi_match": {"query": "omega"}}, lambda d: "omega" in summary(d))


def check_query_string(ctx):
    expect_query(ctx, {"query_string": {"query": "title:bravo AND NOT title:charlie"}},
                 lambda d: "bravo" in title(d) and "charlie" not in title(d))
    expect_query(ctx, {"query_string": {"query": "(bravo OR delta) AND tags:red", "default_field": "title"}},
                 lambda d: {"bravo", "delta"} & set(title(d)) and "red" in values(d, "tags"))
    expect_query(ctx, {"query_string": {"query": "qty:[10 TO 20] AND active:true"}},
                 lambda d: d.get("qty") is not None and 10 <= d["qty"] <= 20 and d.get("active") is True)
    expect_query(ctx, {"query_string": {"query": "title:char*"}}, lambda d: any(t.startswith("char") for t in title(d)))
    expect_query(ctx, {"query_string": {"query": "\"bravo charlie\"", "default_field": "title"}},
                 lambda d: has_phrase(title(d), ["bravo", "charlie"]))
    expect_query(ctx, {"query_string": {"query": "bravo charlie", "default_field": "title", "default_operator": "AND"}},
                 lambda d: {"bravo", "charlie"} <= set(title(d)))
    expect_query(ctx, {"query_string": {"query": "price:>400"}}, lambda d: d.get("price") is not None and d["price"] > 400)
    expect_query(ctx, {"query_string": {"query": "category:books OR category:toys"}}, lambda d: d["category"] in ("books", "toys"))
    expect_query(ctx, {"query_string": {"query": "omega"}}, lambda d: "omega" in summary(d))


def check_simple_query_string(ctx):
    expect_query(ctx, {"simple_query_string": {"query": "bravo + charlie", "fields": ["title"]}},
                 lambda d: {"bravo", "charlie"} <= set(title(d)))
    expect_query(ctx, {"simple_query_string": {"query": "bravo | delta", "fields": ["title"]}},
                 lambda d: {"bravo", "delta"} & set(title(d)))
    expect_query(ctx, {"simple_query_string": {"query": "bravo -echo", "fields": ["title"], "default_operator": "and"}},
                 lambda d: "bravo" in title(d) and "echo" not in title(d))
    expect_query(ctx, {"simple_query_string": {"query": "\"bravo charlie\"", "fields": ["title"]}},
                 lambda d: has_phrase(title(d), ["bravo", "charlie"]))
    expect_query(ctx, {"simple_query_string": {"query": "nov*", "fields": ["title"]}},
                 lambda d: any(t.startswith("nov") for t in title(d)))


def check_term(ctx):
    expect_query(ctx, {"term": {"tags": "red"}}, lambda d: "red" in values(d, "tags"))
    expect_query(ctx, {"term": {"tags": "violet"}}, lambda d: False)
    expect_query(ctx, {"term": {"category": {"value": "books", "boost": 2.0}}}, lambda d: d["category"] == "books")
    expect_query(ctx, {"term": {"active": True}}, lambda d: d.get("active") is True)
    expect_query(ctx, {"term": {"active": "false"}}, lambda d: d.get("active") is False)
    expect_query(ctx, {"term": {"qty": 42}}, lambda d: d.get("qty") == 42)
    sample = ctx.main.docs["m0007"]
    expect_query(ctx, {"term": {"serial": 7}}, lambda d: d["serial"] == 7)
    expect_query(ctx, {"term": {"views": sample["views"]}}, lambda d: d["views"] == sample["views"])
    priced = next(d for d in ctx.main.docs.values() if "price" in d)
    expect_query(ctx, {"term": {"price": priced["price"]}}, lambda d: d.get("price") == priced["price"])
    expect_query(ctx, {"term": {"title": "bravo"}}, lambda d: "bravo" in title(d))
    expect_query(ctx, {"term": {"title": "Bravo"}}, lambda d: False)
    expect_query(ctx, {"term": {"title.raw": sample["title"]}}, lambda d: d["title"] == sample["title"])
    dated = next(d for d in ctx.main.docs.values() if isinstance(d.get("created"), str))
    dated_ms = ctx.main.created[d_id(dated)]
    expect_query(ctx, {"term": {"created": dated["created"]}}, lambda d: ctx.main.created[d_id(d)] == dated_ms)


def check_terms(ctx):
    expect_query(ctx, {"terms": {"tags": ["red", "teal"]}}, lambda d: {"red", "teal"} & set(values(d, "tags")))
    expect_query(ctx, {"terms": {"serial": [1, 2, 3, 99999]}}, lambda d: d["serial"] in (1, 2, 3))
    expect_query(ctx, {"terms": {"category": ["books", "food"]}}, lambda d: d["category"] in ("books", "food"))


def check_range_numbers(ctx):
    expect_query(ctx, {"range": {"price": {"gte": 100, "lt": 200}}}, lambda d: d.get("price") is not None and 100 <= d["price"] < 200)
    expect_query(ctx, {"range": {"qty": {"gt": 10, "lte": 20}}}, lambda d: d.get("qty") is not None and 10 < d["qty"] <= 20)
    expect_query(ctx, {"range": {"views": {"gte": 5_000_000_000}}}, lambda d: d["views"] >= 5_000_000_000)
    expect_query(ctx, {"range": {"ratio": {"gte": 50.5, "lt": 60}}}, lambda d: 50.5 <= d["ratio"] < 60)
    expect_query(ctx, {"range": {"category": {"gte": "g", "lt": "s"}}}, lambda d: "g" <= d["category"] < "s")


def created_in(ctx, low, high):
    """Predicate: `created` in [low, high) (millis; None = open)."""
    def predicate(d):
        ms = ctx.main.created[d_id(d)]
        return ms is not None and (low is None or ms >= low) and (high is None or ms < high)
    return predicate


def d_id(d):
    return f"m{d['serial']:04d}"


def check_range_date_math(ctx):
    now = ctx.now()
    this_week = week_start_utc(now)
    last_week = week_start_utc(this_week - 1)
    two_weeks = week_start_utc(last_week - 1)
    expect_query(ctx, {"range": {"created": {"gte": "now-1w/w", "lt": "now/w"}}}, created_in(ctx, last_week, this_week),
                 f"(weeks from {format_date(last_week)} UTC)")
    # gt and lte round up to the end of the unit: > end of the week two weeks ago, <= end of last week.
    expect_query(ctx, {"range": {"created": {"gt": "now-2w/w", "lte": "now-1w/w"}}}, created_in(ctx, last_week, this_week))
    expect_query(ctx, {"range": {"created": {"gte": "now-2w/w"}}}, created_in(ctx, two_weeks, None))
    # now-3w in London's calendar (wall-clock arithmetic), rounded down to Monday 00:00 London.
    local = datetime.datetime.fromtimestamp(now / 1000, tz=LONDON) - datetime.timedelta(weeks=3)
    london = week_start_in(int(local.timestamp() * 1000), LONDON)
    expect_query(ctx, {"range": {"created": {"gte": "now-3w/w", "time_zone": "Europe/London"}}}, created_in(ctx, london, None),
                 f"(from {format_date(london)} UTC)")


def check_range_date_formats(ctx):
    times = sorted(ms for ms in ctx.main.created.values() if ms is not None)
    low, high = times[len(times) // 4] // 1000 * 1000, times[len(times) // 2] // 1000 * 1000
    expect_query(ctx, {"range": {"created": {"gte": format_date(low), "lte": format_date(high)}}},
                 created_in(ctx, low, high + 1000))
    expect_query(ctx, {"range": {"created": {"gte": low, "lt": high}}}, created_in(ctx, low, high))
    day = low // corpus.DAY_MS * corpus.DAY_MS
    expect_query(ctx, {"range": {"created": {"gte": format_date(day, pattern="%d/%m/%Y"), "format": "dd/MM/yyyy"}}},
                 created_in(ctx, day, None))


def check_exists(ctx):
    for field in ("price", "tags", "notes", "created", "active"):
        expect_query(ctx, {"exists": {"field": field}}, lambda d, f=field: len(values(d, f)) > 0)


def check_prefix(ctx):
    expect_query(ctx, {"prefix": {"code": "AB-1"}}, lambda d: d["code"].startswith("AB-1"))
    expect_query(ctx, {"prefix": {"code": {"value": "DD-"}}}, lambda d: d["code"].startswith("DD-"))
    expect_query(ctx, {"prefix": {"title": "nov"}}, lambda d: any(t.startswith("nov") for t in title(d)))
    expect_query(ctx, {"prefix": {"tags": "re"}}, lambda d: any(t.startswith("re") for t in values(d, "tags")))


def check_wildcard(ctx):
    expect_query(ctx, {"wildcard": {"code": "A?-1*"}}, lambda d: fnmatch.fnmatchcase(d["code"], "A?-1*"))
    expect_query(ctx, {"wildcard": {"code": {"value": "*-00?7"}}}, lambda d: fnmatch.fnmatchcase(d["code"], "*-00?7"))
    expect_query(ctx, {"wildcard": {"title": "*ar*"}}, lambda d: any("ar" in t for t in title(d)))


def check_regexp(ctx):
    expect_query(ctx, {"regexp": {"code": "[A-C]{2}-1[0-9]+"}}, lambda d: re.fullmatch("[A-C]{2}-1[0-9]+", d["code"]))
    expect_query(ctx, {"regexp": {"code": {"value": "D.-2.*"}}}, lambda d: re.fullmatch("D.-2.*", d["code"]))
    expect_query(ctx, {"regexp": {"title": "ch.*e"}}, lambda d: any(re.fullmatch("ch.*e", t) for t in title(d)))


def check_ids(ctx):
    expect_query(ctx, {"ids": {"values": ["m0001", "m0002", "m2999", "nope"]}}, lambda d: d["serial"] in (1, 2, 2999))


def check_bool(ctx):
    def full(d):
        return ("bravo" in title(d) and d.get("price") is not None and d["price"] >= 50
                and ({"red", "blue"} & set(values(d, "tags"))) and d.get("active") is not False)
    expect_query(ctx, {"bool": {
        "must": [{"match": {"title": "bravo"}}],
        "filter": [{"range": {"price": {"gte": 50}}}],
        "should": [{"term": {"tags": "red"}}, {"term": {"tags": "blue"}}],
        "minimum_should_match": 1,
        "must_not": [{"term": {"active": False}}],
    }}, full)
    three = [{"match": {"title": w}} for w in ("alpha", "bravo", "charlie")]
    for msm, need in ((2, 2), ("-1", 2), ("66%", 1), ("100%", 3)):
        expect_query(ctx, {"bool": {"should": three, "minimum_should_match": msm}},
                     lambda d, n=need: len({"alpha", "bravo", "charlie"} & set(title(d))) >= n)
    # With a must clause, should clauses are optional (minimum_should_match 0).
    expect_query(ctx, {"bool": {"must": {"term": {"category": "toys"}}, "should": [{"term": {"tags": "red"}}]}},
                 lambda d: d["category"] == "toys")
    expect_query(ctx, {"bool": {"filter": {"term": {"category": "books"}}}}, lambda d: d["category"] == "books")
    expect_query(ctx, {"bool": {"must_not": [{"exists": {"field": "price"}}]}}, lambda d: "price" not in d)
    expect_query(ctx, {"bool": {"should": [{"bool": {"must_not": {"term": {"category": "books"}}}}], "filter": [{"term": {"tags": "red"}}],
                                "minimum_should_match": 1}},
                 lambda d: d["category"] != "books" and "red" in values(d, "tags"))


def check_constant_score(ctx):
    query = {"constant_score": {"filter": {"term": {"tags": "red"}}, "boost": 1.5}}
    expect_query(ctx, query, lambda d: "red" in values(d, "tags"))
    response = ctx.client.search(index=corpus.MAIN, body={"query": query, "size": 100})
    scores = {h["_score"] for h in response["hits"]["hits"]}
    expect_equal(scores, {1.5}, f"{show(query)}: every _score")


def check_url_query(ctx):
    response = ctx.client.search(index=corpus.MAIN, q="title:bravo AND category:books", size=10_000, _source=False)
    want = ctx.main.ids_where(lambda d: "bravo" in title(d) and d["category"] == "books")
    expect_ids(response, want, f"GET /{corpus.MAIN}/_search?q=title:bravo AND category:books")


def check_index_patterns(ctx):
    response = ctx.client.search(index="conf-m*,conf-bi*", body={"query": {"match_all": {}}, "size": 0, "track_total_hits": True})
    expect_equal(response["hits"]["total"]["value"], corpus.MAIN_COUNT + corpus.BIG_COUNT,
                 "GET /conf-m*,conf-bi*/_search hits.total (wildcards and a list)")
    response = ctx.client.search(index="_all", body={"query": {"ids": {"values": ["m0001", "b00001"]}}})
    expect_equal(sorted((h["_index"], h["_id"]) for h in response["hits"]["hits"]),
                 sorted([(corpus.MAIN, "m0001"), (corpus.BIG, "b00001")]), "GET /_all/_search ids across indices")
    response = ctx.client.search(body={"query": {"ids": {"values": ["m0001"]}}})
    expect_equal([(h["_index"], h["_id"]) for h in response["hits"]["hits"]], [(corpus.MAIN, "m0001")], "GET /_search (no index)")
    response = ctx.client.search(index="conf-*,-conf-big", body={"query": {"ids": {"values": ["m0001", "b00001"]}}})
    expect_equal([h["_id"] for h in response["hits"]["hits"]], ["m0001"], "GET /conf-*,-conf-big/_search excludes conf-big")
    expect_true(response["_shards"]["total"] >= 1, "search _shards.total", response["_shards"])
