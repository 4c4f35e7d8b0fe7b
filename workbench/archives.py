"""Web archive records of the pages the items link to: is each one in the Wayback Machine, from
when, and was it saved there at the analyst's request. An optional online feature: nothing here
goes on the network unless a look-up or a save is asked for.

Each URL the items link to is taken once, as its article (:func:`workbench.urls.link_key`: no
``www.``, trackers or fragment), and asked about at the time the first item linked to it, so the
answer is the snapshot closest to what the post's readers saw. Only public http(s) addresses are
asked: a link to ``localhost`` or a private address never leaves the case.

``archives`` has one row per archive and URL: the question asked, the answer as received, the
snapshot it names, and any save. Its rows are tracked by the ledger as items are, so ``verify``
finds one edited, added or removed behind the tool's back. ``archive_links`` says which items cite
each URL; a purge takes an item's links with it, and the rows of URLs no kept item cites.
Each batch of answers is written in one transaction with its audit entry, so an interrupted or
rate-limited run keeps what it learnt and the next run asks only what is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from tqdm.auto import tqdm

import workbench
from workbench import audit
from workbench.cited import cited_urls, public_http
from workbench.query import frame
from workbench.store import HASHED, chunks, write
from workbench.timeutil import now_text
from workbench.wayback import RateLimited, Snapshot, Wayback, WaybackError, snapshot_time

if TYPE_CHECKING:
    from workbench.case import Case

ARCHIVE = "wayback"
BATCH = 20
COLUMNS = HASHED["archives"]


@dataclass
class ArchiveResult:
    """What one look-up or save run did."""

    run_id: int
    kind: str  # "lookup" or "save"
    asked: int = 0
    available: int = 0  # look-ups: a snapshot exists
    saved: int = 0  # saves: a capture exists now
    requested: int = 0  # saves: taken, no capture named yet
    pending: int = 0  # saves: an SPN2 job still running
    failed: list[dict] = field(default_factory=list)  # {"url", "reason"}
    left: int = 0  # not asked: the run stopped first
    stopped: str | None = None
    status: str = "running"

    def summary(self) -> str:
        if self.kind == "lookup":
            text = (f"web archive: {self.asked} URLs looked up, {self.available} in the Wayback "
                    f"Machine, {self.asked - self.available - len(self.failed)} not")
        else:
            text = (f"web archive: {self.asked} URLs sent to Save Page Now, {self.saved} saved, "
                    f"{self.requested} requested, {self.pending} pending")
        text += f", {len(self.failed)} failed"
        if self.failed:
            text += "; e.g. " + "; ".join(f"{f['url']}: {f['reason']}" for f in self.failed[:3])
        if self.stopped:
            text += f"; stopped ({self.stopped}) with {self.left} left: run it again to resume"
        return text


def archive_table(case: Case) -> pd.DataFrame:
    """The case's archive records, most cited first, with the number of items citing each URL
    (``items``); times (``asked_at``, ``snapshot_at``, ``saved_at``, ``save_at``) in UTC."""
    columns = {name: case.db["archives"].columns_dict[name] for name in COLUMNS}
    rows = case.db.execute(
        f"SELECT {', '.join(f'a.[{c}]' for c in COLUMNS)}, "
        "(SELECT count(*) FROM archive_links l WHERE l.key = a.key) AS cited FROM archives a "
        "ORDER BY cited DESC, a.key").fetchall()
    df = frame(rows, {**columns, "items": int})
    for name in ("asked_at", "snapshot_at", "saved_at", "save_at"):
        df[name] = pd.to_datetime(df[name], utc=True, format="ISO8601")
    df["available"] = df["available"].astype("Int64")  # 1, 0, or missing: not asked or failed
    return df


def lookup(case: Case, wayback: Wayback, *, urls: Iterable[str] | None = None,
           refresh: bool = False, limit: int | None = None, progress: bool = True) -> ArchiveResult:
    """Ask the availability API about each cited URL not asked yet (every one with ``refresh``;
    those a run failed on are asked again), at most ``limit`` of them."""
    case.require_collection_allowed()
    known = _known(case)
    cited = cited_urls(case, urls=urls)
    todo = [row for row in cited.itertuples(index=False) if refresh or row.key not in known
            or known[row.key]["available"] is None]
    todo = todo[:limit] if limit is not None else todo

    def ask(result: ArchiveResult, row) -> dict | None:
        stamp = row.first_at.strftime("%Y%m%d%H%M%S") if pd.notna(row.first_at) else None
        try:
            snap = wayback.available(row.asked, stamp)
        except RateLimited:
            raise
        except WaybackError as exc:
            snap = exc
        return _lookup_row(result, row, stamp, snap, known.get(row.key))

    return _run(case, "lookup", wayback, todo, ask, BATCH, progress)


def save(case: Case, wayback: Wayback, *, urls: Iterable[str] | None = None,
         limit: int | None = None, progress: bool = True) -> ArchiveResult:
    """Ask Save Page Now to capture the cited URLs: those named in ``urls`` whatever their
    state; by default each one with no snapshot known and no save yet (SPN2 jobs left pending
    by an earlier run are asked about again)."""
    case.require_collection_allowed()
    known = _known(case)
    todo = [row for row in cited_urls(case, urls=urls).itertuples(index=False)
            if urls is not None or _wants_saving(known.get(row.key))]
    todo = todo[:limit] if limit is not None else todo

    def ask(result: ArchiveResult, row) -> dict:
        before = known.get(row.key)
        job = before["save_job"] if before and before["save_status"] == "pending" else None
        try:
            saved = wayback.save_status(job) if job else wayback.save(row.url)
        except RateLimited:
            raise
        except WaybackError as exc:
            saved = exc
        return _save_row(result, row, saved, before)

    return _run(case, "save", wayback, todo, ask, 1, progress)


def _run(case: Case, kind: str, wayback: Wayback, todo: list, ask, batch_size: int,
         progress: bool) -> ArchiveResult:
    """Ask about each row of ``todo`` (``ask`` returns the archive row to store, or None),
    committing every ``batch_size`` answers; a long rate limit stops the run, to be resumed."""
    result = _start(case, kind, wayback, len(todo))
    batch: list[tuple[dict, object]] = []
    try:
        with tqdm(todo, desc=f"wayback {kind}", unit=" URLs", disable=not progress,
                  leave=False) as bar:
            for n, row in enumerate(bar):
                try:
                    out = ask(result, row)
                except RateLimited as exc:
                    result.stopped, result.left = str(exc), len(todo) - n
                    break
                if out is not None:
                    batch.append((out, row))
                if len(batch) >= batch_size:
                    _commit(case, result, batch, f"archive.{kind}")
                    batch = []
    except BaseException as exc:
        _commit(case, result, batch, f"archive.{kind}")
        _finish(case, result, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
        raise
    _commit(case, result, batch, f"archive.{kind}")
    _finish(case, result, "interrupted" if result.stopped else "done")
    return result


def _wants_saving(row: dict | None) -> bool:
    if row is None:
        return True
    return row["save_status"] == "pending" or (row["available"] != 1 and row["save_status"]
                                                not in ("saved", "requested"))


def _known(case: Case) -> dict[str, dict]:
    return {row["key"]: row for row in case.db.query(
        "SELECT * FROM archives WHERE archive = ?", [ARCHIVE])}


def _blank(row, before: dict | None) -> dict:
    out = dict(before) if before else dict.fromkeys(COLUMNS)
    out.update(uid=f"{ARCHIVE}:{row.key}", archive=ARCHIVE, key=row.key, url=row.url)
    return out


def _lookup_row(result: ArchiveResult, row, stamp: str | None, snap: Snapshot | WaybackError,
                before: dict | None) -> dict | None:
    """The row a look-up's answer makes (None: a failure that leaves a good earlier answer)."""
    result.asked += 1
    if isinstance(snap, WaybackError):
        result.failed.append({"url": row.url, "reason": str(snap)})
        if before and before["available"] is not None:
            return None
        out = _blank(row, before)
        out.update(asked=row.asked, asked_at=now_text(), timestamp=stamp, available=None,
                   error=str(snap)[:300], run_id=result.run_id)
        return out
    result.available += int(snap.available)
    out = _blank(row, before)
    out.update(asked=row.asked, asked_at=now_text(), timestamp=stamp, available=int(snap.available),
               snapshot_url=snap.url, snapshot_at=snapshot_time(snap.timestamp),
               snapshot_status=snap.status, answer=snap.answer, error=None, run_id=result.run_id)
    return out


