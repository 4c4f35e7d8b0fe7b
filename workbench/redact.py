"""Cutting purged records out of a payload, leaving every other byte as it was.

A record's span (see :mod:`workbench.collect.readers`) says where it stands. Lines are emptied
(the line break stays, so later line numbers do not move); a JSON element becomes ``null`` (later
character offsets move, and are returned remapped). Zip members and zstandard compression are
rebuilt around the changed content. A Telegram API page (TL bytes) has each cut message replaced
by a deleted-message placeholder.

JSON records may nest (a Reddit comment holds its replies): a cut inside another cut goes with it,
and a cut record that holds kept records has each of its own values made ``null`` instead, so the
kept records stay where they are, exactly as received, inside a document that is still JSON.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable

import zstandard

from workbench.collect.readers import decode

_SPAN = re.compile(r"^(?:(?P<member>.*)\|)?(?:L(?P<l1>\d+)(?:-(?P<l2>\d+))?|C(?P<c1>\d+):(?P<c2>\d+))$")


def parse_span(span: str) -> tuple[str | None, str, int, int]:
    """``(member, 'L'|'C', start, end)``; line spans are inclusive, char spans half-open."""
    match = _SPAN.match(span)
    if not match:
        raise ValueError(f"not a record span: {span!r}")
    if match["l1"]:
        first = int(match["l1"])
        return match["member"], "L", first, int(match["l2"] or first)
    return match["member"], "C", int(match["c1"]), int(match["c2"])


def redact(data: bytes, compression: str | None, cut: Iterable[str],
           keep: Iterable[str]) -> tuple[bytes, dict[str, str]]:
    """Return the payload with the ``cut`` spans blanked, and the new span of each ``keep`` span."""
    cut, keep = list(cut), list(keep)
    if any(span.startswith("T") for span in cut):
        return _redact_tl(data, cut, keep)
    cut_by_member: dict[str | None, list] = defaultdict(list)
    for span in cut:
        member, kind, start, end = parse_span(span)
        cut_by_member[member].append((kind, start, end))
    keep_by_member: dict[str | None, list] = defaultdict(list)
    for span in keep:
        member, kind, start, end = parse_span(span)
        if kind == "C":
            keep_by_member[member].append((start, end))
    if compression == "zstd":
        plain = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(
            io.BytesIO(data)).read()
        new_plain, moved = redact(plain, None, cut, keep)
        return zstandard.ZstdCompressor(level=10).compress(new_plain), moved
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _redact_zip(data, cut_by_member, keep_by_member, keep)
    new, shift = _redact_content(data, cut_by_member.get(None, []), keep_by_member.get(None, []))
    return new, {span: _moved(span, shift) for span in keep}


def _redact_tl(data: bytes, cut: list[str], keep: list[str]) -> tuple[bytes, dict[str, str]]:
    """A Telegram API page (TL bytes, spans ``T<start>:<end>``): each cut message becomes the
    deleted-message placeholder Telegram itself sends, and the kept messages' spans move."""
    from workbench.collect.telegram_tl import redact_page

    def pair(span: str) -> tuple[int, int]:
        start, _, end = span[1:].partition(":")
        return int(start), int(end)

    new, moved = redact_page(data, [pair(s) for s in cut], [pair(s) for s in keep if s.startswith("T")])
    return new, {s: "T{}:{}".format(*moved[pair(s)]) if s.startswith("T") else s for s in keep}


def _redact_zip(data: bytes, cut_by_member: dict, keep_by_member: dict, keep: list[str]
                ) -> tuple[bytes, dict[str, str]]:
    out = io.BytesIO()
    shifts: dict[str | None, list] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename in cut_by_member:
                content, shifts[info.filename] = _redact_content(
                    content, cut_by_member[info.filename], keep_by_member.get(info.filename, []))
            target.writestr(info, content)
    return out.getvalue(), {span: _moved(span, shifts.get(parse_span(span)[0], []))
                            for span in keep}


def _redact_content(data: bytes, spans: list[tuple[str, int, int]],
                    keep: list[tuple[int, int]] = ()) -> tuple[bytes, list]:
    """Blank the spans in one text; returns the bytes and the char shifts (position, delta)."""
    lines = sorted((s, e) for kind, s, e in spans if kind == "L")
    chars = sorted((s, e) for kind, s, e in spans if kind == "C")
    if lines:
        parts = data.split(b"\n")
        for first, last in lines:
            for number in range(first, last + 1):
                if 0 < number <= len(parts):
                    parts[number - 1] = b"\r" if parts[number - 1].endswith(b"\r") else b""
        data = b"\n".join(parts)
    shifts: list[tuple[int, int]] = []
    if chars:
        text, encoding = decode(data)
        pieces, pos = [], 0
        for start, end, new in _char_edits(text, chars, keep):
            pieces += [text[pos:start], new]
            shifts.append((end, len(new) - (end - start)))
            pos = end
        pieces.append(text[pos:])
        bom = encoding.endswith("-bom")
        encoding = encoding.removesuffix("-bom")
        data = ("\ufeff" if bom else "").encode(encoding) + "".join(pieces).encode(encoding)
    return data, shifts


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans not inside another one, in order."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(set(spans), key=lambda s: (s[0], -s[1])):
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


def _char_edits(text: str, cuts: list[tuple[int, int]], keep: list[tuple[int, int]]
                ) -> list[tuple[int, int, str]]:
    """Edits ``(start, end, new)``: a cut becomes ``null``, or its values do around kept ones."""
    edits: list[tuple[int, int, str]] = []
    for start, end in _outermost(cuts):
        inside = _outermost([(s, e) for s, e in keep
                             if start <= s and e <= end and (s, e) != (start, end)])
        if not inside:
            edits.append((start, end, "null"))
            continue
        bounds = [start, *[x for span in inside for x in span], end]
        for seg_start, seg_end in zip(bounds[::2], bounds[1::2], strict=True):
            edits.extend(_blank_values(text, seg_start, seg_end))
    return edits


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null'
                    r"|[{}\[\]:,]|[ \t\n\r]+")


def _blank_values(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Edits making every string, number and boolean in ``text[start:end]`` ``null``; keys stay."""
    edits, pos = [], start
    while pos < end:
        match = _TOKEN.match(text, pos, end)
        if match is None:
            raise ValueError(f"not JSON at character {pos}; cannot cut the record out")
        token, pos = match.group(), match.end()
        if token[0] == '"':
            after = _TOKEN.match(text, pos, end)
            if after and after.group().isspace():
                after = _TOKEN.match(text, after.end(), end)
            if after and after.group() == ":":
                continue  # a key
        elif token[0] not in "-0123456789tf":
            continue
        edits.append((match.start(), match.end(), "null"))
    return edits


def _moved(span: str, shifts: list[tuple[int, int]]) -> str:
    member, kind, start, end = parse_span(span)
    if kind == "L" or not shifts:
        return span
    # A cut inside a kept record (its reply) moves the record's end, not its start.
    prefix = f"{member}|" if member else ""
    return (f"{prefix}C{start + sum(d for at, d in shifts if at <= start)}:"
            f"{end + sum(d for at, d in shifts if at <= end)}")
