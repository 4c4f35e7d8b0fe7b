"""An evidence package: one zip that anyone can check with standard tools (``sha256sum``,
``openssl ts``, ``python3``, a WACZ player), without the workbench.

It holds the case's reports, raw payloads, media and captures, the items, the audit log (JSON
Lines with each entry's hashes, and a short stdlib script that recomputes the chain), every
timestamp token with its manifest and the TSA's certificates, a ``README.txt`` with the exact
commands that check each part, and ``MANIFEST.sha256`` (``sha256sum -c`` format) over all of it.
Only what the case holds now goes in: purged items and their files are gone from the case, and
reports rendered before the last purge (which may quote purged items) are left out.

``pseudonymise``: for sharing outside the team. Accounts become keyed-hash pseudonyms (one key
for the package: the items and the freshly rendered pseudonymised report name each account
alike); the raw payloads, media, captures and plan, which name accounts and cannot be altered
without breaking their hashes, stay out (the timestamp manifests still list their hashes), and
the audit log keeps only its chain (times, actions, hashes), not the details.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pandas as pd

from workbench import audit
from workbench.errors import WorkbenchError
from workbench.evidence import CHUNK, sha256_file
from workbench.evidence_manifest import audit_entries, evidence_files
from workbench.package_readme import AUDIT_SCRIPT, Contents, readme_text
from workbench.store import write
from workbench.timestamp_tokens import certificates_pem, decode, stored, token_certificates

if TYPE_CHECKING:
    from workbench.case import Case
    from workbench.report.pseudonym import Pseudonymiser

#: The items' columns a pseudonymised package keeps (no URL, link, media URL, source or query:
#: they name accounts); authors, uids, mentions and text go through the pseudonymiser.
PSEUDONYMOUS_COLUMNS = (
    "uid", "platform", "kind", "created_at", "author_id", "author_handle", "author_name", "title",
    "text", "lang", "reply_to", "repost_of", "quote_of", "conversation_id", "mentions", "hashtags",
    "likes", "reposts", "replies", "views", "lat", "lon", "place", "collected_at", "raw_sha256")
#: Items read at a time: plain rows (a few MB of Python objects), and rows to pseudonymise (fewer
#: batches: each learns the batch's names anew, and the names' pattern is compiled again).
ITEM_BATCH, PSEUDONYMOUS_BATCH = 2_000, 20_000
PSEUDONYMISED_REPORT = "package-pseudonymised"
#: A file of the package: one in the case, bytes, or a function yielding its bytes in blocks.
Member = Path | bytes | Callable[[], Iterator[bytes]]
_SAFE_NAME = re.compile(r"^[\w][\w.-]{0,199}$")


class PackageError(WorkbenchError):
    """An evidence package cannot be written."""


@dataclass
class PackageResult:
    """What :func:`write_package` wrote."""

    path: Path
    files: int
    bytes: int
    sha256: str
    pseudonymised: bool
    timestamps: int
    reports: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        kind = "a pseudonymised evidence package" if self.pseudonymised else "an evidence package"
        return (f"wrote {kind} of {self.files} files ({self.bytes / 1e6:.1f} MB, "
                f"{self.timestamps} timestamps, reports: {', '.join(self.reports) or 'none'}) to "
                f"{self.path}; its SHA-256 is {self.sha256}")


def write_package(case: Case, output: str | Path, *, pseudonymise: bool = False) -> PackageResult:
    """Write the evidence package ``output`` (a zip); see the module doc. Audited
    (``package.written``). A case that fails verify is refused."""
    output = Path(output)
    report = case.verify()
    if not report.ok:
        raise PackageError(f"{case.path}: the case fails verify ({len(report.problems)} problems): "
                           "a package would hand on what is wrong",
                           hint=f"run: workbench verify {case.path}")
    notes: list[str] = []
    pseudo = None
    if pseudonymise:
        from workbench.report.pseudonym import Pseudonymiser
        from workbench.report.render import render_report

        pseudo = Pseudonymiser()
        render_report(case, PSEUDONYMISED_REPORT, pseudonymise=pseudo)
    entries = audit_entries(case.db)
    members: dict[str, Member] = {}
    members.update(_reports(case, entries, pseudonymise, notes))
    evidence = [] if pseudonymise else evidence_files(case.db, entries)
    for f in evidence:
        members[f.path] = case.path / f.path
    members["items.jsonl"] = partial(_item_lines, case, pseudo)
    if not pseudonymise:
        members["case.yaml"] = case.path / "case.yaml"
    members["audit/audit.jsonl"] = _audit_log(case, full=not pseudonymise)
    members["audit/check_audit.py"] = AUDIT_SCRIPT.encode("utf-8")
    stamps = _timestamps(case)
    members.update(stamps)
    stamp_ids = sorted({name.split("/")[1] for name in stamps}, key=int)
    contents = Contents(
        case_id=case.plan.id, pseudonymised=pseudonymise,
        head=(entries[-1]["seq"], entries[-1]["hash"]),
        reports=sorted(name for name in members if name.startswith("reports/")),
        evidence={kind: sum(1 for f in evidence if f.kind == kind)
                  for kind in ("raw", "media", "capture")},
        captures=[f.path for f in evidence if f.kind == "capture" and _is_wacz(case.path / f.path)],
        timestamps=stamp_ids, ca_files={n.split("/")[1] for n in stamps if n.endswith("/tsa-ca.pem")},
        items=case.db["items"].count)
    top = f"{_safe(case.plan.id)}-evidence"
    readme = readme_text(contents, top, output.name).encode("utf-8")
    files, zip_sha, manifest_sha = _write_zip(output, top, {"README.txt": readme, **members})
    with write(case.db):
        audit.append(case.db, "package.written", {
            "file": output.name, "sha256": zip_sha, "files": files, "manifest_sha256": manifest_sha,
            "pseudonymised": pseudonymise, "audit_head": list(contents.head),
            "timestamps": [int(t) for t in stamp_ids]})
    return PackageResult(path=output, files=files, bytes=output.stat().st_size, sha256=zip_sha,
                         pseudonymised=pseudonymise, timestamps=len(stamp_ids),
                         reports=contents.reports, notes=notes)


def _reports(case: Case, entries: list[dict], pseudonymise: bool, notes: list[str]) -> dict[str, Path]:
    """The reports to package: those the audit records as rendered, unchanged since, and
    rendered after the last purge (an earlier one may quote purged items)."""
    rendered: dict[str, tuple[int, str, bool]] = {}
    last_purge = 0
    for entry in entries:
        detail = entry["detail"]
        if entry["action"] == "purge":
            last_purge = entry["seq"]
        elif entry["action"] == "report.rendered" and isinstance(detail, dict):
            pseudonymous = bool((detail.get("options") or {}).get("pseudonymise"))
            for name, sha in (detail.get("files") or {}).items():
                rendered[name] = (entry["seq"], sha, pseudonymous)
    chosen: dict[str, Path] = {}
    folder = case.path / "reports"
    for path in sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []:
        seq, sha, pseudonymous = rendered.get(path.name, (None, None, False))
        if pseudonymise and not path.name.startswith(f"{PSEUDONYMISED_REPORT}."):
            continue
        if seq is None or not _SAFE_NAME.match(path.name):
            notes.append(f"reports/{path.name}: not recorded as rendered by the workbench: left out")
        elif sha256_file(path) != sha:
            notes.append(f"reports/{path.name}: changed since it was rendered: left out")
        elif seq < last_purge:
            notes.append(f"reports/{path.name}: rendered before the last purge, so it may show "
                         "purged items: left out (render it again to include it)")
        else:
            chosen[f"reports/{path.name}"] = path
    if not chosen:
        notes.append("no report in the package: render one with `workbench run DIR --phase reporting`")
    return chosen


def _item_lines(case: Case, pseudo: Pseudonymiser | None) -> Iterator[bytes]:
    """The items as JSON Lines, a batch at a time: each row as stored (the values the ledger
    hashes), or its pseudonymous columns through ``pseudo``."""
    stored = list(case.db["items"].columns_dict)
    columns = stored if pseudo is None else [c for c in PSEUDONYMOUS_COLUMNS if c in stored]
    cursor = case.db.execute(f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM items "
                             "ORDER BY created_at, uid")
    while rows := cursor.fetchmany(ITEM_BATCH if pseudo is None else PSEUDONYMOUS_BATCH):
        if pseudo is None:
            records = (dict(zip(columns, row, strict=True)) for row in rows)
        else:
            frame = pd.DataFrame.from_records(rows, columns=columns)
            for column in ("mentions", "hashtags"):  # JSON text as stored; lists to pseudonymise
                if column in frame.columns:
                    frame[column] = frame[column].map(_json_list)
            records = pseudo.items(frame).to_dict(orient="records")
        yield b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records)


def _json_list(value: object) -> list:
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        return []
    return parsed if isinstance(parsed, list) else []


def _audit_log(case: Case, *, full: bool) -> bytes:
    """The audit log as JSON Lines: each entry with its detail exactly as hashed (``full``), or
    only its chain (sequence, time, action, previous hash, hash)."""
    keep = ("seq", "at", "actor", "action", "detail", "prev_hash", "hash") if full else (
        "seq", "at", "action", "prev_hash", "hash")
    rows = case.db.execute(f"SELECT {', '.join(keep)} FROM audit ORDER BY seq")
    return "".join(json.dumps(dict(zip(keep, row, strict=True)), ensure_ascii=False) + "\n"
                   for row in rows).encode("utf-8")


def _timestamps(case: Case) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    for row in stored(case.db):
        folder = f"timestamps/{row['id']}"
        token = bytes(row["token"])
        members[f"{folder}/manifest.sha256"] = row["manifest"].encode("utf-8")
        members[f"{folder}/token.tsr"] = token
        try:
            certs = certificates_pem(token_certificates(decode(token)))
        except ValueError:
            certs = ""
        if certs:
            members[f"{folder}/tsa-certs.pem"] = certs.encode("ascii")
        if row["ca_pem"]:
            members[f"{folder}/tsa-ca.pem"] = row["ca_pem"].encode("ascii")
        info = {k: row[k] for k in ("id", "gen_time", "tsa_url", "tsa_name", "serial", "policy",
                                    "audit_seq", "audit_hash", "files", "manifest_sha256",
                                    "token_sha256")}
        members[f"{folder}/timestamp.json"] = (json.dumps(info, indent=2) + "\n").encode("utf-8")
    return members


def _write_zip(output: Path, top: str, members: dict[str, Member]) -> tuple[int, str, str]:
    """Write the zip (atomically); returns how many files, its SHA-256 and MANIFEST.sha256's."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".part")
    os.close(fd)
    lines = []
    try:
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, source in members.items():
                lines.append(f"{_add(archive, f'{top}/{name}', source)}  {name}\n")
            manifest = "".join(lines).encode("utf-8")
            archive.writestr(f"{top}/MANIFEST.sha256", manifest)
        os.replace(tmp_name, output)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return len(members) + 1, sha256_file(output), hashlib.sha256(manifest).hexdigest()


def _add(archive: zipfile.ZipFile, name: str, source: Member) -> str:
    """Add one member, hashing it as it goes; returns its SHA-256."""
    digest = hashlib.sha256()
    if isinstance(source, bytes):
        digest.update(source)
        archive.writestr(name, source)
        return digest.hexdigest()
    if isinstance(source, Path):
        info, blocks = zipfile.ZipInfo.from_file(source, name), _blocks(source)
    else:
        info, blocks = zipfile.ZipInfo(name, date_time=time.localtime()[:6]), source()
    info.compress_type = archive.compression
    with archive.open(info, "w", force_zip64=True) as out:
        for block in blocks:
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            yield block


def _is_wacz(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "datapackage.json" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", str(name)).strip("-.") or "case"
