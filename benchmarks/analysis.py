"""The analysis on a generated corpus of 1,000,000 items: the timeline, then the coordination
networks against the Coordination Network Toolkit.

Prints, in one run:
- the timeline: hourly volume by platform as a chart (aggregated in pandas, then the altair
  spec built), seconds, next to the baseline of handing altair every row (which it refuses past
  5,000 rows unless its row limit is lifted; timed with the limit lifted, on 100,000 rows);
- the co-repost and co-similar-text networks with a 60 s window, and CNT's co-retweet network on
  the same data (``benchmarks/analysis_coordination.py``): identical edges, and the time ratio
  (target: identical edges, >= 5x faster).

    python benchmarks/analysis.py [--items 1000000] [--no-cnt]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import altair as alt

from workbench.analyze.timeline import volume_chart

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analysis_coordination import make_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--no-cnt", action="store_true")
    args = parser.parse_args()
    items = make_corpus(args.items)
    start = time.perf_counter()
    chart = volume_chart(items, "1h", "platform")
    spec = chart.to_dict()
    ours = time.perf_counter() - start
    rows = len(spec["datasets"][next(iter(spec["datasets"]))]) if "datasets" in spec else None
    print(f"timeline of {len(items):,} items, hourly by platform: {ours:.2f} s, "
          f"{rows:,} rows sent to the chart")
    sample = items.head(100_000)[["created_at", "platform"]]
    start = time.perf_counter()
    with alt.data_transformers.disable_max_rows():
        alt.Chart(sample).mark_area().encode(x="hoursmonth(created_at):T", y="count():Q",
                                              color="platform:N").to_dict()
    base = time.perf_counter() - start
    print(f"baseline, every row to altair (row limit lifted), 100,000 items: {base:.2f} s, "
          f"100,000 rows sent to the chart")
    command = [sys.executable, str(Path(__file__).with_name("analysis_coordination.py")),
               "--items", str(args.items)] + (["--no-cnt"] if args.no_cnt else [])
    subprocess.run(command, check=False)


if __name__ == "__main__":
    main()
