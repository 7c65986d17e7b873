"""Parses /metrics with prometheus_client's parser (pinned in Tests/SearchConformance/requirements.txt) and
checks the families the console issue names: python metrics.py METRICS_URL. Prints one line per family
found and exits non-zero naming what is missing or malformed."""
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode("utf-8")
families = {family.name: family for family in text_string_to_metric_families(text)}
problems = []

# name (as the parser reports it: counters without _total) -> (type, labels every sample must carry)
required = {
    "moodle_pipeline_build_info": ("gauge", {"version"}),
    "moodle_pipeline_cdc_slot_lag_bytes": ("gauge", {"source"}),
    "moodle_pipeline_cdc_table_events": ("counter", {"source", "table", "op"}),
    "moodle_pipeline_cdc_snapshot_rows": ("gauge", {"source"}),
    "moodle_pipeline_log_append_duration_seconds": ("histogram", set()),
    "moodle_pipeline_log_fsync_duration_seconds": ("histogram", set()),
    "moodle_pipeline_sink_batch_duration_seconds": ("histogram", set()),
    "moodle_pipeline_search_index_documents": ("counter", {"index"}),
    "moodle_pipeline_http_request_duration_seconds": ("histogram", {"listener", "route", "status"}),
}
for name, (kind, labels) in required.items():
    family = families.get(name)
    if family is None:
        problems.append(f"missing {name}")
        continue
    if family.type != kind:
        problems.append(f"{name} is a {family.type}, expected {kind}")
    for sample in family.samples:
        if not labels <= set(sample.labels):
            problems.append(f"{sample.name} lacks labels {sorted(labels - set(sample.labels))}")
            break

for name, family in families.items():
    if not name.startswith("moodle_pipeline_"):
        problems.append(f"{name} lacks the moodle_pipeline_ prefix")
    if family.type == "counter" and not all(s.name.endswith(("_total", "_created")) for s in family.samples):
        problems.append(f"counter {name} has samples not ending in _total")
    for sample in family.samples:
        for label, value in sample.labels.items():
            if label == "route" and any(ch.isdigit() for ch in value.replace("v1", "")):
                problems.append(f"{sample.name} has a route label with an id in it: {value}")

# The build-info sample is 1; the HTTP histogram saw the console's routes.
if "moodle_pipeline_build_info" in families and [s.value for s in families["moodle_pipeline_build_info"].samples] != [1.0]:
    problems.append("build_info is not exactly one sample of value 1")
routes = {s.labels.get("route") for s in families.get("moodle_pipeline_http_request_duration_seconds", []).samples} if "moodle_pipeline_http_request_duration_seconds" in families else set()
if not any(route and route.startswith("/api/v1/") for route in routes):
    problems.append(f"no /api/v1 route in the HTTP histogram: {sorted(r for r in routes if r)}")

for name in sorted(families):
    print(f"{name} {families[name].type} {len(families[name].samples)} samples")
if problems:
    print("PROBLEMS:\n" + "\n".join(problems))
    sys.exit(1)
print("OK")
