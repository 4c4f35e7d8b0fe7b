"""Twitter/X API output: v1.1 statuses (``twitter-v1``) and v2 responses (``twitter-v2``).

v1.1: one status object per line (as twarc 1 and most collectors write them), or a JSON array of
statuses, or a search response ``{"statuses": [...]}``. Each status carries its ``user``, its
``entities``, and for a retweet or a quote the original tweet whole.

v2: API responses ``{"data": [...], "includes": {...}, "meta": {...}}``, one per file or one per
line (as ``twarc2 search`` writes them), or tweets already flattened one per line (``twarc2
flatten``). A v2 tweet names its author, media and place by id; the response's ``includes`` hold
them, and go in each record's context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.readers import (
    _member_value,
    array_elements,
    decode,
    element_records,
    excerpt,
    jsonl_records,
)
from workbench.collect.twitter_common import (
    MEDIA_KEY_KINDS,
    MEDIA_KINDS,
    PLATFORM,
    as_float,
    as_int,
    best_variant,
    ident,
    kind_of,
    language,
    optional_time,
    plain_text,
    profile_url,
    tweet_time,
    tweet_url,
    uid,
    unique,
    v1_author,
    v1_entities,
    v1_media,
    v1_place,
    v1_point,
    v1_text,
)
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped, Media

# Messages the v1.1 streaming API mixes in with statuses.
STREAM_NOTICES = ("delete", "limit", "scrub_geo", "status_withheld", "user_withheld",
                  "disconnect", "warning")
V2_TWEET_FIELDS = ("author_id", "edit_history_tweet_ids", "conversation_id", "public_metrics",
                   "referenced_tweets", "reply_settings", "possibly_sensitive")
V2_META_FIELDS = ("result_count", "newest_id", "oldest_id", "next_token")
_V1_HEAD = re.compile(r'"id_str"\s*:\s*"\d+"')
_V1_USER = re.compile(r'"user"\s*:\s*\{[^{}]*"screen_name"\s*:')
_V1_TIME = re.compile(r'"created_at"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [+-]\d{4}')
_SEARCH = re.compile(r'\s*\{\s*"statuses"\s*:')
_V2_DATA = re.compile(r'^\{\s*"data"\s*:\s*[\[{]')
_V2_TWEET = re.compile(r'"edit_history_tweet_ids"\s*:|"author_id"\s*:\s*"\d+"|"__twarc"\s*:')
_WS = re.compile(r"[ \t\r\n]*")


# -- reading -----------------------------------------------------------------------------------


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return ""


def _is_jsonl(first: str) -> bool:
    """True when the first line is a whole JSON object (JSON Lines), not the start of a document.

    A broken first line of JSON Lines still looks whole: it opens and closes a brace.
    """
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return first.endswith("}")


def _parsed(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def _lines(text: str) -> Iterator[tuple[int, int, int]]:
    """``(line number, start, end)`` of each line of ``text``, ends before any CR LF."""
    start, number = 0, 0
    while start < len(text):
        stop = text.find("\n", start)
        stop = len(text) if stop == -1 else stop
        number += 1
        end = stop - 1 if stop > start and text[stop - 1] == "\r" else stop
        yield number, start, end
        start = stop + 1


def _object_span(text: str, start: int, key: str | None = None) -> tuple[int, int]:
    """The character span of the JSON value at ``start`` (or of member ``key`` of that object)."""
    decoder = json.JSONDecoder()
    pos = _WS.match(text, start).end()
    if key is not None:
        pos = _member_value(text, pos, key, decoder)
    _, end = decoder.raw_decode(text, pos)
    return pos, end


def _bad_json(locator: str, span: str, text: str, exc: json.JSONDecodeError) -> Record:
    return Record(locator, span, error=f"invalid JSON: {exc.msg} (column {exc.colno})",
                  excerpt=excerpt(text))


# -- v1.1 --------------------------------------------------------------------------------------


def _v1_sniff(head: str) -> bool:
    text = head.lstrip()
    if not text.startswith(("{", "[")):
        return False
    for line in text.split("\n")[:5]:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            break
        if isinstance(obj, dict) and any(notice in obj for notice in STREAM_NOTICES):
            continue
        if isinstance(obj, dict) and isinstance(obj.get("statuses"), list):
            return bool(obj["statuses"]) and _is_v1_status(obj["statuses"][0])
        return _is_v1_status(obj)
    # A pretty-printed document, or a first line longer than the sample.
    return bool(_V1_HEAD.search(text) and _V1_USER.search(text) and _V1_TIME.search(text))


def _is_v1_status(obj: object) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("id_str"), str)
            and isinstance(obj.get("user"), dict) and "created_at" in obj)


def map_v1(tweet: object) -> Mapped:
    """Map one API v1.1 status object."""
    if not isinstance(tweet, dict):
        raise RecordError(f"expected a status object, found {type(tweet).__name__}")
    tweet_id = ident(tweet, "id_str", "id")
    if tweet_id is None:
        notice = next((n for n in STREAM_NOTICES if n in tweet), None)
        if notice:
            raise RecordError(f"a streaming {notice!r} notice, not a status")
        raise RecordError("no tweet id (id_str)")
    when, caveats = tweet_time(tweet, tweet_id)
    item_uid = uid(tweet_id)
    user = tweet.get("user") if isinstance(tweet.get("user"), dict) else {}
    retweeted = tweet.get("retweeted_status")
    retweeted = retweeted if isinstance(retweeted, dict) else None
    quoted = tweet.get("quoted_status") if isinstance(tweet.get("quoted_status"), dict) else None

    # A retweet's own text and entities are cut at 140 characters; the original has them whole.
    source = retweeted or tweet
    text, entities = v1_text(source), v1_entities(source)
    original_handle = (retweeted.get("user") or {}).get("screen_name") if retweeted else None
    if original_handle:
        text = f"RT @{original_handle}: {text}"
        entities.mentions = unique([original_handle, *entities.mentions])
    elif retweeted:
        text = v1_text(tweet)

    reply_id = ident(tweet, "in_reply_to_status_id_str", "in_reply_to_status_id")
    repost_id = ident(retweeted, "id_str", "id")
    quote_id = ident(tweet, "quoted_status_id_str", "quoted_status_id") or ident(
        quoted, "id_str", "id")
    media = v1_media(item_uid, entities.media)
    lat, lon = v1_point(tweet)
    handle = user.get("screen_name") or None
    item = Item(
        platform=PLATFORM,
        id=tweet_id,
        created_at=when,
        text=text,
        kind=kind_of(repost_id, reply_id, quote_id),
        url=tweet_url(tweet_id, handle),
        author_id=ident(user, "id_str", "id"),
        author_handle=handle,
        author_name=user.get("name") or None,
        lang=language(tweet.get("lang")),
        reply_to=uid(reply_id) if reply_id else None,
        repost_of=uid(repost_id) if repost_id else None,
        quote_of=uid(quote_id) if quote_id else None,
        mentions=entities.mentions,
        hashtags=entities.hashtags,
        links=entities.links,
        media=[m.key for m in media],
        likes=as_int(tweet.get("favorite_count")),
        reposts=as_int(tweet.get("retweet_count")),
        replies=as_int(tweet.get("reply_count")),
        lat=lat,
        lon=lon,
        place=v1_place(tweet),
        caveats=caveats,
    )
    accounts = [v1_author(user), v1_author((retweeted or {}).get("user")),
                v1_author((quoted or {}).get("user"))]
    return Mapped(item, _distinct(accounts), media)


def _distinct(authors: list[Author | None]) -> list[Author]:
    seen: dict[str, Author] = {}
    for author in authors:
        if author is not None:
            seen.setdefault(author.id, author)
    return list(seen.values())


@register
class TwitterV1(FileFormat):
    """API v1.1 statuses: JSON Lines, a JSON array, or a search response."""

    name = "twitter-v1"
    title = "Twitter/X API v1.1 statuses (JSON Lines)"
    platform = PLATFORM
    blank = ""

    def sniff(self, sample: Sample) -> bool:
        return sample.members is None and _v1_sniff(sample.head)

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        with payload.open() as stream:
            first = next((line for line in stream if line.strip()), b"")
        first_line = decode(first)[0].strip()
        head = _parsed(first_line)
        if isinstance(head, dict) and "statuses" in head:
            # Search responses saved one per line: cut each status out on its own.
            text, _ = decode(payload.read_bytes(), name=payload.name)
            yield from _line_records(text, "statuses", lambda page: {})
            return
        if not first_line or _is_jsonl(first_line):
            with payload.open() as stream:
                yield from jsonl_records(stream)
            return
        text, _ = decode(payload.read_bytes(), name=payload.name)
        if text.lstrip().startswith("["):
            yield from element_records(text)
            return
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            doc = None
        if (isinstance(doc, dict) and "statuses" in doc) or (doc is None and _SEARCH.match(text)):
            yield from element_records(text, ("statuses",))
            return
        try:
            start, end = _object_span(text, 0)
        except json.JSONDecodeError as exc:
            yield _bad_json("$", f"C0:{len(text)}", text, exc)
            return
        yield Record("$", f"C{start}:{end}", data=json.loads(text[start:end]))

    def map(self, record: Record) -> Mapped:
        return map_v1(record.data)


# -- v2 ----------------------------------------------------------------------------------------


def _v2_sniff(head: str) -> bool:
    text = head.lstrip()
    if not text.startswith("{"):
        return False
    try:
        obj = json.loads(_first_line(text))
    except json.JSONDecodeError:
        obj = None
    if isinstance(obj, dict):
        return _is_v2_response(obj) or _is_v2_flat(obj)
    try:
        obj = json.loads(text)  # a whole pretty-printed response that fits the sample
    except json.JSONDecodeError:
        return bool(_V2_DATA.match(text) and _V2_TWEET.search(text))
    return isinstance(obj, dict) and _is_v2_response(obj)


def _is_v2_tweet(obj: object) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"].isdigit()
            and isinstance(obj.get("text"), str) and "id_str" not in obj)


def _is_v2_response(obj: dict) -> bool:
    data = obj.get("data")
    first = data[0] if isinstance(data, list) and data else data
    if not _is_v2_tweet(first):
        return False
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    includes = obj.get("includes") if isinstance(obj.get("includes"), dict) else {}
    return (any(key in first for key in V2_TWEET_FIELDS) or any(k in meta for k in V2_META_FIELDS)
            or "users" in includes)


def _is_v2_flat(obj: dict) -> bool:
    """A tweet flattened by twarc2: its author inline, or twarc's own stamp."""
    if "data" in obj or not _is_v2_tweet(obj):
        return False
    return "__twarc" in obj or ("author_id" in obj and (
        isinstance(obj.get("author"), dict) or "edit_history_tweet_ids" in obj))


