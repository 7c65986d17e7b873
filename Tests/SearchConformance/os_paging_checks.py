"""opensearch-py checks of reading many documents: helpers.scan (scroll), scroll and clear_scroll,
search_after, point-in-time, _msearch."""

from collections import Counter

from opensearchpy import helpers
from opensearchpy.exceptions import NotFoundError

import corpus
from harness import expect_equal, expect_raises, expect_true, fail, hit_ids, show


def expect_each_once(ids, want, what):
    counts = Counter(ids)
    repeated = sorted(i for i, n in counts.items() if n > 1)
    missing = sorted(set(want) - set(counts))
    unexpected = sorted(set(counts) - set(want))
    if repeated or missing or unexpected:
        fail(f"{what}: {len(ids)} hits for {len(want)} documents; repeated {repeated[:10]}, missing {len(missing)} {missing[:10]}, "
             f"unexpected {unexpected[:10]}")


def check_scan(ctx):
    docs = corpus.scan_docs()
    ids = [h["_id"] for h in helpers.scan(ctx.client, index=corpus.SCAN, query={"query": {"match_all": {}}}, size=333)]
    expect_each_once(ids, docs, f"helpers.scan(index={corpus.SCAN!r}, size=333) over {len(docs)} documents")
    hits = list(helpers.scan(ctx.client, index=corpus.SCAN, query={"query": {"range": {"n": {"lt": 1500}}}, "sort": [{"n": "desc"}]},
                             preserve_order=True, size=400))
    want = [f"s{n:04d}" for n in range(1499, -1, -1)]
    expect_equal([h["_id"] for h in hits], want, "helpers.scan with a query and preserve_order (sort n desc)")
    expect_equal(hits[0].get("_source"), docs["s1499"], "helpers.scan: _source of the first hit")


def check_scroll_and_clear(ctx):
    first = ctx.client.search(index=corpus.SCAN, body={"size": 1000, "sort": ["n"]}, scroll="1m")
    scroll_id = first.get("_scroll_id")
    expect_true(isinstance(scroll_id, str), "search?scroll=1m returns a _scroll_id", first.keys())
    pages = [hit_ids(first)]
    while True:
        page = ctx.client.scroll(body={"scroll_id": scroll_id, "scroll": "1m"})
        expect_equal(page["hits"]["total"], {"value": corpus.SCAN_COUNT, "relation": "eq"}, "scroll page hits.total")
        scroll_id = page.get("_scroll_id", scroll_id)
        if not page["hits"]["hits"]:
            break
        pages.append(hit_ids(page))
        if len(pages) > 10:
            fail("scroll never ends")
    expect_equal([len(p) for p in pages], [1000, 1000, 500], "scroll page sizes")
    expect_equal(sum(pages, []), [f"s{n:04d}" for n in range(corpus.SCAN_COUNT)], "scroll pages in sort order")
    cleared = ctx.client.clear_scroll(body={"scroll_id": scroll_id})
    expect_equal(cleared, {"succeeded": True, "num_freed": 1}, "DELETE /_search/scroll {\"scroll_id\": \"...\"} (a string)")
    expect_raises(NotFoundError, lambda: ctx.client.scroll(body={"scroll_id": scroll_id, "scroll": "1m"}),
                  "scroll with a cleared id", status=404)
    ids = [ctx.client.search(index=corpus.SCAN, body={"size": 10}, scroll="1m")["_scroll_id"] for _ in range(2)]
    cleared = ctx.client.clear_scroll(body={"scroll_id": ids})
    expect_equal(cleared, {"succeeded": True, "num_freed": 2}, "DELETE /_search/scroll {\"scroll_id\": [two ids]} (an array)")


