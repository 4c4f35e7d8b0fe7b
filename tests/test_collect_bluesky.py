"""Bluesky app.bsky.feed responses: author feed, search and thread, mapped, imported, odd cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from workbench.collect import get_format, sniff
from workbench.collect.base import Record, Sample
from workbench.collect.bluesky import map_post, map_repost
from workbench.collect.readers import decode
from workbench.errors import RecordError

from .conftest import DATA

FEED = DATA / "bluesky" / "getAuthorFeed.json"
SEARCH = DATA / "bluesky" / "searchPosts.json"
THREAD = DATA / "bluesky" / "getPostThread.json"
FMT = get_format("bluesky")

MAREN = "did:plc:6xzhxmurg55xsjdztq2weorw"
TOMAS = "did:plc:l6d7mp2wha6zrjujitdhkeok"
INES = "did:plc:nmosqbvu6wq744fi3nogj7if"
KOFI = "did:plc:oucnmehybtxa37gcpiwz32fp"


def at(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


PINNED = at(MAREN, "3kqkvvmv2zirk")
QUOTE = at(MAREN, "3kw4qvbhic4qg")
REPOSTED = at(INES, "3kclmzzlepiwm")
REPLY = at(MAREN, "3k3jrecgmclwb")
ROOT = at(TOMAS, "3khrgkbkvvhom")
QUOTED = at(KOFI, "3kkjvvvejcf4c")
REPOST_URI = f"at://{MAREN}/app.bsky.feed.repost/3kz3qm2f37jbi"


def items(case) -> dict:
    return {row.id: row for row in case.items().itertuples()}


def spans(case, path: Path) -> list[tuple[int, int, dict]]:
    """Each item's span cut from the decoded payload, parsed."""
    text, _ = decode(path.read_bytes())
    found = []
    for row in case.items().itertuples():
        start, end = map(int, row.raw_span.removeprefix("C").split(":"))
        found.append((start, end, json.loads(text[start:end])))
    return found


@pytest.mark.parametrize("path", [FEED, SEARCH, THREAD])
def test_sniffs_every_endpoint(path):
    assert sniff(Sample(path.name, path.read_text(encoding="utf-8")[:65536])).name == "bluesky"


def test_does_not_claim_telegram_or_plain_json():
    telegram = DATA / "telegram" / "channel" / "result.json"
    assert not FMT.sniff(Sample(telegram.name, telegram.read_text(encoding="utf-8")))
    assert not FMT.sniff(Sample("x.json", '[{"uri": "at://did:plc:x/app.bsky.feed.post/1"}]'))


# -- getAuthorFeed ---------------------------------------------------------------------------


def test_author_feed_items(case):
    result = case.import_file(FEED, progress=False)
    # pinned post (again at the end: read once), quote, reposted post + repost, reply + its root
    assert (result.format, result.imported, result.duplicates, result.quarantined) == (
        "bluesky", 6, 0, 0)
    found = items(case)
    assert set(found) == {PINNED, QUOTE, REPOSTED, REPOST_URI, REPLY, ROOT}
    assert found[PINNED].raw_locator == "$.feed[0].post"
    assert found[ROOT].raw_locator == "$.feed[3].reply.root"


def test_post_maps_every_field(case):
    case.import_file(FEED, progress=False)
    post = items(case)[PINNED]
    assert post.uid == f"bluesky:{PINNED}" and post.kind == "post"
    assert post.url == "https://bsky.app/profile/maren.bsky.social/post/3kqkvvmv2zirk"
    assert post.created_at == datetime(2024, 3, 14, 9, 21, 7, 412000, tzinfo=UTC)
    assert post.text.startswith("🔥 Smoke over the north pier")
    assert (post.author_id, post.author_handle, post.author_name) == (
        MAREN, "maren.bsky.social", "Maren Solberg 🌊")
    assert post.lang == "en"
    # Facets count UTF-8 bytes: the leading emoji (4 bytes) must not shift the mention.
    assert post.mentions == ["tomas.example.com"]
    assert post.hashtags == ["HarbourFire"]
    assert post.links == ["https://harbour.example.org/live"]
    assert (post.replies, post.reposts, post.likes) == (1, 4, 12)
    assert post.conversation_id == PINNED
    assert post.caveats == ["pinned"]
    assert len(post.media) == 2 and all(key.startswith("bafkrei") for key in post.media)
    media = case.db.execute("SELECT key, kind, url, mime, alt, member FROM media WHERE item_uid = ?"
                            " ORDER BY url", [post.uid]).fetchall()
    assert {m[0] for m in media} == set(post.media)
    first = next(m for m in media if m[4])
    assert first[1:3] == ("photo", f"https://cdn.bsky.app/img/feed_fullsize/plain/{MAREN}/"
                          f"{first[0]}@jpeg")
    assert first[3:] == ("image/jpeg", "Grey smoke above the pier, seen from the beach", None)


