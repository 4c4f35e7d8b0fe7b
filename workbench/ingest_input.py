"""The file being imported: an export folder's file, the start of it for sniffing, its compression
and its encoding."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from workbench.collect.base import Payload, Sample
from workbench.collect.readers import decode, detect_encoding, safe_members
from workbench.errors import ImportFormatError

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
        raise ImportFormatError(f"{path}: no such file", path=str(path))
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
