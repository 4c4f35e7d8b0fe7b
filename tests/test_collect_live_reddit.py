"""Live Reddit collection: the real PRAW against a server on 127.0.0.1 that answers as Reddit does
(OAuth client-credentials token endpoint, Listing JSON of t3/t1 things paged by ``after``,
submission pages with nested replies and ``more`` stubs, /api/morechildren and "continue this
thread" pages, text HTML-escaped unless ``raw_json=1``, X-Ratelimit-* headers, 429, 401, 403)."""

import base64
import html
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.local_server import HOST, QuietHandler, serve
from workbench.collect.live import CollectError, collect, load_cursor
from workbench.collect.live.reddit import RedditCollector, reddit_collectors
from workbench.evidence import sha256_bytes

pytest.importorskip("praw")

CLIENT_ID, SECRET = "app-id-xyz", "app-secret-123"
START = 1793500000  # 2026-11-01


def post(n: int, *, sub: str = "floods", author: str = "alice") -> dict:
    """A t3 child of a subreddit Listing; ``n`` orders them in time."""
    base = f"p{n:03d}"
    return {"kind": "t3", "data": {
        "id": base, "name": f"t3_{base}", "subreddit": sub, "author": author,
        "title": f"Water rising {n}", "selftext": f"Post {n} & more", "is_self": True,
        "created_utc": float(START + n * 60), "score": n, "num_comments": 0,
        "permalink": f"/r/{sub}/comments/{base}/water_rising_{n}/", "url": "", "over_18": False}}


def comment(base: str, parent: str, body: str, replies=None, author: str = "bob") -> dict:
    return {"kind": "t1", "data": {
        "id": base, "name": f"t1_{base}", "subreddit": "floods", "author": author, "body": body,
        "created_utc": float(START + 5000), "parent_id": parent, "link_id": "t3_p001", "score": 1,
        "permalink": f"/r/floods/comments/p001/_/{base}/",
        "replies": {"kind": "Listing", "data": {"after": None, "before": None,
                                                "children": replies or []}} if replies else ""}}


def stub(parent: str, children: list[str]) -> dict:
    """A "more comments" stub; with no children, a "continue this thread" link."""
    base = children[0] if children else "_"
    return {"kind": "more", "data": {"count": len(children) * 2, "name": f"t1_{base}", "id": base,
                                     "parent_id": parent, "depth": 1, "children": children}}


def escaped(value):
    """Reddit's answer without ``raw_json=1``: &, < and > in text fields as HTML entities."""
    if isinstance(value, list):
        return [escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: html.escape(v, quote=False) if k in ("title", "selftext", "body")
                and isinstance(v, str) else escaped(v) for k, v in value.items()}
    return value


def listing(children: list, after: str | None) -> dict:
    return {"kind": "Listing", "data": {"after": after, "dist": len(children), "before": None,
                                        "modhash": None, "children": children}}


