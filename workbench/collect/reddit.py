"""Reddit: listing JSON from the site (``reddit``) and Pushshift-style NDJSON dumps (``pushshift``).

``reddit`` reads what ``.json`` URLs return: a Listing (a subreddit's posts, a user's comments,
a search) ``{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {...}}]}}``, and a
submission page: an array of two Listings, the submission and its comment tree. Every comment in
the tree is an item; replies nest in their parent's ``replies`` Listing (``""`` when there are
none), and ``kind: "more"`` stubs (comments not loaded) are not items. A comment's span is its
whole element, so it holds the spans of its replies. ``pushshift`` reads dumps with one
submission or comment object per line, plain or zstandard-compressed.

Ids. An item's id is the thing's fullname, ``t3_`` (submission) or ``t1_`` (comment) and the
base-36 id, so a submission and a comment never clash. ``reply_to`` is the parent's fullname (the
submission for a top-level comment), ``conversation_id`` the submission's (a submission is its
own conversation).

Accounts. Reddit usernames are unique and never change, and every record carries one, while
``author_fullname`` (``t2_...``) is missing from older dumps: the username is the Author id.
An author ``[deleted]`` or a body ``[deleted]``/``[removed]`` keeps the item with the caveat
``deleted`` (``removed`` too when moderators removed it) and gives no author row; the
placeholder is not kept as text.

Text. The title is the item's title, the selftext or comment body its text, as markdown. Reddit
escapes ``&``, ``<`` and ``>`` as HTML entities in these fields (unless fetched with
``raw_json=1``); they are unescaped here, and nothing else is touched. ``reddit-api`` reads the
same JSON fetched with ``raw_json=1``, as PRAW always asks for it (the live collector's pages):
its text is as written and is not unescaped, so a post that says ``&lt;`` keeps saying it.
Both read ``/api/morechildren`` answers too (``{"json": {"data": {"things": [...]}}}``): the
comments behind a "more comments" stub.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import Walk, member_spans, value_at, walk_array, walk_document, walk_object
from workbench.collect.readers import decode, jsonl_records
from workbench.collect.values import as_int, optional_time, unique
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped, Media, make_uid
from workbench.timeutil import parse_time

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
GONE = {"[deleted]", "[removed]"}
KIND_NAMES = {"t1": "comment", "t2": "account", "t3": "submission", "t4": "message",
              "t5": "subreddit", "t6": "award", "more": "more-comments stub"}
GALLERY_KINDS = {"Image": "photo", "AnimatedImage": "gif", "RedditVideo": "video"}
# Domains whose links are the post's own media, not a page it links to.
MEDIA_DOMAINS = {"i.redd.it", "v.redd.it", "preview.redd.it", "reddit.com", "www.reddit.com"}

_LISTING = re.compile(r'"kind"\s*:\s*"Listing"')
_THING = re.compile(r'^\s*\{\s*"kind"\s*:\s*"t[13]"')
_MORE_CHILDREN = re.compile(r'\{\s*"json"\s*:')
_SUBREDDIT = re.compile(r'"subreddit"\s*:')
_CREATED = re.compile(r'"created_utc"\s*:')
_TEXT = re.compile(r'"(?:body|selftext|title)"\s*:')
# u/name or /u/name, not inside a longer word or a URL path.
_USER = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})\b")
_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")


def _unescape(value: object, escaped: bool = True) -> str:
    """Undo the escaping Reddit applies to text fields (``&amp;``, ``&lt;``, ``&gt;`` only), once;
    text fetched with ``raw_json=1`` (``escaped=False``) is not escaped and is kept as it is."""
    if not isinstance(value, str):
        return ""
    if not escaped:
        return value
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _base_id(data: dict, kind: str) -> str:
    """The base-36 id: ``id``, or the part of ``name`` after its type prefix."""
    base = data.get("id")
    if isinstance(base, str) and base.startswith(f"{kind}_"):
        base = base[len(kind) + 1 :]
    if base in (None, "") or isinstance(base, bool | dict | list):
        name = data.get("name")
        base = name.split("_", 1)[1] if isinstance(name, str) and "_" in name else None
    if base is None:
        raise RecordError(f"{KIND_NAMES[kind]} has no id")
    return str(base)


def _guess_kind(data: dict) -> str | None:
    """t1 or t3 for a Pushshift object, which has no ``kind``: from its name or its fields."""
    name = data.get("name")
    if isinstance(name, str) and name[:3] in ("t1_", "t3_"):
        return name[:2]
    if "body" in data or "parent_id" in data:
        return "t1"
    if "title" in data or "selftext" in data or "num_comments" in data:
        return "t3"
    return None


def _fullname(value: object) -> str | None:
    return value if isinstance(value, str) and value[:3] in ("t1_", "t3_") else None


def _permalink(data: dict, kind: str, base: str) -> str | None:
    link = data.get("permalink")
    if isinstance(link, str) and link:
        return SITE + link if link.startswith("/") else link
    subreddit = data.get("subreddit")
    if not isinstance(subreddit, str) or not subreddit:
        return None
    if kind == "t3":
        return f"{SITE}/r/{subreddit}/comments/{base}/"
    link_id = _fullname(data.get("link_id"))
    return f"{SITE}/r/{subreddit}/comments/{link_id[3:]}/_/{base}/" if link_id else None


def _links(text: str) -> list[str]:
    # Markdown wraps URLs in (...) and [...]; trailing punctuation is the sentence's, not the URL's.
    return [url.rstrip(".,;:!?*_~") for url in _URL.findall(text)]


def _media(data: dict, item_uid: str, escaped: bool = True) -> list[Media]:
    """A gallery's images, a Reddit-hosted video, or an image post's image."""
    media: list[Media] = []
    metadata = data.get("media_metadata")
    if isinstance(metadata, dict) and metadata:
        gallery = (data.get("gallery_data") or {}).get("items") if isinstance(
            data.get("gallery_data"), dict) else None
        gallery = [g for g in gallery or [] if isinstance(g, dict)]
        captions = {g.get("media_id"): g.get("caption") for g in gallery}
        for key in [g.get("media_id") for g in gallery] or list(metadata):
            meta = metadata.get(key)
            if not isinstance(meta, dict) or meta.get("status") not in (None, "valid"):
                continue
            source = meta.get("s") if isinstance(meta.get("s"), dict) else {}
            url = source.get("u") or source.get("gif") or source.get("mp4")
            media.append(Media(item_uid, str(key), kind=GALLERY_KINDS.get(meta.get("e"), "file"),
                               url=_unescape(url, escaped) or None, mime=meta.get("m") or None,
                               width=as_int(source.get("x")), height=as_int(source.get("y")),
                               alt=captions.get(key) or None))
    hosted = data.get("secure_media") or data.get("media")
    video = hosted.get("reddit_video") if isinstance(hosted, dict) else None
    if isinstance(video, dict) and video.get("fallback_url"):
        url = _unescape(video["fallback_url"], escaped)
        media.append(Media(item_uid, "reddit_video", kind="video", url=url,
                           width=as_int(video.get("width")), height=as_int(video.get("height"))))
    url = _unescape(data.get("url_overridden_by_dest") or data.get("url"), escaped)
    if not media and (data.get("post_hint") == "image" or urlsplit(url).hostname == "i.redd.it"):
        name = PurePosixPath(urlsplit(url).path).name
        if name:
            kind = "gif" if name.lower().endswith(".gif") else "photo"
            media.append(Media(item_uid, name, kind=kind, url=url))
    return media


def map_thing(thing: object, kind: str | None = None, *, escaped: bool = True) -> Mapped:
    """Map one submission (t3) or comment (t1): a listing child ``{"kind", "data"}`` or its data.

    ``escaped``: the text fields hold Reddit's HTML escaping (False for ``raw_json=1`` JSON)."""
    if not isinstance(thing, dict):
        raise RecordError(f"expected a Reddit object, found {type(thing).__name__}")
    data = thing
    if isinstance(thing.get("data"), dict) and isinstance(thing.get("kind"), str):
        kind, data = thing["kind"], thing["data"]
    kind = kind or _guess_kind(data)
    if kind not in ("t1", "t3"):
        what = KIND_NAMES.get(kind, "unknown") if kind else "unknown"
        raise RecordError(f"Reddit kind {kind!r} ({what}) is not a submission or a comment")
    base = _base_id(data, kind)
    ident = f"{kind}_{base}"
    stamp = data.get("created_utc")
    created, naive = parse_time(stamp if stamp not in (None, "") else data.get("created"),
                                field="created_utc")
    item = Item(PLATFORM, ident, created, kind="post" if kind == "t3" else "comment",
                url=_permalink(data, kind, base), likes=as_int(data.get("score")))
    if naive:
        item.caveats.append("naive-time")
    body = data.get("selftext") if kind == "t3" else data.get("body")
    author = data.get("author")
    if author in GONE or body in GONE:
        item.caveats.append("deleted")
    if body == "[removed]" or data.get("removed_by_category"):
        item.caveats.append("removed")
    item.text = "" if body in GONE else _unescape(body, escaped)
    authors = []
    if isinstance(author, str) and author and author not in GONE:
        authors.append(Author(PLATFORM, author, handle=author, url=f"{SITE}/user/{author}/",
                              created_at=optional_time(data.get("author_created_utc"))))
        item.author_id = item.author_handle = author
    if kind == "t3":
        _submission(item, data, escaped)
    else:
        parent = _fullname(data.get("parent_id"))
        item.reply_to = make_uid(PLATFORM, parent) if parent else None
        item.conversation_id = _fullname(data.get("link_id"))
    words = f"{item.title or ''}\n{item.text}"
    item.mentions = unique(_USER.findall(words))
    item.links = unique([*item.links, *_links(words)])
    media = _media(data, item.uid, escaped)
    item.media = [m.key for m in media]
    if data.get("over_18"):
        item.caveats.append("nsfw")
    return Mapped(item, authors, media)


