"""What every file format provides: sniff a sample, split a payload into records, map a record.

A format is declaration plus two methods. ``records`` yields one :class:`Record` per record in the
payload, with where it stands (a locator a person reads, a span the tool can cut out again); a
record that cannot even be parsed carries ``error`` and is quarantined. ``map`` turns one record
into a :class:`~workbench.models.Mapped`; any exception it raises quarantines that record alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import zstandard

from workbench.collect.limits import Limits, read_capped
from workbench.models import Mapped


@dataclass
class Payload:
    """A payload exactly as received, read back from its content-addressed copy under ``raw/``."""

    sha256: str
    path: Path
    name: str
    source_dir: Path | None = None
    compression: str | None = None
    #: The import's size caps (see :mod:`workbench.collect.limits`).
    limits: Limits = field(default_factory=Limits)

    def open(self) -> BinaryIO:
        """A binary stream of the payload, decompressed when it was received compressed."""
        raw = self.path.open("rb")
        if self.compression == "zstd":
            # Pushshift dumps use a long window; allow it rather than fail on real files.
            dctx = zstandard.ZstdDecompressor(max_window_size=2**31)
            return io.BufferedReader(dctx.stream_reader(raw, closefd=True))
        return raw

    def read_bytes(self) -> bytes:
        """The whole payload, decompressed; over the ``file_size`` cap it is an error, before
        reading when its size on disk says so, else as soon as decompressing does."""
        limits = self.limits
        if self.compression is None and (size := self.path.stat().st_size) > limits.file_size:
            raise limits.error("file_size", self.name, size)
        with self.open() as stream:
            return read_capped(stream, limits.file_size,
                               limits.error("file_size", self.name))


@dataclass(slots=True)
class Record:
    """One record found in a payload.

    ``context`` is what the record's file shares with all its records (e.g. the accounts a
    Twitter API response includes), never copied per record.
    """

    locator: str
    span: str
    data: Any = None
    error: str | None = None
    excerpt: str = ""
    context: dict = field(default_factory=dict)


@dataclass
class Sample:
    """What sniffing sees of a file: its name, its first characters, and an archive's members."""

    name: str
    head: str
    members: list[str] | None = None
    #: The file's encoding when it is not UTF-8, as detected from its first bytes.
    encoding: str | None = None

    @property
    def suffix(self) -> str:
        lower = self.name.lower()
        if lower.endswith(".zst"):
            lower = lower[:-4]
        return lower.rsplit(".", 1)[-1] if "." in lower else ""


class FileFormat:
    """Base of the file formats; subclasses are registered with :func:`register`."""

    name: ClassVar[str]
    title: ClassVar[str]
    platform: ClassVar[str]
    version: ClassVar[str] = "1"
    #: How a cut-out record is replaced when it is purged: JSON elements by ``null``, lines by "".
    blank: ClassVar[str] = "null"

    def sniff(self, sample: Sample) -> bool:
        raise NotImplementedError

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        raise NotImplementedError

    def map(self, record: Record) -> Mapped:
        raise NotImplementedError

    def decide_times(self, payload: Payload, options: dict) -> dict:
        """How each time column is to be read where its text cannot say (``03/04/2024``): a
        :class:`~workbench.timeutil.TimeReading` by column, decided from the file before any
        record is mapped. Formats whose times say it themselves decide nothing."""
        return {}
