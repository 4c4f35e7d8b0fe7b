"""Live YouTube collection with yt-dlp: a video's or a channel's metadata and comments.

Public metadata only: no login, no cookies, no PO tokens or other anti-bot measures. yt-dlp is used
as a library (``yt_dlp.YoutubeDL`` with ``skip_download``, ``getcomments`` and
``ignore_no_formats_error``: the video itself is not downloaded, and a video whose formats cannot
be listed without a JavaScript runtime still gives its metadata). Its YouTube extractor is asked to
use only the ``web`` player client and to skip the player JavaScript and other clients' configs
(``extractor_args={'youtube': {'player_client': ['web'], 'player_skip': ['js', 'configs']}}``): the
watch page's ``ytInitialPlayerResponse`` and ``ytInitialData`` then give the metadata, and the
innertube ``/youtubei/v1/next`` continuations the comments (newest first, with their replies).

What is kept, and why. yt-dlp's info dict is its *reading* of YouTube's pages, not what YouTube
sent. Each page the run stores (:mod:`workbench.collect.youtube` documents its shape) therefore
holds both: the info dict (``YoutubeDL.sanitize_info``), which the file format maps to items, and
every HTTP answer yt-dlp received while reading it (the watch page HTML, each ``/next`` and
``/browse`` JSON, error answers too), each body exactly as received after content decoding with
its SHA-256. They are taken from ``YoutubeDL.urlopen``, which every request of the extractor goes
through, so nothing is re-fetched or re-serialised. The stored page is hashed by the run like every
raw page.

Pages and the cursor. A video is one page: the video and all its comments. A channel
(``https://www.youtube.com/@handle/videos``) is read newest first from its listing (``extract_flat``:
the channel page, then ``/browse`` continuations, fetched lazily), one page per video; the cursor's
``older`` is the id of the last video completed and the next run continues with the video listed
after it (should that video have left the listing, the listing is read again from the top; videos
already collected come back as duplicates, none is missed). Once the channel has been read to the
end, a later run reads the listing from the top again until it reaches the newest video already
collected (``pages_up = False``), so new uploads are collected and the newest video's comments
refreshed.

Errors. A 429 (YouTube's rate limit) stops the read at once and becomes :class:`RateLimited` with
its Retry-After. A lost connection is a :class:`CollectError` (running again resumes). A channel
that does not exist (404) is a :class:`CollectError`; so is a removed or private video asked for
by id. A removed video met in a channel's listing, or an answer that is not valid JSON, is kept as
a page holding the reason, which the file format quarantines. Set-Cookie headers are not kept
(they are the anonymous session's, not evidence); nothing else secret exists: there is no login.

The video file. Only with ``download_video=True``, and only through :func:`collect_youtube` (which
has the case): after the run, each video it added is fetched again with the ``visionos`` player
client (whose formats need no PO token and no JavaScript), its smallest format with picture and
sound is downloaded to a temporary folder and stored in the case's media store by its SHA-256
(the item's ``video`` media row gets the hash; audited as ``media.stored``). A file that cannot be
had is recorded (``media.failed``) and skipped. The file's bytes are not copied into the page.

Certificates: yt-dlp verifies TLS with certifi's CA bundle; ``system_certs=True`` makes it use
OpenSSL's default store instead (``compat_opts={'no-certifi'}``), which honours ``SSL_CERT_FILE``
(needed behind an inspecting proxy; the tests trust their own CA this way).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from workbench.collect.live import CollectError, Page, RateLimited, missing_library
from workbench.collect.live.ytdlp import Stopped, YdlLog, recording_ydl
from workbench.collect.youtube import MARK, video_url
from workbench.timeutil import now_text, parse_time, to_text

_VIDEO_ID = re.compile(r"^[\w-]{11}$")
_VIDEO_URL = re.compile(r"(?:v=|youtu\.be/|/shorts/|/live/|/embed/)([\w-]{11})")
_HANDLE = re.compile(r"^@[\w.-]{3,30}$")
_CHANNEL_ID = re.compile(r"^UC[\w-]{22}$")
BASE = "https://www.youtube.com"
#: The smallest file that has both picture and sound (the evidence is what was shown, not its
#: quality); else the smallest of any kind.
DOWNLOAD_FORMAT = "worst[vcodec!=none][acodec!=none]/worst"
MAX_DOWNLOAD_BYTES = 2 * 1024**3

if TYPE_CHECKING:
    from workbench.case import Case


def video_id_of(value: str) -> str:
    """The 11-character id of a video given by id or by any of its URLs."""
    value = value.strip()
    if _VIDEO_ID.match(value):
        return value
    found = _VIDEO_URL.search(value)
    if found:
        return found.group(1)
    raise CollectError(f"youtube: {value!r} is not a video id or URL",
                       hint="give the 11-character id (dQw4w9WgXcQ) or the watch URL")


def channel_of(value: str) -> str:
    """A channel as ``@handle`` or ``UC...`` id, from a handle, an id or a channel URL."""
    value = value.strip().rstrip("/")
    value = re.sub(r"^(?:https?://)?(?:www\.|m\.)?youtube\.com/", "", value)
    value = re.sub(r"^channel/", "", value)
    value = value.split("/")[0]
    if _CHANNEL_ID.match(value):
        return value
    handle = value if value.startswith("@") else f"@{value}"
    if _HANDLE.match(handle):
        return handle
    raise CollectError(f"youtube: {value!r} is not a channel handle, id or URL",
                       hint="give @handle, the UC... channel id, or the channel's URL")


class YouTubeCollector:
    """One video (``video=``) or one channel's uploads (``channel=``), with their comments.

    ``comments``: also read the comments (default); ``max_comments`` caps how many per video.
    ``proxy``: an HTTP(S) proxy for every request. ``system_certs``: trust the system's CA store
    (OpenSSL's, which honours ``SSL_CERT_FILE``) instead of certifi's, e.g. behind an inspecting
    proxy.
    """

    pages_up = False
    format = "youtube"
    collector = "live:youtube"

    def __init__(self, *, video: str | None = None, channel: str | None = None, comments: bool = True,
                 max_comments: int | None = None, proxy: str | None = None,
                 system_certs: bool = False, download_video: bool = False):
        if bool(video) == bool(channel):
            raise CollectError("youtube: give either a video or a channel",
                               hint="--video ID_OR_URL or --channel @handle")
        self.video = video_id_of(video) if video else None
        self.channel = channel_of(channel) if channel else None
        self.comments, self.max_comments = comments, max_comments
        self.proxy, self.system_certs = proxy, system_certs
        self.download_video = download_video
        self.source = "youtube"
        self.query = f"video:{self.video}" if self.video else f"channel:{self.channel}"
        try:
            from yt_dlp.version import __version__
        except ImportError:
            __version__ = "missing"
        self.version = f"yt-dlp {__version__}"
        self._ydl = None
        self._listing: list[str] = []  # video ids read from the channel's listing, newest first
        self._entries = None  # the rest of the listing, read lazily
        self._log = YdlLog()

    def _options(self, download: bool = False) -> dict:
        youtube = {"player_client": ["web"], "player_skip": ["js", "configs"]}
        if download:  # formats come from the player API; the web client's need PO tokens
            youtube = {"player_client": ["visionos"], "player_skip": ["configs"]}
        if self.max_comments is not None:
            youtube["max_comments"] = [str(self.max_comments)]
        options = {
            "skip_download": True, "getcomments": self.comments, "ignore_no_formats_error": True,
            "quiet": True, "no_warnings": False, "logger": self._log, "noprogress": True,
            "extractor_retries": 1, "retry_sleep_functions": {"extractor": lambda n: 0.2},
            "socket_timeout": 30, "cachedir": False, "noplaylist": True, "lazy_playlist": True,
            "extractor_args": {"youtube": youtube}, "format": "best/bestvideo/bestaudio",
        }
        if download:
            options.update({"skip_download": False, "getcomments": False, "format": DOWNLOAD_FORMAT,
                            "max_filesize": MAX_DOWNLOAD_BYTES, "overwrites": True,
                            "writethumbnail": False, "noprogress": True})
        if self.proxy:
            options["proxy"] = self.proxy
        if self.system_certs:
            options["compat_opts"] = {"no-certifi"}
        return options

    def _dl(self):
        if self._ydl is None:
            try:
                recording, self._stop_type = recording_ydl()
            except ImportError as error:
                raise missing_library("YouTube", "yt-dlp") from error
            self._ydl = recording(self._options())
        self._ydl.answers = []
        self._log.warnings = []
        return self._ydl

    def download(self, video_id: str, folder: Path) -> tuple[Path, dict]:
        """Download one video's smallest audio+video format into ``folder``: the file and what was
        fetched (format, extension, host). Raises :class:`RateLimited` or :class:`CollectError`."""
        from yt_dlp.utils import DownloadError

        recording, stop_type = recording_ydl()
        self._log.warnings = []
        options = self._options(download=True)
        options["outtmpl"] = {"default": str(folder / "%(id)s.%(ext)s")}
        with recording(options) as ydl:
            ydl.answers, ydl.keep = [], False
            try:
                info = ydl.extract_info(video_url(video_id), download=True)
            except stop_type as stop:
                self._raise(stop.stop, f"the file of video {video_id}")
            except DownloadError as error:
                raise CollectError(f"youtube: the file of video {video_id} cannot be downloaded "
                                   f"({_reason(error)})", hint="try again later") from None
        done = [d for d in (info or {}).get("requested_downloads") or [] if d.get("filepath")]
        if not done or not Path(done[0]["filepath"]).is_file():
            reason = _unavailable(self._log.warnings) or "no format could be downloaded"
            raise CollectError(f"youtube: the file of video {video_id} was not downloaded ({reason})",
                               hint="some videos need a signed-in session or a JavaScript runtime")
        fetched = done[0]
        # the stream link itself is not kept: it is signed for, and names, the collector's address
        return Path(fetched["filepath"]), {"format_id": fetched.get("format_id"),
                                          "ext": fetched.get("ext"),
                                          "host": urlsplit(fetched.get("url") or "").hostname}

    def close(self) -> None:
        if self._ydl is not None:
            self._ydl.close()
            self._ydl = None

    # -- reading ------------------------------------------------------------------------------
    def fetch(self, *, older: str | None = None, newer: str | None = None) -> Page:
        """One page: the video, or in a channel the newest video (``older`` None) or the video
        listed after the video ``older``. (``newer`` is not asked for: ``pages_up`` is False.)"""
        ydl = self._dl()
        if self.video:
            document = self._read_video(ydl, self.video, alone=True)
            return self._page(document, self.video, None)
        from yt_dlp.utils import YoutubeDLError

        try:
            video_id, following = self._next_in_listing(older)
        except self._stop_type as stop:
            self._entries = None  # a listing cut short is read again, never taken as its end
            self._raise(stop.stop, f"the listing of {self.channel}")
        except YoutubeDLError as error:  # a later page of the listing failed (read lazily)
            self._entries = None
            raise CollectError(f"youtube: the listing of {self.channel} cannot be read "
                               f"({_reason(error)})", hint="try again later") from None
        listing_answers = ydl.answers
        if video_id is None:  # an empty channel: nothing to read
            document = self._document(listing_answers, self._channel_url())
            return Page(body=_dump(document), url=self._channel_url(), count=0)
        ydl.answers = []
        document = self._read_video(ydl, video_id, alone=False)
        document["responses"] = listing_answers + document["responses"]
        return self._page(document, video_id, following)

    def _channel_url(self) -> str:
        path = self.channel if self.channel.startswith("@") else f"channel/{self.channel}"
        return f"{BASE}/{path}/videos"

    def _next_in_listing(self, older: str | None) -> tuple[str | None, str | None]:
        """The video to read and the one listed after it (None at the end of the listing)."""
        if older is None or self._entries is None:  # from the top: read the listing afresh
            self._listing, self._entries = [], iter(self._listing_entries())
        if older is not None:
            while older not in self._listing and self._more():
                pass
            start = self._listing.index(older) + 1 if older in self._listing else 0
        else:
            start = 0
        while len(self._listing) < start + 2 and self._more():
            pass
        video_id = self._listing[start] if start < len(self._listing) else None
        following = self._listing[start + 1] if start + 1 < len(self._listing) else None
        return video_id, following

    def _more(self) -> bool:
        entry = next(self._entries, None)
        if entry is None:
            return False
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            self._listing.append(entry["id"])
        return True

    def _listing_entries(self):
        from yt_dlp.utils import DownloadError

        ydl = self._ydl
        ydl.params["extract_flat"] = "in_playlist"
        try:
            info = ydl.extract_info(self._channel_url(), download=False, process=False)
        except DownloadError as error:
            if any(a["status"] == 404 for a in ydl.answers):
                raise CollectError(f"youtube: there is no channel {self.channel}",
                                   hint="check the @handle or channel id (open the channel on "
                                   "youtube.com)") from None
            raise CollectError(f"youtube: the listing of {self.channel} cannot be read "
                               f"({_reason(error)})", hint="try again later") from None
        finally:
            ydl.params.pop("extract_flat", None)
        return info.get("entries") or [] if isinstance(info, dict) else []

    def _read_video(self, ydl, video_id: str, *, alone: bool) -> dict:
        from yt_dlp.utils import DownloadError

        url = video_url(video_id)
        try:
            info = ydl.extract_info(url, download=False)
        except self._stop_type as stop:
            self._raise(stop.stop, f"video {video_id}")
        except DownloadError as error:
            reason = _reason(error)
            malformed = "Failed to parse JSON" in reason  # an answer that is not valid JSON
            if alone and not malformed:
                raise CollectError(f"youtube: video {video_id} cannot be read ({reason})",
                                   hint="check the video id; try again later") from None
            return self._document(ydl.answers, url, error=f"video {video_id}: {reason}")
        info = ydl.sanitize_info(info)
        if not (info.get("channel_id") or info.get("timestamp") or info.get("upload_date")):
            reason = _unavailable(self._log.warnings) or "YouTube gave no title"
            if alone:
                raise CollectError(f"youtube: video {video_id} is unavailable ({reason})",
                                   hint="it may have been removed or made private") from None
            return self._document(ydl.answers, url, error=f"video {video_id} is unavailable: {reason}")
        comments = info.pop("comments", None) or []
        return self._document(ydl.answers, url, info=info, comments=comments)

    def _document(self, answers: list[dict], url: str, *, info: dict | None = None,
                  comments: list | None = None, error: str | None = None) -> dict:
        """A page as :mod:`workbench.collect.youtube` reads it."""
        return {"workbench": MARK, "query": self.query, "url": url, "collected_at": now_text(),
                "yt_dlp": self.version.split()[-1], "error": error, "info": info,
                "comments": comments or [], "responses": list(answers)}

    def _page(self, document: dict, video_id: str, following: str | None) -> Page:
        info = document.get("info") or {}
        when = None
        if isinstance(info.get("timestamp"), int | float):
            when = to_text(parse_time(info["timestamp"])[0])
        return Page(body=_dump(document), url=document["url"],
                    count=1 + len(document.get("comments") or []),
                    older=video_id if following else None,  # the next page starts after this video
                    oldest_at=when, newest_at=when, newest_id=video_id, ids=(video_id,))

    def _raise(self, stop: Stopped, what: str) -> NoReturn:
        if stop.status == 429:
            raise RateLimited(stop.wait) from None
        raise CollectError(f"youtube: {what} cannot be read: YouTube cannot be reached ({stop.reason})",
                           hint="check the network (and --proxy); running the same command again "
                           "resumes where this run stopped") from None


def collect_youtube(case: Case, collector: YouTubeCollector, **run: Any):
    """Collect (see :func:`workbench.collect.live.collect`); then, when the collector was asked to
    ``download_video``, download the file of each video this run added and keep it in the case's
    media store, hashed (the ``video`` media row of the item gets its sha256)."""
    from workbench.collect.live import collect

    result = collect(case, collector, **run)
    if collector.download_video:
        download_videos(case, collector, result)
    return result


def download_videos(case: Case, collector: YouTubeCollector, result) -> int:
    """Download the files of the videos a run added; returns how many were stored. A video whose
    file cannot be had is recorded in the audit log (``media.failed``) and skipped."""
    from workbench import audit
    from workbench.ingest import _register_payload
    from workbench.store import write

    rows = case.db.execute(
        "SELECT m.uid, i.id FROM media m JOIN items i ON i.uid = m.item_uid WHERE i.run_id = ? "
        "AND i.platform = 'youtube' AND i.kind = 'video' AND m.key = 'video' AND m.sha256 IS NULL",
        [result.run_id]).fetchall()
    stored = 0
    for uid, video_id in rows:
        with tempfile.TemporaryDirectory(prefix="workbench-youtube-") as folder:
            try:
                path, fetched = collector.download(video_id, Path(folder))
            except (CollectError, RateLimited) as error:
                with write(case.db):
                    audit.append(case.db, "media.failed", {"run": result.run_id, "media": uid,
                                                           "reason": str(error)[:300]})
                result.notes["video files not downloaded"] = \
                    result.notes.get("video files not downloaded", 0) + 1
                continue
            sha, size = case.media_store.put_file(path)
        with write(case.db):
            if _register_payload(case.db, sha, "media", path.name, size, result.run_id):
                result.media_files += 1
            case.db.execute("UPDATE media SET sha256 = ?, mime = ? WHERE uid = ?",
                            [sha, f"video/{fetched.get('ext') or 'mp4'}", uid])
            updated = next(case.db.query("SELECT * FROM media WHERE uid = ?", [uid]))
            audit.append(case.db, "media.stored", {
                "sha256": sha, "name": path.name, "size": size, "run": result.run_id,
                "media": uid, "format": fetched.get("format_id"), "host": fetched.get("host")},
                [audit.Change("media", uid, "update", audit.row_hash("media", updated))])
        stored += 1
    return stored


def _dump(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _reason(error: Exception) -> str:
    text = re.sub(r"^ERROR:\s*", "", str(error)).strip()
    return text.split("\n")[0][:300]


def _unavailable(warnings: list[str]) -> str | None:
    """The reason YouTube gave for not showing a video, from yt-dlp's warnings."""
    for warning in warnings:
        text = re.sub(r"^(?:WARNING:\s*)?(?:\[[\w:]+\]\s*)?(?:[\w-]{11}:\s*)?", "", warning)
        if "No video formats" in text or "Requested format" in text:
            continue
        return text[:300]
    return None


def youtube_collectors(plan, *, video: list[str] | None = None, channel: list[str] | None = None,
                       **options: Any) -> list[YouTubeCollector]:
    """Collectors for the videos and channels given, else for the plan's YouTube accounts
    (``@handle`` or ``UC...`` names among the plan's accounts, where the plan names YouTube)."""
    collectors = [YouTubeCollector(video=v, **options) for v in video or []]
    collectors += [YouTubeCollector(channel=c, **options) for c in channel or []]
    if not collectors and "youtube" in [p.lower() for p in plan.platforms or []]:
        for name in plan.accounts:
            try:
                collectors.append(YouTubeCollector(channel=channel_of(name), **options))
            except CollectError:
                continue  # an account of another platform
    if not collectors:
        raise CollectError("youtube: no video or channel to collect",
                           hint="pass --video or --channel, or add the channel's @handle to the "
                           "plan's accounts with youtube among its platforms")
    return collectors
