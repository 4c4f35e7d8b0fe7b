"""The X/Twitter "Download your data" archive (``twitter-archive``): the zip, or its tweets.js.

Each ``data/*.js`` file is a JavaScript assignment, ``window.YTD.tweets.part0 = [ ... ]``, of a
JSON array; older archives name the file ``tweet.js`` and leave out the ``{"tweet": ...}``
wrapper around each element. Large archives split the tweets into ``tweets-part1.js`` and so on.
Tweets are v1.1-shaped with every number written as a string, and carry no ``user``: the account
is described once, in ``account.js`` (and ``profile.js``). Media files sit in
``data/tweets_media/<tweet id>-<file name>``. Deleted tweets (``deleted-tweets.js``) and
community tweets (``community-tweet.js``) are read too; deleted ones are flagged ``deleted``.

A tweets.js imported on its own still finds its account and media when it sits in its archive
folder, next to ``account.js`` and ``tweets_media/``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import element_records
from workbench.collect.limits import Limits
from workbench.collect.readers import decode, excerpt, read_member, safe_members
from workbench.collect.text_interactions import INTERACTIONS_FROM_TEXT, repost_pointer
from workbench.collect.twitter_common import (
    PLATFORM,
    ident,
    is_status_link,
    kind_of,
    language,
    media_file_names,
    profile_url,
    tweet_time,
    tweet_url,
    uid,
    v1_entities,
    v1_media,
    v1_place,
    v1_place_bbox,
    v1_point,
    v1_text,
)
from workbench.collect.values import as_int, optional_time
from workbench.errors import ImportFormatError, RecordError
from workbench.models import Author, Item, Mapped

_TWEET_FILE = re.compile(r"(?:^|/)(tweets?|community-tweet|deleted-tweets)(?:-part(\d+))?\.js$")
_MEDIA_DIRS = ("tweets_media", "tweet_media", "community_tweet_media", "deleted_tweets_media")
_MEDIA_FILE = re.compile(rf"(?:^|/)(?:{'|'.join(_MEDIA_DIRS)})/(\d+)-([^/]+)$")
_YTD = re.compile(r"\s*window\.YTD\.(\w+)\.part(\d+)\s*=\s*")
_HEAD = re.compile(r"window\.YTD\.(?:tweets?|community_tweet|deleted_tweets)\.part\d+\s*=\s*\[")
_RETWEET = re.compile(r"^RT @(\w+):")
# Within one folder: the tweets first, then community tweets, then deleted ones, by part.
_ORDER = {"tweets": 0, "tweet": 0, "community-tweet": 1, "deleted-tweets": 2}


def tweet_files(names: list[str]) -> list[str]:
    """The archive members holding tweets, in reading order."""
    found = []
    for name in names:
        match = _TWEET_FILE.search(name)
        if match:
            folder = str(PurePosixPath(name).parent)
            found.append(((folder, _ORDER[match.group(1)], int(match.group(2) or 0)), name))
    return [name for _, name in sorted(found)]


def ytd_value(text: str) -> object:
    """The JSON value assigned by a ``window.YTD.<kind>.partN = ...`` file, or None."""
    match = _YTD.match(text)
    if match is None:
        return None
    try:
        return json.loads(text[match.end() :])
    except json.JSONDecodeError:
        return None


def ytd_records(text: str, *, member: str | None, context: dict) -> Iterator[Record]:
    """One record per element of a ``window.YTD`` array, spans in the decoded text."""
    match = _YTD.match(text)
    if match is None:
        if text.strip():
            where = member or "file"
            prefix = f"{member}|" if member else ""
            yield Record(where, f"{prefix}C0:{len(text)}", excerpt=excerpt(text),
                         error="not a window.YTD file: it should start 'window.YTD.tweets.part0 = ['")
        return
    yield from element_records(text, member=member, start=match.end(), context=context)


def _elements(value: object, key: str) -> list[dict]:
    """The ``{key: {...}}`` payloads of a window.YTD array."""
    if not isinstance(value, list):
        return []
    return [v[key] for v in value if isinstance(v, dict) and isinstance(v.get(key), dict)]


def account_info(read: Callable[[str], str | None]) -> dict | None:
    """The archive owner's account, from ``account.js`` and, when present, ``profile.js`` and
    the follower/following lists; ``read(file name)`` gives a data file's text or None."""
    accounts = _elements(ytd_value(read("account.js") or ""), "account")
    if not accounts or not ident(accounts[0], "accountId"):
        return None
    account = accounts[0]
    info = {
        "id": ident(account, "accountId"),
        "handle": account.get("username") or None,
        "name": account.get("accountDisplayName") or None,
        "created_at": account.get("createdAt"),
    }
    profiles = _elements(ytd_value(read("profile.js") or ""), "profile")
    description = profiles[0].get("description") if profiles else None
    if isinstance(description, dict):
        info["bio"] = description.get("bio") or None
        info["location"] = description.get("location") or None
    for kind, field in (("follower", "followers"), ("following", "following")):
        listed = ytd_value(read(f"{kind}.js") or "")
        if isinstance(listed, list):
            info[field] = len(_elements(listed, kind))
    return info


