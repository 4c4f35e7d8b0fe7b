"""One tweet result of X's web API (GraphQL), mapped like the API formats map theirs.

A tweet result's ``legacy`` object is v1.1-shaped, so its entities, media, place and point are
read by the v1.1 helpers of :mod:`workbench.collect.twitter_common`. Around it: the long text of a
"note" tweet (``note_tweet.note_tweet_results.result``), the author
(``core.user_results.result``: the older ``legacy`` user fields, or the newer ``core``,
``relationship_counts``, ``tweet_counts``, ``profile_bio``, ``location`` ones), the view count,
the retweeted (``legacy.retweeted_status_result``) and quoted (``quoted_status_result``) tweets,
and cards: a poll's choices follow its text (``question [Yes / No]``, caveat ``poll``); a card's
web page joins the links, and a unified card's video the media. A tombstone, ``TweetUnavailable``
or an empty visibility wrapper is the record's error, in X's words.
"""

from __future__ import annotations

import json
import re
from typing import Any

from workbench.collect.twitter_common import (
    PLATFORM,
    Entities,
    distinct_authors,
    ident,
    kind_of,
    language,
    plain_text,
    tweet_time,
    tweet_url,
    uid,
    v1_author,
    v1_entities,
    v1_media,
    v1_place,
    v1_place_bbox,
    v1_point,
)
from workbench.collect.values import as_int, unique
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped

WRAPPER = "TweetWithVisibilityResults"
GONE = ("TweetTombstone", "TweetUnavailable")
_POLL = re.compile(r"^poll\d+choice")


def is_tweet(node: dict) -> bool:
    """A tweet result (not a bare ``{__typename, rest_id}`` reference to one)."""
    kind = node.get("__typename")
    if kind == "Tweet":
        return bool(set(node) - {"__typename", "rest_id", "id", "promoted"})
    if kind is not None:
        return False
    legacy = node.get("legacy")
    return isinstance(legacy, dict) and "full_text" in legacy  # older results, adaptive items


def is_gone(node: dict) -> bool:
    """A tweet X did not send: a tombstone or ``TweetUnavailable`` in its place."""
    return node.get("__typename") in GONE or (
        node.get("__typename") is None and isinstance(node.get("tombstone"), dict))


