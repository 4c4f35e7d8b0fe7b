"""Bluesky ``app.bsky.feed`` XRPC responses, saved as JSON: author feeds, searches and threads.

Three response shapes are read, each record with its exact span:

- ``getAuthorFeed`` ``{"feed": [{"post", "reply"?, "reason"?}], "cursor"}``: the ``post`` of each
  entry is an item; so are the full posts of its ``reply`` context (``root`` and ``parent``), which
  the analyst needs to read a reply. A repost entry (``reason`` ``#reasonRepost``) gives two items:
  the original post (by its author) and a ``repost`` item by the reposter, dated when the repost
  was indexed, pointing at the original with ``repost_of``. Its id is the repost record's at://
  uri when the response gives it (``reason.uri``, newer AppViews), else
  ``<post uri>/reposted-by/<did>`` with the caveat ``derived-id``. A pinned entry
  (``#reasonPin``) marks its post ``pinned``.
- ``searchPosts`` ``{"posts": [PostView], "cursor", "hitsTotal"}``: each post is an item.
- ``getPostThread`` ``{"thread": threadViewPost}``: every post in the tree (its ``parent`` chain
  and all nested ``replies``) is an item; each span is the node's ``post`` object, so spans never
  overlap. Deleted or blocked nodes (``#notFoundPost``, ``#blockedPost``) carry no post and give
  no item; the replies below them still point at their uri.

A post that appears more than once in one response (a self-thread's parent is also in the feed)
is read once, at its first place. Item ids are the post's at:// uri; urls are
``https://bsky.app/profile/<handle>/post/<rkey>``. Mentions are handles (the mention's text in
the post, located by the facet's UTF-8 byte offsets); the mentioned accounts are authors too.
Moderation labels on a post become caveats ``label:<value>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from workbench.collect import register
from workbench.collect.base import FileFormat, Payload, Record, Sample
from workbench.collect.jsonwalk import (
    Walk,
    member_spans,
    value_at,
    walk_array,
    walk_document,
    walk_object,
)
from workbench.collect.readers import decode
from workbench.collect.values import as_int, unique
from workbench.errors import RecordError
from workbench.models import Author, Item, Mapped, Media, make_uid
from workbench.timeutil import parse_time

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.defs#reasonRepost"
PIN = "app.bsky.feed.defs#reasonPin"
FACET = "app.bsky.richtext.facet#"
_SNIFF = re.compile(r'"\$type"\s*:\s*"app\.bsky\.feed\.(post|defs#threadViewPost)"')


class _Reader:
    """Walks one response and yields a record per post (and per repost)."""

    def __init__(self, text: str, context: dict):
        self.text = text
        self.context = context
        self.seen: set[str] = set()

    def document(self, pos: int) -> Walk:
        def visit(key: str, at: int) -> Walk | None:
            if key == "feed":
                return walk_array(self.text, at, lambda i, p: self.entry(p, f"$.feed[{i}]"))
            if key == "posts":
                return walk_array(self.text, at, lambda i, p: self.post(p, f"$.posts[{i}]"))
            if key == "thread":
                return self.thread(at, "$.thread")
            return None

        return (yield from walk_object(self.text, pos, visit))

    def post(self, pos: int, locator: str, context: dict | None = None) -> Walk:
        """One PostView; a deleted/blocked stand-in, or a purged post (null), yields nothing."""
        value, end = value_at(self.text, pos, locator)
        if isinstance(value, dict) and "record" in value:
            uri = value.get("uri")
            if uri not in self.seen:
                self.seen.add(uri)
                yield Record(locator, f"C{pos}:{end}", data=value,
                             context=context or self.context)
        return end

    def entry(self, pos: int, locator: str) -> Walk:
        """One feedViewPost: its post, the posts of its reply context, and its repost."""
        value, end = value_at(self.text, pos, locator)
        if not isinstance(value, dict):
            return end
        spans = member_spans(self.text, pos)
        reason = value.get("reason") if isinstance(value.get("reason"), dict) else {}
        post = value.get("post")
        if "post" in spans:
            pinned = {**self.context, "pinned": True} if reason.get("$type") == PIN else None
            yield from self.post(spans["post"][0], f"{locator}.post", pinned)
        if isinstance(value.get("reply"), dict):
            parts = member_spans(self.text, spans["reply"][0])
            for key in ("root", "parent"):
                if key in parts:
                    yield from self.post(parts[key][0], f"{locator}.reply.{key}")
        if reason.get("$type") == REPOST:
            start, stop = spans["reason"]
            subject = post if isinstance(post, dict) else {}
            yield Record(f"{locator}.reason", f"C{start}:{stop}", context=self.context, data={
                "reason": reason,
                "subject": {k: subject.get(k) for k in ("uri", "cid", "author")},
            })
        return end

    def thread(self, pos: int, pointer: str) -> Walk:
        """A threadViewPost: its post, its parent chain and its replies, depth first."""
        if self.text[pos : pos + 1] != "{":
            return value_at(self.text, pos)[1]

        def visit(key: str, at: int) -> Walk | None:
            if key == "post":
                return self.post(at, f"{pointer}.post")
            if key == "parent":
                return self.thread(at, f"{pointer}.parent")
            if key == "replies" and self.text[at : at + 1] == "[":
                return walk_array(self.text, at,
                                  lambda i, p: self.thread(p, f"{pointer}.replies[{i}]"))
            return None

        return (yield from walk_object(self.text, pos, visit))


@register
class BlueskyFeed(FileFormat):
    """Bluesky app.bsky.feed responses: getAuthorFeed, searchPosts, getPostThread."""

    name = "bluesky"
    title = "Bluesky XRPC JSON (app.bsky.feed getAuthorFeed, searchPosts, getPostThread)"
    platform = PLATFORM
    version = "1"

    def sniff(self, sample: Sample) -> bool:
        head = sample.head.lstrip("\ufeff \t\r\n")
        return (head.startswith("{") and '"at://did:' in head
                and _SNIFF.search(head) is not None)

    def records(self, payload: Payload, options: dict) -> Iterator[Record]:
        text, encoding = decode(payload.read_bytes(), name=payload.name)
        context = {} if encoding in ("utf-8", "utf-8-bom") else {"encoding": encoding}
        yield from walk_document(text, _Reader(text, context).document)

    def map(self, record: Record) -> Mapped:
        data = record.data
        if isinstance(data, dict) and "reason" in data and "subject" in data:
            return map_repost(data["reason"], data["subject"])
        return map_post(data, pinned=bool(record.context.get("pinned")))


def map_post(view: Any, *, pinned: bool = False) -> Mapped:
    """Map one PostView (``app.bsky.feed.defs#postView``)."""
    if not isinstance(view, dict):
        raise RecordError(f"a post must be an object, found {type(view).__name__}")
    uri = view.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise RecordError(f"post has no at:// uri: {uri!r}")
    author = _author(view.get("author"), "post author")
    record = view.get("record")
    if not isinstance(record, dict):
        raise RecordError("post has no record")
    caveats: list[str] = []
    if record.get("createdAt"):
        when, naive = parse_time(record["createdAt"], field="record.createdAt")
    else:
        when, naive = parse_time(view.get("indexedAt"), field="record.createdAt or indexedAt")
        caveats.append("indexed-time")
    if naive:
        caveats.append("naive-time")
    if pinned:
        caveats.append("pinned")
    caveats += [f"label:{label['val']}" for label in view.get("labels") or []
                if isinstance(label, dict) and label.get("val")]
    text = record.get("text") or ""
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    parent, root = _ref_uri(reply.get("parent")), _ref_uri(reply.get("root"))
    quoted = _quoted(record.get("embed"), view.get("embed"))
    mentions, hashtags, links, mentioned = _facets(text, record)
    links += [u for u in _external_links(record.get("embed")) if u not in links]
    uid = make_uid(PLATFORM, uri)
    media = _media(uid, record.get("embed"), view.get("embed"))
    langs = record.get("langs")
    item = Item(
        platform=PLATFORM, id=uri, created_at=when, text=text,
        kind="reply" if parent else "quote" if quoted else "post",
        url=post_url(author, uri),
        author_id=author.id, author_handle=author.handle, author_name=author.name,
        lang=langs[0] if isinstance(langs, list) and langs else None,
        reply_to=make_uid(PLATFORM, parent) if parent else None,
        quote_of=make_uid(PLATFORM, quoted[0]) if quoted else None,
        conversation_id=root or uri,
        mentions=mentions, hashtags=hashtags, links=links, media=[m.key for m in media],
        likes=as_int(view.get("likeCount")), reposts=as_int(view.get("repostCount")),
        replies=as_int(view.get("replyCount")), caveats=caveats,
    )
    authors = [author]
    if quoted and quoted[1]:
        authors.append(quoted[1])
    authors += mentioned
    return Mapped(item, _unique_authors(authors), media)


def map_repost(reason: Any, subject: Any) -> Mapped:
    """Map the repost of ``subject`` (a post's uri, cid and author) that ``reason`` describes."""
    if not isinstance(reason, dict):
        raise RecordError("repost reason must be an object")
    by = _author(reason.get("by"), "reposter")
    uri = subject.get("uri") if isinstance(subject, dict) else None
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise RecordError("reposted post has no at:// uri")
    when, naive = parse_time(reason.get("indexedAt"), field="reason.indexedAt")
    caveats = ["naive-time"] if naive else []
    ident = reason.get("uri")
    if not isinstance(ident, str) or not ident.startswith("at://"):
        ident = f"{uri}/reposted-by/{by.id}"
        caveats.append("derived-id")
    authors = [by]
    original = subject.get("author")
    original_author = _author(original, "original author") if isinstance(original, dict) else None
    if original_author:
        authors.append(original_author)
    item = Item(
        platform=PLATFORM, id=ident, created_at=when, kind="repost",
        url=post_url(original_author, uri) if original_author else None,
        author_id=by.id, author_handle=by.handle, author_name=by.name,
        repost_of=make_uid(PLATFORM, uri), caveats=caveats,
    )
    return Mapped(item, _unique_authors(authors))


def post_url(author: Author | None, uri: str) -> str:
    """The post's page on bsky.app (by handle, or by did when the handle is not valid)."""
    did, _, rkey = uri.removeprefix("at://").partition("/app.bsky.feed.post/")
    who = author.handle if author and author.handle else did
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def _author(profile: Any, what: str) -> Author:
    """A ProfileViewBasic as an author; its ``did`` is the stable id."""
    if not isinstance(profile, dict) or not profile.get("did"):
        raise RecordError(f"{what} has no did")
    handle = profile.get("handle")
    handle = handle if handle and handle != "handle.invalid" else None
    created = None
    if profile.get("createdAt"):
        try:
            created, _ = parse_time(profile["createdAt"], field="author.createdAt")
        except RecordError:
            created = None
    return Author(PLATFORM, profile["did"], handle=handle, name=profile.get("displayName") or None,
                  created_at=created, url=f"https://bsky.app/profile/{handle or profile['did']}")


def _unique_authors(authors: list[Author]) -> list[Author]:
    found: dict[str, Author] = {}
    for author in authors:
        found.setdefault(author.id, author)
    return list(found.values())


def _ref_uri(ref: Any) -> str | None:
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) and uri else None


