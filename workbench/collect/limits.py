"""Size caps on what an import reads into memory, each one an option the user can raise.

A file a format reads whole (a JSON document, a Telegram ``result.json``), an archive member
inflated (``data/tweets.js`` in an X archive, a media file) and a CSV field or a line of CSV or
JSON Lines each have a cap, checked against the declared size before reading and counted while
reading, as a compressed stream or an archive may say less than it holds. CSV and JSON Lines are
read a record at a time, so their files have no cap at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import BinaryIO

from workbench.errors import SizeLimitError, WorkbenchError

MiB, GiB = 2**20, 2**30
_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "m": MiB, "mb": MiB, "mib": MiB,
          "g": GiB, "gb": GiB, "gib": GiB, "t": 2**40, "tb": 2**40, "tib": 2**40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """The caps of one import, in bytes (a field's in characters)."""

    #: A file read whole into memory, as decompressed.
    file_size: int = 2 * GiB
    #: An archive member, as inflated.
    member_size: int = GiB
    #: A CSV field; a line of a CSV or JSON Lines file.
    field_size: int = 64 * MiB

    @classmethod
    def of(cls, **sizes: int | str | None) -> Limits:
        """Limits with the sizes given (bytes, or text such as ``4G`` or ``512MiB``); a size left
        out or None keeps its default."""
        known = {f.name for f in fields(cls)}
        unknown = set(sizes) - known
        if unknown:
            raise TypeError(f"unknown limits: {', '.join(sorted(unknown))}")
        return cls(**{name: parse_size(value, option=OPTIONS[name])
                      for name, value in sizes.items() if value is not None})

    def error(self, cap: str, what: str, size: int | None = None) -> SizeLimitError:
        """The error for ``what`` (a file or member, named) going over the cap ``cap``: its size
        when declared, else that it goes past the cap."""
        limit = getattr(self, cap)
        option = OPTIONS[cap]
        if size is not None:
            found = f"is {human(size)}, over"
        else:
            found = "is longer than" if cap == "field_size" else "inflates past"
        return SizeLimitError(f"{what} {found} the {option} cap of {human(limit)}",
                              path=what.split(":")[0],
                              hint=f"if the file is what you expect, raise the cap: {option} "
                                   f"{human(max(size or 0, limit) * 2).replace(' ', '')}")


#: The command-line option (and API keyword) that raises each cap.
OPTIONS = {"file_size": "--max-file-size", "member_size": "--max-member-size",
           "field_size": "--max-field-size"}


def parse_size(value: int | str, *, option: str = "size") -> int:
    """A size in bytes from a number or text such as ``64M``, ``2GiB`` or ``1.5G`` (powers of
    1024)."""
    if isinstance(value, bool):
        raise WorkbenchError(f"{option}: not a size: {value!r}")
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE.fullmatch(str(value))
        if match is None or match.group(2).lower() not in _UNITS:
            raise WorkbenchError(f"{option}: not a size: {value!r}",
                                 hint="give bytes or a size such as 512M or 4G")
        size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size <= 0:
        raise WorkbenchError(f"{option}: a size must be more than 0, not {value!r}")
    return size


def human(size: int) -> str:
    """A size as people write it: ``64 MiB``, ``1.5 GiB``, ``900 bytes``."""
    for unit, factor in (("TiB", 2**40), ("GiB", GiB), ("MiB", MiB), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def read_capped(stream: BinaryIO, limit: int, error: SizeLimitError) -> bytes:
    """All of a stream, or ``error`` as soon as it holds more than ``limit`` bytes."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise error
    return data


class CappedStream:
    """A stream that raises ``error`` once more than ``limit`` bytes were read from it: for a
    member copied to disk, whose declared size may be less than it inflates to."""

    def __init__(self, stream: BinaryIO, limit: int, error: SizeLimitError):
        self._stream, self._left, self._error = stream, limit, error

    def read(self, size: int = -1) -> bytes:
        want = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        data = self._stream.read(want)
        self._left -= len(data)
        if self._left < 0:
            raise self._error
        return data

    def __enter__(self) -> CappedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()

    def close(self) -> None:
        self._stream.close()
