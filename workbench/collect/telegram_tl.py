"""Telegram API pages as received over MTProto (``telegram_tl``): the TL bytes of a
``messages.Messages`` answer (``messages.getHistory``), read with Telethon's own TL reader.

The live Telegram collector keeps, for each page, the exact bytes of the ``rpc_result`` body the
data centre sent (after MTProto decryption and any ``gzip_packed``); this format maps them to
items. Nothing is re-encoded: a message's span (``T<start>:<end>``, byte offsets) is where its
``message`` object lies in the page.

What an analyst gets, and how it meets a Telegram Desktop export (:mod:`workbench.collect.telegram`):

- Item ids are ``<chat id>/<message id>``, the export's scheme (the chat id bare, without the
  ``-100`` the Bot API adds), so a message collected live and exported later is one item.
- Authors are ``channel<id>`` for posts signed by the channel, ``user<id>`` / ``channel<id>`` /
  ``chat<id>`` for a message's ``from_id``: again the export's ids. A user's phone number is never
  copied out.
- ``url`` is ``https://t.me/<username>/<id>`` for a public chat, ``https://t.me/c/<id>/<msg>``
  otherwise.
- Forwards carry the caveats ``forwarded`` and ``forwarded-from:<name or peer>``; a forward of a
  channel post also points at it with ``repost_of``.
- ``views``, ``reposts`` (Telegram's ``forwards``), ``replies`` and ``likes`` (the sum of the
  reactions) are the counts at collection time.
- Media are described (photo, video, audio, file, sticker, animation; id, mime type, size in
  pixels): the key is ``photo<id>`` / ``document<id>``. Mapping downloads nothing; the live
  collector can (:mod:`workbench.collect.live.telegram_media`), finding each file in its item's
  message through the item's ``raw_span``.
- Service messages (joins, pins, title changes) are kind ``message`` with the caveats ``service``
  and ``action:<action>``, as in the export.
- A deleted message (``messageEmpty`` in a page) gives no item: the raw page keeps its id.
- Bytes that are not a TL ``messages.Messages`` quarantine the whole page, as one record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.values import unique
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped, Media, make_uid

PLATFORM = "telegram"
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
DOCUMENT_KINDS = {"DocumentAttributeVideo": "video", "DocumentAttributeAudio": "audio",
                  "DocumentAttributeSticker": "sticker", "DocumentAttributeAnimated": "animation"}


def peer_ident(peer: Any) -> tuple[str, int] | None:
    """``("channel", 123)`` for a PeerChannel, and the same for PeerUser and PeerChat."""
    name = type(peer).__name__
    if name == "PeerChannel":
        return "channel", peer.channel_id
    if name == "PeerUser":
        return "user", peer.user_id
    if name == "PeerChat":
        return "chat", peer.chat_id
    return None


def read_page(data: bytes) -> Any:
    """The TL object a page holds (Telethon's reader); ValueError when the bytes are not one."""
    from telethon.extensions import BinaryReader

    try:
        with BinaryReader(data) as reader:
            obj = reader.tgread_object()
    except Exception as exc:  # Telethon raises TypeNotFoundError, BufferError, struct.error ...
        raise ValueError(f"not a TL object Telethon can read ({type(exc).__name__}: {exc})") from None
    if not hasattr(obj, "messages") or not isinstance(obj.messages, list):
        raise ValueError(f"a {type(obj).__name__}, not a list of messages (messages.Messages)")
    return obj


@register
class TelegramTL(FileFormat):
    """Telegram API answers (messages.Messages) as TL bytes, kept by the live collector."""

    name = "telegram_tl"
    title = "Telegram API pages as received (TL bytes of messages.getHistory, live collection)"
    platform = PLATFORM
    version = "1"
    blank = ""

    def sniff(self, sample: Sample) -> bool:
        return sample.suffix == "tl"

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        data = payload.read_bytes()
        try:
            page = read_page(data)
        except ValueError as exc:
            yield Record("$", f"T0:{len(data)}", error=f"{payload.name}: {exc}",
                         excerpt=data[:48].hex())
            return
        chats = {c.id: c for c in getattr(page, "chats", []) or []}
        users = {u.id: u for u in getattr(page, "users", []) or []}
        context = {"chats": chats, "users": users}
        pos = 0
        for n, msg in enumerate(page.messages):
            if type(msg).__name__ == "MessageEmpty":
                continue  # deleted: nothing to map; the page keeps its id
            raw = bytes(msg)
            start = data.find(raw, pos)
            span = f"T{start}:{start + len(raw)}" if start >= 0 else f"T0:{len(data)}"
            pos = start + len(raw) if start >= 0 else pos
            yield Record(f"$.messages[{n}]", span, data=msg, context=context,
                         excerpt=str(msg)[:500])

    def map(self, record: Record) -> Mapped:
        return map_message(record.data, record.context)


def _chat_author(chat: Any, chat_id: int) -> Author:
    username = getattr(chat, "username", None)
    return Author(PLATFORM, f"channel{chat_id}", handle=username,
                  name=getattr(chat, "title", None) or None,
                  followers=getattr(chat, "participants_count", None),
                  url=f"https://t.me/{username}" if username else None)


def _peer_author(peer: Any, context: dict) -> Author | None:
    ident = peer_ident(peer)
    if ident is None:
        return None
    kind, number = ident
    if kind == "user":
        user = context["users"].get(number)
        if user is None:
            return Author(PLATFORM, f"user{number}")
        name = " ".join(p for p in (user.first_name, user.last_name) if p) or None
        return Author(PLATFORM, f"user{number}", handle=user.username, name=name,
                      url=f"https://t.me/{user.username}" if user.username else None,
                      verified=bool(getattr(user, "verified", False)))
    chat = context["chats"].get(number)
    if kind == "channel" and chat is not None:
        return _chat_author(chat, number)
    return Author(PLATFORM, f"{kind}{number}", name=getattr(chat, "title", None) or None)


def _peer_name(peer: Any, context: dict) -> str | None:
    author = _peer_author(peer, context)
    return (author.name or author.handle or author.id) if author else None


def map_message(msg: Any, context: dict) -> Mapped:
    """Map one ``message`` or ``messageService`` of a page (its chats and users in context)."""
    ident = peer_ident(getattr(msg, "peer_id", None))
    if ident is None:
        raise RecordError(f"message {getattr(msg, 'id', '?')} has no chat (peer_id)")
    if getattr(msg, "date", None) is None or msg.date.timestamp() <= 0:
        raise RecordError(f"message {msg.id} has no date")  # TL dates are Unix times; 0 is none
    chat_kind, chat_id = ident
    chat = context["chats"].get(chat_id)
    item_id = f"{chat_id}/{msg.id}"
    uid = make_uid(PLATFORM, item_id)
    service = type(msg).__name__ == "MessageService"
    caveats: list[str] = []
    author = _peer_author(msg.from_id, context) if getattr(msg, "from_id", None) else None
    if author is None and chat_kind == "channel":
        author = _chat_author(chat, chat_id) if chat is not None else Author(
            PLATFORM, f"channel{chat_id}")
    text = getattr(msg, "message", None) or ""
    if service:
        action = _CAMEL.sub("_", type(msg.action).__name__.removeprefix("MessageAction")).lower()
        caveats += ["service", f"action:{action}"]
        title = getattr(msg.action, "title", None)
        text = f"{action}: {title}" if title else action
    mentions, hashtags, links, mentioned = _entities(text, getattr(msg, "entities", None) or [])
    if getattr(msg, "edit_date", None):
        caveats.append("edited")
    repost_of = None
    fwd = getattr(msg, "fwd_from", None)
    if fwd is not None:
        caveats.append("forwarded")
        source = _peer_name(fwd.from_id, context) if fwd.from_id else fwd.from_name
        if source:
            caveats.append(f"forwarded-from:{source}")
        origin = peer_ident(fwd.from_id) if fwd.from_id else None
        if origin and origin[0] == "channel" and fwd.channel_post:
            repost_of = make_uid(PLATFORM, f"{origin[1]}/{fwd.channel_post}")
    reply_to = None
    header = getattr(msg, "reply_to", None)
    if header is not None and getattr(header, "reply_to_msg_id", None):
        target = peer_ident(header.reply_to_peer_id) if header.reply_to_peer_id else None
        reply_to = make_uid(PLATFORM, f"{target[1] if target else chat_id}/{header.reply_to_msg_id}")
    media, lat, lon, place, extra_links, media_text = _media(getattr(msg, "media", None), uid)
    text = text or media_text
    username = getattr(chat, "username", None)
    if username:
        url = f"https://t.me/{username}/{msg.id}"
    else:
        url = f"https://t.me/c/{chat_id}/{msg.id}" if chat_kind == "channel" else None
    broadcast = bool(getattr(chat, "broadcast", False))
    kind = "message" if service else "reply" if reply_to else "post" if broadcast else "message"
    replies = getattr(msg, "replies", None)
    item = Item(
        platform=PLATFORM, id=item_id, created_at=msg.date, text=text, kind=kind, url=url,
        author_id=author.id if author else None, author_handle=author.handle if author else None,
        author_name=author.name if author else None, reply_to=reply_to, repost_of=repost_of,
        conversation_id=str(chat_id), mentions=mentions, hashtags=hashtags,
        links=unique(links + extra_links), media=[m.key for m in media],
        likes=_reactions(getattr(msg, "reactions", None)), reposts=getattr(msg, "forwards", None),
        replies=getattr(replies, "replies", None), views=getattr(msg, "views", None),
        lat=lat, lon=lon, place=place, caveats=caveats,
    )
    authors = ([author] if author else []) + [
        Author(PLATFORM, peer) for peer in mentioned if not author or peer != author.id]
    return Mapped(item, authors, media)


def _entities(text: str, entities: list) -> tuple[list, list, list, list]:
    """Mentions, hashtags, links and mentioned user ids; offsets count UTF-16 code units."""
    from telethon.helpers import add_surrogate, del_surrogate

    wide = add_surrogate(text)
    mentions: list[str] = []
    hashtags: list[str] = []
    links: list[str] = []
    mentioned: list[str] = []
    for entity in entities:
        kind = type(entity).__name__
        value = del_surrogate(wide[entity.offset:entity.offset + entity.length])
        if kind == "MessageEntityMention" and value:
            mentions.append(value.lstrip("@"))
        elif kind == "MessageEntityMentionName":
            mentions.append(f"user{entity.user_id}")
            mentioned.append(f"user{entity.user_id}")
        elif kind == "MessageEntityHashtag" and value:
            hashtags.append(value.lstrip("#"))
        elif kind == "MessageEntityUrl" and value:
            links.append(value if "://" in value else f"http://{value}")
        elif kind == "MessageEntityTextUrl" and entity.url:
            links.append(entity.url)
    return unique(mentions), unique(hashtags), unique(links), mentioned


def _media(media: Any, uid: str) -> tuple[list[Media], float | None, float | None, str | None,
                                          list[str], str]:
    """Media rows (described, not downloaded), a location, links and text the media carries."""
    kind = type(media).__name__ if media is not None else ""
    rows: list[Media] = []
    lat = lon = place = None
    links: list[str] = []
    text = ""
    if kind == "MessageMediaPhoto" and type(media.photo).__name__ == "Photo":
        sizes = [s for s in media.photo.sizes if getattr(s, "w", None)]
        big = max(sizes, key=lambda s: s.w * s.h, default=None)
        rows.append(Media(uid, f"photo{media.photo.id}", "photo", mime="image/jpeg",
                          width=big.w if big else None, height=big.h if big else None))
    elif kind == "MessageMediaDocument" and type(media.document).__name__ == "Document":
        doc = media.document
        what, width, height, alt = "file", None, None, None
        for attr in doc.attributes:
            name = type(attr).__name__
            what = DOCUMENT_KINDS.get(name, what) if what in ("file", "video") else what
            if getattr(attr, "w", None):
                width, height = attr.w, attr.h
            if name == "DocumentAttributeFilename":
                alt = attr.file_name
        rows.append(Media(uid, f"document{doc.id}", what, mime=doc.mime_type, width=width,
                          height=height, alt=alt))
    elif kind in ("MessageMediaGeo", "MessageMediaGeoLive", "MessageMediaVenue"):
        point = media.geo
        if type(point).__name__ == "GeoPoint":
            lat, lon = point.lat, point.long
        if kind == "MessageMediaVenue":
            place = ", ".join(p for p in (media.title, media.address) if p) or None
    elif kind == "MessageMediaWebPage" and getattr(media.webpage, "url", None):
        links.append(media.webpage.url)
    elif kind == "MessageMediaPoll":
        question = getattr(media.poll.question, "text", media.poll.question)
        answers = [getattr(a.text, "text", a.text) for a in media.poll.answers]
        text = f"{question} [{' / '.join(answers)}]"
    return rows, lat, lon, place, links, text


def _reactions(reactions: Any) -> int | None:
    results = getattr(reactions, "results", None)
    if not results:
        return None
    return sum(r.count for r in results)


def redact_page(data: bytes, cut: list[tuple[int, int]], keep: list[tuple[int, int]] = ()
                ) -> tuple[bytes, dict[tuple[int, int], tuple[int, int]]]:
    """Cut messages out of a page (their ``T`` spans as ``(start, end)``), each replaced by a
    ``messageEmpty`` of the same id: the page stays a TL document Telegram could have sent, the
    message reads as deleted. Returns the new bytes and where each ``keep`` span moved."""
    from telethon.extensions import BinaryReader
    from telethon.tl import types

    pieces, pos, shifts = [], 0, []
    for start, end in sorted(set(cut)):
        if start < pos:
            continue  # inside a message already cut
        try:
            with BinaryReader(data[start:end]) as reader:
                msg = reader.tgread_object()
        except Exception as exc:  # noqa: BLE001 - Telethon's readers raise several kinds
            raise ValueError(f"bytes {start}:{end} are not a message ({exc})") from None
        if not hasattr(msg, "peer_id") or not hasattr(msg, "id"):
            raise ValueError(f"bytes {start}:{end} are a {type(msg).__name__}, not a message")
        blank = bytes(types.MessageEmpty(id=msg.id, peer_id=msg.peer_id))
        pieces += [data[pos:start], blank]
        shifts.append((end, len(blank) - (end - start)))
        pos = end
    pieces.append(data[pos:])
    moved = {}
    for start, end in keep:
        delta = sum(change for at, change in shifts if at <= start)
        moved[(start, end)] = (start + delta, end + delta)
    return b"".join(pieces), moved
