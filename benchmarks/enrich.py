"""Enrichment speed and memory on 100,000 demo-like items, and precision/recall on the labelled set.

Prints, in one run:
- items/s of ``enrich`` (selectors, places, language, sentiment, watch terms; no NER) in one
  process, and in two, with the speed-up (targets: >= 2,000 items/s on one core; two processes
  >= 1.6x one);
- when a trained spaCy pipeline is installed (``WORKBENCH_SPACY_MODEL`` or ``en_core_web_sm``):
  items/s with its NER, next to that pipeline's own ``nlp.pipe`` speed on the same texts in the
  same run (target: >= 0.7 of it);
- peak memory of the run and its worker processes (target: < 1.5 GB);
- precision and recall per label on ``tests/data/enrich/labelled.jsonl``.

Each enrichment runs in a new process, as a ``workbench enrich`` command does, so every run
pays for loading its pipelines, detector and tables (two workers each load their own).

    python benchmarks/enrich.py [--items 100000] [--repeat 2] [--ner-items 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from workbench.case import Case
from workbench.demo import people, posts, story
from workbench.enrich import language
from workbench.enrich.job import enrich
from workbench.enrich.settings import MODEL_ENV, model_version
from workbench.enrich.watch import WatchTerm

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "enrich" / "labelled.jsonl"
WATCH = [{"term": t, "kind": "term", "category": c, "weight": w} for t, c, w in (
    ("explosion", "incident", 3), ("evacuated", "incident", 2), ("poison", "rumour", 3),
    ("cover-up", "rumour", 4), ("chemicals", "incident", 1), ("leak", "incident", 2),
)]


def make_file(path: Path, n: int, seed: int = 1) -> None:
    """Posts as the demo story's people write them, without a language field (so it is detected)."""
    rng = random.Random(seed)
    taken: set[str] = set()
    crowd = [people.person(rng, taken) for _ in range(2000)]
    span = (story.END - story.START).total_seconds()
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            author = rng.choice(crowd)
            when = story.START + timedelta(seconds=span * i / n)
            post = posts.original(rng, when, author, author.lang, tag_rate=0.4, link_rate=0.08,
                                  mention_pool=crowd)
            text, _ = posts.render(post.parts)
            out.write(json.dumps({"id": str(i), "created_at": when.isoformat(),
                                  "author": author.handle, "text": text},
                                 ensure_ascii=False) + "\n")


def new_case(folder: Path, name: str, data: Path, *, models: dict[str, str]) -> Case:
    case = Case.create(folder / name, title="bench", legal_basis="benchmark",
                       retention_until="2099-01-01", countries=["NL"],
                       languages=["en", "nl", "de", "fr", "es", "ar", "uk"],
                       keywords=["Botlek"], spacy_models=models)
    case.import_file(data, progress=False)
    case.add_watch_terms([WatchTerm(**term) for term in WATCH])
    return case


