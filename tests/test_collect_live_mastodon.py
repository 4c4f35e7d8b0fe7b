"""Live Mastodon collection: the real Mastodon.py against a server on 127.0.0.1 that answers in
Mastodon's wire format (REST API docs: timelines, accounts/lookup, Link pagination with max_id and
min_id, X-RateLimit-* headers, 429 with Retry-After, 401 and 404 JSON errors)."""

import json
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.collect.live import CollectError, collect, load_cursor
from workbench.collect.live.mastodon import MastodonCollector
from workbench.evidence import sha256_bytes

pytest.importorskip("mastodon")

HOST = "127.0.0.1"
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
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer((HOST, 0), self._handler())
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def add(self, new: list[dict]) -> None:
        self.statuses = new + self.statuses

    def _handler(self):
        instance = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

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
        if parts.path.rstrip("/") == "/api/v2/instance":  # Mastodon.py asks for the version
            return 200, {}, {"domain": "social.test", "title": "Social test", "version": "4.3.0",
                             "api_versions": {"mastodon": 2}}
        self.requests.append(path)
        fault = self.faults.pop(0) if self.faults else None
        if fault:
            return fault
        if self.token and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"error": "The access token is invalid"}
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


@pytest.fixture
def instance():
    server = Instance([status(n) for n in range(12, 0, -1)])
    yield server
    server.server.shutdown()
    server.server.server_close()


def hashtag(instance, **options) -> MastodonCollector:
    return MastodonCollector(instance.url, hashtag="flood", token="", page_size=5, **options)


def ids(case) -> list[str]:
    return sorted(case.items()["id"].tolist())


def test_pages_through_a_hashtag_and_keeps_each_page_as_received(case, instance):
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.duplicates, result.quarantined, result.pages) == (12, 0, 0, 4)
    assert len(ids(case)) == 12
    # down from the top by max_id, then up from the newest by min_id (empty: nothing newer)
    assert [p.split("?")[1] for p in instance.requests] == [
        "limit=5", f"max_id={BASE_ID + 8000}&limit=5", f"max_id={BASE_ID + 3000}&limit=5",
        f"min_id={BASE_ID + 12000}&limit=5"]
    payloads = case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'").fetchall()
    assert len(payloads) == 4  # three pages of statuses and the empty answer "[]"
    for (sha,) in payloads:
        assert sha256_bytes(case.raw_store.path(sha).read_bytes()) == sha
    first = case.items().sort_values("id").iloc[-1]
    assert first.source == f"mastodon:127.0.0.1:{instance.server.server_address[1]}"
    assert first.collector == "live:mastodon"
    assert first.text.startswith("Water rising, post 12")
    assert case.verify().ok
    actions = [a for (a,) in case.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions.count("collect.page") == 4 and actions[-1] == "collect.finished"
    state = load_cursor(case, hashtag(instance).source, "hashtag:flood")
    assert state == {"complete": True, "newest": str(BASE_ID + 12000), "older": None}


def test_a_second_run_takes_only_what_is_new(case, instance):
    collect(case, hashtag(instance), progress=False)
    instance.add([status(n) for n in range(19, 12, -1)])  # 7 new, more than a page
    instance.requests.clear()
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.duplicates) == (7, 0)
    assert len(ids(case)) == 19
    assert instance.requests[0].endswith(f"min_id={BASE_ID + 12000}&limit=5")


class Interrupted(MastodonCollector):
    """Ctrl-C arrives while the third page is being fetched."""

    def fetch(self, **where):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return super().fetch(**where)


def test_an_interrupted_run_resumes_with_no_duplicate_and_no_gap(case, instance):
    with pytest.raises(KeyboardInterrupt):
        collect(case, Interrupted(instance.url, hashtag="flood", token="", page_size=5),
                progress=False)
    assert len(ids(case)) == 10
    run = case.db.execute("SELECT status FROM runs ORDER BY id DESC").fetchone()
    assert run == ("interrupted",)
    instance.add([status(13)])  # posted while we were away
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.duplicates) == (3, 0)  # posts 1, 2 and 13
    assert ids(case) == sorted(f"social.test/{BASE_ID + n * 1000}" for n in range(1, 14))
    assert case.verify().ok


