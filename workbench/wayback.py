"""The Wayback Machine's two public APIs, as the workbench asks them: one request at a time.

The availability API (``GET https://archive.org/wayback/available?url=...&timestamp=...``)
answers with the snapshot closest to a time, as documented::

    {"archived_snapshots": {"closest": {"available": true, "status": "200",
     "url": "http://web.archive.org/web/20130919044612/http://example.com/",
     "timestamp": "20130919044612"}}}

and ``{"archived_snapshots": {}}`` when it holds none (or cannot show it now).

Save Page Now asks the archive to capture a page. With the archive's S3-style keys in the
environment (:data:`ACCESS_KEY_ENV`, :data:`SECRET_KEY_ENV`; never in a case file, a parameter or
an output) it uses SPN2: ``POST /save`` with ``Authorization: LOW key:secret`` answers a
``job_id``, and ``GET /save/status/<job_id>`` says ``pending``, ``success`` (with the capture's
``timestamp`` and ``original_url``) or ``error`` (``status_ext``, ``message``). Without keys it
asks anonymously (``GET /save/<url>``), whose answer names the capture in a ``Content-Location``
or ``Location`` header or a ``Link`` header's ``memento``, reports trouble in
``X-Archive-Wayback-Runtime-Error``, and otherwise says nothing a program can rely on: such a
save is recorded as *requested*, and a later look-up shows whether the capture exists.

Requests are spaced ``delay`` seconds apart; a 429 or 503 is waited out when its ``Retry-After``
is at most ``max_wait`` seconds, else :class:`RateLimited` ends the run (which can be resumed).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urljoin

import orjson
import requests

import workbench
from workbench.collect.live import retry_after_seconds

AVAILABILITY_BASE = "https://archive.org"
SAVE_BASE = "https://web.archive.org"
ACCESS_KEY_ENV = "WORKBENCH_WAYBACK_ACCESS_KEY"
SECRET_KEY_ENV = "WORKBENCH_WAYBACK_SECRET_KEY"
USER_AGENT = f"socmint-workbench/{workbench.__version__} (web archive look-up for a case)"
TIMEOUT_S = (10, 60)  # connect, and between two reads
#: The most of an answer kept with its look-up (the documented answers are a few hundred bytes).
MAX_ANSWER_CHARS = 16_384
_SNAPSHOT_PATH = re.compile(r"/web/(\d{4,14})[a-z_]*/(.+)$")


class WaybackError(Exception):
    """Why one URL could not be looked up or saved (recorded with it; the run goes on)."""


class RateLimited(WaybackError):
    """The archive asks for a longer wait than the run may take (``wait`` seconds, or None)."""

    def __init__(self, wait: float | None):
        super().__init__(f"rate limited by the archive (asked to wait {wait} s)" if wait is not None
                         else "rate limited by the archive")
        self.wait = wait


@dataclass(frozen=True)
class Snapshot:
    """The availability API's answer for one URL: the closest snapshot, if there is one."""

    available: bool
    url: str | None  # the snapshot's address in the archive
    timestamp: str | None  # the archive's YYYYMMDDhhmmss
    status: str | None  # the HTTP status the archive recorded for the page
    answer: str  # the answer's body as received (capped at MAX_ANSWER_CHARS)


@dataclass(frozen=True)
class Saved:
    """What a save request came to: ``saved`` (a capture exists: ``url``, ``timestamp``),
    ``pending`` (an SPN2 job still running: ``job``), ``requested`` (the anonymous request was
    taken, no capture named) or ``failed`` (``error``)."""

    status: str
    url: str | None = None
    timestamp: str | None = None
    job: str | None = None
    error: str | None = None


def keys_from_env() -> tuple[str, str] | None:
    """The archive's access and secret key from the environment, or None when either is unset."""
    access, secret = os.environ.get(ACCESS_KEY_ENV, ""), os.environ.get(SECRET_KEY_ENV, "")
    return (access, secret) if access and secret else None


def snapshot_time(timestamp: str | None) -> str | None:
    """The archive's ``YYYYMMDDhhmmss`` (or a prefix of it) as the store's ISO 8601 UTC text."""
    if not timestamp or not timestamp.isdigit() or not 4 <= len(timestamp) <= 14:
        return None
    padded = timestamp + "0101000000"[len(timestamp) - 4:] if len(timestamp) < 14 else timestamp
    try:
        when = datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return when.isoformat(timespec="milliseconds")


