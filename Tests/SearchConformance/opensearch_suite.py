"""Conformance suite: unmodified opensearch-py (pinned in requirements.txt) against an OpenSearch-compatible
server. Every expected number is computed here from the documents the suite indexes.

Usage:
    python opensearch_suite.py BASE_URL                      the full suite (a fresh server: it creates conf-* indices)
    python opensearch_suite.py BASE_URL --api-key KEY [--basic USER:PASSWORD]
                                                             the authentication checks against a server that requires
                                                             `Authorization: ApiKey KEY` (and/or basic auth)
    python opensearch_suite.py BASE_URL --only NAME[,NAME]   only the checks whose names contain one of NAMEs
                                                             (the setup checks always run)

Prints `OK name` / `FAIL name: reason` per check and a summary; exits 0 only when every check passed.
Run with the environment Tests/SearchConformance/setup-venv.sh builds (.build/conformance-venv/bin/python).
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the tracked suites

import argparse  # noqa: E402
import time  # noqa: E402

from opensearchpy import OpenSearch, helpers  # noqa: E402
from opensearchpy.exceptions import AuthenticationException  # noqa: E402

import corpus  # noqa: E402
import os_aggregation_checks as aggs  # noqa: E402
import os_document_checks as documents  # noqa: E402
import os_index_checks as indices  # noqa: E402
import os_paging_checks as paging  # noqa: E402
import os_query_checks as queries  # noqa: E402
import os_search_checks as search  # noqa: E402
from harness import Runner, expect_equal, expect_raises, main_guard  # noqa: E402


class Context:
    def __init__(self, client):
        self.client = client
        self.now_ms = int(time.time() * 1000)
        self.main = corpus.MainCorpus(self.now_ms)

    @staticmethod
    def now():
        return int(time.time() * 1000)


def make_client(base_url, **options):
    return OpenSearch(hosts=[base_url], timeout=120, max_retries=0, retry_on_timeout=False, **options)


SETUP = [
    ("info", indices.check_info),
    ("clean up earlier runs", indices.clean_up),
    ("indices.create with settings and mappings", indices.check_create_main),
    ("indices.exists", indices.check_exists),
    ("indices.get_settings", indices.check_get_settings),
    ("indices.get_mapping round trip", indices.check_mapping_round_trip),
    ("helpers.bulk 3,000 documents with refresh", indices.check_bulk_main),
    ("helpers.bulk 10,500 documents (conf-big)", lambda ctx: indices.bulk_load(ctx, corpus.BIG, corpus.big_docs(), {"properties": {"n": {"type": "integer"}}})),
    ("helpers.bulk 2,500 documents (conf-scan)", lambda ctx: indices.bulk_load(ctx, corpus.SCAN, corpus.scan_docs(), {"properties": {
        "n": {"type": "integer"}, "bucket": {"type": "integer"}, "word": {"type": "keyword"}}})),
    ("helpers.bulk the BM25 example (conf-bm25)", lambda ctx: indices.bulk_load(ctx, corpus.BM25, corpus.BM25_DOCS, {"properties": {"body": {"type": "text"}}})),
]

CHECKS = [
    ("indices.put_mapping", indices.check_put_mapping),
    ("dynamic mapping", indices.check_dynamic_mapping),
    ("count", indices.check_count),
    ("query match_all", queries.check_match_all),
    ("query match", queries.check_match),
    ("query match operator and minimum_should_match", queries.check_match_operator_and_msm),
    ("query match fuzziness AUTO", queries.check_match_fuzziness),
    ("query match with the simple and whitespace analyzers", queries.check_match_analyzers),
    ("query match_phrase", queries.check_match_phrase),
    ("query match_phrase_prefix", queries.check_match_phrase_prefix),
    ("query multi_match", queries.check_multi_match),
    ("query query_string", queries.check_query_string),
    ("query simple_query_string", queries.check_simple_query_string),
    ("query term", queries.check_term),
    ("query terms", queries.check_terms),
    ("query range on numbers and keywords", queries.check_range_numbers),
    ("query range with date math", queries.check_range_date_math),
    ("query range with date formats", queries.check_range_date_formats),
    ("query exists", queries.check_exists),
    ("query prefix", queries.check_prefix),
    ("query wildcard", queries.check_wildcard),
    ("query regexp", queries.check_regexp),
    ("query ids", queries.check_ids),
    ("query bool", queries.check_bool),
    ("query constant_score", queries.check_constant_score),
    ("search ?q= (URL query)", queries.check_url_query),
    ("search over index lists and wildcards", queries.check_index_patterns),
    ("BM25 exact scores (3-document example)", search.check_bm25_example),
    ("BM25 scores over conf-main", search.check_bm25_main),
    ("sort object form and missing values", search.check_sort_object_form),
    ("sort string and array forms, sort parameter", search.check_sort_string_and_array_forms),
    ("sort _score", search.check_sort_score),
    ("from/size", search.check_from_size),
    ("_source filtering", search.check_source_filtering),
    ("highlighting", search.check_highlight),
    ("track_total_hits", search.check_track_total_hits),
    ("aggregation terms", aggs.check_terms),
    ("aggregation terms on a boolean", aggs.check_terms_boolean),
    ("aggregation date_histogram calendar_interval week, Europe/London, extended_bounds", aggs.check_date_histogram_calendar),
    ("aggregation date_histogram fixed_interval", aggs.check_date_histogram_fixed),
    ("aggregation date_histogram interval (deprecated form)", aggs.check_date_histogram_interval),
    ("aggregation histogram", aggs.check_histogram),
    ("aggregation range", aggs.check_range),
    ("aggregation date_range", aggs.check_date_range),
    ("aggregation cardinality exact", aggs.check_cardinality),
    ("aggregation cardinality HyperLogLog++", aggs.check_cardinality_hll),
    ("aggregation sum avg min max value_count", aggs.check_metrics),
    ("aggregation min/max of dates, metrics over no documents", aggs.check_metrics_dates_and_empty),
    ("aggregation stats", aggs.check_stats),
    ("aggregation top_hits", aggs.check_top_hits),
    ("aggregation filter", aggs.check_filter),
    ("aggregation filters", aggs.check_filters),
    ("aggregation terms under date_histogram", aggs.check_sub_aggregations),
    ("helpers.scan over 2,500 documents", paging.check_scan),
    ("scroll and clear_scroll", paging.check_scroll_and_clear),
    ("search_after", paging.check_search_after),
    ("point in time", paging.check_point_in_time),
    ("msearch", paging.check_msearch),
    ("index / get / exists", documents.check_index_get_exists),
    ("update (doc, doc_as_upsert)", documents.check_update),
    ("create conflict and delete", documents.check_create_and_delete),
    ("bulk items and helpers.bulk errors", documents.check_bulk_items),
    ("error classes", documents.check_error_classes),
    ("cat.indices text", indices.check_cat_indices_text),
    ("cat.indices format=json", indices.check_cat_indices_json),
    ("cluster.health", indices.check_cluster_health),
]


def run_suite(base_url, only):
    runner = Runner("opensearch-py conformance")
    ctx = Context(make_client(base_url))
    for name, check in SETUP:
        if not runner.check(name, check, ctx) and name != "info":
            print("setup failed: the remaining checks need it", flush=True)
            return runner.finish()
    for name, check in CHECKS:
        if only and not any(part in name for part in only):
            continue
        runner.check(name, check, ctx)
    return runner.finish()


def run_authentication(base_url, api_key, basic):
    runner = Runner("opensearch-py authentication")
    anonymous = make_client(base_url)

    def refused(client, what):
        expect_raises(AuthenticationException, client.info, f"GET / {what}", status=401)
        expect_equal(client.ping(), False, f"HEAD / {what} (client.ping())")

    runner.check("no credentials: AuthenticationException", refused, anonymous, "without credentials")
    clients = []
    if api_key:
        runner.check("a wrong API key: AuthenticationException", refused,
                     make_client(base_url, headers={"Authorization": f"ApiKey {api_key}x"}), "with a wrong API key")
        clients.append(("API key", make_client(base_url, headers={"Authorization": f"ApiKey {api_key}"})))
    if basic:
        user, _, password = basic.partition(":")
        runner.check("a wrong password: AuthenticationException", refused,
                     make_client(base_url, http_auth=(user, password + "x")), "with a wrong password")
        clients.append(("basic auth", make_client(base_url, http_auth=(user, password))))
    for label, client in clients:
        runner.check(f"{label}: info, create, bulk, search, delete", authenticated_round_trip, client)
    return runner.finish()


def authenticated_round_trip(client):
    expect_equal(client.info()["version"]["distribution"], "opensearch", "GET / with credentials")
    client.indices.delete(index="conf-auth", ignore=[404])
    client.indices.create(index="conf-auth")
    expect_equal(helpers.bulk(client, ({"_index": "conf-auth", "_id": str(n), "_source": {"n": n}} for n in range(100)), refresh=True),
                 (100, []), "helpers.bulk with credentials")
    expect_equal(client.count(index="conf-auth")["count"], 100, "count with credentials")
    hits = client.search(index="conf-auth", body={"query": {"range": {"n": {"gte": 90}}}, "size": 20})["hits"]["hits"]
    expect_equal(sorted(int(h["_id"]) for h in hits), list(range(90, 100)), "search with credentials")
    expect_equal(client.indices.delete(index="conf-auth"), {"acknowledged": True}, "DELETE /conf-auth with credentials")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("--api-key")
    parser.add_argument("--basic", help="USER:PASSWORD")
    parser.add_argument("--only", help="comma-separated parts of check names")
    arguments = parser.parse_args()
    print(f"opensearch-py {'.'.join(map(str, __import__('opensearchpy').VERSION))}, python {sys.version.split()[0]}, "
          f"server {arguments.base_url}", flush=True)
    if arguments.api_key or arguments.basic:
        return run_authentication(arguments.base_url, arguments.api_key, arguments.basic)
    return run_suite(arguments.base_url, arguments.only.split(",") if arguments.only else None)


if __name__ == "__main__":
    main_guard(main)
