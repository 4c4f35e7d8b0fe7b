"""The file being imported: an export folder's file, the start of it for sniffing, its compression,
its encoding and how its times are read."""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from workbench.collect.base import FileFormat, Payload, Sample
from workbench.collect.readers import decode, detect_encoding, open_member, safe_members
from workbench.errors import ImportFormatError, MissingInputError, SizeLimitError, WorkbenchError
from workbench.timeutil import DAY_FIRST, MONTH_FIRST

SAMPLE_BYTES = 64 * 1024
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


#: The file that a folder export is imported by: Telegram Desktop's, a Mastodon archive's.
FOLDER_EXPORTS = ("result.json", "outbox.json")


def resolve_input(path: Path) -> Path:
    """The file to import: an export folder means its ``result.json`` or ``outbox.json``."""
    if path.is_dir():
        for name in FOLDER_EXPORTS:
            if (path / name).is_file():
                return path / name
        raise ImportFormatError(f"{path}: is a folder; name a file in it", path=str(path),
                                hint=f"a folder is imported by its {' or '.join(FOLDER_EXPORTS)}")
    if not path.is_file():
        raise MissingInputError(f"{path}: no such file", path=str(path))
    return path


def take_sample(path: Path) -> tuple[Sample, str | None]:
    """The start of a file for sniffing, and its compression (``zstd``) if any."""
    with path.open("rb") as stream:
        head = stream.read(SAMPLE_BYTES)
    compression = None
    if head.startswith(ZSTD_MAGIC):
        compression = "zstd"
        payload = Payload("", path, path.name, compression="zstd")
        with payload.open() as stream:
            head = stream.read(SAMPLE_BYTES)
    members = None
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [info.filename for info in safe_members(archive, name=path.name)]
        text = ""
    elif not head.strip():
        raise ImportFormatError(f"{path}: the file is empty", path=str(path))
    else:
        encoding = detect_encoding(head)
        return Sample(path.name, _decode_head(head, path.name, encoding), None,
                      encoding), compression
    return Sample(path.name, text, members), compression


def _decode_head(head: bytes, name: str, encoding: str | None) -> str:
    """Decode a file's first bytes; a sample cut mid-character is not a non-UTF file."""
    for cut in range(4):
        try:
            text, used = decode(head[: len(head) - cut], name=name, fallback=encoding)
        except ImportFormatError:
            continue
        if used not in ("cp1252", "latin-1"):
            return text
    return decode(head, name=name, fallback=encoding)[0]


def file_encoding(name: str | None, sample: Sample) -> str | None:
    """The encoding of the file's lines that are not UTF-8: the one named, else the detected."""
    if not name:
        return sample.encoding
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ImportFormatError(f"unknown encoding {name!r}", path=sample.name,
                                hint="name one Python knows: cp1251, cp1252, latin-1, "
                                     "shift_jis, gb18030, ...") from None


def time_options(dayfirst: bool | None, time_format: str | None) -> dict:
    """The options that say how a generic file's times are read, as the user gave them."""
    if time_format is not None:
        if dayfirst is not None:
            raise WorkbenchError("give a time format or day-first/month-first, not both",
                                 hint="a --time-format says where the day and month stand")
        if "%" not in time_format:
            raise WorkbenchError(f"--time-format {time_format!r} has no % directive",
                                 hint="a strptime format, e.g. '%d/%m/%Y %H:%M'")
        return {"time_format": time_format}
    if dayfirst is None:
        return {}
    return {"time_order": DAY_FIRST if dayfirst else MONTH_FIRST}


def decide_times(fmt: FileFormat, payload: Payload, options: dict) -> list[str]:
    """Decide how each time column of the file is read, before any batch (generic files): put
    the decisions in ``options`` for the mapping, and return them in words for the analyst. A
    file that cannot even be read gets none here, and says why when it is imported."""
    try:
        readings = fmt.decide_times(payload, options)
    except WorkbenchError:
        return []
    if readings:
        options["time_readings"] = {column: {"order": r.order, "basis": r.basis}
                                    for column, r in readings.items()}
    return [f"times read {r.order} ({r.basis})" for r in readings.values()]


def open_media(payload: Payload, wanted: set[str]) -> Iterator[tuple[str, object | None]]:
    """Open the named media files: archive members, or files beside the imported file; None
    for a member over the ``member_size`` cap."""
    if zipfile.is_zipfile(payload.path):
        with zipfile.ZipFile(payload.path) as archive:
            names = {info.filename for info in safe_members(archive, name=payload.name)}
            for member in sorted(wanted & names):
                try:
                    stream = open_member(archive, member, name=payload.name,
                                         limits=payload.limits)
                except SizeLimitError:
                    stream = None  # over the cap: refused before inflating
                except ImportFormatError:
                    continue  # a damaged member is a media file not in the export
                yield member, stream
        return
    if payload.source_dir is None:
        return
    root = payload.source_dir.resolve()
    for member in sorted(wanted):
        parts = PurePosixPath(member.replace("\\", "/")).parts
        if member.startswith("/") or ".." in parts:
            continue
        candidate = (root / Path(*parts)).resolve()
        if candidate.is_file() and candidate.is_relative_to(root):
            yield member, candidate.open("rb")
