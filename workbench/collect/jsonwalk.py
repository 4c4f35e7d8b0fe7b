"""JSON documents read with the exact character span of each record.

:func:`array_elements` and :func:`element_records` find the elements of one array at a fixed key
path. Exports that nest their records deeper (a Telegram account export's chats, a Bluesky
thread's replies) need to walk the document: :func:`walk_object` and :func:`walk_array` go
through one value member by member and hand each member's start to a visitor. A visitor either
returns ``None`` (the member is parsed and kept in ``seen``) or a generator that yields records
and *returns* where the member's value ends, so walkers compose with ``end = yield from ...``.
Offsets are positions in the decoded text, so ``text[start:end]`` is a record exactly as
received. Each value is parsed by the json module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

from workbench.collect.base import Record
from workbench.collect.readers import excerpt
from workbench.errors import ImportFormatError

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

Walk = Generator[Record, None, int]
Visitor = Callable[[Any, int], Walk | None]


class BrokenJSON(Exception):
    """A syntax error met while reading the record that starts at ``start``."""

    def __init__(self, start: int, error: json.JSONDecodeError, where: str = ""):
        super().__init__(error.msg)
        self.start, self.error, self.where = start, error, where


def skip_ws(text: str, pos: int) -> int:
    """The position of the first non-whitespace character at or after ``pos``."""
    return _WS.match(text, pos).end()


def value_at(text: str, pos: int, where: str = "") -> tuple[Any, int]:
    """Parse the one value starting at ``pos``: ``(value, end)``; a syntax error names ``pos``,
    and so does a value nested deeper than the json module goes (about a thousand levels)."""
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise BrokenJSON(pos, exc, where) from exc
    except RecursionError:
        raise BrokenJSON(pos, json.JSONDecodeError(TOO_DEEP_TEXT, text, pos), where) from None


#: Why a value nested deeper than the json module reads is refused.
TOO_DEEP_TEXT = "nested too deep to read (more than about a thousand levels)"
#: What :func:`array_elements` gives for an element nested too deep to read.
TOO_DEEP = object()
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def value_end(text: str, pos: int) -> int:
    """Where the array or object at ``pos`` ends, found without parsing it (so at any depth)."""
    depth = 0
    for token in _TOKENS.finditer(text, pos):
        depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(token.group(), 0)
        if depth == 0:
            return token.end()
    raise json.JSONDecodeError("unterminated array or object", text, pos)


def walk_object(text: str, pos: int, visit: Visitor, seen: dict | None = None) -> Walk:
    """Walk the object at ``pos`` member by member; returns the position after its ``}``."""
    pos = skip_ws(text, pos)
    if text[pos : pos + 1] != "{":
        raise json.JSONDecodeError("expected an object", text, pos)
    pos = skip_ws(text, pos + 1)
    if text[pos : pos + 1] == "}":
        return pos + 1
    while True:
        if text[pos : pos + 1] != '"':
            raise json.JSONDecodeError("expected a key", text, pos)
        key, pos = _DECODER.raw_decode(text, pos)
        pos = skip_ws(text, pos)
        if text[pos : pos + 1] != ":":
            raise json.JSONDecodeError("expected ':'", text, pos)
        pos = skip_ws(text, pos + 1)
        walker = visit(key, pos)
        if walker is None:
            value, end = _DECODER.raw_decode(text, pos)
            if seen is not None:
                seen[key] = value
        else:
            end = yield from walker
        pos = skip_ws(text, end)
        char = text[pos : pos + 1]
        if char == "}":
            return pos + 1
        if char != ",":
            raise json.JSONDecodeError("expected ',' or '}'", text, pos)
        pos = skip_ws(text, pos + 1)


def walk_array(text: str, pos: int, visit: Visitor) -> Walk:
    """Walk the array at ``pos`` element by element; returns the position after its ``]``."""
    pos = skip_ws(text, pos)
    if text[pos : pos + 1] != "[":
        raise json.JSONDecodeError("expected an array", text, pos)
    pos = skip_ws(text, pos + 1)
    if text[pos : pos + 1] == "]":
        return pos + 1
    index = 0
    while True:
        walker = visit(index, pos)
        if walker is None:
            _, end = _DECODER.raw_decode(text, pos)
        else:
            end = yield from walker
        index += 1
        pos = skip_ws(text, end)
        char = text[pos : pos + 1]
        if char == "]":
            return pos + 1
        if char != ",":
            raise json.JSONDecodeError("expected ',' or ']'", text, pos)
        pos = skip_ws(text, pos + 1)


def walk_document(text: str, walk: Callable[[int], Walk], *, member: str | None = None
                  ) -> Iterator[Record]:
    """Run ``walk`` over the whole text; a syntax error quarantines everything from its record on.

    The records yielded before the error stand. The error becomes one record whose span runs from
    the start of the broken record (or the error itself, between records) to the end of the text,
    so nothing received is left outside a span.
    """
    prefix = f"{member}|" if member else ""
    where = f"{member} " if member else ""
    try:
        end = yield from walk(skip_ws(text, 0))
    except BrokenJSON as exc:
        yield _broken(text, exc.start, exc.error, exc.where, prefix, where)
        return
    except json.JSONDecodeError as exc:
        yield _broken(text, exc.pos, exc, "", prefix, where)
        return
    end = skip_ws(text, end)
    if end < len(text):
        error = json.JSONDecodeError("extra data after the document", text, end)
        yield _broken(text, end, error, "", prefix, where)


def _broken(text: str, start: int, error: json.JSONDecodeError, pointer: str, prefix: str,
            where: str) -> Record:
    line, column = error.lineno, error.colno
    record_of = f" in {pointer}" if pointer else ""
    return Record(
        f"{where}line {line}, column {column}{record_of}",
        f"{prefix}C{start}:{len(text)}",
        error=f"invalid JSON from here on: {error.msg}{record_of}; "
              "the records after this point were not read",
        excerpt=excerpt(text[start:]),
    )


def member_spans(text: str, pos: int) -> dict[str, tuple[int, int]]:
    """``{key: (start, end)}`` for each member of the object at ``pos``."""
    spans: dict[str, tuple[int, int]] = {}
    for _ in walk_object(text, pos, lambda key, at: _measure(text, at, spans, key)):
        pass
    return spans


def _measure(text: str, at: int, spans: dict, key: str) -> Walk:
    _, end = _DECODER.raw_decode(text, at)
    spans[key] = (at, end)
    return end
    yield  # a walker is a generator, even one that finds no records


def array_elements(
    text: str, path: Iterable[str] = (), *, start: int = 0
) -> Iterator[tuple[int, int, int, Any]]:
    """Yield ``(index, start, end, value)`` for each element of the JSON array at ``path``.

    ``path`` is the chain of object keys from the document's top (empty for a top-level array).
    Offsets are character positions in ``text``, so ``text[start:end]`` is the element exactly as
    received. Parsing is done by the json module; only the walk down ``path`` is ours. A syntax
    error inside the array raises ``json.JSONDecodeError`` after the elements before it; an
    element nested too deep to parse is given as :data:`TOO_DEEP`, and the walk goes on after it.
    """
    decoder = _DECODER
    pos = skip_ws(text, start)
    for key in path:
        pos = member_value(text, pos, key, decoder)
    if text[pos : pos + 1] != "[":
        raise json.JSONDecodeError("expected an array", text, pos)
    pos = skip_ws(text, pos + 1)
    if text[pos : pos + 1] == "]":
        return
    index = 0
    while True:
        try:
            value, end = decoder.raw_decode(text, pos)
        except RecursionError:
            value, end = TOO_DEEP, value_end(text, pos)
        yield index, pos, end, value
        index += 1
        pos = skip_ws(text, end)
        char = text[pos : pos + 1]
        if char == ",":
            pos = skip_ws(text, pos + 1)
        elif char == "]":
            return
        else:
            raise json.JSONDecodeError("expected ',' or ']'", text, pos)


def member_value(text: str, pos: int, wanted: str, decoder: json.JSONDecoder) -> int:
    """The position of the value of key ``wanted`` in the object starting at ``pos``."""
    if text[pos : pos + 1] != "{":
        raise json.JSONDecodeError("expected an object", text, pos)
    pos = skip_ws(text, pos + 1)
    while text[pos : pos + 1] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = skip_ws(text, pos)
        if text[pos : pos + 1] != ":":
            raise json.JSONDecodeError("expected ':'", text, pos)
        pos = skip_ws(text, pos + 1)
        if key == wanted:
            return pos
        _, pos = decoder.raw_decode(text, pos)
        pos = skip_ws(text, pos)
        if text[pos : pos + 1] == ",":
            pos = skip_ws(text, pos + 1)
    raise KeyError(wanted)


def element_records(
    text: str, path: Iterable[str] = (), *, member: str | None = None, start: int = 0,
    context: dict | None = None,
) -> Iterator[Record]:
    """Records for each element of the array at ``path``; a syntax error quarantines the rest."""
    path = tuple(path)
    prefix = f"{member}|" if member else ""
    where = f"{member} " if member else ""
    pointer = "$" + "".join(f".{key}" for key in path)
    shared = context if context is not None else {}
    try:
        for index, begin, end, value in array_elements(text, path, start=start):
            locator, span = f"{where}{pointer}[{index}]", f"{prefix}C{begin}:{end}"
            if value is TOO_DEEP:
                yield Record(locator, span, error=TOO_DEEP_TEXT, excerpt=excerpt(text[begin:end]))
                continue
            yield Record(locator, span, data=value, context=shared)
    except json.JSONDecodeError as exc:
        line, column = text.count("\n", 0, exc.pos) + 1, exc.pos - text.rfind("\n", 0, exc.pos)
        yield Record(
            f"{where}line {line}, column {column}",
            f"{prefix}C{exc.pos}:{len(text)}",
            error=f"invalid JSON from here on: {exc.msg}; the records after this point were not read",
            excerpt=excerpt(text[exc.pos :]),
        )
    except KeyError as exc:
        raise ImportFormatError(f"{where or 'document'}: no {pointer} array (missing key {exc})") from None
