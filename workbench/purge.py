"""Destruction: remove items with their evidence, and record what was destroyed.

Items go with their media rows, media files no other item uses, accounts no remaining item
names, and quarantined records of destroyed payloads. A raw payload that only purged items came
from is destroyed; one that still holds kept items is replaced by a redacted copy with the purged
records cut out, and the kept items are re-pointed at it. The destruction record in the audit log
says what, when, why, how many and which hashes, so ``verify`` passes afterwards and lists it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from workbench import audit, mirror
from workbench.errors import WorkbenchError
from workbench.redact import redact
from workbench.store import chunks, write
from workbench.timeutil import now_text, parse_day, to_text

if TYPE_CHECKING:
    from workbench.case import Case


@dataclass
class PurgeResult:
    items: int = 0
    authors: int = 0
    media_rows: int = 0
    raw_destroyed: list[str] = field(default_factory=list)
    raw_redacted: list[dict] = field(default_factory=list)
    media_destroyed: list[str] = field(default_factory=list)
    captures: int = 0
    capture_destroyed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"destroyed {self.items} items, {self.authors} accounts, {self.media_rows} media "
                f"records, {len(self.raw_destroyed)} raw payloads "
                f"({len(self.raw_redacted)} more redacted), "
                f"{len(self.media_destroyed)} media files, {self.captures} page captures "
                f"({len(self.capture_destroyed)} files)")


def purge(case: Case, *, before: str | date | None = None, everything: bool = False,
          uids: list[str] | None = None, reason: str | None = None) -> PurgeResult:
    """Destroy the items selected by exactly one of ``before``, ``everything`` or ``uids``."""
    chosen = [name for name, value in (("--before", before), ("--all", everything),
                                       ("--item", uids)) if value]
    if len(chosen) != 1:
        raise WorkbenchError("purge needs exactly one of --before DATE, --all or --item UID",
                             hint=f"the plan's retention date is {case.plan.retention_until}")
    db = case.db
    result = PurgeResult()
    with write(db):
        if everything:
            selector, targets = "all", [r[0] for r in db.execute("SELECT uid FROM items")]
        elif before:
            cutoff = to_text(parse_day(before, field="before"))
            selector = f"created before {cutoff}"
            targets = [r[0] for r in db.execute(
                "SELECT uid FROM items WHERE created_at < ?", [cutoff])]
        else:
            selector = f"{len(uids)} items named"
            targets = list(dict.fromkeys(uids))
            found = {r[0] for r in db.execute(
                f"SELECT uid FROM items WHERE uid IN ({', '.join('?' * len(targets))})", targets)}
            unknown = [uid for uid in targets if uid not in found]
            if unknown:
                raise WorkbenchError(f"no such items: {', '.join(unknown[:5])}",
                                     hint="list uids with `workbench items DIR`")
        changes: list[audit.Change] = []
        posters = _remove_items(case, targets, result, changes)
        _remove_orphans(case, posters, everything, result, changes)
        _remove_captures(case, targets, everything, result, changes)
        audit.append(db, "purge", {
            "selector": selector, "reason": reason or ("retention" if before or everything
                                                       else "analyst decision"),
            "items": result.items, "authors": result.authors, "media_rows": result.media_rows,
            "raw_destroyed": result.raw_destroyed, "raw_redacted": result.raw_redacted,
            "media_destroyed": result.media_destroyed, "captures": result.captures,
            "capture_destroyed": result.capture_destroyed,
        }, changes)
    # Files go only once the record of their destruction is committed.
    for sha in result.raw_destroyed + [r["from"] for r in result.raw_redacted]:
        case.raw_store.remove(sha)
    for sha in result.media_destroyed:
        case.media_store.remove(sha)
    for sha in result.capture_destroyed:
        case.capture_store.remove(sha)
    mirror.discard(db)  # the columnar copy of the items held the destroyed ones too
    _scrub(db)
    return result


def _remove_items(case: Case, targets: list[str], result: PurgeResult,
                  changes: list) -> set[str]:
    """Delete the items and their media rows; returns the accounts that posted them."""
    db = case.db
    posters: set[str] = set()
    by_payload: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(targets):
        marks = ", ".join("?" * len(chunk))
        for sha, span, poster in db.execute(
            f"SELECT raw_sha256, raw_span, platform || ':' || author_id FROM items "
            f"WHERE uid IN ({marks})", chunk
        ):
            by_payload[sha].append(span)
            if poster:
                posters.add(poster)
        for (uid,) in db.execute(f"SELECT uid FROM media WHERE item_uid IN ({marks})", chunk):
            changes.append(audit.Change("media", uid, "remove", None))
            result.media_rows += 1
        db.execute(f"DELETE FROM media WHERE item_uid IN ({marks})", chunk)
        # What was derived from an item (entities quote its text, places its whereabouts) goes
        # with it, and so do the analyst's tags and notes on it, which would point at nothing.
        for derived in ("entities", "enrichment", "places", "tags", "notes", "archive_links"):
            db.execute(f"DELETE FROM {derived} WHERE uid IN ({marks})", chunk)
        db.execute(f"DELETE FROM items WHERE uid IN ({marks})", chunk)
    changes.extend(audit.Change("items", uid, "remove", None) for uid in targets)
    _forget_in_alerts(db, set(targets))
    # A web archive record of a URL that no kept item cites any more goes too.
    for (uid,) in db.execute("SELECT uid FROM archives WHERE key NOT IN "
                             "(SELECT key FROM archive_links)").fetchall():
        db.execute("DELETE FROM archives WHERE uid = ?", [uid])
        changes.append(audit.Change("archives", uid, "remove", None))
    result.items = len(targets)
    for sha, spans in by_payload.items():
        kept = list(db.query("SELECT * FROM items WHERE raw_sha256 = ?", [sha]))
        if not kept:
            result.raw_destroyed.append(sha)
            db.execute("DELETE FROM quarantine WHERE raw_sha256 = ?", [sha])
            db.execute("UPDATE payloads SET status = 'destroyed' WHERE sha256 = ?", [sha])
            continue
        _redact_payload(case, sha, spans, kept, result, changes)
    return posters


def _redact_payload(case: Case, sha: str, spans: list[str], kept: list[dict],
                    result: PurgeResult, changes: list) -> None:
    db = case.db
    info = db["payloads"].get(sha)
    data = case.raw_store.path(sha).read_bytes()
    new_data, moved = redact(data, info["compression"], spans, [row["raw_span"] for row in kept])
    new_sha, size = case.raw_store.put_bytes(new_data)
    db.execute("UPDATE payloads SET status = 'destroyed' WHERE sha256 = ?", [sha])
    db["payloads"].insert({**info, "sha256": new_sha, "size": size, "stored_at": now_text(),
                           "name": f"{info['name']} (redacted)", "status": "present"},
                          replace=True)
    for row in kept:
        row.update(raw_sha256=new_sha, raw_span=moved[row["raw_span"]])
        changes.append(audit.Change("items", row["uid"], "update", audit.row_hash("items", row)))
    db.conn.executemany("UPDATE items SET raw_sha256 = ?, raw_span = ? WHERE uid = ?",
                        [(new_sha, row["raw_span"], row["uid"]) for row in kept])
    db.execute("UPDATE quarantine SET raw_sha256 = ? WHERE raw_sha256 = ?", [new_sha, sha])
    result.raw_redacted.append({"from": sha, "to": new_sha, "records_cut": len(spans)})


def _remove_orphans(case: Case, posters: set[str], everything: bool, result: PurgeResult,
                    changes: list) -> None:
    """Remove the purged items' accounts that post nothing kept (every account with --all).

    Accounts the case knows only as mentioned, quoted or reposted are not touched by a partial
    purge: they were not selected, and kept items may still name them.
    """
    db = case.db
    if everything:
        orphans = [r[0] for r in db.execute("SELECT uid FROM authors")]
    else:
        still = {r[0] for r in db.execute(
            "SELECT DISTINCT platform || ':' || author_id FROM items WHERE author_id IS NOT NULL")}
        known = {r[0] for r in db.execute("SELECT uid FROM authors")}
        orphans = sorted((posters - still) & known)
    for chunk in chunks(orphans):
        db.execute(f"DELETE FROM authors WHERE uid IN ({', '.join('?' * len(chunk))})", chunk)
    changes.extend(audit.Change("authors", uid, "remove", None) for uid in orphans)
    result.authors = len(orphans)
    for (sha,) in db.execute(
        "SELECT sha256 FROM payloads WHERE kind = 'media' AND status = 'present' "
        "AND sha256 NOT IN (SELECT sha256 FROM media WHERE sha256 IS NOT NULL)"
    ).fetchall():
        db.execute("UPDATE payloads SET status = 'destroyed' WHERE sha256 = ?", [sha])
        result.media_destroyed.append(sha)


def _remove_captures(case: Case, targets: list[str], everything: bool, result: PurgeResult,
                     changes: list) -> None:
    """Captures go with the items: the links of the purged items, and every capture that only
    purged items cited (every capture with --all). A capture of a URL the analyst named, which
    no item cites, stays until --all. A file goes when no capture left names it."""
    db = case.db
    if "captures" not in db.table_names():
        return
    keys: set[str] = set()
    for chunk in chunks(targets):
        marks = ", ".join("?" * len(chunk))
        keys.update(r[0] for r in db.execute(
            f"SELECT DISTINCT url_key FROM capture_links WHERE uid IN ({marks})", chunk))
        db.execute(f"DELETE FROM capture_links WHERE uid IN ({marks})", chunk)
    if everything:
        keys = {r[0] for r in db.execute("SELECT url_key FROM captures")}
    gone = sorted(k for k in keys if not db.execute(
        "SELECT 1 FROM capture_links WHERE url_key = ? LIMIT 1", [k]).fetchone())
    columns = [c for c in db["captures"].columns_dict if c.endswith("sha256")]
    files: set[str] = set()
    for key in gone:
        row = db["captures"].get(key)
        files.update(row[c] for c in columns if row[c])
        db.execute("DELETE FROM captures WHERE url_key = ?", [key])
        changes.append(audit.Change("captures", key, "remove", None))
    kept = {sha for c in columns for (sha,) in db.execute(f"SELECT [{c}] FROM captures")}
    for sha in sorted(files - kept):
        db.execute("UPDATE payloads SET status = 'destroyed' WHERE sha256 = ?", [sha])
        result.capture_destroyed.append(sha)
    result.captures = len(gone)


def _scrub(db) -> None:
    """Leave no copy of destroyed rows in the full-text index or the write-ahead log."""
    db.execute("INSERT INTO items_fts(items_fts) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _forget_in_alerts(db, purged: set[str]) -> None:
    """Alerts name the items that raised them: purged items are taken out of those lists (an
    alert left naming no item goes too). Alerts keep no post text of their own."""
    if "alerts" not in db.table_names():
        return
    for alert_id, uids in db.execute("SELECT id, uids FROM alerts").fetchall():
        named = json.loads(uids or "[]")
        kept = [uid for uid in named if uid not in purged]
        if len(kept) == len(named):
            continue
        if kept:
            db.execute("UPDATE alerts SET uids = ? WHERE id = ?", [json.dumps(kept), alert_id])
        else:
            db.execute("DELETE FROM alerts WHERE id = ?", [alert_id])
