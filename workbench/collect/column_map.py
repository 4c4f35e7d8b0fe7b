"""Column mappings: which column of a table or JSON record fills which item field, resolved once
per file and applied to each record.

The mapping says which column fills which item field (``text=body``, ``author_handle=user.name``
for a nested JSON key, ``platform==forum`` for a fixed value). Columns named like the item's
fields, or like the common aliases below, are mapped without being told. A record without an id
gets one derived from its content, flagged ``derived-id``, so re-importing it still adds nothing.

Mentions, replies and reposts that the mapping gives no column for are read from the text
(``RT @x:``, a leading ``@x``, ``@x`` anywhere; see :mod:`workbench.collect.text_interactions`),
and the items flagged ``interactions-from-text``; so are hashtags (:mod:`workbench.hashtags`),
flagged ``hashtags-from-text``. A mapped column is the source's word, even where it is empty for
a record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from hashlib import sha256
from typing import Any, NamedTuple

from workbench.collect.base import Record
from workbench.collect.text_interactions import derive, interactions
from workbench.errors import ImportFormatError, RecordError
from workbench.hashtags import hashtags_in
from workbench.models import (
    ITEM_COLUMNS,
    ITEM_STORE_COLUMNS,
    LIST_FIELDS,
    Author,
    Item,
    Mapped,
    dump_list,
    make_uid,
)
from workbench.models import time_text as _time_text
from workbench.timeutil import TimeReading, parse_time

ALIASES = {
    "id": ("id", "post_id", "tweet_id", "message_id", "uid"),
    "text": ("text", "body", "content", "message", "full_text"),
    "created_at": ("created_at", "date", "datetime", "timestamp", "time", "published", "created"),
    "author_handle": ("author_handle", "author", "username", "user", "handle", "screen_name"),
    "author_name": ("author_name", "name", "display_name"),
    "author_id": ("author_id", "user_id"),
    "url": ("url", "link", "permalink"),
    "platform": ("platform", "network", "site"),
}
INT_FIELDS = {"likes", "reposts", "replies", "views"}
#: The interactions read from the text when no column gives them.
FROM_TEXT = frozenset({"mentions", "reply_to", "repost_of", "hashtags"})
#: The caveat of an item whose hashtags were read from its text.
HASHTAGS_FROM_TEXT = "hashtags-from-text"
FLOAT_FIELDS = {"lat", "lon"}
#: The store's integers are SQLite's, of 64 bits: a count beyond is an error in the record.
INT_LIMIT = 2**63
_SPLIT = re.compile(r"[\s,;|]+")


def resolve_mapping(columns: list[str], given: dict[str, str]) -> dict[str, str]:
    """Item field -> column: what was given, else a column of the field's name or an alias."""
    unknown = sorted(set(given) - set(ITEM_COLUMNS))
    if unknown:
        raise ImportFormatError(
            f"--map names unknown item fields: {', '.join(unknown)}",
            hint=f"item fields are: {', '.join(ITEM_COLUMNS)}",
        )
    lower = {c.lower(): c for c in columns}
    mapping = dict(given)
    for field in ITEM_COLUMNS:
        if field in mapping:
            continue
        for alias in ALIASES.get(field, (field,)):
            if alias in lower:
                mapping[field] = lower[alias]
                break
    missing = [f for f, c in mapping.items() if not c.startswith("=") and columns
               and c.split(".")[0] not in columns]
    if missing:
        raise ImportFormatError(
            "mapped columns not in the file: "
            + ", ".join(f"{f}={mapping[f]}" for f in missing),
            hint=f"the file's columns are: {', '.join(columns)}",
        )
    if "created_at" not in mapping:
        raise ImportFormatError(
            "no time column: map one with --map created_at=COLUMN",
            hint=f"the file's columns are: {', '.join(columns) or '(none found)'}",
        )
    return mapping


def _getter(column: str) -> Callable[[dict], Any]:
    """A function reading ``column`` from a record: a key, a dotted path, or ``=fixed value``."""
    if column.startswith("="):
        fixed = column[1:]
        return lambda data: fixed
    if "." not in column:
        return lambda data: data.get(column)
    parts = column.split(".")

    def nested(data: dict) -> Any:
        value: Any = data
        for part in parts:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value

    return nested


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except json.JSONDecodeError:
            pass
    return [part for part in _SPLIT.split(text) if part]


