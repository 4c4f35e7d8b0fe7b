"""Importing a file into a case: store it as received, split it into records, map, write, audit.

The payload is stored under ``raw/`` before anything is parsed, so nothing received is lost even
when parsing fails. Records are written in batches, each batch one transaction with its audit
entry, so an interrupted import keeps every batch already written and a second run of the same
file adds only what is missing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

import workbench
from workbench import audit, mapping
from workbench.collect import get_format, sniff
from workbench.collect.base import FileFormat, Payload
from workbench.collect.limits import Limits
from workbench.collect.readers import UNREADABLE_MEMBER, excerpt
from workbench.errors import SizeLimitError
from workbench.ingest_input import (
    decide_times,
    file_encoding,
    open_media,
    resolve_input,
    take_sample,
    time_options,
)
from workbench.mapping import Batch, Problem, Rows
from workbench.store import chunks, insert_items, write
from workbench.timeutil import now_text

if TYPE_CHECKING:
    from workbench.case import Case

BATCH = 5000


@dataclass
class ImportResult:
    """What one import did, for the summary line and for scripts."""

    run_id: int
    path: str
    format: str
    sha256: str
    imported: int = 0
    duplicates: int = 0
    quarantined: int = 0
    authors_added: int = 0
    authors_updated: int = 0
    media_files: int = 0
    notes: dict[str, int] = field(default_factory=dict)
    #: How the file was read where it could not say itself: "times read day-first (...)".
    readings: list[str] = field(default_factory=list)
    status: str = "running"

    @property
    def read_anything(self) -> bool:
        return self.imported + self.duplicates > 0

    def summary(self) -> str:
        parts = [
            f"{self.path}: {self.format}",
            f"{self.imported} imported",
            f"{self.duplicates} duplicates",
            f"{self.quarantined} quarantined",
        ]
        if self.media_files:
            parts.append(f"{self.media_files} media files")
        parts += [f"{count} {note}" for note, count in sorted(self.notes.items())]
        parts += self.readings
        return ", ".join(parts)


_CREATED_AT = mapping.ITEM_ROW.index("created_at")


def _within(rows: list[Rows], period: tuple[str | None, str | None], result: ImportResult) -> list[Rows]:
    """The rows made within ``period`` (an item with no time is kept); counts the others."""
    start, before = period
    kept = [r for r in rows if (made := r.values[_CREATED_AT]) is None
            or ((start is None or made >= start) and (before is None or made < before))]
    if len(kept) < len(rows):
        label = "outside the plan's period, not kept"
        result.notes[label] = result.notes.get(label, 0) + len(rows) - len(kept)
    return kept


class Importer:
    """Imports one file into one case."""

    def __init__(self, case: Case, fmt: FileFormat, options: dict, progress: bool):
        self.case = case
        self.db = case.db
        self.fmt = fmt
        self.options = options
        self.progress = progress
        self.author_columns = [column.name for column in self.db["authors"].columns]

    def run(self, path: Path, payload: Payload, result: ImportResult, *, source: str | None = None,
            collector: str | None = None,
            period: tuple[str | None, str | None] = (None, None)) -> ImportResult:
        """Map and write the payload; a live collector names its own ``source`` and ``collector``,
        and ``period`` (from, before: ISO dates or times, UTC) keeps only the items made within it
        (data minimisation: a platform's page holds what it holds, the case takes what it needs)."""
        self.collected_at = now_text()
        self.batch_action = "collect.batch" if collector else "import.batch"
        self.period = period
        given = {
            "source": source or f"file:{path.name}",
            "collector": collector or f"import:{self.fmt.name}",
            "collector_version": f"{workbench.__version__}/{self.fmt.version}",
            "collected_at": self.collected_at,
            "run_id": result.run_id,
            "raw_sha256": payload.sha256,
        }
        provenance = tuple(given[name] for name in mapping.PROVENANCE_GIVEN)
        large = payload.path.stat().st_size >= mapping.WORKER_MIN_BYTES
        produce = mapping.batches_in_worker if large else mapping.batches
        with tqdm(desc=path.name, unit=" records", disable=not self.progress, leave=False,
                  mininterval=0.5) as bar, mapping.gc_paused():
            for batch in produce(self.fmt, payload, self.options, provenance, BATCH):
                self._write_batch(batch, payload, result)
                bar.update(batch.records)
        return result

    def _write_batch(self, batch: Batch, payload: Payload, result: ImportResult) -> None:
        if self.period != (None, None):
            batch.rows = _within(batch.rows, self.period, result)
        media_files = self._store_media(batch.rows, payload, result)
        with write(self.db):
            changes: list[audit.Change] = []
            added, duplicates = self._insert_items(batch, changes)
            for label, count in batch.notes.items():
                result.notes[label] = result.notes.get(label, 0) + count
            self._merge_authors(batch.rows, result, changes)
            self._insert_media(batch.rows, media_files, result, changes)
            quarantined = self._quarantine(batch.problems, payload, result)
            result.imported += added
            result.duplicates += duplicates
            result.quarantined += quarantined
            if changes or quarantined:
                audit.append(self.db, self.batch_action, {
                    "run": result.run_id, "items_added": added, "duplicates": duplicates,
                    "quarantined": quarantined,
                }, changes)

    def _insert_items(self, batch: Batch, changes) -> tuple[int, int]:
        """Insert the batch's new items; returns (added, duplicates). A record whose id is known
        but whose text, title, links or media differ (a message edited since an earlier export)
        is no duplicate: it joins the batch's problems, so the quarantine shows it."""
        stored = _stored_content(self.db, [rows.uid for rows in batch.rows])
        # Most rows are new: their content is normalised only when their uid turns up again.
        earlier: dict[str, tuple] = {}
        new = []
        differing = 0
        for rows in batch.rows:
            if rows.uid in stored:
                before = stored[rows.uid]
            elif rows.uid in earlier:
                before = _content(earlier[rows.uid])
            else:
                earlier[rows.uid] = rows.values
                new.append(rows.values)
                changes.append(audit.Change("items", rows.uid, "add", rows.digest))
                continue
            content = _content(rows.values)
            if before != content:
                differing += 1
                values = dict(zip(mapping.ITEM_ROW, rows.values, strict=True))
                batch.problems.append(Problem(
                    values["raw_locator"], values["raw_span"],
                    f"{rows.uid} is in the case already with another {_differs(before, content)}"
                    " (the stored version is kept; this one stays in its raw file)",
                    excerpt(values["text"] or values["title"] or "")))
        insert_items(self.db, mapping.ITEM_ROW, new)
        return len(new), len(batch.rows) - len(new) - differing

    def _merge_authors(self, mapped: list[Rows], result, changes) -> None:
        incoming: dict[str, dict] = {}
        for rows in mapped:
            for row in rows.authors:
                known = incoming.get(row["uid"])
                incoming[row["uid"]] = _merge(known, row) if known else row
        if not incoming:
            return
        columns = self.author_columns
        old = {}
        for chunk in chunks(list(incoming)):
            cursor = self.db.execute(
                f"SELECT {', '.join(columns)} FROM authors "
                f"WHERE uid IN ({', '.join('?' * len(chunk))})", chunk)
            for values in cursor:
                row = dict(zip(columns, values, strict=True))
                old[row["uid"]] = row
        now, run_id = self.collected_at, result.run_id
        writes = []
        for uid, row in incoming.items():
            before = old.get(uid)
            if before is None:
                row.update(first_seen_at=now, updated_at=now, run_id=run_id)
                changes.append(audit.Change("authors", uid, "add", audit.row_hash("authors", row)))
                result.authors_added += 1
            else:
                row = _merge(before, row)
                if row == before:
                    continue
                row.update(updated_at=now, run_id=run_id)
                changes.append(audit.Change("authors", uid, "update",
                                             audit.row_hash("authors", row)))
                result.authors_updated += 1
            writes.append(row)
        self.db.conn.executemany(
            f"INSERT OR REPLACE INTO authors ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            [tuple(row.get(c) for c in columns) for row in writes],
        )

    def _store_media(self, mapped, payload: Payload, result) -> dict[str, tuple[str, int]]:
        """Store media files that the export carries; returns member -> (sha256, size)."""
        wanted = {media.member for rows in mapped for media in rows.media if media.member}
        if not wanted:
            return {}
        stored: dict[str, tuple[str, int]] = {}
        refused = unreadable = 0
        for member, stream in open_media(payload, wanted):
            if stream is None:
                refused += 1
                continue
            try:
                with stream:
                    stored[member] = self.case.media_store.put_stream(stream)
            except SizeLimitError:  # it inflated past the cap that its declared size is under
                refused += 1
            except UNREADABLE_MEMBER:
                unreadable += 1
        missing = len(wanted) - len(stored) - refused - unreadable
        for label, count in (("media files named but not in the export", missing),
                             ("media files over the --max-member-size cap, not stored", refused),
                             ("media files damaged in the archive, not stored", unreadable)):
            if count:
                result.notes[label] = result.notes.get(label, 0) + count
        return stored

    def _insert_media(self, mapped, media_files, result, changes) -> None:
        """Add new media rows; give a file to known rows that lacked one; record stored files."""
        for member, (sha, size) in media_files.items():
            if _register_payload(self.db, sha, "media", member, size, result.run_id):
                audit.append(self.db, "media.stored", {"sha256": sha, "name": member,
                                                        "size": size, "run": result.run_id})
                result.media_files += 1
        rows: dict[str, dict] = {}
        for record_rows in mapped:
            for media in record_rows.media:
                if media.member in media_files:
                    media.sha256 = media_files[media.member][0]
                row = media.to_row()
                row["run_id"] = result.run_id
                rows.setdefault(row["uid"], row)
        if not rows:
            return
        known = {
            uid: sha for chunk in chunks(list(rows)) for uid, sha in self.db.execute(
                f"SELECT uid, sha256 FROM media WHERE uid IN ({', '.join('?' * len(chunk))})",
                chunk)
        }
        fresh = [row for uid, row in rows.items() if uid not in known]
        if fresh:
            self.db["media"].insert_all(fresh)
            changes.extend(audit.Change("media", r["uid"], "add", audit.row_hash("media", r))
                           for r in fresh)
        for uid, row in rows.items():
            if uid in known and known[uid] is None and row["sha256"]:
                self.db.execute("UPDATE media SET sha256 = ? WHERE uid = ?", [row["sha256"], uid])
                updated = next(self.db.query("SELECT * FROM media WHERE uid = ?", [uid]))
                changes.append(audit.Change("media", uid, "update",
                                              audit.row_hash("media", updated)))

    def _quarantine(self, problems: list[Problem], payload: Payload, result) -> int:
        """Keep the problems not already quarantined from this payload; returns how many."""
        known = {
            row[0] for row in self.db.execute(
                "SELECT span FROM quarantine WHERE raw_sha256 = ?", [payload.sha256])
        }
        fresh = [p for p in problems if p.span not in known]
        now = now_text()
        self.db["quarantine"].insert_all(
            {
                "run_id": result.run_id, "source": payload.name, "raw_sha256": payload.sha256,
                "locator": p.locator, "span": p.span, "reason": p.reason, "excerpt": p.excerpt,
                "at": now,
            }
            for p in fresh
        )
        return len(fresh)


def import_file(
    case: Case,
    path: str | Path,
    *,
    format: str = "auto",
    column_map: dict[str, str] | None = None,
    encoding: str | None = None,
    dayfirst: bool | None = None,
    time_format: str | None = None,
    limits: Limits | None = None,
    progress: bool = True,
) -> ImportResult:
    """Import one exported file (or a Telegram export folder) into the case.

    Lines that are not UTF-8 are read in ``encoding`` (e.g. ``cp1251``), else in the encoding
    detected from the file's start, else as Windows-1252; each such record says which.

    Numeric dates in a generic file's time column (``15/03/2024``) are read day-first when
    ``dayfirst`` is True, month-first when False, in ``time_format`` (strptime) when given; else
    as the column shows, decided once for the file (see :meth:`FileFormat.decide_times`) and
    said in the result's ``readings``. ``limits`` are the size caps (:class:`Limits`).
    """
    case.require_collection_allowed()
    limits = limits or Limits()
    path = resolve_input(Path(path))
    sample, compression = take_sample(path)
    fmt = sniff(sample) if format == "auto" else get_format(format)
    options = {"column_map": {**case.plan.column_map, **(column_map or {})},
               "encoding": file_encoding(encoding, sample), **time_options(dayfirst, time_format)}
    sha, size = case.raw_store.put_file(path)
    payload = Payload(sha, case.raw_store.path(sha), path.name, path.parent, compression, limits)
    result = ImportResult(0, str(path), fmt.name, sha)
    result.readings = decide_times(fmt, payload, options)
    if limits != Limits():
        options["limits"] = asdict(limits)
    with write(case.db):
        result.run_id = case.db["runs"].insert({
            "kind": "import", "source": str(path), "format": fmt.name,
            "collector": f"import:{fmt.name}",
            "collector_version": f"{workbench.__version__}/{fmt.version}",
            "started_at": now_text(), "status": "running", "actor": audit.actor(),
            "detail": audit.canonical({"sha256": sha, "size": size, "options": options}),
        }).last_pk
        _register_payload(case.db, sha, "raw", path.name, size, result.run_id,
                          format=fmt.name, compression=compression)
        started = {"run": result.run_id, "file": path.name, "sha256": sha, "size": size,
                   "format": fmt.name, "raw": sha}
        if result.readings:
            started["readings"] = result.readings
        audit.append(case.db, "import.started", started)
    try:
        Importer(case, fmt, options, progress).run(path, payload, result)
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        _finish(case, result, status, error=str(exc) or type(exc).__name__)
        raise
    _finish(case, result, "done")
    return result


def _finish(case: Case, result: ImportResult, status: str, error: str | None = None) -> None:
    result.status = status
    with write(case.db):
        case.db["runs"].update(result.run_id, {
            "finished_at": now_text(), "status": status, "imported": result.imported,
            "duplicates": result.duplicates, "quarantined": result.quarantined,
        })
        detail = {"run": result.run_id, "status": status, "imported": result.imported,
                  "duplicates": result.duplicates, "quarantined": result.quarantined}
        if error:
            detail["error"] = error[:500]
        audit.append(case.db, "import.finished", detail)


def _register_payload(db, sha: str, kind: str, name: str, size: int, run_id: int,
                      **extra) -> bool:
    """List a stored file in ``payloads`` (again, if it had been destroyed); True if it is new."""
    row = db.execute("SELECT status FROM payloads WHERE sha256 = ?", [sha]).fetchone()
    if row is not None and row[0] == "present":
        return False
    db["payloads"].insert({
        "sha256": sha, "kind": kind, "name": name, "size": size, "stored_at": now_text(),
        "run_id": run_id, "status": "present", **extra,
    }, replace=True)
    return True





#: What an edit at the source changes: a known id with another of these is not a duplicate.
#: (Links and media are left out: two sources of one post list them differently.)
CONTENT_COLUMNS = ("text", "title")
_CONTENT = tuple(mapping.ITEM_ROW.index(column) for column in CONTENT_COLUMNS)


def _stored_content(db, uids: list[str]) -> dict[str, tuple]:
    """uid -> its :data:`CONTENT_COLUMNS` values, for the uids the case holds already."""
    found: dict[str, tuple] = {}
    for chunk in chunks(uids):
        for uid, *content in db.execute(
            f"SELECT uid, {', '.join(CONTENT_COLUMNS)} FROM items "
            f"WHERE uid IN ({', '.join('?' * len(chunk))})", chunk
        ):
            found[uid] = _content(content, range(len(CONTENT_COLUMNS)))
    return found


def _content(values, at=_CONTENT) -> tuple:
    """The values that an edit changes, runs of white space aside (sources space text apart)."""
    return tuple(" ".join(value.split()) if isinstance(value, str) else value
                 for value in (values[i] for i in at))


def _differs(before: tuple, after: tuple) -> str:
    return " and ".join(name for name, old, new in zip(CONTENT_COLUMNS, before, after, strict=True)
                        if old != new)


def _merge(old: dict, new: dict) -> dict:
    """A newer snapshot of an account wins, but a field it lacks does not erase what was known."""
    return {**old, **{k: v for k, v in new.items() if v is not None}}


