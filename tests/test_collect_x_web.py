"""X/Twitter web API (GraphQL) responses: twscrape's recordings and Zeeschuimer's NDJSON."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from workbench.collect import get_format, sniff
from workbench.collect.base import Payload
from workbench.collect.readers import decode
from workbench.ingest_input import take_sample
from workbench.redact import parse_span

from .test_collect_twitter import authors, rows

DATA = Path(__file__).parent / "data" / "twitter" / "x-web"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "x-web"
needs_real = pytest.mark.skipif(not REAL.is_dir(),
                                reason="needs the shared X web responses (../shared/data)")

NOTE, QUOTING, QUOTED, VIDEO_PLACE, WRAPPED = (
    "2074976613713031490", "2074963269429661921", "2072535265533456878",
    "2074952020008591722", "2074955725571559685")
POLL, XDEV, RETWEET, RETWEETED, RT_QUOTED = (
    "1780666831310877100", "2244994945", "2079821023071907954", "2079814480427442556",
    "2079756440722665849")



def media(case, tweet_id: str) -> list[dict]:
    cursor = case.db.execute("SELECT * FROM media WHERE item_uid = ? ORDER BY rowid",
                             [f"twitter:{tweet_id}"])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def quarantine(case) -> list[tuple[str, str]]:
    return [tuple(r) for r in case.db.execute("SELECT locator, reason FROM quarantine")]


def record_text(case, sha: str, span: str) -> str:
    _, _, start, end = parse_span(span)
    return decode(case.raw_store.path(sha).read_bytes())[0][start:end]


@pytest.mark.parametrize("name", ["search.json", "poll_detail.json", "timelines.jsonl",
                                  "zeeschuimer-x.ndjson"])
def test_every_fixture_is_recognised(name):
    sample, _ = take_sample(DATA / name)
    assert sniff(sample).name == "x-web"


def test_other_twitter_files_are_not_taken_for_web_responses():
    fmt = get_format("x-web")
    for path in (DATA.parent).glob("*.json*"):
        assert not fmt.sniff(take_sample(path)[0]), path.name


def test_search_response_maps_tweets_quotes_wrappers_and_quarantines_a_tombstone(case):
    result = case.import_file(DATA / "search.json", progress=False)
    assert result.format == "x-web"
    # 5 entries + 2 quoted tweets + the tweet inside TweetWithVisibilityResults; the tombstone
    assert (result.imported, result.duplicates, result.quarantined) == (8, 0, 1)
    items = rows(case)

    note = items[NOTE]
    assert note.uid == f"twitter:{NOTE}" and note.kind == "post" and note.lang == "en"
    # The note tweet's whole text wins over the legacy full_text cut at 280 characters.
    assert note.text.endswith("Iceland (~60% of Tesla sales in Europe)") and len(note.text) > 400
    assert "https://t.co/" not in note.text
    assert note.url == f"https://twitter.com/piloly/status/{NOTE}"
    assert note.created_at == datetime(2026, 7, 8, 21, 59, 10, tzinfo=UTC)
    assert (note.likes, note.reposts, note.replies, note.views) == (312, 21, 11, 25900)
    assert note.conversation_id == f"twitter:{NOTE}"
    assert [m["kind"] for m in media(case, NOTE)] == ["photo"] * 4
    assert media(case, NOTE)[0]["url"] == "https://pbs.twimg.com/media/HMvMNUDXcAA3HY3.jpg"

    quoting, quoted = items[QUOTING], items[QUOTED]
    assert quoting.kind == "quote" and quoting.quote_of == f"twitter:{QUOTED}"
    assert quoted.author_handle == "teslascope"
    assert quoted.links == ["https://teslascope.com/software/2026.20.6.1"]  # expanded, card too

    place = items[VIDEO_PLACE]
    assert place.place == "Austin, TX" and place.lat is None
    [video] = media(case, VIDEO_PLACE)
    assert video["kind"] == "video" and (video["width"], video["height"]) == (3840, 2160)
    assert video["url"].startswith("https://video.twimg.com/amplify_video/2074951594332782592/")
    assert "3840x2160" in video["url"]  # the highest-bitrate MP4 of six variants

    assert items[WRAPPED].author_handle == "DirtyTesLa"  # unwrapped TweetWithVisibilityResults
    [(locator, reason)] = quarantine(case)
    assert locator.endswith(".entries[6].content.itemContent.tweet_results.result")
    assert reason == ("tweet 2074865573989892569 is not available (TweetTombstone: This Post was "
                      "deleted by the Post author. Learn more)")

    piloly = authors(case)["20472409"]  # the newer user shape: core, relationship_counts, ...
    assert (piloly.handle, piloly.name, piloly.location) == ("piloly", "Roland Pircher", "🇮🇹")
    assert (piloly.followers, piloly.following, piloly.posts) == (29524, 419, 16285)
    assert piloly.created_at == datetime(2009, 2, 9, 22, 11, 12, tzinfo=UTC)
    assert piloly.bio.startswith("Visualization of Tesla sales")

    again = case.import_file(DATA / "search.json", progress=False)
    assert (again.imported, again.duplicates, again.quarantined) == (0, 8, 0)


def test_each_tweet_is_cut_out_with_its_entry_and_purged_alone(case):
    case.import_file(DATA / "search.json", progress=False)
    found = {row["id"]: row for row in case.db.query("SELECT id, raw_sha256, raw_span FROM items")}
    entry = json.loads(record_text(case, found[QUOTING]["raw_sha256"], found[QUOTING]["raw_span"]))
    assert entry["entryId"] == f"tweet-{QUOTING}"
    inner = json.loads(record_text(case, found[QUOTED]["raw_sha256"], found[QUOTED]["raw_span"]))
    assert inner["rest_id"] == QUOTED

    case.purge(items=[f"twitter:{QUOTING}"], reason="test")
    left = {row["id"]: row for row in case.db.query("SELECT id, raw_sha256, raw_span FROM items")}
    assert QUOTING not in left and QUOTED in left and len(left) == 7
    for row in left.values():  # every kept tweet is still where its span says, as received
        kept = json.loads(record_text(case, row["raw_sha256"], row["raw_span"]))
        assert json.dumps(kept).count(row["id"]) >= 1
    text = decode(case.raw_store.path(left[QUOTED]["raw_sha256"]).read_bytes())[0]
    assert "Tesla software update 2026.20.6.1 is now rolling out" not in text
    assert "We noticed a new Tesla software update" in text


def test_poll_card_and_a_thread_module_read_each_tweet_once(case):
    result = case.import_file(DATA / "poll_detail.json", progress=False)
    # the poll, the module's 2 items and the quoted tweet inside the first (its second place
    # in the module is the same tweet again)
    assert (result.imported, result.duplicates, result.quarantined) == (4, 0, 0)
    poll = rows(case)[POLL]
    assert poll.text == "Bring back Vine? [Yes / No]" and poll.caveats == ["poll"]
    assert poll.links == []  # a poll's card:// address is not a web page
    elon = authors(case)["44196397"]  # the older user shape: legacy
    # the account is described twice in the response; the later description stands
    assert (elon.handle, elon.followers, elon.following, elon.posts) == (
        "elonmusk", 180999081, 574, 42513)


def test_json_lines_of_responses_with_retweets_and_a_pinned_tweet(case):
    result = case.import_file(DATA / "timelines.jsonl", progress=False)
    assert (result.imported, result.duplicates, result.quarantined) == (7, 0, 0)
    items = rows(case)
    retweet = items[RETWEET]
    assert retweet.kind == "repost" and retweet.repost_of == f"twitter:{RETWEETED}"
    assert retweet.text.startswith("RT @chrisparkX: Great guide on using the X API")
    assert retweet.mentions[0] == "chrisparkX" and retweet.author_id == XDEV
    original = items[RETWEETED]
    assert original.kind == "quote" and original.quote_of == f"twitter:{RT_QUOTED}"
    assert original.author_handle == "chrisparkX"
    # the quoted tweet of the first retweet is the second retweet's original: read once
    assert items["2079814622639469025"].repost_of == f"twitter:{RT_QUOTED}"
    assert items[RT_QUOTED].links == ["http://x.com/i/article/2079162061142335488"]
    assert items["2019881223666233717"].caveats == ["pinned"]
    assert items["1649263296434806785"].reply_to == "twitter:1649191520250245121"
    assert [m["kind"] for m in media(case, "1649263296434806785")] == ["gif"]
    assert items["1649191520250245121"].raw_locator.startswith("line 2 $.data.")


def test_zeeschuimer_items(case):
    result = case.import_file(DATA / "zeeschuimer-x.ndjson", progress=False)
    assert result.format == "x-web"
    assert (result.imported, result.duplicates, result.quarantined) == (5, 0, 0)
    items = rows(case)
    long = items["2085443586737283337"]
    assert long.raw_locator == "line 1 $.data"
    assert "1st & 2nd RD draft picks" in long.text  # the note text, as typed (not &amp;)
    assert long.links == ["https://x.com/Mets/status/2085424098121806183/video/1"]
    assert [m["kind"] for m in media(case, long.id)] == ["video"]
    quote = next(row for row in items.values() if row.kind == "quote")
    assert items[quote.quote_of.removeprefix("twitter:")].raw_locator == (
        "line 2 $.data.quoted_status_result.result")
    assert items["2085162701769048179"].caveats == ["promoted"]
    adaptive = items[POLL]  # an older "adaptive" item: a v1.1 status and user
    assert adaptive.text == "Bring back Vine?" and adaptive.author_handle == "elonmusk"
    span = case.db.execute("SELECT raw_sha256, raw_span FROM items WHERE id = ?",
                           [long.id]).fetchone()
    assert json.loads(record_text(case, *span))["item_id"] == long.id  # the whole item


def test_broken_lines_and_unavailable_tweets_are_quarantined_not_fatal(case, tmp_path):
    lines = (DATA / "zeeschuimer-x.ndjson").read_text(encoding="utf-8").splitlines()
    gone = {"nav_index": "3:41:1", "item_id": "1", "timestamp_collected": 1783600009000,
            "source_platform": "twitter.com", "source_platform_url": "https://x.com/home",
            "data": {"__typename": "TweetUnavailable", "reason": "Suspended"}}
    path = tmp_path / "capture.ndjson"
    empty = {**gone, "item_id": "2", "data": {"__typename": "Tweet", "rest_id": "2"}}
    path.write_text("\n".join([lines[0], '{"nav_index": "3:41:0", "data": {', json.dumps(gone),
                               json.dumps(empty), lines[1]]) + "\n", encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (3, 3)
    reasons = dict(quarantine(case))
    assert reasons["line 2"].startswith("invalid JSON")
    assert reasons["line 3 $.data"] == "a tweet is not available (TweetUnavailable: Suspended)"
    assert reasons["line 4"] == "a Zeeschuimer item without a tweet result in its data"
    again = case.import_file(path, progress=False)
    assert (again.imported, again.quarantined) == (0, 0)


def test_a_compact_response_on_one_line_is_read_as_json_lines(tmp_path):
    path = tmp_path / "one-line.json"
    doc = json.loads((DATA / "search.json").read_text(encoding="utf-8"))
    path.write_text(json.dumps(doc), encoding="utf-8")  # compact: one line, read as JSON Lines
    records = list(get_format("x-web").records(Payload("", path, path.name), {}))
    assert len(records) == 9 and all(r.locator.startswith("line 1 $.data.") for r in records)


# -- the real responses (development data) ----------------------------------------------------

REAL_COUNTS = {"card_poll.json": 31, "card_summary.json": 5, "manual_tweet_with_video_1.json": 11,
               "raw_community_tweets.json": 24, "raw_search.json": 25,
               "raw_tweet_details.json": 37, "raw_user_tweets.json": 41}


@needs_real
def test_real_responses_import_every_tweet(case):
    for name, count in REAL_COUNTS.items():
        result = case.import_file(REAL / name, progress=False)
        assert result.format == "x-web", name
        assert (result.imported, result.quarantined) == (count, 0), name
    assert case.db.execute("SELECT count(*) FROM items").fetchone()[0] == 174
    kinds = dict(case.db.execute("SELECT kind, count(*) FROM items GROUP BY kind").fetchall())
    assert kinds == {"post": 73, "quote": 30, "reply": 55, "repost": 16}
    items = rows(case)

    note = items[NOTE]
    assert len(note.text) == 473 and note.text.endswith("(~60% of Tesla sales in Europe)")
    assert items[POLL].text == "Bring back Vine? [Yes / No]"
    assert items[RETWEET].repost_of == f"twitter:{RETWEETED}"
    assert items[RETWEETED].quote_of == f"twitter:{RT_QUOTED}"
    # each reposted and quoted tweet the responses hold in full is an item of its own
    held = {i.repost_of for i in items.values() if i.repost_of}
    assert held <= {f"twitter:{i}" for i in items}
    card = items["1696922210588410217"]  # a unified card: its destination and its video
    assert card.links[0].startswith("https://fortnite.com/b/chapter4-season4")
    [video] = media(case, "1671508600538161153")
    assert video["url"].endswith("/vid/720x1280/ENfeGwtfyiYvpNy8.mp4?tag=12")
    assert items["1671508600538161153"].views == 3443243
    assert authors(case)["20472409"].followers == 29524  # an author of the newer shape

    again = [case.import_file(REAL / name, progress=False) for name in REAL_COUNTS]
    assert sum(r.imported for r in again) == 0 and sum(r.duplicates for r in again) == 174
