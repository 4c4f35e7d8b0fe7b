"""Mastodon: REST API statuses (``mastodon``) and an account archive's outbox (``activitypub``).

``mastodon`` reads Status entities as the REST API returns them: a JSON array (timelines, account
statuses), a ``/api/v2/search`` result (its ``statuses``; accounts and hashtags are not posts), a
``/api/v1/statuses/:id/context`` (``ancestors`` and ``descendants``), a single status, or JSON
Lines with one status per line. ``activitypub`` reads the ``outbox.json`` of an account archive
(the folder, with ``actor.json`` and ``media_attachments/`` beside it, or the archive's zip).

Ids. A status's ``id`` is local to the instance that served it: the same post has another id on
every instance that knows it, and a remote post's id says nothing about its home. An item is
named by what every instance agrees on, its ActivityPub ``uri``: ``host/id`` for the
``https://host/users/name/statuses/id`` form of Mastodon and servers like it (so
``mastodon.social/1093...``), else ``host/path``. A post keeps one uid whether it came from a
timeline, a search, another instance or its author's archive. Accounts are named the same way by
their webfinger handle ``user@instance`` (Author.id, author_handle and mentions alike).

Replies. ``in_reply_to_id`` is local to the serving instance. It is resolved through the statuses
of the same file, or, when the parent's author is local to the serving instance, to
``serving-host/id``; otherwise ``reply_to`` stays empty with the caveat ``reply-unresolved``.

Boosts. A boost is one ``repost`` item, pointing at the original with ``repost_of`` and carrying
the original's text, tags, mentions, links and media, as the Twitter mappers do with a retweet;
its authors are the booster and the original poster. The original is not a second item: its JSON
sits inside the boost's, and records whose spans overlap cannot be purged one without the other.

Text. Content HTML becomes plain text (:func:`html_to_text`): paragraphs are separated by a blank
line, ``<br>`` is a newline, entities are unescaped, scripts and styles are dropped, nothing is
ever run. The content warning (``spoiler_text``, ActivityPub ``summary``) is the item's title.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import Walk, value_at, walk_array, walk_document, walk_object
from workbench.collect.readers import decode, jsonl_records, safe_members
from workbench.errors import ImportFormatError, RecordError
from workbench.models import Author, Item, Mapped, Media, make_uid
from workbench.timeutil import parse_time

PLATFORM = "mastodon"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
MEDIA_KINDS = {"image": "photo", "gifv": "gif", "video": "video", "audio": "audio"}
# Keys under which a status document holds arrays of statuses: search results and thread context.
STATUS_ARRAYS = ("statuses", "ancestors", "descendants")
HEAD_BYTES = 64 * 1024  # enough of a file to tell JSON Lines from one document

_STATUS_KEYS = [re.compile(rf'"{key}"\s*:') for key in ("account", "visibility", "uri", "content")]
_SEARCH_KEYS = [re.compile(rf'"{key}"\s*:\s*\[') for key in ("accounts", "statuses", "hashtags")]
_OUTBOX = re.compile(r'"type"\s*:\s*"OrderedCollection(?:Page)?"')
_ORDERED_ITEMS = re.compile(r'"orderedItems"\s*:\s*\[')
_ACTIVITY = re.compile(r'"type"\s*:\s*"(?:Create|Announce)"')
# https://host/users/alice/statuses/1093 (and /activity for a boost), GoToSocial and Mastodon's
# numeric form /ap/users/1/statuses/1093 too; a page URL is https://host/@alice/1093.
_STATUS_PATH = re.compile(r"^(?:/ap)?/users/[^/]+/statuses/([^/]+)(?:/activity)?/?$")
_PAGE_PATH = re.compile(r"^/@[^/]+/([^/]+)/?$")
_ACTOR_PATH = re.compile(r"^(?:/ap)?/users/([^/]+)/?$")


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


def _plain(value: object) -> str:
    """A plain-text field (a content warning) with its line breaks made ``\\n``."""
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


# -- ids, hosts and handles ---------------------------------------------------------------------

def _host(url: object) -> str | None:
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
    host = _host(uri)
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
    domain = domain.lower() or _host(url) or serving
    return f"{user}@{domain}" if domain else user


def _is_local(account: dict) -> bool:
    acct = account.get("acct")
    return isinstance(acct, str) and bool(acct) and "@" not in acct


def _ident(value: object) -> str | None:
    if value in (None, "") or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _int(value: object) -> int | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _optional_time(value: object) -> datetime | None:
    try:
        return parse_time(value)[0]
    except RecordError:
        return None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _file_key(url: object) -> str | None:
    """A media file's name, the same on every instance that copied it and in the archive."""
    if not isinstance(url, str) or not url:
        return None
    name = PurePosixPath(urlsplit(url).path).name
    return name or None


