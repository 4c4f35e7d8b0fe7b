"""The SQLite case store: one ``case.db`` per case, in WAL mode, its schema under migrations.

Several processes (a notebook kernel and a papermill run) may open one case at once: every write
is one ``BEGIN IMMEDIATE`` transaction, so writers queue on the busy timeout instead of failing
with "database is locked" when a read transaction tries to become a write one.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from workbench.errors import StoreError
from workbench.models import ITEM_STORE_COLUMNS

BUSY_TIMEOUT_S = 120

FTS_COLUMNS = ("text", "title", "author_handle", "author_name")
#: Where an item came from: the columns the importer adds to the item's own.
PROVENANCE = ("source", "collector", "collector_version", "collected_at", "run_id", "raw_sha256",
              "raw_locator", "raw_span")
#: The columns whose values a row's ledger hash covers, in the order hashed. A migration that
#: adds a column to one of these tables decides whether the hash covers it: then it names the
#: column in :data:`HASHED_WHEN_SET` too.
HASHED = {
    "items": (*ITEM_STORE_COLUMNS, *PROVENANCE),
    "authors": ("uid", "platform", "id", "handle", "name", "created_at", "followers", "following",
                "posts", "bio", "location", "url", "verified", "first_seen_at", "updated_at",
                "run_id"),
    "media": ("uid", "item_uid", "key", "kind", "url", "member", "mime", "width", "height", "alt",
              "sha256", "run_id"),
    "archives": ("uid", "archive", "key", "url", "asked", "asked_at", "timestamp", "available",
                 "snapshot_url", "snapshot_at", "snapshot_status", "answer", "error", "saved_at",
                 "save_status", "save_url", "save_at", "save_job", "save_error", "run_id"),
    "captures": ("url_key", "url", "final_url", "final_key", "status", "reason", "http_status",
                 "title", "redirects", "captured_at", "wacz_sha256", "screenshot_sha256",
                 "html_sha256", "text_sha256", "resources", "bytes", "skipped", "user_agent",
                 "run_id"),
}
#: Columns added to a hashed table after rows were stored: a row's hash covers one only when it
#: holds a value, so the rows stored before the column existed keep the hashes recorded for them
#: (and a value written into such a row later shows as an edit).
HASHED_WHEN_SET = {"items": ("place_bbox",)}

migrations = Migrations("workbench")


@migrations()
def m001_spine(db: sqlite_utils.Database) -> None:
    """Items, authors, media, runs, payloads, quarantine, the audit chain and its ledger."""
    text, integer, real = str, int, float
    db["items"].create(
        {
            "uid": text, "platform": text, "id": text, "kind": text, "url": text, "title": text,
            "author_id": text, "author_handle": text, "author_name": text,
            "created_at": text, "text": text, "lang": text,
            "reply_to": text, "repost_of": text, "quote_of": text, "conversation_id": text,
            "mentions": text, "hashtags": text, "links": text, "media": text,
            "likes": integer, "reposts": integer, "replies": integer, "views": integer,
            "lat": real, "lon": real, "place": text, "caveats": text,
            "source": text, "collector": text, "collector_version": text, "collected_at": text,
            "run_id": integer, "raw_sha256": text, "raw_locator": text, "raw_span": text,
        },
        pk="uid",
    )
    # One index: each costs every import. Time filters need it; the rest scan fast enough.
    db["items"].create_index(["created_at"])
    db["items"].enable_fts(
        list(FTS_COLUMNS), create_triggers=True, tokenize="porter unicode61 remove_diacritics 2",
    )
    # New rows are indexed a batch at a time by insert_items, which is twice as fast as a trigger
    # firing per row. Updates re-index a row only when its indexed text changes (a purge that
    # re-points kept items at a redacted payload changes none of it).
    db.execute("DROP TRIGGER items_ai")
    db.execute("DROP TRIGGER items_au")
    columns = ", ".join(FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    db.execute(
        f"CREATE TRIGGER items_au AFTER UPDATE OF {columns} ON items BEGIN "
        f"INSERT INTO items_fts (items_fts, rowid, {columns}) VALUES ('delete', old.rowid, {old}); "
        f"INSERT INTO items_fts (rowid, {columns}) VALUES (new.rowid, {new}); END"
    )
    db["authors"].create(
        {
            "uid": text, "platform": text, "id": text, "handle": text, "name": text,
            "created_at": text, "followers": integer, "following": integer, "posts": integer,
            "bio": text, "location": text, "url": text, "verified": integer,
            "first_seen_at": text, "updated_at": text, "run_id": integer,
        },
        pk="uid",
    )
    db["authors"].create_index(["handle"])
    db["media"].create(
        {
            "uid": text, "item_uid": text, "key": text, "kind": text, "url": text,
            "member": text, "mime": text, "width": integer, "height": integer, "alt": text,
            "sha256": text, "run_id": integer,
        },
        pk="uid",
    )
    db["media"].create_index(["item_uid"])
    db["media"].create_index(["sha256"])
    db["runs"].create(
        {
            "id": integer, "kind": text, "source": text, "format": text, "collector": text,
            "collector_version": text, "started_at": text, "finished_at": text, "status": text,
            "imported": integer, "duplicates": integer, "quarantined": integer,
            "detail": text, "actor": text,
        },
        pk="id",
    )
    db["payloads"].create(
        {
            "sha256": text, "kind": text, "name": text, "size": integer, "format": text,
            "compression": text, "encoding": text, "stored_at": text, "run_id": integer,
            "status": text,
        },
        pk="sha256",
    )
    db["quarantine"].create(
        {
            "id": integer, "run_id": integer, "source": text, "raw_sha256": text,
            "locator": text, "span": text, "reason": text, "excerpt": text, "at": text,
        },
        pk="id",
    )
    db["quarantine"].create_index(["run_id"])
    db["audit"].create(
        {
            "seq": integer, "at": text, "actor": text, "action": text, "detail": text,
            "prev_hash": text, "hash": text,
        },
        pk="seq",
    )
    db["ledger"].create(
        {"seq": integer, "audit_seq": integer, "tbl": text, "key": text, "op": text,
         "row_sha256": text},
        pk="seq",
    )
    # No indexes on the ledger: it is only ever appended to, and read whole by verify.


@migrations()
def m002_enrichment(db: sqlite_utils.Database) -> None:
    """Entities, per-item enrichment (language, sentiment, watch hits, risk) and watch terms.

    Derived data: recomputable from the items, so audited per run rather than per row.
    """
    text, integer, real = str, int, float
    db["entities"].create(
        {"id": integer, "uid": text, "label": text, "text": text, "norm": text, "start": integer,
         "end": integer, "method": text, "model": text, "key": text, "run_id": integer},
        pk="id",
    )
    db["entities"].create_index(["uid"])
    db["entities"].create_index(["label", "key"])
    db["enrichment"].create(
        {
            "uid": text, "text_sha256": text, "settings_sha256": text, "watch_sha256": text,
            "language": text, "language_method": text, "language_confidence": real,
            "sentiment_compound": real, "sentiment_pos": real, "sentiment_neu": real,
            "sentiment_neg": real, "sentiment_method": text,
            "watch_hits": text, "risk": real, "risk_reasons": text,
            "enriched_at": text, "run_id": integer,
        },
        pk="uid",
    )
    db["enrichment"].create_index(["language"])
    db["enrichment"].create_index(["risk"])
    db["watch_terms"].create(
        {"id": integer, "term": text, "kind": text, "category": text, "weight": real,
         "note": text, "added_at": text, "added_by": text},
        pk="id",
    )
    db["watch_terms"].create_index(["kind", "term", "category"], unique=True)


@migrations()
def m003_places(db: sqlite_utils.Database) -> None:
    """Where items are from or talk about: the platform's place box on items, every candidate
    location found (``places``), and the answers of online geocoders (``geocode_cache``).

    ``places`` is derived data, recomputable from the items and media, so audited per run.
    """
    text, integer, real = str, int, float
    db["items"].add_column("place_bbox", text)
    db["places"].create(
        {"id": integer, "uid": text, "method": text, "evidence": text, "name": text,
         "lat": real, "lon": real, "radius_km": real, "confidence": real, "best": integer,
         "geonameid": integer, "country": text, "admin1": text, "feature": text,
         "media_uid": text, "start": integer, "end": integer, "geocoder": text,
         "run_id": integer},
        pk="id",
    )
    db["places"].create_index(["uid"])
    db["places"].create_index(["best"])
    db["geocode_cache"].create(
        {"geocoder": text, "query": text, "answer": text, "asked_at": text},
        pk=("geocoder", "query"),
    )


@migrations()
def m004_annotations(db: sqlite_utils.Database) -> None:
    """The analyst's own marks: items tagged (as evidence, or any tag) against the plan's
    requirements, and notes on an item, a requirement or a moment of the case's timeline."""
    text, integer = str, int
    db["tags"].create(
        {"uid": text, "tag": text, "requirement": integer, "note": text, "tagged_at": text,
         "tagged_by": text},
        pk=("uid", "tag"),
    )
    db["tags"].create_index(["tag"])
    db["notes"].create(
        {"id": integer, "uid": text, "requirement": integer, "at": text, "text": text,
         "created_at": text, "author": text},
        pk="id",
    )
    db["notes"].create_index(["uid"])


