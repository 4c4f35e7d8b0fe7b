"""A small case for the hand-off export tests: selectors of every kind in the text, three accounts
that post the same link and text within seconds, and geotagged posts (one with a hostile place
name). Imported, enriched (rules only, no trained pipeline) and located."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from workbench.case import Case

BTC = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
LINK = "https://drop.example.net/files"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SHARED = "Share this NOW before they delete it"


def rows() -> list[dict]:
    """Seven posts by four accounts on 1 March 2024."""
    def post(i: int, author: str, at: str, text: str, **extra) -> dict:
        return {"id": f"p{i}", "created_at": f"2024-03-01T{at}Z", "text": text, "author": author,
                "author_id": f"id-{author}", "url": f"https://forum.example/p/{i}", **extra}

    return [
        post(0, "alice", "10:00:00", f"Donate {BTC} or {ETH}, tips to tips@example.org, call "
             f"+44 20 7946 0958, server 185.220.101.4, ask @fire_watch", links=[LINK]),
        post(1, "bob", "10:00:20", f"{SHARED} {LINK}", links=[LINK]),
        post(2, "carol", "10:00:40", f"{SHARED} {LINK}", links=[LINK]),
        post(3, "dave", "12:00:00", "Quiet day by the river", lat=53.7997, lon=-1.5492,
             place="Leeds"),
        post(4, "dave", "13:00:00", "Smoke again", lat=53.4808, lon=-2.2426, place=HOSTILE),
        post(5, "alice", "14:00:00", f"Again: {BTC} and @fire_watch"),
        post(6, "bob", "14:00:30", "Nothing to see here"),
    ]


def build(path: Path) -> Case:
    """The case in ``path``, ready to export."""
    case = Case.create(path, title="Hand-off test", legal_basis="public interest research",
                       retention_until="2099-01-01", countries=["GB"], languages=["en"])
    source = path.parent / "handoff.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in rows()) + "\n", encoding="utf-8")
    case.import_file(source, progress=False)
    case.enrich(ner=False, progress=False)
    case.locate(progress=False)
    return case


_BUILT: dict[str, Path] = {}


def copy_of_case(tmp_path_factory) -> Case:
    """A fresh copy of the case, built once per test session (enrichment takes seconds)."""
    if "case" not in _BUILT:
        built = build(tmp_path_factory.mktemp("handoff") / "case")
        built.close()
        _BUILT["case"] = built.path
    target = tmp_path_factory.mktemp("handoff-copy") / "case"
    shutil.copytree(_BUILT["case"], target)
    return Case.open(target)
