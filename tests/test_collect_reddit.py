"""Reddit: listing JSON (subreddit, submission page with its comment tree) and Pushshift dumps."""

import json

import pandas as pd
import pytest
import zstandard

from workbench.collect import get_format, sniff
from workbench.collect.readers import decode
from workbench.collect.reddit import map_thing
from workbench.errors import RecordError
from workbench.ingest import take_sample

from .conftest import DATA

R = DATA / "reddit"
LISTING = R / "kesselvalley_new.json"
PAGE = R / "megathread_17m3k2x.json"
DUMP = R / "RC_kesselvalley_2023-11.ndjson"
THREAD = "reddit:t3_17m3k2x"
C1, C2, C3 = "reddit:t1_k7q2m1z", "reddit:t1_k7q3abc", "reddit:t1_k7q4def"
DELETED, UNDER_DELETED, HOSTILE = "reddit:t1_k7q6mno", "reddit:t1_k7q7pqr", "reddit:t1_k7q8stu"


def payload_text(case, sha) -> str:
    return decode(case.raw_store.path(sha).read_bytes())[0]


def record_text(case, row) -> str:
    start, end = map(int, row.raw_span[1:].split(":"))
    return payload_text(case, row.raw_sha256)[start:end]


def assert_spans_exact(case):
    """Every listing record's span is its thing, exactly, named by the item's id."""
    for row in case.items().itertuples():
        if row.raw_span.startswith("C"):
            assert json.loads(record_text(case, row))["data"]["name"] == row.id, row.uid


@pytest.fixture
def zst_dump(tmp_path):
    path = tmp_path / "RC_kesselvalley_2023-11.zst"
    path.write_bytes(zstandard.ZstdCompressor(level=19).compress(DUMP.read_bytes()))
    return path


def test_sniffing(zst_dump):
    assert sniff(take_sample(LISTING)[0]).name == "reddit"
    assert sniff(take_sample(PAGE)[0]).name == "reddit"
    assert sniff(take_sample(DUMP)[0]).name == "pushshift"
    sample, compression = take_sample(zst_dump)
    assert (sniff(sample).name, compression) == ("pushshift", "zstd")
    mastodon = DATA / "mastodon"
    for other in (mastodon / "timeline_home.json", mastodon / "search_kessel.json"):
        sample = take_sample(other)[0]
        assert not get_format("reddit").sniff(sample)
        assert not get_format("pushshift").sniff(sample)


