"""From records to store rows: map each record, type its rows, note the ones that cannot be mapped.

This runs in the importing process, or, for a large file, in a worker process beside it, so that
reading and mapping on one core overlap with writing to the database on another. Only finished
rows cross between the processes.
"""

from __future__ import annotations

import gc
import importlib
import itertools
import os
import pickle
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import NamedTuple

from workbench import audit
from workbench.collect import get_format
from workbench.collect.base import FileFormat, Payload, Record
from workbench.collect.column_map import INT_LIMIT, ItemColumns
from workbench.collect.readers import excerpt
from workbench.errors import RecordError, WorkbenchError
from workbench.models import ITEM_STORE_COLUMNS, Author, Mapped, Media, dump_list
from workbench.processes import die_with_parent
from workbench.store import HASHED, PROVENANCE
from workbench.timeutil import EPOCH_TEXT, PLATFORM_START, parse_time, to_text

#: Files at least this large are read and mapped in a worker process.
WORKER_MIN_BYTES = 8 * 2**20
WORKER = "from workbench.mapping import _serve; _serve()"


class Rows(NamedTuple):
    """One mapped record as store rows: its item's values (in the batch's column order) and their
    hash for the audit ledger, the author rows not already sent in an earlier batch, and its media.

    The hash is made here, in the worker when there is one, so the writing process only writes.

    A named tuple, not a dataclass: a hundred thousand of them cross a pipe four times faster.
    """

    uid: str
    values: tuple
    digest: str
    authors: list[dict]
    media: list[Media]


class Problem(NamedTuple):
    """A record that could not be read or mapped: where it stands and why."""

    locator: str
    span: str
    reason: str
    excerpt: str


@dataclass
class Batch:
    """Rows of items (their values in :data:`ITEM_ROW` order), problems, and notes to count."""

    rows: list[Rows] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return len(self.rows) + len(self.problems)


#: The caveat of an item dated more than a day after it was collected (a wrong clock or year).
FUTURE = "dated-after-collection"
#: The caveat of an item dated before its platform existed (:data:`PLATFORM_START`).
EARLY = "dated-before-platform"
#: The caveat of an item dated at the Unix epoch to the millisecond: a missing time written as 0.
AT_EPOCH = "dated-at-epoch"
NOTES = {"naive-time": "naive times taken as UTC", "encoding:": "records not in UTF-8",
         "interactions-from-text": "items with mentions, replies or reposts read from their text",
         "hashtags-from-text": "items with hashtags read from their text",
         FUTURE: "items dated after they were collected",
         EARLY: "items dated before their platform existed",
         AT_EPOCH: "items dated at the Unix epoch (a time written as 0)"}
#: What a mapper raises for a record it cannot map (the first is the mapper's own word).
MAPPING_ERRORS = (RecordError, KeyError, TypeError, ValueError, AttributeError, IndexError,
                  OverflowError, RecursionError)
UID = ITEM_STORE_COLUMNS.index("uid")
CREATED = ITEM_STORE_COLUMNS.index("created_at")
#: The integer columns, and the range SQLite keeps (64 bits): a count beyond is the record's error.
_COUNTS = tuple(ITEM_STORE_COLUMNS.index(c) for c in ("likes", "reposts", "replies", "views"))
CAVEATS = ITEM_STORE_COLUMNS.index("caveats")
#: The items table's columns in the order a Rows' values hold them (and its hash covers them).
ITEM_ROW = HASHED["items"]
#: The provenance the importer gives, in that order, before each record's own locator and span.
PROVENANCE_GIVEN = PROVENANCE[:-2]
_COLLECTED_AT = PROVENANCE_GIVEN.index("collected_at")


def map_batch(fmt: FileFormat, records: Iterable[Record], provenance: tuple,
              seen_authors: dict[str, Author] | None = None) -> Batch:
    """Map records to rows; a record that fails becomes a Problem and the rest go on.

    ``provenance`` holds the values of :data:`PROVENANCE_GIVEN`, the same for every record.

    ``seen_authors`` carries the accounts already sent from one batch to the next, so that an
    account's row is sent again only when it is described differently.
    """
    batch = Batch()
    seen_authors = {} if seen_authors is None else seen_authors
    if getattr(fmt, "map_columns", None) is None:
        _map_each(fmt, records, provenance, seen_authors, batch)
        return batch
    for run in _runs(records):
        try:
            mapped = fmt.map_columns(run)
        except MAPPING_ERRORS:
            _map_each(fmt, run, provenance, seen_authors, batch)  # to say which record failed
            continue
        _column_rows(run, mapped, provenance, seen_authors, batch)
    return batch


