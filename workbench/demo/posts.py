"""Posts of the demo story, independent of platform: who says what, when, to whom, and where.

A post's text is a list of parts (plain text, hashtags, mentions, links) so that each platform's
writer can render it the way that platform does (t.co links, HTML, facets, entities) and compute
the offsets of its entities exactly.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from workbench.demo import phrases, story
from workbench.demo.people import Persona

_TAG = re.compile(r"(#\w+)")
MIX = {"post": 0.55, "reply": 0.22, "repost": 0.18, "quote": 0.05}


@dataclass(eq=False)
class Post:
    """One post; ``parent`` is what it replies to, reposts or quotes."""

    when: datetime
    author: Persona
    kind: str = "post"
    lang: str = "en"
    parts: list[tuple[str, object]] = field(default_factory=list)
    phase: str = "breaking"
    parent: Post | None = None
    place: story.Place | None = None
    exact: tuple[float, float] | None = None  # (lat, lon) when the device gave coordinates
    photos: int = 0
    coordinated: bool = False
    uid: str = ""
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    views: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def root(self) -> Post:
        """The post that started this post's conversation."""
        post = self
        while post.kind == "reply" and post.parent is not None:
            post = post.parent
        return post

    @property
    def tags(self) -> list[str]:
        return [str(value) for kind, value in self.parts if kind == "tag"]

    @property
    def mentioned(self) -> list[Persona]:
        return [value for kind, value in self.parts if kind == "mention"]  # type: ignore[misc]

    @property
    def links(self) -> list[str]:
        return [str(value) for kind, value in self.parts if kind == "link"]


@dataclass
class Span:
    """An entity in rendered text: ``text[start:end]`` shows ``value`` (code points)."""

    kind: str
    start: int
    end: int
    value: object
    shown: str


def split_tags(text: str) -> list[tuple[str, object]]:
    """Parts of a sentence: hashtags written inline become tag parts (punctuation ends a tag)."""
    parts: list[tuple[str, object]] = []
    for number, piece in enumerate(_TAG.split(text)):
        parts.append(("tag", piece[1:]) if number % 2 else ("text", piece))
    return _merge(parts)


def _merge(parts: list[tuple[str, object]]) -> list[tuple[str, object]]:
    merged: list[tuple[str, object]] = []
    for kind, value in parts:
        if kind == "text" and merged and merged[-1][0] == "text":
            merged[-1] = ("text", str(merged[-1][1]) + str(value))
        elif not (kind == "text" and value == ""):
            merged.append((kind, value))
    return merged


def render(
    parts: list[tuple[str, object]],
    *,
    mention: Callable[[Persona], str] = lambda p: "@" + p.handle,
    link: Callable[[str], str] = lambda url: url,
) -> tuple[str, list[Span]]:
    """The text of ``parts`` and where its entities stand, in code points."""
    text, spans = "", []
    for kind, value in parts:
        if kind == "text":
            shown = str(value)
        elif kind == "tag":
            shown = "#" + str(value)
        elif kind == "mention":
            shown = mention(value)  # type: ignore[arg-type]
        else:
            shown = link(str(value))
        if kind != "text":
            spans.append(Span(kind, len(text), len(text) + len(shown), value, shown))
        text += shown
    return text, spans


def original(rng: random.Random, when: datetime, author: Persona, lang: str, *,
             tag_rate: float, link_rate: float, mention_pool: list[Persona]) -> Post:
    """A post of the author's own: a sentence for the moment, maybe tags, a mention, a link."""
    phase = story.pick_phase(rng, when)
    text = phrases.sentence(rng, phase, lang, when, author.home.name)
    parts = split_tags(text)
    if mention_pool and rng.random() < 0.1:
        parts += [("text", " cc "), ("mention", rng.choice(mention_pool))]
    if rng.random() < (link_rate * 4 if author.kind == "news" else link_rate):
        dubious = phase == "rumour" and rng.random() < 0.4
        parts += [("text", " "), ("link", phrases.news_link(rng, when, dubious=dubious))]
    tags = phrases.hashtags(rng, phase, lang, when, rate=tag_rate)
    for tag in tags:
        parts += [("text", " "), ("tag", tag)]
    return Post(when, author, "post", lang, _merge(parts), phase)


