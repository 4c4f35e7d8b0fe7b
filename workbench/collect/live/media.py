"""Downloading the media files that collected items link to: stored unaltered, hashed, audited.

Live collectors store a ``media`` row per attachment with its ``url`` and no file. This fetches
each such file over http(s), streams it into ``media/`` exactly as the server sent it (the bytes
are never decoded or re-encoded, so a photo keeps its EXIF, GPS included) and gives the row its
``sha256`` through the audit log and ledger, as an import does for the files an export carries.

A file that cannot be had (gone, too large, not media at all, a redirect to a non-http scheme) is
recorded with its reason and the run goes on. Each file is written in its own transaction, so an
interrupted run keeps what it fetched; the next run skips every row that has its file already.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import requests
from tqdm.auto import tqdm

import workbench
from workbench import audit
from workbench.ingest import _register_payload
from workbench.store import chunks, write
from workbench.timeutil import now_text

if TYPE_CHECKING:
    from workbench.case import Case

USER_AGENT = (f"socmint-workbench/{workbench.__version__} (media download for a case; "
              f"python-requests/{requests.__version__})")
TIMEOUT_S = (10, 60)  # connect, and between two reads
MAX_REDIRECTS = 5
DEFAULT_KINDS = ("image", "video", "gifv", "audio")
#: The platforms' names of attachment kinds, as the media table stores them.
KIND_NAMES = {"image": "photo", "gifv": "gif", "animated_gif": "gif"}
#: Content types that are a page or a document, never the photo, video or sound a row names.
NOT_MEDIA = ("text/", "application/json", "application/xml", "application/xhtml",
             "application/javascript", "application/problem+json")
#: Streaming playlists (HLS, DASH): a list of pieces, not the video itself.
PLAYLISTS = ("application/vnd.apple.mpegurl", "application/x-mpegurl", "audio/mpegurl",
             "audio/x-mpegurl", "application/dash+xml")
_BLOCK = 1 << 16


class MediaFailure(Exception):  # noqa: N818 (a reason recorded per file, not raised to the user)
    """Why one file was not stored."""


@dataclass
class MediaResult:
    """What one media download did: files stored, rows given a file, failures with reasons."""

    run_id: int
    stored: int = 0  # new files written to media/
    linked: int = 0  # rows given a file (a file two rows share is stored once)
    bytes: int = 0
    failed: list[dict] = field(default_factory=list)  # {"uid", "url", "reason"}
    status: str = "running"

    def summary(self) -> str:
        text = f"media: {self.linked} downloaded ({self.stored} new files, {self.bytes} bytes)"
        text += f", {len(self.failed)} failed"
        if self.failed:
            text += "; e.g. " + "; ".join(f"{f['url']}: {f['reason']}" for f in self.failed[:3])
        return text


def fetch_media(case: Case, *, run_id: int | None = None, uids: Iterable[str] | None = None,
                max_bytes: int = 50_000_000, kinds: Iterable[str] = DEFAULT_KINDS,
                progress: bool = True, session: requests.Session | None = None) -> MediaResult:
    """Download the files of the case's media rows that have a URL and no file yet.

    ``run_id`` keeps to the media of one collection run; ``uids`` to those of these items (or
    these media uids); ``kinds`` to these kinds of attachment (``image``/``photo``, ``video``,
    ``gifv``/``gif``, ``audio``, ``file``). A file larger than ``max_bytes`` is not stored.
    Failures are recorded in the result and the audit log, and the next run tries them again.
    """
    case.require_collection_allowed()
    kinds = tuple(kinds)
    rows = _pending(case, run_id, [uids] if isinstance(uids, str) else uids, kinds)
    result = start_run(case, of_run=run_id, files=len(rows), max_bytes=max_bytes,
                       kinds=sorted(_kind_names(kinds)))
    own = session is None
    session = session or requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    try:
        with tqdm(rows, desc="media", unit=" files", disable=not progress, leave=False) as bar:
            for uid, url in bar:
                try:
                    sha, size, content_type = _download(session, url, case, max_bytes)
                except MediaFailure as failure:
                    result.failed.append({"uid": uid, "url": url, "reason": str(failure)})
                    continue
                link_file(case, result, uid, url, sha, size, content_type)
    except BaseException as exc:
        finish_run(case, result, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed",
                str(exc) or type(exc).__name__)
        raise
    finally:
        if own:
            session.close()
    finish_run(case, result, "done")
    return result


def start_run(case: Case, *, of_run: int | None, files: int, collector: str = "live:media",
              source: str = "media files the items link to", **detail) -> MediaResult:
    """Open a media download run (a ``runs`` row and its audit entry) for ``files`` files of the
    collection run ``of_run`` (None: any run); ``detail`` joins the run's detail."""
    result = MediaResult(0)
    with write(case.db):
        result.run_id = case.db["runs"].insert({
            "kind": "media", "source": source, "collector": collector,
            "collector_version": workbench.__version__, "started_at": now_text(),
            "status": "running", "actor": audit.actor(),
            "detail": audit.canonical({"run": of_run, **detail, "files": files}),
        }).last_pk
        audit.append(case.db, "media.started", {"run": result.run_id, "files": files,
                                                "of_run": of_run})
    return result


def _kind_names(kinds: Iterable[str]) -> set[str]:
    return {KIND_NAMES.get(k, k) for k in kinds}