# -- the REST API -------------------------------------------------------------------------------

def index_statuses(statuses: Iterable[object], accounts: Iterable[object] = ()) -> dict:
    """The shared context of one file: each served status id's uid, and the serving host.

    ``in_reply_to_id`` is an id of the instance that served the file; this is how it becomes a
    uid when the parent is in the same file. The serving host is the home of the file's local
    accounts (those whose ``acct`` has no domain).
    """
    uids: dict[str, str] = {}
    serving = None
    pending = [s for s in statuses if isinstance(s, dict)]
    while pending:
        status = pending.pop()
        pending.extend(s for s in (status.get("reblog"), _quoted(status)) if isinstance(s, dict))
        sid = _ident(status.get("id"))
        try:
            uid = status_uid(status.get("uri") or status.get("url"))
        except RecordError:
            continue
        if sid:
            uids[sid] = uid
        account = status.get("account")
        if serving is None and isinstance(account, dict) and _is_local(account):
            serving = _host(account.get("url")) or _host(status.get("uri"))
    for account in accounts:
        if serving is None and isinstance(account, dict) and _is_local(account):
            serving = _host(account.get("url"))
    return {"uids": uids, "serving_host": serving}


def account_author(account: dict, serving: str | None) -> Author | None:
    """An Account entity as an Author named by its ``user@instance`` handle."""
    name = handle(account.get("acct") or account.get("username"), account.get("url"), serving)
    if name is None:
        return None
    bio, _ = html_to_text(account.get("note"))
    return Author(
        PLATFORM, name, handle=name, name=account.get("display_name") or None,
        created_at=_optional_time(account.get("created_at")),
        followers=_int(account.get("followers_count")),
        following=_int(account.get("following_count")),
        posts=_int(account.get("statuses_count")),
        bio=bio or None, url=account.get("url") or None,
    )


def _serving_host(status: dict, context: dict) -> str | None:
    if context.get("serving_host"):
        return context["serving_host"]
    account = status.get("account")
    if isinstance(account, dict) and _is_local(account):
        return _host(account.get("url")) or _host(status.get("uri"))
    return None


def _served_status_uid(sid: str, author_id: str | None, status: dict, context: dict
                       ) -> str | None:
    """The uid of the status the serving instance calls ``sid``, if it can be known."""
    known = context.get("uids", {}).get(sid)
    if known:
        return known
    # Its author's acct tells whether it is local; a local status's uri is serving-host/id.
    accounts = [status.get("account"), *(status.get("mentions") or [])]
    author = next((a for a in accounts if isinstance(a, dict) and author_id
                   and _ident(a.get("id")) == author_id), None)
    serving = _serving_host(status, context)
    if author is not None and _is_local(author) and serving:
        return make_uid(PLATFORM, f"{serving}/{sid}")
    return None


def map_status(status: object, context: dict | None = None) -> Mapped:
    """Map one REST API Status entity (a boost maps to a repost carrying the original)."""
    if not isinstance(status, dict):
        raise RecordError(f"expected a status object, found {type(status).__name__}")
    context = context or {}
    account = status.get("account")
    if not isinstance(account, dict):
        raise RecordError("status has no account")
    if _ident(status.get("id")) is None:
        raise RecordError("status has no id")
    uri = status.get("uri") or status.get("url")
    if not uri:
        raise RecordError("status has no uri or url, so its instance is unknown")
    key = status_key(uri)
    created, naive = parse_time(status.get("created_at"), field="created_at")
    serving = _serving_host(status, context)
    author = account_author(account, serving)
    authors = [author] if author else []
    reblog = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
    source = reblog or status  # a boost's own content is empty; the original carries it
    item = Item(PLATFORM, key, created, url=status.get("url") or status.get("uri"),
                author_id=author.id if author else None,
                author_handle=author.handle if author else None,
                author_name=author.name if author else None)
    if naive:
        item.caveats.append("naive-time")
    if reblog:
        item.kind = "repost"
        item.repost_of = status_uid(reblog.get("uri") or reblog.get("url"))
        original = reblog.get("account")
        if isinstance(original, dict):
            original_author = account_author(original, _serving_host(reblog, context))
            if original_author:
                authors.append(original_author)
                item.mentions.append(original_author.handle)
    _fill_content(item, source, context)
    media = _api_media(item.uid, source.get("media_attachments"))
    item.media = [m.key for m in media]
    if not reblog:
        _fill_thread(item, status, context)
        item.likes = _int(status.get("favourites_count"))
        item.reposts = _int(status.get("reblogs_count"))
        item.replies = _int(status.get("replies_count"))
    quoted = _quoted(source)
    if quoted is not None and isinstance(quoted.get("account"), dict):
        quoted_author = account_author(quoted["account"], serving)
        if quoted_author:
            authors.append(quoted_author)
    visibility = status.get("visibility")
    if visibility and visibility != "public":
        item.caveats.append(f"visibility:{visibility}")
    return Mapped(item, authors, media)