def index_includes(response: object) -> dict:
    """A response's ``includes`` by id: users, tweets, places by ``id``, media by ``media_key``."""
    includes = response.get("includes") if isinstance(response, dict) else None
    includes = includes if isinstance(includes, dict) else {}

    def by(kind: str, key: str) -> dict:
        values = includes.get(kind)
        values = values if isinstance(values, list) else []
        return {v[key]: v for v in values if isinstance(v, dict) and key in v}

    return {"users": by("users", "id"), "tweets": by("tweets", "id"),
            "media": by("media", "media_key"), "places": by("places", "id")}


def _page_records(text: str, start: int, key: str, where: str, context: dict,
                  value: object) -> Iterator[Record]:
    """One record per tweet of the page (response) at ``start``, with exact character spans."""
    if isinstance(value, dict):
        begin, end = _object_span(text, start, key)
        yield Record(f"{where}$.{key}", f"C{begin}:{end}", data=value, context=context)
        return
    for index, begin, end, element in array_elements(text, (key,), start=start):
        yield Record(f"{where}$.{key}[{index}]", f"C{begin}:{end}", data=element,
                     context=context)


def _line_records(text: str, key: str, context_of) -> Iterator[Record]:
    """Records of JSON Lines whose lines are pages holding their tweets under ``key``, or
    tweets; spans are characters of the whole text, so every tweet can be cut out alone."""
    for number, start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            continue
        locator, span = f"line {number}", f"C{start}:{end}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _bad_json(locator, span, line, exc)
            continue
        if isinstance(obj, dict) and key in obj:
            yield from _page_records(text, start, key, f"line {number} ", context_of(obj),
                                     obj[key])
        elif isinstance(obj, dict) and "id" not in obj and ("meta" in obj or "errors" in obj):
            continue  # a page without results: nothing to import
        else:
            yield Record(locator, span, data=obj)


