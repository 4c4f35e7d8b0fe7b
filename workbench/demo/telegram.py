"""``telegram/ChatExport_2024-03-15/``: Telegram Desktop's JSON export of a public channel.

``result.json`` is written as Telegram Desktop writes it (one-space indent, UTF-8): the chat's
``name``, ``type``, ``id`` and ``messages``. A message has ``date`` in the exporting computer's
local time and ``date_unixtime`` (epoch seconds, as a string); ``text`` is a plain string, or an
array of strings and entity objects when the message has formatting, with ``text_entities``
beside it. Service messages (channel created, messages pinned, photo changed), forwards
(``forwarded_from``), replies (``reply_to_message_id``), edits, reactions, and photos in
``photos/photo_<n>@<dd-mm-yyyy_hh-mm-ss>.jpg`` (with EXIF GPS).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from workbench.demo import images, phrases, posts, story
from workbench.demo.files import save
from workbench.demo.people import Persona

FOLDER = "telegram/ChatExport_2024-03-15"
NAME = f"{FOLDER}/result.json"
FORMAT = "telegram"
CHANNEL = "Botlek Alert 🔥 Rijnmond"
HANDLES = ("MaasstadNieuws", "RijnmondSafety", "SchoneLuchtRM")
SOURCES = {  # channels this one forwards from, and the language they write in
    "Maasstad Nieuws": "nl", "Rotterdam UA 🇺🇦 Допомога": "uk", "أخبار هولندا بالعربي": "ar",
    "Waarheid NU 🇳🇱": "nl", "EuroWire Breaking": "en",
}
REACTIONS = ("👍", "🙏", "😢", "😡", "🔥", "❤", "👀")
LANGS = {"nl": 45, "en": 35, "uk": 10, "ar": 10}


def _stamp(when: datetime) -> tuple[str, str]:
    """``date`` (local wall clock, no zone) and ``date_unixtime`` as Telegram writes them."""
    return when.astimezone(story.LOCAL).strftime("%Y-%m-%dT%H:%M:%S"), str(int(when.timestamp()))


def _entities(parts: list[tuple[str, object]], rng: random.Random,
              header: str | None) -> tuple[object, list[dict]]:
    """``text`` and ``text_entities`` for ``parts`` (plain text stays a plain string)."""
    pieces: list[dict] = []
    if header:
        pieces += [{"type": "bold", "text": header}, {"type": "plain", "text": "\n"}]
    for kind, value in parts:
        if kind == "text":
            pieces.append({"type": "plain", "text": str(value)})
        elif kind == "tag":
            pieces.append({"type": "hashtag", "text": f"#{value}"})
        elif kind == "mention":
            pieces.append({"type": "mention", "text": "@" + rng.choice(HANDLES)})
        elif rng.random() < 0.5:
            pieces.append({"type": "link", "text": str(value)})
        else:
            label = str(value).split("/")[2].removeprefix("www.")
            pieces.append({"type": "text_link", "text": label, "href": str(value)})
    pieces = [p for p in pieces if p["text"]]
    if all(p["type"] == "plain" for p in pieces):
        return "".join(p["text"] for p in pieces), pieces
    return [p["text"] if p["type"] == "plain" else p for p in pieces], pieces


def _service(number: int, when: datetime, channel_id: int, action: str, **more) -> dict:
    date, unix = _stamp(when)
    message = {"id": number, "type": "service", "date": date, "date_unixtime": unix,
               "actor": CHANNEL, "actor_id": f"channel{channel_id}", "action": action}
    message.update(more)
    message.update({"text": "", "text_entities": []})
    return message


def write(out: Path, rng: random.Random, count: int) -> dict:
    """Write the export with ``count`` messages (service messages and broken ones included)."""
    channel_id = rng.randrange(1_700_000_000, 2_100_000_000)
    created = story.EVENT + timedelta(minutes=17, seconds=12)
    services = 5 if count >= 60 else 1
    times = story.sample_times(rng, count - services, start=created + timedelta(minutes=3),
                               decay=36)
    messages: list[dict] = [_service(1, created, channel_id, "create_channel", title=CHANNEL)]
    photo_files: list[tuple[str, bytes]] = []
    pins = set(rng.sample(range(len(times) // 3), min(3, len(times) // 3))) if services > 1 \
        else set()
    by_time: list[dict] = []
    # The channel speaks about every town around the plant, not one home town.
    admin = Persona(CHANNEL, "botlekalert", "nl", story.PLACES["Delft"], "person", created, 0, 0,
                    0, "")
    for index, when in enumerate(times):
        number = len(messages) + 1
        date, unix = _stamp(when)
        roll = rng.random()
        lang = rng.choices(list(LANGS), weights=list(LANGS.values()))[0]
        message: dict = {"id": number, "type": "message", "date": date, "date_unixtime": unix}
        if roll < 0.22:
            source = rng.choice(list(SOURCES))
            lang = SOURCES[source]
            post = posts.original(rng, when, admin, lang, tag_rate=0.5, link_rate=0.2,
                                  mention_pool=[])
            if source.startswith("Waarheid"):
                post.parts = posts.split_tags(phrases.sentence(rng, "rumour", lang, when))
        else:
            post = posts.original(rng, when, admin, lang, tag_rate=0.6, link_rate=0.25,
                                  mention_pool=[admin])
        header = None
        if roll >= 0.22 and rng.random() < 0.3:
            header = rng.choice(("UPDATE", "⚠️ UPDATE", "🔴 LIVE", "BREAKING")) + " " + \
                story.local_text(when)
        if roll >= 0.22 and by_time and rng.random() < 0.12:
            earlier = rng.choice(by_time[-40:])
            message["reply_to_message_id"] = earlier["id"]
            header = header or {"nl": "Aanvulling:", "en": "Follow-up:", "uk": "Доповнення:",
                                "ar": "تحديث:"}[lang]
        message.update({"from": CHANNEL, "from_id": f"channel{channel_id}"})
        if roll < 0.22:
            message["forwarded_from"] = source
        if (rng.random() < 0.025 and len(photo_files) < 15
                and when > story.EVENT + timedelta(minutes=40)):
            place = rng.choice(story.LOCAL_PLACES)
            taken = when - timedelta(minutes=rng.randrange(2, 30))
            jpeg = images.photo(rng, taken, place.lat + rng.uniform(-0.01, 0.01),
                                place.lon + rng.uniform(-0.015, 0.015))
            path = f"photos/photo_{len(photo_files) + 1}@" + \
                when.astimezone(story.LOCAL).strftime("%d-%m-%Y_%H-%M-%S") + ".jpg"
            photo_files.append((path, jpeg))
            message.update({"photo": path, "photo_file_size": len(jpeg), "width": 64,
                            "height": 48})
        if rng.random() < 0.08:
            edited = when + timedelta(minutes=rng.randrange(1, 50), seconds=rng.randrange(60))
            message["edited"], message["edited_unixtime"] = _stamp(edited)
        message["text"], message["text_entities"] = _entities(post.parts, rng, header)
        if rng.random() < 0.7:
            chosen = rng.sample(REACTIONS, rng.randrange(1, 4))
            message["reactions"] = [{"type": "emoji", "count": int(rng.paretovariate(1.2) * 4),
                                     "emoji": emoji} for emoji in chosen]
        messages.append(message)
        by_time.append(message)
        if index in pins:
            pinned = len(messages) + 1
            messages.append(_service(pinned, when + timedelta(seconds=rng.randrange(20, 300)),
                                     channel_id, "pin_message", message_id=number))
    if services > 1:
        first_photo = [m for m in by_time if "photo" in m]
        if first_photo:
            when = datetime.fromtimestamp(int(first_photo[0]["date_unixtime"]) + 600,
                                          tz=UTC)
            messages.append(_service(len(messages) + 1, when, channel_id, "edit_group_photo",
                                     photo=first_photo[0]["photo"], width=64, height=48))
        messages.sort(key=lambda m: int(m["date_unixtime"]))
        _renumber(messages)
    malformed = _spoil(rng, messages)
    export = {"name": CHANNEL, "type": "public_channel", "id": channel_id, "messages": messages}
    save(out / NAME, json.dumps(export, indent=1, ensure_ascii=False))
    for path, jpeg in photo_files:
        save(out / FOLDER / path, jpeg)
    return {NAME: {"format": FORMAT, "records": len(messages), "malformed": malformed,
                   "service": sum(1 for m in messages if m["type"] == "service"),
                   "media_files": len(photo_files)}}


def _renumber(messages: list[dict]) -> None:
    """Message ids in time order, as Telegram gives them; references follow."""
    new = {m["id"]: number for number, m in enumerate(messages, start=1)}
    for message in messages:
        message["id"] = new[message["id"]]
        for key in ("reply_to_message_id", "message_id"):
            if key in message:
                message[key] = new[message[key]]


def _spoil(rng: random.Random, messages: list[dict]) -> int:
    """Hand-edited exports lose things: an id, a date; one is left with a date nobody can read."""
    plain = [m for m in messages if m["type"] == "message" and "photo" not in m]
    if len(plain) < 40:
        return 0
    victims = rng.sample(plain, 4)
    del victims[0]["id"]
    for victim in victims[1:3]:
        del victim["date"], victim["date_unixtime"]
    victims[3]["date"], victims[3]["date_unixtime"] = "2024-03-1O 14:22", ""
    return len(victims)
