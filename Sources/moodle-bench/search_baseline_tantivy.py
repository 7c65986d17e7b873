"""The tantivy baseline of `moodle-bench search` (issue 6).

Run by the Swift harness with the Python of .build/bench-venv, where pip installed exactly the tantivy version
the harness pins (`SearchBenchmark.tantivyVersion`). Indexes the JSON-lines file the harness generated, with
ONE indexing thread (`index.writer(heap_size, num_threads=1)`), into a schema equivalent to the engine's
mapping: text fields with the default tokenizer (lower-cased words) and positions, keywords as raw-tokenized
fast text, numbers / dates / booleans indexed and fast, every field stored (tantivy keeps no `_source`: its
stored fields are the equivalent). Timed from the first `add_json` to `commit()` returning. tantivy merges
segments on threads of its own after commits; the process CPU time is reported so that this shows.

Then, for context only, the benchmark's queries (same values as the engine's run, from --queries) and a
weekly date histogram with a terms sub-aggregation.

Writes one JSON object to --result. Memory figures are VmHWM / VmRSS of this process (/proc/self/status),
which exec started afresh; `ru_maxrss` would carry the spawning process's peak (posix_spawn's vfork).
"""

import argparse
import datetime
import json
import math
import os
import resource
import sys
import time

import tantivy


def memory_kib():
    """(VmHWM, VmRSS) of this process in KiB."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                values[name] = int(rest.split()[0])
    return values.get("VmHWM", -1), values.get("VmRSS", -1)


def reset_peak():
    """Sets VmHWM back to the current RSS (Linux: "5" to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_schema():
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("email", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("name", stored=True, tokenizer_name="default", index_option="position")
    builder.add_text_field("city", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("bio", stored=True, tokenizer_name="default", index_option="position")
    builder.add_date_field("created", stored=True, indexed=True, fast=True)
    builder.add_integer_field("logins", stored=True, indexed=True, fast=True)
    builder.add_float_field("score", stored=True, indexed=True, fast=True)
    builder.add_boolean_field("active", stored=True, indexed=True, fast=True)
    return builder.build()


def index_documents(args, schema):
    with open(args.documents, "rb") as source:
        lines = source.read().decode("utf-8").splitlines()
    index = tantivy.Index(schema, path=args.index_dir)
    writer = index.writer(heap_size=args.heap_bytes, num_threads=1)
    rss_before = memory_kib()[1]
    reset_peak()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    for line in lines:
        writer.add_json(line)
    writer.commit()
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    peak, rss_after = memory_kib()
    merge_started = time.perf_counter()
    writer.wait_merging_threads()
    merge_seconds = time.perf_counter() - merge_started
    index.reload()
    result = {
        "documents": len(lines),
        "seconds": seconds,
        "docs_per_s": len(lines) / seconds if seconds > 0 else 0,
        "cpu_seconds": cpu,
        "rss_before_kib": rss_before,
        "peak_kib": peak,
        "rss_after_kib": rss_after,
        "merge_wait_seconds": merge_seconds,
        "heap_bytes": args.heap_bytes,
        "searchable_docs": index.searcher().num_docs,
        "segments": index.searcher().num_segments,
    }
    del lines
    return index, result


def percentiles(samples_ns):
    """Nearest-rank p50 / p99 / max in milliseconds, as the Swift side computes them."""
    ordered = sorted(samples_ns)
    if not ordered:
        return {"n": 0}

    def rank(fraction):
        position = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
        return ordered[position - 1] / 1e6

    return {"n": len(ordered), "p50_ms": rank(0.50), "p99_ms": rank(0.99), "max_ms": ordered[-1] / 1e6}


def timed(run, values, warmup):
    """Latency of `run` over values[warmup:] after values[:warmup]; `first_count` is what the first timed
    run returned (the hit count), to show the queries match what they should."""
    for value in values[:warmup]:
        run(value)
    samples = []
    first_count = None
    for value in values[warmup:]:
        started = time.perf_counter_ns()
        returned = run(value)
        samples.append(time.perf_counter_ns() - started)
        if first_count is None:
            first_count = returned
    result = percentiles(samples)
    result["first_count"] = first_count
    return result


def utc(millis):
    return datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.timezone.utc)


def run_queries(index, schema, specs):
    searcher = index.searcher()
    warmup = specs["warmup"]
    Query, Occur = tantivy.Query, tantivy.Occur

    def search(query):
        return searcher.search(query, limit=10, count=True).count

    def term_keyword(value):
        return search(Query.term_query(schema, "city", value))

    def term_numeric(value):
        return search(Query.term_query(schema, "logins", value))

    def match(word):
        return search(Query.term_query(schema, "bio", word, index_option="freq"))

    def boolean(spec):
        range_query = Query.range_query(schema, "created", tantivy.FieldType.Date, utc(spec["from"]), utc(spec["to"]))
        return search(Query.boolean_query([
            (Occur.Must, Query.term_query(schema, "bio", spec["word"], index_option="freq")),
            (Occur.Must, Query.const_score_query(range_query, 0.0)),
            (Occur.MustNot, Query.term_query(schema, "city", spec["city"])),
        ]))

    aggregation = {"weeks": {"date_histogram": {"field": "created", "fixed_interval": "7d"},
                             "aggs": {"cities": {"terms": {"field": "city", "size": 10}}}}}

    def histogram(_):
        return len(searcher.aggregate(Query.all_query(), aggregation)["weeks"]["buckets"])

    return {
        "term_keyword": timed(term_keyword, specs["cities"], warmup),
        "term_numeric": timed(term_numeric, specs["logins"], warmup),
        "match_common": timed(match, specs["common"], warmup),
        "match_rare": timed(match, specs["rare"], warmup),
        "bool": timed(boolean, specs["bool"], warmup),
        "date_histogram_terms": timed(histogram, list(range(specs["aggregation_runs"] + warmup)), warmup),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", required=True, help="JSON lines, one document per line")
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--heap-bytes", type=int, default=128_000_000)
    parser.add_argument("--queries", help="query values (JSON) written by the harness; no queries without it")
    parser.add_argument("--result", required=True)
    args = parser.parse_args()

    os.makedirs(args.index_dir, exist_ok=True)
    schema = build_schema()
    index, result = index_documents(args, schema)
    print(f"tantivy: {result['documents']} documents in {result['seconds']:.2f} s "
          f"= {result['docs_per_s']:.0f}/s (cpu {result['cpu_seconds']:.2f} s)", file=sys.stderr, flush=True)
    result["tantivy_version"] = tantivy.__version__ if hasattr(tantivy, "__version__") else "unknown"
    if args.queries:
        with open(args.queries) as specs:
            result["queries"] = run_queries(index, schema, json.load(specs))
    with open(args.result, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
