"""Verify a case: recompute every hash and replay the audit log against what is stored.

Finds, and names: an audit entry changed, removed or reordered; a ledger line changed; an item,
author or media row added, deleted or edited behind the tool's back; a raw payload or media file
altered or removed. Purges and redactions recorded in the audit are expected, and listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbench import audit, timestamp_tokens
from workbench.evidence_manifest import capture_files, expected_files

if TYPE_CHECKING:
    from workbench.case import Case


@dataclass
class VerifyReport:
    """What ``verify`` found. ``ok`` is False when anything is wrong."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    destructions: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    head: tuple[int, str] = (0, audit.GENESIS)
    timestamps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report as lines for a person."""
        counts = ", ".join(f"{n} {what}" for what, n in self.checked.items())
        out = [f"checked {counts}", f"audit head: entry {self.head[0]} {self.head[1]}"]
        out += self.timestamps
        out += [f"destroyed: {d}" for d in self.destructions]
        out += [f"warning: {w}" for w in self.warnings]
        out += [f"PROBLEM: {p}" for p in self.problems]
        out.append("verify: OK" if self.ok else f"verify: FAILED ({len(self.problems)} problems)")
        return out


def verify(case: Case, *, tsa_ca: str | Path | None = None) -> VerifyReport:
    """Check the whole case; never changes it.

    Timestamp tokens are checked offline; their signatures against the CA certificates in the
    PEM file ``tsa_ca`` (else against the CA file stored with each token, if any).
    """
    roots = None
    if tsa_ca is not None:
        try:
            pem = Path(tsa_ca).read_bytes()
        except OSError as exc:
            raise timestamp_tokens.TimestampError(
                f"{tsa_ca}: cannot read the TSA CA file: {exc.strerror}") from exc
        roots = timestamp_tokens.load_ca(pem, str(tsa_ca))
    report = VerifyReport()
    entries = _check_chain(case, report)
    expected_rows = _check_ledger(case, entries, report)
    _check_tables(case, expected_rows, report)
    _check_files(case, entries, report)
    stamps = timestamp_tokens.check(case.db, entries, roots)
    report.problems += stamps.problems
    report.warnings += stamps.warnings
    report.timestamps = stamps.lines
    _check_plan(case, entries, report)
    _check_mirror(case, report)
    report.head = audit.head(case.db)
    return report


def _check_chain(case: Case, report: VerifyReport) -> list[dict]:
    entries = list(case.db.query("SELECT * FROM audit ORDER BY seq"))
    prev = audit.GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        seq = entry["seq"]
        if seq != expected_seq:
            report.problems.append(f"audit entry {expected_seq} is missing (next is {seq})")
        if entry["prev_hash"] != prev:
            report.problems.append(f"audit entry {seq}: does not follow the entry before it")
        recomputed = audit.entry_hash(seq, entry["at"], entry["actor"], entry["action"],
                                      entry["detail"], entry["prev_hash"])
        if recomputed != entry["hash"]:
            report.problems.append(f"audit entry {seq} ({entry['action']}): altered "
                                   "(its content no longer matches its hash)")
        prev = entry["hash"]
        try:
            entry["detail"] = json.loads(entry["detail"])
        except (TypeError, json.JSONDecodeError):
            report.problems.append(f"audit entry {seq}: detail is not readable")
            entry["detail"] = {}
    report.checked["audit entries"] = len(entries)
    return entries


def _check_ledger(case: Case, entries: list[dict], report: VerifyReport) -> dict:
    """Replay the ledger; returns table -> key -> expected row hash."""
    by_entry: dict[int, list[tuple]] = {}
    for line in case.db.execute(
        "SELECT audit_seq, tbl, key, op, row_sha256 FROM ledger ORDER BY seq"
    ):
        by_entry.setdefault(line[0], []).append(line[1:])
    expected: dict[str, dict[str, str]] = {tbl: {} for tbl in audit.LEDGER_TABLES}
    known = set()
    for entry in entries:
        seq = entry["seq"]
        known.add(seq)
        lines = by_entry.get(seq, [])
        claimed = entry["detail"].get("ledger") if isinstance(entry["detail"], dict) else None
        if claimed is None:
            if lines:
                report.problems.append(f"ledger: {len(lines)} lines under audit entry {seq}, "
                                       "which lists none")
            continue
        if len(lines) != claimed.get("lines") or audit.ledger_digest(lines) != claimed.get(
            "sha256"
        ):
            report.problems.append(
                f"ledger: the lines of audit entry {seq} ({entry['action']}) were altered, "
                f"added or removed ({len(lines)} found, {claimed.get('lines')} recorded)"
            )
        for tbl, key, op, sha in lines:
            rows = expected.setdefault(tbl, {})
            if op == "remove":
                rows.pop(key, None)
            else:
                rows[key] = sha
    orphans = set(by_entry) - known
    if orphans:
        report.problems.append(f"ledger: lines under audit entries that do not exist: "
                               f"{sorted(orphans)[:5]}")
    report.checked["ledger lines"] = sum(len(v) for v in by_entry.values())
    return expected


def _check_tables(case: Case, expected: dict[str, dict[str, str]], report: VerifyReport) -> None:
    for tbl, key_column in audit.LEDGER_TABLES.items():
        rows = expected.get(tbl, {})
        seen = set()
        for row in case.db.query(f"SELECT * FROM {tbl}"):
            key = row[key_column]
            seen.add(key)
            want = rows.get(key)
            if want is None:
                report.problems.append(f"{tbl} row {key}: added outside the workbench")
            elif audit.row_hash(tbl, row) != want:
                report.problems.append(f"{tbl} row {key}: edited outside the workbench")
        for key in rows.keys() - seen:
            report.problems.append(f"{tbl} row {key}: deleted outside the workbench")
        report.checked[tbl] = len(seen)


def _check_files(case: Case, entries: list[dict], report: VerifyReport) -> None:
    present = expected_files(entries)
    stores = {"raw": case.raw_store, "media": case.media_store}
    for kind, store in stores.items():
        for sha in sorted(present[kind]):
            problem = store.check(sha)
            if problem:
                report.problems.append(f"{kind}/{sha[:2]}/{sha}: {problem}")
        for name in store.names():
            if name not in present[kind]:
                report.warnings.append(f"{kind}/{name[:2]}/{name}: not recorded in the audit log")
        report.checked[f"{kind} files"] = len(present[kind])
    _check_captures(case, report)
    orphans = [uid for uid, sha in case.db.execute("SELECT uid, raw_sha256 FROM items")
               if sha not in present["raw"]]
    if orphans:
        report.problems.append(f"{len(orphans)} items point at a raw payload that is not in the "
                               f"case, e.g. {', '.join(orphans[:3])}")
    for entry in entries:
        if entry["action"] == "purge" and isinstance(entry["detail"], dict):
            d = entry["detail"]
            report.destructions.append(
                f"{entry['at']} by {entry['actor']}: {d.get('items', 0)} items, "
                f"{len(d.get('raw_destroyed', []))} raw payloads, "
                f"{len(d.get('raw_redacted', []))} redacted, "
                f"{len(d.get('media_destroyed', []))} media files; why: {d.get('reason')}"
            )


def _check_captures(case: Case, report: VerifyReport) -> None:
    """The files of the captures, as their rows name them (rows the ledger vouches for)."""
    files = capture_files(case.db)
    for f in files:
        problem = case.capture_store.check(f.sha256)
        if problem:
            report.problems.append(f"{f.path}: {problem}")
    named = {f.sha256 for f in files}
    for name in case.capture_store.names():
        if name not in named:
            report.warnings.append(f"captures/{name[:2]}/{name}: named by no capture")
    report.checked["capture files"] = len(files)


def _check_mirror(case: Case, report: VerifyReport) -> None:
    """The items mirror (:mod:`workbench.mirror`) is a cache, never evidence: one current with
    the store must hold exactly the store's rows; an out-of-date one is never read."""
    from workbench import mirror
    from workbench.columnar import ColumnTypeError
    from workbench.query import item_columns, items_sql

    path = mirror.path_of(case.db)
    if path is None or not path.is_file():
        return
    name = f"{mirror.FOLDER}/{mirror.NAME}"  # the store's path is absolute, the case's may not be
    columns = item_columns(case.db)
    cached = mirror.current(case.db, columns)
    if cached is None:
        report.warnings.append(f"{name}: out of date with the store, so never read (the next "
                               "read of the items writes it again; deleting it is safe)")
        return
    try:
        same = cached.equals(mirror.read_store(case.db, items_sql(columns), columns))
    except ColumnTypeError:
        same = False
    if not same:
        report.problems.append(f"{name}: differs from the store at the state it claims to mirror "
                               "(delete it: the next read of the items writes it again)")
    report.checked["mirrored items"] = cached.num_rows


def _check_plan(case: Case, entries: list[dict], report: VerifyReport) -> None:
    recorded = [e["detail"].get("plan_sha256") for e in entries
                if e["action"] in ("case.created", "plan.updated") and isinstance(e["detail"], dict)]
    if recorded and recorded[-1] != case._plan_hash():
        report.warnings.append("case.yaml was edited outside the workbench since the last audit "
                               "entry for it (open the case to record the change)")