def map_web(tweet: Any, context: dict | None = None) -> Mapped:
    """Map one GraphQL tweet result (or a Zeeschuimer "adaptive" item: a v1.1 ``legacy`` status
    and its ``user``); ``context`` holds the caveats its timeline gave it (promoted, pinned)
    and a tombstone's tweet id."""
    context = context or {}
    if not isinstance(tweet, dict):
        raise RecordError(f"expected a tweet result, found {type(tweet).__name__}")
    if is_gone(tweet) or tweet.get("__typename") == WRAPPER:
        raise RecordError(_gone_reason(tweet, context.get("id")))
    legacy = tweet.get("legacy")
    if not isinstance(legacy, dict):
        raise RecordError("a tweet result without its legacy object")
    tweet_id = ident(tweet, "rest_id") or ident(legacy, "id_str")
    if tweet_id is None:
        raise RecordError("no tweet id (rest_id)")
    when, caveats = tweet_time(legacy, tweet_id)
    item_uid = uid(tweet_id)
    author = web_author(_user(tweet))
    retweeted = _result(legacy.get("retweeted_status_result"))
    quoted = _result(tweet.get("quoted_status_result"))
    original = web_author(_user(retweeted)) if retweeted else None

    # A retweet's own text and entities are cut short; the original has them whole.
    source = retweeted if retweeted and original and original.handle else tweet
    text, entities = _text(source)
    if source is not tweet:
        text = f"RT @{original.handle}: {text}"
        entities.mentions = unique([original.handle, *entities.mentions])
    links = entities.links
    media = v1_media(item_uid, entities.media)
    card = source.get("card") if isinstance(source.get("card"), dict) else {}
    choices = _poll(card)
    if choices:
        text = f"{text} [{' / '.join(choices)}]"
        caveats.append("poll")
    links = unique([*links, *_card_links(card, source)])
    media += [m for m in v1_media(item_uid, _card_media(card)) if m.key not in
              {known.key for known in media}]
    caveats += [c for c in context.get("caveats", []) if c not in caveats]
    if tweet.get("promoted") is True and "promoted" not in caveats:  # Zeeschuimer's mark
        caveats.append("promoted")

    reply_id = ident(legacy, "in_reply_to_status_id_str")
    repost_id = ident(retweeted, "rest_id") or ident(legacy, "retweeted_status_id_str") or ident(
        _result(legacy.get("retweeted_status_result"), any_tweet=True), "rest_id")
    quote_id = ident(legacy, "quoted_status_id_str") or ident(quoted, "rest_id")
    conversation = ident(legacy, "conversation_id_str")
    lat, lon = v1_point(legacy)
    views = tweet.get("views") if isinstance(tweet.get("views"), dict) else {}
    handle = author.handle if author else None
    item = Item(
        platform=PLATFORM,
        id=tweet_id,
        created_at=when,
        text=text,
        kind=kind_of(repost_id, reply_id, quote_id),
        url=tweet_url(tweet_id, handle),
        author_id=ident(legacy, "user_id_str") or (author.id if author else None),
        author_handle=handle,
        author_name=author.name if author else None,
        lang=language(legacy.get("lang")),
        reply_to=uid(reply_id) if reply_id else None,
        repost_of=uid(repost_id) if repost_id else None,
        quote_of=uid(quote_id) if quote_id else None,
        conversation_id=uid(conversation) if conversation else None,
        mentions=entities.mentions,
        hashtags=entities.hashtags,
        links=links,
        media=[m.key for m in media],
        likes=as_int(legacy.get("favorite_count")),
        reposts=as_int(legacy.get("retweet_count")),
        replies=as_int(legacy.get("reply_count")),
        views=as_int(views.get("count")),
        lat=lat,
        lon=lon,
        place=v1_place(legacy),
        place_bbox=v1_place_bbox(legacy),
        caveats=caveats,
    )
    accounts = [author, original, web_author(_user(quoted)) if quoted else None]
    return Mapped(item, distinct_authors(accounts), media)


def _gone_reason(tweet: dict, tweet_id: str | None) -> str:
    """Why X did not send the tweet, in its own words where it gave them."""
    kind = tweet.get("__typename") or "tombstone"
    tombstone = tweet.get("tombstone") if isinstance(tweet.get("tombstone"), dict) else {}
    words = tombstone.get("text")
    words = words.get("text") if isinstance(words, dict) else words
    reason = words or tweet.get("reason") or (
        "a visibility wrapper without its tweet" if kind == WRAPPER else None)
    which = f"tweet {tweet_id}" if tweet_id else "a tweet"
    return f"{which} is not available ({kind}{': ' + str(reason) if reason else ''})"


def _result(holder: Any, any_tweet: bool = False) -> dict | None:
    """The tweet inside a ``*_result`` holder, unwrapped; None when it is a tombstone (or, with
    ``any_tweet``, whatever names a rest_id)."""
    result = holder.get("result") if isinstance(holder, dict) else None
    if isinstance(result, dict) and isinstance(result.get("tweet"), dict):
        result = result["tweet"]
    if not isinstance(result, dict):
        return None
    if any_tweet or isinstance(result.get("legacy"), dict):
        return result
    return None


def _user(tweet: dict | None) -> dict | None:
    """The author object of a tweet result (or an adaptive item's v1.1 ``user``)."""
    if not isinstance(tweet, dict):
        return None
    for key in ("core", "author_results"):
        holder = tweet.get(key)
        if key == "core" and isinstance(holder, dict):
            holder = holder.get("user_results")
        result = holder.get("result") if isinstance(holder, dict) else None
        if isinstance(result, dict):
            return result
    user = tweet.get("user")
    return user if isinstance(user, dict) else None


