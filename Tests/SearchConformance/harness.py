"""The conformance suites' harness: named checks, failure messages that say what was sent, what was
expected and what came back, and a compact report (one line per check, then a summary).

A check is a function that raises `CheckFailed` (through the `expect_*` helpers) on the first wrong
answer; any other exception (a client error class, a connection error) fails the check too, with its
type, message and the server's response body when the client kept one.
"""

import json
import sys
import time
import traceback


class CheckFailed(Exception):
    """A wrong answer; the message says what was sent, expected and received."""


def fail(message):
    raise CheckFailed(message)


def show(value, limit=700):
    """Compact JSON (or the string itself), cut at `limit` characters."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def expect_equal(got, want, what):
    if got != want:
        fail(f"{what}: expected {show(want)}, got {show(got)}")


def expect_true(condition, what, got=None):
    if not condition:
        fail(what if got is None else f"{what}; got {show(got)}")


def expect_close(got, want, what, abs_tol=None, rel_tol=None):
    """`got` within `abs_tol` of `want`, or within `rel_tol` of it relatively."""
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        fail(f"{what}: expected a number close to {want!r}, got {show(got)}")
    limit = 0.0
    if abs_tol is not None:
        limit = max(limit, abs_tol)
    if rel_tol is not None:
        limit = max(limit, rel_tol * abs(want))
    if abs(got - want) > limit:
        fail(f"{what}: expected {want!r} (± {limit:.3g}), got {got!r} (off by {got - want:.6g})")


def json_difference(got, want, path="", rel_tol=1e-9):
    """The first place where `got` differs from `want` (None when they agree): the same keys, list
    lengths and values; a float in `want` allows a relative error of `rel_tol` (sums of doubles)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{path or '.'}: expected an object, got {show(got, 200)}"
        if set(got) != set(want):
            return f"{path or '.'}: keys {sorted(got)} but expected {sorted(want)}"
        for key in want:
            difference = json_difference(got[key], want[key], f"{path}.{key}", rel_tol)
            if difference:
                return difference
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return f"{path}: expected a list of {len(want)}, got {show(got, 300)}"
        for n, (g, w) in enumerate(zip(got, want)):
            difference = json_difference(g, w, f"{path}[{n}]", rel_tol)
            if difference:
                return difference
        return None
    if isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        if abs(got - want) <= rel_tol * max(abs(want), 1e-300) or got == want:
            return None
        return f"{path}: expected {want!r}, got {got!r}"
    if got != want or isinstance(got, bool) != isinstance(want, bool):
        return f"{path}: expected {show(want, 200)}, got {show(got, 200)}"
    return None


def expect_json(got, want, what, rel_tol=1e-9):
    difference = json_difference(got, want, "", rel_tol)
    if difference:
        fail(f"{what}: at {difference}\n    expected {show(want, 400)}\n    got      {show(got, 400)}")


def hit_ids(response):
    return [hit["_id"] for hit in response["hits"]["hits"]]


def expect_ids(response, want_ids, what, total=True):
    """The hits are exactly `want_ids` (as a set, each once); with `total`, hits.total is their count (eq)."""
    ids = hit_ids(response)
    want = set(want_ids)
    got = set(ids)
    problems = []
    if len(ids) != len(got):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        problems.append(f"ids returned more than once: {repeated[:10]}")
    missing = sorted(want - got)
    unexpected = sorted(got - want)
    if missing:
        problems.append(f"{len(missing)} expected ids missing, e.g. {missing[:10]}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected ids, e.g. {unexpected[:10]}")
    if total:
        got_total = response["hits"].get("total")
        if got_total != {"value": len(want), "relation": "eq"}:
            problems.append(f"hits.total expected {{'value': {len(want)}, 'relation': 'eq'}}, got {show(got_total)}")
    if problems:
        fail(f"{what}: {len(got)} hits for {len(want)} expected; " + "; ".join(problems))


def expect_raises(exception_class, call, what, status=None, error_type=None):
    """`call()` raises `exception_class` (with HTTP `status` and OpenSearch `error.type` when given)."""
    try:
        result = call()
    except exception_class as error:
        got_status = getattr(error, "status_code", None)
        if status is not None and got_status != status:
            fail(f"{what}: {exception_class.__name__} with status {got_status}, expected {status}; body {show(error_body(error))}")
        if error_type is not None:
            got_type = error_type_of(error)
            if got_type != error_type:
                fail(f"{what}: error type {got_type!r}, expected {error_type!r}; body {show(error_body(error))}")
        return error
    except Exception as error:  # noqa: BLE001 - any other class is the failure we report
        fail(f"{what}: expected {exception_class.__name__}, got {type(error).__name__}: {error}; body {show(error_body(error))}")
    fail(f"{what}: expected {exception_class.__name__}, but the call succeeded with {show(result)}")


def error_body(error):
    """The parsed response body a client error carries (opensearch-py `info`, elasticsearch-py `body`)."""
    body = getattr(error, "body", None)
    if body is None:
        body = getattr(error, "info", None)
    return body


def error_type_of(error):
    body = error_body(error)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("type")
    return getattr(error, "error", None)


def describe_exception(error):
    text = f"{type(error).__name__}: {error}"
    body = error_body(error)
    if isinstance(body, (dict, list)):
        text += f"; body {show(body)}"
    # Where in the suite it happened (the innermost frame in our own files).
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "SearchConformance" in f.filename]
    if frames:
        frame = frames[-1]
        text += f" (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"
    return text


class Runner:
    """Runs checks in order, printing `OK name` / `FAIL name: reason` as it goes."""

    def __init__(self, title):
        self.title = title
        self.failures = []
        self.passed = 0
        self.started = time.monotonic()

    def check(self, name, function, *arguments):
        started = time.monotonic()
        try:
            function(*arguments)
        except CheckFailed as failure:
            self._failed(name, str(failure), started)
            return False
        except Exception as error:  # noqa: BLE001 - a client exception is a failed check, not a crash
            self._failed(name, describe_exception(error), started)
            return False
        self.passed += 1
        print(f"OK   {name} ({time.monotonic() - started:.2f}s)", flush=True)
        return True

    def _failed(self, name, reason, started):
        self.failures.append((name, reason))
        print(f"FAIL {name} ({time.monotonic() - started:.2f}s): {reason}", flush=True)

    def finish(self):
        """Prints the summary; the process exit status (0 only when every check passed)."""
        elapsed = time.monotonic() - self.started
        # Not in the "N passed, N failed" form: this output is shown inside `swift test`'s.
        print(f"{self.title}: {self.passed} checks OK, {len(self.failures)} FAILED, in {elapsed:.1f}s", flush=True)
        for name, reason in self.failures:
            print(f"  FAILED {name}: {reason}", flush=True)
        return 0 if not self.failures else 1


def main_guard(function):
    """Runs the suite's main; an unexpected crash still exits non-zero with the traceback."""
    try:
        sys.exit(function())
    except SystemExit:
        raise
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        sys.exit(2)