class Reddit:
    """Reddit's token endpoint and OAuth API, replayed: listings newest first, cut by ``after``."""

    def __init__(self, posts: list[dict]):
        self.posts = posts
        self.faults: list[tuple[int, dict, object] | None] = []
        self.remaining = 99.0
        self.requests: list[str] = []
        self.forbidden = {"secretclub"}
        # the comments behind "more" stubs, by id (a "continue this thread" page by parent id)
        self.hidden = {"c9": comment("c9", "t1_c1", "Hidden one"),
                       "ca": comment("ca", "t1_c1", "Hidden two &lt;b&gt; as typed"),
                       "cb": comment("cb", "t1_ca", "Deep in the thread")}
        self.forms: list[dict] = []
        self.server, self.url = serve(self._handler())

    def _handler(self):
        reddit = self

        class Handler(QuietHandler):
            def _send(self, status, headers, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                auth = self.headers.get("Authorization", "")
                expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
                if self.path.startswith("/api/morechildren"):
                    if self.headers.get("Authorization") != "bearer tok-1":
                        return self._send(401, {}, {"message": "Unauthorized", "error": 401})
                    return self._send(*reddit.more_children(self.path, form))
                if self.path != "/api/v1/access_token" or form.get("grant_type") != ["client_credentials"]:
                    return self._send(400, {}, {"error": "unsupported_grant_type"})
                if auth != expected:
                    return self._send(401, {}, {"message": "Unauthorized", "error": 401})
                self._send(200, {}, {"access_token": "tok-1", "token_type": "bearer",
                                     "expires_in": 86400, "scope": "*"})

            def do_GET(self):
                if self.headers.get("Authorization") != "bearer tok-1":
                    return self._send(401, {}, {"message": "Unauthorized", "error": 401})
                self._send(*reddit.answer(self.path))

        return Handler

    def _limits(self) -> dict:
        return {"x-ratelimit-remaining": f"{self.remaining:.1f}", "x-ratelimit-used": "1",
                "x-ratelimit-reset": "420"}

    def answer(self, path: str):
        status, headers, body = self._answer(path)
        raw = parse_qs(urlsplit(path).query).get("raw_json") == ["1"]
        return status, headers, body if raw or status != 200 else escaped(body)

    def more_children(self, path: str, form: dict):
        """POST /api/morechildren: the comments named (flat, ``replies`` empty) and the stubs
        below them, under ``json.data.things``."""
        self.requests.append(path)
        self.forms.append({k: v[0] for k, v in form.items()})
        fault = self.faults.pop(0) if self.faults else None
        if fault:
            return fault
        if form.get("api_type") != ["json"] or "link_id" not in form:
            return 400, {}, {"json": {"errors": [["BAD_REQUEST", "bad request", "link_id"]]}}
        things = []
        for base in form["children"][0].split(","):
            if base in self.hidden:
                things.append({**self.hidden[base], "data": {**self.hidden[base]["data"],
                                                             "replies": ""}})
                if base == "ca":  # its replies are too deep: a "continue this thread" link
                    things.append(stub("t1_ca", []))
        body = {"json": {"errors": [], "data": {"things": things}}}
        raw = parse_qs(urlsplit(path).query).get("raw_json") == ["1"]
        return 200, self._limits(), body if raw else escaped(body)

    def _answer(self, path: str):
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.requests.append(path)
        fault = self.faults.pop(0) if self.faults else None
        if fault:
            return fault
        segments = parts.path.strip("/").split("/")
        if segments[0] == "r" and segments[1] in self.forbidden:
            return 403, {}, {"reason": "private", "message": "Forbidden", "error": 403}
        if segments[0] == "comments" and len(segments) == 4:  # continue this thread: /_/parent
            parent = self.hidden[segments[3]]
            thread = {**parent, "data": {**parent["data"], "replies": listing([
                self.hidden[b] for b, c in self.hidden.items()
                if c["data"]["parent_id"] == f"t1_{segments[3]}"], None)}}
            return 200, self._limits(), [listing([post(1)], None), listing([thread], None)]
        if segments[0] == "comments":
            tree = [comment("c1", "t3_p001", "First", replies=[
                        comment("c2", "t1_c1", "[deleted]", author="[deleted]", replies=[
                            comment("c3", "t1_c2", "Still here")]),
                        stub("t1_c1", ["c9", "ca"])])]
            return 200, self._limits(), [listing([post(1)], None), listing(tree, None)]
        if parts.path.endswith("/new") or parts.path.endswith("/search"):
            chosen = self.posts
            if "q" in query:
                chosen = [p for p in chosen if query["q"].lower() in p["data"]["title"].lower()]
            limit = int(query.get("limit", 25))
            start = 0
            if "after" in query:
                names = [p["data"].get("name") for p in chosen]
                start = names.index(query["after"]) + 1
            page = chosen[start:start + limit]
            more = len(page) == limit and start + limit < len(chosen)
            after = page[-1]["data"].get("name") if more else None
            return 200, self._limits(), listing(page, after)
        return 404, {}, {"message": "Not Found", "error": 404}

    def add(self, new: list[dict]) -> None:
        self.posts = new + self.posts


@pytest.fixture
def reddit():
    server = Reddit([post(n) for n in range(12, 0, -1)])
    yield server
    server.server.shutdown()
    server.server.server_close()


def sub(reddit, cls=RedditCollector, **options) -> RedditCollector:
    options = {"subreddit": "floods", "client_id": CLIENT_ID, "client_secret": SECRET,
               "user_agent": "workbench-test/1 by tester", "page_size": 5, **options}
    return cls(oauth_url=reddit.url, reddit_url=reddit.url, **options)


def ids(case) -> list[str]:
    return sorted(case.items()["id"].tolist())


def test_pages_a_subreddit_by_after_and_keeps_each_page_as_received(case, reddit):
    result = collect(case, sub(reddit), progress=False)
    assert (result.imported, result.duplicates, result.quarantined, result.pages) == (12, 0, 0, 3)
    assert ids(case) == sorted(f"t3_p{n:03d}" for n in range(1, 13))
    assert "after=t3_p008" in reddit.requests[1] and "after=t3_p003" in reddit.requests[2]
    for (sha,) in case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'"):
        assert sha256_bytes(case.raw_store.path(sha).read_bytes()) == sha
    newest = case.items().sort_values("id").iloc[-1]
    assert newest.text == "Post 12 & more" and newest.collector == "live:reddit"
    assert case.verify().ok
    assert load_cursor(case, "reddit", "r/floods:new")["newest"] == "t3_p012"
    # a second run reads from the top until it meets what it has
    reddit.add([post(13)])
    result = collect(case, sub(reddit), progress=False)
    assert result.imported == 1 and len(ids(case)) == 13


class Interrupted(RedditCollector):
    """Ctrl-C arrives while the third page is being fetched."""

    def fetch(self, **where):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return super().fetch(**where)


def test_an_interrupted_run_resumes_with_no_duplicate_and_no_gap(case, reddit):
    with pytest.raises(KeyboardInterrupt):
        collect(case, sub(reddit, Interrupted), progress=False)
    assert len(ids(case)) == 10
    result = collect(case, sub(reddit), progress=False)
    assert (result.imported, result.duplicates) == (2, 0)
    assert ids(case) == sorted(f"t3_p{n:03d}" for n in range(1, 13))


def test_429_within_and_beyond_the_maximum_wait(case, reddit):
    reddit.faults = [(429, {"Retry-After": "3"}, {"message": "Too Many Requests", "error": 429})]
    slept = []
    result = collect(case, sub(reddit), progress=False, max_wait=10, sleep=slept.append)
    assert slept == [3.0] and result.imported == 12
    reddit.add([post(n) for n in range(19, 12, -1)])
    reddit.faults = [None, (429, {"x-ratelimit-reset": "600"}, {"error": 429})]
    result = collect(case, sub(reddit), progress=False, max_wait=10, sleep=slept.append)
    assert result.imported == 5 and "more than the maximum wait" in result.stopped
    assert result.resume_after
    # a used-up quota (remaining 0) waits its reset before the next page, within the maximum
    reddit.remaining = 0
    result = collect(case, sub(reddit), progress=False, max_wait=1000, sleep=slept.append)
    assert 420.0 in slept and result.imported == 2 and len(ids(case)) == 19
    assert case.verify().ok


def test_bad_credentials_and_a_private_subreddit_are_clear_errors(case, reddit):
    with pytest.raises(CollectError, match="refused the app's credentials") as raised:
        collect(case, sub(reddit, client_secret="wrong-secret"), progress=False)
    assert "WORKBENCH_REDDIT_CLIENT_SECRET" in raised.value.hint
    with pytest.raises(CollectError, match="r/secretclub is private, banned"):
        collect(case, sub(reddit, subreddit="secretclub"), progress=False)
    with pytest.raises(CollectError, match="no API credentials"):
        collect(case, sub(reddit, client_id=""), progress=False)
    assert case.items().empty
    collect(case, sub(reddit), progress=False)
    kept = " ".join(str(row) for table in ("audit", "runs", "cursors", "items")
                    for row in case.db.execute(f"SELECT * FROM {table}"))
    assert SECRET not in kept and "wrong-secret" not in kept and CLIENT_ID not in kept
    assert "tok-1" not in kept


def test_a_comment_tree_with_its_more_stubs_expanded(case, reddit):
    result = collect(case, sub(reddit, subreddit=None, submission="t3_p001"), progress=False)
    # the tree, the stub's two comments (/api/morechildren), the thread below one of them
    assert (result.imported, result.duplicates, result.quarantined, result.pages) == (7, 2, 0, 3)
    items = case.items().set_index("id")
    assert items.loc["t1_c2", "text"] == "" and "deleted" in items.loc["t1_c2", "caveats"]
    assert items.loc["t1_c3", "text"] == "Still here"
    assert items.loc["t1_c9", "text"] == "Hidden one"
    assert items.loc["t1_c9", "reply_to"] == "reddit:t1_c1"
    assert items.loc["t1_cb", "reply_to"] == "reddit:t1_ca"
    assert "t1__" not in items.index  # a stub is never an item
    assert reddit.requests[0].startswith("/comments/p001")
    assert reddit.requests[1].startswith("/api/morechildren")
    assert reddit.forms == [{"api_type": "json", "children": "c9,ca", "link_id": "t3_p001",
                             "sort": "confidence"}]
    assert reddit.requests[2].startswith("/comments/p001/_/ca")
    for (sha,) in case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'"):
        assert sha256_bytes(case.raw_store.path(sha).read_bytes()) == sha
    assert case.db.execute("SELECT count(*) FROM payloads WHERE kind = 'raw'").fetchone() == (3,)
    assert load_cursor(case, "reddit", "submission:p001")["complete"]
    assert case.verify().ok
    # a later run reads the tree again and stops where it joins what it has
    result = collect(case, sub(reddit, subreddit=None, submission="t3_p001"), progress=False)
    assert (result.imported, result.pages) == (0, 1)


def test_a_malformed_comment_behind_a_stub_is_quarantined(case, reddit):
    reddit.hidden["c9"] = {"kind": "t1", "data": {"body": "no id", "parent_id": "t1_c1"}}
    result = collect(case, sub(reddit, subreddit=None, submission="p001"), progress=False)
    assert (result.imported, result.quarantined) == (6, 1)
    assert case.quarantine().iloc[0].locator == "$.json.data.things[0]"
    assert case.verify().ok


def test_more_stubs_expanded_up_to_the_limit(case, reddit):
    result = collect(case, sub(reddit, subreddit=None, submission="p001", more_limit=1),
                     progress=False)
    assert (result.imported, result.pages) == (6, 2)
    assert "t1_cb" not in case.items()["id"].tolist()
    result = collect(case, sub(reddit, subreddit=None, submission="p001", more_limit=0),
                     progress=False)
    assert result.pages == 1


def test_an_interrupted_expansion_resumes_at_the_stub(case, reddit):
    with pytest.raises(KeyboardInterrupt):
        collect(case, sub(reddit, Interrupted, subreddit=None, submission="p001"),
                progress=False)
    assert len(ids(case)) == 6 and len(reddit.forms) == 1  # the third request never went out
    state = load_cursor(case, "reddit", "submission:p001")
    assert json.loads(state["older"])["more"][0]["parent_id"] == "t1_ca"
    reddit.faults = [(429, {"Retry-After": "2"}, {"message": "Too Many Requests", "error": 429})]
    slept = []
    result = collect(case, sub(reddit, subreddit=None, submission="p001"), progress=False,
                     max_wait=10, sleep=slept.append)
    assert slept == [2.0] and (result.imported, result.pages) == (1, 1)
    assert len(ids(case)) == 7 and case.verify().ok


def test_text_is_unescaped_exactly_once(case, reddit, tmp_path):
    # live: PRAW asks for raw_json=1, so the text is as typed and kept so
    titled = post(20)
    titled["data"]["title"] = "Less than is &lt; and &amp;lt; stays"
    reddit.add([titled])
    collect(case, sub(reddit), progress=False)
    collect(case, sub(reddit, subreddit=None, submission="p001"), progress=False)
    items = case.items().set_index("id")
    assert items.loc["t3_p020", "title"] == "Less than is &lt; and &amp;lt; stays"
    assert items.loc["t1_ca", "text"] == "Hidden two &lt;b&gt; as typed"
    assert "raw_json=1" in reddit.requests[0]
    # a saved .json page (no raw_json): Reddit's escaping is undone once, not twice
    page = tmp_path / "page.json"
    page.write_text(json.dumps(escaped(listing([post(30)], None))).replace(
        "Water rising 30", "Literal &amp;lt; and &amp;amp; and &lt;b&gt;"))
    case.import_file(page, format="reddit", progress=False)
    saved = case.items().set_index("id").loc["t3_p030"]
    assert saved.title == "Literal &lt; and &amp; and <b>"
    assert saved.text == "Post 30 & more"


def test_search_and_a_malformed_record_quarantined(case, reddit):
    reddit.posts[3]["data"] = {"title": "Water rising broken", "subreddit": "floods"}
    result = collect(case, sub(reddit, search="water"), progress=False)
    assert (result.imported, result.quarantined) == (11, 1)
    assert "restrict_sr=1" in reddit.requests[0] and "sort=new" in reddit.requests[0]
    assert case.verify().ok


def test_collectors_for_the_cli(case):
    case.update_plan(keywords=["flood"], hashtags=["storm"])
    found = reddit_collectors(case.plan)
    assert [c.query for c in found] == ["search:flood", "search:#storm"]
    assert reddit_collectors(case.plan, subreddit="r/OSINT", listing="top")[0].query == "r/osint:top"
    with pytest.raises(CollectError):
        reddit_collectors(case.plan, subreddit="x", listing="hot")


def test_network_loss_is_a_clear_error(case):
    down = f"http://{HOST}:9"
    collector = RedditCollector(subreddit="floods", client_id=CLIENT_ID, client_secret=SECRET,
                                user_agent="workbench-test/1", oauth_url=down, reddit_url=down)
    with pytest.raises(CollectError, match="cannot be reached"):
        collect(case, collector, progress=False)
