"""Content-addressed evidence files: ``raw/`` for payloads as received, ``media/`` for media.

A file's name is the SHA-256 of its bytes (``raw/ab/abcdef…``), so a copy that no longer matches
its name has been altered. Files are written once, read-only, and never rewritten in place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class BlobStore:
    """A folder of files named by their SHA-256."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Copy a stream in, hashing as it goes; returns ``(sha256, size)``. Idempotent."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while block := stream.read(CHUNK):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path(sha)
            if final.exists():
                tmp.unlink()
            else:
                final.parent.mkdir(exist_ok=True)
                tmp.chmod(0o444)
                os.replace(tmp, final)
            return sha, size
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_file(self, path: Path) -> tuple[str, int]:
        with path.open("rb") as stream:
            return self.put_stream(stream)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        import io

        return self.put_stream(io.BytesIO(data))

    def remove(self, sha256: str) -> bool:
        """Destroy a stored file; True if it was there."""
        path = self.path(sha256)
        if not path.exists():
            return False
        path.chmod(0o644)
        path.unlink()
        return True

    def check(self, sha256: str) -> str | None:
        """None when the file is present and intact, else what is wrong with it."""
        path = self.path(sha256)
        if not path.is_file():
            return "missing"
        actual = sha256_file(path)
        return None if actual == sha256 else f"altered (its bytes now hash to {actual[:12]}…)"

    def names(self) -> Iterator[str]:
        """Every file stored, by name (stray temporary files excluded)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if not path.name.startswith("."):
                        yield path.name

    def copy_out(self, sha256: str, target: Path) -> None:
        shutil.copyfile(self.path(sha256), target)
