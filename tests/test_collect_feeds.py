"""RSS 2.0 and Atom feeds: the ``feed`` format (import of a saved feed) and the live collector against
a server on 127.0.0.1 (ETag/Last-Modified, 304 Not Modified, 429 Retry-After), plus article pages
whose text trafilatura extracts from the boilerplate around it."""


import pytest

from tests.local_server import QuietHandler, serve
from workbench.collect.live import CollectError, load_cursor
from workbench.collect.live.feeds import collect_feed, feed_collectors
from workbench.errors import PlanError
from workbench.evidence import sha256_bytes

pytest.importorskip("feedparser")
pytest.importorskip("trafilatura")

STORY = ("The river burst its banks at Millford early on Tuesday, flooding the high street and "
         "forcing two hundred residents from their homes. Emergency crews worked through the night "
         "to move families to the school hall, where volunteers served food and blankets. ")
ARTICLE_TEXT = STORY * 3


def rss_item(n: int, host: str) -> str:
    return f"""<item>
  <title>Flood update {n}</title>
  <link>{host}/news/{n}</link>
  <guid isPermaLink="false">story-{n}</guid>
  <description>&lt;p&gt;Water &lt;b&gt;rising&lt;/b&gt; at gauge {n} &amp;amp; more&lt;/p&gt;</description>
  <author>desk@example.org (News Desk)</author>
  <category>flood</category>
  <pubDate>Sun, 0{n} Nov 2026 10:00:00 GMT</pubDate>
</item>"""


