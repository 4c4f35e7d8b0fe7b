"""What the posts say, measured on real data: each figure beside its baseline and the issue's target.

Reads the development corpora in ``../shared/data`` (see its README for how scores are counted;
each section says when its data is absent and goes on). In one run it prints:

- NER typed F1 on WNUT-17 dev and on the Broad Twitter Corpus sections, the shipped ``tweet_ner``
  beside ``en_core_web_sm`` when installed (``benchmarks/quality_ner.py``);
- PLACE precision and recall against BTC's LOC (``quality_ner.py``);
- GeoWebNews end to end: toponym P, R, F1 and acc@161 km beside the most-populous baseline, and
  the geocoder on names alone beside the same baseline (``quality_geo.py``);
- language agreement and ``und`` share on a fixed-seed sample of ``ira-dev`` beside lingua alone
  (``quality_text.py``);
- Pearson r of the stored VADER compound against the human ratings, per file (``quality_text.py``).

Every figure goes through the product as a user's case does (import, enrich, locate) or through
its public functions, so improvements to language detection, the geocoder or toponym evidence
show up here unchanged. All are development figures: the held-back test parts are measured
independently.

    python benchmarks/quality.py [--data DIR] [--ira-sample 20000] [--seed 14]
                                 [--btc-sections a,b,e,g,h] [--only ner,place,geo,language,sentiment]
                                 [--no-language-baseline]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quality_geo  # noqa: E402
import quality_ner  # noqa: E402
import quality_text  # noqa: E402
from quality_rows import Row, Skipped, table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SECTIONS = ("ner", "place", "geo", "language", "sentiment")


def _sections(args: argparse.Namespace) -> list[tuple[str, str, Callable[[], list[Row]]]]:
    btc = tuple(s.strip() for s in args.btc_sections.split(",") if s.strip())
    return [
        ("ner", "Named entities (typed F1, exact span and type, micro; the corpora's own tokens)",
         lambda: quality_ner.ner_rows(args.data, btc)),
        ("place", "PLACE entities against BTC's LOC (a case enriched with the default plan)",
         lambda: quality_ner.place_rows(args.data, btc)),
        ("geo", "GeoWebNews (import, enrich, locate; names alone with no context)",
         lambda: quality_geo.rows(args.data)),
        ("language", f"Language on ira-dev ({args.ira_sample} tweets, seed {args.seed}; enrich, no NER)",
         lambda: quality_text.language_rows(args.data, args.ira_sample, args.seed,
                                            baseline=not args.no_language_baseline)),
        ("sentiment", "Sentiment: Pearson r of the stored compound against the human mean rating",
         lambda: quality_text.sentiment_rows(args.data)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--ira-sample", type=int, default=20000, help="ira-dev tweets to draw")
    parser.add_argument("--seed", type=int, default=14, help="seed of the ira-dev draw")
    parser.add_argument("--btc-sections", default=",".join(quality_ner.SECTIONS),
                        help="BTC sections to score (h is the development section)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections to run, comma-separated")
    parser.add_argument("--no-language-baseline", action="store_true",
                        help="skip lingua-alone (saves about a minute)")
    args = parser.parse_args(argv)
    chosen = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = chosen - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}: choose from {', '.join(SECTIONS)}")
    if not args.data.is_dir():
        print(f"quality: skipped, no data at {args.data} (the shared development corpora)")
        return 0
    print(f"quality of what the posts say: development data at {args.data}")
    print(f"samples: ira-dev {args.ira_sample} tweets (seed {args.seed}); BTC sections "
          f"{args.btc_sections}; GeoWebNews all 200 articles; all VADER rating files")
    started = time.perf_counter()
    for name, title, run in _sections(args):
        if name not in chosen:
            continue
        print(f"\n== {title}")
        began = time.perf_counter()
        try:
            rows = run()
        except Skipped as why:
            print(f"skipped: {why}")
            continue
        print(table(rows))
        print(f"({time.perf_counter() - began:.0f} s)")
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
