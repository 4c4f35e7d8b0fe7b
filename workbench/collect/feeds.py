"""RSS and Atom feeds (``feed``): each entry of a saved or collected feed document is an item.

feedparser reads the stored bytes (RSS 0.9x/1.0/2.0, Atom 0.3/1.0), so a feed saved from a browser
and one fetched by the live collector map the same way. An entry's id is its ``id``/``guid``, else
its link: an entry with neither cannot be told apart from others and is quarantined, as is one
with no date (``published``, else ``updated``). The item's platform is ``web``, its kind
``article``, its title the entry's title and its text the summary (or content) with the HTML
removed. The author, when named, is an account of the feed's site (``host/name``). Each entry's
span is its ``<item>``/``<entry>`` element in the document, so purging cuts it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.readers import decode
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped

PLATFORM = "web"
_ROOT = re.compile(r"<(?:rss|rdf:RDF)\b|<feed\b[^>]*http://(?:www\.w3\.org/2005/Atom|purl\.org/atom)")
_ELEMENT = re.compile(r"<(item|entry)\b[^>]*?(?:/>|>.*?</\1\s*>)", re.S)


class _Text(HTMLParser):
    """The text of an HTML fragment: tags dropped, entities resolved, blocks on their own lines."""

    BLOCKS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed summaries are HTML; the text is what people read)."""
    parser = _Text()
    parser.feed(fragment or "")
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _when(entry: dict) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC)
    raise RecordError("entry has no date (no published or updated time, or one that cannot be read)")


def _plain(value: str, detail: dict | None) -> str:
    """Text of a feed text construct: HTML ones lose their markup, plain ones are kept as they are."""
    kind = (detail or {}).get("type") or "text/html"
    return html_text(value) if "html" in kind else " ".join(value.split())


def _body(entry: dict) -> str:
    for content in entry.get("content") or []:
        if isinstance(content, dict) and content.get("value"):
            return _plain(content["value"], content)
    return _plain(entry.get("summary") or "", entry.get("summary_detail"))


@register
class FeedFormat(FileFormat):
    name = "feed"
    title = "RSS or Atom feed"
    platform = PLATFORM
    blank = ""

    def sniff(self, sample: Sample) -> bool:
        return sample.suffix in ("xml", "rss", "atom", "") and bool(_ROOT.search(sample.head[:4000]))

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        import feedparser

        data = payload.read_bytes()
        if not data.strip():
            return  # a 304 Not Modified answer: nothing new
        text, _ = decode(data, name=payload.name)
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=True)
        feed = parsed.get("feed") or {}
        if not parsed.entries and parsed.bozo:
            yield Record(payload.name, f"C0:{len(text)}", error=f"not a readable feed: "
                         f"{parsed.get('bozo_exception')}", excerpt=text[:200])
            return
        context = {"feed_title": feed.get("title"), "feed_link": feed.get("link"),
                   "feed_id": feed.get("id")}
        spans = [m.span() for m in _ELEMENT.finditer(text)]
        whole = len(spans) != len(parsed.entries)  # cannot pair elements with entries: no cut
        for n, entry in enumerate(parsed.entries):
            start, end = (0, len(text)) if whole else spans[n]
            yield Record(f"{payload.name} entry {n + 1}", f"C{start}:{end}", data=dict(entry),
                         excerpt=text[start:min(end, start + 200)], context=context)

    def map(self, record: Record) -> Mapped:
        return map_entry(record.data, record.context)


def map_entry(entry: dict, feed: dict) -> Mapped:
    """Map one feedparser entry of the feed described by ``feed`` (a record's context)."""
    link = entry.get("link") or None
    ident = entry.get("id") or link
    if not ident:
        raise RecordError("entry has neither an id (guid) nor a link")
    when = _when(entry)
    links = [link] if link else []
    for extra in entry.get("links") or []:
        href = extra.get("href") if isinstance(extra, dict) else None
        if href and href not in links:
            links.append(href)
    site = urlsplit(link or feed.get("feed_link") or "").hostname or ""
    name = entry.get("author") or None
    author_id = f"{site}/{name}" if name and site else name
    title = _plain(entry.get("title") or "", entry.get("title_detail")) or None
    item = Item(PLATFORM, str(ident), when, text=_body(entry), kind="article", url=link,
                title=title, author_id=author_id,
                author_name=name, lang=(entry.get("language") or None), links=links,
                hashtags=[t["term"] for t in entry.get("tags") or [] if t.get("term")])
    authors = [Author(PLATFORM, author_id, name=name, url=(entry.get("author_detail") or {}).get("href"))
               ] if author_id else []
    return Mapped(item, authors)


@register
class ArticleFormat(FileFormat):
    """A web page whose main text trafilatura extracts (boilerplate, menus and ads left out).

    Never sniffed (any HTML page would match): the live feed collector names it, with the page's
    ``url`` and the feed ``entry`` it came from in the options.
    """

    name = "article"
    title = "Web article (HTML page)"
    platform = PLATFORM
    blank = ""

    def sniff(self, sample: Sample) -> bool:
        return False

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        text, _ = decode(payload.read_bytes(), name=payload.name)
        yield Record(payload.name, f"C0:{len(text)}", data=text, excerpt=text[:200],
                     context={"url": options.get("url"), "entry": options.get("entry")})

    def map(self, record: Record) -> Mapped:
        return map_article(record.data, record.context)


def map_article(html: str, where: dict) -> Mapped:
    """The main text and metadata of one HTML page; a page with no text found is quarantined."""
    import json

    import trafilatura

    url = where.get("url")
    found = trafilatura.extract(html, url=url, output_format="json", with_metadata=True,
                                include_comments=False, favor_precision=True)
    if not found:
        raise RecordError("no article text found in the page")
    meta = json.loads(found)
    caveats = []
    try:
        when = datetime.fromisoformat(meta["date"]).replace(tzinfo=UTC) if meta.get("date") else None
    except ValueError:
        when = None
    if when is None:
        when, caveats = datetime.now(UTC).replace(microsecond=0), ["no-date"]
    page = meta.get("url") or url
    if not page:
        raise RecordError("the page has no URL")
    name = meta.get("author") or None
    site = urlsplit(page).hostname or ""
    author_id = f"{site}/{name}" if name and site else None
    item = Item(PLATFORM, f"page:{page}", when, text=meta.get("text") or "", kind="article", url=page,
                title=meta.get("title") or None, author_id=author_id, author_name=name,
                lang=meta.get("language") or None, links=[page], quote_of=where.get("entry"),
                hashtags=[t for t in (meta.get("tags") or "").split(",") if t.strip()],
                caveats=caveats)
    authors = [Author(PLATFORM, author_id, name=name)] if author_id else []
    return Mapped(item, authors)