def _v2_document_records(text: str) -> Iterator[Record]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None  # element_records says where it breaks; the tweets before that still count
    if isinstance(doc, list):
        yield from element_records(text)
    elif isinstance(doc, dict) and "data" not in doc:
        if "id" in doc:
            start, end = _object_span(text, 0)
            yield Record("$", f"C{start}:{end}", data=doc)
    elif isinstance(doc, dict) and isinstance(doc["data"], dict):
        yield from _page_records(text, 0, "data", "", index_includes(doc), doc["data"])
    else:
        yield from element_records(text, ("data",), context=index_includes(doc))


def map_v2(tweet: object, context: dict) -> Mapped:
    """Map one API v2 tweet; its author, media, place and referenced tweets come from
    ``context`` (the response's indexed includes), or inline when the tweet is flattened."""
    if not isinstance(tweet, dict):
        raise RecordError(f"expected a tweet object, found {type(tweet).__name__}")
    tweet_id = ident(tweet, "id")
    if tweet_id is None:
        raise RecordError("no tweet id")
    when, caveats = tweet_time(tweet, tweet_id)
    item_uid = uid(tweet_id)
    users, tweets = context.get("users", {}), context.get("tweets", {})
    user = _v2_user(tweet, users)
    refs = {ref.get("type"): ref for ref in _dicts(tweet.get("referenced_tweets"))}
    retweeted = _v2_referenced(refs.get("retweeted"), tweets)
    quoted = _v2_referenced(refs.get("quoted"), tweets)
    original_user = _v2_user(retweeted, users) if retweeted else {}

    # A retweet's own text is cut short; the included original has it whole.
    source = retweeted if retweeted and "text" in retweeted else tweet
    text, entities = _v2_text(source)
    if source is not tweet and original_user.get("username"):
        text = f"RT @{original_user['username']}: {text}"
    elif source is not tweet:
        text, entities = _v2_text(tweet)
    mentions = unique(m.get("username") for m in _dicts(entities.get("mentions")))
    if source is not tweet and original_user.get("username"):
        mentions = unique([original_user["username"], *mentions])
    media = _v2_media(item_uid, source, context.get("media", {}))
    if not media and source is not tweet:
        media = _v2_media(item_uid, tweet, context.get("media", {}))
    lat, lon, place = _v2_geo(tweet, context.get("places", {}))
    metrics = tweet.get("public_metrics") if isinstance(tweet.get("public_metrics"), dict) else {}
    reply_id = ident(refs.get("replied_to"), "id")
    repost_id = ident(refs.get("retweeted"), "id")
    quote_id = ident(refs.get("quoted"), "id")
    conversation = ident(tweet, "conversation_id")
    handle = user.get("username") or None
    item = Item(
        platform=PLATFORM,
        id=tweet_id,
        created_at=when,
        text=text,
        kind=kind_of(repost_id, reply_id, quote_id),
        url=tweet_url(tweet_id, handle),
        author_id=ident(tweet, "author_id") or ident(user, "id"),
        author_handle=handle,
        author_name=user.get("name") or None,
        lang=language(tweet.get("lang")),
        reply_to=uid(reply_id) if reply_id else None,
        repost_of=uid(repost_id) if repost_id else None,
        quote_of=uid(quote_id) if quote_id else None,
        conversation_id=uid(conversation) if conversation else None,
        mentions=mentions,
        hashtags=unique(h.get("tag") for h in _dicts(entities.get("hashtags"))),
        links=unique(u.get("expanded_url") or u.get("url") for u in _dicts(entities.get("urls"))
                     if "media_key" not in u),
        media=[m.key for m in media],
        likes=as_int(metrics.get("like_count")),
        reposts=as_int(metrics.get("retweet_count")),
        replies=as_int(metrics.get("reply_count")),
        views=as_int(metrics.get("impression_count")),
        lat=lat,
        lon=lon,
        place=place,
        caveats=caveats,
    )
    accounts = [_v2_author(user, item.author_id)]
    if retweeted:
        accounts.append(_v2_author(original_user, ident(retweeted, "author_id")))
    if quoted:
        accounts.append(_v2_author(_v2_user(quoted, users), ident(quoted, "author_id")))
    return Mapped(item, _distinct(accounts), media)