def one_run(path: Path, n_process: int, ner: bool, afresh: bool) -> None:
    """Enrich the case at ``path`` here, as the command would, and print what it took (the
    time inside ``enrich``, which loads the pipelines, the detector and the gazetteer tables)."""
    if afresh:  # the detector judges each distinct text once; this run forgets every text
        language.CACHE_SIZE = 0
    case = Case.open(path)
    start = time.perf_counter()
    result = enrich(case, n_process=n_process, ner=ner, progress=False)
    elapsed = time.perf_counter() - start
    assert result.enriched == case.db["items"].count, result
    print(json.dumps({"seconds": elapsed,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def timed_enrich(case: Case, *, n_process: int = 1, ner: bool = True,
                 afresh: bool = False) -> dict:
    """One enrichment run in a new process, started cold as a new command's is."""
    command = [sys.executable, __file__, "--run", str(case.path), "--processes", str(n_process)]
    command += [] if ner else ["--no-ner"]
    command += ["--afresh"] if afresh else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the run failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def trained_pipeline() -> str | None:
    name = os.environ.get(MODEL_ENV) or "en_core_web_sm"
    return name if model_version(name) != "missing" else None


def pipeline_own_speed(name: str, texts: list[str]) -> float:
    """items/s of the pipeline as spaCy loads it, over the same texts."""
    import spacy

    nlp = spacy.load(name)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return len(texts) / (time.perf_counter() - start)


def labelled_scores(model: str | None):
    from workbench.enrich.evaluate import load_labelled, score
    from workbench.enrich.pipeline import Pipelines, extract

    examples = load_labelled(LABELLED)
    pipelines: dict[tuple, Pipelines] = {}  # per phone-region hints, as each example gives them
    gold, predicted = [], []
    for example in examples:
        regions = tuple(example.get("regions", ()))
        if regions not in pipelines:
            pipelines[regions] = Pipelines({"en": model} if model else {}, regions=regions,
                                           countries=["NL"])
        nlp = pipelines[regions].for_language(example.get("lang") or "en")
        (_, found), = list(extract(nlp, [(example["text"], str(example["id"]))]))
        gold.append([tuple(e[:3]) for e in example["entities"]])
        predicted.append([(e.start, e.end, e.label) for e in found])
    return len(examples), score(gold, predicted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of each; the best of each is compared (the machine is shared)")
    parser.add_argument("--ner-items", type=int, default=10_000,
                        help="items for the NER comparison (a trained pipeline is slower)")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)  # one timed run, in a child
    parser.add_argument("--processes", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--no-ner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--afresh", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        one_run(args.run, args.processes, not args.no_ner, args.afresh)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; each run is a new process")
    peaks: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "items.jsonl"
        make_file(data, args.items)
        runs: dict[str, list[float]] = {"one": [], "two": [], "fresh": []}
        for run in range(args.repeat):  # alternated, so each meets the same machine load
            for name, options in (("one", {}), ("two", {"n_process": 2}),
                                  ("fresh", {"afresh": True})):
                case = new_case(folder, f"{name}{run}", data, models={})
                measured = timed_enrich(case, ner=False, **options)
                runs[name].append(measured["seconds"])
                peaks += [measured["peak_mb"], measured["worker_mb"]]
                if name == "one":
                    one = case
        one_s, two_s, fresh_s = (min(runs[name]) for name in ("one", "two", "fresh"))
        print(f"best of {args.repeat} runs each; runs (s): "
              + "; ".join(f"{label} {', '.join(f'{t:.1f}' for t in runs[name])}" for label, name
                          in (("1 process", "one"), ("2 processes", "two"), ("afresh", "fresh"))))
        languages = one.db.execute("SELECT language, count(*) FROM enrichment GROUP BY 1 "
                                   "ORDER BY 2 DESC").fetchall()
        entities = one.db["entities"].count
        rate_one, rate_two = args.items / one_s, args.items / two_s
        print(f"items: {args.items:,} demo-like posts; {entities:,} entities found; languages "
              + ", ".join(f"{code} {count:,}" for code, count in languages))
        print(f"selectors + places + language + sentiment + watch terms, 1 process: "
              f"{one_s:6.1f} s {rate_one:8,.0f} items/s (target >= 2,000): "
              f"{'MET' if rate_one >= 2000 else 'NOT MET'}")
        print(f"the same, 1 process, every text's language detected afresh:              "
              f"{fresh_s:6.1f} s {args.items / fresh_s:8,.0f} items/s")
        print(f"the same, 2 processes:                                              "
              f"{two_s:6.1f} s {rate_two:8,.0f} items/s, {rate_two / rate_one:.2f}x one "
              f"(target >= 1.6x): {'MET' if rate_two / rate_one >= 1.6 else 'NOT MET'}")
        model = trained_pipeline()
        if model:
            small = folder / "ner.jsonl"
            make_file(small, args.ner_items, seed=2)
            ner_case = new_case(folder, "ner", small, models={"en": model})
            measured = timed_enrich(ner_case)
            peaks += [measured["peak_mb"], measured["worker_mb"]]
            texts = [row[0] for row in ner_case.db.execute("SELECT text FROM items")]
            own = pipeline_own_speed(model, texts)
            ours = args.ner_items / measured["seconds"]
            print(f"with {model} {model_version(model)} NER: {ours:8,.0f} items/s (loading "
                  f"included); the pipeline's own nlp.pipe on the same texts (loaded first): "
                  f"{own:8,.0f} items/s; ratio {ours / own:.2f} (target >= 0.7): "
                  f"{'MET' if ours / own >= 0.7 else 'NOT MET'}")
        else:
            print("no trained spaCy pipeline installed: the NER comparison was skipped "
                  f"(install one, e.g. python -m spacy download en_core_web_sm, or set {MODEL_ENV})")
        peak = max(peaks)
        print(f"peak memory of any run's process or worker: {peak:,.0f} MB (target < 1,500 MB): "
              f"{'MET' if peak < 1500 else 'NOT MET'}")
    count, table = labelled_scores(model)
    print(f"precision and recall on {count} labelled texts ({LABELLED.name}), "
          f"{'with ' + model if model else 'without a trained pipeline'}:")
    print(table.to_string(float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
