"""Live Bluesky collection: the real atproto client against a server on 127.0.0.1 that answers in
Bluesky's XRPC wire format (HTTP API docs: com.atproto.server.createSession, app.bsky.feed
searchPosts / getAuthorFeed with an opaque ``cursor``, RateLimit-* headers, 429 with Retry-After,
and ``{"error", "message"}`` bodies for 400 InvalidRequest and 401 AuthenticationRequired /
ExpiredToken)."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from tests.local_server import HOST, QuietHandler, serve
from workbench.cli import app
from workbench.collect.live import CollectError, collect, load_cursor
from workbench.collect.live.bluesky import BlueskyCollector
from workbench.evidence import sha256_bytes

pytest.importorskip("atproto")

DID = "did:plc:alice000000000000000000"
HANDLE = "alice.test"
PASSWORD = "abcd-efgh-ijkl-mnop"


def post(n: int) -> dict:
    """A postView as searchPosts returns it; ``n`` orders them (higher is newer)."""
    at = (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "uri": f"at://{DID}/app.bsky.feed.post/3kflood{n:05d}", "cid": f"bafyreicid{n:05d}",
        "author": {"did": DID, "handle": HANDLE, "displayName": "Alice", "labels": [],
                   "createdAt": "2023-05-01T00:00:00.000Z"},
        "record": {"$type": "app.bsky.feed.post", "createdAt": at, "langs": ["en"],
                   "text": f"Water rising, post {n} #flood",
                   "facets": [{"index": {"byteStart": 23 + len(str(n)), "byteEnd": 29 + len(str(n))},
                               "features": [{"$type": "app.bsky.richtext.facet#tag",
                                             "tag": "flood"}]}]},
        "replyCount": 0, "repostCount": 1, "likeCount": 2, "quoteCount": 0,
        "indexedAt": at, "labels": [],
    }


def jwt(payload: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.c2ln"


def token(kind: str) -> str:
    scope = "com.atproto.appPass" if kind == "access" else "com.atproto.refresh"
    return jwt({"scope": scope, "sub": DID, "iat": int(time.time()),
                "exp": int(time.time()) + 7200, "aud": "did:web:pds.test", "jti": kind})


class AppView:
    """Bluesky's XRPC, replayed: posts newest first, the cursor opaque (base64 of the sort key)."""

    def __init__(self, posts: list[dict]):
        self.posts = posts
        self.login = False  # when True, queries need the session's access token
        self.faults: list[tuple[int, dict, dict] | None] = []
        self.remaining = 3000
        self.requests: list[str] = []
        self.sessions = 0
        self.sent: list[bytes] = []  # the bodies of the answers to queries, as sent
        self.access = token("access")
        self.server, self.url = serve(self._handler())

    def add(self, new: list[dict]) -> None:
        self.posts = new + self.posts

    def _handler(self):
        view = self

        class Handler(QuietHandler):
            def _send(self, status, headers, body):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                status, headers, body = view.query(self.path, self.headers)
                view.sent.append(json.dumps(body).encode())
                self._send(status, headers, body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self._send(*view.procedure(self.path, json.loads(self.rfile.read(length) or b"{}")))

        return Handler

    def _limits(self) -> dict:
        reset = int(time.time()) + 300
        return {"RateLimit-Limit": "3000", "RateLimit-Remaining": str(self.remaining),
                "RateLimit-Reset": str(reset), "RateLimit-Policy": "3000;w=300"}

    def procedure(self, path: str, data: dict):
        if urlsplit(path).path == "/xrpc/com.atproto.server.createSession":
            if data.get("identifier") != HANDLE or data.get("password") != PASSWORD:
                return 401, {}, {"error": "AuthenticationRequired",
                                 "message": "Invalid identifier or password"}
            self.sessions += 1
            return 200, self._limits(), {"did": DID, "handle": HANDLE, "email": "a@test",
                                         "accessJwt": self.access, "refreshJwt": token("refresh"),
                                         "active": True}
        return 501, {}, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}

    def query(self, path: str, headers):
        self.requests.append(path)
        if self.faults:
            fault = self.faults.pop(0)
            if fault is not None:
                return fault
        if self.login and headers.get("Authorization") != f"Bearer {self.access}":
            return 401, {}, {"error": "AuthenticationRequired", "message": "Authentication Required"}
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        limit = int(query.get("limit", 25))
        below = int(base64.b64decode(query["cursor"])) if "cursor" in query else None
        chosen = [p for p in self.posts if below is None or _n(p) < below][:limit]
        cursor = {"cursor": base64.b64encode(str(_n(chosen[-1])).encode()).decode()} if (
            len(chosen) == limit) else {}
        if parts.path == "/xrpc/app.bsky.feed.searchPosts":
            return 200, self._limits(), {"posts": chosen, "hitsTotal": len(self.posts), **cursor}
        if parts.path == "/xrpc/app.bsky.feed.getAuthorFeed":
            if query.get("actor") != HANDLE:
                return 400, {}, {"error": "InvalidRequest", "message": "Profile not found"}
            return 200, self._limits(), {"feed": [{"post": p} for p in chosen], **cursor}
        if parts.path == "/xrpc/app.bsky.feed.getPostThread":
            root = next((p for p in self.posts if p["uri"] == query.get("uri")), None)
            if root is None:
                return 400, {}, {"error": "NotFound", "message": f"Post not found: {query.get('uri')}"}
            node = "app.bsky.feed.defs#threadViewPost"
            replies = [{"$type": node, "post": p, "replies": []} for p in self.posts[:2]]
            gone = {"$type": "app.bsky.feed.defs#notFoundPost", "uri": f"at://{DID}/app.bsky.feed."
                    "post/3kgone", "notFound": True}
            return 200, self._limits(), {"thread": {"$type": node, "post": root,
                                                    "replies": [*replies, gone]}}
        return 501, {}, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}


