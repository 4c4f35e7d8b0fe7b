"""Mastodon REST API statuses (``mastodon``).

Reads Status entities as the REST API returns them: a JSON array (timelines, account statuses), a
``/api/v2/search`` result (its ``statuses``; accounts and hashtags are not posts), a
``/api/v1/statuses/:id/context`` (``ancestors`` and ``descendants``), a single status, or JSON
Lines with one status per line.

Ids. An item is named by its status's ActivityPub ``uri``, not by the ``id`` the serving instance
gave it, and an account by its ``user@instance`` handle (see :mod:`workbench.collect.mastodon_common`).

Replies. ``in_reply_to_id`` is local to the serving instance. It is resolved through the statuses
of the same file, or, when the parent's author is local to the serving instance, to
``serving-host/id``; otherwise ``reply_to`` stays empty with the caveat ``reply-unresolved``.

Boosts. A boost is one ``repost`` item, pointing at the original with ``repost_of`` and carrying
the original's text, tags, mentions, links and media, as the Twitter mappers do with a retweet;
its authors are the booster and the original poster. The original is not a second item: its JSON
sits inside the boost's, and records whose spans overlap cannot be purged one without the other.

Text. Content HTML becomes plain text (:func:`~workbench.collect.mastodon_common.html_to_text`);
a deleted status's plain ``text`` stands in for it. The content warning (``spoiler_text``) is the
item's title.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import Walk, value_at, walk_array, walk_document, walk_object
from workbench.collect.mastodon_common import (
    PLATFORM,
    file_key,
    handle,
    host_of,
    html_to_text,
    plain_text,
    status_key,
    status_uid,
)
from workbench.collect.readers import decode, jsonl_records
from workbench.collect.values import as_int, optional_time, unique
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped, Media, make_uid
from workbench.timeutil import parse_time

MEDIA_KINDS = {"image": "photo", "gifv": "gif", "video": "video", "audio": "audio"}
# Keys under which a status document holds arrays of statuses: search results and thread context.
STATUS_ARRAYS = ("statuses", "ancestors", "descendants")
HEAD_BYTES = 64 * 1024  # enough of a file to tell JSON Lines from one document

_STATUS_KEYS = [re.compile(rf'"{key}"\s*:') for key in ("account", "visibility", "uri", "content")]
_SEARCH_KEYS = [re.compile(rf'"{key}"\s*:\s*\[') for key in ("accounts", "statuses", "hashtags")]


def _is_local(account: dict) -> bool:
    acct = account.get("acct")
    return isinstance(acct, str) and bool(acct) and "@" not in acct


def _ident(value: object) -> str | None:
    if value in (None, "") or isinstance(value, bool | dict | list):
        return None
    return str(value)


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
            serving = host_of(account.get("url")) or host_of(status.get("uri"))
    for account in accounts:
        if serving is None and isinstance(account, dict) and _is_local(account):
            serving = host_of(account.get("url"))
    return {"uids": uids, "serving_host": serving}


def account_author(account: dict, serving: str | None) -> Author | None:
    """An Account entity as an Author named by its ``user@instance`` handle."""
    name = handle(account.get("acct") or account.get("username"), account.get("url"), serving)
    if name is None:
        return None
    bio, _ = html_to_text(account.get("note"))
    return Author(
        PLATFORM, name, handle=name, name=account.get("display_name") or None,
        created_at=optional_time(account.get("created_at")),
        followers=as_int(account.get("followers_count")),
        following=as_int(account.get("following_count")),
        posts=as_int(account.get("statuses_count")),
        bio=bio or None, url=account.get("url") or None,
    )


def _serving_host(status: dict, context: dict) -> str | None:
    if context.get("serving_host"):
        return context["serving_host"]
    account = status.get("account")
    if isinstance(account, dict) and _is_local(account):
        return host_of(account.get("url")) or host_of(status.get("uri"))
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
        item.likes = as_int(status.get("favourites_count"))
        item.reposts = as_int(status.get("reblogs_count"))
        item.replies = as_int(status.get("replies_count"))
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
        item.text, links = plain_text(source.get("text")), []
    item.title = plain_text(source.get("spoiler_text")) or None
    item.lang = source.get("language") or None
    serving = _serving_host(source, context)
    mentions = [handle(m.get("acct") or m.get("username"), m.get("url"), serving)
                for m in source.get("mentions") or [] if isinstance(m, dict)]
    item.mentions = unique([*item.mentions, *mentions])
    item.hashtags = unique(t.get("name") for t in source.get("tags") or []
                            if isinstance(t, dict) and isinstance(t.get("name"), str))
    card = source.get("card")
    card_url = card.get("url") if isinstance(card, dict) else None
    item.links = unique([*links, card_url if isinstance(card_url, str) else None])
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
        key = file_key(attachment.get("remote_url") or url) or _ident(attachment.get("id"))
        if not key or any(m.key == key for m in media):
            continue
        meta = attachment.get("meta") if isinstance(attachment.get("meta"), dict) else {}
        original = meta.get("original") if isinstance(meta.get("original"), dict) else {}
        media.append(Media(item_uid, key, kind=MEDIA_KINDS.get(attachment.get("type"), "file"),
                           url=url, alt=attachment.get("description") or None,
                           width=as_int(original.get("width")),
                           height=as_int(original.get("height"))))
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
        limit = payload.limits.field_size
        with payload.open() as stream:
            context = index_statuses(r.data for r in jsonl_records(stream, max_line=limit)
                                     if not r.error)
        with payload.open() as stream:
            for record in jsonl_records(stream, max_line=limit):
                record.context = {**context, **record.context} if record.context else context
                yield record

    def map(self, record: Record) -> Mapped:
        return map_status(record.data, record.context)
