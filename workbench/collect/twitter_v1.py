"""Twitter/X API v1.1 statuses (``twitter-v1``).

One status object per line (as twarc 1 and most collectors write them), or a JSON array of
statuses, or a search response ``{"statuses": [...]}`` (one per file, or one per line: each status
is then cut out on its own). Each status carries its ``user``, its ``entities``, and for a retweet
or a quote the original tweet whole. Messages the streaming API mixes in with statuses (deletes,
limits, ...) are not posts and are quarantined as such.

A retweet's own text and entities are cut at 140 characters, so its item carries the original's,
prefixed ``RT @handle:``; its authors are the retweeter and the original poster (and a quoted
tweet's poster).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import element_records
from workbench.collect.readers import decode, jsonl_records
from workbench.collect.twitter_common import (
    PLATFORM,
    bad_json,
    distinct_authors,
    ident,
    is_jsonl,
    kind_of,
    language,
    line_records,
    object_span,
    tweet_time,
    tweet_url,
    uid,
    v1_author,
    v1_entities,
    v1_media,
    v1_place,
    v1_place_bbox,
    v1_point,
    v1_text,
)
from workbench.collect.values import as_int, unique
from workbench.errors import RecordError
from workbench.models import Item, Mapped

# Messages the v1.1 streaming API mixes in with statuses.
STREAM_NOTICES = ("delete", "limit", "scrub_geo", "status_withheld", "user_withheld",
                  "disconnect", "warning")
_V1_HEAD = re.compile(r'"id_str"\s*:\s*"\d+"')
_V1_USER = re.compile(r'"user"\s*:\s*\{[^{}]*"screen_name"\s*:')
_V1_TIME = re.compile(r'"created_at"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [+-]\d{4}')
_SEARCH = re.compile(r'\s*\{\s*"statuses"\s*:')


def _parsed(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


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
        place_bbox=v1_place_bbox(tweet),
        caveats=caveats,
    )
    accounts = [v1_author(user), v1_author((retweeted or {}).get("user")),
                v1_author((quoted or {}).get("user"))]
    return Mapped(item, distinct_authors(accounts), media)


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
            yield from line_records(text, "statuses", lambda page: {})
            return
        if not first_line or is_jsonl(first_line):
            with payload.open() as stream:
                yield from jsonl_records(stream, max_line=payload.limits.field_size)
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
            start, end = object_span(text, 0)
        except json.JSONDecodeError as exc:
            yield bad_json("$", f"C0:{len(text)}", text, exc)
            return
        yield Record("$", f"C{start}:{end}", data=json.loads(text[start:end]))

    def map(self, record: Record) -> Mapped:
        return map_v1(record.data)