@migrations()
def m005_cursors(db: sqlite_utils.Database) -> None:
    """Where each live collection stands (``cursors``): one row per source and query, so an
    interrupted or repeated collection resumes with no duplicate and no gap."""
    text, integer = str, int
    db["cursors"].create(
        {"source": text, "query": text, "state": text, "updated_at": text, "run_id": integer},
        pk=("source", "query"),
    )


@migrations()
def m006_alerts(db: sqlite_utils.Database) -> None:
    """What ``workbench watch`` noticed (``alerts``): a watch-term hit or a burst, when, on which
    items and in which round of the watch."""
    text, integer = str, int
    db["alerts"].create(
        {"id": integer, "at": text, "kind": text, "detail": text, "uids": text, "round": integer},
        pk="id",
    )
    db["alerts"].create_index(["kind"])


@migrations()
def m007_judgements(db: sqlite_utils.Database) -> None:
    """The analyst's key judgements (``judgements``) for the report's executive summary: each
    answers one of the plan's requirements with a confidence (and a likelihood), resting on
    evidence items (their uids, as JSON)."""
    text, integer = str, int
    db["judgements"].create(
        {"id": integer, "requirement": integer, "text": text, "confidence": text, "likelihood": text,
         "evidence": text, "created_at": text, "author": text},
        pk="id",
    )


