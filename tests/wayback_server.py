"""The Wayback Machine replayed on 127.0.0.1, in its documented wire format.

- ``GET /wayback/available?url=U&timestamp=T``: ``{"url": U, "archived_snapshots": {"closest":
  {"status": "200", "available": true, "url": "http://web.archive.org/web/<ts>/<U>", "timestamp":
  "<ts>"}}}`` for a URL it holds, ``{"url": U, "archived_snapshots": {}}`` otherwise.
- ``GET /save/<url>`` (anonymous Save Page Now): a 302 whose ``Location`` and ``Content-Location``
  name the new capture ``/web/<ts>/<url>``; or ``X-Archive-Wayback-Runtime-Error`` for a URL set
  to fail.
- ``POST /save`` with ``Authorization: LOW key:secret`` (SPN2): ``{"url": ..., "job_id": ...}``;
  ``GET /save/status/<job_id>``: ``pending`` once, then ``success`` with ``timestamp`` and
  ``original_url``; 401 with other keys.

``answers`` lists queued status codes with a ``Retry-After`` to answer before the real answer
(rate limits); ``broken`` URLs get a 500. Every request is kept in ``requests``.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from tests.local_server import QuietHandler, serve

KEYS = ("test-access", "test-secret")
SAVED_AT = "20240320120000"


class Archive:
    """A replayed archive holding ``snapshots`` (asked URL -> YYYYMMDDhhmmss)."""

    def __init__(self, snapshots: dict[str, str] | None = None):
        self.snapshots = dict(snapshots or {})
        self.broken: set[str] = set()  # asked URLs answered with a 500
        self.refuse_save: set[str] = set()  # URLs Save Page Now reports an error for
        self.answers: list[tuple[int, str]] = []  # (status, Retry-After) answered first
        self.requests: list[dict] = []
        self.jobs: dict[str, dict] = {}
        self.server, self.url = serve(self._handler())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def asked(self, path: str = "/wayback/available") -> list[dict]:
        """The requests made to ``path`` (its query decoded)."""
        return [r for r in self.requests if r["path"] == path]

    def _handler(self):
        archive = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 (the http.server API)
                self._answer("GET")

            def do_POST(self):  # noqa: N802
                self._answer("POST")

            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode()) if length else {}
                archive.requests.append({"method": method, "path": parts.path, "raw": self.path,
                                         "query": parse_qs(parts.query), "form": form,
                                         "headers": dict(self.headers)})
                if archive.answers:
                    status, retry_after = archive.answers.pop(0)
                    self._send(status, {"message": "slow down"}, {"Retry-After": retry_after})
                elif parts.path == "/wayback/available":
                    self._available(parse_qs(parts.query))
                elif method == "POST" and parts.path == "/save":
                    self._spn2_capture(form)
                elif parts.path.startswith("/save/status/"):
                    self._spn2_status(parts.path.rsplit("/", 1)[1])
                elif parts.path.startswith("/save/"):
                    self._anonymous_save(self.path[len("/save/"):])
                else:
                    self._send(404, {"message": "not found"})

            def _available(self, query: dict) -> None:
                url = query.get("url", [""])[0]
                if url in archive.broken:
                    self._send(500, {"message": "internal error"})
                    return
                body: dict = {"url": url, "archived_snapshots": {}}
                if url in archive.snapshots:
                    stamp = archive.snapshots[url]
                    body["archived_snapshots"]["closest"] = {
                        "status": "200", "available": True, "timestamp": stamp,
                        "url": f"http://web.archive.org/web/{stamp}/{url}"}
                if "timestamp" in query:
                    body["timestamp"] = query["timestamp"][0]
                self._send(200, body)

            def _anonymous_save(self, url: str) -> None:
                if url in archive.refuse_save:
                    self._send(200, {}, {"X-Archive-Wayback-Runtime-Error":
                                         "RobotAccessControlException: Blocked By Robots"})
                    return
                place = f"/web/{SAVED_AT}/{url}"
                self._send(302, {}, {"Location": place, "Content-Location": place})

            def _spn2_capture(self, form: dict) -> None:
                if self.headers.get("Authorization") != f"LOW {KEYS[0]}:{KEYS[1]}":
                    self._send(401, {"message": "You need to be logged in to use Save Page Now."})
                    return
                url = form.get("url", [""])[0]
                job = f"spn2-{len(archive.jobs) + 1:040x}"
                archive.jobs[job] = {"url": url, "polls": 0}
                self._send(200, {"url": url, "job_id": job})

            def _spn2_status(self, job: str) -> None:
                if job not in archive.jobs:
                    self._send(200, {"status": "error", "status_ext": "error:not-found",
                                     "message": "no such job", "job_id": job})
                    return
                state = archive.jobs[job]
                state["polls"] += 1
                if state["polls"] == 1:
                    self._send(200, {"status": "pending", "job_id": job, "resources": []})
                elif state["url"] in archive.refuse_save:
                    self._send(200, {"status": "error", "status_ext": "error:blocked-url",
                                     "message": "This URL is in the Wayback Machine block list.",
                                     "job_id": job})
                else:
                    self._send(200, {"status": "success", "job_id": job, "timestamp": SAVED_AT,
                                     "original_url": state["url"], "duration_sec": 6.2,
                                     "resources": [state["url"]], "outlinks": {}})

            def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler
