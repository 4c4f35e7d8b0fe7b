"""YouTube pages as the live collector keeps them (``youtube``): one video, its comments, and the
HTTP answers they were read from.

yt-dlp reads YouTube's pages (the watch page's ``ytInitialPlayerResponse``/``ytInitialData``, the
innertube ``/youtubei/v1/next`` comment continuations, a channel's ``/browse`` pages) into an info
dict. That dict is a *reading* of the pages, not what was received, so a kept page holds both::

    {"workbench": "youtube-page/1", "query": "video:ID", "url": "...", "collected_at": "...",
     "yt_dlp": "2026.10.26", "error": null,
     "info": {yt-dlp's info dict, sanitised, without "comments"},
     "comments": [{yt-dlp's comment dicts}],
     "responses": [{"method", "url", "status", "headers", "sha256", "size", "encoding", "body"}]}

``responses`` are the HTTP answers yt-dlp received for this page, in order, each body exactly as
received after content decoding: ``encoding`` ``utf-8`` when the bytes are UTF-8 text (``body`` is
that text), else ``base64``; ``sha256`` is the hash of the bytes themselves, so each answer can be
recovered byte for byte and checked (:func:`response_bytes`).

Records: the video (``$.info``, an item of kind ``video``: text is the title, a blank line and the
description; its media row ``video`` is the video file, stored only when the collector was asked to
download it) and each comment (``$.comments[i]``, kind ``comment``, ``reply_to`` the video or the
parent comment). YouTube shows a comment's time only as "2 days ago"; yt-dlp turns that into a
time, so comment times carry the caveat ``estimated-time`` (to the day, or to the hour for recent
ones). A comment without a readable time is quarantined. A page whose video could not be read (a
removed or private video in a channel, an answer that was not valid JSON) holds ``error`` and no
``info``: it gives one quarantined record with that reason, and its answers are kept all the same.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import Walk, value_at, walk_array, walk_document, walk_object
from workbench.collect.readers import decode, excerpt
from workbench.collect.values import as_int, unique
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped, Media, make_uid
from workbench.timeutil import parse_time

PLATFORM = "youtube"
MARK = "youtube-page/1"
_LINK = re.compile(r"https?://[^\s<>\"')\]]+")
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")


def video_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def response_bytes(response: dict) -> bytes:
    """The body of one kept answer, byte for byte as received."""
    body = response.get("body") or ""
    if response.get("encoding") == "base64":
        return base64.b64decode(body)
    return body.encode("utf-8")


def keep_response(method: str, url: str, status: int, headers: dict, body: bytes) -> dict:
    """One received answer, for ``responses``."""
    try:
        text, encoding = body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(body).decode("ascii"), "base64"
    return {"method": method, "url": url, "status": status, "headers": headers,
            "sha256": hashlib.sha256(body).hexdigest(), "size": len(body), "encoding": encoding,
            "body": text}


class _Reader:
    def __init__(self, text: str, name: str):
        self.text, self.name = text, name
        self.video: str | None = None
        self.error: str | None = None

    def document(self, pos: int) -> Walk:
        def visit(key: str, at: int) -> Walk | None:
            if key == "error":
                self.error, _ = value_at(self.text, at, "$.error")
                return None
            if key == "info":
                return self.info(at)
            if key == "comments":
                return walk_array(self.text, at, self.comment)
            return None

        end = yield from walk_object(self.text, pos, visit)
        if self.error and self.video is None:
            yield Record(f"{self.name} $.error", f"C{pos}:{end}", error=str(self.error),
                         excerpt=excerpt(self.text[pos:pos + 200]))
        return end

    def info(self, pos: int) -> Walk:
        value, end = value_at(self.text, pos, "$.info")
        if isinstance(value, dict):
            self.video = value.get("id") if isinstance(value.get("id"), str) else None
            yield Record("$.info", f"C{pos}:{end}", data=value)
        return end

    def comment(self, index: int, pos: int) -> Walk:
        value, end = value_at(self.text, pos, f"$.comments[{index}]")
        if value is not None:
            yield Record(f"$.comments[{index}]", f"C{pos}:{end}", data=value,
                         context={"video": self.video})
        return end


@register
class YouTubePage(FileFormat):
    """A YouTube video with its comments and the answers they were read from (live collection)."""

    name = "youtube"
    title = "YouTube video and comments (yt-dlp info JSON with the answers received)"
    platform = PLATFORM
    version = "1"

    def sniff(self, sample: Sample) -> bool:
        return f'"workbench": "{MARK}"' in sample.head[:400]

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        text, _ = decode(payload.read_bytes(), name=payload.name)
        yield from walk_document(text, _Reader(text, payload.name).document)

    def map(self, record: Record) -> Mapped:
        if record.locator == "$.info":
            return map_video(record.data)
        return map_comment(record.data, record.context.get("video"))


def _epoch(value: Any, field: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{field} is not a time: {value!r}")
    return parse_time(value, field=field)[0]


def map_video(info: Any) -> Mapped:
    """Map yt-dlp's info dict of one video."""
    if not isinstance(info, dict):
        raise RecordError(f"a video must be an object, found {type(info).__name__}")
    video_id = info.get("id")
    if not isinstance(video_id, str) or not video_id:
        raise RecordError("video has no id")
    title = info.get("title") if isinstance(info.get("title"), str) else ""
    description = info.get("description") if isinstance(info.get("description"), str) else ""
    caveats: list[str] = []
    if info.get("timestamp") is not None:
        when = _epoch(info["timestamp"], "timestamp")
    elif isinstance(info.get("upload_date"), str) and len(info["upload_date"]) == 8:
        day = info["upload_date"]
        when = datetime(int(day[:4]), int(day[4:6]), int(day[6:]), tzinfo=UTC)
        caveats.append("date-only")
    else:
        raise RecordError("video has no upload time (timestamp or upload_date)")
    if info.get("availability") not in (None, "public"):
        caveats.append(f"availability:{info['availability']}")
    if info.get("live_status") not in (None, "not_live"):
        caveats.append(f"live:{info['live_status']}")
    author = _channel(info)
    text = "\n\n".join(part for part in (title, description) if part)
    # the video file itself, as a media row. No url: the file is not at one address (YouTube
    # serves signed, expiring stream links), so only the YouTube collector fetches it, when asked
    # (download_video), never a generic media download.
    media = [Media(make_uid(PLATFORM, video_id), "video", kind="video",
                   width=as_int(info.get("width")), height=as_int(info.get("height")))]
    item = Item(
        platform=PLATFORM, id=video_id, created_at=when, text=text, kind="video",
        url=video_url(video_id), title=title or None,
        author_id=author.id if author else None, author_handle=author.handle if author else None,
        author_name=author.name if author else None,
        lang=info.get("language") if isinstance(info.get("language"), str) else None,
        conversation_id=video_id, hashtags=unique(t.lower() for t in _HASHTAG.findall(description)),
        media=["video"],
        links=unique(_LINK.findall(description)),
        likes=as_int(info.get("like_count")), views=as_int(info.get("view_count")),
        replies=as_int(info.get("comment_count")), caveats=caveats,
    )
    return Mapped(item, [author] if author else [], media)