def _n(view: dict) -> int:
    return int(view["cid"].removeprefix("bafyreicid"))


@pytest.fixture
def appview():
    server = AppView([post(n) for n in range(12, 0, -1)])
    yield server
    server.server.shutdown()
    server.server.server_close()


def search(appview, **options) -> BlueskyCollector:
    return BlueskyCollector(query="flood", base_url=appview.url, handle="", password="",
                            page_size=5, **options)


def uris(case) -> list[str]:
    return sorted(case.items()["id"].tolist())


def expected(numbers) -> list[str]:
    return sorted(f"at://{DID}/app.bsky.feed.post/3kflood{n:05d}" for n in numbers)


def test_pages_through_a_search_and_keeps_each_page_as_received(case, appview):
    result = collect(case, search(appview), progress=False)
    assert (result.imported, result.duplicates, result.quarantined, result.pages) == (12, 0, 0, 3)
    assert uris(case) == expected(range(1, 13))
    cursors = [parse_qs(urlsplit(p).query).get("cursor") for p in appview.requests]
    assert cursors == [None, [base64.b64encode(b"8").decode()], [base64.b64encode(b"3").decode()]]
    assert all("sort=latest" in p and "q=flood" in p for p in appview.requests)
    payloads = case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'").fetchall()
    assert len(payloads) == 3
    for (sha,) in payloads:
        assert sha256_bytes(case.raw_store.path(sha).read_bytes()) == sha
    kept = {case.raw_store.path(sha).read_bytes() for (sha,) in payloads}
    assert kept == set(appview.sent)  # byte for byte what the server sent
    newest = case.items().sort_values("created_at").iloc[-1]
    assert newest.source == "bluesky" and newest.collector == "live:bluesky"
    assert newest.text == "Water rising, post 12 #flood" and "flood" in list(newest.hashtags)
    assert case.verify().ok
    state = load_cursor(case, "bluesky", "search:flood")
    assert state["complete"] and state["newest"] == expected([12])[0]