def rss(numbers, host: str, *, broken: bool = False) -> bytes:
    items = "\n".join(rss_item(n, host) for n in sorted(numbers, reverse=True))
    if broken:  # neither guid nor link: nothing tells this entry apart
        items += "\n<item><title>No id</title><description>orphan</description></item>"
    return (f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Millford News</title><link>{host}/</link>
<description>Local news</description>
{items}
</channel></rss>""").encode()


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Gauge watch</title><id>urn:uuid:feed-1</id><updated>2026-11-03T12:00:00Z</updated>
  <link href="http://gauges.example/"/>
  <entry>
    <title>Level &lt;high&gt;</title><id>urn:uuid:entry-1</id>
    <link href="http://gauges.example/1"/><updated>2026-11-03T12:00:00Z</updated>
    <author><name>Gauge Bot</name></author>
    <content type="html">&lt;p&gt;Level 4.2 m&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Undated</title><id>urn:uuid:entry-2</id><link href="http://gauges.example/2"/>
  </entry>
</feed>"""


def article_page(n: int) -> bytes:
    menu = "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(12))
    return f"""<!DOCTYPE html><html lang="en"><head><title>Flood update {n} | Millford News</title>
<meta name="author" content="Jane Reporter"><meta property="article:published_time"
content="2026-11-0{n}T09:30:00Z"></head><body>
<header><nav><ul>{menu}</ul></nav><div class="cookie">We use cookies. Accept all cookies?</div></header>
<main><article><h1>Flood update {n}</h1><p>{STORY}</p><p>{STORY}</p><p>{STORY}</p></article></main>
<aside><h3>Most read</h3><ul><li>Celebrity chef opens bakery</li><li>Weather next week</li></ul></aside>
<footer>Copyright 2026 Millford News. Subscribe to our newsletter. Privacy policy.</footer>
</body></html>""".encode()


class Site:
    """A news site: an RSS feed with validators, article pages, and faults on demand."""

    def __init__(self):
        self.numbers = [1, 2]
        self.etag = '"v1"'
        self.modified = "Mon, 02 Nov 2026 10:00:00 GMT"
        self.faults: list[tuple[int, dict]] = []
        self.requests: list[tuple[str, dict]] = []
        self.sent: list[bytes] = []
        self.broken = False
        self.server, self.url = serve(self._handler())

    def _handler(self):
        site = self

        class Handler(QuietHandler):
            def do_GET(self):
                site.requests.append((self.path, dict(self.headers)))
                if self.path == "/feed.xml":
                    if site.faults:
                        status, headers = site.faults.pop(0)
                        return self._send(status, b"slow down", headers)
                    if self.headers.get("If-None-Match") == site.etag:
                        return self._send(304, b"", {"ETag": site.etag})
                    body = rss(site.numbers, site.url, broken=site.broken)
                    site.sent.append(body)
                    return self._send(200, body, {"ETag": site.etag, "Last-Modified": site.modified,
                                                  "Content-Type": "application/rss+xml"})
                if self.path.startswith("/news/"):
                    return self._send(200, article_page(int(self.path.rsplit("/", 1)[1])),
                                      {"Content-Type": "text/html; charset=utf-8"})
                return self._send(404, b"not found", {})

            def _send(self, status, body, headers):
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        return Handler


@pytest.fixture
def site():
    server = Site()
    yield server
    server.server.shutdown()
    server.server.server_close()


def run(case, site, **options):
    [collector] = feed_collectors(case.plan, urls=[f"{site.url}/feed.xml"])
    return collect_feed(case, collector, progress=False, sleep=options.pop("sleep", lambda s: None),
                        **options)


def test_a_saved_rss_feed_imports_and_a_malformed_entry_is_quarantined(case, tmp_path):
    path = tmp_path / "news.xml"
    path.write_bytes(rss([1, 2], "http://news.example", broken=True))
    result = case.import_file(path)
    assert (result.imported, result.quarantined) == (2, 1)
    items = case.items().set_index("id")
    first = items.loc["story-1"]
    assert first.platform == "web" and first.kind == "article" and first.title == "Flood update 1"
    assert first.text == "Water rising at gauge 1 & more"  # HTML removed, entities resolved
    assert first.url == "http://news.example/news/1" and "flood" in list(first.hashtags)
    assert first.author_name == "desk@example.org (News Desk)"
    assert str(first.created_at).startswith("2026-11-01 10:00")
    [reason] = case.quarantine()["reason"].tolist()
    assert "neither an id" in reason
    assert case.verify().ok


def test_a_saved_atom_feed_maps_content_and_quarantines_an_undated_entry(case, tmp_path):
    path = tmp_path / "gauges.atom"
    path.write_bytes(ATOM)
    result = case.import_file(path)
    assert (result.imported, result.quarantined) == (1, 1)
    [item] = case.items().itertuples()
    assert item.id == "urn:uuid:entry-1" and item.title == "Level <high>"
    assert item.text == "Level 4.2 m" and item.author_name == "Gauge Bot"
    assert "no date" in case.quarantine()["reason"].iloc[0]


def test_collects_a_feed_keeps_its_bytes_and_a_second_run_adds_only_new_entries(case, site):
    first = run(case, site)
    assert (first.imported, first.duplicates, first.pages) == (2, 0, 1)
    payloads = case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'").fetchall()
    [(sha,)] = payloads
    assert case.raw_store.path(sha).read_bytes() == site.sent[0]
    [(name,)] = case.db.execute("SELECT name FROM payloads WHERE sha256 = ?", [sha]).fetchall()
    assert name.endswith(".xml")  # named as what it is, a feed document
    assert sha256_bytes(site.sent[0]) == sha
    assert load_cursor(case, f"feed:{site.url}/feed.xml", "feed")["complete"]

    unchanged = run(case, site)  # the server answers 304 to the ETag kept in the cursor
    assert (unchanged.imported, unchanged.duplicates) == (0, 0)
    assert site.requests[-1][1].get("If-None-Match") == '"v1"'
    assert site.requests[-1][1].get("If-Modified-Since") == site.modified

    site.numbers, site.etag = [1, 2, 3], '"v2"'
    second = run(case, site)
    assert (second.imported, second.duplicates) == (1, 2)
    assert sorted(case.items()["id"]) == ["story-1", "story-2", "story-3"]
    items = case.items()
    assert set(items.source) == {f"feed:{site.url}/feed.xml"} and set(items.collector) == {"live:feed"}
    assert case.verify().ok


def test_a_429_is_waited_out_and_a_long_one_stops_cleanly(case, site):
    waits = []
    site.faults = [(429, {"Retry-After": "3"})]
    result = run(case, site, sleep=waits.append)
    assert waits == [3.0] and result.imported == 2
    site.faults = [(429, {"Retry-After": "600"})]
    site.etag = '"v3"'
    stopped = run(case, site, max_wait=60)
    assert stopped.imported == 0 and "600s" in stopped.stopped and stopped.resume_after


def test_articles_are_fetched_hashed_and_their_text_extracted(case, site):
    result = run(case, site, articles=True)
    assert result.imported == 4  # two entries, two articles
    pages = case.items(platform="web").set_index("id")
    article = pages.loc[f"page:{site.url}/news/2"]
    assert article.quote_of == "web:story-2" and article.author_name == "Jane Reporter"
    assert "The river burst its banks at Millford" in article.text
    for boilerplate in ("cookies", "Celebrity chef", "Subscribe", "Section 3"):
        assert boilerplate not in article.text
    assert str(article.created_at).startswith("2026-11-02")
    raw = case.db.execute("SELECT sha256 FROM payloads WHERE format = 'article'").fetchall()
    assert len(raw) == 2
    [imported] = case.db.execute("SELECT imported FROM runs WHERE id = ?", [result.run_id]).fetchone()
    assert imported == 4
    for (sha,) in raw:
        assert sha256_bytes(case.raw_store.path(sha).read_bytes()) == sha
    assert case.raw_store.path(article.raw_sha256).read_bytes() == article_page(2)
    assert case.verify().ok


def test_purging_an_entry_cuts_its_element_from_the_kept_feed(case, tmp_path):
    path = tmp_path / "news.rss"
    path.write_bytes(rss([1, 2, 3], "http://news.example"))
    assert case.import_file(path).imported == 3
    case.purge(items=["web:story-2"], reason="out of scope")
    kept = case.raw_store.path(case.items()["raw_sha256"].iloc[0]).read_bytes()
    assert b"Flood update 2" not in kept and b"Flood update 3" in kept
    assert sorted(case.items()["id"]) == ["story-1", "story-3"]
    assert case.verify().ok


def test_a_document_that_is_no_feed_is_quarantined_whole(case, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut off')
    result = case.import_file(path, format="feed")
    assert (result.imported, result.quarantined) == (0, 1)
    assert "not a readable feed" in case.quarantine()["reason"].iloc[0]


def test_a_page_that_cannot_be_fetched_is_skipped_with_its_reason(case, site):
    from workbench.collect.live.feeds import fetch_article

    result = fetch_article(case, f"{site.url}/gone", entry_uid="web:story-9")
    assert result.imported == 0 and len(case.items()) == 0
    [detail] = [row[0] for row in case.db.execute(
        "SELECT detail FROM audit WHERE action = 'collect.article_skipped'")]
    assert "404" in detail
    assert case.verify().ok


def test_the_plan_names_the_feeds_read_when_no_url_is_given(case, site):
    with pytest.raises(CollectError, match="list feeds in the plan"):
        feed_collectors(case.plan)
    case.update_plan(feeds=[f"{site.url}/feed.xml"])
    [collector] = feed_collectors(case.plan)
    assert collector.url == f"{site.url}/feed.xml"
    assert collect_feed(case, collector, progress=False).imported == 2
    with pytest.raises(PlanError, match="feeds must be http"):
        case.update_plan(feeds=["file:///etc/passwd"])
