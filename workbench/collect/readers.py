"""Reading received bytes safely: encodings, lines, JSON Lines, zip archives.

Spans are kept so that each record can be found (and, on purge, cut out) again in its payload:
``L12`` is line 12, ``L12-14`` lines 12 to 14, ``C120:560`` characters 120 to 560 of the decoded
text. Inside an archive the member's name comes first: ``data/tweets.js|C120:560``.
"""

from __future__ import annotations

import codecs
import json
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any, BinaryIO

import charset_normalizer
import orjson

from workbench.collect.base import Record
from workbench.collect.limits import CappedStream, Limits, human
from workbench.errors import ImportFormatError, UnsafeArchiveError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
EXCERPT = 2000
#: The longest line read when no cap is given (:attr:`Limits.field_size`).
MAX_LINE = Limits().field_size
#: How much of a line over the cap is read at a time to skip the rest of it.
_SKIP = 2**20


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


#: The encoding note of a line longer than the cap: its text is only the line's start.
OVERLONG = "overlong"


def raw_lines(stream: BinaryIO, max_line: int = MAX_LINE) -> Iterator[tuple[int, bytes, bool]]:
    """Yield ``(line number, bytes, overlong)`` for each line of a byte stream, its end kept.

    A line longer than ``max_line`` bytes is never held whole: its first ``max_line`` bytes come
    with ``overlong`` True, and the rest is skipped.
    """
    readline = stream.readline
    number = 0
    while raw := readline(max_line + 1):
        number += 1
        if len(raw) <= max_line or raw.endswith(b"\n"):
            yield number, raw, False
            continue
        while (rest := readline(_SKIP)) and not rest.endswith(b"\n"):
            pass
        yield number, raw[:max_line], True


def overlong_reason(max_line: int) -> str:
    """Why a line over the cap is quarantined, naming the option that raises it."""
    return f"a line longer than the --max-field-size cap of {human(max_line)}"


def iter_lines(stream: BinaryIO, *, fallback: str | None = None, max_line: int = MAX_LINE,
               ) -> Iterator[tuple[int, str, str | None]]:
    """Yield ``(line number, text, encoding note)`` for each line of a byte stream.

    Lines end at LF (CR before it is dropped); a UTF-8 BOM on the first line is dropped. Each line
    is decoded on its own, so one badly encoded line does not spoil its neighbours; its note then
    says which encoding was used instead of UTF-8 (``fallback``, the file's, if it reads the line).
    A line longer than ``max_line`` bytes comes as its start, noted :data:`OVERLONG`.
    """
    for number, raw, overlong in raw_lines(stream, max_line):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n")
        if overlong:
            yield number, decode(raw[: EXCERPT * 4])[0], OVERLONG
            continue
        try:
            yield number, raw.decode("utf-8"), None
        except UnicodeDecodeError:
            text, encoding = decode(raw, fallback=fallback)
            yield number, text, encoding


def jsonl_records(stream: BinaryIO, *, member: str | None = None,
                  fallback: str | None = None, max_line: int = MAX_LINE) -> Iterator[Record]:
    """One record per non-blank line of JSON Lines / NDJSON; unparsable lines carry an error.

    A line that is not UTF-8 is decoded on its own (see :func:`decode`) and its record notes the
    encoding in ``context``; one bad line does not spoil its neighbours. A line longer than
    ``max_line`` bytes is an error too, read no further than that.
    """
    prefix = f"{member}|" if member else ""
    where = f"{member} " if member else ""
    for number, raw, overlong in raw_lines(stream, max_line):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n")
        if not raw or raw.isspace():
            continue
        locator, span = f"{where}line {number}", f"{prefix}L{number}"
        if overlong:
            yield Record(locator, span, error=overlong_reason(max_line), excerpt=excerpt(raw))
            continue
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
    """The archive's members, refusing any with an absolute path, a drive or a '..' part.

    Their sizes are checked as each is read (:func:`read_member`, :func:`open_member`)."""
    members = []
    for info in archive.infolist():
        member = info.filename
        parts = PurePosixPath(member.replace("\\", "/")).parts
        if member.startswith(("/", "\\")) or (parts and ":" in parts[0]) or ".." in parts:
            raise UnsafeArchiveError(
                f"{name}: refusing archive member {member!r}: it points outside the archive",
                path=name,
                hint="this archive was not made by the platform's export; check where it came from",
            )
        members.append(info)
    return members


def read_member(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, *, name: str,
                limits: Limits) -> bytes:
    """An archive member's bytes, within the ``member_size`` cap: refused before inflating when
    its declared size is over it, and as soon as it inflates past it (a declared size can lie)."""
    info = archive.getinfo(member) if isinstance(member, str) else member
    with open_member(archive, info, name=name, limits=limits) as stream:
        try:
            return stream.read()
        except UNREADABLE_MEMBER as exc:
            raise _broken(name, info.filename, exc) from exc


def open_member(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, *, name: str,
                limits: Limits) -> CappedStream:
    """An archive member as a stream that stops at the ``member_size`` cap (see
    :func:`read_member`)."""
    info = archive.getinfo(member) if isinstance(member, str) else member
    what = f"{name}: member {info.filename!r}"
    if info.file_size > limits.member_size:
        raise limits.error("member_size", what, info.file_size)
    try:
        stream = archive.open(info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        raise _broken(name, info.filename, exc) from exc
    return CappedStream(stream, limits.member_size, limits.error("member_size", what))


#: What reading a damaged member raises: a wrong CRC or size, a broken deflate stream.
UNREADABLE_MEMBER = (zipfile.BadZipFile, EOFError, zlib.error, OSError)


def _broken(name: str, member: str, exc: Exception) -> ImportFormatError:
    return ImportFormatError(f"{name}: member {member!r} cannot be read: {exc}", path=name,
                             hint="the archive is damaged or was not made by the platform")
