"""Geocoding speed and accuracy, and the 100,000-point map.

Prints, in one run:
- names/s of the offline geocoder over 10,000 place names (a mix of the labelled file's names and
  towns drawn by population, half of them with context points), next to a baseline measured in
  the same run: a plain dict from the folded name to its most populous place (no context, no
  qualifiers, no confidence). Target: >= 5,000 names/s.
- accuracy within 161 km on ``tests/data/geo/labelled_places.jsonl``: each text is imported into a
  case with its labelled names as the place entities enrichment would give (so geocoding, not
  name finding, is measured), located by ``workbench.geo.locate`` with the text's countries as
  the case's, and each name's place compared with the truth (500 km for countries, whose point
  is their capital here). The naive baseline's accuracy is printed beside it.
- the map benchmark (``benchmarks/geo_map.py``): build and save a map of 100,000 points.

    python benchmarks/geo.py [--names 10000] [--skip-map]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from workbench.case import Case
from workbench.geo import gazetteer_tables
from workbench.geo.gazetteer import OfflineGeocoder, fold, haversine_km

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "geo" / "labelled_places.jsonl"


def load_labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def naive_table() -> dict[str, tuple[float, float]]:
    """The baseline: folded name -> the most populous place of that name."""
    data = gazetteer_tables.tables(gazetteer_tables.MIN_POPULATION)
    table = {}
    for key, entries in data.index.items():
        place = max((data.places[n >> 1] for n in entries), key=lambda p: p.population)
        table[key] = (place.lat, place.lon)
    return table


def name_sample(n: int, examples: list[dict], seed: int = 3) -> list[tuple[str, list]]:
    rng = random.Random(seed)
    data = gazetteer_tables.tables(gazetteer_tables.MIN_POPULATION)
    towns = [p for p in data.places if p.kind == "city"]
    weights = [p.population ** 0.5 for p in towns]
    labelled = [m["name"] for e in examples for m in e["mentions"]]
    names = []
    for i in range(n):
        name = rng.choice(labelled) if i % 4 == 0 else rng.choices(towns, weights)[0].name
        context = [(rng.uniform(-50, 60), rng.uniform(-120, 140))] if i % 2 else []
        names.append((name, context))
    return names


def speed(names: list[tuple[str, list]], table: dict) -> tuple[float, float]:
    geocoder = OfflineGeocoder()
    geocoder.geocode("Rotterdam")  # tables loaded before timing
    start = time.perf_counter()
    for name, context in names:
        geocoder.geocode(name, near=context)
    ours = len(names) / (time.perf_counter() - start)
    start = time.perf_counter()
    for name, _ in names:
        table.get(fold(name))
    baseline = len(names) / (time.perf_counter() - start)
    return ours, baseline


def accuracy(examples: list[dict], table: dict, folder: Path) -> dict[str, tuple[int, int]]:
    """(right, total) per approach, through locate() for ours."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for example in examples:
        groups[tuple(sorted(example.get("context_countries") or ()))].append(example)
    right = {"ours": 0, "baseline": 0}
    total = 0
    for number, (countries, group) in enumerate(groups.items()):
        case = Case.create(folder / f"acc{number}", title="geo benchmark", legal_basis="benchmark",
                           retention_until="2099-01-01", countries=list(countries))
        data = folder / f"acc{number}.jsonl"
        data.write_text("".join(json.dumps({"id": str(e["id"]), "created_at": "2024-03-08T10:00:00Z",
                                            "author": "a", "text": e["text"]}) + "\n"
                                for e in group), encoding="utf-8")
        case.import_file(data, progress=False)
        case.db["entities"].insert_all(
            {"uid": f"generic:{e['id']}", "label": "PLACE", "text": m["name"], "norm": m["name"],
             "start": m["start"], "end": m["end"], "method": "gazetteer", "key": fold(m["name"])}
            for e in group for m in e["mentions"])
        case.locate(progress=False)
        found = {(row["uid"], row["start"]): (row["lat"], row["lon"])
                 for _, row in case.places(method="text_place").iterrows()}
        for e in group:
            for m in e["mentions"]:
                total += 1
                limit = 500 if m.get("kind") == "country" else 161
                point = found.get((f"generic:{e['id']}", m["start"]))
                if point and haversine_km(point[0], point[1], m["lat"], m["lon"]) <= limit:
                    right["ours"] += 1
                naive = table.get(fold(m["name"]))
                if naive and haversine_km(naive[0], naive[1], m["lat"], m["lon"]) <= limit:
                    right["baseline"] += 1
        case.close()
    return {k: (v, total) for k, v in right.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument("--skip-map", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}")
    start = time.perf_counter()
    gazetteer_tables.tables(gazetteer_tables.MIN_POPULATION)
    print(f"gazetteer tables loaded in {time.perf_counter() - start:.1f} s "
          f"(from the disk cache when built before)")
    examples = load_labelled()
    table = naive_table()
    ours, baseline = speed(name_sample(args.names, examples), table)
    print(f"geocode {args.names:,} names offline: {ours:,.0f} names/s (target >= 5,000: "
          f"{'MET' if ours >= 5000 else 'NOT MET'}); baseline dict lookup of the most populous "
          f"place: {baseline:,.0f} names/s")
    with tempfile.TemporaryDirectory() as tmp:
        scores = accuracy(examples, table, Path(tmp))
    ok, total = scores["ours"]
    base_ok, _ = scores["baseline"]
    print(f"accuracy within 161 km (countries 500 km) on {total} labelled mentions "
          f"({LABELLED.name}): {ok / total:.1%} ({ok}/{total}); baseline most-populous: "
          f"{base_ok / total:.1%} ({base_ok}/{total})")
    if not args.skip_map:
        script = Path(__file__).with_name("geo_map.py")
        if script.exists():
            subprocess.run([sys.executable, str(script)], check=False)


if __name__ == "__main__":
    main()
