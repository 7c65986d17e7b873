"""opensearch-py checks of the document APIs (index, get, exists, delete, update, create, _bulk items)
and of the error classes the client raises for OpenSearch's error responses."""

from opensearchpy import helpers
from opensearchpy.exceptions import ConflictError, NotFoundError, RequestError

import corpus
from harness import expect_equal, expect_raises, expect_true, show

DOCS_MAPPINGS = {"properties": {"n": {"type": "integer"}, "name": {"type": "keyword"}}}


def written(response, result, version, what):
    expect_equal((response.get("_index"), response.get("result"), response.get("_version")), (corpus.DOCS, result, version), what)
    expect_true(isinstance(response.get("_seq_no"), int) and isinstance(response.get("_primary_term"), int)
                and isinstance(response.get("_shards"), dict), f"{what}: _seq_no, _primary_term and _shards", response)


def check_index_get_exists(ctx):
    client = ctx.client
    client.indices.create(index=corpus.DOCS, body={"settings": corpus.MAIN_SETTINGS, "mappings": DOCS_MAPPINGS})
    written(client.index(index=corpus.DOCS, id="1", body={"n": 1, "name": "one"}, refresh=True), "created", 1, "PUT /conf-docs/_doc/1")
    written(client.index(index=corpus.DOCS, id="1", body={"n": 11, "name": "one"}, refresh=True), "updated", 2, "PUT /conf-docs/_doc/1 again")
    got = client.get(index=corpus.DOCS, id="1")
    expect_equal({k: got.get(k) for k in ("_index", "_id", "_version", "found", "_source")},
                 {"_index": corpus.DOCS, "_id": "1", "_version": 2, "found": True, "_source": {"n": 11, "name": "one"}}, "GET /conf-docs/_doc/1")
    expect_true(isinstance(got.get("_seq_no"), int) and isinstance(got.get("_primary_term"), int), "GET _doc has _seq_no and _primary_term", got)
    expect_equal(client.exists(index=corpus.DOCS, id="1"), True, "HEAD /conf-docs/_doc/1")
    expect_equal(client.exists(index=corpus.DOCS, id="nope"), False, "HEAD /conf-docs/_doc/nope")
    error = expect_raises(NotFoundError, lambda: client.get(index=corpus.DOCS, id="nope"), "GET /conf-docs/_doc/nope", status=404)
    expect_equal(error.info, {"_index": corpus.DOCS, "_id": "nope", "found": False}, "GET /conf-docs/_doc/nope body")
    source = client.get_source(index=corpus.DOCS, id="1")
    expect_equal(source, {"n": 11, "name": "one"}, "GET /conf-docs/_source/1")
    generated = client.index(index=corpus.DOCS, body={"n": 5}, refresh=True)
    written(generated, "created", 1, "POST /conf-docs/_doc (a generated id)")
    expect_true(isinstance(generated.get("_id"), str) and len(generated["_id"]) >= 20, "a generated _id (20 characters, like OpenSearch's)", generated)
    expect_equal(client.get(index=corpus.DOCS, id=generated["_id"])["_source"], {"n": 5}, "GET the generated id")
    stale = {"if_seq_no": got["_seq_no"] + 100, "if_primary_term": got["_primary_term"]}
    expect_raises(ConflictError, lambda: client.index(index=corpus.DOCS, id="1", body={"n": 0}, params=stale),
                  f"PUT /conf-docs/_doc/1?{stale} (a stale seq_no)", status=409, error_type="version_conflict_engine_exception")
    current = {"if_seq_no": got["_seq_no"], "if_primary_term": got["_primary_term"]}
    written(client.index(index=corpus.DOCS, id="1", body={"n": 12, "name": "one"}, params=current), "updated", 3, f"PUT /conf-docs/_doc/1?{current}")


