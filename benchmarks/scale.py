"""Reads at a million items: how fast a 1,000,000-item case gives its frames and its coordination
export, against the Coordination Network Toolkit (CNT) on the same rows, and how fast it was
imported, against a plain-SQLite baseline, all printed by one run.

The case is built once under ``benchmarks/out/`` and reused (``--rebuild`` builds it again):

- ``--corpus real`` (the default): the 801,250 real IRA tweets of ``../shared/data/ira-dev``
  imported as a user would, ``workbench import CASE tweets.csv --map text=content ...``, then
  topped up to 1,000,000 with the first rows again as a JSON Lines file with ids of their own
  (``workbench import CASE more.jsonl --map ...``). Its co-reposts are the ``RT @x:`` reposts read
  from the text at import; an import that reads none gives an empty co-repost network.
- ``--corpus generated``: the corpus of ``benchmarks/analysis_coordination.py`` (50,000 accounts,
  60% reposts, a planted group of 25 accounts reposting 300 posts within 40 s), written as JSON
  Lines and imported the same way.

What is measured, each the best of ``--repeat`` runs (the machine is shared: the spread is noise
from other work; the best is the closest to what the code costs):

- the narrow frame (the columns coordination and the timeline read), from ``Case.open``;
- the full item frame (``Case.items()``, every column), from ``Case.open``, in rows/s;
- ``workbench export CASE --what coordination --format csv`` end to end (a fresh process, as a
  user runs it), beside CNT's ``preprocess_data`` plus ``compute_co_retweet_parallel`` (2 processes)
  on the same rows, and whether the co-repost pairs (account pairs and weights, both directions)
  are identical;
- import: CSV and JSON Lines files of ``--import-rows`` rows of the same corpus into a fresh case,
  each beside a baseline measured in the same run (parse each record with the csv module or
  ``orjson.loads`` and ``executemany`` the item table's columns into one plain SQLite table).

    python benchmarks/scale.py [--corpus real|generated] [--items 1000000] [--repeat 3]
                               [--import-rows 200000] [--rebuild] [--no-cnt] [--no-import]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import io
import itertools
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
IRA = ROOT.parent / "shared" / "data" / "ira-dev" / "tweets.csv.gz"
WORKBENCH = str(Path(sys.executable).with_name("workbench"))
#: The mapping a user gives for the IRA table (README "Generic files").
IRA_MAP = ("text=content", "created_at=publish_date", "author_handle=author_id",
           "author_id=author_id", "platform==twitter")
GENERATED_MAP = ("platform==x",)
#: The item table's columns, filled by the baseline as the import fills them.


# -- the corpus -------------------------------------------------------------------------------------

def ira_rows() -> csv.DictReader:
    """The real IRA tweets as the csv module reads them (decompressed on the fly)."""
    return csv.DictReader(io.TextIOWrapper(gzip.open(IRA), encoding="utf-8", newline=""))


def write_ira_csv(path: Path) -> None:
    with gzip.open(IRA) as src, path.open("wb") as out:
        shutil.copyfileobj(src, out)


def write_ira_jsonl(path: Path, n: int) -> None:
    """The first ``n`` IRA rows as JSON objects, each with an id of its own (``ira-j<line>``)."""
    with path.open("wb") as out:
        for number, row in enumerate(itertools.islice(ira_rows(), n), start=1):
            out.write(orjson.dumps({"id": f"ira-j{number}", **row}, option=orjson.OPT_APPEND_NEWLINE))


def write_generated_jsonl(path: Path, n: int) -> None:
    """The corpus of analysis_coordination.py, one JSON object a line, as an export would have it."""
    from analysis_coordination import make_corpus

    items = make_corpus(n)
    when = items["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    with path.open("wb") as out:
        for ident, author, at, text, repost in zip(items["id"], items["author_id"], when, items["text"],
                                                    items["repost_of"], strict=True):
            record = {"id": ident, "author_id": author, "created_at": at, "text": text}
            if isinstance(repost, str):
                record["repost_of"] = repost.removeprefix("x:")
            out.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))


def cli_import(case: Path, path: Path, mapping: tuple[str, ...]) -> float:
    """``workbench import`` in a fresh process: its wall time."""
    args = [WORKBENCH, "import", str(case), str(path), "--no-progress"]
    for pair in mapping:
        args += ["--map", pair]
    return timed(args)


def timed(args: list[str]) -> float:
    """The wall time of a command in a fresh process."""
    t0 = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def new_case(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    subprocess.run([WORKBENCH, "new", str(path), "--title", "scale", "--legal-basis",
                    "benchmark of public research data", "--retention-until", "2099-01-01"],
                   check=True, stdout=subprocess.DEVNULL)


def count_items(case: Path) -> int:
    con = sqlite3.connect(case / "case.db")
    try:
        return con.execute("SELECT count(*) FROM items").fetchone()[0]
    finally:
        con.close()


def build(corpus: str, n: int, rebuild: bool) -> Path:
    """The case of ``n`` items of ``corpus`` under benchmarks/out/, built unless it is there."""
    case = OUT / f"scale-{corpus}-{n}"
    if not rebuild and (case / "case.yaml").is_file() and count_items(case) == n:
        print(f"case: {case} ({n:,} items, reused; --rebuild builds it again)")
        return case
    OUT.mkdir(exist_ok=True)
    new_case(case)
    if corpus == "generated":
        data = OUT / f"generated-{n}.jsonl"
        write_generated_jsonl(data, n)
        secs = cli_import(case, data, GENERATED_MAP)
        print(f"case: {case} built: {n:,} generated items imported from JSON Lines in {secs:.0f} s")
        return case
    data = OUT / "ira-tweets.csv"
    write_ira_csv(data)
    secs = cli_import(case, data, IRA_MAP)
    have = count_items(case)
    more = OUT / "ira-more.jsonl"
    write_ira_jsonl(more, n - have)
    more_secs = cli_import(case, more, IRA_MAP)
    print(f"case: {case} built: {have:,} items from the IRA CSV in {secs:.0f} s, "
          f"{count_items(case) - have:,} more from JSON Lines in {more_secs:.0f} s")
    if count_items(case) != n:
        raise SystemExit(f"expected {n:,} items, the case has {count_items(case):,}")
    return case


# -- reads ----------------------------------------------------------------------------------------

def timed_read(case: Path, columns) -> tuple[float, int]:
    """Seconds from ``Case.open`` to the frame, and its rows."""
    from workbench.case import Case

    t0 = time.perf_counter()
    with Case.open(case) as opened:
        frame = opened.items(columns=columns)
    return time.perf_counter() - t0, len(frame)


def legacy_read(case: Path) -> float:
    """The full frame the way it was read before the columnar read path: every row through
    Python's sqlite3, then a DataFrame inferred value by value (``workbench.query.frame``)."""
    from workbench.case import Case
    from workbench.query import frame, item_columns, items_sql

    t0 = time.perf_counter()
    with Case.open(case) as opened:
        columns = item_columns(opened.db)
        frame(opened.db.execute(items_sql(columns)).fetchall(), columns)
    return time.perf_counter() - t0