def _pending(case: Case, run_id: int | None, uids: Iterable[str] | None,
             kinds: Iterable[str]) -> list[tuple[str, str]]:
    """The media rows to fetch: (uid, url), in a stable order."""
    where, args = ["sha256 IS NULL", "url IS NOT NULL", "url != ''"], []
    names = sorted(_kind_names(kinds))
    if not names:
        return []
    where.append(f"kind IN ({', '.join('?' * len(names))})")
    args += names
    if run_id is not None:
        where.append("run_id = ?")
        args.append(run_id)
    sql = f"SELECT uid, url FROM media WHERE {' AND '.join(where)}"
    if uids is None:
        return [tuple(row) for row in case.db.execute(sql + " ORDER BY uid", args)]
    found: dict[str, tuple] = {}
    for chunk in chunks(list(uids)):
        marks = ", ".join("?" * len(chunk))
        for row in case.db.execute(f"{sql} AND (item_uid IN ({marks}) OR uid IN ({marks}))",
                                   [*args, *chunk, *chunk]):
            found[row[0]] = tuple(row)
    return [found[uid] for uid in sorted(found)]


def _download(session: requests.Session, url: str, case: Case,
              max_bytes: int) -> tuple[str, int, str | None]:
    """Fetch one file into the media store: (sha256, size, content type). Redirects are followed
    by hand so that every hop is checked to be http(s)."""
    for _ in range(MAX_REDIRECTS + 1):
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise MediaFailure(f"refused: not an http(s) URL ({scheme or 'no'} scheme)")
        try:
            response = session.get(url, stream=True, timeout=TIMEOUT_S, allow_redirects=False)
        except requests.RequestException as exc:
            raise MediaFailure(f"cannot be fetched: {type(exc).__name__}: {exc}") from None
        with response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            return _store(response, case, max_bytes)
    raise MediaFailure(f"more than {MAX_REDIRECTS} redirects")


def _store(response: requests.Response, case: Case, max_bytes: int) -> tuple[str, int, str | None]:
    if response.status_code != 200:
        raise MediaFailure(f"HTTP {response.status_code} {response.reason or ''}".strip())
    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type in PLAYLISTS:
        raise MediaFailure(f"not downloaded: a streaming playlist ({content_type}), not a file")
    if content_type.startswith(NOT_MEDIA):
        raise MediaFailure(f"wrong content: the server sent {content_type}, not a media file")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise MediaFailure(f"too large: {int(declared)} bytes, more than the maximum of {max_bytes}")
    sha, size = case.media_store.put_stream(_Capped(response, max_bytes))
    return sha, size, content_type or None


class _Capped:
    """The response body as a stream to store, raising once it grows past the maximum (the
    store then drops the partial file). A transfer compression (Content-Encoding) is undone;
    the file itself is kept byte for byte as the server holds it."""

    def __init__(self, response: requests.Response, max_bytes: int):
        self.raw, self.max_bytes, self.size, self.first = response.raw, max_bytes, 0, True

    def read(self, n: int = -1) -> bytes:
        try:
            block = self.raw.read(min(n, _BLOCK) if n and n > 0 else _BLOCK, decode_content=True)
        except Exception as exc:  # urllib3's and the socket's errors alike
            raise MediaFailure(f"the download broke off: {type(exc).__name__}: {exc}") from None
        self.size += len(block)
        if self.size > self.max_bytes:
            raise MediaFailure(f"too large: more than the maximum of {self.max_bytes} bytes")
        if self.first and block:
            self.first = False
            head = block[:64].lstrip().lower()
            if head.startswith((b"<!doctype html", b"<html")):
                raise MediaFailure("wrong content: the server sent a web page, not a media file")
        return block


def link_file(case: Case, result: MediaResult, uid: str, url: str, sha: str, size: int,
              mime: str | None, name: str | None = None) -> None:
    """Register the stored file and give the row its hash, audited with its ledger line
    (``name``: the file's name for people, by default the last part of ``url``)."""
    db = case.db
    name = name or _name(url, sha)
    with write(db):
        new = _register_payload(db, sha, "media", name, size, result.run_id)
        # A media type the server names fills a row that had none (a generic one says nothing).
        known = mime if mime and mime.startswith(("image/", "video/", "audio/")) else None
        db.execute("UPDATE media SET sha256 = ?, mime = coalesce(mime, ?) WHERE uid = ?",
                   [sha, known, uid])
        row = next(db.query("SELECT * FROM media WHERE uid = ?", [uid]))
        change = audit.Change("media", uid, "update", audit.row_hash("media", row))
        audit.append(db, "media.stored" if new else "media.linked",
                     {"run": result.run_id, "uid": uid, "url": url, "sha256": sha, "size": size,
                      "name": name}, [change])
    result.linked += 1
    if new:
        result.stored += 1
        result.bytes += size


def _name(url: str, sha: str) -> str:
    """The file's name in its URL (for people; the store names it by its hash)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name[:200] or sha[:12]


def finish_run(case: Case, result: MediaResult, status: str, error: str | None = None) -> None:
    """Close a media download run: its status and counts in ``runs``, its failures audited."""
    result.status = status
    detail = {"run": result.run_id, "status": status, "stored": result.stored,
              "linked": result.linked, "bytes": result.bytes, "failed": len(result.failed),
              "failures": result.failed[:50]}
    if error:
        detail["error"] = error[:500]
    with write(case.db):
        # A failed download is no quarantined record: the count of them is in the run's detail.
        started = json.loads(case.db["runs"].get(result.run_id)["detail"] or "{}")
        case.db["runs"].update(result.run_id, {
            "finished_at": now_text(), "status": status, "imported": result.linked,
            "duplicates": 0, "quarantined": 0,
            "detail": audit.canonical({**started, "stored": result.stored,
                                       "failed": len(result.failed)})})
        audit.append(case.db, "media.finished", detail)


__all__ = ["MediaFailure", "MediaResult", "fetch_media", "finish_run", "link_file", "start_run"]