def _quoted(embed: Any, view: Any) -> tuple[str, Author | None] | None:
    """The quoted post's uri (and author, when the view shows it), if the post quotes one."""
    if not isinstance(embed, dict):
        return None
    kind = embed.get("$type")
    ref = embed.get("record")
    if kind == "app.bsky.embed.recordWithMedia" and isinstance(ref, dict):
        ref = ref.get("record")
    elif kind != "app.bsky.embed.record":
        return None
    uri = _ref_uri(ref)
    if not uri or f"/{POST}/" not in uri:  # feeds, lists and starter packs are embedded too
        return None
    shown = view.get("record") if isinstance(view, dict) else None
    if isinstance(shown, dict) and "uri" not in shown:  # recordWithMedia#view: record#view inside
        shown = shown.get("record")
    author = None
    if isinstance(shown, dict) and shown.get("uri") == uri and isinstance(shown.get("author"),
                                                                          dict):
        try:
            author = _author(shown["author"], "quoted author")
        except RecordError:
            author = None
    return uri, author


def _facets(text: str, record: dict) -> tuple[list, list, list, list[Author]]:
    """Mentions, hashtags and links from the post's facets (and its extra ``tags``)."""
    raw = text.encode("utf-8")
    mentions: list[str] = []
    hashtags: list[str] = []
    links: list[str] = []
    mentioned: list[Author] = []
    for facet in record.get("facets") or []:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        for feature in facet.get("features") or []:
            kind = str(feature.get("$type", "")).removeprefix(FACET)
            if kind == "mention" and feature.get("did"):
                handle = _slice(raw, index).lstrip("@") or None
                mentions.append(handle or feature["did"])
                mentioned.append(Author(PLATFORM, feature["did"], handle=handle,
                                        url=f"https://bsky.app/profile/{feature['did']}"))
            elif kind == "link" and feature.get("uri"):
                links.append(str(feature["uri"]))
            elif kind == "tag" and feature.get("tag"):
                hashtags.append(str(feature["tag"]).lstrip("#"))
    hashtags += [str(tag).lstrip("#") for tag in record.get("tags") or [] if tag]
    return unique(mentions), unique(hashtags), unique(links), mentioned