def reads(case: Path, repeat: int, before: bool) -> None:
    from workbench import mirror
    from workbench.analyze.frames import COORDINATION_COLUMNS, TIMELINE_COLUMNS
    from workbench.case import Case

    narrow = list(dict.fromkeys(COORDINATION_COLUMNS + TIMELINE_COLUMNS))
    if before:
        secs = legacy_read(case)
        print(f"before: full frame read row by row (sqlite3 + value-by-value DataFrame): {secs:.1f} s, "
              f"{1_000_000 / secs if secs else 0:,.0f} rows/s")
    with Case.open(case) as opened:
        mirror.discard(opened.db)
    cold, rows = timed_read(case, None)
    print(f"full frame, cold (the store read, the mirror written): {cold:.1f} s, {rows / cold:,.0f} rows/s")
    full = [timed_read(case, None)[0] for _ in range(repeat)]
    few = [timed_read(case, narrow)[0] for _ in range(repeat)]
    size = (case / mirror.FOLDER / mirror.NAME).stat().st_size / 1e6
    print(f"full frame ({rows:,} rows x 47 columns) from Case.open: best {min(full):.2f} s = "
          f"{rows / min(full):,.0f} rows/s (target >= 200,000) (runs: {_runs(full)}); mirror {size:,.0f} MB")
    print(f"timeline + coordination frame ({len(narrow)} columns) from Case.open: best {min(few):.2f} s "
          f"(target <= 3 s) (runs: {_runs(few)})")


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