@migrations()
def m008_timestamps(db: sqlite_utils.Database) -> None:
    """RFC 3161 timestamps (``timestamps``): each token as the time-stamping authority returned it
    (the DER TimeStampResp), over a manifest of every evidence hash and the audit head (kept as
    the exact text stamped). Each is audited (``timestamp.obtained``) with the token's hash, so
    verify finds a row removed, added or changed."""
    text, integer = str, int
    db["timestamps"].create(
        {"id": integer, "requested_at": text, "tsa_url": text, "audit_seq": integer,
         "audit_hash": text, "manifest": text, "manifest_sha256": text, "files": integer,
         "hash_algorithm": text, "token": bytes, "token_sha256": text, "gen_time": text,
         "serial": text, "tsa_name": text, "policy": text, "ca_pem": text},
        pk="id",
    )


#: The page cache of each connection, in KiB.
CACHE_KIB = 64 * 1024


def connect(path: Path) -> sqlite_utils.Database:
    """Open (creating if need be) a case database, migrated to the current schema."""
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # The default 2 MB page cache thrashes on the uid index of a large case: imports and
        # updates of a million items run a quarter faster with 64 MB.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # Purged rows are overwritten on disk, not just unlinked: destruction means destruction.
        conn.execute("PRAGMA secure_delete = ON")
        db = sqlite_utils.Database(conn)
        if migrations.pending(db):
            with write(db):
                migrations.apply(db)
        _own_runs(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open the case database: {exc}") from exc
    return db


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taken with BEGIN IMMEDIATE so concurrent writers wait their turn."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.conn.execute("COMMIT")


def chunks(values: list, size: int = 500) -> Iterator[list]:
    """``values`` in slices of ``size``: SQLite limits how many ``?`` one statement may bind."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_items(db: sqlite_utils.Database, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert new item rows (values in ``columns`` order) and index their text for search.

    Call inside a write transaction; every insert into ``items`` goes through here.
    """
    if not rows:
        return
    (before,) = db.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()
    db.conn.executemany(
        f"INSERT INTO items ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
    )
    fts = ", ".join(FTS_COLUMNS)
    db.execute(f"INSERT INTO items_fts (rowid, {fts}) SELECT rowid, {fts} FROM items "
               "WHERE rowid > ?", [before])


@migrations()
def m010_archives(db: sqlite_utils.Database) -> None:
    """Web archive records of the pages the items link to (``archives``: one row per archive and
    URL, the question asked and the answer as received, any save; tracked by the ledger) and
    which items cite each URL (``archive_links``, derived: it goes with the items in a purge)."""
    text, integer = str, int
    db["archives"].create(
        {"uid": text, "archive": text, "key": text, "url": text, "asked": text, "asked_at": text,
         "timestamp": text, "available": integer, "snapshot_url": text, "snapshot_at": text,
         "snapshot_status": text, "answer": text, "error": text, "saved_at": text,
         "save_status": text, "save_url": text, "save_at": text, "save_job": text,
         "save_error": text, "run_id": integer},
        pk="uid",
    )
    db["archives"].create_index(["key"])
    db["archive_links"].create({"uid": text, "key": text}, pk=("uid", "key"))
    db["archive_links"].create_index(["key"])


@migrations()
def m009_captures(db: sqlite_utils.Database) -> None:
    """Captures of the pages items link to (``captures``: one row per URL, keyed by its
    :func:`workbench.urls.link_key`, captured or failed with its reason; where it led, hop by hop;
    the SHA-256 of each file kept in ``captures/``: WACZ, screenshot, HTML, text; tracked by the
    ledger) and which items cite each capture (``capture_links``, derived: it goes with the items
    in a purge)."""
    text, integer = str, int
    db["captures"].create(
        {"url_key": text, "url": text, "final_url": text, "final_key": text, "status": text,
         "reason": text, "http_status": integer, "title": text, "redirects": text,
         "captured_at": text, "wacz_sha256": text, "screenshot_sha256": text, "html_sha256": text,
         "text_sha256": text, "resources": integer, "bytes": integer, "skipped": text,
         "user_agent": text, "run_id": integer},
        pk="url_key",
    )
    db["captures"].create_index(["final_key"])
    db["capture_links"].create({"uid": text, "url_key": text}, pk=("uid", "url_key"))
    db["capture_links"].create_index(["url_key"])


@migrations()
def m011_entity_evidence(db: sqlite_utils.Database) -> None:
    """Why a place name is a place (``entities.evidence``: JSON score, need and reasons), kept
    with each PLACE entity; empty for other entities and for rows enriched before it existed."""
    db["entities"].add_column("evidence", str)


@migrations()
def m012_run_owner(db: sqlite_utils.Database) -> None:
    """Which process runs a job (``runs.pid`` and ``runs.host``, set by :func:`connect`'s trigger
    when a run starts), so a run whose process was killed can be told from one still going."""
    db["runs"].add_column("pid", int)
    db["runs"].add_column("host", str)


def _own_runs(conn: sqlite3.Connection) -> None:
    """On this connection, every run inserted as running records the inserting process and host.

    A TEMP trigger, made per connection and never stored in the case, calling functions of this
    process: every job that starts a run gets it without saying so, and a forked worker that
    inserts one records its own pid.
    """
    conn.create_function("workbench_pid", 0, os.getpid)
    conn.create_function("workbench_host", 0, socket.gethostname)
    conn.execute(
        "CREATE TEMP TRIGGER IF NOT EXISTS runs_owner AFTER INSERT ON main.runs "
        "WHEN new.status = 'running' BEGIN "
        "UPDATE runs SET pid = workbench_pid(), host = workbench_host() WHERE id = new.id; END"
    )