def test_a_second_run_reads_from_the_top_down_to_what_was_seen(case, appview):
    collect(case, search(appview), progress=False)
    appview.add([post(n) for n in range(19, 12, -1)])  # 7 new, more than a page
    appview.requests.clear()
    result = collect(case, search(appview), progress=False)
    assert (result.imported, result.duplicates) == (7, 3)  # the second page reaches post 12
    assert len(appview.requests) == 2 and "cursor" not in appview.requests[0]
    assert load_cursor(case, "bluesky", "search:flood")["newest"] == expected([19])[0]
    appview.requests.clear()
    result = collect(case, search(appview), progress=False)  # nothing new: one page
    assert (result.imported, len(appview.requests)) == (0, 1)


class Interrupted(BlueskyCollector):
    """Ctrl-C arrives while the ``at``-th page is being fetched."""

    at = 3

    def fetch(self, **where):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return super().fetch(**where)


def test_an_interrupted_run_resumes_with_no_duplicate_and_no_gap(case, appview):
    with pytest.raises(KeyboardInterrupt):
        collect(case, Interrupted(query="flood", base_url=appview.url, handle="", password="",
                                  page_size=5), progress=False)
    assert len(uris(case)) == 10
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("interrupted",)
    result = collect(case, search(appview), progress=False)
    assert (result.imported, result.duplicates) == (2, 0)
    # a refresh from the top interrupted halfway resumes where it stopped, and moves ``newest``
    # only once it has joined up with what was collected
    appview.add([post(n) for n in range(24, 12, -1)])  # 12 new: three pages to reach post 12
    with pytest.raises(KeyboardInterrupt):
        collect(case, Interrupted(query="flood", base_url=appview.url, handle="", password="",
                                  page_size=5), progress=False)
    state = load_cursor(case, "bluesky", "search:flood")
    assert state["newest"] == expected([12])[0] and state["refresh"]["older"]
    result = collect(case, search(appview), progress=False)
    assert (result.imported, result.duplicates) == (2, 3)
    assert uris(case) == expected(range(1, 25))
    assert "refresh" not in load_cursor(case, "bluesky", "search:flood")
    assert case.verify().ok


