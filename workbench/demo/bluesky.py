"""``bluesky/searchPosts.json``: an ``app.bsky.feed.searchPosts`` response (``posts``, ``cursor``,
``hitsTotal``) with the pages of a search for "Botlek" merged, newest first.

Each post is a ``PostView``: ``uri`` (``at://<did>/app.bsky.feed.post/<tid>``), ``cid``,
``author`` (did, handle, displayName), ``record`` (the ``app.bsky.feed.post`` record: ``text``,
``createdAt``, ``langs``, ``facets`` with UTF-8 byte offsets, ``reply`` root/parent refs,
``embed``), the hydrated ``embed`` view, counts and ``indexedAt``. Bluesky has no reposts in
search results; quotes are ``app.bsky.embed.record`` embeds.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from workbench.demo import ids, people, posts, story
from workbench.demo.files import save
from workbench.demo.people import Persona
from workbench.demo.posts import Post

NAME = "bluesky/searchPosts.json"
FORMAT = "bluesky"
MIX = {"post": 0.6, "reply": 0.3, "quote": 0.1}
CDN = "https://cdn.bsky.app/img"


def _profile(person: Persona) -> dict:
    return {
        "did": person.uid, "handle": person.extra["handle"], "displayName": person.name,
        "avatar": f"{CDN}/avatar/plain/{person.uid}/{person.extra['avatar']}@jpeg",
        "associated": {"chat": {"allowIncoming": "following"}}, "labels": [],
        "createdAt": story.iso_z(person.created),
    }


def _shown(url: str) -> str:
    """Bluesky apps shorten a link in the text; the facet keeps the whole URL."""
    bare = url.split("://", 1)[1]
    return bare if len(bare) <= 28 else bare[:25] + "..."


def _record(post: Post) -> dict:
    parts = post.parts
    if post.kind == "reply" and parts and parts[0][0] == "mention":
        parts = parts[2:]  # replies thread by reference, not by a leading @mention
    text, spans = posts.render(parts, mention=lambda p: "@" + p.extra["handle"], link=_shown)
    record: dict = {"$type": "app.bsky.feed.post", "createdAt": story.iso_z(post.when)}
    embed = _embed_record(post)
    if embed:
        record["embed"] = embed
    facets = []
    for span in spans:
        start = len(text[: span.start].encode("utf-8"))
        end = start + len(span.shown.encode("utf-8"))
        if span.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        elif span.kind == "mention":
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": span.value.uid}
        else:
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        facets.append({"$type": "app.bsky.richtext.facet", "features": [feature],
                       "index": {"byteEnd": end, "byteStart": start}})
    if facets:
        record["facets"] = facets
    record["langs"] = [post.lang]
    if post.kind == "reply" and post.parent is not None:
        root = post.root
        record["reply"] = {"parent": {"cid": post.parent.extra["cid"], "uri": post.parent.uid},
                           "root": {"cid": root.extra["cid"], "uri": root.uid}}
    record["text"] = text
    return record


def _embed_record(post: Post) -> dict | None:
    if post.kind == "quote" and post.parent is not None:
        return {"$type": "app.bsky.embed.record",
                "record": {"cid": post.parent.extra["cid"], "uri": post.parent.uid}}
    if post.photos:
        return {"$type": "app.bsky.embed.images", "images": [
            {"alt": post.extra.get("alt", ""), "aspectRatio": {"height": 1536, "width": 2048},
             "image": {"$type": "blob", "ref": {"$link": blob}, "mimeType": "image/jpeg",
                       "size": size}} for blob, size in post.extra["blobs"]]}
    if post.links:
        return {"$type": "app.bsky.embed.external", "external": {
            "description": "", "title": "Brand Botlek: laatste nieuws",
            "uri": post.links[0]}}
    return None


def _embed_view(post: Post, record: dict) -> dict | None:
    embed = record.get("embed")
    if not embed:
        return None
    kind = embed["$type"]
    did = post.author.uid
    if kind == "app.bsky.embed.images":
        return {"$type": "app.bsky.embed.images#view", "images": [
            {"thumb": f"{CDN}/feed_thumbnail/plain/{did}/{image['image']['ref']['$link']}@jpeg",
             "fullsize": f"{CDN}/feed_fullsize/plain/{did}/{image['image']['ref']['$link']}@jpeg",
             "alt": image["alt"], "aspectRatio": image["aspectRatio"]}
            for image in embed["images"]]}
    if kind == "app.bsky.embed.external":
        return {"$type": "app.bsky.embed.external#view", "external": embed["external"]}
    quoted = post.parent
    assert quoted is not None
    return {"$type": "app.bsky.embed.record#view", "record": {
        "$type": "app.bsky.embed.record#viewRecord", "uri": quoted.uid,
        "cid": quoted.extra["cid"], "author": _profile(quoted.author),
        "value": quoted.extra["record"], "labels": [],
        "likeCount": quoted.likes, "replyCount": quoted.replies,
        "repostCount": quoted.reposts, "quoteCount": quoted.quotes,
        "indexedAt": quoted.extra["indexed"], "embeds": []}}


def build(rng: random.Random, count: int) -> list[Post]:
    cast = people.cast(rng, max(20, count // 4), cluster=8)
    people.joined_after(rng, cast, datetime(2023, 4, 20, tzinfo=UTC))
    for person in cast:
        person.uid = ids.did_plc(rng)
        person.extra["handle"] = (person.handle.lower() + ".bsky.social")
        person.extra["avatar"] = ids.cid(rng, raw=True)
    cluster = [p for p in cast if p.kind == "coordinated"]
    coordinated = posts.waves(rng, cluster, story.WAVES[1:3], reposts=0) if count >= 300 else []
    times = story.sample_times(rng, count - len(coordinated), decay=36)
    timeline = posts.merge_timelines(
        posts.converse(rng, cast, times, mix=MIX, tag_rate=0.4, link_rate=0.12,
                       photo_rate=0.05), coordinated)
    posts.engagement(rng, timeline)
    for post in timeline:
        post.uid = f"at://{post.author.uid}/app.bsky.feed.post/{ids.tid(rng, post.when)}"
        post.extra["cid"] = ids.cid(rng)
        post.extra["indexed"] = story.iso_z(post.when + timedelta(
            milliseconds=rng.randrange(150, 2500)))
        post.extra["blobs"] = [(ids.cid(rng, raw=True), rng.randrange(180_000, 900_000))
                               for _ in range(post.photos)]
    for post in timeline:
        post.extra["record"] = _record(post)
    return timeline


def write(out: Path, rng: random.Random, count: int) -> dict:
    """Write ``count`` post views; three are spoiled (no uri; no time at all; a time that
    cannot be)."""
    timeline = build(rng, count)
    views = []
    for post in sorted(timeline, key=lambda p: p.when, reverse=True):
        record = dict(post.extra["record"])
        view: dict = {"uri": post.uid, "cid": post.extra["cid"], "author": _profile(post.author),
                      "record": record}
        embed = _embed_view(post, record)
        if embed:
            view["embed"] = embed
        view.update({"replyCount": post.replies, "repostCount": post.reposts,
                     "likeCount": post.likes, "quoteCount": post.quotes,
                     "indexedAt": post.extra["indexed"], "labels": []})
        views.append(view)
    referenced = {p.parent.uid for p in timeline if p.parent is not None}
    spoilable = [v for v in views if v["uri"] not in referenced]
    malformed = 0
    if len(spoilable) >= 30:
        first, second, third = rng.sample(spoilable, 3)
        del first["uri"]
        del second["record"]["createdAt"], second["indexedAt"]
        third["record"]["createdAt"] = "2024-03-10T26:14:00.000Z"
        malformed = 3
    response = {"cursor": str(len(views)), "hitsTotal": len(views), "posts": views}
    save(out / NAME, json.dumps(response, ensure_ascii=False, separators=(",", ":")))
    return {NAME: {"format": FORMAT, "records": len(views), "malformed": malformed}}
