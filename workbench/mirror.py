"""The items mirror: the rows of the item frame as Arrow columns beside the store, for reads at scale.

Derived data, never evidence. ``cache/items.arrow`` in the case folder holds what the item frame's
query (every item with its enrichment, oldest first) gives, as the store holds it (text, integers,
reals), in Arrow's IPC file format, with the state of the store it was read at (its *token*) in its
metadata. Reading a million items' columns from it takes a fraction of a second where SQLite, a
row store, reads every row whole; a narrow read (the columns one analysis needs) reads only those.

The SQLite store stays the source of truth. Every read takes the store's token first and uses the
mirror only when the two are equal; otherwise it reads the store, in one transaction with the
token, and writes the mirror again for the next read. So the mirror never serves rows the store no
longer holds, whatever changed it: an import, a purge, a redaction, an enrichment, a migration.
The token is the audit log's head (every change the workbench makes to items or their enrichment
appends an audit entry in the same transaction), each table's row count and largest rowid (a row
added or removed behind the tool's back), the schema's version and this file's format.

A purge removes the mirror with the payloads it destroys (:func:`discard`): destroyed items must
not stay on disk in a cache. ``workbench verify`` compares a current mirror with the store.
Small cases are not mirrored (:data:`MIN_ROWS`): their store reads fast enough.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import sqlite_utils

from workbench import audit
from workbench.columnar import ColumnTypeError, collector_paused, rows_to_batch, schema

#: Cases with fewer items read the store directly.
MIN_ROWS = 50_000
FOLDER, NAME = "cache", "items.arrow"
#: Bumped when what the file holds changes shape, so older files are rebuilt.
FORMAT = "1"
_TOKEN = b"workbench.token"
_BATCH_ROWS = 65_536
#: Uncompressed, so a read maps the file and decodes nothing: LZ4 would make it a third of the size,
#: and decompressing it costs more than the rest of the read of a large frame.
_WRITE = pa.ipc.IpcWriteOptions(compression=None)


def path_of(db: sqlite_utils.Database) -> Path | None:
    """Where the mirror of this store lives; None for a store in memory."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file).parent / FOLDER / NAME if file else None
    return None


def state(db: sqlite_utils.Database) -> tuple[str, int]:
    """The store's token, and how many items it holds."""
    (version,) = db.execute("PRAGMA schema_version").fetchone()
    seq, head = audit.head(db)
    items, last_item = db.execute("SELECT count(*), coalesce(max(rowid), 0) FROM items").fetchone()
    enriched, last_enriched = db.execute(
        "SELECT count(*), coalesce(max(rowid), 0) FROM enrichment").fetchone()
    return (f"{FORMAT}|{version}|{seq}|{head}|{items}|{last_item}|{enriched}|{last_enriched}",
            items)


def load(db: sqlite_utils.Database, sql: str, columns: Mapping[str, type],
         wanted: Sequence[str]) -> pa.Table | None:
    """The ``wanted`` columns of the rows ``sql`` gives (its columns are ``columns``), from the
    mirror when it is current, else from the store (writing the mirror again).

    None when the store is to be read directly: a store in memory, a small one, a transaction
    open on ``db`` (its uncommitted rows are not for a file other processes read), or a stored
    value that does not fit its column."""
    path = path_of(db)
    if path is None or db.conn.in_transaction:
        return None
    token, count = state(db)
    if count < MIN_ROWS:
        return None
    found = _read(path, token, columns, wanted)
    if found is not None:
        return found
    try:
        table, token = _read_store(_db_file(db), sql, columns)
    except (ColumnTypeError, sqlite3.Error):
        return None
    _write(db, path, table, token)
    return table.select(list(wanted))


def discard(db: sqlite_utils.Database) -> None:
    """Remove the mirror (a purge calls this once the destruction is committed)."""
    path = path_of(db)
    if path is not None:
        path.unlink(missing_ok=True)


def current(db: sqlite_utils.Database, columns: Mapping[str, type]) -> pa.Table | None:
    """The whole mirror if it is current with the store, else None (for ``verify``)."""
    path = path_of(db)
    if path is None or not path.is_file():
        return None
    return _read(path, state(db)[0], columns, list(columns))


def read_store(db: sqlite_utils.Database, sql: str, columns: Mapping[str, type]) -> pa.Table:
    """The rows ``sql`` gives, as the mirror would hold them, read from the store."""
    return _read_store(_db_file(db), sql, columns)[0]


def _db_file(db: sqlite_utils.Database) -> str:
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file
    raise ValueError("no main database")


def _read(path: Path, token: str, columns: Mapping[str, type], wanted: Sequence[str]) -> pa.Table | None:
    """The ``wanted`` columns of the mirror at ``path`` if it holds ``columns`` at ``token``. The
    file is mapped, not read: only what is used comes off the disk (a read with Arrow's own column
    selection would copy every column asked for)."""
    try:
        reader = pa.ipc.open_file(pa.memory_map(str(path)))
        if (reader.schema.metadata or {}).get(_TOKEN) != token.encode():
            return None
        if not reader.schema.remove_metadata().equals(schema(columns)):
            return None
        return reader.read_all().select(list(wanted))
    except (pa.ArrowException, OSError):
        return None  # missing, cut short or of another format: read the store


def _read_store(file: str, sql: str, columns: Mapping[str, type]) -> tuple[pa.Table, str]:
    """The rows and the token they were read at, in one read transaction on a connection of its
    own (the caller's may be in use elsewhere)."""
    conn = sqlite3.connect(f"{Path(file).as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        token = state(sqlite_utils.Database(conn))[0]
        cursor = conn.execute(sql)
        batches = []
        with collector_paused():
            while rows := cursor.fetchmany(_BATCH_ROWS):
                batches.append(rows_to_batch(rows, columns))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return pa.Table.from_batches(batches, schema(columns)), token


def _write(db: sqlite_utils.Database, path: Path, table: pa.Table, token: str) -> None:
    """Write the mirror atomically; a folder that cannot be written leaves the store read each time."""
    tmp = path.with_name(f".{NAME}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        table = table.replace_schema_metadata({_TOKEN: token.encode()})
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema, options=_WRITE) as out:
            out.write_table(table, max_chunksize=_BATCH_ROWS)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    # A purge committed while this was written must not find its destroyed rows left here.
    if state(db)[0] != token:
        path.unlink(missing_ok=True)
