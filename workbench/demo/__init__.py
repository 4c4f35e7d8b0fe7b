"""The bundled demo case: generated exports in the platforms' own formats, imported into a case."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.case import PLAN_FILE, Case
from workbench.enrich.watch import WatchTerm
from workbench.errors import CaseError
from workbench.ingest import ImportResult
from workbench.plan import CasePlan

DEMO_PLAN = {
    "title": "Demo: the Botlek chemical plant fire and what followed online",
    "legal_basis": "Training exercise on synthetic data (no real persons)",
    "retention_until": "2099-12-31",
    "analyst": "Workshop trainee",
    "requirements": [
        "What happened, where and when, according to public posts?",
        "Which accounts spread the evacuation rumours, and do they act in concert?",
        "Which places are named, and where were photos taken?",
    ],
    "keywords": ["Botlek", "Rozenburg", "fire", "evacuation", "phosgene"],
    "hashtags": ["BotlekFire", "BOCcoverup", "brandbotlek"],
    "countries": ["NL"],
    "languages": ["en", "nl", "de", "fr", "es", "ar", "uk"],
    "since": "2024-03-06",
    "until": "2024-03-17",
    "platforms": ["twitter", "telegram", "mastodon", "reddit", "bluesky"],
    "handling": "public",
}
#: The demo's watch list: the rumours the case asks about, weighted as an analyst might.
DEMO_WATCH = [
    {"term": "share this with everyone", "category": "rumour", "weight": 3},
    {"term": "doorsturen naar iedereen", "category": "rumour", "weight": 3},
    {"term": "contaminated", "category": "rumour", "weight": 2},
    {"term": "workers are missing", "category": "rumour", "weight": 3},
    {"term": "mensen vermist", "category": "rumour", "weight": 3},
    {"term": "hundreds dead", "category": "rumour", "weight": 4},
    {"term": "BOCcoverup", "kind": "hashtag", "category": "rumour", "weight": 2},
    {"term": r"\bphosgene\b|\bfosgeen\b", "kind": "regex", "category": "rumour", "weight": 2},
]
MARKER = "Demo:"


def build_demo(path: str | Path = "cases/demo", *, posts: int = 5000, seed: int = 7,
               progress: bool = True) -> tuple[Case, list[ImportResult]]:
    """Generate the demo exports beside the case, create the case afresh, import every file.

    An existing demo case at ``path`` is replaced; any other case there is left alone.
    """
    from workbench.demo.generate import generate

    path = Path(path)
    if (path / PLAN_FILE).exists():
        if not CasePlan.load(path / PLAN_FILE).title.startswith(MARKER):
            raise CaseError(f"{path}: holds a case that is not the demo; choose another folder")
        shutil.rmtree(path)
    data_dir = path.parent / f"{path.name}-exports"
    shutil.rmtree(data_dir, ignore_errors=True)
    manifest = generate(data_dir, seed=seed, posts=posts)
    case = Case.create(path, **DEMO_PLAN)
    case.add_watch_terms([WatchTerm(**term) for term in DEMO_WATCH])
    results = [case.import_file(data_dir / name, progress=progress) for name in manifest]
    return case, results


#: Set to a demo case folder to make :func:`open_demo` (and the workshop notebooks) use it.
DEMO_ENV = "WORKBENCH_DEMO_CASE"


def open_demo(path: str | Path = "cases/demo", *, progress: bool = True) -> Case:
    """Open the demo case ready to analyse: built, enriched, located and with some items tagged as
    evidence (each done here when the case lacks it). ``WORKBENCH_DEMO_CASE`` in the
    environment, when set, names the folder instead of ``path``."""
    import os
    import warnings

    from workbench.enrich.pipeline import MissingModelWarning

    path = Path(os.environ.get(DEMO_ENV) or path)
    case = Case.open(path) if (path / PLAN_FILE).exists() else build_demo(path, progress=progress)[0]
    if not case.plan.title.startswith(MARKER):
        case.close()
        raise CaseError(f"{path}: holds a case that is not the demo",
                        hint=f"point {DEMO_ENV} or the path at the demo case (`make demo` builds it)")
    (enriched,) = case.db.execute("SELECT count(*) FROM enrichment").fetchone()
    if not enriched:
        with warnings.catch_warnings():
            # The demo works without a trained pipeline; `workbench enrich` says how to add one.
            warnings.simplefilter("ignore", MissingModelWarning)
            case.enrich(progress=progress)
    (located,) = case.db.execute("SELECT count(*) FROM places").fetchone()
    if not located:
        case.locate(progress=progress)
    if case.tags().empty:
        from workbench.demo.evidence import tag_demo_evidence

        tag_demo_evidence(case)
    return case
