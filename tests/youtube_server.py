"""YouTube on 127.0.0.1: an HTTPS-intercepting proxy that replays YouTube's pages in their real shapes.

yt-dlp is given ``proxy=http://127.0.0.1:PORT``. The proxy answers ``CONNECT www.youtube.com:443``,
terminates TLS with a certificate for www.youtube.com signed by a CA made here with
``cryptography`` (the client trusts it through ``SSL_CERT_FILE``, read by OpenSSL's default verify
paths, which yt-dlp uses with ``compat_opts={'no-certifi'}``), and answers the requests yt-dlp's
YouTube extractor makes with the web client:

- ``GET /watch?v=ID``: the watch page HTML with ``ytcfg.set({...})``, ``var ytInitialPlayerResponse
  = {...}`` (``videoDetails``, ``microformat.playerMicroformatRenderer``, ``playabilityStatus``) and
  ``var ytInitialData = {...}`` (``twoColumnWatchNextResults``: ``videoPrimaryInfoRenderer``,
  ``videoSecondaryInfoRenderer``, the ``comment-item-section`` with its continuation);
- ``POST /youtubei/v1/next``: comment continuations: the header (``commentsHeaderRenderer`` with the
  sort menu), pages of ``commentThreadRenderer``/``commentViewModel`` with the comments themselves
  in ``frameworkUpdates.entityBatchUpdate.mutations`` (``commentEntityPayload``), and reply threads;
- ``GET /@handle/videos``: the channel page (``twoColumnBrowseResultsRenderer`` tabs,
  ``richGridRenderer`` of ``richItemRenderer.content.videoRenderer``, ``channelMetadataRenderer``);
- ``POST /youtubei/v1/browse``: the channel's next videos (``appendContinuationItemsAction``);
- ``POST /youtubei/v1/player``: the player response, should a client ask for it.

Any other host is refused (403) and recorded in ``refused``; the tests assert it stays empty.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer
from urllib.parse import parse_qs, urlsplit

HOSTS = ("www.youtube.com", "youtube.com")
MEDIA_HOST = "rr3---sn-aigl6nze.googlevideo.com"  # where a video file is served from
API_KEY = "AIzaSyAO_FJ2SlqU8Q4STEHLGCilw_Y9_11qcW8"
VISITOR = "CgtWaXNpdG9yRGF0YSiAgICABjIKCgJHQhIEGgAgKA%3D%3D"
CLIENT_VERSION = "2.20261120.01.00"
COOKIE = "vSeSsIoNcOoKiE42"  # a visitor cookie: the session's, never kept in the case


def make_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate for the YouTube hosts it signed: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "workbench test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTS[0])]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in (*HOSTS, MEDIA_HOST)]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


# -- YouTube's shapes ------------------------------------------------------------------------------

def text(value: str) -> dict:
    return {"runs": [{"text": value}]}


def continuation_item(token: str, request: str = "CONTINUATION_REQUEST_TYPE_WATCH_NEXT") -> dict:
    return {"continuationItemRenderer": {
        "trigger": "CONTINUATION_TRIGGER_ON_ITEM_SHOWN",
        "continuationEndpoint": {
            "clickTrackingParams": "CBYQ7zsiEwi" + token[:8],
            "commandMetadata": {"webCommandMetadata": {"sendPost": True,
                                                       "apiUrl": "/youtubei/v1/next"
                                                       if "WATCH" in request else "/youtubei/v1/browse"}},
            "continuationCommand": {"token": token, "request": request},
        }}}


def ytcfg() -> dict:
    return {
        "INNERTUBE_API_KEY": API_KEY, "INNERTUBE_API_VERSION": "v1",
        "INNERTUBE_CLIENT_NAME": "WEB", "INNERTUBE_CLIENT_VERSION": CLIENT_VERSION,
        "INNERTUBE_CONTEXT_CLIENT_NAME": 1, "INNERTUBE_CONTEXT_CLIENT_VERSION": CLIENT_VERSION,
        "INNERTUBE_CONTEXT": {"client": {"hl": "en", "gl": "GB", "visitorData": VISITOR,
                                         "clientName": "WEB", "clientVersion": CLIENT_VERSION,
                                         "osName": "X11", "platform": "DESKTOP"},
                              "user": {"lockedSafetyMode": False}, "request": {"useSsl": True}},
        "VISITOR_DATA": VISITOR, "LOGGED_IN": False, "SESSION_INDEX": 0, "DELEGATED_SESSION_ID": None,
        "HL": "en", "GL": "GB",
    }


class Video:
    """One video and its comments as YouTube holds them."""

    def __init__(self, video_id: str, *, title: str, description: str, channel_id: str,
                 handle: str, channel: str, upload: str, views: int, likes: int,
                 comments: list[dict] | None = None, removed: bool = False):
        self.id, self.title, self.description = video_id, title, description
        self.channel_id, self.handle, self.channel = channel_id, handle, channel
        self.upload, self.views, self.likes = upload, views, likes
        self.comments = comments or []  # {"id", "author", "author_id", "text", "ago", "likes", "replies"}
        self.removed = removed
        self.file = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + video_id.encode() * 4096

    def player_response(self) -> dict:
        if self.removed:
            return {"responseContext": {"visitorData": VISITOR},
                    "playabilityStatus": {
                        "status": "ERROR", "reason": "This video has been removed by the uploader",
                        "errorScreen": {"playerErrorMessageRenderer": {
                            "reason": {"simpleText": "This video has been removed by the uploader"},
                            "subreason": {"simpleText": ""}}},
                        "contextParams": "Q0FFU0FnZ0I="},
                    "trackingParams": "CAAQu2kiEwi"}
        return {
            "responseContext": {"visitorData": VISITOR},
            "playabilityStatus": {"status": "OK", "playableInEmbed": True,
                                  "contextParams": "Q0FFU0FnZ0I="},
            "streamingData": {"expiresInSeconds": "21540", "formats": [], "adaptiveFormats": []},
            "videoDetails": {
                "videoId": self.id, "title": self.title, "lengthSeconds": "212",
                "keywords": ["flood", "river"], "channelId": self.channel_id,
                "isOwnerViewing": False, "shortDescription": self.description,
                "isCrawlable": True, "thumbnail": {"thumbnails": [
                    {"url": f"https://i.ytimg.com/vi/{self.id}/hqdefault.jpg", "width": 480,
                     "height": 360}]},
                "allowRatings": True, "viewCount": str(self.views), "author": self.channel,
                "isPrivate": False, "isUnpluggedCorpus": False, "isLiveContent": False,
            },
            "microformat": {"playerMicroformatRenderer": {
                "thumbnail": {"thumbnails": [{"url": f"https://i.ytimg.com/vi/{self.id}/maxresdefault.jpg",
                                              "width": 1280, "height": 720}]},
                "embed": {"iframeUrl": f"https://www.youtube.com/embed/{self.id}", "width": 1280,
                          "height": 720},
                "title": {"simpleText": self.title}, "description": {"simpleText": self.description},
                "lengthSeconds": "212", "ownerProfileUrl": f"http://www.youtube.com/{self.handle}",
                "externalChannelId": self.channel_id, "isFamilySafe": True,
                "availableCountries": ["GB", "US"], "isUnlisted": False, "hasYpcMetadata": False,
                "viewCount": str(self.views), "category": "News & Politics",
                "publishDate": self.upload, "ownerChannelName": self.channel, "uploadDate": self.upload,
                "isShortsEligible": False,
            }},
            "trackingParams": "CAAQu2kiEwi",
        }

    def format(self) -> dict:
        """The one progressive MP4 format a player response lists (served by the media host)."""
        url = (f"https://{MEDIA_HOST}/videoplayback?expire=1795500000&ei=x&ip=203.0.113.9"
               f"&id={self.id}&itag=18&source=youtube&requiressl=yes&mime=video%2Fmp4"
               f"&gir=yes&clen={len(self.file)}&dur=212.000&lmt=1795000000000000&c=VISIONOS"
               "&sparams=expire%2Cei%2Cip%2Cid%2Citag%2Csource%2Crequiressl%2Cmime%2Cgir%2Cclen"
               "&sig=AJfQdSswRQIhAO")
        return {"itag": 18, "url": url, "mimeType": 'video/mp4; codecs="avc1.42001E, mp4a.40.2"',
                "bitrate": 503000, "width": 640, "height": 360, "lastModified": "1795000000000000",
                "contentLength": str(len(self.file)), "quality": "medium", "fps": 30,
                "qualityLabel": "360p", "projectionType": "RECTANGULAR", "averageBitrate": 502000,
                "audioQuality": "AUDIO_QUALITY_LOW", "approxDurationMs": "212000",
                "audioSampleRate": "44100", "audioChannels": 2}

    def initial_data(self) -> dict:
        if self.removed:
            return {"responseContext": {"visitorData": VISITOR},
                    "contents": {"twoColumnWatchNextResults": {"results": {"results": {"contents": [
                        {"itemSectionRenderer": {"contents": [{"backgroundPromoRenderer": {
                            "title": text("This video isn't available anymore")}}]}}]}}}},
                    "currentVideoEndpoint": {"watchEndpoint": {"videoId": self.id}}}
        like_label = f"like this video along with {self.likes:,} other people"
        return {
            "responseContext": {"visitorData": VISITOR},
            "contents": {"twoColumnWatchNextResults": {"results": {"results": {"contents": [
                {"videoPrimaryInfoRenderer": {
                    "title": text(self.title),
                    "viewCount": {"videoViewCountRenderer": {
                        "viewCount": {"simpleText": f"{self.views:,} views"},
                        "shortViewCount": {"simpleText": f"{self.views} views"}, "originalViewCount": "0"}},
                    "videoActions": {"menuRenderer": {"topLevelButtons": [
                        {"segmentedLikeDislikeButtonViewModel": {"likeButtonViewModel": {
                            "likeButtonViewModel": {"toggleButtonViewModel": {"toggleButtonViewModel": {
                                "defaultButtonViewModel": {"buttonViewModel": {
                                    "iconName": "LIKE", "title": str(self.likes),
                                    "accessibilityText": like_label}}}}}}}}]}},
                    "dateText": {"simpleText": "Nov 20, 2026"},
                    "relativeDateText": {"simpleText": "2 days ago"},
                }},
                {"videoSecondaryInfoRenderer": {
                    "owner": {"videoOwnerRenderer": {
                        "title": {"runs": [{"text": self.channel, "navigationEndpoint": {
                            "commandMetadata": {"webCommandMetadata": {
                                "url": f"/{self.handle}", "webPageType": "WEB_PAGE_TYPE_CHANNEL"}},
                            "browseEndpoint": {"browseId": self.channel_id,
                                               "canonicalBaseUrl": f"/{self.handle}"}}}]},
                        "subscriberCountText": {"simpleText": "12.3K subscribers"},
                        "navigationEndpoint": {
                            "commandMetadata": {"webCommandMetadata": {"url": f"/{self.handle}"}},
                            "browseEndpoint": {"browseId": self.channel_id,
                                               "canonicalBaseUrl": f"/{self.handle}"}}}},
                    "attributedDescription": {"content": self.description},
                }},
                {"itemSectionRenderer": {
                    "contents": [continuation_item(f"comments-{self.id}")],
                    "trackingParams": "CLkBELsvGAMiEwi",
                    "sectionIdentifier": "comment-item-section", "targetId": "comments-section"}},
            ]}}}},
            "currentVideoEndpoint": {"watchEndpoint": {"videoId": self.id}},
            "trackingParams": "CAAQg2ciEwi",
            "engagementPanels": [{"engagementPanelSectionListRenderer": {
                "panelIdentifier": "engagement-panel-comments-section",
                "header": {"engagementPanelTitleHeaderRenderer": {
                    "title": text("Comments"),
                    "contextualInfo": text(str(self.comment_total()))}}}}],
        }

    def comment_total(self) -> int:
        return sum(1 + len(c.get("replies") or []) for c in self.comments)

    def watch_page(self) -> bytes:
        pr = json.dumps(self.player_response(), ensure_ascii=False)
        data = json.dumps(self.initial_data(), ensure_ascii=False)
        title = self.title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        meta = ("" if self.removed else f'<meta property="og:title" content="{title}">'
                f'<meta itemprop="uploadDate" content="{self.upload}">')
        return (
            '<!DOCTYPE html><html style="font-size: 10px;font-family: Roboto, Arial, sans-serif;" '
            'lang="en-GB"><head><meta http-equiv="origin-trial" content="x">'
            f'<title>{"" if self.removed else title} - YouTube</title>{meta}'
            '</head><body dir="ltr">'
            f'<script nonce="n1">ytcfg.set({json.dumps(ytcfg())}); '
            'window.ytcfg.obfuscatedData_ = [];</script>'
            f'<script nonce="n2">var ytInitialPlayerResponse = {pr};var meta = '
            "document.createElement('meta');</script>"
            '<div id="player"></div>'
            f'<script nonce="n3">var ytInitialData = {data};</script>'
            '</body></html>'
        ).encode()


def comment_entities(comment: dict, reply_level: int = 0) -> tuple[dict, list[dict]]:
    """A comment as a ``commentViewModel`` and its entity mutations (the comment's payload)."""
    cid = comment["id"]
    key, toolbar_key = f"Egd{cid}IAIoAQ%3D%3D", f"Egd{cid}IAYoAQ%3D%3D"
    view = {"commentViewModel": {"commentKey": key, "toolbarStateKey": toolbar_key, "commentId": cid,
                                 "rendererContext": {"loggingContext": {}}}}
    if comment.get("pinned"):
        view["commentViewModel"]["pinnedText"] = "Pinned by the uploader"
    payload = {
        "key": key,
        "properties": {
            "commentId": cid, "content": {"content": comment["text"]},
            "publishedTime": comment["ago"], "replyLevel": reply_level,
            "authorButtonA11y": comment["author"], "toolbarStateKey": toolbar_key,
        },
        "author": {
            "channelId": comment["author_id"], "displayName": comment["author"],
            "avatarThumbnailUrl": f"https://yt3.ggpht.com/{comment['author_id']}=s88-c-k",
            "isVerified": False, "isCurrentUser": False, "isCreator": bool(comment.get("creator")),
            "channelCommand": {"innertubeCommand": {
                "commandMetadata": {"webCommandMetadata": {"url": f"/{comment['author']}"}},
                "browseEndpoint": {"browseId": comment["author_id"],
                                   "canonicalBaseUrl": f"/{comment['author']}"}}},
        },
        "toolbar": {"likeCountNotliked": str(comment["likes"]) if comment["likes"] else " ",
                    "likeCountA11y": f"{comment['likes']} likes",
                    "replyCount": str(len(comment.get("replies") or [])) or "",
                    "heartActiveTooltip": ""},
    }
    mutations = [
        {"entityKey": key, "type": "ENTITY_MUTATION_TYPE_REPLACE",
         "payload": {"commentEntityPayload": payload}},
        {"entityKey": toolbar_key, "type": "ENTITY_MUTATION_TYPE_REPLACE",
         "payload": {"engagementToolbarStateEntityPayload": {
             "key": toolbar_key, "heartState": "TOOLBAR_HEART_STATE_UNHEARTED",
             "likeState": "TOOLBAR_LIKE_STATE_INDIFFERENT"}}},
    ]
    return view, mutations


def comment_thread(comment: dict) -> tuple[dict, list[dict]]:
    view, mutations = comment_entities(comment)
    thread = {"commentViewModel": view, "renderingPriority": "RENDERING_PRIORITY_UNKNOWN",
              "isModeratedElqComment": False, "loggingDirectives": {}}
    if comment.get("replies"):
        n = len(comment["replies"])
        thread["replies"] = {"commentRepliesRenderer": {
            "contents": [continuation_item(f"replies-{comment['id']}")],
            "trackingParams": "CA0Q",
            "viewReplies": {"buttonRenderer": {"text": text(f"{n} repl{'y' if n == 1 else 'ies'}")}},
            "targetId": f"comment-replies-item-{comment['id']}"}}
    return {"commentThreadRenderer": thread}, mutations


def framework(mutations: list[dict]) -> dict:
    return {"entityBatchUpdate": {"mutations": mutations,
                                  "timestamp": {"seconds": "1795000000", "nanos": 1}}}


def channel_video_renderer(video: Video) -> dict:
    return {"richItemRenderer": {"content": {"videoRenderer": {
        "videoId": video.id,
        "thumbnail": {"thumbnails": [{"url": f"https://i.ytimg.com/vi/{video.id}/hqdefault.jpg",
                                      "width": 168, "height": 94}]},
        "title": {"runs": [{"text": video.title}],
                  "accessibility": {"accessibilityData": {"label": f"{video.title} 3 minutes"}}},
        "descriptionSnippet": text(video.description[:100]),
        "publishedTimeText": {"simpleText": "2 days ago"},
        "lengthText": {"simpleText": "3:32"},
        "viewCountText": {"simpleText": f"{video.views:,} views"},
        "navigationEndpoint": {"commandMetadata": {"webCommandMetadata": {
            "url": f"/watch?v={video.id}", "webPageType": "WEB_PAGE_TYPE_WATCH"}},
            "watchEndpoint": {"videoId": video.id}},
        "shortBylineText": {"runs": [{"text": video.channel, "navigationEndpoint": {
            "commandMetadata": {"webCommandMetadata": {"url": f"/{video.handle}"}},
            "browseEndpoint": {"browseId": video.channel_id, "canonicalBaseUrl": f"/{video.handle}"}}}]},
        "ownerText": {"runs": [{"text": video.channel}]},
        "trackingParams": "CJ0BEJQ1",
    }}, "trackingParams": "CJwBEJmNBRgA"}}


class YouTube:
    """The replayed YouTube: videos, channels, and faults to inject before the next answers."""

    def __init__(self, folder: Path, page_size: int = 2, channel_page: int = 2):
        self.ca, cert, key = make_ca(folder)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)
        self.videos: dict[str, Video] = {}
        self.channels: dict[str, list[str]] = {}  # handle -> video ids, newest first
        self.channel_ids: dict[str, str] = {}
        self.page_size, self.channel_page = page_size, channel_page
        self.faults: list[tuple] = []  # (path prefix, status, headers, body) used once each
        self.refused: list[str] = []
        self.requests: list[str] = []
        self.sent: list[bytes] = []
        self.lock = threading.Lock()
        youtube = self

        class Proxy(StreamRequestHandler):
            def handle(self):
                youtube._proxy(self)

        class Server(ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Proxy)
        self.proxy = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_video(self, video: Video) -> None:
        self.videos[video.id] = video

    def add_channel(self, handle: str, channel_id: str, videos: list[Video]) -> None:
        for video in videos:
            self.add_video(video)
        self.channels[handle] = [v.id for v in videos]
        self.channel_ids[handle] = channel_id

    # -- the proxy --------------------------------------------------------------------------------
    def _proxy(self, stream: StreamRequestHandler) -> None:
        line = stream.rfile.readline(65537).decode("latin-1").strip()
        while stream.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass
        method, _, rest = line.partition(" ")
        target = rest.split(" ")[0]
        host = target.rsplit(":", 1)[0] if method == "CONNECT" else urlsplit(target).hostname
        if method != "CONNECT" or host not in (*HOSTS, MEDIA_HOST):
            with self.lock:
                self.refused.append(line)
            stream.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        stream.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        stream.wfile.flush()
        try:
            tls = self.tls.wrap_socket(stream.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self._handler()(tls, stream.client_address, self.server)
        except (ssl.SSLError, OSError):
            pass
        finally:
            with contextlib.suppress(OSError):
                tls.close()

    def _handler(self):
        youtube = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                youtube._answer(self, "GET", b"")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                youtube._answer(self, "POST", body)

        return Handler

    def _answer(self, handler, method: str, body: bytes) -> None:
        path = handler.path
        with self.lock:
            self.requests.append(f"{method} {path}")
            fault = next((f for f in self.faults if path.startswith(f[0])), None)
            if fault:
                self.faults.remove(fault)
        if fault:
            _, status, headers, payload = fault
            if status is None:  # the connection drops
                handler.connection.shutdown(socket.SHUT_RDWR)
                handler.close_connection = True
                return
            return self._send(handler, status, payload, headers)
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        try:
            request = json.loads(body) if body else {}
        except ValueError:
            return self._send(handler, 400, b'{"error":{"code":400,"message":"Invalid JSON payload"}}')
        if parts.path == "/watch":
            video = self.videos.get((query.get("v") or [""])[0])
            if video is None:
                return self._send(handler, 200, Video(query["v"][0], title="", description="",
                                                      channel_id="", handle="", channel="", upload="",
                                                      views=0, likes=0, removed=True).watch_page(),
                                  content_type="text/html; charset=utf-8")
            return self._send(handler, 200, video.watch_page(), content_type="text/html; charset=utf-8",
                              headers={"Set-Cookie": f"VISITOR_INFO1_LIVE={COOKIE}; Domain=.youtube.com; "
                                       "Path=/; Secure; HttpOnly; SameSite=none"})
        if parts.path == "/youtubei/v1/next":
            return self._send(handler, 200, self._next(request.get("continuation") or ""))
        if parts.path == "/youtubei/v1/browse":
            return self._send(handler, 200, self._browse(request.get("continuation") or ""))
        if parts.path == "/youtubei/v1/player" and request.get("videoId") in self.videos:
            video = self.videos[request["videoId"]]
            answer = video.player_response()
            if not video.removed:
                answer["streamingData"]["formats"] = [video.format()]
            return self._send(handler, 200, json.dumps(answer).encode())
        if parts.path == "/videoplayback":
            return self._media(handler, query)
        if parts.path == "/youtubei/v1/player":
            video = self.videos.get(request.get("videoId"))
            pr = video.player_response() if video else Video(request.get("videoId", ""), title="",
                                                             description="", channel_id="", handle="",
                                                             channel="", upload="", views=0, likes=0,
                                                             removed=True).player_response()
            return self._send(handler, 200, json.dumps(pr).encode())
        if parts.path.startswith("/@") and parts.path.endswith("/videos"):
            handle = parts.path[1:-len("/videos")]
            if handle not in self.channels:
                return self._send(handler, 404, b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
                                  content_type="text/html; charset=utf-8")
            return self._send(handler, 200, self._channel_page(handle),
                              content_type="text/html; charset=utf-8")
        if parts.path == "/youtubei/v1/navigation/resolve_url":
            return self._send(handler, 404, json.dumps({"error": {
                "code": 404, "message": "Requested entity was not found.", "errors": [{
                    "message": "Requested entity was not found.", "domain": "global",
                    "reason": "notFound"}], "status": "NOT_FOUND"}}).encode())
        self._send(handler, 404, b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
                   content_type="text/html; charset=utf-8")

    def _media(self, handler, query: dict) -> None:
        video = self.videos.get((query.get("id") or [""])[0])
        if video is None:
            return self._send(handler, 403, b"", content_type="text/plain")
        data, status, headers = video.file, 200, {"Accept-Ranges": "bytes"}
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", handler.headers.get("Range") or "") or \
            re.fullmatch(r"(\d+)-(\d*)", (query.get("range") or [""])[0])
        if wanted:
            start = int(wanted.group(1))
            end = min(int(wanted.group(2) or len(data) - 1), len(data) - 1)
            if handler.headers.get("Range"):
                status = 206
                headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            data = data[start:end + 1]
        handler.send_response(status)
        handler.send_header("Content-Type", "video/mp4")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
        handler.wfile.flush()

    def _send(self, handler, status: int, body: bytes, headers: dict | None = None,
              content_type: str = "application/json; charset=UTF-8") -> None:
        with self.lock:
            self.sent.append(body)
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()

    # -- innertube --------------------------------------------------------------------------------
    def _next(self, token: str) -> bytes:
        kind, _, rest = token.partition("-")
        if kind == "comments":  # the comment section's header and its sort menu
            video = self.videos[rest]
            items = [{"commentsHeaderRenderer": {
                "countText": {"runs": [{"text": str(video.comment_total())}, {"text": " Comments"}]},
                "commentsCount": text(str(video.comment_total())),
                "sortMenu": {"sortFilterSubMenuRenderer": {"subMenuItems": [
                    {"title": "Top", "selected": True, "serviceEndpoint": {
                        "clickTrackingParams": "CBcQ", "commandMetadata": {"webCommandMetadata": {
                            "sendPost": True, "apiUrl": "/youtubei/v1/next"}},
                        "continuationCommand": {"token": f"top-{rest}-0",
                                                "request": "CONTINUATION_REQUEST_TYPE_WATCH_NEXT"}}},
                    {"title": "Newest", "selected": False, "serviceEndpoint": {
                        "clickTrackingParams": "CBYQ", "commandMetadata": {"webCommandMetadata": {
                            "sendPost": True, "apiUrl": "/youtubei/v1/next"}},
                        "continuationCommand": {"token": f"newest-{rest}-0",
                                                "request": "CONTINUATION_REQUEST_TYPE_WATCH_NEXT"}}},
                ]}}}}]
            answer = {"responseContext": {"visitorData": VISITOR}, "trackingParams": "CAAQg2ci",
                      "onResponseReceivedEndpoints": [
                          {"clickTrackingParams": "CAAQg2ci", "reloadContinuationItemsCommand": {
                              "targetId": "comments-section", "continuationItems": items,
                              "slot": "RELOAD_CONTINUATION_SLOT_HEADER"}}]}
            return json.dumps(answer).encode()
        if kind in ("newest", "top"):
            video_id, _, start = rest.rpartition("-")
            video, start = self.videos[video_id], int(start)
            chunk = video.comments[start:start + self.page_size]
            items, mutations = [], []
            for comment in chunk:
                thread, muts = comment_thread(comment)
                items.append(thread)
                mutations += muts
            if start + self.page_size < len(video.comments):
                items.append(continuation_item(f"{kind}-{video_id}-{start + self.page_size}"))
            action = ("reloadContinuationItemsCommand" if start == 0 else "appendContinuationItemsAction")
            body = {"targetId": "comments-section", "continuationItems": items}
            if start == 0:
                body["slot"] = "RELOAD_CONTINUATION_SLOT_BODY"
            answer = {"responseContext": {"visitorData": VISITOR},
                      "onResponseReceivedEndpoints": [{"clickTrackingParams": "CAAQg2ci", action: body}],
                      "frameworkUpdates": framework(mutations)}
            return json.dumps(answer).encode()
        if kind == "replies":
            parent = next(c for v in self.videos.values() for c in v.comments if c["id"] == rest)
            items, mutations = [], []
            for reply in parent["replies"]:
                view, muts = comment_entities(reply, reply_level=1)
                items.append(view)
                mutations += muts
            answer = {"responseContext": {"visitorData": VISITOR},
                      "onResponseReceivedEndpoints": [{"clickTrackingParams": "CAAQg2ci",
                                                       "appendContinuationItemsAction": {
                                                           "targetId": f"comment-replies-item-{rest}",
                                                           "continuationItems": items}}],
                      "frameworkUpdates": framework(mutations)}
            return json.dumps(answer).encode()
        return json.dumps({"error": {"code": 400, "message": "Request contains an invalid argument.",
                                     "status": "INVALID_ARGUMENT"}}).encode()

    def _channel_items(self, handle: str, start: int) -> list[dict]:
        ids = self.channels[handle]
        items = [channel_video_renderer(self.videos[v]) for v in ids[start:start + self.channel_page]]
        if start + self.channel_page < len(ids):
            items.append(continuation_item(f"browse-{handle}-{start + self.channel_page}",
                                           "CONTINUATION_REQUEST_TYPE_BROWSE"))
        return items

    def _browse(self, token: str) -> bytes:
        _, handle, start = token.split("-", 2) if token.count("-") >= 2 else ("", "", "0")
        if handle not in self.channels:
            return json.dumps({"error": {"code": 400, "message": "Request contains an invalid argument.",
                                         "status": "INVALID_ARGUMENT"}}).encode()
        items = self._channel_items(handle, int(start))
        answer = {"responseContext": {"visitorData": VISITOR}, "trackingParams": "CAAQhGci",
                  "onResponseReceivedActions": [{"clickTrackingParams": "CAAQhGci",
                                                 "appendContinuationItemsAction": {
                                                     "continuationItems": items,
                                                     "targetId": "browse-feedUC"}}]}
        return json.dumps(answer).encode()

    def _channel_page(self, handle: str) -> bytes:
        channel_id = self.channel_ids[handle]
        name = handle[1:].title()
        data = {
            "responseContext": {"visitorData": VISITOR},
            "contents": {"twoColumnBrowseResultsRenderer": {"tabs": [
                {"tabRenderer": {"endpoint": {
                    "commandMetadata": {"webCommandMetadata": {"url": f"/{handle}/featured",
                                                               "webPageType": "WEB_PAGE_TYPE_CHANNEL"}},
                    "browseEndpoint": {"browseId": channel_id, "params": "EghmZWF0dXJlZPIGBAoCMgA%3D",
                                       "canonicalBaseUrl": f"/{handle}"}},
                    "title": "Home", "trackingParams": "CBgQ"}},
                {"tabRenderer": {"endpoint": {
                    "commandMetadata": {"webCommandMetadata": {"url": f"/{handle}/videos",
                                                               "webPageType": "WEB_PAGE_TYPE_CHANNEL"}},
                    "browseEndpoint": {"browseId": channel_id, "params": "EgZ2aWRlb3PyBgQKAjoA",
                                       "canonicalBaseUrl": f"/{handle}"}},
                    "title": "Videos", "selected": True,
                    "content": {"richGridRenderer": {"contents": self._channel_items(handle, 0),
                                                     "trackingParams": "CBcQ"}},
                    "trackingParams": "CBYQ"}},
            ]}},
            "metadata": {"channelMetadataRenderer": {
                "title": name, "description": f"The {name} channel", "externalId": channel_id,
                "channelUrl": f"https://www.youtube.com/channel/{channel_id}",
                "vanityChannelUrl": f"http://www.youtube.com/{handle}", "isFamilySafe": True,
                "keywords": "", "avatar": {"thumbnails": [{"url": "https://yt3.googleusercontent.com/a=s900"}]}}},
            "microformat": {"microformatDataRenderer": {"urlCanonical": f"https://www.youtube.com/channel/{channel_id}",
                                                        "title": name}},
        }
        return (
            '<!DOCTYPE html><html lang="en-GB"><head>'
            f'<title>{name} - YouTube</title></head><body>'
            f'<script nonce="n1">ytcfg.set({json.dumps(ytcfg())});</script>'
            f'<script nonce="n3">var ytInitialData = {json.dumps(data, ensure_ascii=False)};</script>'
            '</body></html>'
        ).encode()
