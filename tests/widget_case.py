"""A small case for the widget tests: two platforms, English and German posts, places, hashtags,
mentions, hostile text, and one malformed line (quarantined)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from workbench.case import Case

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)">'
EN = ["The river fire in Leeds is spreading near the bridge #riverfire @fire_watch",
      "Great work by the crews in Leeds tonight, thank you #riverfire",
      "Smoke over Manchester this morning, awful air #smoke"]
DE = ["Der Brand am Fluss in Berlin ist schrecklich und gefährlich #flussbrand",
      "Heute Abend wieder Rauch über Berlin, die Feuerwehr ist da"]


def rows() -> list[dict]:
    """40 posts over four days; post 7 carries hostile text."""
    out = []
    for i in range(40):
        text = (EN + DE)[i % 5] + f" (post {i})"
        if i == 7:
            text = f"Leeds {HOSTILE} #riverfire"
        out.append({"id": f"p{i}", "platform": "forum" if i % 4 == 0 else "board",
                    "created_at": f"2024-03-{1 + i // 10:02d}T{(i * 2) % 24:02d}:{i % 60:02d}:00Z",
                    "text": text, "author": f"user{i % 6}", "url": f"https://example.org/p/{i}"})
    return out


def write_export(path: Path) -> Path:
    """The posts as a JSON-lines export with one malformed (hostile) line."""
    lines = [json.dumps(r, ensure_ascii=False) for r in rows()]
    lines.insert(3, '{"id": "bad", "text": "' + HOSTILE.replace('"', "'") + '", broken')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build(folder: Path, *, enrich: bool = True) -> Case:
    """Create, import into, and (with ``enrich``) enrich and locate the case at ``folder``."""
    case = Case.create(folder, title="River fire", legal_basis="public interest research",
                       retention_until="2099-01-01", countries=["GB", "DE"], languages=["en", "de"],
                       requirements=["Where did the fire start?", "Who spread the first reports?"])
    case.import_file(write_export(folder.parent / f"{folder.name}-export.jsonl"), progress=False)
    if enrich:
        from workbench.enrich.pipeline import MissingModelWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingModelWarning)
            case.enrich(ner=False, progress=False)
        case.locate(progress=False)
    return case