def _fill_content(item: Item, source: dict, context: dict) -> None:
    """Text, title, language, mentions, hashtags and links from a status's content."""
    if source.get("content"):
        item.text, links = html_to_text(source.get("content"))
    else:  # a deleted status returns its source text instead of content
        item.text, links = _plain(source.get("text")), []
    item.title = _plain(source.get("spoiler_text")) or None
    item.lang = source.get("language") or None
    serving = _serving_host(source, context)
    mentions = [handle(m.get("acct") or m.get("username"), m.get("url"), serving)
                for m in source.get("mentions") or [] if isinstance(m, dict)]
    item.mentions = _unique([*item.mentions, *mentions])
    item.hashtags = _unique(t.get("name") for t in source.get("tags") or []
                            if isinstance(t, dict) and isinstance(t.get("name"), str))
    card = source.get("card")
    card_url = card.get("url") if isinstance(card, dict) else None
    item.links = _unique([*links, card_url if isinstance(card_url, str) else None])
    if source.get("sensitive"):
        item.caveats.append("sensitive")


def _quoted(status: dict) -> dict | None:
    quote = status.get("quote")
    if isinstance(quote, dict) and isinstance(quote.get("quoted_status"), dict):
        return quote["quoted_status"]
    return None


def _fill_thread(item: Item, status: dict, context: dict) -> None:
    """reply_to and quote_of, the kind they make, and whether the parent could be named."""
    parent = _ident(status.get("in_reply_to_id"))
    if parent:
        item.kind = "reply"
        item.reply_to = _served_status_uid(
            parent, _ident(status.get("in_reply_to_account_id")), status, context)
        if item.reply_to is None:
            item.caveats.append("reply-unresolved")
    quote = status.get("quote")
    quoted = _quoted(status)
    if quoted is not None:
        item.quote_of = status_uid(quoted.get("uri") or quoted.get("url"))
    elif isinstance(quote, dict) and _ident(quote.get("quoted_status_id")):
        item.quote_of = context.get("uids", {}).get(_ident(quote.get("quoted_status_id")))
    if item.quote_of and item.kind == "post":
        item.kind = "quote"


def _api_media(item_uid: str, attachments: object) -> list[Media]:
    media: list[Media] = []
    for attachment in attachments if isinstance(attachments, list) else []:
        if not isinstance(attachment, dict):
            continue
        url = attachment.get("url") or attachment.get("remote_url")
        key = _file_key(attachment.get("remote_url") or url) or _ident(attachment.get("id"))
        if not key or any(m.key == key for m in media):
            continue
        meta = attachment.get("meta") if isinstance(attachment.get("meta"), dict) else {}
        original = meta.get("original") if isinstance(meta.get("original"), dict) else {}
        media.append(Media(item_uid, key, kind=MEDIA_KINDS.get(attachment.get("type"), "file"),
                           url=url, alt=attachment.get("description") or None,
                           width=_int(original.get("width")),
                           height=_int(original.get("height"))))
    return media


def _element(text: str, pos: int, locator: str, context: dict) -> Walk:
    value, end = value_at(text, pos, locator)
    if value is not None:  # null is what a purge leaves in place of a record
        yield Record(locator, f"C{pos}:{end}", data=value, context=context)
    return end