def _channel(info: dict) -> Author | None:
    channel_id = info.get("channel_id")
    if not isinstance(channel_id, str) or not channel_id:
        return None
    handle = info.get("uploader_id") if isinstance(info.get("uploader_id"), str) else None
    return Author(platform=PLATFORM, id=channel_id, handle=handle,
                  name=info.get("channel") if isinstance(info.get("channel"), str) else None,
                  followers=as_int(info.get("channel_follower_count")),
                  url=info.get("channel_url") if isinstance(info.get("channel_url"), str) else None,
                  verified=info.get("channel_is_verified") if isinstance(
                      info.get("channel_is_verified"), bool) else None)


def map_comment(comment: Any, video_id: str | None) -> Mapped:
    """Map one of yt-dlp's comment dicts of the video ``video_id``."""
    if not isinstance(comment, dict):
        raise RecordError(f"a comment must be an object, found {type(comment).__name__}")
    if not video_id:
        raise RecordError("comment of an unknown video (the page has no readable info)")
    cid = comment.get("id")
    if not isinstance(cid, str) or not cid:
        raise RecordError("comment has no id")
    if comment.get("timestamp") is None:
        raise RecordError(f"comment {cid} has no time that can be read "
                          f"(YouTube showed {comment.get('_time_text')!r})")
    when = _epoch(comment["timestamp"], "timestamp")
    caveats = ["estimated-time"]
    if comment.get("is_pinned"):
        caveats.append("pinned")
    if comment.get("author_is_uploader"):
        caveats.append("by-uploader")
    parent = comment.get("parent")
    reply_to = make_uid(PLATFORM, parent if isinstance(parent, str) and parent != "root" else video_id)
    author = None
    if isinstance(comment.get("author_id"), str) and comment["author_id"]:
        name = comment.get("author") if isinstance(comment.get("author"), str) else None
        author = Author(platform=PLATFORM, id=comment["author_id"],
                        handle=name if name and name.startswith("@") else None, name=name,
                        url=comment.get("author_url") if isinstance(comment.get("author_url"), str) else None,
                        verified=comment.get("author_is_verified") if isinstance(
                            comment.get("author_is_verified"), bool) else None)
    text = comment.get("text") if isinstance(comment.get("text"), str) else ""
    item = Item(
        platform=PLATFORM, id=cid, created_at=when, text=text, kind="comment",
        url=f"{video_url(video_id)}&lc={cid}",
        author_id=author.id if author else None, author_handle=author.handle if author else None,
        author_name=author.name if author else None, reply_to=reply_to, conversation_id=video_id,
        hashtags=unique(t.lower() for t in _HASHTAG.findall(text)), links=unique(_LINK.findall(text)),
        likes=as_int(comment.get("like_count")), caveats=caveats,
    )
    return Mapped(item, [author] if author else [], [])