# -- the coordination export against CNT -----------------------------------------------------------

def export_coordination(case: Path, out: Path, kinds: tuple[str, ...]) -> float:
    args = [WORKBENCH, "export", str(case), "--what", "coordination", "--format", "csv", "-o", str(out)]
    for kind in kinds:
        args += ["--kind", kind]
    return timed(args)


def exported_pairs(path: Path) -> dict:
    """The co-repost rows of an export as CNT's directed edges (user ids without the platform)."""
    edges = {}
    with path.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["kind"] != "co_repost":
                continue
            a, b = (row[k].split(":", 1)[1] for k in ("account_a", "account_b"))
            edges[(a, b)] = int(row["items_a"])
            edges[(b, a)] = int(row["items_b"])
    return edges


def cnt_rows(case: Path) -> list[tuple]:
    """The case's items as CNT's ``preprocess_data`` takes them (not timed)."""
    from workbench.case import Case

    with Case.open(case) as opened:
        items = opened.items(columns=["uid", "author_id", "author_handle", "created_at", "repost_of",
                                      "reply_to", "text"])
    seconds = items["created_at"].astype("int64") // 10**6 if items["created_at"].dt.unit == "us" \
        else items["created_at"].astype("int64") // 10**9
    author = items["author_id"].where(items["author_id"].notna(), items["author_handle"])
    return list(zip(items["uid"], author, author, items["repost_of"].fillna(""),
                    items["reply_to"].fillna(""), items["text"].fillna(""), seconds.tolist(),
                    [[]] * len(items), strict=True))


def run_cnt(rows: list[tuple], folder: Path, window: int) -> tuple[dict, float, float]:
    """CNT's preprocess and co-retweet compute on 2 processes: (directed edges, seconds, seconds)."""
    from coordination_network_toolkit import compute_networks, preprocess

    db = str(folder / "cnt.db")
    t0 = time.perf_counter()
    preprocess.preprocess_data(db, rows)
    prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # CNT prints its progress
        compute_networks.compute_co_retweet_parallel(db, window, n_threads=2, min_edge_weight=1)
    compute = time.perf_counter() - t0
    con = sqlite3.connect(db)
    edges = {(a, b): w for a, b, w in con.execute(
        "select user_1, user_2, weight from co_retweet_network where user_1 != user_2")}
    con.close()
    return edges, prep, compute


