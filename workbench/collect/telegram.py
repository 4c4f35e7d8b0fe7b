"""Telegram Desktop's machine-readable export: ``result.json``.

Two shapes: one chat ("Export chat history": ``{"name", "type", "id", "messages": [...]}``) and
a whole account ("Export Telegram data": ``{"about", "personal_information", ..., "chats":
{"about", "list": [chat, ...]}, "left_chats": {...}}``). Every message of every chat is a record,
found with its exact span by walking the document; media files the export carries (``photos/``,
``video_files/`` ... beside result.json) are named as ``Media.member``.

What an analyst gets, and why:

- Item ids are ``<chat id>/<message id>``: message ids are only unique within a chat. Replies
  point the same way (a reply into another chat uses ``reply_to_peer_id``). ``conversation_id``
  is the chat id, so a chat's messages group together.
- Times come from ``date_unixtime`` (UTC). Exports older than 2021 have only ``date``, in the
  exporting computer's local zone with no offset: it is taken as UTC and marked ``naive-time``.
- Service messages (joins, pins, title changes, calls) are kept as kind ``message`` with the
  caveats ``service`` and ``action:<action>``, their ``actor`` as author, and a short description
  as text ("invite_members: Ana, Bo"), so membership changes sit on the timeline with the rest
  and can be filtered out in one step.
- Channel posts are kind ``post``, replies ``reply``, everything else ``message``.
- Forwards keep their kind and carry the caveats ``forwarded`` and ``forwarded-from:<name>``:
  the export names the original sender but gives no id for it, so there is no item or account
  to point at. ``saved_from`` is kept the same way.
- ``likes`` is the sum of the message's reactions; ``views`` is read when a tool added it
  (Telegram Desktop does not export view counts).
- Mentions are usernames without '@'; a mention of a user without a username
  (``mention_name``) is ``user<id>``, the same form as that user's author id.
- Phone numbers (account owner, shared contacts) are not copied out of the raw payload.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from typing import Any

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import Walk, value_at, walk_array, walk_document, walk_object
from workbench.collect.readers import decode
from workbench.collect.values import as_int, unique
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped, Media, make_uid
from workbench.timeutil import parse_time

PLATFORM = "telegram"
CHAT_TYPES = (
    "personal_chat", "bot_chat", "private_group", "private_supergroup", "public_supergroup",
    "private_channel", "public_channel", "saved_messages", "replies",
)
CHANNELS = ("private_channel", "public_channel")
#: Chats whose messages have t.me/c/<id>/<message> links (channels and supergroups).
LINKABLE = CHANNELS + ("private_supergroup", "public_supergroup")
_TYPE_RE = re.compile(r'"type"\s*:\s*"(' + "|".join(CHAT_TYPES) + ')"')
FILE_KINDS = {
    "video_file": "video", "video_message": "video", "animation": "animation",
    "voice_message": "audio", "audio_file": "audio", "sticker": "sticker",
}
#: Details a service message carries, in the order they are described.
SERVICE_DETAILS = ("title", "new_title", "members", "inviter", "message_id", "duration_seconds",
                   "duration", "discard_reason", "information_text", "period", "emoticon")


def _not_included(path: Any) -> bool:
    """Telegram writes "(File not included. ...)" and the like where a file was not exported."""
    return not isinstance(path, str) or not path or path.startswith("(") or " (File " in path


class _Reader:
    """Walks one export and yields a record per message, each with its chat's context."""

    def __init__(self, text: str, encoding_note: str | None):
        self.text = text
        self.note = encoding_note
        self.top: dict = {}

    def document(self, pos: int) -> Walk:
        return (yield from self.chat(pos, "$", self.top))

    def chat(self, pos: int, pointer: str, seen: dict | None = None) -> Walk:
        """A chat object (the document itself for a one-chat export)."""
        seen = {} if seen is None else seen
        deferred: list[int] = []

        def visit(key: str, at: int) -> Walk | None:
            if key == "messages":
                if "id" in seen:
                    return self.messages(at, pointer, seen)
                deferred.append(at)  # the chat's id comes after its messages: read them last
            elif key in ("chats", "left_chats") and pointer == "$":
                return self.chat_list(at, f"$.{key}")
            return None

        end = yield from walk_object(self.text, pos, visit, seen)
        seen.pop("messages", None)
        for at in deferred:
            yield from self.messages(at, pointer, seen)
        return end

    def chat_list(self, pos: int, pointer: str) -> Walk:
        def visit(key: str, at: int) -> Walk | None:
            if key == "list":
                return walk_array(self.text, at,
                                  lambda i, p: self.chat(p, f"{pointer}.list[{i}]"))
            return None

        if self.text[pos : pos + 1] != "{":
            return value_at(self.text, pos)[1]
        return (yield from walk_object(self.text, pos, visit))

    def messages(self, pos: int, pointer: str, chat: dict) -> Walk:
        context = self.context(chat)
        if self.text[pos : pos + 1] != "[":
            return value_at(self.text, pos)[1]
        return (yield from walk_array(
            self.text, pos, lambda i, p: self.message(p, f"{pointer}.messages[{i}]", context)))

    def message(self, pos: int, locator: str, context: dict) -> Walk:
        value, end = value_at(self.text, pos, locator)
        if value is not None:  # a purged message is left as null
            yield Record(locator, f"C{pos}:{end}", data=value, context=context)
        return end

    def context(self, chat: dict) -> dict:
        """What every message of one chat shares: the chat, the account owner, the encoding."""
        context = {
            "chat_id": None if chat.get("id") is None else str(chat["id"]),
            "chat_name": chat.get("name"),
            "chat_type": chat.get("type"),
            "owner": _owner(self.top.get("personal_information")),
        }
        if self.note:
            context["encoding"] = self.note
        return context