def _submission(item: Item, data: dict, escaped: bool) -> None:
    item.title = _unescape(data.get("title"), escaped) or None
    item.conversation_id = item.id
    item.replies = as_int(data.get("num_comments"))
    item.reposts = as_int(data.get("num_crossposts"))
    item.views = as_int(data.get("view_count"))
    parent = data.get("crosspost_parent")
    if _fullname(parent):
        item.kind, item.repost_of = "repost", make_uid(PLATFORM, parent)
    elif not data.get("is_self"):
        url = _unescape(data.get("url_overridden_by_dest") or data.get("url"), escaped)
        if url.startswith(("http://", "https://")) and urlsplit(url).hostname not in MEDIA_DOMAINS:
            item.links.append(url)


# -- listing JSON -------------------------------------------------------------------------------

def _listing(text: str, pos: int, pointer: str) -> Walk:
    """The things of the Listing at ``pos``, and the replies nested in them."""

    def in_data(key: str, at: int) -> Walk | None:
        if key != "children":
            return None
        return walk_array(text, at,
                          lambda i, p: _thing(text, p, f"{pointer}.data.children[{i}]"))

    return (yield from walk_object(
        text, pos, lambda key, at: walk_object(text, at, in_data) if key == "data" else None))


def _thing(text: str, pos: int, pointer: str) -> Walk:
    value, end = value_at(text, pos, pointer)
    kind = value.get("kind", "") if isinstance(value, dict) else ""
    if value is None or kind == "more":
        return end  # a purged record's null, or comments the page did not load
    if kind is not None:  # null: a purged comment whose kept replies are still below it
        yield Record(pointer, f"C{pos}:{end}", data=value)
    data = value.get("data") if isinstance(value, dict) else None
    replies = data.get("replies") if isinstance(data, dict) else None
    if isinstance(replies, dict) and isinstance(replies.get("data"), dict):
        data_at = member_spans(text, pos)["data"][0]
        replies_at = member_spans(text, data_at)["replies"][0]
        yield from _listing(text, replies_at, f"{pointer}.data.replies")
    return end