def test_a_429_within_the_maximum_wait_is_waited_out(case, appview):
    appview.faults = [(429, {"Retry-After": "3"}, {"error": "RateLimitExceeded",
                                                     "message": "Rate Limit Exceeded"})]
    slept = []
    result = collect(case, search(appview), progress=False, max_wait=10, sleep=slept.append)
    assert slept == [3.0] and result.imported == 12 and result.stopped is None
    # without Retry-After, RateLimit-Reset (Unix seconds) says when
    appview.add([post(13)])
    appview.faults = [(429, {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(time.time()) + 5)},
                       {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"})]
    result = collect(case, search(appview), progress=False, max_wait=10, sleep=slept.append)
    assert 3 <= slept[1] <= 5 and result.imported == 1


def test_a_429_beyond_the_maximum_stops_cleanly_and_says_when_to_resume(case, appview):
    appview.faults = [None, (429, {"Retry-After": "600"}, {"error": "RateLimitExceeded",
                                                           "message": "Rate Limit Exceeded"})]
    slept = []
    result = collect(case, search(appview), progress=False, max_wait=10, sleep=slept.append)
    assert slept == [] and result.imported == 5
    assert "more than the maximum wait of 10s" in result.stopped and result.resume_after
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("stopped",)
    appview.remaining = 0  # the quota used up: keep the page, then stop
    result = collect(case, search(appview), progress=False, max_wait=10, sleep=slept.append)
    assert (result.imported, result.pages) == (5, 1) and result.resume_after
    appview.remaining = 3000
    result = collect(case, search(appview), progress=False, max_wait=10, sleep=slept.append)
    assert (result.imported, result.duplicates) == (2, 0) and len(uris(case)) == 12


def test_login_with_an_app_password_and_no_secret_in_the_case(case, appview, monkeypatch):
    appview.login = True
    with pytest.raises(CollectError, match="AuthenticationRequired") as raised:
        collect(case, search(appview), progress=False)
    assert "WORKBENCH_BLUESKY_APP_PASSWORD" in raised.value.hint
    with pytest.raises(CollectError, match="Invalid identifier or password"):
        collect(case, BlueskyCollector(query="flood", base_url=appview.url, handle=HANDLE,
                                       password="wrong-pass-word-here"), progress=False)
    monkeypatch.setenv("WORKBENCH_BLUESKY_HANDLE", HANDLE)
    monkeypatch.setenv("WORKBENCH_BLUESKY_APP_PASSWORD", PASSWORD)
    collector = BlueskyCollector(query="flood", base_url=appview.url, page_size=5)
    result = collect(case, collector, progress=False)
    assert result.imported == 12 and appview.sessions == 1
    # the access token expires during a long run: one new session, then on
    appview.add([post(13)])
    appview.faults = [(401, {}, {"error": "ExpiredToken", "message": "Token has expired"})]
    result = collect(case, collector, progress=False)
    assert result.imported == 1 and appview.sessions == 2
    kept = " ".join(str(row) for table in ("audit", "runs", "cursors", "items", "payloads")
                    for row in case.db.execute(f"SELECT * FROM {table}"))
    assert PASSWORD not in kept and appview.access not in kept
    raw = b"".join(p.read_bytes() for p in case.raw_store.root.rglob("*") if p.is_file())
    assert PASSWORD.encode() not in raw and appview.access.encode() not in raw
    assert case.verify().ok


def test_an_author_feed_and_an_unknown_actor(case, appview):
    result = collect(case, BlueskyCollector(author="@alice.test", base_url=appview.url, handle="",
                                            password="", page_size=5), progress=False)
    assert result.imported == 12
    assert "actor=alice.test" in appview.requests[0]
    with pytest.raises(CollectError, match="InvalidRequest: Profile not found"):
        collect(case, BlueskyCollector(author="nobody.test", base_url=appview.url, handle="",
                                       password=""), progress=False)


def test_a_thread_and_a_deleted_post(case, appview):
    thread = expected([1])[0]
    result = collect(case, BlueskyCollector(thread=thread, base_url=appview.url, handle="",
                                            password=""), progress=False)
    assert (result.imported, result.pages) == (3, 1)  # the root and two replies; the deleted none
    assert "depth=1000" in appview.requests[0]
    result = collect(case, BlueskyCollector(thread=thread, base_url=appview.url, handle="",
                                            password=""), progress=False)
    assert (result.imported, result.duplicates) == (0, 3)  # read again, nothing new
    with pytest.raises(CollectError, match="NotFound: Post not found"):
        collect(case, BlueskyCollector(thread=f"at://{DID}/app.bsky.feed.post/3kgone",
                                       base_url=appview.url, handle="", password=""),
                progress=False)


def test_a_malformed_post_is_quarantined_and_the_rest_kept(case, appview):
    appview.posts[4]["author"] = "not a profile"
    result = collect(case, search(appview), progress=False)
    assert (result.imported, result.quarantined) == (11, 1)
    assert case.quarantine().iloc[0].locator == "$.posts[4]"
    assert case.verify().ok


def test_network_loss_is_a_clear_error(case):
    with pytest.raises(CollectError, match="cannot be reached"):
        collect(case, BlueskyCollector(query="flood", base_url=f"http://{HOST}:9", handle="",
                                       password=""), progress=False)


def test_the_cli_collects_a_search_and_the_plan(case, appview):
    case_dir = str(case.path)
    out = CliRunner().invoke(app, ["collect", case_dir, "bluesky", "--query", "flood",
                                   "--base-url", appview.url, "--limit", "20", "--no-progress"],
                             env={"WORKBENCH_BLUESKY_HANDLE": "",
                                  "WORKBENCH_BLUESKY_APP_PASSWORD": ""})
    assert out.exit_code == 0, out.output
    assert "12 imported" in out.output
    case.update_plan(keywords=["flood"], accounts=["alice.test"])
    out = CliRunner().invoke(app, ["collect", case_dir, "bluesky", "--base-url", appview.url,
                                   "--no-progress"],
                             env={"WORKBENCH_BLUESKY_HANDLE": "",
                                  "WORKBENCH_BLUESKY_APP_PASSWORD": ""})
    assert out.exit_code == 0, out.output
    assert "search:flood" in out.output and "author:alice.test" in out.output