def _v2_user(tweet: dict, users: dict) -> dict:
    """The tweet's author: inline when flattened, else from the includes."""
    if isinstance(tweet.get("author"), dict) and tweet["author"]:
        return tweet["author"]
    found = users.get(tweet.get("author_id"))
    return found if isinstance(found, dict) else {}


def _v2_referenced(ref: dict | None, tweets: dict) -> dict | None:
    """A referenced tweet: from the includes, or the reference itself when flattened."""
    if ref is None:
        return None
    included = tweets.get(ref.get("id"))
    if isinstance(included, dict):
        return included
    return ref if "text" in ref else {}


def _v2_text(tweet: dict) -> tuple[str, dict]:
    """The whole text and its entities; a long tweet keeps them under ``note_tweet``."""
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        entities = note.get("entities") or tweet.get("entities") or {}
        return plain_text(note["text"]), entities if isinstance(entities, dict) else {}
    entities = tweet.get("entities")
    return plain_text(tweet.get("text")), entities if isinstance(entities, dict) else {}


def _v2_media(item_uid: str, tweet: dict, included: dict) -> list[Media]:
    attachments = tweet.get("attachments") if isinstance(tweet.get("attachments"), dict) else {}
    inline = {m.get("media_key"): m for m in _dicts(attachments.get("media"))}
    media = []
    for key in unique(k for k in attachments.get("media_keys") or [] if isinstance(k, str)):
        info = inline.get(key) or included.get(key) or {}
        kind = MEDIA_KINDS.get(info.get("type")) or MEDIA_KEY_KINDS.get(key.split("_")[0], "photo")
        media.append(Media(
            item_uid=item_uid,
            key=key,
            kind=kind,
            url=info.get("url") or best_variant(info.get("variants"))
            or info.get("preview_image_url"),
            width=as_int(info.get("width")),
            height=as_int(info.get("height")),
            alt=info.get("alt_text") or None,
        ))
    return media


