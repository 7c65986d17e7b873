"""Conformance suite: unmodified elasticsearch-py 8 (pinned in requirements.txt) against the server started
with its Elasticsearch-compatibility option. The client sends `application/vnd.elasticsearch+json;
compatible-with=8` and refuses any 2xx response without `X-Elastic-Product: Elasticsearch`
(UnsupportedProductError). The core of the opensearch-py suite: info, create with mappings, bulk, count,
queries, aggregations, scan, search_after, the document APIs and the error classes — every expected value
computed here from the documents indexed.

Usage: python elasticsearch_suite.py BASE_URL
Prints `OK name` / `FAIL name: reason` per check and a summary; exits 0 only when every check passed.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the tracked suites

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

from elasticsearch import BadRequestError, ConflictError, Elasticsearch, NotFoundError, helpers  # noqa: E402

import corpus  # noqa: E402
from corpus import LONDON, format_date, standard_tokens, values, week_start_in, week_start_utc  # noqa: E402
from harness import Runner, expect_equal, expect_ids, expect_json, expect_raises, expect_true, main_guard, show  # noqa: E402
from os_aggregation_checks import london_weeks, terms_result  # noqa: E402
from os_paging_checks import expect_each_once  # noqa: E402


class Context:
    def __init__(self, client):
        self.client = client
        self.now_ms = int(time.time() * 1000)
        self.main = corpus.MainCorpus(self.now_ms)


def check_info(ctx):
    response = ctx.client.info()
    expect_equal(response.meta.headers.get("x-elastic-product"), "Elasticsearch", "GET / X-Elastic-Product header")
    body = response.body
    expect_true(isinstance(body.get("version", {}).get("number"), str), "GET / version.number", body)
    expect_true(isinstance(body.get("tagline"), str) and isinstance(body.get("cluster_name"), str), "GET / tagline and cluster_name", body)
    expect_equal(ctx.client.ping(), True, "HEAD / (client.ping())")


def clean_up(ctx):
    for index in (corpus.MAIN, corpus.SCAN, corpus.DOCS):
        ctx.client.options(ignore_status=404).indices.delete(index=index)


def check_create(ctx):
    response = ctx.client.indices.create(index=corpus.MAIN, settings=corpus.MAIN_SETTINGS, mappings=corpus.MAIN_MAPPINGS)
    expect_equal(response.body, {"acknowledged": True, "shards_acknowledged": True, "index": corpus.MAIN}, f"PUT /{corpus.MAIN}")
    expect_equal(ctx.client.indices.exists(index=corpus.MAIN).body, True, f"HEAD /{corpus.MAIN}")
    expect_equal(ctx.client.indices.exists(index="conf-missing").body, False, "HEAD /conf-missing")
    expect_equal(ctx.client.indices.get_mapping(index=corpus.MAIN).body, {corpus.MAIN: {"mappings": corpus.MAIN_MAPPINGS}},
                 f"GET /{corpus.MAIN}/_mapping")


def check_bulk(ctx):
    actions = [{"_index": corpus.MAIN, "_id": i, "_source": d} for i, d in ctx.main.docs.items()]
    expect_equal(helpers.bulk(ctx.client, actions, refresh=True, chunk_size=700), (corpus.MAIN_COUNT, []),
                 f"helpers.bulk of {len(actions)} documents")
    ctx.client.indices.create(index=corpus.SCAN, settings=corpus.MAIN_SETTINGS, mappings={"properties": {"n": {"type": "integer"}}})
    scan = corpus.scan_docs()
    actions = ({"_index": corpus.SCAN, "_id": i, "_source": d} for i, d in scan.items())
    expect_equal(helpers.bulk(ctx.client, actions, refresh=True), (len(scan), []), f"helpers.bulk of {len(scan)} documents into {corpus.SCAN}")


def check_count(ctx):
    expect_equal(ctx.client.count(index=corpus.MAIN)["count"], corpus.MAIN_COUNT, f"GET /{corpus.MAIN}/_count")
    query = {"term": {"category": "books"}}
    want = len(ctx.main.ids_where(lambda d: d["category"] == "books"))
    expect_equal(ctx.client.count(index=corpus.MAIN, query=query)["count"], want, f"POST /{corpus.MAIN}/_count {show(query)}")


def expect_query(ctx, query, predicate):
    response = ctx.client.search(index=corpus.MAIN, query=query, size=10_000, source=False, track_total_hits=True)
    expect_ids(response.body, ctx.main.ids_where(predicate), f"POST /{corpus.MAIN}/_search {show({'query': query})}")


def check_queries(ctx):
    def title(d):
        return standard_tokens(d["title"])

    expect_query(ctx, {"match": {"title": {"query": "bravo charlie", "operator": "and"}}}, lambda d: {"bravo", "charlie"} <= set(title(d)))
    expect_query(ctx, {"match_phrase": {"title": "bravo charlie"}},
                 lambda d: any(a == "bravo" and b == "charlie" for a, b in zip(title(d), title(d)[1:])))
    expect_query(ctx, {"terms": {"tags": ["red", "teal"]}}, lambda d: {"red", "teal"} & set(values(d, "tags")))
    expect_query(ctx, {"range": {"price": {"gte": 100, "lt": 200}}}, lambda d: d.get("price") is not None and 100 <= d["price"] < 200)
    now = int(time.time() * 1000)
    low, high = week_start_utc(week_start_utc(now) - 1), week_start_utc(now)

    def last_week(d):
        ms = ctx.main.created[f"m{d['serial']:04d}"]
        return ms is not None and low <= ms < high

    expect_query(ctx, {"range": {"created": {"gte": "now-1w/w", "lt": "now/w"}}}, last_week)
    expect_query(ctx, {"bool": {"must": [{"match": {"title": "delta"}}], "filter": [{"term": {"active": True}}],
                                "must_not": [{"exists": {"field": "price"}}]}},
                 lambda d: "delta" in title(d) and d.get("active") is True and "price" not in d)


def check_sort_and_source(ctx):
    response = ctx.client.search(index=corpus.MAIN, sort=[{"price": "desc"}, {"serial": "asc"}], size=20, source_includes=["price"])
    ranked = sorted((d for d in ctx.main.docs.values() if "price" in d), key=lambda d: (-d["price"], d["serial"]))[:20]
    got = [(h["_id"], h["_source"], h["sort"]) for h in response["hits"]["hits"]]
    want = [(f"m{d['serial']:04d}", {"price": d["price"]}, [d["price"], d["serial"]]) for d in ranked]
    expect_equal(got, want, "sort price desc, serial asc with _source_includes=price")


def check_aggregations(ctx):
    aggs = {"weeks": {"date_histogram": {"field": "created", "calendar_interval": "week", "time_zone": "Europe/London"},
                      "aggs": {"cats": {"terms": {"field": "category", "size": 3}}}},
            "avg_price": {"avg": {"field": "price"}}}
    response = ctx.client.search(index=corpus.MAIN, size=0, aggs=aggs)
    got = response["aggregations"]
    by_week = {}
    for d in ctx.main.docs.values():
        if "created" in d:
            by_week.setdefault(week_start_in(ctx.main.created[f"m{d['serial']:04d}"], LONDON), []).append(d)
    want = [{"key_as_string": format_date(k, LONDON), "key": k, "doc_count": len(by_week.get(k, [])),
             "cats": terms_result(by_week.get(k, []), "category", size=3)} for k in london_weeks(min(by_week), max(by_week))]
    expect_json(got["weeks"], {"buckets": want}, f"aggs {show(aggs)}: weeks")
    prices = [d["price"] for d in ctx.main.docs.values() if "price" in d]
    expect_json(got["avg_price"], {"value": math.fsum(prices) / len(prices)}, "aggs avg_price")


def check_scan_and_search_after(ctx):
    docs = corpus.scan_docs()
    ids = [h["_id"] for h in helpers.scan(ctx.client, index=corpus.SCAN, query={"query": {"match_all": {}}}, size=400)]
    expect_each_once(ids, docs, f"helpers.scan over {len(docs)} documents")
    ids, after = [], None
    for _ in range(20):
        extra = {"search_after": after} if after else {}
        hits = ctx.client.search(index=corpus.SCAN, size=700, sort=[{"n": "asc"}], **extra)["hits"]["hits"]
        if not hits:
            break
        ids += [h["_id"] for h in hits]
        after = hits[-1]["sort"]
    expect_equal(ids, [f"s{n:04d}" for n in range(corpus.SCAN_COUNT)], "search_after pages (size 700, sort n)")


def check_documents(ctx):
    client = ctx.client
    client.indices.create(index=corpus.DOCS)
    created = client.index(index=corpus.DOCS, id="1", document={"n": 1}, refresh=True)
    expect_equal((created["result"], created["_version"], created.meta.status), ("created", 1, 201), "PUT /conf-docs/_doc/1")
    got = client.get(index=corpus.DOCS, id="1")
    expect_equal((got["found"], got["_source"], got["_version"]), (True, {"n": 1}, 1), "GET /conf-docs/_doc/1")
    expect_equal(client.exists(index=corpus.DOCS, id="1").body, True, "HEAD /conf-docs/_doc/1")
    updated = client.update(index=corpus.DOCS, id="1", doc={"m": 2}, refresh=True)
    expect_equal((updated["result"], updated["_version"]), ("updated", 2), "POST /conf-docs/_update/1")
    expect_equal(client.get(index=corpus.DOCS, id="1")["_source"], {"n": 1, "m": 2}, "the document after the update")
    upserted = client.update(index=corpus.DOCS, id="2", doc={"n": 2}, doc_as_upsert=True, refresh=True)
    expect_equal(upserted["result"], "created", "POST /conf-docs/_update/2 with doc_as_upsert")
    deleted = client.delete(index=corpus.DOCS, id="1", refresh=True)
    expect_equal((deleted["result"], deleted["_version"]), ("deleted", 3), "DELETE /conf-docs/_doc/1")
    expect_equal(client.exists(index=corpus.DOCS, id="1").body, False, "HEAD after the delete")
    expect_raises(NotFoundError, lambda: client.get(index=corpus.DOCS, id="1"), "GET a deleted document", status=404)


def check_errors(ctx):
    client = ctx.client
    expect_raises(NotFoundError, lambda: client.search(index="conf-missing", query={"match_all": {}}), "POST /conf-missing/_search",
                  status=404, error_type="index_not_found_exception")
    expect_raises(BadRequestError, lambda: client.search(index=corpus.MAIN, query={"no_such_query": {}}),
                  "a search with an unknown query", status=400, error_type="parsing_exception")
    expect_raises(BadRequestError, lambda: client.indices.create(index=corpus.MAIN), f"PUT /{corpus.MAIN} (exists)", status=400,
                  error_type="resource_already_exists_exception")
    expect_raises(ConflictError, lambda: client.create(index=corpus.DOCS, id="2", document={"n": 0}), "PUT /conf-docs/_create/2 (exists)",
                  status=409, error_type="version_conflict_engine_exception")
    response = client.options(ignore_status=404).get(index=corpus.DOCS, id="nope")
    expect_equal(response.meta.status, 404, "GET a missing document with ignore_status=404")


CHECKS = [
    ("info and the X-Elastic-Product header", check_info),
    ("clean up earlier runs", clean_up),
    ("indices.create, exists, get_mapping", check_create),
    ("helpers.bulk with refresh", check_bulk),
    ("count", check_count),
    ("queries", check_queries),
    ("sort and _source filtering", check_sort_and_source),
    ("aggregations", check_aggregations),
    ("helpers.scan and search_after", check_scan_and_search_after),
    ("document APIs", check_documents),
    ("error classes", check_errors),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    arguments = parser.parse_args()
    import elasticsearch
    print(f"elasticsearch-py {elasticsearch.__versionstr__}, python {sys.version.split()[0]}, server {arguments.base_url}", flush=True)
    runner = Runner("elasticsearch-py conformance")
    ctx = Context(Elasticsearch(arguments.base_url, request_timeout=120, max_retries=0, retry_on_timeout=False))
    for name, check in CHECKS:
        if not runner.check(name, check, ctx) and name.startswith(("indices.create", "helpers.bulk")):
            print("setup failed: the remaining checks need it", flush=True)
            break
    return runner.finish()


if __name__ == "__main__":
    main_guard(main)
