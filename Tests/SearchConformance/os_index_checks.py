"""opensearch-py checks of the cluster and index APIs: info, create with settings and mappings, exists,
mappings (round trip, put, dynamic), bulk, count, _cat/indices, _cluster/health."""

import re

from opensearchpy import helpers
from opensearchpy.exceptions import RequestError

import corpus
from harness import expect_equal, expect_raises, expect_true, fail, show

ALL_INDICES = [corpus.MAIN, corpus.BIG, corpus.SCAN, corpus.BM25, corpus.DYNAMIC, corpus.DOCS, "conf-auth"]


def check_info(ctx):
    info = ctx.client.info()
    version = info.get("version", {})
    expect_equal(version.get("distribution"), "opensearch", "GET / version.distribution")
    expect_true(re.fullmatch(r"2\.\d+\.\d+", str(version.get("number"))), "GET / version.number is 2.x.y", version.get("number"))
    expect_equal(info.get("tagline"), "The OpenSearch Project: https://opensearch.org/", "GET / tagline")
    for key in ("name", "cluster_name", "cluster_uuid"):
        expect_true(isinstance(info.get(key), str) and info[key], f"GET / has a non-empty string {key}", info)
    expect_true(isinstance(version.get("lucene_version"), str), "GET / version.lucene_version is a string", version)
    expect_equal(ctx.client.ping(), True, "HEAD / (client.ping())")


def clean_up(ctx):
    """Deletes what an earlier run against the same server left (404 is fine)."""
    for index in ALL_INDICES:
        ctx.client.indices.delete(index=index, ignore=[404])
    for index in ALL_INDICES:
        expect_equal(ctx.client.indices.exists(index=index), False, f"HEAD /{index} after DELETE /{index}")


def check_create_main(ctx):
    body = {"settings": corpus.MAIN_SETTINGS, "mappings": corpus.MAIN_MAPPINGS}
    response = ctx.client.indices.create(index=corpus.MAIN, body=body)
    expect_equal(response, {"acknowledged": True, "shards_acknowledged": True, "index": corpus.MAIN},
                 f"PUT /{corpus.MAIN} {show(body)}")


def check_exists(ctx):
    expect_equal(ctx.client.indices.exists(index=corpus.MAIN), True, f"HEAD /{corpus.MAIN}")
    expect_equal(ctx.client.indices.exists(index="conf-missing"), False, "HEAD /conf-missing")


def check_get_settings(ctx):
    response = ctx.client.indices.get_settings(index=corpus.MAIN)
    index = response.get(corpus.MAIN, {}).get("settings", {}).get("index", {})
    expect_equal(index.get("number_of_shards"), "1", f"GET /{corpus.MAIN}/_settings index.number_of_shards (a string)")
    expect_equal(index.get("number_of_replicas"), "0", f"GET /{corpus.MAIN}/_settings index.number_of_replicas (a string)")
    expect_equal(index.get("provided_name"), corpus.MAIN, f"GET /{corpus.MAIN}/_settings index.provided_name")
    expect_true(isinstance(index.get("uuid"), str) and isinstance(index.get("creation_date"), str),
                f"GET /{corpus.MAIN}/_settings has index.uuid and index.creation_date as strings", index)


def check_mapping_round_trip(ctx):
    response = ctx.client.indices.get_mapping(index=corpus.MAIN)
    expect_equal(response, {corpus.MAIN: {"mappings": corpus.MAIN_MAPPINGS}}, f"GET /{corpus.MAIN}/_mapping")


def check_put_mapping(ctx):
    added = {"properties": {"extra_kw": {"type": "keyword"}, "extra_n": {"type": "long"}}}
    response = ctx.client.indices.put_mapping(index=corpus.MAIN, body=added)
    expect_equal(response, {"acknowledged": True}, f"PUT /{corpus.MAIN}/_mapping {show(added)}")
    want = {"properties": dict(corpus.MAIN_MAPPINGS["properties"], **added["properties"])}
    got = ctx.client.indices.get_mapping(index=corpus.MAIN)
    expect_equal(got, {corpus.MAIN: {"mappings": want}}, f"GET /{corpus.MAIN}/_mapping after the put")
    change = {"properties": {"qty": {"type": "keyword"}}}
    expect_raises(RequestError, lambda: ctx.client.indices.put_mapping(index=corpus.MAIN, body=change),
                  f"PUT /{corpus.MAIN}/_mapping {show(change)} (a type change)", status=400, error_type="illegal_argument_exception")


def check_dynamic_mapping(ctx):
    doc = {"s": "Hello World", "n": 5, "f": 1.5, "b": True, "o": {"inner": "x"}}
    ctx.client.index(index=corpus.DYNAMIC, id="1", body=doc, refresh=True)
    want = {corpus.DYNAMIC: {"mappings": {"properties": {
        "b": {"type": "boolean"},
        "f": {"type": "float"},
        "n": {"type": "long"},
        "o": {"properties": {"inner": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}}},
        "s": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}},
    }}}}
    expect_equal(ctx.client.indices.get_mapping(index=corpus.DYNAMIC), want,
                 f"GET /{corpus.DYNAMIC}/_mapping after indexing {show(doc)} into a new index")
    for query in ({"term": {"s.keyword": "Hello World"}}, {"match": {"s": "hello"}}, {"term": {"o.inner.keyword": "x"}}):
        hits = ctx.client.search(index=corpus.DYNAMIC, body={"query": query})["hits"]["hits"]
        expect_equal([h["_id"] for h in hits], ["1"], f"dynamic mapping: search {show(query)}")


