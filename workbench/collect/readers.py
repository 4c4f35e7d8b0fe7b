"""Reading received bytes safely: encodings, lines, JSON Lines, zip archives.

Spans are kept so that each record can be found (and, on purge, cut out) again in its payload:
``L12`` is line 12, ``L12-14`` lines 12 to 14, ``C120:560`` characters 120 to 560 of the decoded
text. Inside an archive the member's name comes first: ``data/tweets.js|C120:560``.
"""

from __future__ import annotations

import codecs
import json
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, BinaryIO

import charset_normalizer
import orjson

from workbench.collect.base import Record
from workbench.errors import ImportFormatError, UnsafeArchiveError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
EXCERPT = 2000
#: Largest archive member we inflate; a bigger one is refused as a likely zip bomb.
MAX_MEMBER_BYTES = 4 * 2**30


def decode(data: bytes, *, name: str = "", fallback: str | None = None) -> tuple[str, str]:
    """Decode received bytes: honour a BOM, else UTF-8, else ``fallback`` (the file's encoding,
    given or detected), else Windows-1252; the result says which.

    Returns ``(text, encoding)``. No byte is ever dropped: the last resort, Latin-1, maps all 256.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding + "-bom"
            except UnicodeDecodeError as exc:
                raise ImportFormatError(
                    f"{name}: starts with a {encoding} byte-order mark but is not {encoding} "
                    f"(byte {exc.start + len(bom)})",
                    path=name,
                ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if fallback:
        try:
            return data.decode(fallback), fallback
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


#: How clearly a detected encoding's text must read as a language (charset-normalizer's
#: coherence, 0 to 1) to be believed.
MIN_COHERENCE = 0.2


def detect_encoding(head: bytes) -> str | None:
    """The encoding of a file's first bytes when they are not UTF-8 (a Windows-1251 Cyrillic
    table, say), as charset-normalizer judges it; None for UTF-8, a BOM, or no clear answer."""
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    for cut in range(4):  # the sample may end inside a character
        try:
            head[: len(head) - cut].decode("utf-8")
            return None
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(head).best()
    # A short Western text fits a dozen code pages equally (café as cp1250 is "cafй"); only a
    # guess that reads as a language is taken, else Windows-1252 stays the fallback.
    if best is None or best.coherence < MIN_COHERENCE:
        return None
    name = codecs.lookup(best.encoding).name
    return None if name in ("utf-8", "ascii") else name


def excerpt(text: str | bytes) -> str:
    """The start of a record, for the quarantine: enough to find it, bounded in size."""
    if isinstance(text, bytes):
        text, _ = decode(text[: EXCERPT * 4])
    return text[:EXCERPT]


def iter_lines(stream: BinaryIO, *, fallback: str | None = None,
               ) -> Iterator[tuple[int, str, str | None]]:
    """Yield ``(line number, text, encoding note)`` for each line of a byte stream.

    Lines end at LF (CR before it is dropped); a UTF-8 BOM on the first line is dropped. Each line
    is decoded on its own, so one badly encoded line does not spoil its neighbours; its note then
    says which encoding was used instead of UTF-8 (``fallback``, the file's, if it reads the line).
    """
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n")
        try:
            yield number, raw.decode("utf-8"), None
        except UnicodeDecodeError:
            text, encoding = decode(raw, fallback=fallback)
            yield number, text, encoding


def jsonl_records(stream: BinaryIO, *, member: str | None = None,
                  fallback: str | None = None) -> Iterator[Record]:
    """One record per non-blank line of JSON Lines / NDJSON; unparsable lines carry an error.

    A line that is not UTF-8 is decoded on its own (see :func:`decode`) and its record notes the
    encoding in ``context``; one bad line does not spoil its neighbours.
    """
    prefix = f"{member}|" if member else ""
    where = f"{member} " if member else ""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n")
        if not raw or raw.isspace():
            continue
        locator, span = f"{where}line {number}", f"{prefix}L{number}"
        try:
            yield Record(locator, span, data=orjson.loads(raw))
            continue
        except orjson.JSONDecodeError as exc:
            error = exc
        try:
            raw.decode("utf-8")
            note = None
        except UnicodeDecodeError:
            text, note = decode(raw, fallback=fallback)
            try:
                yield Record(locator, span, data=orjson.loads(text), context={"encoding": note})
                continue
            except orjson.JSONDecodeError as exc:
                error = exc
        yield Record(locator, span, error=f"invalid JSON: {error.msg} (column {error.colno})",
                     excerpt=excerpt(raw))


def load_document(text: str, *, name: str) -> Any:
    """Parse a whole JSON document, or say where it is broken."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", path=name
        ) from exc


def safe_members(archive: zipfile.ZipFile, *, name: str) -> list[zipfile.ZipInfo]:
    """The archive's members, refusing any with an absolute path, a drive or a '..' part."""
    members = []
    total = 0
    for info in archive.infolist():
        member = info.filename
        parts = PurePosixPath(member.replace("\\", "/")).parts
        if member.startswith(("/", "\\")) or (parts and ":" in parts[0]) or ".." in parts:
            raise UnsafeArchiveError(
                f"{name}: refusing archive member {member!r}: it points outside the archive",
                path=name,
                hint="this archive was not made by the platform's export; check where it came from",
            )
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES or total > 4 * MAX_MEMBER_BYTES:
            raise UnsafeArchiveError(f"{name}: member {member!r} inflates to more than allowed",
                                     path=name)
        members.append(info)
    return members