def converse(
    rng: random.Random,
    people: list[Persona],
    times: list[datetime],
    *,
    mix: dict[str, float] = MIX,
    tag_rate: float = 0.5,
    link_rate: float = 0.12,
    geo_rate: float = 0.0,
    exact_rate: float = 0.3,
    photo_rate: float = 0.06,
    required_tag: str | None = None,
) -> list[Post]:
    """Posts at ``times`` by ``people``: originals, replies, reposts and quotes of earlier ones."""
    active = [p for p in people if p.weight > 0]
    cumulative = list(accumulate(p.weight for p in active))
    orgs = [p for p in active if p.is_org]
    kinds, kind_weights = list(mix), list(mix.values())
    posts: list[Post] = []
    for when in times:
        author = rng.choices(active, cum_weights=cumulative)[0]
        lang = author.lang
        if lang != "en" and rng.random() < (0.15 if lang in ("ar", "uk") else 0.25):
            lang = "en"
        kind = rng.choices(kinds, weights=kind_weights)[0]
        parent = _pick_parent(rng, posts, when, author) if kind != "post" and posts else None
        if parent is None or kind == "post":
            post = original(rng, when, author, lang, tag_rate=tag_rate, link_rate=link_rate,
                            mention_pool=orgs)
            if required_tag and required_tag not in post.tags:
                post.parts += [("text", " "), ("tag", required_tag)]
            if rng.random() < photo_rate:
                post.photos = rng.choice((1, 1, 1, 2))
            if rng.random() < geo_rate:
                post.place = author.home if rng.random() < 0.8 else rng.choice(story.LOCAL_PLACES)
                if rng.random() < exact_rate:
                    post.exact = (round(post.place.lat + rng.uniform(-0.012, 0.012), 6),
                                  round(post.place.lon + rng.uniform(-0.018, 0.018), 6))
        elif kind == "reply":
            text = phrases.reply(rng, lang, when, author.home.name)
            parts = [("mention", parent.author), ("text", " ")] + split_tags(text)
            post = Post(when, author, "reply", lang, _merge(parts), parent.phase, parent)
        elif kind == "quote":
            parts = split_tags(phrases.quote(rng, lang, when))
            post = Post(when, author, "quote", lang, parts, parent.phase, parent)
        else:
            post = Post(when, author, "repost", parent.lang, list(parent.parts), parent.phase,
                        parent)
        posts.append(post)
    return posts


def _pick_parent(rng: random.Random, posts: list[Post], when: datetime,
                 author: Persona) -> Post | None:
    """An earlier post to answer or share: recent and popular ones first, never a repost."""
    candidates = [p for p in posts[-300:] if p.kind != "repost" and p.author is not author
                  and (when - p.when) < timedelta(hours=30)]
    if not candidates:
        return None
    weights = [(1 + p.author.followers) ** 0.5 * (1 + p.replies + p.reposts) for p in candidates]
    parent = rng.choices(candidates, weights=weights)[0]
    parent.replies += 1  # provisional popularity, recounted by engagement()
    return parent


def waves(rng: random.Random, cluster: list[Persona], wave_times=story.WAVES, *,
          reposts: int = 5) -> list[Post]:
    """The coordinated cluster: each wave, every account posts the copypasta within minutes,
    then a few of them repost each other."""
    posts: list[Post] = []
    for number, start in enumerate(wave_times):
        wave = []
        for person in cluster:
            when = start + timedelta(seconds=rng.randrange(10, 420), milliseconds=rng.randrange(1000))
            text = phrases.coordinated_text(rng, number)
            post = Post(when, person, "post", "nl" if "liegen" in text else "en",
                        split_tags(text), "rumour", coordinated=True)
            if rng.random() < 0.3:
                post.parts += [("text", " "), ("link", phrases.news_link(rng, when, dubious=True))]
            wave.append(post)
        for _ in range(reposts):
            booster, source = rng.sample(wave, 2)
            when = max(booster.when, source.when) + timedelta(seconds=rng.randrange(30, 600))
            wave.append(Post(when, booster.author, "repost", source.lang, list(source.parts),
                             "rumour", source, coordinated=True))
        posts += wave
    return posts


def merge_timelines(*groups: list[Post]) -> list[Post]:
    """All posts in time order (stable, so a repost never precedes what it shares)."""
    return sorted((p for group in groups for p in group), key=lambda p: p.when)


def engagement(rng: random.Random, posts: list[Post]) -> None:
    """Counts of replies, reposts and quotes as seen in the data, plus likes and views beyond it."""
    for post in posts:
        post.replies = post.reposts = post.quotes = 0
    for post in posts:
        if post.parent is not None:
            if post.kind == "reply":
                post.parent.replies += 1
            elif post.kind == "repost":
                post.parent.reposts += 1
            elif post.kind == "quote":
                post.parent.quotes += 1
    for post in posts:
        if post.kind == "repost":
            continue
        reach = (1 + post.author.followers) ** 0.5
        post.likes = int(post.reposts * rng.uniform(2, 6) + reach * rng.random() * 1.5)
        post.reposts += int(reach * rng.random() * 0.2)
        post.views = int((post.likes + 3) * rng.uniform(25, 90))
