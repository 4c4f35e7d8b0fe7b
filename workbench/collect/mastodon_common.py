"""What the two Mastodon formats share: status HTML as plain text, and ids, hosts and handles.

Ids. A status's ``id`` is local to the instance that served it: the same post has another id on
every instance that knows it, and a remote post's id says nothing about its home. An item is
named by what every instance agrees on, its ActivityPub ``uri``: ``host/id`` for the
``https://host/users/name/statuses/id`` form of Mastodon and servers like it (so
``mastodon.social/1093...``), else ``host/path``. A post keeps one uid whether it came from a
timeline, a search, another instance or its author's archive. Accounts are named the same way by
their webfinger handle ``user@instance`` (Author.id, author_handle and mentions alike).

Text. Content HTML becomes plain text (:func:`html_to_text`): paragraphs are separated by a blank
line, ``<br>`` is a newline, entities are unescaped, scripts and styles are dropped, nothing is
ever run.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from workbench.errors import RecordError
from workbench.models import make_uid

PLATFORM = "mastodon"
# https://host/users/alice/statuses/1093 (and /activity for a boost), GoToSocial and Mastodon's
# numeric form /ap/users/1/statuses/1093 too; a page URL is https://host/@alice/1093.
_STATUS_PATH = re.compile(r"^(?:/ap)?/users/[^/]+/statuses/([^/]+)(?:/activity)?/?$")
_PAGE_PATH = re.compile(r"^/@[^/]+/([^/]+)/?$")


# -- plain text from status HTML ----------------------------------------------------------------

# Blocks end a line (1) or a paragraph (2).
_BLOCKS = {"p": 2, "blockquote": 2, "pre": 2, "ul": 2, "ol": 2, "table": 2, "hr": 2,
           "h1": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2,
           "li": 1, "div": 1, "tr": 1, "dt": 1, "dd": 1}
# Their content is not text a person reads in the post (and a script is never to be run).
_HIDDEN = {"script", "style", "template", "noscript", "head", "title", "iframe", "object",
           "svg", "math", "textarea", "select"}
_SPACE = re.compile(r"[ \t\n\r\f]+")


class _PlainText(HTMLParser):
    """Collects the text a reader sees, and the links that are not mentions or hashtags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str] = []
        self.hidden = 0
        self.pre = 0
        self.pending = 0  # newlines owed by a block boundary, written before the next text

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
            return
        if self.hidden:
            return
        if tag == "br":
            self._emit("\n", raw=True)
        elif tag in _BLOCKS:
            self.pending = max(self.pending, _BLOCKS[tag])
        if tag == "pre":
            self.pre += 1
        elif tag == "a":
            self._link(dict(attrs))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in _HIDDEN:  # <script/> hides nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        if tag in _BLOCKS:
            self.pending = max(self.pending, _BLOCKS[tag])
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:
            self._emit(data.replace("\r\n", "\n").replace("\r", "\n"), raw=True)
        else:
            self._emit(_SPACE.sub(" ", data), raw=False)

    def _emit(self, text: str, *, raw: bool) -> None:
        if not raw:
            if self.pending or not self.out or self.out[-1].endswith("\n"):
                text = text.lstrip(" ")
            if not text:
                return
        if self.pending and self.out:
            self._trim()
            tail = "".join(self.out[-3:])
            owed = self.pending - (len(tail) - len(tail.rstrip("\n")))
            if owed > 0:
                self.out.append("\n" * owed)
        elif text.startswith("\n") and self.out:
            self._trim()
        self.pending = 0
        self.out.append(text)

    def _trim(self) -> None:
        while self.out and not self.out[-1].strip(" "):
            if "\n" in self.out[-1]:
                return
            self.out.pop()
        if self.out:
            self.out[-1] = self.out[-1].rstrip(" ")

    def _link(self, attrs: dict) -> None:
        href = (attrs.get("href") or "").strip()
        if not href.lower().startswith(("http://", "https://")):
            return
        classes = set((attrs.get("class") or "").split())
        rel = set((attrs.get("rel") or "").split())
        # Mastodon marks mentions "u-url mention" and hashtags "mention hashtag" (rel="tag").
        if classes & {"mention", "hashtag"} or "tag" in rel:
            return
        if href not in self.links:
            self.links.append(href)

    def text(self) -> str:
        return "".join(self.out).strip(" \n")


def html_to_text(html: str | None) -> tuple[str, list[str]]:
    """Plain text and links of a status's HTML ``content``; the HTML is only read, never run.

    Paragraphs are separated by a blank line, ``<br>`` is a newline, entities are unescaped and
    runs of whitespace collapse as a browser would show them (except inside ``<pre>``). Script,
    style and similar elements are dropped with their content. Links are the ``href`` of anchors
    that are not mentions or hashtags, in order, once each.
    """
    if not html:
        return "", []
    parser = _PlainText()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken declarations
        return _SPACE.sub(" ", re.sub(r"<[^>]*>", " ", html)).strip(), parser.links
    return parser.text(), parser.links


def plain_text(value: object) -> str:
    """A plain-text field (a content warning) with its line breaks made ``\\n``."""
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


# -- ids, hosts and handles ---------------------------------------------------------------------

def host_of(url: object) -> str | None:
    """The lower-case host (with its port, if any) of a URL; None for anything else."""
    if not isinstance(url, str) or "://" not in url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        return f"{host}:{parts.port}" if host and parts.port else host or None
    except ValueError:
        return None


def status_key(uri: object) -> str:
    """A status's id across instances: ``host/id`` for Mastodon-style URIs, else ``host/path``.

    >>> status_key("https://mastodon.social/users/Gargron/statuses/103270115826048975")
    'mastodon.social/103270115826048975'
    """
    host = host_of(uri)
    if host is None:
        raise RecordError(f"not a status URI: {uri!r}")
    parts = urlsplit(uri.strip())
    for pattern in (_STATUS_PATH, _PAGE_PATH):
        match = pattern.match(parts.path)
        if match:
            return f"{host}/{match.group(1)}"
    path = parts.path.rstrip("/")
    if not path:
        raise RecordError(f"not a status URI (no path): {uri!r}")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def status_uid(uri: object) -> str:
    """The workbench uid of the status with this URI."""
    return make_uid(PLATFORM, status_key(uri))


def handle(acct: object, url: object = None, serving: str | None = None) -> str | None:
    """``user@instance`` from an ``acct`` (bare for local accounts) and the account's URL."""
    if not isinstance(acct, str) or not acct.strip("@ "):
        return None
    user, _, domain = acct.strip().lstrip("@").partition("@")
    domain = domain.lower() or host_of(url) or serving
    return f"{user}@{domain}" if domain else user








def file_key(url: object) -> str | None:
    """A media file's name, the same on every instance that copied it and in the archive."""
    if not isinstance(url, str) or not url:
        return None
    name = PurePosixPath(urlsplit(url).path).name
    return name or None