def _handles(value: Any) -> list[str]:
    return [v.lstrip("@#") for v in _as_list(value)]


def _converter(field: str) -> Callable[[Any], Any]:
    if field in ("mentions", "hashtags"):
        return _handles
    if field in LIST_FIELDS:
        return _as_list
    if field in INT_FIELDS:
        return lambda value: _number(value, field, int)
    if field in FLOAT_FIELDS:
        return lambda value: _number(value, field, float)
    return str


@dataclass(frozen=True)
class Compiled:
    """A column mapping made ready to apply, once per file rather than once per record.

    ``keys`` are the fields read from a top-level column (the common case, read with one dict
    lookup); ``paths`` the fields read from a nested key or given a fixed value. ``from_text`` are
    the interactions no column gives, to be read from the text. ``reading`` is how the time
    column's values are read (day or month first, a format), decided once for the whole file.
    """

    mapping: dict[str, str]
    time: Callable[[dict], Any]
    time_label: str
    ident: Callable[[dict], Any] | None
    keys: tuple[tuple[str, str, Callable[[Any], Any]], ...]
    paths: tuple[tuple[str, Callable[[dict], Any], Callable[[Any], Any]], ...]
    from_text: frozenset[str] = FROM_TEXT
    reading: TimeReading | None = None

    @classmethod
    def of(cls, mapping: dict[str, str], readings: dict[str, TimeReading] | None = None,
           given: TimeReading | None = None) -> Compiled:
        """Compile ``mapping``; ``readings`` are the file's time columns' readings by column,
        ``given`` the reading the user asked for (it applies where no column's was decided)."""
        skip = {"created_at", "id", "uid", "caveats"}
        fields = [(f, c) for f, c in mapping.items() if f not in skip]
        time_column = mapping["created_at"]
        return cls(
            mapping, _getter(time_column), f"time ({time_column})",
            _getter(mapping["id"]) if "id" in mapping else None,
            tuple((f, c, _converter(f)) for f, c in fields if _is_key(c)),
            tuple((f, _getter(c), _converter(f)) for f, c in fields if not _is_key(c)),
            FROM_TEXT - set(mapping),
            (readings or {}).get(time_column, given),
        )


def _is_key(column: str) -> bool:
    return not column.startswith("=") and "." not in column


@lru_cache(maxsize=8192)
def _parse_text_time(value: str, label: str,
                     reading: TimeReading | None) -> tuple[datetime, bool]:
    """parse_time for text, remembered: an export's rows often share their minute or second."""
    return parse_time(value, field=label, reading=reading)


#: The text a derived id is the hash of. One encoder for every record: ``json.dumps`` with these
#: options builds a new one per call, at twice the cost. Ids derived by earlier versions still match.
_canonical_record = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


class Occurrences:
    """The ids derived so far from one file's records (those with no id of their own).

    A record identical to an earlier one of the same file is another post (an account that
    posted the same text twice in the minute its export shows), not a duplicate: its id is
    derived from its content and its occurrence number, and it is flagged ``repeated-record``.
    The same file imported again gives the same ids, so it still adds nothing.
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._repeats: dict[int, int] = {}

    def ident(self, digest: str, data: dict) -> str:
        """The id of the record whose content hash is ``digest`` (its first 20 hex digits)."""
        key = int(digest, 16)
        if key not in self._seen:
            self._seen.add(key)
            return digest
        number = self._repeats[key] = self._repeats.get(key, 1) + 1
        body = _canonical_record(data).encode("utf-8") + b"\n#%d" % number
        return sha256(body).hexdigest()[:20]

    @staticmethod
    def caveats(ident: str, digest: str) -> tuple[str, ...]:
        """The caveats of a record whose id was derived."""
        return ("derived-id",) if ident == digest else ("derived-id", "repeated-record")


def map_generic(record: Record, compiled: Compiled, platform: str,
                occurrences: Occurrences | None = None) -> Mapped:
    """Map one row or object through a compiled column mapping; ``occurrences`` are the ids
    derived so far from the same file."""
    item_platform, ident, when, caveats, fields = _read(record.data, compiled, platform,
                                                        occurrences or Occurrences())
    item = Item(platform=item_platform, id=ident, created_at=when, caveats=caveats, **fields)
    if compiled.from_text:
        derive(item, compiled.from_text)
        if "hashtags" in compiled.from_text and (tags := hashtags_in(item.text)):
            item.hashtags = tags
            item.caveats.append(HASHTAGS_FROM_TEXT)
    authors = []
    author_key = item.author_id or item.author_handle
    if author_key:
        item.author_id = str(author_key)
        authors.append(Author(item_platform, item.author_id, handle=item.author_handle,
                              name=item.author_name))
    return Mapped(item, authors)


#: Where each item field stands among an item's store values.
_AT = {name: index for index, name in enumerate(ITEM_STORE_COLUMNS)}
_TEXT, _AUTHOR_ID, _AUTHOR_HANDLE, _AUTHOR_NAME = (
    _AT[name] for name in ("text", "author_id", "author_handle", "author_name"))
#: The list fields a column may give (caveats are the caller's to finish).
_LISTS = tuple(_AT[name] for name in LIST_FIELDS if name != "caveats")
#: An Item's defaults, as the store keeps them.
_DEFAULTS = Item("", "", datetime(2000, 1, 1, tzinfo=UTC)).store_values()


class ItemColumns(NamedTuple):
    """A run of records mapped column by column: one list per item store column
    (:data:`ITEM_STORE_COLUMNS` order; the caveats column holds lists, for the caller to finish),
    and each record's account as ``(platform, id, handle, name)``, or None."""

    columns: list[list]
    authors: list[tuple | None]


