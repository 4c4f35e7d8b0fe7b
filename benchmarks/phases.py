"""The four phases as a user runs them on a large real case: the time and peak memory of each
command, beside what a user would do without the workbench, all printed by one run.

The case, as a user makes it, through the command line (each step a fresh process):

- ``--corpus dev`` (the default): the 801,250 real IRA tweets of ``../shared/data/ira-dev``,
  written out as the CSV file they are (``benchmarks/scale.py``'s helpers) and imported with
  ``workbench import CASE tweets.csv --map text=content ...``, into
  ``benchmarks/out/phases-dev-801250`` (built once, reused; ``--rebuild`` builds it again). The
  import's figures are kept beside it and printed again when the case is reused.
- ``--corpus 1m``: the 1,000,000-item case ``benchmarks/out/scale-real-1000000`` that
  ``benchmarks/scale.py`` builds (its ``build`` function: the same CSV, topped up with JSON Lines).
  Its import is measured only when this run builds it.

Each run copies the imported case to ``benchmarks/out/phases-<corpus>-work`` (its ``cache/``,
``runs/`` and ``reports/`` left behind, as a freshly imported case has none) and runs there:

- ``workbench enrich CASE`` with the defaults a user gets (one process; named entities with the
  plan's or the shipped English pipeline where one is installed, else none, as the command's
  warning says: the log in ``benchmarks/out/phases-<corpus>-logs/enrich.log`` tells which);
- ``workbench locate CASE`` (the bundled gazetteer, offline);
- ``workbench run CASE`` with no ``-p``: planning, collection, analysis, reporting, one papermill
  kernel each. The per-phase seconds are the run's own (it prints them); each phase's peak memory
  is the largest seen while its notebook was the newest one in the run folder.

Memory: the peak resident set (RSS) of the command's whole process tree (the papermill kernels are
children), polled every 0.1 s with psutil and summed over the tree (shared pages count once per
process, so this errs high). The limit is 8 GB.

The baseline, measured in the same run in a child process of its own: ``pandas.read_csv`` of the
same gzipped CSV (for ``1m`` also ``pandas.read_json`` of the JSON Lines top-up), the dates parsed,
and a count of items per day: what a user does without the workbench to see the same volume.

    python benchmarks/phases.py [--corpus dev|1m] [--rebuild] [--no-baseline] [--skip STEP ...]
                                [--keep-work]

The report and map the run wrote stay in the work case for a look (paths printed at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (benchmarks/ is not a package: its sibling by path)
from proctree import measure  # noqa: E402

OUT = scale.OUT
WORKBENCH = scale.WORKBENCH
LIMIT_GB = 8.0
DEV_ROWS = 801_250  # the rows of the CSV; the import keeps fewer items (it drops duplicates)
PHASES = ("planning", "collection", "analysis", "reporting")
NOTEBOOKS = ("01_planning.ipynb", "02_collection.ipynb", "03_analysis.ipynb", "04_reporting.ipynb")
BASELINE = """
import sys, time
import pandas as pd
t0 = time.perf_counter()
frames = [pd.read_csv(sys.argv[1], compression="gzip", low_memory=False)]
if len(sys.argv) > 2:
    frames.append(pd.read_json(sys.argv[2], lines=True, dtype=False))
items = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
when = pd.to_datetime(items["publish_date"], format="%Y-%m-%d %H:%M:%S", utc=True)
daily = when.dt.floor("D").value_counts().sort_index()
print(len(items), len(daily), round(time.perf_counter() - t0, 2))
"""


@dataclass
class Step:
    """One measured command."""

    name: str
    seconds: float | None = None
    peak: int = 0  # bytes
    note: str = ""
    ok: bool = True
    phases: dict = field(default_factory=dict)  # phase -> (seconds, peak bytes)


# -- measuring a command -----------------------------------------------------------------------

def tail(log: Path, lines: int = 6) -> str:
    return "\n".join("    " + line for line in log.read_text(errors="replace").splitlines()[-lines:])


def run_step(name: str, args: list[str], logs: Path, label=None) -> tuple[Step, dict]:
    log = logs / f"{name}.log"
    code, seconds, peak, peaks = measure(args, log, label)
    step = Step(name, seconds, peak)
    if code:
        step.ok = False
        step.note = f"FAILED (exit {code}); {log}:\n{tail(log)}"
    return step, peaks


# -- the case ----------------------------------------------------------------------------------

def build_dev(rebuild: bool, logs: Path) -> tuple[Path, Step]:
    """The dev case imported with --map, built unless it is there; the import's step (measured now
    or when it was built)."""
    case = OUT / f"phases-dev-{DEV_ROWS}"
    kept = case.with_name(case.name + ".import.json")
    figures = json.loads(kept.read_text()) if kept.is_file() else {}
    if not rebuild and (case / "case.yaml").is_file() and scale.count_items(case) == figures.get("items"):
        step = Step("import", figures["seconds"], figures["peak"],
                    note=f"{figures['items']:,} items; measured when the case was built, {figures['when']}; "
                         "--rebuild to redo")
        print(f"case: {case} ({figures['items']:,} items, reused)")
        return case, step
    OUT.mkdir(exist_ok=True)
    data = OUT / "ira-tweets.csv"
    if not data.is_file():
        scale.write_ira_csv(data)
    scale.new_case(case)
    args = [WORKBENCH, "import", str(case), str(data)]
    for pair in scale.IRA_MAP:
        args += ["--map", pair]
    step, _ = run_step("import", args, logs)
    if not step.ok:
        raise SystemExit(f"import {step.note}")
    have = scale.count_items(case)
    step.note = f"{DEV_ROWS:,} rows, {have:,} items (the rest duplicates)"
    kept.write_text(json.dumps({"seconds": step.seconds, "peak": step.peak, "items": have,
                                "when": time.strftime("%Y-%m-%d %H:%M")}))
    return case, step


def build_1m(rebuild: bool) -> tuple[Path, Step]:
    """scale.py's 1,000,000-item case; the import measured only when it is built now (its time, and
    the largest child's peak RSS: scale.py's commands are waited-for children of this process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    case = scale.build("real", 1_000_000, rebuild)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if after == before:  # nothing ran: the case was reused
        return case, Step("import", note="case built earlier by benchmarks/scale.py: not measured here "
                                         "(--rebuild to measure)")
    return case, Step("import", seconds, after * 1024,
                      note="CSV + JSON Lines top-up (scale.py); peak of the largest single process")


def work_copy(pristine: Path, corpus: str) -> Path:
    """A copy of the imported case to work on, without its derived folders."""
    work = OUT / f"phases-{corpus}-work"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(pristine, work, ignore=shutil.ignore_patterns("cache", "runs", "reports"))
    for folder in ("runs", "reports"):
        (work / folder).mkdir(exist_ok=True)
    return work


# -- the steps ---------------------------------------------------------------------------------

def phase_now(runs: Path, started: float):
    """A callable naming the phase whose notebook is newest in the run folder made after ``started``."""
    def now() -> str:
        folders = [p for p in runs.iterdir() if p.is_dir() and p.stat().st_mtime >= started - 1]
        if not folders:
            return "start"
        folder = max(folders, key=lambda p: p.stat().st_mtime)
        present = [phase for phase, name in zip(PHASES, NOTEBOOKS, strict=True) if (folder / name).exists()]
        return present[-1] if present else "start"
    return now


def run_phases(case: Path, logs: Path) -> Step:
    """``workbench run CASE`` with no -p, its per-phase seconds from its summary line."""
    started = time.time()
    step, peaks = run_step("run", [WORKBENCH, "run", str(case), "--no-progress"], logs,
                           label=phase_now(case / "runs", started))
    text = (logs / "run.log").read_text(errors="replace")
    for phase in PHASES:
        marker = f"{phase} ("
        if marker in text:
            seconds = float(text.split(marker, 1)[1].split(" s)", 1)[0])
            step.phases[phase] = (seconds, peaks.get(phase, 0))
        elif phase in peaks:
            step.phases[phase] = (None, peaks[phase])
    step.phases["(start-up)"] = (None, peaks.get("start", 0))
    return step


