"""The normalised records every source maps into: Item, Author, Media.

Platform specifics stay in the raw payload; these hold what the analysis needs, the same way for
every platform. ``to_row`` gives the store's column values (times as text, lists as JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache

import orjson

from workbench.timeutil import to_text


def dump_list(values: list) -> str:
    """A list field as the store keeps it: JSON text."""
    return orjson.dumps(values).decode("utf-8") if values else "[]"


#: A time as the store keeps it (:func:`to_text`), remembered: an export's posts often share
#: their second.
time_text = lru_cache(maxsize=8192)(to_text)

#: For each field type: the type the store keeps, and how to get there.
_STORE_FORM: dict[str, tuple[type, Callable]] = {
    "str": (str, str), "int": (int, int), "float": (float, float), "bool": (int, int),
    "datetime": (str, time_text), "list[str]": (str, dump_list), "list[float]": (str, dump_list),
}


@dataclass(frozen=True)
class _Columns:
    """How a record class becomes a store row: its field names and a function giving its values."""

    names: tuple[str, ...]
    values: Callable[[object], list]

    @classmethod
    def of(cls, record_class: type) -> _Columns:
        names = tuple(f.name for f in fields(record_class))
        return cls(names, _values_function(record_class))


def _values_function(record_class: type) -> Callable[[object], list]:
    """A function giving a record's values as the store keeps them (so row hashes round-trip
    SQLite): a value already of the stored type as it is, any other converted.

    Generated once per class, as dataclasses generate ``__init__``: the same work as a loop over
    the fields, at a third of its cost, which counts on a hundred thousand items.
    """
    scope: dict[str, object] = {}
    terms = []
    for number, f in enumerate(fields(record_class)):
        kind, form = _STORE_FORM[f.type.replace(" | None", "")]
        scope[f"kind{number}"], scope[f"form{number}"] = kind, form
        value = f"r.{f.name}"
        terms.append(f"{value} if {value} is None or {value}.__class__ is kind{number} "
                     f"else form{number}({value})")
    exec(f"def values(r): return [{', '.join(terms)}]", scope)  # noqa: S102 - our own field names
    return scope["values"]


def _store_values(record: object, columns: _Columns) -> list:
    """The record's values as the store keeps them (so row hashes round-trip SQLite)."""
    return columns.values(record)


def _row(record: object, columns: _Columns) -> dict:
    return dict(zip(columns.names, _store_values(record, columns), strict=True))


@dataclass(slots=True)
class Item:
    """One post, comment, message, article or video, from any platform.

    ``uid`` is ``platform:id``; ``reply_to``, ``repost_of`` and ``quote_of`` are uids too.
    """

    platform: str
    id: str
    created_at: datetime
    text: str = ""
    kind: str = "post"
    url: str | None = None
    title: str | None = None
    author_id: str | None = None
    author_handle: str | None = None
    author_name: str | None = None
    lang: str | None = None
    reply_to: str | None = None
    repost_of: str | None = None
    quote_of: str | None = None
    conversation_id: str | None = None
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    views: int | None = None
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    #: What to keep in mind about this record: naive-time, derived-id, encoding:cp1252, deleted, …
    caveats: list[str] = field(default_factory=list)
    #: The bounding box of the platform's place object, ``[west, south, east, north]`` in degrees.
    place_bbox: list[float] | None = None

    @property
    def uid(self) -> str:
        return make_uid(self.platform, self.id)

    @property
    def author_uid(self) -> str | None:
        return make_uid(self.platform, self.author_id) if self.author_id else None

    def to_row(self) -> dict:
        return dict(zip(ITEM_STORE_COLUMNS, self.store_values(), strict=True))

    def store_values(self) -> list:
        """The values of :data:`ITEM_STORE_COLUMNS`, as the store keeps them."""
        values = _store_values(self, _ITEM_COLUMNS)
        values.append(f"{values[0]}:{values[1]}")  # platform, id
        return values


LIST_FIELDS = ("mentions", "hashtags", "links", "media", "caveats")


@dataclass(slots=True)
class Author:
    """An account as its platform describes it; ``uid`` is ``platform:id``."""

    platform: str
    id: str
    handle: str | None = None
    name: str | None = None
    created_at: datetime | None = None
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    bio: str | None = None
    location: str | None = None
    url: str | None = None
    verified: bool | None = None

    @property
    def uid(self) -> str:
        return make_uid(self.platform, self.id)

    def to_row(self) -> dict:
        row = _row(self, _AUTHOR_COLUMNS)
        row["uid"] = f"{row['platform']}:{row['id']}"
        return row


@dataclass(slots=True)
class Media:
    """A picture, video or file attached to an item.

    ``key`` is unique within the item (the platform's media id, or the URL or file name).
    ``member`` names the file inside the imported export when the export carries the file itself;
    the importer then stores it under ``media/`` and fills ``sha256``.
    """

    item_uid: str
    key: str
    kind: str = "photo"
    url: str | None = None
    member: str | None = None
    mime: str | None = None
    width: int | None = None
    height: int | None = None
    alt: str | None = None
    sha256: str | None = None

    @property
    def uid(self) -> str:
        return f"{self.item_uid}#{self.key}"

    def to_row(self) -> dict:
        row = _row(self, _MEDIA_COLUMNS)
        row["uid"] = self.uid
        return row


@dataclass(slots=True)
class Entity:
    """Something found in an item's text: a selector, a named entity or a place name.

    ``start``/``end`` are character offsets into the item's ``text`` (None when a platform named
    the entity without saying where). ``norm`` is the canonical value (E.164 phone, lower-case
    handle, registered domain, ...); ``key`` is what entity resolution groups by, so variants of
    one thing written differently count as one.
    """

    uid: str
    label: str
    text: str
    norm: str
    start: int | None
    end: int | None
    method: str  # rule | model | gazetteer | platform
    model: str = ""
    key: str = ""
    evidence: str = ""  # a PLACE's evidence (JSON: score, need, reasons); see enrich.place_evidence


ENTITY_COLUMNS = tuple(f.name for f in fields(Entity))
ITEM_COLUMNS = tuple(f.name for f in fields(Item))
_ITEM_COLUMNS, _AUTHOR_COLUMNS, _MEDIA_COLUMNS = map(_Columns.of, (Item, Author, Media))
#: The items table's columns that come from the Item itself (the rest say where it came from).
ITEM_STORE_COLUMNS = (*ITEM_COLUMNS, "uid")


def make_uid(platform: str, ident: str) -> str:
    """The workbench-wide id of a record: ``platform:id``."""
    return f"{platform}:{ident}"


@dataclass(slots=True)
class Mapped:
    """What one raw record maps to: its item, the accounts it names and its media."""

    item: Item
    authors: list[Author] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