def check_search_after(ctx):
    docs = corpus.scan_docs()
    body = {"size": 300, "sort": [{"bucket": "asc"}, {"n": "asc"}], "query": {"match_all": {}}}
    ids, after, pages = [], None, 0
    while True:
        if after is not None:
            body["search_after"] = after
        hits = ctx.client.search(index=corpus.SCAN, body=body)["hits"]["hits"]
        if not hits:
            break
        ids += [h["_id"] for h in hits]
        after = hits[-1].get("sort")
        expect_equal(after, [docs[hits[-1]["_id"]]["bucket"], docs[hits[-1]["_id"]]["n"]], f"search_after page {pages}: sort values of the last hit")
        pages += 1
        if pages > 20:
            fail("search_after paging never ends")
    expect_each_once(ids, docs, f"search_after paging with {show({k: body[k] for k in ('size', 'sort')})}")
    want = [i for i, _ in sorted(docs.items(), key=lambda kv: (kv[1]["bucket"], kv[1]["n"]))]
    expect_equal(ids == want, True, "search_after pages in sort order")


def check_point_in_time(ctx):
    pit = ctx.client.create_pit(index=corpus.SCAN, keep_alive="1m")
    pit_id = pit.get("pit_id")
    expect_true(isinstance(pit_id, str) and pit_id, f"POST /{corpus.SCAN}/_search/point_in_time?keep_alive=1m returns a pit_id", pit)
    expect_true(isinstance(pit.get("creation_time"), int) and "_shards" in pit, "create_pit has creation_time and _shards", pit)
    listed = ctx.client.get_all_pits().get("pits", [])
    expect_true(any(p.get("pit_id") == pit_id for p in listed), "GET /_search/point_in_time/_all lists the new pit", listed)
    ctx.client.index(index=corpus.SCAN, id="s-late", body={"n": 99_999, "bucket": 0, "word": "late"}, refresh=True)
    try:
        ids, after = [], None
        while True:
            body = {"pit": {"id": pit_id, "keep_alive": "1m"}, "size": 1000, "sort": [{"n": "asc"}]}
            if after:
                body["search_after"] = after
            response = ctx.client.search(body=body)
            expect_true("pit_id" in response, "a search with a pit returns pit_id", list(response))
            hits = response["hits"]["hits"]
            if not hits:
                break
            ids += [h["_id"] for h in hits]
            after = hits[-1]["sort"]
        expect_each_once(ids, corpus.scan_docs(), "pages of a point in time taken before s-late was indexed")
        now = ctx.client.count(index=corpus.SCAN)["count"]
        expect_equal(now, corpus.SCAN_COUNT + 1, f"GET /{corpus.SCAN}/_count outside the pit")
    finally:
        ctx.client.delete(index=corpus.SCAN, id="s-late", refresh=True)
    deleted = ctx.client.delete_pit(body={"pit_id": [pit_id]})
    expect_equal(deleted, {"pits": [{"pit_id": pit_id, "successful": True}]}, "DELETE /_search/point_in_time")
    body = {"pit": {"id": pit_id}, "size": 1}
    expect_raises(NotFoundError, lambda: ctx.client.search(body=body), "a search with a deleted pit", status=404)


def check_msearch(ctx):
    books = sum(1 for d in ctx.main.docs.values() if d["category"] == "books")
    body = [
        {"index": corpus.MAIN}, {"query": {"term": {"category": "books"}}, "size": 0, "track_total_hits": True},
        {"index": corpus.SCAN}, {"query": {"range": {"n": {"lt": 100}}}, "size": 2, "sort": ["n"]},
        {"index": "conf-missing"}, {"query": {"match_all": {}}},
        {}, {"query": {"ids": {"values": ["m0001"]}}},
    ]
    response = ctx.client.msearch(body=body, index=corpus.MAIN)
    items = response.get("responses", [])
    expect_equal(len(items), 4, f"POST /{corpus.MAIN}/_msearch with 4 searches: number of responses")
    expect_equal((items[0].get("status"), items[0]["hits"]["total"]), (200, {"value": books, "relation": "eq"}), "_msearch response 0")
    expect_equal((items[1]["hits"]["total"], hit_ids(items[1])), ({"value": 100, "relation": "eq"}, ["s0000", "s0001"]), "_msearch response 1")
    error = items[2]
    expect_equal((error.get("status"), error.get("error", {}).get("type")), (404, "index_not_found_exception"),
                 f"_msearch response 2 (a missing index) {show(error)}")
    expect_equal(hit_ids(items[3]), ["m0001"], "_msearch response 3 (empty header: the index in the URL)")
