"""From records to store rows: map each record, type its rows, note the ones that cannot be mapped.

This runs in the importing process, or, for a large file, in a worker process beside it, so that
reading and mapping on one core overlap with writing to the database on another. Only finished
rows cross between the processes.
"""

from __future__ import annotations

import importlib
import multiprocessing
import queue as queues
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from workbench import audit
from workbench.collect import get_format
from workbench.collect.base import FileFormat, Payload, Record
from workbench.collect.readers import excerpt
from workbench.errors import RecordError, WorkbenchError
from workbench.models import Author, Mapped, Media

#: Files at least this large are read and mapped in a worker process.
WORKER_MIN_BYTES = 8 * 2**20


@dataclass
class Rows:
    """One mapped record as store rows: its item (and the item row's hash), authors, media."""

    item: dict
    item_hash: str
    authors: list[dict]
    media: list[Media]


@dataclass
class Problem:
    """A record that could not be read or mapped: where it stands and why."""

    locator: str
    span: str
    reason: str
    excerpt: str


@dataclass
class Batch:
    rows: list[Rows] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.rows) + len(self.problems)


def map_batch(fmt: FileFormat, records: Iterable[Record], provenance: dict) -> Batch:
    """Map records to rows; a record that fails becomes a Problem and the rest go on."""
    batch = Batch()
    seen_authors: dict[str, Author] = {}
    for record in records:
        if record.error:
            batch.problems.append(Problem(record.locator, record.span, record.error,
                                          record.excerpt))
            continue
        try:
            batch.rows.append(_rows(record, fmt.map(record), provenance, seen_authors))
        except RecordError as exc:
            batch.problems.append(_problem(record, exc.message))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            batch.problems.append(_problem(record, _describe(exc)))
    return batch


def _rows(record: Record, mapped: Mapped, provenance: dict, seen_authors: dict) -> Rows:
    item = mapped.item
    note = record.context.get("encoding") if record.context else None
    if note:
        item.caveats.append(f"encoding:{note}")
    row = item.to_row()
    row.update(provenance)
    row["raw_locator"], row["raw_span"] = record.locator, record.span
    authors = []
    for author in mapped.authors:
        # Most of a batch's posts come from accounts already seen in it, described the same.
        if seen_authors.get(author.uid) != author:
            seen_authors[author.uid] = author
            authors.append(author.to_row())
    return Rows(row, audit.row_hash(row), authors, mapped.media)


def _problem(record: Record, reason: str) -> Problem:
    text = record.excerpt or (audit.canonical(record.data) if record.data is not None else "")
    return Problem(record.locator, record.span, reason, excerpt(text))


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return f"{type(exc).__name__}: {exc}"


def batches(fmt: FileFormat, payload: Payload, options: dict, provenance: dict,
            size: int) -> Iterator[Batch]:
    """Read and map the payload here, a batch of ``size`` records at a time."""
    chunk: list[Record] = []
    for record in fmt.records(payload, options):
        chunk.append(record)
        if len(chunk) >= size:
            yield map_batch(fmt, chunk, provenance)
            chunk = []
    if chunk:
        yield map_batch(fmt, chunk, provenance)


def batches_in_worker(fmt: FileFormat, payload: Payload, options: dict, provenance: dict,
                      size: int) -> Iterator[Batch]:
    """The same batches, read and mapped in a worker process while the caller writes."""
    context = multiprocessing.get_context("spawn")
    channel = context.Queue(maxsize=2)
    worker = context.Process(
        target=_work, daemon=True, name="workbench-import",
        args=(type(fmt).__module__, fmt.name, payload, options, provenance, size, channel),
    )
    worker.start()
    try:
        while True:
            try:
                kind, value = channel.get(timeout=1.0)
            except queues.Empty:
                if not worker.is_alive():
                    raise WorkbenchError(
                        f"{payload.name}: the import worker stopped unexpectedly "
                        f"(exit code {worker.exitcode})") from None
                continue
            if kind == "batch":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join(timeout=10)


def _work(module: str, name: str, payload: Payload, options: dict, provenance: dict, size: int,
          channel) -> None:
    try:
        importlib.import_module(module)
        fmt = get_format(name)
        for batch in batches(fmt, payload, options, provenance, size):
            channel.put(("batch", batch))
        channel.put(("done", None))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the importer
        channel.put(("error", _portable(exc)))


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a WorkbenchError saying what it was."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return WorkbenchError(f"{type(exc).__name__}: {exc}")
