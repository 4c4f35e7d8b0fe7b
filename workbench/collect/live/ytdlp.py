"""yt-dlp as the YouTube collector uses it: a ``YoutubeDL`` that keeps every answer it receives
(each body exactly as received, with its status and headers, cookies left out) and stops a read at
once on a 429 or a lost connection, and a logger that keeps the reasons yt-dlp gives."""

from __future__ import annotations

import functools
import io

from workbench.collect.live import retry_after_seconds
from workbench.collect.youtube import keep_response


class Stopped(Exception):  # noqa: N818 (a signal out of yt-dlp, not an error)
    """Raised from inside yt-dlp to end a read at once (a 429, a lost connection)."""

    def __init__(self, status: int | None, wait: float | None = None, reason: str = ""):
        super().__init__(reason or f"HTTP {status}")
        self.status, self.wait, self.reason = status, wait, reason


@functools.cache
def recording_ydl():
    """yt-dlp's YoutubeDL, recording what it receives, and the exception that stops it."""
    import yt_dlp
    from yt_dlp.networking.common import Response
    from yt_dlp.networking.exceptions import HTTPError, TransportError
    from yt_dlp.utils import DownloadCancelled

    class Stop(DownloadCancelled):  # yt-dlp lets DownloadCancelled through every layer
        def __init__(self, stop: Stopped):
            super().__init__(str(stop))
            self.stop = stop

    class Recording(yt_dlp.YoutubeDL):
        """A YoutubeDL that keeps every answer it receives (``answers``)."""

        answers: list[dict]
        keep = True  # False while a video file is downloaded: it is stored as media, not here

        def urlopen(self, req):
            method = getattr(req, "method", None) or "GET"
            url = getattr(req, "url", None) or str(req)
            try:
                response = super().urlopen(req)
                return self._keep(method, url, response) if self.keep else response
            except HTTPError as error:
                if self.keep:
                    error.response = self._keep(method, url, error.response)
                if error.status == 429:
                    raise Stop(Stopped(429, retry_after(error.response.headers))) from error
                raise
            except TransportError as error:
                raise Stop(Stopped(None, reason=str(error))) from error

        def _keep(self, method, url, response):
            body = response.read()
            headers = {k: v for k, v in response.headers.items()
                       if k.lower() not in ("set-cookie",)}  # cookies are the session's, not evidence
            self.answers.append(keep_response(method, response.url or url, response.status, headers,
                                              body))
            return Response(io.BytesIO(body), response.url, dict(response.headers.items()),
                            status=response.status, reason=response.reason)

    return Recording, Stop


def retry_after(headers) -> float | None:
    """Seconds a Retry-After header asks to wait, or None."""
    return retry_after_seconds(headers.get("Retry-After") if headers is not None else None)


class YdlLog:
    """yt-dlp's logger: keeps warnings and errors (the reasons a video is unavailable)."""

    def __init__(self):
        self.warnings: list[str] = []

    def debug(self, msg):
        pass

    def info(self, msg):
        pass

    def warning(self, msg):
        self.warnings.append(str(msg))

    def error(self, msg):
        self.warnings.append(str(msg))


__all__ = ["Stopped", "YdlLog", "recording_ydl", "retry_after"]