def _v2_geo(tweet: dict, places: dict) -> tuple[float | None, float | None, str | None]:
    geo = tweet.get("geo") if isinstance(tweet.get("geo"), dict) else {}
    lat = lon = None
    point = geo.get("coordinates")
    values = point.get("coordinates") if isinstance(point, dict) else None
    if isinstance(values, list) and len(values) == 2:
        lon, lat = as_float(values[0]), as_float(values[1])
    place = places.get(geo.get("place_id")) or geo  # flattened tweets carry the place inline
    name = place.get("full_name") or place.get("name") if isinstance(place, dict) else None
    return lat, lon, name or None


def _v2_author(user: dict, fallback_id: str | None) -> Author | None:
    account_id = ident(user, "id") or fallback_id
    if account_id is None:
        return None
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    handle = user.get("username") or None
    return Author(
        platform=PLATFORM,
        id=account_id,
        handle=handle,
        name=user.get("name") or None,
        created_at=optional_time(user.get("created_at")),
        followers=as_int(metrics.get("followers_count")),
        following=as_int(metrics.get("following_count")),
        posts=as_int(metrics.get("tweet_count")),
        bio=user.get("description") or None,
        location=user.get("location") or None,
        url=profile_url(handle),
        verified=user.get("verified") if isinstance(user.get("verified"), bool) else None,
    )


def _dicts(values: object) -> list[dict]:
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


@register
class TwitterV2(FileFormat):
    """API v2 responses, one per file or one per line, or flattened tweets one per line."""

    name = "twitter-v2"
    title = "Twitter/X API v2 responses (JSON or JSON Lines)"
    platform = PLATFORM

    def sniff(self, sample: Sample) -> bool:
        return sample.members is None and _v2_sniff(sample.head)

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        # Spans are characters of the whole decoded file, so a tweet inside a long response
        # line can be cut out on its own.
        text, _ = decode(payload.read_bytes(), name=payload.name)
        if _is_jsonl(_first_line(text)):
            yield from _line_records(text, "data", index_includes)
        elif text.strip():
            yield from _v2_document_records(text)

    def map(self, record: Record) -> Mapped:
        return map_v2(record.data, record.context or {})