def _runs(records: Iterable[Record]) -> Iterator[list[Record]]:
    """Runs of records that may be mapped column by column: objects with the same columns, read
    without error; a record that is none of these is a run of its own."""
    run: list[Record] = []
    columns = None
    for record in records:
        data = record.data
        keys = tuple(data) if not record.error and isinstance(data, dict) and data else None
        if run and (keys is None or keys != columns):
            yield run
            run = []
        if keys is None:
            yield [record]
            continue
        run.append(record)
        columns = keys
    if run:
        yield run


def _map_each(fmt: FileFormat, records: Iterable[Record], provenance: tuple, seen_authors: dict,
              batch: Batch) -> None:
    """Map records one at a time, into ``batch``: a record that fails becomes a Problem."""
    for record in records:
        if record.error:
            batch.problems.append(Problem(record.locator, record.span, record.error,
                                          record.excerpt))
            continue
        try:
            batch.rows.append(_rows(record, fmt.map(record), provenance, seen_authors, batch))
        except RecordError as exc:
            batch.problems.append(_problem(record, exc.message))
        except MAPPING_ERRORS[1:] as exc:
            batch.problems.append(_problem(record, _describe(exc)))


def _rows(record: Record, mapped: Mapped, provenance: tuple, seen_authors: dict,
          batch: Batch) -> Rows:
    item = mapped.item
    note = record.context.get("encoding") if record.context else None
    if note:
        item.caveats.append(f"encoding:{note}")
    if item.created_at is not None:
        item.caveats.extend(_implausible(to_text(item.created_at), item.platform,
                                         _latest(provenance)))
    for caveat in item.caveats:
        for start, label in NOTES.items():
            if caveat.startswith(start):
                batch.notes[label] = batch.notes.get(label, 0) + 1
    values = item.store_values()
    for index in _COUNTS:
        if values[index] is not None and not -INT_LIMIT <= values[index] < INT_LIMIT:
            raise RecordError(f"{ITEM_STORE_COLUMNS[index]} is out of range: {values[index]}")
    values += provenance
    values += (record.locator, record.span)
    authors = []
    for author in mapped.authors:
        # Most posts come from accounts already sent, described the same: send those once.
        if seen_authors.get(author.uid) != author:
            authors.append(author.to_row())
    for author in mapped.authors:
        seen_authors[author.uid] = author
    values = tuple(values)
    return Rows(values[UID], values, audit.values_hash(values), authors, mapped.media)


def _column_rows(records: list[Record], mapped: ItemColumns, provenance: tuple,
                 seen_authors: dict, batch: Batch) -> None:
    """:func:`_rows` for a run of records mapped column by column (``map_columns``)."""
    columns = mapped.columns
    caveats = columns[CAVEATS]
    for row, record in enumerate(records):
        note = record.context.get("encoding") if record.context else None
        if note:
            caveats[row] = [*caveats[row], f"encoding:{note}"]
    latest = _latest(provenance)
    for row, (made, platform) in enumerate(zip(columns[CREATED], columns[0], strict=True)):
        if made > latest or made < PLATFORM_START.get(platform, "") or made == EPOCH_TEXT:
            caveats[row] = [*caveats[row], *_implausible(made, platform, latest)]
    texts: dict[tuple, str] = {}
    counted: dict[tuple, int] = {}
    for row, kept in enumerate(caveats):
        key = tuple(kept)
        if key not in texts:
            texts[key] = dump_list(kept)
        counted[key] = counted.get(key, 0) + 1
        caveats[row] = texts[key]
    for key, count in counted.items():
        for caveat in key:
            for start, label in NOTES.items():
                if caveat.startswith(start):
                    batch.notes[label] = batch.notes.get(label, 0) + count
    n = len(records)
    tails = [(record.locator, record.span) for record in records]
    given = [itertools.repeat(value, n) for value in provenance]
    values_of = zip(*columns, *given, (t[0] for t in tails), (t[1] for t in tails), strict=False)
    digest = audit.values_hash
    for values, author in zip(values_of, mapped.authors, strict=True):
        authors = []
        if author is not None:
            author_uid = f"{author[0]}:{author[1]}"
            seen = seen_authors.get(author_uid)
            if seen != author:
                account = Author(author[0], author[1], handle=author[2], name=author[3])
                if seen != account:  # an account sent by the record-by-record path is an Author
                    authors.append(account.to_row())
                seen_authors[author_uid] = author
        batch.rows.append(Rows(values[UID], values, digest(values), authors, []))