def _slice(raw: bytes, index: dict) -> str:
    """The text between UTF-8 byte offsets, as facets count them."""
    try:
        start, end = int(index["byteStart"]), int(index["byteEnd"])
    except (KeyError, TypeError, ValueError):
        return ""
    return raw[start:end].decode("utf-8", errors="replace") if 0 <= start < end else ""


def _external_links(embed: Any) -> list[str]:
    if not isinstance(embed, dict):
        return []
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embed = embed.get("media") or {}
    external = embed.get("external") if embed.get("$type") == "app.bsky.embed.external" else None
    uri = external.get("uri") if isinstance(external, dict) else None
    return [uri] if uri else []


def _media(uid: str, embed: Any, view: Any) -> list[Media]:
    """Images and video from the record's embed, with the CDN urls of the embed's view."""
    embed = embed if isinstance(embed, dict) else {}
    view = view if isinstance(view, dict) else {}
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embed = embed.get("media") or {}
        view = view.get("media") or {}
    kind = embed.get("$type") or str(view.get("$type", "")).removesuffix("#view")
    if kind == "app.bsky.embed.images":
        records, shown = embed.get("images") or [], view.get("images") or []
        media = []
        for i in range(max(len(records), len(shown))):
            rec = records[i] if i < len(records) else {}
            seen = shown[i] if i < len(shown) else {}
            blob = rec.get("image") or {}
            key = _blob_cid(blob) or seen.get("fullsize")
            if key:
                media.append(Media(uid, key, "photo", url=seen.get("fullsize"),
                                   mime=blob.get("mimeType"),
                                   alt=rec.get("alt") or seen.get("alt") or None))
        return media
    if kind == "app.bsky.embed.video":
        blob = embed.get("video") or {}
        key = _blob_cid(blob) or view.get("cid") or view.get("playlist")
        if key:
            return [Media(uid, key, "video", url=view.get("playlist"), mime=blob.get("mimeType"),
                          alt=embed.get("alt") or view.get("alt") or None)]
    return []


def _blob_cid(blob: Any) -> str | None:
    if not isinstance(blob, dict):
        return None
    ref = blob.get("ref")
    if isinstance(ref, dict) and ref.get("$link"):
        return str(ref["$link"])
    return blob.get("cid")  # legacy blobs

