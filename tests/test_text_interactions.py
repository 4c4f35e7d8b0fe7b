"""Mentions, replies and reposts read from a post's text: the rules, their negative cases, and
how an item is filled and flagged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workbench.collect.text_interactions import (
    INTERACTIONS_FROM_TEXT,
    MENTIONS_FROM_TEXT,
    derive,
    is_pointer,
    pointer_author,
    read_text,
    reply_pointer,
    repost_pointer,
)
from workbench.models import Item


@pytest.mark.parametrize(("text", "author", "rest"), [
    ("RT @Origin: big news", "Origin", "big news"),
    ("RT @origin : big news", "origin", "big news"),
    ("RT @origin big news", "origin", "big news"),       # no colon
    ("RT: @origin big news", "origin", "big news"),
    ("rt @origin: big news", "origin", "big news"),
    ("  RT @origin:big news", "origin", "big news"),
    ("RT@origin: big news", "origin", "big news"),
    ("RT \uff20origin: big news", "origin", "big news"),  # a full-width at sign
    ("RT @origin", "origin", ""),
    ("RT @a: RT @b: nested", "a", "RT @b: nested"),      # a repost of a's repost of b
])
def test_a_leading_rt_is_a_repost_of_its_author(text, author, rest):
    found = read_text(text, "twitter")
    assert (found.repost_of, found.reposted_text, found.reply_to) == (author, rest, None)
    assert author in found.mentions  # as the platform's own mention list has it


@pytest.mark.parametrize("text", [
    "Lmfao RT @derrickswerve: natural hair",  # a comment before it: a mention, not a repost
    "ART @origin: sale",
    "RTX @origin: sale",
    "MT @origin: modified",
    "RT @abcdefghijklmnop: a handle too long for Twitter",
])
def test_not_a_repost(text):
    assert read_text(text, "twitter").repost_of is None


def test_a_leading_handle_is_a_reply_and_a_mention():
    found = read_text("@Bob thanks, and @carol too", "twitter")
    assert (found.reply_to, found.repost_of, found.mentions) == ("Bob", None, ["Bob", "carol"])
    assert read_text("  @bob hi", "twitter").reply_to == "bob"
    for text in (".@bob is right", '"@bob is right"', "hi @bob", "RT @bob: @carol hi"):
        assert read_text(text, "twitter").reply_to is None, text


@pytest.mark.parametrize(("text", "mentions"), [
    ("hi @Bob, @bob and @BOB again (@carol)", ["Bob", "carol"]),  # once each, as first written
    ("write to anna@example.org or a@b.com", []),                # e-mail addresses
    ("josé@example.org", []),
    ("x@y and me@ too", []),
    ("#@tag and $@cash and foo_@bar", []),
    ("@abcdefghijklmnop is sixteen letters", []),                  # longer than Twitter allows
    ("@abcdefghijklmno is fifteen", ["abcdefghijklmno"]),
    ("@anna@mastodon.social is not a Twitter handle", []),
    ("@proto://thing", []),
    ("東京@tokyo_news に", ["tokyo_news"]),                        # no space needed after CJK
    ("end of sentence @bob. Then @carol's turn!", ["bob", "carol"]),
    ("no at sign at all", []),
])
def test_mentions_follow_twitters_rules(text, mentions):
    assert read_text(text, "twitter").mentions == mentions


def test_handles_follow_each_platforms_characters():
    assert read_text("thanks @anna.k. and @bo_b", "instagram").mentions == ["anna.k", "bo_b"]
    assert read_text("thanks @anna.k. and @bo_b", "twitter").mentions == ["anna", "bo_b"]
    assert read_text("ask @anna@mastodon.social!", "mastodon").mentions == ["anna@mastodon.social"]
    assert read_text("see @alice.bsky.social", "bluesky").mentions == ["alice.bsky.social"]
    assert read_text("@abc and @durov", "telegram").mentions == ["durov"]  # at least five
    assert read_text("@a_handle_longer_than_fifteen", "x").mentions == []
    assert read_text("@a_handle_longer_than_fifteen", "forum").mentions == [
        "a_handle_longer_than_fifteen"]


def test_reposts_of_one_text_by_one_author_share_a_pointer():
    one = repost_pointer("twitter", "Origin", "Big  news &amp; more")
    assert one == repost_pointer("twitter", "origin", "big news & more")
    assert one != repost_pointer("twitter", "other", "big news & more")
    assert one != repost_pointer("twitter", "origin", "big news")
    assert one.startswith("twitter:from-text:@origin/")
    assert pointer_author(one) == "origin" and is_pointer(one)
    assert reply_pointer("twitter", "Bob", "7") != reply_pointer("twitter", "Bob", "8")
    assert pointer_author(reply_pointer("twitter", "Bob", "7")) == "bob"
    for uid in ("twitter:1234", "mastodon:host/5", None, float("nan")):
        assert pointer_author(uid) is None and not is_pointer(uid)


def item(text: str, **fields) -> Item:
    return Item(platform="twitter", id="9", created_at=datetime(2024, 3, 1, tzinfo=UTC), text=text,
                **fields)


def test_derive_fills_empty_fields_and_flags_them():
    rt = item("RT @Origin: big news via @Desk")
    assert derive(rt)
    assert rt.repost_of == repost_pointer("twitter", "origin", "big news via @Desk")
    assert (rt.kind, rt.reply_to, rt.mentions) == ("repost", None, ["Origin", "Desk"])
    assert rt.caveats == [MENTIONS_FROM_TEXT, INTERACTIONS_FROM_TEXT]

    reply = item("@bob agreed")
    assert derive(reply)
    assert (reply.kind, reply.reply_to) == ("reply", "twitter:from-text:@bob/re-9")

    plain = item("nothing to see, write to a@b.com")
    assert not derive(plain)
    assert (plain.mentions, plain.caveats, plain.kind) == ([], [], "post")


def test_derive_keeps_what_the_source_gave():
    given = item("RT @origin: hi @carol", mentions=["platform_said"], kind="share")
    assert derive(given)
    assert given.mentions == ["platform_said"]           # the platform's word stands
    assert given.kind == "share" and is_pointer(given.repost_of)
    assert given.caveats == [INTERACTIONS_FROM_TEXT]      # but not mentions-from-text

    repost = item("@bob look", repost_of="twitter:1", kind="repost")
    assert derive(repost)
    assert (repost.reply_to, repost.repost_of, repost.kind) == (None, "twitter:1", "repost")
    assert repost.mentions == ["bob"]                     # a repost is no reply

    only = item("RT @origin: hi @carol")
    assert derive(only, frozenset({"mentions"}))
    assert only.repost_of is None and only.mentions == ["origin", "carol"]
