"""Downloading a Telegram channel's photos and documents (video, audio, files) with Telethon.

Telegram media have no URL to fetch: the file comes through MTProto ``upload.getFile``
(https://core.telegram.org/api/files), asked for by the photo's or document's id, access hash and
file reference. Those are in the message as collected: each media row's item is read again from
its raw page (the item's ``raw_sha256`` and ``raw_span``), so finding a file costs no network call
and the file asked for is the one the kept evidence names.

Each file is streamed, chunk by chunk as Telethon receives it, into ``media/`` exactly as Telegram
sends it (never decoded nor re-encoded: a file keeps its metadata, EXIF included), hashed, and
its row given the hash through the audited path of :mod:`workbench.collect.live.media`. A photo
is its largest size (the original Telegram keeps); a document is the file itself.

A file that cannot be had is recorded with its reason and the run goes on: larger than
``max_bytes`` (the size is in the message, so nothing is downloaded), a file reference Telegram no
longer accepts (references expire: download soon after collecting), a FLOOD_WAIT longer than ``max_wait``
(the files left are not asked for, and wait for the next run). Rows that have their file are
skipped, so running again resumes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from workbench.collect.live.media import (
    KIND_NAMES,
    MediaFailure,
    MediaResult,
    finish_run,
    link_file,
    start_run,
)
from workbench.collect.live.telethon_io import said, within

if TYPE_CHECKING:
    from workbench.case import Case
    from workbench.collect.live.telegram import TelegramCollector

DEFAULT_MAX_BYTES = 50_000_000
#: The media row kinds downloaded by default: photos and documents (stickers are left out).
DEFAULT_KINDS = ("photo", "video", "audio", "file", "animation")
CHUNK_TIMEOUT_S = 60
FLOOD_RETRIES = 3


class _FloodWait(Exception):  # noqa: N818 (a signal inside this module)
    def __init__(self, seconds: float):
        super().__init__(f"FLOOD_WAIT_{int(seconds)}")
        self.seconds = seconds


def download_telegram_media(case: Case, collector: TelegramCollector, run_id: int | None = None,
                            *, max_bytes: int = DEFAULT_MAX_BYTES, max_wait: float = 60.0,
                            kinds: Iterable[str] = DEFAULT_KINDS, progress: bool = True,
                            sleep: Callable[[float], None] = time.sleep) -> MediaResult:
    """Download the files of the collector's channel's media rows that have none yet (of the
    collection run ``run_id`` only, if given), through the collector's Telegram connection.

    ``kinds``: photo (or image), video, audio, file, animation, sticker. ``max_bytes`` caps one
    file; ``max_wait`` is the longest FLOOD_WAIT waited out (``sleep`` waits). Failures are in
    the result and the audit log; the next run tries them again.
    """
    case.require_collection_allowed()
    kinds = sorted({KIND_NAMES.get(k, k) for k in kinds})  # "image" is a photo, as fetch_media says
    chat_id = collector.chat_id()
    rows = _pending(case, chat_id, run_id, tuple(kinds))
    result = start_run(case, of_run=run_id, files=len(rows), collector=collector.collector,
                       source=f"media of telegram {collector.query}", max_bytes=max_bytes,
                       kinds=kinds)
    pages: dict[str, bytes] = {}
    postponed: str | None = None
    try:
        with tqdm(rows, desc="media", unit=" files", disable=not progress, leave=False) as bar:
            for uid, key, item_url, raw_sha, raw_span in bar:
                where = f"mtproto:upload.getFile?{key}&message={item_url or uid}"
                try:
                    file = _file_of(case, pages, key, raw_sha, raw_span)
                    if file.size is not None and file.size > max_bytes:
                        raise MediaFailure(f"too large: {file.size} bytes, more than the maximum "
                                           f"of {max_bytes}")
                    if postponed:
                        raise MediaFailure(postponed)
                    sha, size = _fetch(case, collector, file, max_bytes, max_wait, sleep)
                except MediaFailure as failure:
                    result.failed.append({"uid": uid, "url": where, "reason": str(failure)})
                    continue
                except _FloodWait as flood:
                    postponed = (f"postponed: Telegram asked to wait {flood.seconds:.0f}s "
                                 f"(FLOOD_WAIT), more than the maximum of {max_wait:.0f}s; run "
                                 "again later")
                    result.failed.append({"uid": uid, "url": where, "reason": postponed})
                    continue
                link_file(case, result, uid, where, sha, size, file.mime, name=file.name)
    except BaseException as exc:
        finish_run(case, result, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed",
                   str(exc) or type(exc).__name__)
        raise
    finish_run(case, result, "done")
    return result


def _pending(case: Case, chat_id: int, run_id: int | None,
             kinds: tuple[str, ...]) -> list[tuple]:
    """The rows to fetch: (media uid, key, item url, raw page sha256, span), in a stable order."""
    if not kinds:
        return []
    sql = ("SELECT m.uid, m.key, i.url, i.raw_sha256, i.raw_span FROM media m "
           "JOIN items i ON i.uid = m.item_uid WHERE m.sha256 IS NULL AND i.platform = 'telegram' "
           "AND i.collector = 'live:telegram' "  # not a Desktop export's item: no TL page to read
           f"AND i.conversation_id = ? AND m.kind IN ({', '.join('?' * len(kinds))})")
    args: list = [str(chat_id), *kinds]
    if run_id is not None:
        sql += " AND m.run_id = ?"
        args.append(run_id)
    # in the items' order, so the rows of one raw page come together
    return [tuple(row) for row in case.db.execute(sql + " ORDER BY i.created_at, m.uid", args)]


class _File:
    """What to ask Telegram for: a location, its data centre, size, media type and name."""

    def __init__(self, location, dc_id: int, size: int | None, mime: str | None, name: str):
        self.location, self.dc_id, self.size, self.mime, self.name = (location, dc_id, size,
                                                                      mime, name)


def _file_of(case: Case, pages: dict[str, bytes], key: str, raw_sha: str | None,
             raw_span: str | None) -> _File:
    """The photo or document a media row names, read from its item's message in the raw page."""
    from telethon.extensions import BinaryReader
    from telethon.tl import types

    if not raw_sha or not raw_span or not raw_span.startswith("T"):
        raise MediaFailure("its message is not in a kept Telegram page (no raw span)")
    if raw_sha not in pages:
        path = case.raw_store.path(raw_sha)
        if not path.is_file():
            raise MediaFailure(f"the raw page {raw_sha[:12]} that holds its message is missing")
        pages.clear()  # one page at a time: the rows come in item order, mostly page by page
        pages[raw_sha] = path.read_bytes()
    start, _, end = raw_span[1:].partition(":")
    try:
        with BinaryReader(pages[raw_sha][int(start):int(end)]) as reader:
            msg = reader.tgread_object()
    except Exception as exc:  # noqa: BLE001 - Telethon's readers raise several kinds
        raise MediaFailure(f"its message cannot be read from the raw page ({exc})") from None
    media = getattr(msg, "media", None)
    photo = getattr(media, "photo", None)
    document = getattr(media, "document", None)
    if isinstance(photo, types.Photo) and key == f"photo{photo.id}":
        sizes = [s for s in photo.sizes if isinstance(s, types.PhotoSize | types.PhotoSizeProgressive)]
        if not sizes:
            raise MediaFailure("the photo has no downloadable size")
        big = max(sizes, key=_photo_bytes)
        location = types.InputPhotoFileLocation(id=photo.id, access_hash=photo.access_hash,
                                                file_reference=photo.file_reference,
                                                thumb_size=big.type)
        return _File(location, photo.dc_id, _photo_bytes(big), "image/jpeg", f"{key}.jpg")
    if isinstance(document, types.Document) and key == f"document{document.id}":
        location = types.InputDocumentFileLocation(id=document.id,
                                                   access_hash=document.access_hash,
                                                   file_reference=document.file_reference,
                                                   thumb_size="")
        name = next((a.file_name for a in document.attributes
                     if isinstance(a, types.DocumentAttributeFilename) and a.file_name), key)
        return _File(location, document.dc_id, document.size, document.mime_type or None,
                     name[:200])
    raise MediaFailure(f"its message no longer holds {key}")


