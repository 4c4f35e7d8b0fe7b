"""What the Twitter/X formats share: ids and URLs, v1.1-shaped entities, media, places, accounts,
and the reading of API files.

The "Download your data" archive and the API v1.1 both carry tweets in the v1.1 shape (the archive
with every number as a string), so their entities, media and coordinates are read here once. The
API formats (v1.1 and v2) also share how their files are cut into records: JSON Lines of tweets or
of response pages, with exact character spans.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from workbench.collect.base import Record
from workbench.collect.jsonwalk import array_elements, member_value
from workbench.collect.readers import excerpt
from workbench.collect.values import as_float, as_int, optional_time, unique
from workbench.errors import RecordError
from workbench.models import Author, Media, make_uid
from workbench.timeutil import parse_time

PLATFORM = "twitter"
SITE = "https://twitter.com"
#: Twitter's snowflake ids count milliseconds from this epoch (2010-11-04).
SNOWFLAKE_EPOCH_MS = 1288834974657
#: Snowflake ids start near this value; older tweet ids are plain counters without a time.
FIRST_SNOWFLAKE = 29700859247
MEDIA_KINDS = {"photo": "photo", "video": "video", "animated_gif": "gif"}
# v2 media keys start with the media type's number: 3_ photo, 7_ video, 16_ animated GIF.
MEDIA_KEY_KINDS = {"3": "photo", "7": "video", "16": "gif"}
# "und" and Twitter's q-codes (qme media only, qht hashtags only, ...) say there is no language.
NO_LANGUAGE = {"und", "zxx", "qam", "qct", "qht", "qme", "qst", "art"}
STATUS_URL = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:[A-Za-z0-9_]+|i/web)/status(?:es)?/(\d+)"
    r"/?(?:[?#].*)?$"
)
_WS = re.compile(r"[ \t\r\n]*")


def uid(ident: str) -> str:
    """The workbench uid of a tweet or account id."""
    return make_uid(PLATFORM, ident)


def tweet_url(tweet_id: str, handle: str | None = None) -> str:
    """The tweet's permalink; without the handle, the form Twitter redirects from any id."""
    return f"{SITE}/{handle}/status/{tweet_id}" if handle else f"{SITE}/i/web/status/{tweet_id}"


def profile_url(handle: str | None) -> str | None:
    return f"{SITE}/{handle}" if handle else None


def ident(obj: dict | None, *keys: str) -> str | None:
    """The first present, non-empty id among ``keys``, as text (ids may come as numbers)."""
    if not isinstance(obj, dict):
        return None
    for key in keys:
        value = obj.get(key)
        if value not in (None, "") and not isinstance(value, bool | dict | list):
            return str(value)
    return None






def language(code: object) -> str | None:
    """The tweet's language code, or None when Twitter says it has none."""
    if not isinstance(code, str) or not code or code in NO_LANGUAGE:
        return None
    return code




def distinct_authors(authors: list[Author | None]) -> list[Author]:
    """The accounts once each (the first description of an id wins), without the missing."""
    seen: dict[str, Author] = {}
    for author in authors:
        if author is not None:
            seen.setdefault(author.id, author)
    return list(seen.values())


def snowflake_time(tweet_id: str) -> datetime | None:
    """The creation time encoded in a snowflake tweet id, to the millisecond."""
    if not tweet_id.isdigit() or int(tweet_id) < FIRST_SNOWFLAKE:
        return None
    millis = (int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, tz=UTC)




def tweet_time(tweet: dict, tweet_id: str) -> tuple[datetime, list[str]]:
    """``created_at`` of a tweet, and the caveats it earns (naive time, time taken from the id)."""
    value = tweet.get("created_at")
    if value in (None, ""):
        when = snowflake_time(tweet_id)
        if when is None:
            raise RecordError("missing created_at (and the id is too old to carry a time)")
        return when, ["time-from-id"]
    when, naive = parse_time(value, field="created_at")
    return when, ["naive-time"] if naive else []


def kind_of(repost: object, reply: object, quote: object) -> str:
    """The item kind: a retweet is a repost even when it replies or quotes."""
    if repost:
        return "repost"
    if reply:
        return "reply"
    return "quote" if quote else "post"


def is_status_link(url: str, own_id: str | None = None) -> str | None:
    """The tweet id a twitter.com/x.com status link points at, unless it is the tweet itself."""
    match = STATUS_URL.match(url or "")
    if match and match.group(1) != own_id:
        return match.group(1)
    return None