def test_a_429_within_the_maximum_wait_is_waited_out(case, instance):
    instance.faults = [(429, {"Retry-After": "3"}, {"error": "Too many requests"})]
    slept = []
    result = collect(case, hashtag(instance), progress=False, max_wait=10, sleep=slept.append)
    assert slept == [3.0]
    assert result.imported == 12 and result.stopped is None
    # Retry-After may be an HTTP date too
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    instance.add([status(13)])
    instance.faults = [(429, {"Retry-After": when}, {"error": "Too many requests"})]
    result = collect(case, hashtag(instance), progress=False, max_wait=10, sleep=slept.append)
    assert 3 <= slept[1] <= 5 and result.imported == 1


def test_a_429_beyond_the_maximum_stops_cleanly_and_says_when_to_resume(case, instance):
    collector = hashtag(instance)
    instance.faults = [None, (429, {"Retry-After": "600"}, {"error": "Too many requests"})]
    slept = []
    result = collect(case, collector, progress=False, max_wait=10, sleep=slept.append)
    assert slept == [] and result.imported == 5  # the first page is kept
    assert "more than the maximum wait of 10s" in result.stopped
    assert result.resume_after and "run again after" in result.summary()
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("stopped",)
    # a quota used up (X-RateLimit-Remaining 0) beyond the maximum stops after keeping the page
    instance.remaining = 0
    result = collect(case, collector, progress=False, max_wait=10, sleep=slept.append)
    assert result.imported == 5 and result.pages == 1 and result.resume_after
    instance.remaining = 300
    result = collect(case, collector, progress=False, max_wait=10, sleep=slept.append)
    assert (result.imported, result.duplicates) == (2, 0) and len(ids(case)) == 12
    assert case.verify().ok


def test_a_wrong_token_is_a_clear_error(case, instance):
    instance.token = "right"
    with pytest.raises(CollectError, match="refused the access token") as raised:
        collect(case, MastodonCollector(instance.url, hashtag="flood", token="wrong"),
                progress=False)
    assert "WORKBENCH_MASTODON_TOKEN" in raised.value.hint
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("failed",)
    result = collect(case, MastodonCollector(instance.url, hashtag="flood", token="right",
                                             page_size=5), progress=False)
    assert result.imported == 12
    kept = " ".join(str(row) for table in ("audit", "runs", "cursors", "items")
                    for row in case.db.execute(f"SELECT * FROM {table}"))
    assert "right" not in kept and "wrong" not in kept  # the token is never stored


def test_an_account_and_an_unknown_account(case, instance):
    result = collect(case, MastodonCollector(instance.url, account="@alice", token="",
                                             page_size=5), progress=False)
    assert result.imported == 12
    with pytest.raises(CollectError, match="no such account nobody"):
        collect(case, MastodonCollector(instance.url, account="nobody", token=""),
                progress=False)


def test_a_malformed_status_is_quarantined_and_the_rest_kept(case, instance):
    instance.statuses[4]["account"] = "not an account"
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.quarantined) == (11, 1)
    row = case.quarantine().iloc[0]
    assert row.locator == "$[4]"
    assert case.verify().ok


def test_refuses_a_case_past_its_retention(case, instance):
    case.update_plan(retention_until="2000-01-01")
    with pytest.raises(Exception, match="retention date"):
        collect(case, hashtag(instance), progress=False)
    assert instance.requests == []


def test_network_loss_is_a_clear_error(case):
    with pytest.raises(CollectError, match="cannot be reached"):
        collect(case, MastodonCollector(f"http://{HOST}:9", timeline="local", token=""),
                progress=False)


def test_the_cli_collects_the_local_timeline(case, instance):
    case_dir = str(case.path)
    out = CliRunner().invoke(app, ["collect", case_dir, "mastodon", "--instance", instance.url,
                                   "--timeline", "local", "--limit", "20", "--no-progress"])
    assert out.exit_code == 0, out.output
    assert "12 imported" in out.output
    assert "local=1" in instance.requests[0] or "local=true" in instance.requests[0]
    # without a query, the plan's hashtags and accounts
    case.update_plan(hashtags=["flood"], accounts=["alice"])
    out = CliRunner().invoke(app, ["collect", case_dir, "mastodon", "--instance", instance.url,
                                   "--no-progress"])
    assert out.exit_code == 0, out.output
    assert "hashtag:flood" in out.output and "account:alice" in out.output
    assert out.output.count("0 imported, 12 duplicates") == 2