def _photo_bytes(size) -> int:
    return max(size.sizes) if hasattr(size, "sizes") else size.size


def _fetch(case: Case, collector: TelegramCollector, file: _File, max_bytes: int,
           max_wait: float, sleep: Callable[[float], None]) -> tuple[str, int]:
    """Store one file: (sha256, size). A FLOOD_WAIT within ``max_wait`` is waited out and the file
    asked for again from its start; a longer one is raised as _FloodWait."""
    for _ in range(FLOOD_RETRIES):
        try:
            return case.media_store.put_stream(_Download(collector, file, max_bytes))
        except _FloodWait as flood:
            if flood.seconds > max_wait:
                raise
            sleep(flood.seconds)
    raise MediaFailure(f"Telegram kept asking to wait (FLOOD_WAIT), {FLOOD_RETRIES} times")


class _Download:
    """Telethon's download of one file as a stream to store: each read is the next chunk that
    ``upload.getFile`` answered, fetched on the collector's loop."""

    def __init__(self, collector: TelegramCollector, file: _File, max_bytes: int):
        self.collector, self.file, self.max_bytes, self.size = collector, file, max_bytes, 0
        self.chunks = None

    def read(self, n: int = -1) -> bytes:
        try:
            block = self.collector.on_loop(self._next, CHUNK_TIMEOUT_S + 10)
        except TimeoutError:
            raise MediaFailure(f"the download broke off: no answer in {CHUNK_TIMEOUT_S}s") from None
        self.size += len(block)
        if self.size > self.max_bytes:
            raise MediaFailure(f"too large: more than the maximum of {self.max_bytes} bytes")
        return block

    async def _next(self, client) -> bytes:
        from telethon import errors

        if self.chunks is None:
            self.chunks = client.iter_download(self.file.location, file_size=self.file.size,
                                               dc_id=self.file.dc_id)
        try:
            return await within(client, self.chunks.__anext__(), CHUNK_TIMEOUT_S)
        except StopAsyncIteration:
            return b""
        except (errors.FileReferenceExpiredError, errors.FileReferenceInvalidError,
                errors.FilerefUpgradeNeededError) as exc:
            raise MediaFailure(f"file reference expired ({said(exc)}): Telegram no longer "
                               "accepts the one kept with the message; download right after "
                               "collecting") from None
        except (errors.FloodWaitError, errors.FloodPremiumWaitError) as exc:
            raise _FloodWait(float(exc.seconds)) from None
        except errors.RPCError as exc:
            raise MediaFailure(f"Telegram refused the file: {said(exc)} ({exc.code})") from None
        except (TimeoutError, OSError, ConnectionError) as exc:
            raise MediaFailure(f"the download broke off: {type(exc).__name__}: {exc}") from None


__all__ = ["DEFAULT_KINDS", "download_telegram_media"]