def _owner(info: Any) -> dict | None:
    """The exporting account as an author (without its phone number)."""
    if not isinstance(info, dict) or info.get("user_id") is None:
        return None
    name = " ".join(p for p in (info.get("first_name"), info.get("last_name")) if p) or None
    handle = (info.get("username") or "").lstrip("@") or None
    return {"id": f"user{info['user_id']}", "handle": handle, "name": name,
            "bio": info.get("bio") or None}


@register
class TelegramExport(FileFormat):
    """Telegram Desktop JSON export: one chat, or a whole account's chats."""

    name = "telegram"
    title = "Telegram Desktop export (result.json: one chat or a whole account)"
    platform = PLATFORM
    version = "1"

    def sniff(self, sample: Sample) -> bool:
        head = sample.head.lstrip("\ufeff \t\r\n")
        if not head.startswith("{"):
            return False
        if '"personal_information"' in head and '"about"' in head:
            return True
        return '"messages"' in head and (
            _TYPE_RE.search(head) is not None or '"date_unixtime"' in head)

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        text, encoding = decode(payload.read_bytes(), name=payload.name)
        note = None if encoding in ("utf-8", "utf-8-bom") else encoding
        reader = _Reader(text, note)
        yield from walk_document(text, reader.document)

    def map(self, record: Record) -> Mapped:
        return map_message(record.data, record.context)


def map_message(msg: Any, chat: dict) -> Mapped:
    """Map one exported message of the chat described by ``chat`` (a record's context)."""
    if not isinstance(msg, dict):
        raise RecordError(f"a message must be an object, found {type(msg).__name__}")
    if msg.get("type") == "unsupported":
        raise RecordError("Telegram Desktop could not export this message (type 'unsupported')")
    if msg.get("id") is None:
        raise RecordError("message has no id")
    chat_id = chat.get("chat_id")
    if not chat_id:
        raise RecordError("the chat holding this message has no id")
    ident = f"{chat_id}/{msg['id']}"
    uid = make_uid(PLATFORM, ident)
    when, naive = _when(msg)
    caveats = ["naive-time"] if naive else []
    service = msg.get("type") == "service"
    entities = _entities(msg)
    text = _plain(msg.get("text"))
    if service:
        action = msg.get("action") or "custom_action"
        caveats += ["service", f"action:{action}"]
        text = text or _describe_service(msg, action)
    elif isinstance(msg.get("poll"), dict) and not text:
        text = _describe_poll(msg["poll"])
    if msg.get("edited") or msg.get("edited_unixtime"):
        caveats.append("edited")
    for key, caveat in (("forwarded_from", "forwarded"), ("saved_from", "saved")):
        if key in msg:
            caveats.append(caveat)
            if msg[key]:
                caveats.append(f"{caveat}-from:{msg[key]}")
    author = _author(msg, chat, service)
    reply_to = _reply_to(msg, chat_id) if not service else None
    media = _media(msg, uid)
    lat, lon, place = _location(msg)
    chat_type = chat.get("chat_type")
    if service:
        kind = "message"
    elif reply_to:
        kind = "reply"
    else:
        kind = "post" if chat_type in CHANNELS else "message"
    mentions, hashtags, links, mentioned = _entity_values(entities)
    item = Item(
        platform=PLATFORM, id=ident, created_at=when, text=text, kind=kind,
        url=f"https://t.me/c/{chat_id}/{msg['id']}" if chat_type in LINKABLE else None,
        author_id=author.id if author else None,
        author_handle=author.handle if author else None,
        author_name=author.name if author else None,
        reply_to=reply_to, conversation_id=chat_id,
        mentions=mentions, hashtags=hashtags, links=links, media=[m.key for m in media],
        likes=_reaction_total(msg.get("reactions")), views=as_int(msg.get("views")),
        lat=lat, lon=lon, place=place, caveats=caveats,
    )
    # A mention's text is what the sender typed, not the account's name: only the id is known.
    authors = ([author] if author else []) + [
        Author(PLATFORM, peer) for peer in mentioned if not author or peer != author.id
    ]
    return Mapped(item, authors, media)