def _save_row(result: ArchiveResult, row, saved, before: dict | None) -> dict:
    result.asked += 1
    out = _blank(row, before)
    out.update(saved_at=now_text(), run_id=result.run_id)
    if isinstance(saved, WaybackError) or saved.status == "failed":
        reason = str(saved) if isinstance(saved, WaybackError) else saved.error
        result.failed.append({"url": row.url, "reason": reason})
        out.update(save_status="failed", save_error=(reason or "")[:300])
        return out
    setattr(result, saved.status, getattr(result, saved.status) + 1)
    out.update(save_status=saved.status, save_url=saved.url, save_at=snapshot_time(saved.timestamp),
               save_job=saved.job, save_error=None)
    return out


def _commit(case: Case, result: ArchiveResult, batch: list[tuple[dict, object]], action: str) -> None:
    """Write a batch of archive rows and the items citing them, with one audit entry."""
    if not batch:
        return
    db = case.db
    with write(db):
        changes = []
        for out, row in batch:
            existed = db.execute("SELECT 1 FROM archives WHERE uid = ?", [out["uid"]]).fetchone()
            db["archives"].insert(out, replace=True)
            changes.append(audit.Change("archives", out["uid"], "update" if existed else "add",
                                        audit.row_hash("archives", out)))
            for part in chunks(list(row.uids)):
                db.conn.executemany("INSERT OR IGNORE INTO archive_links (uid, key) VALUES (?, ?)",
                                    [(uid, row.key) for uid in part])
        # The URLs are in the rows, whose hashes the ledger keeps: the log names none, so a
        # purge that removes the rows leaves no trace of what the items linked to.
        audit.append(db, action, {
            "run": result.run_id, "urls": len(batch),
            "available": sum(out["available"] == 1 for out, _ in batch),
            "saved": sum(out["save_status"] == "saved" for out, _ in batch)}, changes)