class Wayback:
    """A client of the availability API and Save Page Now.

    ``base_url`` replaces both services' addresses (a replay on 127.0.0.1 in the tests);
    ``keys`` (access, secret) enable SPN2, by default read from the environment (``()``: none).
    """

    def __init__(self, base_url: str | None = None, *, delay: float = 1.0, max_wait: float = 60.0,
                 keys: tuple[str, str] | None = None, session: requests.Session | None = None,
                 poll_s: float = 5.0, save_timeout: float = 120.0):
        base = base_url.rstrip("/") if base_url else None
        self.availability_base = base or AVAILABILITY_BASE
        self.save_base = base or SAVE_BASE
        self.delay, self.max_wait, self.poll_s, self.save_timeout = delay, max_wait, poll_s, save_timeout
        self._keys = (keys if keys is not None else keys_from_env()) or None
        self._own = session is None
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._last = 0.0
        self.waited_s = 0.0

    @property
    def authenticated(self) -> bool:
        """Whether saves go through SPN2 with keys (else anonymously)."""
        return self._keys is not None

    def close(self) -> None:
        if self._own:
            self.session.close()

    def __repr__(self) -> str:  # never the keys
        return f"Wayback({self.availability_base!r}, authenticated={self.authenticated})"

    # -- the availability API ------------------------------------------------------------------

    def available(self, url: str, timestamp: str | None = None) -> Snapshot:
        """The snapshot of ``url`` closest to ``timestamp`` (YYYYMMDDhhmmss; None: the latest)."""
        params = {"url": url}
        if timestamp:
            params["timestamp"] = timestamp
        response = self._request("GET", f"{self.availability_base}/wayback/available", params=params)
        if response.status_code != 200:
            raise WaybackError(f"the availability API answered HTTP {response.status_code}")
        answer = response.text[:MAX_ANSWER_CHARS]
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise WaybackError("the availability API's answer is not JSON") from None
        snapshots = body.get("archived_snapshots") if isinstance(body, dict) else None
        if not isinstance(snapshots, dict):
            raise WaybackError("the availability API's answer has no archived_snapshots")
        closest = snapshots.get("closest")
        if not isinstance(closest, dict) or closest.get("available") is not True:
            return Snapshot(False, None, None, None, answer)
        link, stamp = closest.get("url"), closest.get("timestamp")
        return Snapshot(True, link if _web_address(link) else None,
                        str(stamp) if stamp is not None else None,
                        str(closest["status"]) if closest.get("status") is not None else None, answer)

    # -- Save Page Now -------------------------------------------------------------------------

    def save(self, url: str) -> Saved:
        """Ask the archive to capture ``url`` now (SPN2 with keys, waiting up to
        ``save_timeout`` for the job; anonymously without)."""
        if not self._keys:
            return self._save_anonymously(url)
        response = self._request("POST", f"{self.save_base}/save", data={"url": url},
                                 headers=self._auth())
        body = _json(response)
        if response.status_code in (401, 403):
            return Saved("failed", error=f"the archive refused the keys (HTTP {response.status_code})")
        job = body.get("job_id")
        if response.status_code != 200 or not isinstance(job, str):
            return Saved("failed", error=_spn_error(body, response.status_code))
        deadline = time.monotonic() + self.save_timeout
        while True:
            state = self.save_status(job)
            if state.status != "pending" or time.monotonic() + self.poll_s > deadline:
                return state
            time.sleep(self.poll_s)

    def save_status(self, job: str) -> Saved:
        """Where the SPN2 job ``job`` stands."""
        response = self._request("GET", f"{self.save_base}/save/status/{quote(job, safe='')}",
                                 headers=self._auth())
        body = _json(response)
        status = body.get("status")
        if status == "success" and body.get("timestamp") and body.get("original_url"):
            stamp = str(body["timestamp"])
            return Saved("saved", f"{self.save_base}/web/{stamp}/{body['original_url']}", stamp, job)
        if status == "pending":
            return Saved("pending", job=job)
        return Saved("failed", job=job, error=_spn_error(body, response.status_code))

    def _save_anonymously(self, url: str) -> Saved:
        response = self._request("GET", f"{self.save_base}/save/{url}", allow_redirects=False)
        trouble = response.headers.get("X-Archive-Wayback-Runtime-Error")
        if trouble:
            return Saved("failed", error=trouble[:300])
        if response.status_code >= 400:
            return Saved("failed", error=f"Save Page Now answered HTTP {response.status_code}")
        for place in (response.headers.get("Content-Location"), response.headers.get("Location"),
                      _memento(response)):
            found = _SNAPSHOT_PATH.search(place or "")
            if found:
                return Saved("saved", urljoin(self.save_base + "/", place), found.group(1))
        return Saved("requested")

    def _auth(self) -> dict[str, str]:
        access, secret = self._keys or ("", "")
        return {"Accept": "application/json", "Authorization": f"LOW {access}:{secret}"}

    # -- pacing --------------------------------------------------------------------------------

    def _request(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request, spaced from the last by ``delay``, a short rate limit waited out."""
        for _ in range(3):
            pause = self._last + self.delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                response = self.session.request(method, url, timeout=TIMEOUT_S, **kwargs)
            except requests.RequestException as exc:
                raise WaybackError(f"the archive cannot be reached: {type(exc).__name__}") from None
            finally:
                self._last = time.monotonic()
            if response.status_code not in (429, 503):
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is None or wait > self.max_wait:
                raise RateLimited(wait)
            time.sleep(wait)
            self.waited_s += wait
        raise RateLimited(None)


def _json(response: requests.Response) -> dict:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _spn_error(body: dict, status_code: int) -> str:
    words = [str(body[k]) for k in ("status_ext", "message") if body.get(k)]
    return ("; ".join(words) or f"Save Page Now answered HTTP {status_code}")[:300]


def _memento(response: requests.Response) -> str | None:
    for link in response.links.values() if response.headers.get("Link") else ():
        if "memento" in str(link.get("rel", "")).split():
            return link.get("url")
    return None


def _web_address(value: object) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))
