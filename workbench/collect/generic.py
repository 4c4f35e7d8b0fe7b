"""Generic tables and JSON: CSV/TSV, JSON arrays and JSON Lines, with a column mapping.

How columns become item fields (given with ``--map``, or found by name) is
:mod:`workbench.collect.column_map`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.column_map import (
    Compiled,
    ItemColumns,
    Occurrences,
    map_columns,
    map_generic,
    resolve_mapping,
)
from workbench.collect.jsonwalk import element_records
from workbench.collect.limits import human
from workbench.collect.readers import (
    OVERLONG,
    decode,
    excerpt,
    iter_lines,
    jsonl_records,
    overlong_reason,
)
from workbench.errors import ImportFormatError, RecordError
from workbench.models import Mapped
from workbench.timeutil import TimeReading, decide_order

#: How much of a file's start its time columns are judged from (day or month first), when the
#: file is larger: enough for tens of thousands of rows, read again in well under a second.
DECIDE_BYTES = 8 * 2**20


class _Generic(FileFormat):
    platform = "generic"

    def map(self, record: Record) -> Mapped:
        data = record.data
        if not isinstance(data, dict):
            raise RecordError(f"expected an object, found {type(data).__name__}")
        context = record.context
        return map_generic(record, self._mapping(context, list(data)), context["platform"],
                           context["occurrences"])

    def map_columns(self, records: list[Record]) -> ItemColumns:
        """What :meth:`map` gives for each of these records, as store values, a column at a time
        (see :func:`map_columns`). The records are objects with the same columns, in that order."""
        first = records[0]
        compiled = self._mapping(first.context, list(first.data))
        return map_columns([record.data for record in records], compiled,
                           first.context["platform"], first.context["occurrences"])

    @staticmethod
    def _mapping(context: dict, columns: list[str]) -> Compiled:
        """The mapping for records with these columns (JSON records may differ line to line)."""
        key = tuple(columns)
        cache = context["resolved"]
        if key not in cache:
            try:
                cache[key] = Compiled.of(resolve_mapping(columns, context["given"]),
                                         context["times"], context["time_given"])
            except ImportFormatError as exc:
                cache[key] = exc
        found = cache[key]
        if isinstance(found, ImportFormatError):
            raise RecordError(found.message)
        return found

    def _context(self, columns: list[str], options: dict) -> dict:
        """Shared by a file's records; fails at once when the first record cannot be mapped."""
        given = dict(options.get("column_map") or {})
        platform = given.get("platform", "")
        fixed = platform[1:] if platform.startswith("=") else "generic"
        resolve_mapping(columns, given)
        return {"given": given, "platform": fixed.lower(), "resolved": {},
                "occurrences": Occurrences(), **time_readings(options)}

    def decide_times(self, payload: Payload, options: dict) -> dict[str, TimeReading]:
        """How each time column of this file is to be read (day or month first), judged from
        all its values, or from those in its first :data:`DECIDE_BYTES` when it is larger,
        before any batch is mapped. Nothing when the user said how (``time_order``,
        ``time_format``) or no value is a numeric date."""
        if options.get("time_order") or options.get("time_format"):
            return {}
        head = _Head(payload, DECIDE_BYTES)
        values: dict[str, list] = {}
        for record in self.records(head, {**options, "time_readings": {}}):
            if not isinstance(record.data, dict) or not record.data:
                continue
            try:
                compiled = self._mapping(record.context, list(record.data))
            except RecordError:
                continue
            column = compiled.mapping["created_at"]
            if not column.startswith("="):
                values.setdefault(column, []).append(compiled.time(record.data))
        seen = f"the first {human(DECIDE_BYTES)}" if head.cut else "the file"
        decided = {column: decide_order(found, column=column, seen=seen)
                   for column, found in values.items()}
        return {column: reading for column, reading in decided.items() if reading is not None}


def time_readings(options: dict) -> dict:
    """The context's readings of time columns, from the import's options: the order or format
    the user gave (``time_given``), else the order decided per column (``times``)."""
    order, fmt = options.get("time_order"), options.get("time_format")
    given = None
    if order or fmt:
        flag = f"--time-format {fmt}" if fmt else f"--{order.replace('-', '')}"
        given = TimeReading(order=order, format=fmt, basis=f"as given: {flag}")
    times = {column: TimeReading(**reading)
             for column, reading in (options.get("time_readings") or {}).items()}
    return {"times": times, "time_given": given}


class _Head(Payload):
    """The start of a payload, up to a whole line, as a payload of its own: for a first look."""

    def __init__(self, payload: Payload, size: int):
        with payload.open() as stream:
            head = stream.read(size + 1)
        self.cut = len(head) > size
        if self.cut:
            head = head[: head.rfind(b"\n", 0, size) + 1]
        super().__init__(payload.sha256, payload.path, payload.name, payload.source_dir,
                         payload.compression, payload.limits)
        self._head = head

    def open(self) -> io.BytesIO:
        return io.BytesIO(self._head)