def _start(case: Case, kind: str, wayback: Wayback, urls: int) -> ArchiveResult:
    result = ArchiveResult(0, kind)
    detail = {"urls": urls, "archive": ARCHIVE, "service": wayback.availability_base
              if kind == "lookup" else wayback.save_base}
    if kind == "save":
        detail["authenticated"] = wayback.authenticated
    with write(case.db):
        result.run_id = case.db["runs"].insert({
            "kind": "archive", "source": f"{ARCHIVE}:{kind}", "collector": f"archive:{ARCHIVE}",
            "collector_version": workbench.__version__, "started_at": now_text(),
            "status": "running", "actor": audit.actor(), "detail": audit.canonical(detail),
        }).last_pk
        audit.append(case.db, "archive.started", {"run": result.run_id, "kind": kind, **detail})
    return result


def _finish(case: Case, result: ArchiveResult, status: str) -> None:
    result.status = status
    counts = {"asked": result.asked, "available": result.available, "saved": result.saved,
              "requested": result.requested, "pending": result.pending,
              "failed": len(result.failed), "left": result.left}
    with write(case.db):
        case.db["runs"].update(result.run_id, {
            "finished_at": now_text(), "status": status, "imported": result.asked,
            "duplicates": 0, "quarantined": 0})
        audit.append(case.db, "archive.finished", {"run": result.run_id, "status": status,
                                                   **counts, "stopped": result.stopped})


__all__ = ["ArchiveResult", "archive_table", "cited_urls", "lookup", "public_http", "save"]