def _more_children(text: str, pos: int) -> Walk:
    """An /api/morechildren answer: ``{"json": {"errors": [], "data": {"things": [...]}}}``."""

    def things(key: str, at: int) -> Walk | None:
        if key != "things":
            return None
        return walk_array(text, at, lambda i, p: _thing(text, p, f"$.json.data.things[{i}]"))

    def in_json(key: str, at: int) -> Walk | None:
        return walk_object(text, at, things) if key == "data" else None

    return (yield from walk_object(
        text, pos, lambda key, at: walk_object(text, at, in_json) if key == "json" else None))


def _document(text: str, pos: int) -> Walk:
    if text[pos : pos + 1] == "[":  # a submission page: [submission Listing, comments Listing]
        return (yield from walk_array(text, pos, lambda i, p: _listing(text, p, f"$[{i}]")))
    if _THING.match(text, pos):  # one thing on its own
        return (yield from _thing(text, pos, "$"))
    if _MORE_CHILDREN.match(text, pos):
        return (yield from _more_children(text, pos))
    return (yield from _listing(text, pos, "$"))


@register
class RedditListing(FileFormat):
    """Reddit's own JSON: Listings, and submission pages with their comment trees."""

    name = "reddit"
    title = "Reddit listing JSON (subreddit, search, submission page with comments)"
    platform = PLATFORM

    def sniff(self, sample: Sample) -> bool:
        head = sample.head.lstrip("\ufeff \t\r\n")
        return sample.members is None and head[:1] in ("[", "{") and bool(_LISTING.search(head))

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        text, _ = decode(payload.read_bytes(), name=payload.name)
        yield from walk_document(text, lambda pos: _document(text, pos))

    def map(self, record: Record) -> Mapped:
        return map_thing(record.data)


