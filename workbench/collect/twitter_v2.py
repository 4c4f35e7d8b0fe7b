"""Twitter/X API v2 responses (``twitter-v2``).

API responses ``{"data": [...], "includes": {...}, "meta": {...}}``, one per file or one per line
(as ``twarc2 search`` writes them), or tweets already flattened one per line (``twarc2
flatten``). A v2 tweet names its author, media and place by id; the response's ``includes`` hold
them, and go in each record's context. A flattened tweet carries them inline instead.

Spans are characters of the whole decoded file, so a tweet inside a long response line can be cut
out on its own. A retweet's own text is cut short, so its item carries the included original's,
prefixed ``RT @handle:``; a long tweet's whole text is its ``note_tweet``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import element_records
from workbench.collect.readers import decode
from workbench.collect.twitter_common import (
    MEDIA_KEY_KINDS,
    MEDIA_KINDS,
    PLATFORM,
    bbox_of,
    best_variant,
    dicts,
    distinct_authors,
    ident,
    is_jsonl,
    kind_of,
    language,
    line_records,
    object_span,
    page_records,
    plain_text,
    profile_url,
    tweet_time,
    tweet_url,
    uid,
)
from workbench.collect.values import as_float, as_int, optional_time, unique
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped, Media

V2_TWEET_FIELDS = ("author_id", "edit_history_tweet_ids", "conversation_id", "public_metrics",
                   "referenced_tweets", "reply_settings", "possibly_sensitive")
V2_META_FIELDS = ("result_count", "newest_id", "oldest_id", "next_token")
_V2_DATA = re.compile(r'^\{\s*"data"\s*:\s*[\[{]')
_V2_TWEET = re.compile(r'"edit_history_tweet_ids"\s*:|"author_id"\s*:\s*"\d+"|"__twarc"\s*:')


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return ""


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


def _v2_document_records(text: str) -> Iterator[Record]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None  # element_records says where it breaks; the tweets before that still count
    if isinstance(doc, list):
        yield from element_records(text)
    elif isinstance(doc, dict) and "data" not in doc:
        if "id" in doc:
            start, end = object_span(text, 0)
            yield Record("$", f"C{start}:{end}", data=doc)
    elif isinstance(doc, dict) and isinstance(doc["data"], dict):
        yield from page_records(text, 0, "data", "", index_includes(doc), doc["data"])
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
    refs = {ref.get("type"): ref for ref in dicts(tweet.get("referenced_tweets"))}
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
    mentions = unique(m.get("username") for m in dicts(entities.get("mentions")))
    if source is not tweet and original_user.get("username"):
        mentions = unique([original_user["username"], *mentions])
    media = _v2_media(item_uid, source, context.get("media", {}))
    if not media and source is not tweet:
        media = _v2_media(item_uid, tweet, context.get("media", {}))
    lat, lon, place, place_bbox = _v2_geo(tweet, context.get("places", {}))
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
        hashtags=unique(h.get("tag") for h in dicts(entities.get("hashtags"))),
        links=unique(u.get("expanded_url") or u.get("url") for u in dicts(entities.get("urls"))
                     if "media_key" not in u),
        media=[m.key for m in media],
        likes=as_int(metrics.get("like_count")),
        reposts=as_int(metrics.get("retweet_count")),
        replies=as_int(metrics.get("reply_count")),
        views=as_int(metrics.get("impression_count")),
        lat=lat,
        lon=lon,
        place=place,
        place_bbox=place_bbox,
        caveats=caveats,
    )
    accounts = [_v2_author(user, item.author_id)]
    if retweeted:
        accounts.append(_v2_author(original_user, ident(retweeted, "author_id")))
    if quoted:
        accounts.append(_v2_author(_v2_user(quoted, users), ident(quoted, "author_id")))
    return Mapped(item, distinct_authors(accounts), media)


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
    inline = {m.get("media_key"): m for m in dicts(attachments.get("media"))}
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


def _v2_geo(tweet: dict, places: dict
            ) -> tuple[float | None, float | None, str | None, list[float] | None]:
    """The tweet's exact point, and its place's name and bounding box (from the page's
    ``includes.places``, or inline in flattened tweets)."""
    geo = tweet.get("geo") if isinstance(tweet.get("geo"), dict) else {}
    lat = lon = None
    point = geo.get("coordinates")
    values = point.get("coordinates") if isinstance(point, dict) else None
    if isinstance(values, list) and len(values) == 2:
        lon, lat = as_float(values[0]), as_float(values[1])
    place = places.get(geo.get("place_id")) or geo  # flattened tweets carry the place inline
    if not isinstance(place, dict):
        return lat, lon, None, None
    name = place.get("full_name") or place.get("name")
    shape = place.get("geo") if isinstance(place.get("geo"), dict) else {}
    return lat, lon, name or None, bbox_of(shape.get("bbox"))


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
        if is_jsonl(_first_line(text)):
            yield from line_records(text, "data", index_includes)
        elif text.strip():
            yield from _v2_document_records(text)

    def map(self, record: Record) -> Mapped:
        return map_v2(record.data, record.context or {})
