"""opensearch-py checks of every aggregation the issue lists, each number against Python's own
computation over the documents the suite indexed."""

import datetime
import math
from collections import Counter

import corpus
from corpus import DAY_MS, LONDON, UTC, format_date, values, week_start_in, week_start_utc
from harness import expect_close, expect_equal, expect_json, show


def run(ctx, aggs, query=None, index=corpus.MAIN):
    body = {"size": 0, "aggs": aggs}
    if query is not None:
        body["query"] = query
    response = ctx.client.search(index=index, body=body)
    return response.get("aggregations"), f"POST /{index}/_search {show(body, 500)}"


def docs(ctx, predicate=lambda d: True):
    return [d for d in ctx.main.docs.values() if predicate(d)]


def created(ctx, d):
    return ctx.main.created[f"m{d['serial']:04d}"]


def terms_result(documents, field, size=10, key=None):
    counts = Counter(v for d in documents for v in set(values(d, field)))
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] if key is None else key(kv[0])))
    buckets = [{"key": k, "doc_count": c} for k, c in ordered[:size]]
    return {"doc_count_error_upper_bound": 0, "sum_other_doc_count": sum(c for _, c in ordered[size:]), "buckets": buckets}


def check_terms(ctx):
    got, request = run(ctx, {"cats": {"terms": {"field": "category"}}, "tags": {"terms": {"field": "tags", "size": 3}},
                             "qty": {"terms": {"field": "qty", "size": 5}}})
    expect_json(got["cats"], terms_result(docs(ctx), "category"), f"{request}: cats")
    expect_json(got["tags"], terms_result(docs(ctx), "tags", size=3), f"{request}: tags (multi-valued, size 3)")
    expect_json(got["qty"], terms_result(docs(ctx), "qty", size=5), f"{request}: qty (integer keys)")
    got, request = run(ctx, {"cats": {"terms": {"field": "category", "order": {"_key": "asc"}, "size": 4}}})
    counts = Counter(d["category"] for d in docs(ctx))
    want = [{"key": k, "doc_count": counts[k]} for k in sorted(counts)[:4]]
    expect_json(got["cats"]["buckets"], want, f"{request}: buckets")
    got, request = run(ctx, {"cats": {"terms": {"field": "category"}}}, query={"match": {"title": "bravo"}})
    bravo = docs(ctx, lambda d: "bravo" in corpus.standard_tokens(d["title"]))
    expect_json(got["cats"], terms_result(bravo, "category"), f"{request}: over the query's matches")