@register
class RedditApiListing(RedditListing):
    """The same JSON fetched with ``raw_json=1`` (PRAW, the live collector): text not escaped.

    Never sniffed: a file does not say how it was fetched, so this is chosen by name."""

    name = "reddit-api"
    title = "Reddit API JSON fetched with raw_json=1 (PRAW; text not HTML-escaped)"

    def sniff(self, sample: Sample) -> bool:
        return False

    def map(self, record: Record) -> Mapped:
        return map_thing(record.data, escaped=False)


# -- Pushshift dumps ----------------------------------------------------------------------------

def _is_dump_object(obj: object) -> bool:
    if not isinstance(obj, dict):
        return False
    if isinstance(obj.get("data"), dict) and obj.get("kind") in ("t1", "t3"):
        return True
    return ("subreddit" in obj and ("created_utc" in obj or "created" in obj)
            and any(key in obj for key in ("body", "selftext", "title")))


@register
class PushshiftDump(FileFormat):
    """Pushshift-style dumps: one submission or comment per line, plain or ``.zst``."""

    name = "pushshift"
    title = "Reddit Pushshift dump (NDJSON of submissions or comments, .zst too)"
    platform = PLATFORM
    blank = ""

    def sniff(self, sample: Sample) -> bool:
        if sample.members is not None:
            return False
        lines = [line.strip() for line in sample.head.lstrip("\ufeff").split("\n", 3)[:3]]
        lines = [line for line in lines if line]
        if not lines or not lines[0].startswith("{"):
            return False
        for line in lines[:2]:
            try:
                return _is_dump_object(json.loads(line))
            except json.JSONDecodeError:
                continue  # a bad first line, or one longer than the sample
        first = lines[0]
        return bool(_SUBREDDIT.search(first) and _CREATED.search(first) and _TEXT.search(first)
                    and not _LISTING.search(first))

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        with payload.open() as stream:
            yield from jsonl_records(stream, max_line=payload.limits.field_size)

    def map(self, record: Record) -> Mapped:
        return map_thing(record.data)