def _implausible(made: str, platform: str, latest: str) -> list[str]:
    """The caveats of an item made at ``made`` (the store's text form) on ``platform``, when its
    time cannot be right: after ``latest``, before the platform existed, at the Unix epoch. The
    item is kept; the time analyses leave it out of their bins
    (:mod:`workbench.analyze.dates`)."""
    if made > latest:
        return [FUTURE]
    if made < PLATFORM_START.get(platform, ""):
        return [EARLY]
    if made == EPOCH_TEXT:
        return [AT_EPOCH]
    return []


@lru_cache(maxsize=4)
def _latest(provenance: tuple) -> str:
    """The latest plausible time of an item collected with this provenance (a day's grace for
    clocks), as the store writes times."""
    collected = parse_time(provenance[_COLLECTED_AT])[0]
    return to_text(collected + timedelta(days=1))


def _problem(record: Record, reason: str) -> Problem:
    try:
        text = record.excerpt or (audit.canonical(record.data) if record.data is not None else "")
    except RecursionError:
        text = "(a record nested too deep to show)"
    return Problem(record.locator, record.span, reason, excerpt(text))


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    if isinstance(exc, RecursionError):
        return "nested too deep to read"
    return f"{type(exc).__name__}: {exc}"


def batches(fmt: FileFormat, payload: Payload, options: dict, provenance: tuple,
            size: int) -> Iterator[Batch]:
    """Read and map the payload here, a batch of ``size`` records at a time."""
    chunk: list[Record] = []
    seen_authors: dict[str, Author] = {}
    for record in fmt.records(payload, options):
        chunk.append(record)
        if len(chunk) >= size:
            yield map_batch(fmt, chunk, provenance, seen_authors)
            chunk = []
    if chunk:
        yield map_batch(fmt, chunk, provenance, seen_authors)


def batches_in_worker(fmt: FileFormat, payload: Payload, options: dict, provenance: tuple,
                      size: int) -> Iterator[Batch]:
    """The same batches, read and mapped by a worker process while the caller writes them.

    The worker is a fresh interpreter running :func:`_serve`, seeing the caller's
    module path, so it works the same from a script, a notebook or the command line. Its batches
    come back pickled over a pipe, whose buffer keeps it at most a batch or two ahead.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    worker = subprocess.Popen([sys.executable, "-c", WORKER],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    try:
        pickle.dump((type(fmt).__module__, fmt.name, payload, options, provenance, size),
                    worker.stdin)
        worker.stdin.close()
        while True:
            try:
                kind, value = pickle.load(worker.stdout)
            except EOFError:
                raise WorkbenchError(f"{payload.name}: the import worker stopped unexpectedly "
                                     f"(exit code {worker.wait()})") from None
            if kind == "batch":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        worker.stdout.close()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while batches of rows are made, pickled and written.

    Those build millions of small tuples and lists with no cycles among them, and each few
    hundred of them would otherwise set off a collection pass: a third of the cost of unpickling
    a batch. Reference counting still frees every batch once it is written.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _serve() -> None:
    """The worker's side: read the job from stdin, write pickled batches to stdout."""
    out = sys.stdout.buffer
    die_with_parent()
    gc.disable()  # see gc_paused; this process ends when the batches are sent
    try:
        module, name, payload, options, provenance, size = pickle.load(sys.stdin.buffer)
        importlib.import_module(module)
        fmt = get_format(name)
        for batch in batches(fmt, payload, options, provenance, size):
            pickle.dump(("batch", batch), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
        pickle.dump(("done", None), out)
    except BrokenPipeError:
        return  # the importer stopped reading: it was interrupted or failed
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the importer
        pickle.dump(("error", _portable(exc)), out)
    out.flush()


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a WorkbenchError saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return WorkbenchError(f"{type(exc).__name__}: {exc}")