def baseline(corpus: str, logs: Path) -> Step:
    """pandas.read_csv of the same data and a daily count, in a child process of its own."""
    args = [sys.executable, "-c", BASELINE, str(scale.IRA)]
    if corpus == "1m":
        args.append(str(OUT / "ira-more.jsonl"))
    step, _ = run_step("baseline", args, logs)
    if step.ok:
        rows, days, inner = (logs / "baseline.log").read_text().split()[-3:]
        step.note = f"{int(rows):,} rows, {int(days):,} days; {float(inner):.1f} s inside the script"
    return step


# -- the table ---------------------------------------------------------------------------------

def gb(value: int) -> str:
    return f"{value / 1e9:5.2f} GB" if value else "     ?  "


def secs(value: float | None) -> str:
    if value is None:
        return "      ?  "
    return f"{value:7.1f} s" if value < 600 else f"{value:7.0f} s ({value / 60:.0f} min)"


def report(steps: list[Step], base: Step | None, case: Path) -> None:
    print()
    print(f"{'step':<28} {'time':>10}   {'peak RSS':>8}")
    for step in steps:
        print(f"{'workbench ' + step.name:<28} {secs(step.seconds):>10}   {gb(step.peak)}"
              + ("" if step.ok else "   FAILED"))
        for phase, (seconds, peak) in step.phases.items():
            print(f"  {phase:<26} {secs(seconds):>10}   {gb(peak)}")
        if step.note:
            print(f"    ({step.note})")
    measured = [s for s in steps if s.seconds is not None]
    total = sum(s.seconds for s in measured)
    print(f"{'total (' + ', '.join(s.name for s in measured) + ')':<28} {secs(total):>10}   "
          f"{gb(max((s.peak for s in measured), default=0))} (largest)")
    if base is not None:
        print(f"{'baseline: pandas read+daily':<28} {secs(base.seconds):>10}   {gb(base.peak)}"
              + ("" if base.ok else "   FAILED"))
        if base.note:
            print(f"    ({base.note})")
        if base.ok and base.seconds:
            print(f"workbench total / baseline: {total / base.seconds:.0f}x the time; largest peak "
                  f"{max(s.peak for s in measured) / max(base.peak, 1):.1f}x the baseline's")
    peaks = [s.peak for s in measured if s.peak] + [p for s in measured for _, p in s.phases.values() if p]
    under = all(p < LIMIT_GB * 1e9 for p in peaks)
    print(f"every peak under {LIMIT_GB:.0f} GB: {'yes' if under else 'NO'}; "
          f"every step succeeded: {'yes' if all(s.ok for s in steps) else 'NO'}")
    reports = sorted((case / "reports").glob("*.html"))
    if reports:
        print("written: " + ", ".join(str(p) for p in reports))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("dev", "1m"), default="dev")
    parser.add_argument("--rebuild", action="store_true", help="import the case again")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--skip", nargs="*", default=[], choices=("enrich", "locate", "run"),
                        help="steps to leave out (for a look at one step)")
    parser.add_argument("--keep-work", action="store_true",
                        help="go on with the work case as the last run left it (e.g. --skip enrich "
                        "locate to run the phases again on an enriched, located case)")
    args = parser.parse_args()
    logs = OUT / f"phases-{args.corpus}-logs"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; logs in {logs}")
    if args.corpus == "dev":
        pristine, imported = build_dev(args.rebuild, logs)
    else:
        pristine, imported = build_1m(args.rebuild)
    work = OUT / f"phases-{args.corpus}-work"
    kept = args.keep_work and work.is_dir()
    case = work if kept else work_copy(pristine, args.corpus)
    print(f"working on {'the copy as the last run left it' if kept else 'a fresh copy'}: {case}", flush=True)
    steps = [imported]
    for name in ("enrich", "locate"):
        if name not in args.skip:
            step, _ = run_step(name, [WORKBENCH, name, str(case), "--no-progress"], logs)
            print(f"{name}: {secs(step.seconds)}, {gb(step.peak)}", flush=True)
            steps.append(step)
    if "run" not in args.skip:
        steps.append(run_phases(case, logs))
    base = None if args.no_baseline else baseline(args.corpus, logs)
    report(steps, base, case)


if __name__ == "__main__":
    main()
