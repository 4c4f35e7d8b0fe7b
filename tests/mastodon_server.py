"""A Mastodon instance's REST API replayed on 127.0.0.1 in Mastodon's wire format (REST API docs:
timelines, accounts/lookup, Link pagination with max_id and min_id, X-RateLimit-* headers, 429
with Retry-After, 401 and 404 JSON errors; /api/v2/search with offset paging, served only with a
token unless ``search_public``), for the live collection and watch tests."""

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.local_server import QuietHandler, serve

BASE_ID = 111340000000000000


def status(n: int, *, tag: str = "flood", acct: str = "alice") -> dict:
    """A public status as GET /api/v1/timelines/tag/:hashtag returns it; ``n`` orders them."""
    sid = str(BASE_ID + n * 1000)
    created = (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "id": sid, "created_at": created, "in_reply_to_id": None, "in_reply_to_account_id": None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "en",
        "uri": f"https://social.test/users/{acct}/statuses/{sid}",
        "url": f"https://social.test/@{acct}/{sid}", "replies_count": 0, "reblogs_count": 1,
        "favourites_count": 2, "edited_at": None,
        "content": f'<p>Water rising, post {n} <a href="https://social.test/tags/{tag}" '
                   f'class="mention hashtag" rel="tag">#<span>{tag}</span></a></p>',
        "reblog": None,
        "account": {"id": "109000000000000001", "username": acct, "acct": acct,
                    "display_name": acct.title(), "locked": False, "bot": False,
                    "created_at": "2022-01-01T00:00:00.000Z", "note": "", "url":
                    f"https://social.test/@{acct}", "uri": f"https://social.test/users/{acct}",
                    "followers_count": 5, "following_count": 6, "statuses_count": 7,
                    "emojis": [], "fields": []},
        "media_attachments": [], "mentions": [],
        "tags": [{"name": tag, "url": f"https://social.test/tags/{tag}"}],
        "emojis": [], "card": None, "poll": None,
    }


class Instance:
    """A Mastodon instance's REST API, replayed: statuses newest first, pages as Mastodon cuts
    them (``next`` only after a full page, ``prev`` on any page with statuses)."""

    def __init__(self, statuses: list[dict]):
        self.statuses = statuses
        self.token: str | None = None  # when set, requests must carry it
        # (status, headers, body) served next, in order; None: answer that request normally
        self.faults: list[tuple[int, dict, dict] | None] = []
        self.remaining = 300
        self.search_public = False  # most instances answer search only with a token
        self.delay = 0.0  # seconds each timeline page takes to come (a slow instance)
        self.requests: list[str] = []
        self.server, self.url = serve(self._handler())

    def add(self, new: list[dict]) -> None:
        self.statuses = new + self.statuses

    def _handler(self):
        instance = self

        class Handler(QuietHandler):
            def do_GET(self):
                status, headers, body = instance.answer(self.path, self.headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _limits(self) -> dict:
        reset = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": reset}

    def answer(self, path: str, headers) -> tuple[int, dict, object]:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.rstrip("/") == "/api/v1/instance":  # Mastodon.py asks for the version
            return 200, {}, {"uri": "social.test", "title": "Social test", "version": "4.3.0"}
        if parts.path.rstrip("/") == "/api/v2/instance":
            return 200, {}, {"domain": "social.test", "title": "Social test", "version": "4.3.0",
                             "api_versions": {"mastodon": 2}}
        self.requests.append(path)
        fault = self.faults.pop(0) if self.faults else None
        if fault:
            return fault
        if self.token and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"error": "The access token is invalid"}
        if parts.path == "/api/v2/search":
            return self._search(query, headers)
        if parts.path == "/api/v1/accounts/lookup":
            if query.get("acct") == "alice":
                return 200, self._limits(), {"id": "109000000000000001", "username": "alice",
                                             "acct": "alice"}
            return 404, self._limits(), {"error": "Record not found"}
        if parts.path.startswith("/api/v1/timelines/tag/"):
            tag = parts.path.rsplit("/", 1)[1]
            chosen = [s for s in self.statuses if any(t["name"] == tag for t in s.get("tags", []))]
        elif parts.path in ("/api/v1/timelines/public", "/api/v1/accounts/109000000000000001/statuses"):
            chosen = self.statuses
        else:
            return 404, {}, {"error": "Record not found"}
        time.sleep(self.delay)
        return 200, *self._page(parts.path, chosen, query)

    def _page(self, path: str, chosen: list[dict], query: dict) -> tuple[dict, list]:
        limit = int(query.get("limit", 20))
        key = lambda s: int(s["id"])  # noqa: E731
        if "min_id" in query:  # the statuses just newer than min_id: the oldest of them first
            newer = sorted((s for s in chosen if key(s) > int(query["min_id"])), key=key)
            page = sorted(newer[:limit], key=key, reverse=True)
        else:
            below = [s for s in chosen if "max_id" not in query or key(s) < int(query["max_id"])]
            page = sorted(below, key=key, reverse=True)[:limit]
        headers = self._limits()
        links = []
        if len(page) == limit:
            links.append(f'<{self.url}{path}?limit={limit}&max_id={page[-1]["id"]}>; rel="next"')
        if page:
            links.append(f'<{self.url}{path}?limit={limit}&min_id={page[0]["id"]}>; rel="prev"')
        if links:
            headers["Link"] = ", ".join(links)
        return headers, page

    def _search(self, query: dict, headers) -> tuple[int, dict, object]:
        """GET /api/v2/search as Mastodon documents it: ``q``, ``type``, ``limit`` (default 20,
        at most 40) and ``offset``; statuses whose text holds ``q``, newest first; no Link header."""
        signed_in = bool(headers.get("Authorization"))
        if not signed_in and "offset" in query:
            return 401, self._limits(), {
                "error": "Search queries pagination is not supported without authentication"}
        if not signed_in and not self.search_public:
            return 401, self._limits(), {"error": "This method requires an authenticated user"}
        if query.get("resolve") in ("true", "True", "1") and not signed_in:
            return 401, self._limits(), {
                "error": "Search queries that resolve remote resources are not supported "
                         "without authentication"}
        words = query.get("q", "").lower()
        found = sorted((s for s in self.statuses if words and words in s["content"].lower()),
                       key=lambda s: int(s["id"]), reverse=True)
        if query.get("type") not in (None, "statuses"):
            found = []
        limit = min(int(query.get("limit", 20)), 40)
        offset = int(query.get("offset", 0))
        return 200, self._limits(), {"accounts": [], "statuses": found[offset:offset + limit],
                                     "hashtags": []}