def test_repost_is_an_item_by_the_reposter(case):
    case.import_file(FEED, progress=False)
    found = items(case)
    repost = found[REPOST_URI]
    assert repost.kind == "repost" and repost.raw_locator == "$.feed[2].reason"
    assert repost.repost_of == f"bluesky:{REPOSTED}"
    assert (repost.author_id, repost.author_handle) == (MAREN, "maren.bsky.social")
    assert repost.created_at == datetime(2024, 3, 14, 9, 44, 31, 118000, tzinfo=UTC)
    assert repost.text == "" and repost.caveats == []
    original = found[REPOSTED]
    assert original.author_id == INES and original.kind == "post"
    assert original.links == ["https://news.example.co.uk/port-elwyn-fire"]  # link card


def test_reply_and_quote(case):
    case.import_file(FEED, progress=False)
    found = items(case)
    reply = found[REPLY]
    assert reply.kind == "reply"
    assert reply.reply_to == f"bluesky:{ROOT}" and reply.conversation_id == ROOT
    assert found[ROOT].author_handle == "tomas.example.com"
    quote = found[QUOTE]
    assert quote.kind == "quote"
    assert quote.quote_of == f"bluesky:{QUOTED}"
    assert len(quote.media) == 1  # the quote's own picture, not the quoted post's


def test_accounts_described_are_authors(case):
    case.import_file(FEED, progress=False)
    authors = {row.id: row for row in case.authors().itertuples()}
    assert set(authors) == {MAREN, TOMAS, INES, KOFI}  # kofi is only quoted, tomas mentioned too
    assert authors[KOFI].handle == "kofi-reports.bsky.social"
    assert authors[MAREN].name == "Maren Solberg 🌊"
    assert authors[MAREN].url == "https://bsky.app/profile/maren.bsky.social"
    assert authors[MAREN].created_at == datetime(2023, 5, 2, 11, 40, 13, 115000, tzinfo=UTC)


def test_feed_spans_are_exact_and_reimport_adds_nothing(case):
    first = case.import_file(FEED, progress=False)
    again = case.import_file(FEED, progress=False)
    assert (again.imported, again.duplicates, again.quarantined) == (0, first.imported, 0)
    for _, _, value in spans(case, FEED):
        assert "uri" in value or value["$type"] == "app.bsky.feed.defs#reasonRepost"


# -- searchPosts -----------------------------------------------------------------------------


def test_search_posts(case):
    result = case.import_file(SEARCH, progress=False)
    assert (result.imported, result.quarantined) == (3, 0)
    rows = case.items()
    video = rows[rows.author_handle == "kofi-reports.bsky.social"].iloc[0]
    assert video.hashtags == ["drone", "PortElwyn"]  # the record's extra tags
    media = case.db.execute("SELECT kind, url, mime, alt FROM media WHERE item_uid = ?",
                            [video.uid]).fetchone()
    assert media[0] == "video" and media[1].endswith("/playlist.m3u8")
    assert media[2:] == ("video/mp4", "Aerial view of smoke over the pier")
    japanese = rows[rows.lang == "ja"].iloc[0]
    assert japanese.hashtags == ["HarbourFire"] and japanese.text.endswith("🚒")
    labelled = rows[rows.lang == "he"].iloc[0]
    assert labelled.caveats == ["label:graphic-media"]
    assert labelled.text.startswith("שריפה בנמל")
    assert [value["uri"] for _, _, value in spans(case, SEARCH)] == list(rows.id)


# -- getPostThread ---------------------------------------------------------------------------


def test_thread_every_node_is_an_item(case):
    result = case.import_file(THREAD, progress=False)
    assert (result.imported, result.quarantined) == (5, 0)  # the blocked node carries no post
    rows = case.items().set_index("raw_locator")
    assert list(rows.index) == [
        "$.thread.parent.post", "$.thread.post", "$.thread.replies[0].post",
        "$.thread.replies[0].replies[0].post", "$.thread.replies[2].post",
    ]
    root, anchor = rows.loc["$.thread.parent.post"], rows.loc["$.thread.post"]
    assert root.kind == "post" and pd.isna(root.reply_to)
    assert anchor.reply_to == root.uid
    nested = rows.loc["$.thread.replies[0].replies[0].post"]
    assert nested.reply_to == rows.loc["$.thread.replies[0].post"].uid
    assert set(rows.conversation_id) == {root.id}
    assert pd.isna(nested.lang)  # langs: []
    # Each span is the node's post alone: none holds another.
    found = sorted(spans(case, THREAD))
    assert all(a[1] <= b[0] or b[1] <= a[0] for a in found for b in found if a is not b)
    assert {value["uri"] for _, _, value in found} == set(rows.id)


# -- odd cases -------------------------------------------------------------------------------


def test_crlf_and_bom(case, tmp_path):
    path = tmp_path / "thread.json"
    path.write_bytes(b"\xef\xbb\xbf" + THREAD.read_bytes().replace(b"\n", b"\r\n"))
    result = case.import_file(path, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("bluesky", 5, 0)
    assert {value["uri"] for _, _, value in spans(case, path)} == set(case.items().id)


def test_malformed_json_mid_thread_keeps_what_came_before(case, tmp_path):
    text = THREAD.read_text(encoding="utf-8")
    broken = text.replace('"text": "הבת שלי', '"text": הבת שלי', 1)
    path = tmp_path / "thread.json"
    path.write_text(broken, encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (4, 1)
    bad = case.quarantine().iloc[0]
    assert "$.thread.replies[2].post" in bad.locator
    start, end = map(int, bad.span.removeprefix("C").split(":"))
    assert end == len(broken) and broken[start] == "{"  # from the broken post's own start
    assert broken[start:start + 120].split('"uri": ')[1].startswith('"at://did:plc:mo3h7')


def test_malformed_json_in_search_results(case, tmp_path):
    text = SEARCH.read_text(encoding="utf-8")
    marker = '"text": "ポートエルウィン'
    path = tmp_path / "search.json"
    path.write_text(text.replace(marker, marker.replace('": "', '": '), 1), encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (1, 1)
    assert "$.posts[1]" in case.quarantine().locator.iloc[0]


def test_empty_feed(case, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('{"feed": []}', encoding="utf-8")
    result = case.import_file(path, progress=False, format="bluesky")
    assert (result.imported, result.quarantined) == (0, 0)


def test_repost_without_its_uri_gets_a_derived_id():
    feed = json.loads(FEED.read_text(encoding="utf-8"))
    entry = feed["feed"][2]
    reason = {k: v for k, v in entry["reason"].items() if k not in ("uri", "cid")}
    subject = {k: entry["post"][k] for k in ("uri", "cid", "author")}
    mapped = map_repost(reason, subject)
    assert mapped.item.id == f"{REPOSTED}/reposted-by/{MAREN}"
    assert mapped.item.caveats == ["derived-id"]
    assert [a.id for a in mapped.authors] == [MAREN, INES]


def test_post_time_falls_back_to_indexed_at_and_needs_one():
    view = json.loads(SEARCH.read_text(encoding="utf-8"))["posts"][1]
    del view["record"]["createdAt"]
    mapped = map_post(view)
    assert mapped.item.caveats == ["indexed-time"]
    assert mapped.item.created_at == datetime(2024, 3, 14, 12, 10, 3, 944000, tzinfo=UTC)
    del view["indexedAt"]
    with pytest.raises(RecordError, match="missing"):
        map_post(view)


def test_post_without_author_did_is_refused():
    view = json.loads(SEARCH.read_text(encoding="utf-8"))["posts"][0]
    view["author"] = {"handle": "nobody.bsky.social"}
    with pytest.raises(RecordError, match="no did"):
        FMT.map(Record("$.posts[0]", "C0:1", data=view))


def test_purge_of_a_repost_keeps_the_original(case):
    case.import_file(FEED, progress=False)
    case.purge(items=[f"bluesky:{REPOST_URI}"], reason="test")
    rows = case.items()
    assert REPOST_URI not in set(rows.id) and REPOSTED in set(rows.id)
    [sha] = set(rows.raw_sha256)
    redacted = case.raw_store.path(sha)
    assert '"reason": null' in redacted.read_text(encoding="utf-8")
    assert {value["uri"] for _, _, value in spans(case, redacted)} == set(rows.id)
    assert case.verify().ok