def check_terms_boolean(ctx):
    got, request = run(ctx, {"active": {"terms": {"field": "active"}}})
    counts = Counter(d["active"] for d in docs(ctx, lambda d: "active" in d))
    buckets = [{"key": 1 if k else 0, "key_as_string": "true" if k else "false", "doc_count": c}
               for k, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    expect_json(got["active"], {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": buckets}, request)


def london_weeks(first, last):
    """Monday 00:00 London of each week from `first` to `last` (millis, both week starts)."""
    keys = []
    day = datetime.datetime.fromtimestamp(first / 1000, tz=LONDON).date()
    while True:
        key = int(datetime.datetime(day.year, day.month, day.day, tzinfo=LONDON).timestamp() * 1000)
        if key > last:
            return keys
        keys.append(key)
        day += datetime.timedelta(days=7)


def check_date_histogram_calendar(ctx):
    low, high = ctx.now_ms - 22 * 7 * DAY_MS, ctx.now_ms + 7 * DAY_MS
    aggs = {"weeks": {"date_histogram": {"field": "created", "calendar_interval": "week", "time_zone": "Europe/London",
                                         "min_doc_count": 0, "extended_bounds": {"min": low, "max": high}, "format": "yyyy-MM-dd"}}}
    got, request = run(ctx, aggs)
    counts = Counter(week_start_in(created(ctx, d), LONDON) for d in docs(ctx, lambda d: "created" in d))
    first = min(min(counts), week_start_in(low, LONDON))
    last = max(max(counts), week_start_in(high, LONDON))
    want = [{"key_as_string": format_date(k, LONDON, "%Y-%m-%d"), "key": k, "doc_count": counts.get(k, 0)} for k in london_weeks(first, last)]
    expect_json(got["weeks"], {"buckets": want}, request)


def check_date_histogram_fixed(ctx):
    food = docs(ctx, lambda d: d["category"] == "food" and "created" in d)
    aggs = {"days": {"date_histogram": {"field": "created", "fixed_interval": "1d"}}}
    got, request = run(ctx, aggs, query={"term": {"category": "food"}})
    counts = Counter(created(ctx, d) // DAY_MS * DAY_MS for d in food)
    keys = range(min(counts), max(counts) + DAY_MS, DAY_MS)
    want = [{"key_as_string": format_date(k), "key": k, "doc_count": counts.get(k, 0)} for k in keys]
    expect_json(got["days"], {"buckets": want}, f"{request} (empty days between, min_doc_count 0 by default; key_as_string in the field's format)")
    aggs = {"weeks": {"date_histogram": {"field": "created", "fixed_interval": "7d", "min_doc_count": 1}}}
    got, request = run(ctx, aggs)
    counts = Counter(created(ctx, d) // (7 * DAY_MS) * (7 * DAY_MS) for d in docs(ctx, lambda d: "created" in d))
    want = [{"key_as_string": format_date(k), "key": k, "doc_count": counts[k]} for k in sorted(counts)]
    expect_json(got["weeks"], {"buckets": want}, request)


def check_date_histogram_interval(ctx):
    aggs = {"weeks": {"date_histogram": {"field": "created", "interval": "week", "min_doc_count": 1, "format": "yyyy-MM-dd"}}}
    got, request = run(ctx, aggs)
    counts = Counter(week_start_utc(created(ctx, d)) for d in docs(ctx, lambda d: "created" in d))
    want = [{"key_as_string": format_date(k, UTC, "%Y-%m-%d"), "key": k, "doc_count": counts[k]} for k in sorted(counts)]
    expect_json(got["weeks"], {"buckets": want}, f"{request} (the deprecated interval parameter)")


def check_histogram(ctx):
    got, request = run(ctx, {"prices": {"histogram": {"field": "price", "interval": 50}}})
    counts = Counter(math.floor(d["price"] / 50) * 50.0 for d in docs(ctx, lambda d: "price" in d))
    keys = [min(counts) + 50.0 * n for n in range(int((max(counts) - min(counts)) / 50) + 1)]
    expect_json(got["prices"], {"buckets": [{"key": k, "doc_count": counts.get(k, 0)} for k in keys]}, request)
    aggs = {"qty": {"histogram": {"field": "qty", "interval": 10, "extended_bounds": {"min": -20, "max": 130}}}}
    got, request = run(ctx, aggs)
    counts = Counter(math.floor(d["qty"] / 10) * 10.0 for d in docs(ctx, lambda d: "qty" in d))
    want = [{"key": float(k), "doc_count": counts.get(float(k), 0)} for k in range(-20, 140, 10)]
    expect_json(got["qty"], {"buckets": want}, request)


def check_range(ctx):
    aggs = {"prices": {"range": {"field": "price", "ranges": [{"to": 100}, {"from": 100, "to": 250}, {"from": 250}]}}}
    got, request = run(ctx, aggs)
    prices = [d["price"] for d in docs(ctx, lambda d: "price" in d)]
    want = [
        {"key": "*-100.0", "to": 100.0, "doc_count": sum(1 for p in prices if p < 100)},
        {"key": "100.0-250.0", "from": 100.0, "to": 250.0, "doc_count": sum(1 for p in prices if 100 <= p < 250)},
        {"key": "250.0-*", "from": 250.0, "doc_count": sum(1 for p in prices if p >= 250)},
    ]
    expect_json(got["prices"], {"buckets": want}, request)


def check_date_range(ctx):
    now = ctx.now()
    this_week = week_start_utc(now)
    ten_weeks = week_start_utc(now - 10 * 7 * DAY_MS)
    ranges = [{"to": "now-10w/w"}, {"from": "now-10w/w", "to": "now/w"}, {"from": "now/w"}]
    got, request = run(ctx, {"periods": {"date_range": {"field": "created", "format": "yyyy-MM-dd", "ranges": ranges}}})
    times = [created(ctx, d) for d in docs(ctx, lambda d: "created" in d)]
    a, b = format_date(ten_weeks, pattern="%Y-%m-%d"), format_date(this_week, pattern="%Y-%m-%d")
    want = [
        {"key": f"*-{a}", "to": float(ten_weeks), "to_as_string": a, "doc_count": sum(1 for t in times if t < ten_weeks)},
        {"key": f"{a}-{b}", "from": float(ten_weeks), "from_as_string": a, "to": float(this_week), "to_as_string": b,
         "doc_count": sum(1 for t in times if ten_weeks <= t < this_week)},
        {"key": f"{b}-*", "from": float(this_week), "from_as_string": b, "doc_count": sum(1 for t in times if t >= this_week)},
    ]
    expect_json(got["periods"], {"buckets": want}, request)


def check_cardinality(ctx):
    aggs = {
        "categories": {"cardinality": {"field": "category"}},
        "tags": {"cardinality": {"field": "tags"}},
        "qty": {"cardinality": {"field": "qty"}},
        "codes_exact": {"cardinality": {"field": "code", "precision_threshold": 4000}},
    }
    got, request = run(ctx, aggs)
    everything = docs(ctx)
    for name, field in (("categories", "category"), ("tags", "tags"), ("qty", "qty"), ("codes_exact", "code")):
        distinct = len({v for d in everything for v in values(d, field)})
        expect_equal(got[name], {"value": distinct}, f"{request}: {name} (below precision_threshold: exact)")


def check_cardinality_hll(ctx):
    # precision_threshold 100 is HyperLogLog++ precision 10 (OpenSearch's precisionFromThreshold): 1,024
    # registers, a relative standard error of 1.04/sqrt(1024) = 3.25%. The codes' letters change with the time
    # the suite starts (the corpus' dates are relative to now and their rejection sampling shifts the seeded
    # stream), so the estimate differs from run to run; 4 standard errors (13%) fail a wrong sketch, not an
    # unlucky corpus (a 5% bound failed once in a full-suite run: 2,821 for 3,000).
    got, request = run(ctx, {"codes": {"cardinality": {"field": "code", "precision_threshold": 100}}})
    distinct = len({d["code"] for d in docs(ctx)})
    expect_close(got["codes"]["value"], distinct, f"{request}: HyperLogLog++ estimate of {distinct} distinct codes",
                 rel_tol=4 * 1.04 / 1024 ** 0.5)


def check_metrics(ctx):
    fields = ("price", "qty", "ratio", "views")
    aggs = {}
    for field in fields:
        for kind in ("sum", "avg", "min", "max", "value_count"):
            aggs[f"{kind}_{field}"] = {kind: {"field": field}}
    aggs["value_count_tags"] = {"value_count": {"field": "tags"}}
    got, request = run(ctx, aggs)
    for field in fields:
        numbers = [v for d in docs(ctx) for v in values(d, field)]
        want = {"sum": math.fsum(numbers), "avg": math.fsum(numbers) / len(numbers), "min": min(numbers), "max": max(numbers)}
        for kind, value in want.items():
            expect_close(got[f"{kind}_{field}"].get("value"), float(value), f"{request}: {kind} of {field}", rel_tol=1e-9, abs_tol=1e-9)
        expect_equal(got[f"value_count_{field}"], {"value": len(numbers)}, f"{request}: value_count of {field}")
    tags = sum(len(values(d, "tags")) for d in docs(ctx))
    expect_equal(got["value_count_tags"], {"value": tags}, f"{request}: value_count of tags (multi-valued)")


def check_metrics_dates_and_empty(ctx):
    got, request = run(ctx, {"first": {"min": {"field": "created"}}, "last": {"max": {"field": "created"}}})
    times = [created(ctx, d) for d in docs(ctx, lambda d: "created" in d)]
    expect_json(got["first"], {"value": float(min(times)), "value_as_string": format_date(min(times))}, f"{request}: min of a date")
    expect_json(got["last"], {"value": float(max(times)), "value_as_string": format_date(max(times))}, f"{request}: max of a date")
    aggs = {"sum": {"sum": {"field": "price"}}, "avg": {"avg": {"field": "price"}}, "min": {"min": {"field": "price"}},
            "max": {"max": {"field": "price"}}, "count": {"value_count": {"field": "price"}},
            "stats": {"stats": {"field": "price"}}, "cats": {"terms": {"field": "category"}}}
    got, request = run(ctx, aggs, query={"term": {"category": "no-such-category"}})
    want = {"sum": {"value": 0.0}, "avg": {"value": None}, "min": {"value": None}, "max": {"value": None}, "count": {"value": 0},
            "stats": {"count": 0, "min": None, "max": None, "avg": None, "sum": 0.0},
            "cats": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": []}}
    expect_json(got, want, f"{request} (no document matches)")


def check_stats(ctx):
    got, request = run(ctx, {"price": {"stats": {"field": "price"}}, "qty": {"stats": {"field": "qty"}}})
    for field in ("price", "qty"):
        numbers = [d[field] for d in docs(ctx, lambda d, f=field: f in d)]
        want = {"count": len(numbers), "min": float(min(numbers)), "max": float(max(numbers)),
                "avg": math.fsum(numbers) / len(numbers), "sum": math.fsum(numbers)}
        expect_json(got[field], want, f"{request}: stats of {field}")


def check_top_hits(ctx):
    aggs = {"cats": {"terms": {"field": "category"}, "aggs": {"top": {"top_hits": {
        "size": 2, "sort": [{"price": "desc"}, {"serial": "asc"}], "_source": {"includes": ["price", "serial"]}}}}}}
    got, request = run(ctx, aggs)
    for bucket in got["cats"]["buckets"]:
        members = docs(ctx, lambda d, k=bucket["key"]: d["category"] == k)
        ranked = sorted(members, key=lambda d: (0, -d["price"], d["serial"]) if "price" in d else (1, 0, d["serial"]))[:2]
        hits = bucket["top"]["hits"]
        expect_equal(hits.get("total"), {"value": len(members), "relation": "eq"}, f"{request}: top_hits total in {bucket['key']}")
        expect_equal([h["_id"] for h in hits["hits"]], [f"m{d['serial']:04d}" for d in ranked], f"{request}: top_hits ids in {bucket['key']}")
        expect_equal([h.get("_source") for h in hits["hits"]], [{"price": d["price"], "serial": d["serial"]} for d in ranked],
                     f"{request}: top_hits _source in {bucket['key']}")
        expect_equal([h.get("sort") for h in hits["hits"]], [[d["price"], d["serial"]] for d in ranked],
                     f"{request}: top_hits sort values in {bucket['key']}")
        expect_equal({h.get("_index") for h in hits["hits"]}, {corpus.MAIN}, f"{request}: top_hits _index")


def check_filter(ctx):
    aggs = {"active": {"filter": {"term": {"active": True}}, "aggs": {"avg_price": {"avg": {"field": "price"}}}}}
    got, request = run(ctx, aggs)
    active = docs(ctx, lambda d: d.get("active") is True)
    prices = [d["price"] for d in active if "price" in d]
    expect_json(got["active"], {"doc_count": len(active), "avg_price": {"value": math.fsum(prices) / len(prices)}}, request)


def check_filters(ctx):
    cheap = {"range": {"price": {"lt": 100}}}
    red = {"term": {"tags": "red"}}
    aggs = {"groups": {"filters": {"filters": {"cheap": cheap, "red": red}, "other_bucket_key": "rest"},
                       "aggs": {"qty": {"sum": {"field": "qty"}}}}}
    got, request = run(ctx, aggs)

    def is_cheap(d):
        return "price" in d and d["price"] < 100

    def is_red(d):
        return "red" in values(d, "tags")

    def bucket(predicate):
        members = docs(ctx, predicate)
        return {"doc_count": len(members), "qty": {"value": float(sum(d.get("qty", 0) for d in members))}}

    want = {"buckets": {"cheap": bucket(is_cheap), "red": bucket(is_red), "rest": bucket(lambda d: not is_cheap(d) and not is_red(d))}}
    expect_json(got["groups"], want, request)
    got, request = run(ctx, {"groups": {"filters": {"filters": [red, cheap]}}})
    expect_json(got["groups"], {"buckets": [{"doc_count": len(docs(ctx, is_red))}, {"doc_count": len(docs(ctx, is_cheap))}]},
                f"{request} (anonymous filters: a list in request order)")


def check_sub_aggregations(ctx):
    aggs = {"weeks": {"date_histogram": {"field": "created", "calendar_interval": "1w", "time_zone": "Europe/London"},
                      "aggs": {"cats": {"terms": {"field": "category", "size": 3}}, "spent": {"sum": {"field": "price"}}}}}
    got, request = run(ctx, aggs)
    by_week = {}
    for d in docs(ctx, lambda d: "created" in d):
        by_week.setdefault(week_start_in(created(ctx, d), LONDON), []).append(d)
    want = []
    for key in london_weeks(min(by_week), max(by_week)):
        members = by_week.get(key, [])
        # key_as_string: the field's format, in the aggregation's time zone.
        want.append({"key_as_string": format_date(key, LONDON), "key": key, "doc_count": len(members),
                     "cats": terms_result(members, "category", size=3),
                     "spent": {"value": math.fsum(d.get("price", 0.0) for d in members)}})
    expect_json(got["weeks"], {"buckets": want}, request)