# -- v1.1-shaped tweets (API v1.1 and the archive) -------------------------------------------


@dataclass
class Entities:
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)


def v1_entities(tweet: dict) -> Entities:
    """Mentions, hashtags, expanded links and media entities of a v1.1-shaped tweet.

    A long tweet from the streaming API keeps its full entities under ``extended_tweet``.
    """
    source = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else tweet
    entities = source.get("entities") or {}
    extended = source.get("extended_entities") or {}
    return Entities(
        mentions=unique(m.get("screen_name") for m in dicts(entities.get("user_mentions"))),
        hashtags=unique(h.get("text") for h in dicts(entities.get("hashtags"))),
        links=unique(u.get("expanded_url") or u.get("url") for u in dicts(entities.get("urls"))),
        media=dicts(extended.get("media")) or dicts(entities.get("media")),
    )


def plain_text(text: object) -> str:
    """Tweet text as typed: Twitter sends ``&``, ``<`` and ``>`` HTML-escaped."""
    return html.unescape(text) if isinstance(text, str) else ""


def v1_text(tweet: dict) -> str:
    """The whole text: ``extended_tweet.full_text``, else ``full_text``, else ``text``."""
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        return plain_text(extended["full_text"])
    for key in ("full_text", "text"):
        if isinstance(tweet.get(key), str):
            return plain_text(tweet[key])
    return ""


def v1_point(tweet: dict) -> tuple[float | None, float | None]:
    """``(lat, lon)`` from GeoJSON ``coordinates`` ([lon, lat]), else the older ``geo`` ([lat, lon])."""
    for key, order in (("coordinates", (1, 0)), ("geo", (0, 1))):
        point = tweet.get(key)
        values = point.get("coordinates") if isinstance(point, dict) else None
        if isinstance(values, list) and len(values) == 2:
            lat, lon = as_float(values[order[0]]), as_float(values[order[1]])
            if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
                return lat, lon
    return None, None


def v1_place(tweet: dict) -> str | None:
    place = tweet.get("place")
    if isinstance(place, dict):
        return place.get("full_name") or place.get("name") or None
    return None


def v1_place_bbox(tweet: dict) -> list[float] | None:
    """The v1.1 place's ``bounding_box`` (a GeoJSON polygon) as ``[west, south, east, north]``."""
    place = tweet.get("place")
    box = place.get("bounding_box") if isinstance(place, dict) else None
    rings = box.get("coordinates") if isinstance(box, dict) else None
    if not (isinstance(rings, list) and rings and isinstance(rings[0], list)):
        return None
    points = [p for p in rings[0] if isinstance(p, list) and len(p) >= 2]
    try:
        lons, lats = [float(p[0]) for p in points], [float(p[1]) for p in points]
    except (TypeError, ValueError):
        return None
    return bbox_of([min(lons), min(lats), max(lons), max(lats)]) if points else None


def bbox_of(value: object) -> list[float] | None:
    """``[west, south, east, north]`` in degrees when ``value`` is one, else None."""
    if not (isinstance(value, list) and len(value) == 4):
        return None
    try:
        west, south, east, north = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return [west, south, east, north]


def v1_author(user: object) -> Author | None:
    """The account of a v1.1 ``user`` object."""
    account_id = ident(user, "id_str", "id")
    if account_id is None:
        return None
    handle = user.get("screen_name") or None
    return Author(
        platform=PLATFORM,
        id=account_id,
        handle=handle,
        name=user.get("name") or None,
        created_at=optional_time(user.get("created_at")),
        followers=as_int(user.get("followers_count")),
        following=as_int(user.get("friends_count")),
        posts=as_int(user.get("statuses_count")),
        bio=user.get("description") or None,
        location=user.get("location") or None,
        url=profile_url(handle),
        verified=user.get("verified") if isinstance(user.get("verified"), bool) else None,
    )


def v1_media(item_uid: str, entities: list[dict],
             member_for: Callable[[dict, int], str | None] | None = None) -> list[Media]:
    """Media of a v1.1-shaped tweet; ``member_for(entity, count)`` names the file in an export."""
    media: list[Media] = []
    seen: set[str] = set()
    for entity in entities:
        key = ident(entity, "id_str", "id") or entity.get("media_url_https") or entity.get("url")
        if not key or key in seen:
            continue
        seen.add(key)
        kind = MEDIA_KINDS.get(entity.get("type"), entity.get("type") or "photo")
        width, height = _v1_size(entity)
        media.append(Media(
            item_uid=item_uid,
            key=key,
            kind=kind,
            url=best_variant(entity.get("video_info"))
            or entity.get("media_url_https") or entity.get("media_url"),
            member=member_for(entity, len(entities)) if member_for else None,
            width=width,
            height=height,
            alt=entity.get("ext_alt_text") or None,
        ))
    return media