def _when(msg: dict) -> tuple:
    unix = msg.get("date_unixtime")
    if unix not in (None, ""):
        return parse_time(str(unix), field="date_unixtime")
    return parse_time(msg.get("date"), field="date")


def _plain(text: Any) -> str:
    """The message text: a string, or an array of strings and entities ``{"type", "text"}``."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", ""))
                       for part in text if isinstance(part, str | dict))
    return ""


def _entities(msg: dict) -> list[dict]:
    """Typed text parts: ``text_entities`` when exported, else the entities inside ``text``."""
    parts = msg.get("text_entities")
    if not isinstance(parts, list):
        parts = msg.get("text") if isinstance(msg.get("text"), list) else []
    return [part for part in parts if isinstance(part, dict)]


def _entity_values(entities: list[dict]) -> tuple[list, list, list, list]:
    mentions: list[str] = []
    hashtags: list[str] = []
    links: list[str] = []
    mentioned: list[str] = []
    for part in entities:
        kind, value = part.get("type"), str(part.get("text") or "")
        if kind == "mention" and value:
            mentions.append(value.lstrip("@"))
        elif kind == "mention_name" and part.get("user_id") is not None:
            user = f"user{part['user_id']}"
            mentions.append(user)
            mentioned.append(user)
        elif kind == "hashtag" and value:
            hashtags.append(value.lstrip("#"))
        elif kind == "link" and value:
            links.append(value if "://" in value else f"http://{value}")
        elif kind == "text_link" and part.get("href"):
            links.append(str(part["href"]))
    return unique(mentions), unique(hashtags), unique(links), mentioned




def _peer_id(value: Any) -> str | None:
    """An author id as the export writes it: "user123", "channel456", "chat789"."""
    if value is None or value == "":
        return None
    if isinstance(value, int):  # exports before 2021 wrote bare user ids
        return f"user{value}"
    return str(value)


def _author(msg: dict, chat: dict, service: bool) -> Author | None:
    name_key, id_key = ("actor", "actor_id") if service and "actor_id" in msg else ("from",
                                                                                     "from_id")
    ident = _peer_id(msg.get(id_key))
    name = msg.get(name_key)
    if ident is None and chat.get("chat_type") in CHANNELS:
        ident, name = f"channel{chat['chat_id']}", name or chat.get("chat_name")
    if ident is None:
        return None
    author = Author(PLATFORM, ident, name=name if isinstance(name, str) and name else None)
    owner = chat.get("owner")
    if owner and owner["id"] == ident:
        author.handle, author.bio = owner["handle"], owner["bio"]
        author.name = author.name or owner["name"]
    return author


def _reply_to(msg: dict, chat_id: str) -> str | None:
    reply = msg.get("reply_to_message_id")
    if reply is None:
        return None
    peer = msg.get("reply_to_peer_id")
    target = re.sub(r"^\D+", "", str(peer)) if peer else chat_id
    return make_uid(PLATFORM, f"{target or chat_id}/{reply}")


def _media(msg: dict, uid: str) -> list[Media]:
    media = []
    width, height = as_int(msg.get("width")), as_int(msg.get("height"))
    photo = msg.get("photo")
    if photo:
        included = not _not_included(photo)
        media.append(Media(
            uid, photo if included else "photo", "photo", member=photo if included else None,
            mime=mimetypes.guess_type(photo)[0] if included else None,
            width=width, height=height,
        ))
    path = msg.get("file")
    if path:
        included = not _not_included(path)
        key = path if included else str(msg.get("file_name") or "file")
        media.append(Media(
            uid, key, FILE_KINDS.get(msg.get("media_type"), "file"),
            member=path if included else None, mime=msg.get("mime_type"),
            width=None if photo else width, height=None if photo else height,
        ))
    return media


def _location(msg: dict) -> tuple[float | None, float | None, str | None]:
    point = msg.get("location_information")
    lat = lon = None
    if isinstance(point, dict):
        try:
            lat, lon = float(point["latitude"]), float(point["longitude"])
        except (KeyError, TypeError, ValueError):
            lat = lon = None
    place = ", ".join(str(msg[k]) for k in ("place_name", "address") if msg.get(k)) or None
    return lat, lon, place


def _reaction_total(reactions: Any) -> int | None:
    if not isinstance(reactions, list) or not reactions:
        return None
    return sum(as_int(r.get("count")) or 0 for r in reactions if isinstance(r, dict))




def _describe_service(msg: dict, action: str) -> str:
    """A one-line description of a service message: its action and the details it carries."""
    details = []
    for key in SERVICE_DETAILS:
        value = msg.get(key)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        label = {"message_id": "message", "members": "", "title": ""}.get(key, key)
        details.append(f"{label} {value}".strip())
    return f"{action}: {'; '.join(details)}" if details else action


def _describe_poll(poll: dict) -> str:
    answers = [_plain(a.get("text")) for a in poll.get("answers") or [] if isinstance(a, dict)]
    question = _plain(poll.get("question"))
    return f"{question} [{' / '.join(answers)}]" if answers else question