def web_author(user: Any) -> Author | None:
    """The account of a GraphQL user result: its ``legacy`` fields, else the newer ones (``core``
    names, ``relationship_counts``, ``tweet_counts``, ``profile_bio``, ``location``)."""
    if not isinstance(user, dict) or user.get("__typename") == "UserUnavailable":
        return None
    if "screen_name" in user:  # a v1.1 user (Zeeschuimer's adaptive items)
        return v1_author(user)
    core = _dict(user.get("core"))
    counts = _dict(user.get("relationship_counts"))
    fields = {
        "id_str": ident(user, "rest_id"),
        "screen_name": core.get("screen_name"),
        "name": core.get("name"),
        "created_at": core.get("created_at"),
        "followers_count": counts.get("followers"),
        "friends_count": counts.get("following"),
        "statuses_count": _dict(user.get("tweet_counts")).get("tweets"),
        "description": _dict(user.get("profile_bio")).get("description"),
        "location": _dict(user.get("location")).get("location"),
        "verified": _dict(user.get("verification")).get("verified"),
    }
    fields.update({k: v for k, v in _dict(user.get("legacy")).items() if v not in (None, "")})
    if fields.get("id_str") is None:
        fields["id_str"] = ident(user, "rest_id")
    return v1_author(fields)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _note(tweet: dict) -> dict:
    result = _dict(_dict(_dict(tweet.get("note_tweet")).get("note_tweet_results")).get("result"))
    return result if isinstance(result.get("text"), str) else {}


def _text(tweet: dict) -> tuple[str, Entities]:
    """The whole text and its entities: a long tweet's ``note_tweet`` (sent as typed, not
    HTML-escaped), else the legacy ``full_text``; media always from the legacy object."""
    legacy = _dict(tweet.get("legacy"))
    entities = v1_entities(legacy)
    note = _note(tweet)
    if not note:
        return plain_text(legacy.get("full_text", legacy.get("text"))), entities
    noted = v1_entities({"entities": _dict(note.get("entity_set"))})
    entities.mentions = unique([*noted.mentions, *entities.mentions])
    entities.hashtags = unique([*noted.hashtags, *entities.hashtags])
    entities.links = unique([*noted.links, *entities.links])
    return note["text"], entities


def _bindings(card: dict) -> dict[str, Any]:
    legacy = _dict(card.get("legacy"))
    values = legacy.get("binding_values")
    if isinstance(values, dict):  # some clients send them as an object
        return values
    return {b["key"]: b.get("value") for b in values or [] if isinstance(b, dict) and "key" in b}


def _card_string(value: Any) -> str | None:
    text = _dict(value).get("string_value")
    return text if isinstance(text, str) else None


def _poll(card: dict) -> list[str]:
    """The choices of a poll card, in order."""
    if not _POLL.match(str(_dict(card.get("legacy")).get("name") or "")):
        return []
    bindings = _bindings(card)
    choices = []
    for number in range(1, 21):
        label = _card_string(bindings.get(f"choice{number}_label"))
        if label is None:
            break
        choices.append(label)
    return choices


def _card_links(card: dict, tweet: dict) -> list[str]:
    """The web page a card shows: its URL when not already a link or media of the tweet (whose
    expanded form is in the links), and a unified card's destinations."""
    if not card:
        return []
    legacy = _dict(tweet.get("legacy"))
    entities = _dict(legacy.get("entities"))
    shortened = {u.get("url") for key in ("urls", "media") for u in entities.get(key) or []
                 if isinstance(u, dict)}
    shortened |= {u.get("url") for u in _dict(_note(tweet).get("entity_set")).get("urls") or []
                  if isinstance(u, dict)}
    shortened |= {m.get("url") for m in _dict(legacy.get("extended_entities")).get("media") or []
                  if isinstance(m, dict)}
    links = []
    url = _dict(card.get("legacy")).get("url") or card.get("rest_id")
    if isinstance(url, str) and url.startswith(("http://", "https://")) and url not in shortened:
        links.append(url)
    for destination in _dict(_unified(card).get("destination_objects")).values():
        target = _dict(_dict(_dict(destination).get("data")).get("url_data")).get("url")
        if isinstance(target, str) and target.startswith(("http://", "https://")):
            links.append(target)
    return links


def _unified(card: dict) -> dict:
    """A unified card's description (JSON inside a string binding)."""
    raw = _card_string(_bindings(card).get("unified_card"))
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _card_media(card: dict) -> list[dict]:
    """A unified card's media entities (v1.1-shaped, with a video's variants)."""
    media = _dict(_unified(card).get("media_entities"))
    return [m for m in media.values() if isinstance(m, dict)]