def _document_records(text: str, doc: object) -> Iterator[Record]:
    """Records of a JSON document: an array of statuses, a search result, a context, a status."""
    if isinstance(doc, list):
        context = index_statuses(doc)
    elif isinstance(doc, dict):
        arrays = [doc.get(key) for key in STATUS_ARRAYS if isinstance(doc.get(key), list)]
        context = index_statuses([s for array in arrays for s in array] or [doc],
                                 doc.get("accounts") if isinstance(doc.get("accounts"), list)
                                 else ())
    else:
        context = {}
    single = isinstance(doc, dict) and not any(key in doc for key in (*STATUS_ARRAYS, "accounts"))

    def in_document(key: str, at: int) -> Walk | None:
        if key not in STATUS_ARRAYS:
            return None
        return walk_array(text, at, lambda i, p: _element(text, p, f"$.{key}[{i}]", context))

    def top(pos: int) -> Walk:
        if text[pos : pos + 1] == "[":
            return (yield from walk_array(
                text, pos, lambda i, p: _element(text, p, f"$[{i}]", context)))
        if single:
            return (yield from _element(text, pos, "$", context))
        return (yield from walk_object(text, pos, in_document))

    yield from walk_document(text, top)


def _is_lines(head: str) -> bool:
    """Whether a file starting with ``head`` is JSON Lines rather than one JSON document."""
    lines = [line.strip() for line in head.lstrip("\ufeff").split("\n", 3)[:3] if line.strip()]
    if not lines or not lines[0].startswith("{"):
        return False
    if _is_object(lines[0]):
        return len(lines) > 1  # more after a whole object on the first line
    return len(lines) > 1 and _is_object(lines[1])  # a bad first line, then a status


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