def check_update(ctx):
    client = ctx.client
    written(client.update(index=corpus.DOCS, id="1", body={"doc": {"name": "uno"}}, refresh=True), "updated", 4, "POST /conf-docs/_update/1 {doc}")
    expect_equal(client.get(index=corpus.DOCS, id="1")["_source"], {"n": 12, "name": "uno"}, "the document after a partial update")
    noop = client.update(index=corpus.DOCS, id="1", body={"doc": {"name": "uno"}})
    expect_equal((noop.get("result"), noop.get("_version")), ("noop", 4), "POST /conf-docs/_update/1 with the same values")
    expect_raises(NotFoundError, lambda: client.update(index=corpus.DOCS, id="missing", body={"doc": {"n": 1}}),
                  "POST /conf-docs/_update/missing (no upsert)", status=404, error_type="document_missing_exception")
    upserted = client.update(index=corpus.DOCS, id="2", body={"doc": {"n": 2, "name": "two"}, "doc_as_upsert": True}, refresh=True)
    written(upserted, "created", 1, "POST /conf-docs/_update/2 {doc_as_upsert}")
    expect_equal(client.get(index=corpus.DOCS, id="2")["_source"], {"n": 2, "name": "two"}, "the upserted document")
    upserted = client.update(index=corpus.DOCS, id="2", body={"doc": {"n": 22}, "doc_as_upsert": True}, refresh=True)
    written(upserted, "updated", 2, "POST /conf-docs/_update/2 {doc_as_upsert} on an existing document")
    expect_equal(client.get(index=corpus.DOCS, id="2")["_source"], {"n": 22, "name": "two"}, "the document after the second upsert")


def check_create_and_delete(ctx):
    client = ctx.client
    error = expect_raises(ConflictError, lambda: client.create(index=corpus.DOCS, id="1", body={"n": 0}),
                          "PUT /conf-docs/_create/1 (exists)", status=409, error_type="version_conflict_engine_exception")
    expect_equal(error.error, "version_conflict_engine_exception", "ConflictError.error")
    expect_raises(ConflictError, lambda: client.index(index=corpus.DOCS, id="1", body={"n": 0}, op_type="create"),
                  "PUT /conf-docs/_doc/1?op_type=create (exists)", status=409)
    written(client.create(index=corpus.DOCS, id="3", body={"n": 3}, refresh=True), "created", 1, "PUT /conf-docs/_create/3")
    written(client.delete(index=corpus.DOCS, id="3", refresh=True), "deleted", 2, "DELETE /conf-docs/_doc/3")
    error = expect_raises(NotFoundError, lambda: client.delete(index=corpus.DOCS, id="3"), "DELETE /conf-docs/_doc/3 again", status=404)
    expect_equal((error.info or {}).get("result"), "not_found", "DELETE of a missing document: result")
    expect_equal(client.exists(index=corpus.DOCS, id="3"), False, "HEAD /conf-docs/_doc/3 after the delete")


