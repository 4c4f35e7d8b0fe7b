"""Writing the demo's files so that the same seed always gives the same bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

#: Every zip member carries this time, never the time the demo was generated.
ZIP_TIME = (2024, 3, 15, 14, 2, 0)


def save(path: Path, data: bytes | str) -> int:
    """Write ``data`` (text as UTF-8, newlines untouched) to ``path``; returns the size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.write_bytes(raw)
    return len(raw)


def zip_bytes(members: list[tuple[str, bytes | str]]) -> bytes:
    """A zip archive of ``(name, content)`` members in the order given, with fixed times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