@register
class MastodonApi(FileFormat):
    """Statuses as the Mastodon REST API returns them (arrays, search results, JSON Lines)."""

    name = "mastodon"
    title = "Mastodon API statuses (timeline, search, context, JSON Lines)"
    platform = PLATFORM

    def sniff(self, sample: Sample) -> bool:
        if sample.members is not None:
            return False
        head = sample.head.lstrip("\ufeff \t\r\n")
        if not head.startswith(("[", "{")):
            return False
        return all(p.search(head) for p in _STATUS_KEYS) or all(
            p.search(head) for p in _SEARCH_KEYS)

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        with payload.open() as stream:
            head = stream.read(HEAD_BYTES).decode("utf-8", "replace")
        if _is_lines(head):
            yield from self._line_records(payload)
            return
        text, _ = decode(payload.read_bytes(), name=payload.name)
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data" and text.lstrip().startswith("{"):  # a very long line 1
                yield from self._line_records(payload)
                return
            doc = None  # walked anyway: the records before the break stand
        yield from _document_records(text, doc)

    def _line_records(self, payload: Payload) -> Iterator[Record]:
        with payload.open() as stream:
            context = index_statuses(r.data for r in jsonl_records(stream) if not r.error)
        with payload.open() as stream:
            for record in jsonl_records(stream):
                record.context = {**context, **record.context}
                yield record

    def map(self, record: Record) -> Mapped:
        return map_status(record.data, record.context)


# -- the account archive's ActivityPub outbox ---------------------------------------------------

def _id_of(value: object) -> str | None:
    """The id of an ActivityPub reference: a URI string, or an object with an ``id``."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        return _id_of(value.get("id")) or _id_of(value.get("href"))
    if isinstance(value, list) and value:
        return _id_of(value[0])
    return None


def _url_of(value: object) -> str | None:
    """An ActivityPub ``url``: a string, a Link object, or a list of them (the text/html one)."""
    if isinstance(value, list):
        links = [v for v in value if isinstance(v, dict) and v.get("mediaType") == "text/html"]
        return _url_of(links[0] if links else value[0] if value else None)
    if isinstance(value, dict):
        return _url_of(value.get("href"))
    return value if isinstance(value, str) and value else None


def actor_author(actor_uri: str | None, actor: dict | None) -> Author | None:
    """The poster: from ``actor.json`` when it is that actor, else from the actor's URI."""
    if isinstance(actor, dict) and (actor_uri is None or _id_of(actor.get("id")) == actor_uri):
        host = _host(_id_of(actor.get("id")))
        user = actor.get("preferredUsername")
        if isinstance(user, str) and user and host:
            bio, _ = html_to_text(actor.get("summary"))
            name = f"{user}@{host}"
            return Author(PLATFORM, name, handle=name, name=actor.get("name") or None,
                          created_at=_optional_time(actor.get("published")), bio=bio or None,
                          url=_url_of(actor.get("url")) or _id_of(actor.get("id")))
    host = _host(actor_uri)
    if host is None:
        return None
    path = urlsplit(actor_uri).path
    match = _ACTOR_PATH.match(path)
    user = match.group(1) if match else PurePosixPath(path).name
    if not user:
        return None
    name = f"{user}@{host}"
    return Author(PLATFORM, name, handle=name, url=actor_uri)


def _visibility(obj: dict) -> str:
    """Mastodon's visibility from the addressing: who is in ``to`` and ``cc``."""
    to, cc = obj.get("to") or [], obj.get("cc") or []
    to = [to] if isinstance(to, str) else to
    cc = [cc] if isinstance(cc, str) else cc
    if PUBLIC in to or "as:Public" in to or "Public" in to:
        return "public"
    if PUBLIC in cc or "as:Public" in cc or "Public" in cc:
        return "unlisted"
    if any(isinstance(a, str) and a.endswith("/followers") for a in to):
        return "private"
    return "direct"


def _archive_member(url: object, folder: str) -> str | None:
    """The archive path of an attachment: the outbox names it ``/media_attachments/files/...``."""
    if not isinstance(url, str):
        return None
    path = urlsplit(url).path if "://" in url else url
    at = path.find("media_attachments/")
    if at < 0:
        return None
    member = folder + path[at:]
    return member if ".." not in PurePosixPath(member).parts else None


def _total(collection: object) -> int | None:
    return _int(collection.get("totalItems")) if isinstance(collection, dict) else None


def map_activity(activity: object, context: dict | None = None) -> Mapped:
    """Map one outbox activity: ``Create`` of a Note (a post or reply) or ``Announce`` (a boost)."""
    if not isinstance(activity, dict):
        raise RecordError(f"expected an activity object, found {type(activity).__name__}")
    context = context or {}
    kind = activity.get("type")
    author = actor_author(_id_of(activity.get("actor")), context.get("actor"))
    if kind == "Announce":
        return _map_announce(activity, author)
    if kind != "Create":
        raise RecordError(f"activity type {kind!r} is not a post (Create) or a boost (Announce)")
    note = activity.get("object")
    if not isinstance(note, dict):
        raise RecordError("Create activity without its object")
    if _id_of(note.get("id")) is None:
        raise RecordError("the created object has no id")
    poster = _id_of(note.get("attributedTo"))
    if poster and poster != _id_of(activity.get("actor")):
        author = actor_author(poster, context.get("actor")) or author
    created, naive = parse_time(note.get("published") or activity.get("published"),
                                field="published")
    item = Item(PLATFORM, status_key(_id_of(note.get("id"))), created,
                url=_url_of(note.get("url")) or _id_of(note.get("id")),
                author_id=author.id if author else None,
                author_handle=author.handle if author else None,
                author_name=author.name if author else None)
    if naive:
        item.caveats.append("naive-time")
    content_map = note.get("contentMap") if isinstance(note.get("contentMap"), dict) else {}
    content = note.get("content") or next(iter(content_map.values()), "")
    item.text, links = html_to_text(content if isinstance(content, str) else "")
    summary = note.get("summary")
    item.title = (html_to_text(summary)[0] if isinstance(summary, str) and "<" in summary
                  else _plain(summary)) or None
    item.lang = next(iter(content_map), None)
    parent = _id_of(note.get("inReplyTo"))
    if parent:
        item.kind, item.reply_to = "reply", status_uid(parent)
    quote = _id_of(note.get("quote") or note.get("quoteUri") or note.get("_misskey_quote"))
    if quote:
        item.quote_of = status_uid(quote)
        item.kind = "quote" if item.kind == "post" else item.kind
    conversation = note.get("conversation")
    item.conversation_id = conversation if isinstance(conversation, str) else None
    host = _host(_id_of(note.get("id")))
    tags = [t for t in note.get("tag") or [] if isinstance(t, dict)]
    item.mentions = _unique(handle(t.get("name"), t.get("href"), host)
                            for t in tags if t.get("type") == "Mention")
    item.hashtags = _unique(str(t.get("name")).lstrip("#") for t in tags
                            if t.get("type") == "Hashtag" and t.get("name"))
    item.links = _unique(links)
    media = _archive_media(item.uid, note.get("attachment"), context.get("folder", ""))
    item.media = [m.key for m in media]
    item.likes, item.reposts = _total(note.get("likes")), _total(note.get("shares"))
    item.replies = _total(note.get("replies"))
    if note.get("sensitive"):
        item.caveats.append("sensitive")
    visibility = _visibility(note)
    if visibility != "public":
        item.caveats.append(f"visibility:{visibility}")
    return Mapped(item, [author] if author else [], media)


def _map_announce(activity: dict, author: Author | None) -> Mapped:
    target = _id_of(activity.get("object"))
    if not target:
        raise RecordError("Announce without the post it boosts")
    activity_id = _id_of(activity.get("id"))
    if not activity_id:
        raise RecordError("Announce has no id")
    created, naive = parse_time(activity.get("published"), field="published")
    item = Item(PLATFORM, status_key(activity_id), created, kind="repost", url=activity_id,
                repost_of=status_uid(target),
                author_id=author.id if author else None,
                author_handle=author.handle if author else None,
                author_name=author.name if author else None)
    if naive:
        item.caveats.append("naive-time")
    visibility = _visibility(activity)
    if visibility != "public":
        item.caveats.append(f"visibility:{visibility}")
    return Mapped(item, [author] if author else [], [])


def _archive_media(item_uid: str, attachments: object, folder: str) -> list[Media]:
    media: list[Media] = []
    for attachment in attachments if isinstance(attachments, list) else []:
        if not isinstance(attachment, dict):
            continue
        url = _url_of(attachment.get("url"))
        key = _file_key(url)
        if not key or any(m.key == key for m in media):
            continue
        mime = attachment.get("mediaType") if isinstance(attachment.get("mediaType"), str) else None
        family = (mime or "").split("/", 1)[0]
        kind = {"image": "photo", "video": "video", "audio": "audio"}.get(family, "file")
        member = _archive_member(url, folder)
        media.append(Media(item_uid, key, kind=kind, url=url if url and "://" in url else None,
                           member=member, mime=mime, alt=attachment.get("name") or None,
                           width=_int(attachment.get("width")),
                           height=_int(attachment.get("height"))))
    return media


def _find_member(names: list[str], file: str) -> str | None:
    """The shallowest archive member called ``file``."""
    found = [n for n in names if PurePosixPath(n).name == file]
    return min(found, key=lambda n: (n.count("/"), n)) if found else None


def _load_actor(data: bytes | None) -> dict | None:
    if not data:
        return None
    try:
        actor = json.loads(decode(data)[0])
    except json.JSONDecodeError:
        return None
    return actor if isinstance(actor, dict) else None


@register
class ActivityPubOutbox(FileFormat):
    """The ``outbox.json`` of a Mastodon account archive (or the archive's zip)."""

    name = "activitypub"
    title = "Mastodon account archive (ActivityPub outbox.json)"
    platform = PLATFORM

    def sniff(self, sample: Sample) -> bool:
        if sample.members is not None:
            outbox = _find_member(sample.members, "outbox.json")
            folder = outbox[: -len("outbox.json")] if outbox else None
            return outbox is not None and f"{folder}actor.json" in sample.members
        head = sample.head.lstrip("\ufeff \t\r\n")
        if not head.startswith("{") or not (_OUTBOX.search(head) and _ORDERED_ITEMS.search(head)):
            return False
        return bool(_ACTIVITY.search(head)) or sample.name.lower().startswith("outbox")

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        member, folder, actor = None, "", None
        if zipfile.is_zipfile(payload.path):
            with zipfile.ZipFile(payload.path) as archive:
                names = [info.filename for info in safe_members(archive, name=payload.name)]
                member = _find_member(names, "outbox.json")
                if member is None:
                    raise ImportFormatError(f"{payload.name}: no outbox.json in the archive",
                                            path=payload.name)
                folder = member[: -len("outbox.json")]
                data = archive.read(member)
                if f"{folder}actor.json" in names:
                    actor = _load_actor(archive.read(f"{folder}actor.json"))
        else:
            data = payload.read_bytes()
            beside = payload.source_dir / "actor.json" if payload.source_dir else None
            if beside is not None and beside.is_file():
                actor = _load_actor(beside.read_bytes())
        text, _ = decode(data, name=member or payload.name)
        context = {"actor": actor, "folder": folder}
        prefix, where = (f"{member}|", f"{member} ") if member else ("", "")

        def item(index: int, pos: int) -> Walk:
            locator = f"{where}$.orderedItems[{index}]"
            value, end = value_at(text, pos, locator)
            if value is not None:
                yield Record(locator, f"{prefix}C{pos}:{end}", data=value, context=context)
            return end

        def in_outbox(key: str, at: int) -> Walk | None:
            return walk_array(text, at, item) if key == "orderedItems" else None

        yield from walk_document(text, lambda pos: walk_object(text, pos, in_outbox),
                                 member=member)

    def map(self, record: Record) -> Mapped:
        return map_activity(record.data, record.context)