def map_columns(datas: list[dict], compiled: Compiled, platform: str,
                occurrences: Occurrences | None = None) -> ItemColumns:
    """The items :func:`map_generic` makes of these records (objects with the same columns), as
    store values, a column at a time.

    The same values at a fraction of the cost of building an Item and an Author for each record,
    which counts on a million-row import (tests/test_generic_values.py holds the two to the same
    rows). Raises as :func:`map_generic` would for a record it cannot map, without saying which:
    the caller then maps those records one by one.
    """
    label, reading = compiled.time_label, compiled.reading
    times = [_parse_text_time(v, label, reading) if type(v) is str
             else parse_time(v, field=label, reading=reading)
             for v in map(compiled.time, datas)]
    if compiled.ident:
        idents = [compiled.ident(d) for d in datas]
        if any(i is None or i == "" for i in idents):
            raise RecordError(f"missing id (column {compiled.mapping['id']!r})")
        idents = [str(i) for i in idents]
    caveats = [["naive-time"] if naive else [] for _, naive in times]
    fields: dict[str, list] = {}
    for field, column, convert in compiled.keys:
        fields[field] = [None if v is None or v == "" else convert(v)
                         for v in (d.get(column) for d in datas)]
    for field, read, convert in compiled.paths:
        fields[field] = [None if v is None or v == "" else convert(v) for v in map(read, datas)]
    given = fields.pop("platform", None)
    platforms = ([platform] * len(datas) if given is None else
                 [platform if v is None else str(v).lower() for v in given])
    for ref in ("reply_to", "repost_of", "quote_of"):
        if ref in fields:
            fields[ref] = [v if v is None or v.startswith(f"{p}:") else make_uid(p, v)
                           for v, p in zip(fields[ref], platforms, strict=True)]
    if not compiled.ident:
        digests = [sha256(_canonical_record(d).encode("utf-8")).hexdigest()[:20] for d in datas]
        occurrences = occurrences or Occurrences()
        idents = []  # counted last, as nothing after may fail (the caller would count them again)
        for digest, data, kept in zip(digests, datas, caveats, strict=True):
            ident = occurrences.ident(digest, data)
            kept.extend(occurrences.caveats(ident, digest))
            idents.append(ident)
    columns = [fields.get(name) or [default] * len(datas)
               for name, default in zip(ITEM_STORE_COLUMNS, _DEFAULTS, strict=True)]
    for name in fields:
        default = _DEFAULTS[_AT[name]]
        if default is not None:
            columns[_AT[name]] = [default if v is None else v for v in fields[name]]
    columns[0], columns[1], columns[-1] = platforms, idents, list(map(make_uid, platforms, idents))
    columns[2] = [_time_text(when) for when, _ in times]
    if compiled.from_text:
        _read_texts(columns, fields.get("mentions"), caveats, compiled.from_text)
    for index in _LISTS:
        columns[index] = [dump_list(v) if v.__class__ is list else v for v in columns[index]]
    columns[_AT["caveats"]] = caveats
    ids, handles, names = columns[_AUTHOR_ID], columns[_AUTHOR_HANDLE], columns[_AUTHOR_NAME]
    if not any(ids) and not any(handles):
        return ItemColumns(columns, [None] * len(datas))
    authors: list[tuple | None] = []
    for row, (key, handle) in enumerate(zip(ids, handles, strict=True)):
        key = key or handle
        if key:
            ids[row] = key = str(key)
            authors.append((platforms[row], key, handle, names[row]))
        else:
            authors.append(None)
    return ItemColumns(columns, authors)


