"""The documents the suites index, generated from a fixed seed relative to the time the suite starts, and
the reference analysers that every expected answer is computed with.

The vocabularies are plain lower-case ASCII words (plus capitals, commas and a few letter-digit words),
so that the standard, simple and whitespace analysers are exactly these few lines of Python:
  standard   — split on anything but letters and digits, lower-cased ("Bravo," → "bravo"; "x1ray" stays)
  simple     — split on anything but letters, lower-cased ("x1ray" → "x", "ray")
  whitespace — split on whitespace, unchanged ("Alpha" ≠ "alpha")
"""

import datetime
import random
import re
from zoneinfo import ZoneInfo

SEED = 20240601
MAIN = "conf-main"
BIG = "conf-big"
SCAN = "conf-scan"
BM25 = "conf-bm25"
DYNAMIC = "conf-dynamic"
DOCS = "conf-docs"

MAIN_COUNT = 3_000
BIG_COUNT = 10_500
SCAN_COUNT = 2_500

TITLE_WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
               "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"]
SUMMARY_WORDS = ["quick", "brown", "fox", "jumps", "lazy", "dog", "x1ray", "b2b", "omega"]
NOTE_WORDS = ["Alpha", "alpha", "ALPHA", "beta-gamma", "Beta"]
TAGS = ["red", "green", "blue", "amber", "teal", "Violet"]
CATEGORIES = ["books", "music", "games", "tools", "garden", "sports", "toys", "food"]
CATEGORY_WEIGHTS = [30, 22, 17, 12, 8, 6, 3, 2]

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
HOUR_MS = 3_600_000
LONDON = ZoneInfo("Europe/London")
UTC = datetime.timezone.utc

MAIN_MAPPINGS = {
    "properties": {
        "title": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 256}}},
        "summary": {"type": "text", "analyzer": "simple"},
        "notes": {"type": "text", "analyzer": "whitespace"},
        "tags": {"type": "keyword"},
        "category": {"type": "keyword"},
        "code": {"type": "keyword"},
        "serial": {"type": "long"},
        "views": {"type": "long"},
        "qty": {"type": "integer"},
        "price": {"type": "double"},
        "ratio": {"type": "float"},
        "active": {"type": "boolean"},
        "created": {"type": "date", "format": "yyyy-MM-dd HH:mm:ss||epoch_millis"},
    }
}
MAIN_SETTINGS = {"index": {"number_of_shards": 1, "number_of_replicas": 0}}


def standard_tokens(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def simple_tokens(text):
    return re.findall(r"[a-z]+", text.lower())


def whitespace_tokens(text):
    return text.split()


def values(doc, field):
    """The field's values as a list ([] when missing), like doc values see them."""
    value = doc.get(field)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def week_start_utc(ms):
    """Monday 00:00 UTC of the week holding `ms` (date math `/w` without a time zone)."""
    day = ms // DAY_MS
    monday = day - (day + 3) % 7  # 1970-01-01 was a Thursday
    return monday * DAY_MS


def week_start_in(ms, zone):
    """Monday 00:00 in `zone` of the week holding `ms`, as epoch millis."""
    local = datetime.datetime.fromtimestamp(ms / 1000, tz=zone)
    monday = (local - datetime.timedelta(days=local.weekday())).date()
    start = datetime.datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    return int(start.timestamp() * 1000)


def format_date(ms, zone=UTC, pattern="%Y-%m-%d %H:%M:%S"):
    return datetime.datetime.fromtimestamp(ms / 1000, tz=zone).strftime(pattern)


class MainCorpus:
    """3,000 documents with every field type, some fields missing, dates over the 20 weeks before `now`."""

    def __init__(self, now_ms):
        self.now_ms = now_ms
        rng = random.Random(SEED)
        self.docs = {}
        for serial in range(MAIN_COUNT):
            self.docs[f"m{serial:04d}"] = self._document(rng, serial)
        # Millis of each document's `created` (None when missing), parsed back from what was sent.
        self.created = {i: self._created_ms(d) for i, d in self.docs.items()}

    def _document(self, rng, serial):
        words = [rng.choice(TITLE_WORDS) for _ in range(rng.randint(2, 8))]
        if rng.random() < 0.5:
            words[0] = words[0].capitalize()
        if len(words) > 3 and rng.random() < 0.3:
            words[1] += ","
        doc = {
            "title": " ".join(words),
            "category": rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0],
            "code": f"{rng.choice('ABCD')}{rng.choice('ABCD')}-{serial:04d}",
            "serial": serial,
            "views": rng.randint(0, 10**10),
        }
        if rng.random() < 0.8:
            doc["summary"] = " ".join(rng.choice(SUMMARY_WORDS) for _ in range(rng.randint(1, 5)))
        if rng.random() < 0.3:
            doc["notes"] = " ".join(rng.choice(NOTE_WORDS) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.95:
            doc["tags"] = rng.sample(TAGS, rng.randint(0, 3))
        if rng.random() < 0.9:
            doc["price"] = round(rng.uniform(1, 500), 2)
        if rng.random() < 0.95:
            doc["qty"] = rng.randint(0, 100)
        doc["ratio"] = rng.randint(0, 800) / 8  # exact in a float
        if rng.random() < 0.97:
            doc["active"] = rng.random() < 0.6
        if rng.random() < 0.93:
            doc["created"] = self._created_value(rng)
        return doc

    def _created_value(self, rng):
        """A time in the 20 weeks before now, at least 2 hours from any Monday 00:00 (UTC or London) and
        from now, so that date math evaluated a few seconds later on the server puts it on the same side."""
        while True:
            ms = self.now_ms - rng.randint(2 * HOUR_MS, 140 * DAY_MS)
            ms -= ms % 1000
            if all(abs(ms - b) > 2 * HOUR_MS for b in self._boundaries(ms)):
                break
        if rng.random() < 0.1:
            return ms + rng.randint(0, 999)  # epoch_millis, sent as a JSON number
        return format_date(ms)

    @staticmethod
    def _boundaries(ms):
        out = []
        for shift in (-WEEK_MS, 0, WEEK_MS):
            out.append(week_start_utc(ms + shift))
            out.append(week_start_in(ms + shift, LONDON))
        return out

    @staticmethod
    def _created_ms(doc):
        value = doc.get("created")
        if value is None:
            return None
        if isinstance(value, int):
            return value
        parsed = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return int(parsed.timestamp() * 1000)

    def ids_where(self, predicate):
        return {i for i, d in self.docs.items() if predicate(d)}

    def title_tokens(self, doc):
        return standard_tokens(doc["title"])


def scan_docs():
    return {f"s{n:04d}": {"n": n, "bucket": n % 7, "word": TITLE_WORDS[n % len(TITLE_WORDS)]} for n in range(SCAN_COUNT)}


def big_docs():
    return {f"b{n:05d}": {"n": n} for n in range(BIG_COUNT)}


# The BM25 example: "apple" twice in a 3-word field, once in a 45-word one (SmallFloat stores 45 as 44),
# absent from a 30-word one.
BM25_DOCS = {
    "short": {"body": "apple apple banana"},
    "long": {"body": "apple " + " ".join(["filler"] * 20 + ["other"] * 24)},
    "none": {"body": " ".join(["cherry"] * 10 + ["filler"] * 20)},
}
