"""The audit log: every change to a case, as entries chained by SHA-256.

Each entry's hash covers its sequence number, time, actor, action, detail and the previous
entry's hash, so changing or removing any entry breaks every hash after it. Changes to rows
(items, authors, media) are listed in the ledger: one line per row added, changed or removed,
with the hash of the row's content; each audit entry carries the digest of its ledger lines.
``verify`` replays the ledger and compares it with the tables.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
from collections.abc import Iterable
from typing import NamedTuple

import orjson
import sqlite_utils

from workbench.store import HASHED, HASHED_WHEN_SET
from workbench.timeutil import now_text

GENESIS = "0" * 64
#: The tables whose rows the ledger tracks, with their key column.
LEDGER_TABLES = {"items": "uid", "authors": "uid", "media": "uid", "archives": "uid",
                 "captures": "url_key"}


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(table: str, row: dict) -> str:
    """The hash of a row of ``table`` as stored: its values of the hashed columns, in order.

    A column the row lacks counts as empty, as SQLite reads it back.
    """
    return values_hash([row.get(column) for column in HASHED[table]], table)


#: Per table, the positions in :data:`HASHED` order of the columns hashed only when set.
_WHEN_SET = {table: tuple(sorted((HASHED[table].index(c) for c in columns), reverse=True))
             for table, columns in HASHED_WHEN_SET.items()}


def values_hash(values: list | tuple, table: str = "items") -> str:
    """The hash of a row of ``table`` given as its values in :data:`workbench.store.HASHED`
    order (leaving out the empty ones of :data:`workbench.store.HASHED_WHEN_SET`)."""
    skip = [i for i in _WHEN_SET.get(table, ()) if values[i] is None]
    if skip:
        values = list(values)
        for index in skip:  # from the last, so the earlier positions hold
            del values[index]
    return hashlib.sha256(orjson.dumps(values)).hexdigest()


def entry_hash(seq: int, at: str, actor: str, action: str, detail: str, prev_hash: str) -> str:
    body = canonical([seq, at, actor, action, detail, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def ledger_digest(lines: Iterable[tuple[str, str, str, str | None]]) -> str:
    text = "".join(f"{tbl}\t{key}\t{op}\t{sha or ''}\n" for tbl, key, op, sha in lines)
    return hashlib.sha256(text.encode()).hexdigest()


def actor() -> str:
    """Who is acting: the operating-system user and host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


class Change(NamedTuple):
    """One ledger line: a row of ``tbl`` added, updated or removed.

    A named tuple: an import makes one per row, and a frozen dataclass costs four times as much.
    """

    tbl: str
    key: str
    op: str  # "add" | "update" | "remove"
    row_sha256: str | None


def append(
    db: sqlite_utils.Database, action: str, detail: dict, changes: Iterable[Change] = ()
) -> int:
    """Append an entry (and its ledger lines) to the chain; call inside a write transaction."""
    last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    lines = list(changes)
    if lines:
        db.conn.executemany(
            "INSERT INTO ledger (audit_seq, tbl, key, op, row_sha256) VALUES (?, ?, ?, ?, ?)",
            [(seq, *line) for line in lines],
        )
        detail = {**detail, "ledger": {"lines": len(lines), "sha256": ledger_digest(lines)}}
    at, who, body = now_text(), actor(), canonical(detail)
    db.conn.execute(
        "INSERT INTO audit (seq, at, actor, action, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, at, who, action, body, prev, entry_hash(seq, at, who, action, body, prev)),
    )
    return seq


def head(db: sqlite_utils.Database) -> tuple[int, str]:
    """The last entry's sequence number and hash: quote it to anchor the log elsewhere."""
    last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (last[0], last[1]) if last else (0, GENESIS)