def _read_texts(columns: list[list], mapped_mentions: list | None, caveats: list[list],
                from_text: frozenset[str]) -> None:
    """Fill, from each text, the interactions and hashtags no column gave (as :func:`map_generic`
    does), flagging the records read."""
    texts, platforms, idents = columns[_TEXT], columns[0], columns[1]
    hashtags = "hashtags" in from_text
    mentions, reposts, replies, kinds, tags_column = (
        columns[_AT[name]] for name in ("mentions", "repost_of", "reply_to", "kind", "hashtags"))
    for row, text in enumerate(texts):
        if not text:
            continue
        if "@" in text or "\uff20" in text:
            found = interactions(text, platforms[row], idents[row],
                                 mentions=mapped_mentions[row] if mapped_mentions else None,
                                 repost_of=reposts[row], reply_to=replies[row], fields=from_text)
            if found is not None:
                if found.mentions is not None:
                    mentions[row] = found.mentions
                if found.repost_of is not None:
                    reposts[row] = found.repost_of
                    if kinds[row] == "post":
                        kinds[row] = "repost"
                elif found.reply_to is not None:
                    replies[row] = found.reply_to
                    if kinds[row] == "post":
                        kinds[row] = "reply"
                caveats[row].extend(found.caveats)
        if hashtags and "#" in text and (tags := hashtags_in(text)):
            tags_column[row] = tags
            caveats[row].append(HASHTAGS_FROM_TEXT)


def _read(data: Any, compiled: Compiled, platform: str,
          occurrences: Occurrences) -> tuple[str, str, datetime, list, dict]:
    """A record's platform, id, time, first caveats and mapped fields (references made uids)."""
    if not isinstance(data, dict):
        raise RecordError(f"expected an object, found {type(data).__name__}")
    when_value = compiled.time(data)
    if type(when_value) is str:
        when, naive = _parse_text_time(when_value, compiled.time_label, compiled.reading)
    else:
        when, naive = parse_time(when_value, field=compiled.time_label, reading=compiled.reading)
    caveats = ["naive-time"] if naive else []
    ident = compiled.ident(data) if compiled.ident else None
    if (ident is None or ident == "") and compiled.ident:
        raise RecordError(f"missing id (column {compiled.mapping['id']!r})")
    fields: dict[str, Any] = {}
    get = data.get
    for field, column, convert in compiled.keys:
        value = get(column)
        if value is not None and value != "":
            fields[field] = convert(value)
    for field, read, convert in compiled.paths:
        value = read(data)
        if value is not None and value != "":
            fields[field] = convert(value)
    item_platform = str(fields.pop("platform", platform)).lower()
    for ref in ("reply_to", "repost_of", "quote_of"):
        if ref in fields and not fields[ref].startswith(f"{item_platform}:"):
            fields[ref] = make_uid(item_platform, fields[ref])
    if ident is None or ident == "":
        digest = sha256(_canonical_record(data).encode("utf-8")).hexdigest()[:20]
        ident = occurrences.ident(digest, data)  # last: nothing may fail once it is counted
        caveats.extend(occurrences.caveats(ident, digest))
    return item_platform, str(ident), when, caveats, fields


def _number(value: Any, field: str, kind: type) -> Any:
    if type(value) is kind and (kind is float or -INT_LIMIT <= value < INT_LIMIT):
        return value
    try:
        number = kind(float(str(value).replace(",", ""))) if kind is int else kind(value)
    except (TypeError, ValueError) as exc:
        raise RecordError(f"{field} is not a number: {value!r}") from exc
    except OverflowError as exc:  # 1e400
        raise RecordError(f"{field} is out of range: {value!r}") from exc
    if kind is int and not -INT_LIMIT <= number < INT_LIMIT:
        raise RecordError(f"{field} is out of range: {value!r}")
    return number