def media_index(names: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Media files by tweet id: ``{id: [(member, file name), ...]}``."""
    index: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(names):
        match = _MEDIA_FILE.search(name)
        if match:
            index.setdefault(match.group(1), []).append((name, match.group(2)))
    return index


def _open_zip(payload: Payload) -> zipfile.ZipFile | None:
    if payload.compression:
        data = io.BytesIO(payload.read_bytes())
        return zipfile.ZipFile(data) if zipfile.is_zipfile(data) else None
    return zipfile.ZipFile(payload.path) if zipfile.is_zipfile(payload.path) else None


def _zip_records(archive: zipfile.ZipFile, name: str, limits: Limits) -> Iterator[Record]:
    names = [info.filename for info in safe_members(archive, name=name) if not info.is_dir()]
    files = tweet_files(names)
    if not files:
        raise ImportFormatError(f"{name}: no data/tweets.js in this archive", path=name,
                                hint="is this the zip from X's 'Download an archive of your data'?")
    media = media_index(names)
    contexts: dict[str, dict] = {}
    present = set(names)
    for member in files:
        folder = str(PurePosixPath(member).parent)
        folder = "" if folder == "." else folder + "/"
        if folder not in contexts:
            def read(file: str, folder: str = folder) -> str | None:
                path = folder + file
                if path not in present:
                    return None
                return decode(read_member(archive, path, name=name, limits=limits), name=path)[0]

            contexts[folder] = {"account": account_info(read), "media": media}
        text, _ = decode(read_member(archive, member, name=name, limits=limits), name=member)
        yield from ytd_records(text, member=member, context=contexts[folder])


def _folder_context(folder: Path | None) -> dict:
    """Account and media beside a tweets.js imported on its own."""
    if folder is None or not folder.is_dir():
        return {"account": None, "media": {}}

    def read(file: str) -> str | None:
        path = folder / file
        return decode(path.read_bytes(), name=str(path))[0] if path.is_file() else None

    names = [f"{sub}/{path.name}" for sub in _MEDIA_DIRS if (folder / sub).is_dir()
             for path in (folder / sub).iterdir() if path.is_file()]
    return {"account": account_info(read), "media": media_index(names)}


def _archive_author(account: dict | None) -> Author | None:
    if not account:
        return None
    return Author(
        platform=PLATFORM,
        id=account["id"],
        handle=account.get("handle"),
        name=account.get("name"),
        created_at=optional_time(account.get("created_at")),
        followers=account.get("followers"),
        following=account.get("following"),
        bio=account.get("bio"),
        location=account.get("location"),
        url=profile_url(account.get("handle")),
    )


def _media_member(files: list[tuple[str, str]]) -> Callable[[dict, int], str | None]:
    """Finds a media entity's file among the tweet's files: by name, or the only one left."""
    def member_for(entity: dict, count: int) -> str | None:
        names = media_file_names(entity)
        for member, file_name in files:
            if file_name in names:
                return member
        return files[0][0] if count == 1 and len(files) == 1 else None

    return member_for


def map_archive(data: object, context: dict) -> Mapped:
    """Map one element of an archive's tweets.js."""
    tweet = data.get("tweet") if isinstance(data, dict) and "tweet" in data else data
    if not isinstance(tweet, dict):
        raise RecordError(f"expected a tweet object, found {type(tweet).__name__}")
    tweet_id = ident(tweet, "id_str", "id")
    if tweet_id is None:
        raise RecordError("no tweet id (id_str)")
    when, caveats = tweet_time(tweet, tweet_id)
    if tweet.get("deleted_at"):
        caveats.append("deleted")
    item_uid = uid(tweet_id)
    account = context.get("account") or {}
    text, entities = v1_text(tweet), v1_entities(tweet)

    # The archive keeps a retweet only as its "RT @user: ..." text; the original's id survives
    # only on its media, and its author among the mentions. Without media, the retweet points at
    # a uid made of the original's author and text (workbench.collect.text_interactions).
    retweeted = _RETWEET.match(text)
    original = None
    repost_id = None
    if retweeted:
        handle = retweeted.group(1).casefold()
        original = next((m for m in _mentions(tweet)
                         if str(m.get("screen_name", "")).casefold() == handle), None)
        repost_id = next((ident(m, "source_status_id_str", "source_status_id")
                          for m in entities.media if ident(m, "source_status_id_str")), None)
        if repost_id is None:  # the original's author and text then stand for it
            caveats.append(INTERACTIONS_FROM_TEXT)
    repost_of = uid(repost_id) if repost_id else (
        repost_pointer(PLATFORM, retweeted.group(1), text[retweeted.end():]) if retweeted else None)
    reply_id = ident(tweet, "in_reply_to_status_id_str", "in_reply_to_status_id")
    # A quote tweet is a tweet whose link points at another tweet; the archive keeps no more.
    quote_id = ident(tweet, "quoted_status_id_str", "quoted_status_id")
    if not quote_id and not retweeted:
        quote_id = next((found for link in reversed(entities.links)
                         if (found := is_status_link(link, tweet_id))), None)
    media = v1_media(item_uid, entities.media,
                     _media_member(context.get("media", {}).get(tweet_id, [])))
    lat, lon = v1_point(tweet)
    item = Item(
        platform=PLATFORM,
        id=tweet_id,
        created_at=when,
        text=text,
        kind=kind_of(retweeted, reply_id, quote_id),
        url=tweet_url(tweet_id, account.get("handle")),
        author_id=account.get("id"),
        author_handle=account.get("handle"),
        author_name=account.get("name"),
        lang=language(tweet.get("lang")),
        reply_to=uid(reply_id) if reply_id else None,
        repost_of=repost_of,
        quote_of=uid(quote_id) if quote_id else None,
        mentions=entities.mentions,
        hashtags=entities.hashtags,
        links=entities.links,
        media=[m.key for m in media],
        likes=as_int(tweet.get("favorite_count")),
        reposts=as_int(tweet.get("retweet_count")),
        lat=lat,
        lon=lon,
        place=v1_place(tweet),
        place_bbox=v1_place_bbox(tweet),
        caveats=caveats,
    )
    authors = [a for a in (_archive_author(context.get("account")), _mention_author(original))
               if a is not None]
    return Mapped(item, authors, media)


def _mentions(tweet: dict) -> list[dict]:
    mentions = (tweet.get("entities") or {}).get("user_mentions")
    return [m for m in mentions if isinstance(m, dict)] if isinstance(mentions, list) else []


def _mention_author(mention: dict | None) -> Author | None:
    account_id = ident(mention, "id_str", "id")
    if account_id is None or account_id == "-1":
        return None
    handle = mention.get("screen_name") or None
    return Author(platform=PLATFORM, id=account_id, handle=handle,
                  name=mention.get("name") or None, url=profile_url(handle))


@register
class TwitterArchive(FileFormat):
    """The archive zip from X's "Download your data", or one of its tweets files."""

    name = "twitter-archive"
    title = "X/Twitter data archive (zip, or data/tweets.js)"
    platform = PLATFORM

    def sniff(self, sample: Sample) -> bool:
        if sample.members is not None:
            return bool(tweet_files(sample.members))
        return bool(_HEAD.match(sample.head.lstrip()))

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        archive = _open_zip(payload)
        if archive is not None:
            with archive:
                yield from _zip_records(archive, payload.name, payload.limits)
            return
        text, _ = decode(payload.read_bytes(), name=payload.name)
        yield from ytd_records(text, member=None, context=_folder_context(payload.source_dir))

    def map(self, record: Record) -> Mapped:
        return map_archive(record.data, record.context or {})
