"""Import speed: 100,000 items from a JSON Lines file, against a plain-SQLite baseline.

The baseline, measured in the same run on the same file: parse each line with ``orjson.loads`` (the
parser the import uses) and
``executemany`` the same columns into one plain SQLite table. The workbench's import does much more
(stores the payload, maps and types every field, deduplicates, indexes the text for search, hashes
every row into the audit ledger), and its target is at least 0.5 of the baseline's rate.

    python benchmarks/ingest.py [--items 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from workbench.case import Case
from workbench.mapping import ITEM_ROW

ITEM_TABLE_COLUMNS = tuple(c for c in ITEM_ROW if c != "place_bbox")  # the 36 of the baseline
WORDS = ("fire", "river", "plant", "smoke", "evacuation", "road", "police", "school", "bridge",
         "rumour", "video", "water", "night", "alert", "people", "centre", "station", "hospital",
         "wind", "north", "east", "west", "south", "update")


#: Posts in time order, one every 8.64 s over ten days, as a platform's export lists them.
START = datetime(2024, 3, 1, tzinfo=UTC)


def make_file(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            tags = rng.sample(WORDS, 2)
            author = rng.randrange(5000)
            row = {
                "id": str(10**15 + i),
                "created_at": (START + timedelta(seconds=8.64 * i)).isoformat().replace("+00:00", "Z"),
                "text": " ".join(rng.choices(WORDS, k=30)) + f" #{tags[0]} @user{rng.randrange(999)}",
                "author": f"user{author}",
                "author_name": f"User {author}",
                "lang": "en",
                "reply_to": str(10**15 + rng.randrange(i + 1)) if i % 5 == 0 else None,
                "hashtags": tags,
                "mentions": [f"user{rng.randrange(999)}"],
                "links": [f"https://news.example/{i}"] if i % 3 == 0 else [],
                "likes": rng.randrange(500), "reposts": rng.randrange(100),
                "replies": rng.randrange(50),
                "lat": 51.5 + rng.random() if i % 10 == 0 else None,
                "lon": -0.1 + rng.random() if i % 10 == 0 else None,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def baseline(path: Path, db_path: Path) -> float:
    """Parse every line and executemany the same columns into one plain table.

    The columns are those the workbench's items table gets: the record's own fields where it has
    them, the provenance columns from constants and the line number. No mapping, no indexes.
    """
    columns = ITEM_TABLE_COLUMNS
    fixed = {"platform": "generic", "kind": "post", "source": f"file:{path.name}",
             "collector": "import:jsonl", "collector_version": "x", "collected_at": "now",
             "run_id": 1, "raw_sha256": "0" * 64}
    renamed = {"author_handle": "author", "author_id": "author"}
    start = time.perf_counter()
    conn = sqlite3.connect(db_path)
    conn.execute(f"CREATE TABLE items ({', '.join(columns)})")
    rows = []
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            record = orjson.loads(line)
            values = {**fixed, "raw_locator": f"line {number}", "raw_span": f"L{number}",
                      "uid": "generic:" + record["id"]}
            rows.append(tuple(
                json.dumps(v) if isinstance(v, list) else v
                for v in (values.get(c, record.get(renamed.get(c, c))) for c in columns)
            ))
    conn.executemany(f"INSERT INTO items VALUES ({', '.join('?' * len(columns))})", rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def workbench_import(path: Path, case_dir: Path) -> tuple[float, int]:
    case = Case.create(case_dir, title="bench", legal_basis="benchmark",
                       retention_until="2099-01-01")
    start = time.perf_counter()
    result = case.import_file(path, progress=False)
    elapsed = time.perf_counter() - start
    case.close()
    return elapsed, result.imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each; the best of each is compared (the machine is shared)")
    args = parser.parse_args()
    base_runs, ours_runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "items.jsonl"
        make_file(data, args.items)
        size_mb = data.stat().st_size / 1e6
        for run in range(args.repeat):  # alternated, so both meet the same machine load
            base_runs.append(baseline(data, folder / f"baseline{run}.db"))
            ours_s, imported = workbench_import(data, folder / f"case{run}")
            assert imported == args.items, imported
            ours_runs.append(ours_s)
    base_s, ours_s = min(base_runs), min(ours_runs)
    base_rate, ours_rate = args.items / base_s, args.items / ours_s
    print(f"file: {args.items:,} items, {size_mb:.1f} MB of JSON Lines; best of {args.repeat} runs")
    print(f"baseline (orjson.loads + executemany into one plain table): {base_s:6.2f} s "
          f"{base_rate:10,.0f} items/s  (runs: {', '.join(f'{t:.2f}' for t in base_runs)} s)")
    print(f"workbench import (evidence, mapping, FTS, audit ledger):   {ours_s:6.2f} s "
          f"{ours_rate:10,.0f} items/s  (runs: {', '.join(f'{t:.2f}' for t in ours_runs)} s)")
    ratio = ours_rate / base_rate
    print(f"ratio: {ratio:.2f} of baseline (target >= 0.50): {'MET' if ratio >= 0.5 else 'NOT MET'}")


if __name__ == "__main__":
    main()
