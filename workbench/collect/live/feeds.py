"""Live RSS/Atom collection: fetch a feed URL, keep its bytes, map them with the ``feed`` format.

A feed is one page: there is nothing to page through, so every run reads it from the top
(``pages_up = False``) and the items already collected come back as duplicates. The server's
validators (``ETag``, ``Last-Modified``) are kept in the cursor (as its ``newest`` mark) and sent
back as ``If-None-Match``/``If-Modified-Since``; a ``304 Not Modified`` is stored as an empty page
(nothing new). A ``429`` or ``503`` with ``Retry-After`` asks the run to wait.

Articles. With ``articles=True``, :func:`collect_feed` then fetches the page each new entry links
to, keeps the HTML unaltered under ``raw/`` (hashed, listed in ``payloads``), and maps it with the
``article`` format (trafilatura extracts the main text and metadata): the article is its own item
(platform ``web``, kind ``article``, id ``page:<url>``) whose ``quote_of`` is the feed entry, so
the entry keeps the feed's own summary and the full text is one click away and separately hashed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from workbench import audit
from workbench.collect import get_format
from workbench.collect.base import Payload
from workbench.collect.live import (
    DEFAULT_MAX_WAIT_S,
    CollectError,
    CollectResult,
    Page,
    RateLimited,
    collect,
    retry_after_seconds,
)
from workbench.collect.live import load_cursor as _load_cursor
from workbench.ingest import Importer, ImportResult, _register_payload
from workbench.store import write

TIMEOUT_S = 30
USER_AGENT = "socmint-workbench feed collector"
MAX_BYTES = 20 * 1024 * 1024  # a feed or a page larger than this is not what we came for


class FeedCollector:
    """One feed URL."""

    format = "feed"
    extension = "xml"  # the raw page is the feed document as served
    collector = "live:feed"
    version = "1"
    pages_up = False

    def __init__(self, url: str, *, session: requests.Session | None = None):
        if "://" not in url:
            url = f"https://{url}"
        self.url = url
        self.source = f"feed:{url}"  # each item's source names its feed
        self.query = "feed"
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.validators: dict = {}

    def bind(self, case) -> FeedCollector:
        """Take the validators the last run kept (the cursor's ``newest``) from ``case``."""
        newest = _load_cursor(case, self.source, self.query).get("newest")
        self.validators = json.loads(newest) if newest else {}
        return self

    def fetch(self, *, older: str | None = None, newer: str | None = None) -> Page:
        """The feed as it is now (a feed has no pages: ``older``/``newer`` are never set)."""
        headers = {}
        if self.validators.get("etag"):
            headers["If-None-Match"] = self.validators["etag"]
        if self.validators.get("modified"):
            headers["If-Modified-Since"] = self.validators["modified"]
        response = _get(self.session, self.url, headers)
        if response.status_code == 304:
            return Page(body=b"", url=response.url, count=0)
        body = response.content
        validators = {k: v for k, v in (("etag", response.headers.get("ETag")),
                                        ("modified", response.headers.get("Last-Modified"))) if v}
        self.validators = validators or self.validators
        return Page(body=body, url=response.url, count=_count(body),
                    newest_id=json.dumps(validators, sort_keys=True) if validators else None)


def _get(session: requests.Session, url: str, headers: dict) -> requests.Response:
    try:
        response = session.get(url, headers=headers, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        raise CollectError(f"{url}: cannot be fetched: {exc}",
                           hint="check the network and the URL; run again to retry") from None
    if response.status_code in (429, 503):
        raise RateLimited(retry_after_seconds(response.headers.get("Retry-After")))
    if response.status_code >= 400:
        raise CollectError(f"{url}: the server answered {response.status_code} {response.reason}",
                           hint="check the URL; a feed that moved or needs a login cannot be read")
    if len(response.content) > MAX_BYTES:
        raise CollectError(f"{url}: the answer is larger than {MAX_BYTES} bytes", hint="check the URL")
    return response


def _count(body: bytes) -> int:
    import feedparser

    return len(feedparser.parse(body).entries)


def feed_collectors(plan, *, urls=None, articles: bool = False) -> list[FeedCollector]:
    """One collector per feed URL given, or with none given, per feed the plan names. ``articles``
    is accepted so the CLI can pass it through; fetching the articles is :func:`collect_feed`'s job."""
    urls = [u for u in (urls or []) if u and u.strip()] or list(plan.feeds)
    if not urls:
        raise CollectError("feed: name at least one feed URL, or list feeds in the plan",
                           hint="e.g. --url https://example.org/feed.xml, or `feeds:` in case.yaml")
    collectors = [FeedCollector(url.strip()) for url in urls]
    for collector in collectors:
        collector.articles = articles
    return collectors


def collect_feed(case, collector: FeedCollector, *, articles: bool | None = None,
                 limit: int | None = None, max_wait: float = DEFAULT_MAX_WAIT_S,
                 progress: bool = True, sleep=time.sleep) -> CollectResult:
    """Collect one feed (see :func:`workbench.collect.live.collect`), then, with ``articles``,
    fetch and map the page of each entry this run added."""
    collector.bind(case)
    result = collect(case, collector, limit=limit, max_wait=max_wait, progress=progress, sleep=sleep)
    if articles if articles is not None else getattr(collector, "articles", False):
        rows = case.db.execute(
            "SELECT uid, url FROM items WHERE run_id = ? AND platform = 'web' AND kind = 'article' "
            "AND url IS NOT NULL AND uid NOT LIKE 'web:page:%'", [result.run_id]).fetchall()
        for uid, url in rows:
            fetch_article(case, url, entry_uid=uid, session=collector.session, result=result)
        with write(case.db):  # the run's counts include its articles
            case.db["runs"].update(result.run_id, {
                "imported": result.imported, "duplicates": result.duplicates,
                "quarantined": result.quarantined})
    return result


def fetch_article(case, url: str, *, entry_uid: str | None = None, session=None,
                  result: ImportResult | None = None) -> ImportResult:
    """Fetch one web page, keep its HTML under ``raw/`` and map it with the ``article`` format.
    A page that cannot be fetched is recorded in the audit log and skipped."""
    session = session or requests.Session()
    fmt = get_format("article")
    result = result or ImportResult(0, url, fmt.name, "")
    try:
        response = _get(session, url, {})
    except (CollectError, RateLimited) as exc:
        with write(case.db):
            audit.append(case.db, "collect.article_skipped", {"url": url, "reason": str(exc)[:300]})
        return result
    sha, size = case.raw_store.put_bytes(response.content)
    name = f"article-{sha[:12]}.html"
    with write(case.db):
        _register_payload(case.db, sha, "raw", name, size, result.run_id, format=fmt.name)
        # a page of the run like the feed's own (verify() knows raw files by this entry)
        audit.append(case.db, "collect.page", {"run": result.run_id, "url": response.url,
                                               "sha256": sha, "size": size, "raw": sha,
                                               "article_of": entry_uid})
    payload = Payload(sha, case.raw_store.path(sha), name)
    Importer(case, fmt, {"column_map": {}, "url": response.url, "entry": entry_uid},
             progress=False).run(Path(name), payload, result, source=f"web:{response.url}",
                                 collector="live:article")
    return result