def test_subreddit_listing_maps_every_field(case):
    result = case.import_file(LISTING, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("reddit", 7, 0)
    df = case.items().set_index("uid")
    post = df.loc[THREAD]
    assert (post.platform, post.id, post.kind) == ("reddit", "t3_17m3k2x", "post")
    assert post.title == "Road closures around the Kessel bridge fire – megathread"
    assert post.text == (
        "Please post verified closures only & include a source.\n\n"
        "* B27 closed between Kessel-Nord and the bridge (police, 09:25)\n"
        "* Ferry at Altkessel suspended\n\n"
        "Thanks u/alice_wren for the photos. Map: https://www.kesselvalley-herald.example/map")
    assert post.url == ("https://www.reddit.com/r/KesselValley/comments/17m3k2x/"
                        "road_closures_around_the_kessel_bridge_fire_megath/")
    assert post.created_at == pd.Timestamp("2023-11-02T09:20:00Z")
    assert (post.author_id, post.author_handle) == ("kv_moderator", "kv_moderator")
    assert post.conversation_id == "t3_17m3k2x" and pd.isna(post.reply_to)
    assert (post.likes, post.replies, post.reposts) == (412, 57, 0)
    assert post.mentions == ["alice_wren"] and post.hashtags == []
    assert post.links == ["https://www.kesselvalley-herald.example/map"]
    assert post.media == [] and post.caveats == [] and post.raw_locator == "$.data.children[6]"

    link = df.loc["reddit:t3_17m3x9d"]
    assert link.text == "" and link.links == [
        "https://www.kesselvalley-herald.example/news/2023/11/02/bridge-fire"]
    assert df.loc["reddit:t3_17m41qa"].media == ["8k2vq7x1m3yb1.jpeg"]
    assert df.loc["reddit:t3_17m41qa"].links == []  # the image is media, not a link
    assert df.loc["reddit:t3_17m4b9q"].media == ["f3k9x2m1qyb41", "p8d2w6n4ryb41",
                                                 "z1c5v7b9tyb41"]
    assert df.loc["reddit:t3_17m4q7k"].media == ["reddit_video"]
    crosspost = df.loc["reddit:t3_17m5c1z"]
    assert (crosspost.kind, crosspost.repost_of) == ("repost", "reddit:t3_17m4z8p")
    removed = df.loc["reddit:t3_17m5k4r"]
    assert removed.caveats == ["deleted", "removed"] and removed.text == ""
    assert removed.title.startswith("They are LYING") and removed.author_id == "throwaway_k8812"

    media = {m["uid"]: m for m in case.db["media"].rows}
    first = media["reddit:t3_17m4b9q#f3k9x2m1qyb41"]
    assert (first["kind"], first["mime"], first["width"], first["height"], first["alt"]) == \
        ("photo", "image/jpg", 4000, 3000, "Fire line at 11:00")
    assert "&amp;" not in first["url"] and "&format=pjpg&" in first["url"]
    assert media["reddit:t3_17m4b9q#z1c5v7b9tyb41"]["kind"] == "gif"
    video = media["reddit:t3_17m4q7k#reddit_video"]
    assert (video["kind"], video["width"]) == ("video", 1280)
    assert video["url"].startswith("https://v.redd.it/xk29d8e1m3yb1/DASH_720.mp4")
    author = case.authors().set_index("uid").loc["reddit:kv_moderator"]
    assert author.url == "https://www.reddit.com/user/kv_moderator/"
    assert_spans_exact(case)


def test_submission_page_every_comment_of_the_tree(case):
    case.import_file(LISTING, progress=False)
    result = case.import_file(PAGE, progress=False)
    # The submission again (a duplicate), and six comments; "more" stubs are not items.
    assert (result.imported, result.duplicates, result.quarantined) == (6, 1, 0)
    df = case.items().set_index("uid")
    comments = df[df.kind == "comment"]
    assert sorted(comments.index) == sorted([C1, C2, C3, DELETED, UNDER_DELETED, HOSTILE])
    assert (comments.conversation_id == "t3_17m3k2x").all()
    assert [df.loc[uid].reply_to for uid in (C1, C2, C3, UNDER_DELETED)] == \
        [f"reddit:{THREAD[7:]}", C1, C2, DELETED]
    top = df.loc[C1]
    assert top.text == ("Ferry at Altkessel is suspended until further notice (operator's site: "
                        "https://ferry-altkessel.example/news).")
    assert top.links == ["https://ferry-altkessel.example/news"]
    assert top.url == ("https://www.reddit.com/r/KesselValley/comments/17m3k2x/"
                       "road_closures_around_the_kessel_bridge/k7q2m1z/")
    assert (top.likes, top.author_id, top.raw_locator) == (57, "river_watcher",
                                                          "$[1].data.children[0]")
    assert df.loc[C3].raw_locator == ("$[1].data.children[0].data.replies.data.children[0]"
                                      ".data.replies.data.children[0]")
    assert df.loc[C3].text == "👍 also the bus replacement starts at 13:00"

    gone = df.loc[DELETED]
    assert gone.caveats == ["deleted"] and gone.text == ""
    assert pd.isna(gone.author_id) and pd.isna(gone.author_handle)
    assert "reddit:[deleted]" not in case.authors().uid.tolist()

    # A comment's span holds its replies' spans: records nest like the tree.
    spans = {uid: tuple(map(int, df.loc[uid].raw_span[1:].split(":"))) for uid in (C1, C2, C3)}
    assert spans[C1][0] < spans[C2][0] < spans[C3][0] < spans[C3][1] < spans[C2][1] < spans[C1][1]
    assert_spans_exact(case)


def test_hostile_text_is_kept_as_text(case):
    case.import_file(PAGE, progress=False)
    row = case.items().set_index("uid").loc[HOSTILE]
    assert row.text == ("<script>alert('pwned')</script> <img src=x onerror=alert(1)> the B27 is "
                        "open again?? \u200fהכביש פתוח\u200f / الطريق مفتوح 🔥 & u/kv_moderator "
                        "please check")
    assert row.mentions == ["kv_moderator"] and row.likes == -4


def test_pushshift_dump(case):
    case.import_file(PAGE, progress=False)
    result = case.import_file(DUMP, progress=False)
    assert (result.format, result.imported, result.duplicates, result.quarantined) == \
        ("pushshift", 3, 1, 1)  # the megathread's top comment again; a line cut off mid-write
    problem = case.quarantine().iloc[0]
    assert (problem.locator, problem.span) == ("line 4", "L4")
    assert problem.reason.startswith("invalid JSON")
    df = case.items().set_index("uid")
    removed = df.loc["reddit:t1_k7r1xyz"]
    assert removed.caveats == ["deleted", "removed"] and removed.text == ""
    assert removed.reply_to == HOSTILE and pd.isna(removed.author_id)
    nsfw = df.loc["reddit:t3_17m6h2n"]
    assert (nsfw.kind, nsfw.caveats, nsfw.media) == ("post", ["nsfw"], ["q2w4e6r8t0yb1.jpeg"])
    assert nsfw.title == "Burned deer found near the weir (NSFL)"
    rtl = df.loc["reddit:t1_k7r4uvw"]
    assert rtl.text.endswith("confirmed by police > 13:40") and rtl.raw_span == "L5"
    assert rtl.created_at == pd.Timestamp(1698923400, unit="s", tz="UTC")
    authors = case.authors().set_index("uid")
    assert authors.loc["reddit:ashfall_photo"].created_at == pd.Timestamp("2020-10-01", tz="UTC")


def test_zstandard_dump_is_the_same_dump(case, zst_dump):
    result = case.import_file(zst_dump, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("pushshift", 4, 1)
    again = case.import_file(DUMP, progress=False)
    assert (again.imported, again.duplicates) == (0, 4)
    assert case.db["payloads"].get(result.sha256)["compression"] == "zstd"
    case.purge(items=["reddit:t1_k7r1xyz"])
    assert case.verify().ok


def test_odd_files_bom_crlf_and_naive_times(case, tmp_path):
    crlf = tmp_path / "dump_crlf.ndjson"
    crlf.write_bytes(b"\xef\xbb\xbf" + DUMP.read_bytes().replace(b"\n", b"\r\n"))
    result = case.import_file(crlf, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("pushshift", 4, 1)
    listing = tmp_path / "listing_bom.json"
    listing.write_bytes(b"\xef\xbb\xbf" + LISTING.read_bytes())
    result = case.import_file(listing, progress=False)
    assert (result.format, result.imported) == ("reddit", 7)
    assert_spans_exact(case)

    broken_first = tmp_path / "RS_cut.ndjson"
    lines = DUMP.read_text(encoding="utf-8").splitlines()
    broken_first.write_text("\n".join([lines[3], lines[0], lines[2]]) + "\n", encoding="utf-8")
    assert sniff(take_sample(broken_first)[0]).name == "pushshift"

    line = json.loads(DUMP.read_text(encoding="utf-8").splitlines()[4])
    line.update(id="k7s0abc", created_utc="2023-11-02 14:05:00")  # a tool's naive local text
    odd = tmp_path / "naive.ndjson"
    odd.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    result = case.import_file(odd, format="pushshift", progress=False)
    assert result.notes == {"naive times taken as UTC": 1}
    assert case.items().set_index("uid").loc["reddit:t1_k7s0abc"].caveats == ["naive-time"]


def test_things_that_are_not_posts(case, tmp_path):
    path = tmp_path / "mixed.json"
    page = json.loads(PAGE.read_text(encoding="utf-8"))
    page[1]["data"]["children"].insert(0, {"kind": "t5", "data": {"display_name": "KesselValley",
                                                                  "name": "t5_2xk9q4"}})
    path.write_text(json.dumps(page), encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (7, 1)
    assert case.quarantine().reason.tolist() == [
        "Reddit kind 't5' (subreddit) is not a submission or a comment"]
    with pytest.raises(RecordError, match="submission has no id"):
        map_thing({"kind": "t3", "data": {"title": "x", "created_utc": 1}})
    with pytest.raises(RecordError, match="missing created_utc"):
        map_thing({"body": "hi", "id": "abc", "subreddit": "x"})


def test_purging_comments_of_a_nested_tree(case):
    case.import_file(PAGE, progress=False)
    body = "Ferry at Altkessel is suspended until further notice"
    # A leaf: its parents' spans end earlier now.
    case.purge(items=[C3])
    assert_spans_exact(case)
    # A parent whose reply is kept: its own values go, the reply stays as it was.
    case.purge(items=[C1])
    df = case.items().set_index("uid")
    assert C1 not in df.index and C2 in df.index
    text = payload_text(case, df.loc[C2].raw_sha256)
    assert body not in text and "river_watcher" not in text.split('"t1_k7q3abc"')[0]
    page = json.loads(text)  # still one JSON document
    first = page[1]["data"]["children"][0]
    assert first["kind"] is None and first["data"]["body"] is None
    assert first["data"]["replies"]["data"]["children"][0]["data"]["name"] == "t1_k7q3abc"
    assert_spans_exact(case)
    assert case.verify().ok
    # What remains reads back the same, the purged parent no longer a record.
    again = case.import_file(case.raw_store.path(df.loc[C2].raw_sha256), format="reddit",
                             progress=False)
    assert (again.imported, again.duplicates, again.quarantined) == (0, 5, 0)