def coordination(case: Path, repeat: int, cnt: bool, all_kinds: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out = folder / "coordination.csv"
        ours = [export_coordination(case, out, ("co_repost",)) for _ in range(repeat)]
        mine = exported_pairs(out)
        print(f"workbench export --what coordination --kind co_repost (csv, a fresh process, end to end): "
              f"best {min(ours):.2f} s (runs: {_runs(ours)}); {len(mine) // 2:,} account pairs")
        if cnt:
            try:
                rows = cnt_rows(case)
                theirs, prep, compute = run_cnt(rows, folder, 60)
            except ImportError as exc:
                print(f"CNT not run: {exc} (pip install coordination-network-toolkit)")
            else:
                again = export_coordination(case, out, ("co_repost",))  # after CNT too: load shows
                best = min(ours + [again])
                print(f"CNT co_retweet on the same {len(rows):,} rows: preprocess {prep:.1f} s + compute "
                      f"{compute:.1f} s (2 processes) = {prep + compute:.1f} s; ours again after CNT "
                      f"{again:.2f} s")
                print(f"co-repost pairs identical to CNT's (account pairs and weights, both directions): "
                      f"{mine == theirs} ({len(mine):,} directed edges ours, {len(theirs):,} CNT's)")
                print(f"speed-up, export end to end vs CNT preprocess + compute: "
                      f"{(prep + compute) / best:.1f}x (target >= 2x, goal 5x)")
        if all_kinds:
            every = export_coordination(case, out, ())
            print(f"workbench export --what coordination, every kind (co-repost, -link, -hashtag, -reply, "
                  f"-text, -similar): {every:.1f} s")


# -- import -----------------------------------------------------------------------------------------

def baseline_import(path: Path, db_path: Path, fmt: str) -> float:
    """Parse every record (csv module, or ``orjson.loads``) and executemany the item table's
    columns into one plain SQLite table, as benchmarks/ingest.py does."""
    fixed = {"platform": "twitter", "kind": "post", "source": f"file:{path.name}",
             "collector": f"import:{fmt}", "collector_version": "x", "collected_at": "now",
             "run_id": 1, "raw_sha256": "0" * 64}
    mapped = {"text": "content", "created_at": "publish_date", "author_handle": "author_id",
              "author_id": "author_id"}
    from workbench.mapping import ITEM_ROW

    columns = tuple(c for c in ITEM_ROW if c != "place_bbox")  # the 36 columns of the baseline
    t0 = time.perf_counter()
    conn = sqlite3.connect(db_path)
    conn.execute(f"CREATE TABLE items ({', '.join(columns)})")
    rows = []
    with path.open("rb") as stream:
        records = (csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8", newline=""))
                   if fmt == "csv" else map(orjson.loads, stream))
        for number, record in enumerate(records, start=1):
            values = {**fixed, "raw_locator": f"line {number}", "raw_span": f"L{number}",
                      "uid": f"twitter:{record.get('id', number)}"}
            rows.append(tuple(values.get(c, record.get(mapped.get(c, c))) for c in columns))
    conn.executemany(f"INSERT INTO items VALUES ({', '.join('?' * len(columns))})", rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - t0


def our_import(path: Path, case_dir: Path) -> tuple[float, int]:
    from workbench.case import Case

    case = Case.create(case_dir, title="bench", legal_basis="benchmark", retention_until="2099-01-01")
    t0 = time.perf_counter()
    result = case.import_file(path, column_map=dict(pair.split("=", 1) for pair in IRA_MAP), progress=False)
    elapsed = time.perf_counter() - t0
    case.close()
    return elapsed, result.imported


def store_floor(case_dir: Path, folder: Path) -> tuple[float, int]:
    """Write the rows an import made, already mapped, into a new case's items table and its
    search index (``store.insert_items``, 5,000 rows a transaction, as the import writes them),
    and nothing else: what the store itself costs, the ceiling of any import into it."""
    from workbench.case import Case
    from workbench.ingest import BATCH
    from workbench.mapping import ITEM_ROW
    from workbench.store import insert_items, write

    source = Case.open(case_dir)
    rows = list(source.db.execute(f"SELECT {', '.join(ITEM_ROW)} FROM items ORDER BY rowid"))
    source.close()
    case = Case.create(folder, title="floor", legal_basis="benchmark", retention_until="2099-01-01")
    t0 = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        with write(case.db):
            insert_items(case.db, ITEM_ROW, rows[start:start + BATCH])
    elapsed = time.perf_counter() - t0
    case.close()
    return elapsed, len(rows)


def store_parts(case_dir: Path, folder: Path) -> dict[str, float]:
    """Seconds to write the same mapped rows into plain WAL tables that add, one at a time, what
    the items table carries: its uid key, its created_at index, its search index. Where the
    store's floor goes, and so what an import that keeps all three can never beat."""
    from workbench.mapping import ITEM_ROW
    from workbench.store import CACHE_KIB, FTS_COLUMNS

    source = sqlite3.connect(case_dir / "case.db")
    rows = source.execute(f"SELECT {', '.join(ITEM_ROW)} FROM items ORDER BY rowid").fetchall()
    source.close()
    columns, marks, fts = ", ".join(ITEM_ROW), ", ".join("?" * len(ITEM_ROW)), ", ".join(FTS_COLUMNS)
    steps = {
        "bare table": [f"CREATE TABLE items ({columns})"],
        "+ uid key": [f"CREATE TABLE items ({columns}, UNIQUE (uid))"],
        "+ created_at index": [f"CREATE TABLE items ({columns}, UNIQUE (uid))",
                               "CREATE INDEX items_created ON items (created_at)"],
    }
    steps["+ search index"] = [*steps["+ created_at index"],
                               f"CREATE VIRTUAL TABLE items_fts USING fts5({fts}, content=items, "
                               "tokenize='porter unicode61 remove_diacritics 2')"]
    seconds = {}
    for name, schema in steps.items():
        conn = sqlite3.connect(folder / f"{case_dir.name}-part-{len(seconds)}.db", isolation_level=None)
        for statement in ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
                          f"PRAGMA cache_size = -{CACHE_KIB}", *schema):
            conn.execute(statement)
        t0 = time.perf_counter()
        for start in range(0, len(rows), 5_000):
            conn.execute("BEGIN IMMEDIATE")
            (before,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()
            conn.executemany(f"INSERT INTO items ({columns}) VALUES ({marks})", rows[start:start + 5_000])
            if "fts" in schema[-1]:
                conn.execute(f"INSERT INTO items_fts (rowid, {fts}) SELECT rowid, {fts} FROM items "
                             "WHERE rowid > ?", [before])
            conn.execute("COMMIT")
        seconds[name] = time.perf_counter() - t0
        conn.close()
    return seconds


def imports(n: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {"csv": folder / "tweets.csv", "jsonl": folder / "tweets.jsonl"}
        with files["csv"].open("w", encoding="utf-8", newline="") as out:
            rows = ira_rows()
            writer = csv.DictWriter(out, rows.fieldnames)
            writer.writeheader()
            writer.writerows(itertools.islice(rows, n))
        write_ira_jsonl(files["jsonl"], n)
        for fmt, path in files.items():
            base, ours, floor = [], [], []
            for run in range(repeat):  # alternated, so all meet the same machine load
                base.append(baseline_import(path, folder / f"base-{fmt}{run}.db", fmt))
                secs, imported = our_import(path, folder / f"case-{fmt}{run}")
                ours.append(secs)
                floor.append(store_floor(folder / f"case-{fmt}{run}", folder / f"floor-{fmt}{run}")[0])
            base_rate, our_rate = n / min(base), imported / min(ours)
            floor_rate = imported / min(floor)
            print(f"import {fmt:5} of {n:,} IRA rows: workbench {our_rate:8,.0f} items/s ({imported:,} "
                  f"items, runs {_runs(ours)} s) | baseline (parse + executemany into one plain table) "
                  f"{base_rate:8,.0f} rows/s (runs {_runs(base)} s) | ratio {our_rate / base_rate:.2f}")
            print(f"    the store alone (the mapped rows into the items table and its search index, "
                  f"one process): {floor_rate:8,.0f} rows/s (runs {_runs(floor)} s) | the import is at "
                  f"{our_rate / floor_rate:.2f} of it")
            parts = store_parts(folder / f"case-{fmt}0", folder)
            print("    where the floor goes, rows/s into plain SQLite tables that add one thing at a time: "
                  + " | ".join(f"{name} {imported / secs:,.0f}" for name, secs in parts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("real", "generated"), default="real")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read; the best counts")
    parser.add_argument("--rebuild", action="store_true", help="build the case again")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--before", action="store_true",
                        help="also time the full frame read the old way, row by row (slow)")
    parser.add_argument("--all-kinds", action="store_true",
                        help="also time the export of every coordination kind (co-similar is slow)")
    parser.add_argument("--no-cnt", action="store_true", help="skip the CNT comparison")
    parser.add_argument("--no-import", action="store_true", help="skip the import measures")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-repeat", type=int, default=2)
    args = parser.parse_args()
    case = build(args.corpus, args.items, args.rebuild)
    if args.build_only:
        return
    print(f"best of {args.repeat} runs each (the machine is shared: the spread is other work's load); "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    reads(case, args.repeat, args.before)
    coordination(case, args.repeat, not args.no_cnt, args.all_kinds)
    if not args.no_import:
        imports(args.import_rows, args.import_repeat)
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"peak memory of one process: {peak / 2**20:.1f} GB (limit 8 GB)")


if __name__ == "__main__":
    main()