@register
class CsvTable(_Generic):
    """CSV or TSV with a header row."""

    name = "csv"
    title = "CSV/TSV table with a header row (generic, column mapping)"
    blank = ""

    def sniff(self, sample: Sample) -> bool:
        return sample.suffix in ("csv", "tsv")

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        """The rows; one longer than the ``field_size`` cap (a field, or a line, since a quote left
        open runs on) is quarantined, read no further than the cap."""
        limit = payload.limits.field_size
        with payload.open() as stream:
            lines = iter_lines(stream, fallback=options.get("encoding"), max_line=limit)
            consumed: list[int] = []
            notes: list[str] = []
            overlong: list[int] = []

            def feed() -> Iterator[str]:
                for number, text, note in lines:
                    consumed.append(number)
                    if note == OVERLONG:
                        overlong.append(number)
                        text = ""
                    elif note:
                        notes.append(note)
                    yield text + "\n"

            first = next(lines, None)
            if first is None:
                raise ImportFormatError(f"{payload.name}: the file is empty", path=payload.name)
            if first[2] == OVERLONG:
                raise payload.limits.error("field_size", f"{payload.name}: the header line")
            header_text = first[1]
            dialect = "excel-tab" if payload.name.lower().endswith((".tsv", ".tsv.zst")) or (
                header_text.count("\t") > header_text.count(",")) else "excel"
            header = next(csv.reader([header_text], dialect=dialect))
            context = self._context(header, options)
            # The csv module's default, 131,072 characters, is less than a long post or article.
            csv.field_size_limit(limit)
            reader = csv.reader(feed(), dialect=dialect)
            while True:
                consumed.clear()
                notes.clear()
                overlong.clear()
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    span = _line_span(consumed)
                    reason = (f"a field longer than the --max-field-size cap of {human(limit)}"
                              if "field larger than field limit" in str(exc) else str(exc))
                    yield Record(f"lines {span[1:]}", span, error=f"unreadable CSV: {reason}")
                    continue
                span = _line_span(consumed)
                where = f"line {consumed[0]}" if len(consumed) == 1 else f"lines {span[1:]}"
                if overlong:
                    yield Record(where, span, error=f"unreadable CSV: {overlong_reason(limit)}")
                    continue
                if not row or not "".join(row).strip():
                    continue
                if len(row) != len(header):
                    yield Record(where, span, error=f"expected {len(header)} fields, found "
                                 f"{len(row)}", excerpt=excerpt(",".join(row)))
                    continue
                yield Record(where, span, data=dict(zip(header, row, strict=True)),
                             context={**context, "encoding": notes[0]} if notes else context)


def _line_span(numbers: list[int]) -> str:
    if not numbers:
        return "L0"
    return f"L{numbers[0]}" if len(numbers) == 1 else f"L{numbers[0]}-{numbers[-1]}"


@register
class JsonLines(_Generic):
    """JSON Lines / NDJSON: one object per line."""

    name = "jsonl"
    title = "JSON Lines, one object per line (generic, column mapping)"
    blank = ""

    def sniff(self, sample: Sample) -> bool:
        return sample.suffix in ("jsonl", "ndjson") or (
            sample.head.lstrip().startswith("{") and "\n{" in sample.head.strip())

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        context = None
        with payload.open() as stream:
            for record in jsonl_records(stream, fallback=options.get("encoding"),
                                        max_line=payload.limits.field_size):
                if record.data is not None:
                    if context is None:
                        columns = list(record.data) if isinstance(record.data, dict) else []
                        context = self._context(columns, options)
                    record.context = {**context, **record.context} if record.context else context
                yield record


@register
class JsonArray(_Generic):
    """A JSON array of objects (or an object holding one under ``data``/``items``/``results``)."""

    name = "json"
    title = "JSON array of objects (generic, column mapping)"

    def sniff(self, sample: Sample) -> bool:
        return sample.suffix == "json" and sample.head.lstrip().startswith(("[", "{"))

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        text, _ = decode(payload.read_bytes(), name=payload.name, fallback=options.get("encoding"))
        path: tuple[str, ...] = ()
        if text.lstrip().startswith("{"):
            path = (_records_key(text, payload.name),)
        context: dict = {}
        for record in element_records(text, path, context=context):
            if record.data is not None and "given" not in context:
                columns = list(record.data) if isinstance(record.data, dict) else []
                context.update(self._context(columns, options))
            yield record


#: The keys under which a JSON object may hold its array of records, in order of preference.
RECORD_KEYS = ("data", "items", "results", "posts")


def _records_key(text: str, name: str) -> str:
    """The key of a JSON object's array of records. A document cut short is searched as text
    for the key, so that the records before the cut are still read."""
    try:
        top = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        found = [k for k in RECORD_KEYS if re.search(rf'"{k}"\s*:\s*\[', text)]
    else:
        found = [k for k in RECORD_KEYS if isinstance(top.get(k), list)]
    if not found:
        raise ImportFormatError(f"{name}: a JSON object with no array of records", path=name)
    return found[0]