def media_file_names(entity: dict) -> set[str]:
    """The file names a media entity's files go by (its image, and each video variant)."""
    urls = [entity.get("media_url_https"), entity.get("media_url")]
    info = entity.get("video_info") or entity.get("variants")
    variants = info.get("variants") if isinstance(info, dict) else info
    urls += [v.get("url") for v in dicts(variants)]
    return {PurePosixPath(urlsplit(url).path).name for url in urls if isinstance(url, str) and url}


def best_variant(video_info: object) -> str | None:
    """The URL of the highest-bitrate MP4 of a video (v1.1 ``video_info`` or v2 ``variants``)."""
    variants = video_info.get("variants") if isinstance(video_info, dict) else video_info
    mp4 = [v for v in dicts(variants) if v.get("content_type") == "video/mp4" and v.get("url")]
    if not mp4:
        return None
    return max(mp4, key=lambda v: as_int(v.get("bitrate", v.get("bit_rate"))) or 0)["url"]


def _v1_size(entity: dict) -> tuple[int | None, int | None]:
    original = entity.get("original_info")
    if isinstance(original, dict):
        return as_int(original.get("width")), as_int(original.get("height"))
    large = (entity.get("sizes") or {}).get("large")
    if isinstance(large, dict):
        return as_int(large.get("w")), as_int(large.get("h"))
    return None, None


def dicts(values: object) -> list[dict]:
    """The objects of a JSON array (nothing when it is not one)."""
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


# -- reading API files (v1.1 and v2) ------------------------------------------------------


def is_jsonl(first: str) -> bool:
    """True when the first line is a whole JSON object (JSON Lines), not the start of a document.

    A broken first line of JSON Lines still looks whole: it opens and closes a brace.
    """
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return first.endswith("}")


def text_lines(text: str) -> Iterator[tuple[int, int, int]]:
    """``(line number, start, end)`` of each line of ``text``, ends before any CR LF."""
    start, number = 0, 0
    while start < len(text):
        stop = text.find("\n", start)
        stop = len(text) if stop == -1 else stop
        number += 1
        end = stop - 1 if stop > start and text[stop - 1] == "\r" else stop
        yield number, start, end
        start = stop + 1


def object_span(text: str, start: int, key: str | None = None) -> tuple[int, int]:
    """The character span of the JSON value at ``start`` (or of member ``key`` of that object)."""
    decoder = json.JSONDecoder()
    pos = _WS.match(text, start).end()
    if key is not None:
        pos = member_value(text, pos, key, decoder)
    _, end = decoder.raw_decode(text, pos)
    return pos, end


def bad_json(locator: str, span: str, text: str, exc: json.JSONDecodeError) -> Record:
    """A quarantine record for text that is not JSON, saying where the parser stopped."""
    return Record(locator, span, error=f"invalid JSON: {exc.msg} (column {exc.colno})",
                  excerpt=excerpt(text))


def page_records(text: str, start: int, key: str, where: str, context: dict,
                  value: object) -> Iterator[Record]:
    """One record per tweet of the page (response) at ``start``, with exact character spans."""
    if isinstance(value, dict):
        begin, end = object_span(text, start, key)
        yield Record(f"{where}$.{key}", f"C{begin}:{end}", data=value, context=context)
        return
    for index, begin, end, element in array_elements(text, (key,), start=start):
        yield Record(f"{where}$.{key}[{index}]", f"C{begin}:{end}", data=element,
                     context=context)


def line_records(text: str, key: str, context_of) -> Iterator[Record]:
    """Records of JSON Lines whose lines are pages holding their tweets under ``key``, or
    tweets; spans are characters of the whole text, so every tweet can be cut out alone."""
    for number, start, end in text_lines(text):
        line = text[start:end]
        if not line.strip():
            continue
        locator, span = f"line {number}", f"C{start}:{end}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield bad_json(locator, span, line, exc)
            continue
        if isinstance(obj, dict) and key in obj:
            yield from page_records(text, start, key, f"line {number} ", context_of(obj),
                                     obj[key])
        elif isinstance(obj, dict) and "id" not in obj and ("meta" in obj or "errors" in obj):
            continue  # a page without results: nothing to import
        else:
            yield Record(locator, span, data=obj)
