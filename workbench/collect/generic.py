"""Generic tables and JSON: CSV/TSV, JSON arrays and JSON Lines, with a column mapping.

How columns become item fields (given with ``--map``, or found by name) is
:mod:`workbench.collect.column_map`.
"""

from __future__ import annotations

import csv
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
from workbench.collect.readers import decode, excerpt, iter_lines, jsonl_records
from workbench.errors import ImportFormatError, RecordError
from workbench.models import Mapped


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
                cache[key] = Compiled.of(resolve_mapping(columns, context["given"]))
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
                "occurrences": Occurrences()}


#: The longest CSV field read (the csv module's default is 131,072 characters, less than a long
#: post or an article's text); a quote left open runs on to here, and its record is quarantined.
FIELD_CHARS = 64 * 2**20


@register
class CsvTable(_Generic):
    """CSV or TSV with a header row."""

    name = "csv"
    title = "CSV/TSV table with a header row (generic, column mapping)"
    blank = ""

    def sniff(self, sample: Sample) -> bool:
        return sample.suffix in ("csv", "tsv")

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        with payload.open() as stream:
            lines = iter_lines(stream, fallback=options.get("encoding"))
            consumed: list[int] = []
            notes: list[str] = []

            def feed() -> Iterator[str]:
                for number, text, note in lines:
                    consumed.append(number)
                    if note:
                        notes.append(note)
                    yield text + "\n"

            first = next(lines, None)
            if first is None:
                raise ImportFormatError(f"{payload.name}: the file is empty", path=payload.name)
            header_text = first[1]
            dialect = "excel-tab" if payload.name.lower().endswith((".tsv", ".tsv.zst")) or (
                header_text.count("\t") > header_text.count(",")) else "excel"
            header = next(csv.reader([header_text], dialect=dialect))
            context = self._context(header, options)
            csv.field_size_limit(max(csv.field_size_limit(), FIELD_CHARS))
            reader = csv.reader(feed(), dialect=dialect)
            while True:
                consumed.clear()
                notes.clear()
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    span = _line_span(consumed)
                    yield Record(f"lines {span[1:]}", span, error=f"unreadable CSV: {exc}")
                    continue
                if not row or not "".join(row).strip():
                    continue
                span = _line_span(consumed)
                where = f"line {consumed[0]}" if len(consumed) == 1 else f"lines {span[1:]}"
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
            for record in jsonl_records(stream, fallback=options.get("encoding")):
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
            if record.data is not None and "mapping" not in context:
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