def check_bulk_main(ctx):
    actions = [{"_index": corpus.MAIN, "_id": i, "_source": d} for i, d in ctx.main.docs.items()]
    success, errors = helpers.bulk(ctx.client, actions, refresh=True, chunk_size=700)
    expect_equal((success, errors), (corpus.MAIN_COUNT, []), f"helpers.bulk of {len(actions)} documents into {corpus.MAIN}")


def bulk_load(ctx, index, docs, mappings=None):
    """Creates `index` (1 shard, 0 replicas) and bulk-loads `docs` with refresh."""
    body = {"settings": corpus.MAIN_SETTINGS}
    if mappings:
        body["mappings"] = mappings
    ctx.client.indices.create(index=index, body=body)
    actions = ({"_index": index, "_id": i, "_source": d} for i, d in docs.items())
    success, errors = helpers.bulk(ctx.client, actions, refresh=True)
    expect_equal((success, errors), (len(docs), []), f"helpers.bulk of {len(docs)} documents into {index}")


def check_count(ctx):
    expect_equal(ctx.client.count(index=corpus.MAIN)["count"], corpus.MAIN_COUNT, f"GET /{corpus.MAIN}/_count")
    query = {"term": {"category": "books"}}
    want = len(ctx.main.ids_where(lambda d: d["category"] == "books"))
    got = ctx.client.count(index=corpus.MAIN, body={"query": query})
    expect_equal(got.get("count"), want, f"POST /{corpus.MAIN}/_count {show(query)}")
    expect_true("_shards" in got, "_count response has _shards", got)
    expect_equal(ctx.client.count(index="conf-m*")["count"], corpus.MAIN_COUNT, "GET /conf-m*/_count (a wildcard)")
    both = ctx.client.count(index=f"{corpus.MAIN},{corpus.BIG}")["count"]
    expect_equal(both, corpus.MAIN_COUNT + corpus.BIG_COUNT, f"GET /{corpus.MAIN},{corpus.BIG}/_count (a list)")
    query_string = ctx.client.count(index=corpus.MAIN, q="category:books")["count"]
    expect_equal(query_string, want, f"GET /{corpus.MAIN}/_count?q=category:books")


def check_cat_indices_text(ctx):
    text = ctx.client.cat.indices(index=corpus.MAIN)
    expect_true(isinstance(text, str), "GET /_cat/indices/conf-main answers text", text)
    lines = [line.split() for line in text.strip().splitlines()]
    expect_equal(len(lines), 1, f"GET /_cat/indices/{corpus.MAIN}: one line", )
    row = lines[0]
    # health status index uuid pri rep docs.count docs.deleted store.size pri.store.size
    expect_equal(len(row), 10, f"GET /_cat/indices/{corpus.MAIN}: 10 columns in {text!r}")
    expect_equal((row[0], row[1], row[2], row[4], row[5], row[6]), ("green", "open", corpus.MAIN, "1", "0", str(corpus.MAIN_COUNT)),
                 f"GET /_cat/indices/{corpus.MAIN}: health status index pri rep docs.count in {text!r}")
    verbose = ctx.client.cat.indices(index=corpus.MAIN, v=True).strip().splitlines()
    expect_equal(verbose[0].split(), ["health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted",
                                      "store.size", "pri.store.size"], "GET /_cat/indices?v header")


def check_cat_indices_json(ctx):
    rows = ctx.client.cat.indices(format="json")
    expect_true(isinstance(rows, list), "GET /_cat/indices?format=json answers a JSON array", rows)
    by_name = {row.get("index"): row for row in rows}
    for index, count in ((corpus.MAIN, corpus.MAIN_COUNT), (corpus.BIG, corpus.BIG_COUNT)):
        row = by_name.get(index)
        if row is None:
            fail(f"GET /_cat/indices?format=json: no row for {index} in {show(rows)}")
        non_strings = {k: v for k, v in row.items() if not isinstance(v, str)}
        expect_equal(non_strings, {}, f"GET /_cat/indices?format=json: every value is a string in {show(row)}")
        for key, want in (("health", "green"), ("status", "open"), ("pri", "1"), ("rep", "0"), ("docs.count", str(count))):
            expect_equal(row.get(key), want, f"GET /_cat/indices?format=json {index} {key}")
        for key in ("uuid", "docs.deleted", "store.size", "pri.store.size"):
            expect_true(key in row, f"GET /_cat/indices?format=json {index} has {key}", row)


def check_cluster_health(ctx):
    # opensearch-py takes a bare `timeout` as its own request timeout (and urllib3 refuses "10s"); with
    # request_timeout given, `timeout` goes to the server as the query parameter it is.
    health = ctx.client.cluster.health(wait_for_status="yellow", timeout="10s", request_timeout=30)
    expect_true(health.get("status") in ("green", "yellow"), "GET /_cluster/health?wait_for_status=yellow status", health)
    expect_equal(health.get("timed_out"), False, "GET /_cluster/health timed_out")
    expect_equal(health.get("number_of_nodes"), 1, "GET /_cluster/health number_of_nodes")
    expect_true(isinstance(health.get("cluster_name"), str), "GET /_cluster/health cluster_name", health)
    for key in ("active_primary_shards", "active_shards", "unassigned_shards", "number_of_data_nodes"):
        expect_true(isinstance(health.get(key), int), f"GET /_cluster/health {key} is an integer", health)
    one = ctx.client.cluster.health(index=corpus.MAIN, wait_for_status="green", timeout="10s", request_timeout=30)
    expect_equal((one.get("status"), one.get("timed_out")), ("green", False),
                 f"GET /_cluster/health/{corpus.MAIN}?wait_for_status=green (0 replicas) status, timed_out")