def check_bulk_items(ctx):
    body = [
        {"index": {"_id": "b1"}}, {"n": 1},
        {"create": {"_id": "1"}}, {"n": 2},
        {"update": {"_id": "b1"}}, {"doc": {"name": "bee"}},
        {"delete": {"_id": "nope"}},
        {"index": {"_id": "b2"}}, {"n": "not a number"},
        {"create": {}}, {"n": 7},
        {"delete": {"_id": "b1", "_index": corpus.DOCS}},
    ]
    response = ctx.client.bulk(body=body, index=corpus.DOCS, refresh=True)
    expect_equal(response.get("errors"), True, "POST /conf-docs/_bulk with failing items: errors")
    items = response.get("items", [])
    got = [(next(iter(item)), item[next(iter(item))].get("status"), item[next(iter(item))].get("result"),
            (item[next(iter(item))].get("error") or {}).get("type")) for item in items]
    want = [("index", 201, "created", None), ("create", 409, None, "version_conflict_engine_exception"), ("update", 200, "updated", None),
            ("delete", 404, "not_found", None), ("index", 400, None, "mapper_parsing_exception"), ("create", 201, "created", None),
            ("delete", 200, "deleted", None)]
    expect_equal(got, want, "POST /conf-docs/_bulk items (operation, status, result, error.type) in request order")
    expect_true(all(item[next(iter(item))].get("_index") == corpus.DOCS for item in items), "every bulk item names its _index", items)
    actions = [{"_op_type": "index", "_index": corpus.DOCS, "_id": "h1", "_source": {"n": 1}},
               {"_op_type": "update", "_index": corpus.DOCS, "_id": "h1", "doc": {"n": 100}},
               {"_op_type": "create", "_index": corpus.DOCS, "_id": "h2", "_source": {"n": 2}},
               {"_op_type": "delete", "_index": corpus.DOCS, "_id": "h2"}]
    expect_equal(helpers.bulk(ctx.client, actions, refresh=True), (4, []), "helpers.bulk with index, update, create and delete")
    expect_equal(ctx.client.get(index=corpus.DOCS, id="h1")["_source"], {"n": 100}, "h1 after helpers.bulk")
    failing = [{"_op_type": "create", "_index": corpus.DOCS, "_id": "h1", "_source": {"n": 3}}]
    error = expect_raises(helpers.BulkIndexError, lambda: helpers.bulk(ctx.client, failing), "helpers.bulk with a create conflict")
    expect_equal(len(error.errors), 1, "BulkIndexError.errors")
    expect_equal(error.errors[0].get("create", {}).get("status"), 409, "BulkIndexError item status")


def check_error_classes(ctx):
    client = ctx.client
    error = expect_raises(NotFoundError, lambda: client.search(index="conf-missing", body={"query": {"match_all": {}}}),
                          "POST /conf-missing/_search", status=404, error_type="index_not_found_exception")
    info = error.info or {}
    expect_equal((info.get("status"), info.get("error", {}).get("index"), info.get("error", {}).get("root_cause", [{}])[0].get("type")),
                 (404, "conf-missing", "index_not_found_exception"), f"the error body {show(info)}: status, error.index, root_cause[0].type")
    expect_true(isinstance(info.get("error", {}).get("reason"), str), "error.reason is a string", info)
    expect_raises(NotFoundError, lambda: client.indices.get_mapping(index="conf-missing"), "GET /conf-missing/_mapping", status=404,
                  error_type="index_not_found_exception")
    expect_raises(NotFoundError, lambda: client.count(index="conf-missing"), "GET /conf-missing/_count", status=404)
    bad = {"query": {"no_such_query": {}}}
    expect_raises(RequestError, lambda: client.search(index=corpus.MAIN, body=bad), f"POST /{corpus.MAIN}/_search {show(bad)}", status=400,
                  error_type="parsing_exception")
    bad = {"query": {"match": {"title": {"query": "x", "bogus_option": 1}}}}
    expect_raises(RequestError, lambda: client.search(index=corpus.MAIN, body=bad), f"POST /{corpus.MAIN}/_search {show(bad)}", status=400,
                  error_type="parsing_exception")
    expect_raises(RequestError, lambda: client.indices.create(index=corpus.MAIN), f"PUT /{corpus.MAIN} (exists)", status=400,
                  error_type="resource_already_exists_exception")
    for name in ("Bad_Index", "_bad", "bad*name", "bad,name"):
        expect_raises(RequestError, lambda n=name: client.indices.create(index=n), f"PUT /{name}", status=400, error_type="invalid_index_name_exception")
    bad = {"sort": [{"title": "asc"}]}
    error = expect_raises(RequestError, lambda: client.search(index=corpus.MAIN, body=bad), f"POST /{corpus.MAIN}/_search {show(bad)} (a text field)",
                          status=400)
    root = (error.info or {}).get("error", {}).get("root_cause", [{}])[0].get("type")
    expect_equal(root, "illegal_argument_exception", f"{show(bad)}: root_cause[0].type")
