"""Mastodon account archive: the ActivityPub outbox (``activitypub``).

Reads the ``outbox.json`` of an account archive: the file itself, with ``actor.json`` and
``media_attachments/`` beside it in its folder, or the archive's zip. One record per activity of
``orderedItems``.

Ids. An item is named by its Note's ActivityPub ``id`` (the status ``uri``), the same uid the
``mastodon`` format gives the post when it comes from the REST API, and an account by its
``user@instance`` handle (see :mod:`workbench.collect.mastodon_common`). The poster is described by
``actor.json`` when it is that actor, else only by the handle its URI gives.

Replies and quotes. ``inReplyTo`` and the quote's URI name the other post across instances, so
``reply_to`` and ``quote_of`` are always resolved.

Boosts. An ``Announce`` is one ``repost`` item pointing at the original with ``repost_of``; the
outbox names the original only by its URI, so the boost carries no text, tags or media of its own.

Media. An attachment's URL is its path in the archive (``/media_attachments/files/...``), which
becomes the ``member`` the importer stores the file from.

Text. Content HTML (``content``, else the first text of ``contentMap``) becomes plain text
(:func:`~workbench.collect.mastodon_common.html_to_text`); the first language of ``contentMap`` is
the item's. The content warning (``summary``) is the item's title. Visibility comes from the
addressing (``to`` and ``cc``).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import urlsplit

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
from workbench.collect.readers import decode, read_member, safe_members
from workbench.collect.values import as_int, optional_time, unique
from workbench.errors import ImportFormatError, RecordError
from workbench.models import Author, Item, Mapped, Media
from workbench.timeutil import parse_time

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

_OUTBOX = re.compile(r'"type"\s*:\s*"OrderedCollection(?:Page)?"')
_ORDERED_ITEMS = re.compile(r'"orderedItems"\s*:\s*\[')
_ACTIVITY = re.compile(r'"type"\s*:\s*"(?:Create|Announce)"')
_ACTOR_PATH = re.compile(r"^(?:/ap)?/users/([^/]+)/?$")


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
        host = host_of(_id_of(actor.get("id")))
        user = actor.get("preferredUsername")
        if isinstance(user, str) and user and host:
            bio, _ = html_to_text(actor.get("summary"))
            name = f"{user}@{host}"
            return Author(PLATFORM, name, handle=name, name=actor.get("name") or None,
                          created_at=optional_time(actor.get("published")), bio=bio or None,
                          url=_url_of(actor.get("url")) or _id_of(actor.get("id")))
    host = host_of(actor_uri)
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
    return as_int(collection.get("totalItems")) if isinstance(collection, dict) else None


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
                  else plain_text(summary)) or None
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
    host = host_of(_id_of(note.get("id")))
    tags = [t for t in note.get("tag") or [] if isinstance(t, dict)]
    item.mentions = unique(handle(t.get("name"), t.get("href"), host)
                            for t in tags if t.get("type") == "Mention")
    item.hashtags = unique(str(t.get("name")).lstrip("#") for t in tags
                            if t.get("type") == "Hashtag" and t.get("name"))
    item.links = unique(links)
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
        key = file_key(url)
        if not key or any(m.key == key for m in media):
            continue
        mime = attachment.get("mediaType") if isinstance(attachment.get("mediaType"), str) else None
        family = (mime or "").split("/", 1)[0]
        kind = {"image": "photo", "video": "video", "audio": "audio"}.get(family, "file")
        member = _archive_member(url, folder)
        media.append(Media(item_uid, key, kind=kind, url=url if url and "://" in url else None,
                           member=member, mime=mime, alt=attachment.get("name") or None,
                           width=as_int(attachment.get("width")),
                           height=as_int(attachment.get("height"))))
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
                data = read_member(archive, member, name=payload.name, limits=payload.limits)
                if f"{folder}actor.json" in names:
                    actor = _load_actor(read_member(archive, f"{folder}actor.json",
                                                    name=payload.name, limits=payload.limits))
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
