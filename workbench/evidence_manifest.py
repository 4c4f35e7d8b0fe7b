"""Which evidence files a case holds, by the audit log, and the manifest of them a timestamp covers.

The audit log says which raw payloads and media files should be present (imports and collections
add them, purges destroy or redact them); a case with captures lists theirs in its ``captures``
table. The manifest is a text in ``sha256sum -c`` format (``<sha256>  raw/ab/<sha256>``) under a
few ``#`` lines, which ``sha256sum`` skips, naming the case and the audit log's head: so one
timestamp over the manifest covers every evidence file and, through the hash chain, every entry
of the audit log up to its head (each entry carries the digest of its ledger lines, which carry
the hash of every item, author and media row).
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

import sqlite_utils

MANIFEST_FORMAT = "workbench evidence manifest 1"
#: Where each kind of evidence file lives in the case folder (and in an evidence package).
FOLDERS = {"raw": "raw", "media": "media", "capture": "captures"}
_HEAD = re.compile(r"^# audit head: entry (\d+) ([0-9a-f]{64})$", re.M)
_LINE = re.compile(r"^([0-9a-f]{64})  (\S+)$")


class EvidenceFile(NamedTuple):
    """One evidence file: its kind (raw, media, capture), SHA-256 and path in the case folder."""

    kind: str
    sha256: str
    path: str


def audit_entries(db: sqlite_utils.Database) -> list[dict]:
    """Every audit entry in order, its ``detail`` parsed (``{}`` where it does not parse)."""
    entries = list(db.query("SELECT * FROM audit ORDER BY seq"))
    for entry in entries:
        try:
            entry["detail"] = json.loads(entry["detail"])
        except (TypeError, json.JSONDecodeError):
            entry["detail"] = {}
    return entries


def expected_files(entries: list[dict]) -> dict[str, set[str]]:
    """The raw and media files the audit log says should be present now."""
    present: dict[str, set[str]] = {"raw": set(), "media": set()}
    for entry in entries:
        detail, action = entry["detail"], entry["action"]
        if not isinstance(detail, dict):
            continue
        if action in ("import.started", "collect.page") and detail.get("raw"):
            present["raw"].add(detail["raw"])
        elif action == "media.stored":
            present["media"].add(detail["sha256"])
        elif action == "purge":
            for kind in ("raw", "media"):
                present[kind] -= set(detail.get(f"{kind}_destroyed", []))
            for swap in detail.get("raw_redacted", []):
                present["raw"].discard(swap["from"])
                present["raw"].add(swap["to"])
    return present


def blob_path(kind: str, sha256: str) -> str:
    """Where a content-addressed file of ``kind`` lives, relative to the case folder."""
    return f"{FOLDERS[kind]}/{sha256[:2]}/{sha256}"


def capture_files(db: sqlite_utils.Database) -> list[EvidenceFile]:
    """The captures' files (a case made before captures existed has none).

    Every column of the ``captures`` table whose name ends in ``sha256`` names a file in the
    content-addressed ``captures/`` folder. The one place to change if captures are kept
    otherwise.
    """
    if "captures" not in db.table_names():
        return []
    columns = [c for c in db["captures"].columns_dict if c.endswith("sha256")]
    shas: set[str] = set()
    for column in columns:
        shas.update(sha for (sha,) in db.execute(
            f"SELECT DISTINCT [{column}] FROM captures WHERE [{column}] IS NOT NULL"))
    return [EvidenceFile("capture", sha, blob_path("capture", sha)) for sha in sorted(shas)]


def evidence_files(db: sqlite_utils.Database, entries: list[dict]) -> list[EvidenceFile]:
    """Every evidence file the case holds now: raw payloads and media (by the audit log ``entries``)
    and captures, sorted by path."""
    present = expected_files(entries)
    files = [EvidenceFile(kind, sha, blob_path(kind, sha))
             for kind in ("raw", "media") for sha in present[kind]]
    files += capture_files(db)
    return sorted(files, key=lambda f: f.path)


def manifest_text(case_id: str, head: tuple[int, str], files: list[EvidenceFile]) -> str:
    """The manifest a timestamp covers: checkable with ``sha256sum -c`` from the case folder."""
    case_id = " ".join(str(case_id).split())  # one line, whatever the plan holds
    lines = [f"# {MANIFEST_FORMAT}", f"# case: {case_id}",
             f"# audit head: entry {head[0]} {head[1]}", f"# files: {len(files)}",
             "# check from the case (or evidence package) folder: "
             "sha256sum -c --ignore-missing THIS_FILE"]
    lines += [f"{f.sha256}  {f.path}" for f in files]
    return "\n".join(lines) + "\n"


def parse_manifest(text: str) -> tuple[tuple[int, str] | None, list[tuple[str, str]]]:
    """The audit head a manifest names (None if it names none) and its ``(sha256, path)`` lines."""
    match = _HEAD.search(text)
    head = (int(match[1]), match[2]) if match else None
    files = [(m[1], m[2]) for line in text.splitlines() if (m := _LINE.match(line))]
    return head, files
