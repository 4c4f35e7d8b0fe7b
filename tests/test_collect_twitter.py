"""Twitter/X: the "Download your data" archive (zip or tweets.js), API v1.1 and API v2 files."""

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from workbench.collect import formats, get_format
from workbench.collect.base import Payload, Sample
from workbench.collect.readers import decode
from workbench.collect.twitter_archive import tweet_files, ytd_value
from workbench.errors import ImportFormatError, UnsafeArchiveError
from workbench.evidence import sha256_file
from workbench.ingest import take_sample
from workbench.redact import parse_span

DATA = Path(__file__).parent / "data" / "twitter"
ARCHIVE = DATA / "archive"
TWITTER = ("twitter-archive", "twitter-v1", "twitter-v2")

# The archive owner and the tweets of the fixtures (snowflake ids, matching their times).
LENA = "1089473370508703816"
A_PHOTO, A_REPLY, A_RT, A_QUOTE, A_HEBREW = (
    "1635554546747914933", "1635556382488587979", "1636060733061960136",
    "1642489554118615994", "1648926346417629875")
A_OLD, A_DELETED = "1376611417771358105", "1653326124476969575"
PHOTO_FILE = f"{A_PHOTO}-FrmFLHBMUAPTT0a.jpg"
S_GEO, S_LONG, S_RT, S_QUOTE, S_REPLY = (
    "1664261032352693028", "1664295954988915719", "1664543191182086755",
    "1664575511031934280", "1664616618239223178")
T_PHOTO, T_REPLY, T_RT, T_QUOTE, T_AR_REPLY, T_NO_TIME, T_LATER = (
    "1665609447132151182", "1665615164998910208", "1665648573987140026",
    "1665660017124060767", "1665680000326164454", "1665682658705545242",
    "1665686152572298352")


def build_archive(folder: Path, *, extra: dict[str, bytes] | None = None) -> Path:
    """The archive zip as X sends it: ``data/...`` members, media under data/tweets_media."""
    path = folder / "twitter-2023-06-10-3f9c2a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for file in sorted(ARCHIVE.rglob("*")):
            if file.is_file():
                out.write(file, file.relative_to(ARCHIVE).as_posix())
        for name, content in (extra or {}).items():
            out.writestr(name, content)
    return path


def rows(case) -> dict:
    """Items by tweet id; missing values as None, not NaN."""
    frame = case.items().astype(object)
    frame = frame.where(frame.notna(), None)
    return {row.id: row for row in frame.itertuples()}


def authors(case) -> dict:
    return {row.id: row for row in case.authors().itertuples()}


def record_text(case, sha: str, span: str) -> str:
    """The record a span names, cut from the stored payload."""
    member, kind, start, end = parse_span(span)
    data = case.raw_store.path(sha).read_bytes()
    if member:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = archive.read(member)
    text, _ = decode(data)
    if kind == "L":
        return "\n".join(text.split("\n")[start - 1 : end]).rstrip("\r")
    return text[start:end]


def payload(path: Path) -> Payload:
    return Payload("", path, path.name, path.parent)


# -- the archive ------------------------------------------------------------------------------


def test_archive_zip_maps_every_field(case, tmp_path):
    result = case.import_file(build_archive(tmp_path), progress=False)
    assert result.format == "twitter-archive"
    # tweets.js (5), tweets-part1.js (a repeat and 1 more), deleted-tweets.js (1)
    assert (result.imported, result.duplicates, result.quarantined) == (7, 1, 0)
    assert result.media_files == 1
    row = rows(case)[A_PHOTO]
    assert row.uid == f"twitter:{A_PHOTO}" and row.platform == "twitter" and row.kind == "post"
    assert row.text == ("Morning fog over the Sound 🌫️⛴️ Ferry still running on schedule. "
                        "#PlymouthSound #fog https://t.co/BOsrT5mH3D")
    assert row.url == f"https://twitter.com/lena_marsh_geo/status/{A_PHOTO}"
    assert (row.author_id, row.author_handle, row.author_name) == (
        LENA, "lena_marsh_geo", "Lena Marsh 🌊")
    assert row.created_at == datetime(2023, 3, 14, 8, 12, 45, tzinfo=UTC)
    assert row.lang == "en"
    assert row.hashtags == ["PlymouthSound", "fog"] and row.mentions == [] and row.links == []
    assert row.media == ["1635554545409841557"]
    assert (row.likes, row.reposts) == (14, 3)
    assert (row.lat, row.lon) == (50.3644, -4.1427)
    assert row.reply_to is row.repost_of is row.quote_of is row.place is None
    assert row.caveats == []
    assert row.raw_locator == "data/tweets.js $[0]"
    assert row.raw_span.startswith("data/tweets.js|C")

    media = case.db.execute("SELECT * FROM media WHERE item_uid = ?", [row.uid]).fetchone()
    media = dict(zip([c[0] for c in case.db.execute("SELECT * FROM media").description], media,
                     strict=True))
    assert media["kind"] == "photo" and (media["width"], media["height"]) == (2048, 1536)
    assert media["url"] == "https://pbs.twimg.com/media/FrmFLHBMUAPTT0a.jpg"
    assert media["member"] == f"data/tweets_media/{PHOTO_FILE}"
    assert media["sha256"] == sha256_file(ARCHIVE / "data" / "tweets_media" / PHOTO_FILE)
    assert case.media_store.exists(media["sha256"])

    lena = authors(case)[LENA]
    assert (lena.handle, lena.name, lena.location) == ("lena_marsh_geo", "Lena Marsh 🌊",
                                                       "Plymouth, UK")
    assert lena.bio == "Coastal geographer. Ferries, tides & harbour data. Views my own."
    assert lena.created_at == datetime(2019, 1, 27, 10, 41, 7, tzinfo=UTC)
    assert (lena.followers, lena.following) == (3, 2)
    assert lena.url == "https://twitter.com/lena_marsh_geo"


def test_archive_replies_retweets_quotes_and_deleted_tweets(case, tmp_path):
    case.import_file(build_archive(tmp_path), progress=False)
    items = rows(case)
    reply = items[A_REPLY]
    assert reply.kind == "reply" and reply.reply_to == "twitter:1635551002145844531"
    assert reply.mentions == ["tamar_ferry_co"]

    # The archive keeps a retweet as "RT @user: ..." text; the original's id is on its media.
    rt = items[A_RT]
    assert rt.kind == "repost" and rt.repost_of == "twitter:1636035156238212058"
    assert rt.text.startswith("RT @omar_haddad_news: ميناء الإسكندرية يعيد فتح الأرصفة")
    assert rt.mentions == ["omar_haddad_news"] and rt.hashtags == ["الإسكندرية"]
    assert (rt.lang, rt.reposts) == ("ar", 27)
    omar = authors(case)["2736618541"]
    assert (omar.handle, omar.name) == ("omar_haddad_news", "عمر حداد")

    quote = items[A_QUOTE]
    assert quote.kind == "quote" and quote.quote_of == "twitter:1642410375051149822"
    assert quote.text.startswith("Good thread on tide gauge data quality & why it matters 👇")
    assert quote.links == ["https://twitter.com/noalevi_tlv/status/1642410375051149822"]

    hebrew = items[A_HEBREW]
    assert hebrew.text == "שלום מנמל חיפה! 🇮🇱 הגאות הגיעה ל-1.2 מטר הבוקר 👩‍👩‍👧"
    assert hebrew.lang == "iw"

    older = items[A_OLD]
    assert older.raw_locator == "data/tweets-part1.js $[1]"
    assert "Spring tides on the 27th > 5.6 m!" in older.text
    assert older.links == ["https://tides.example.org/plymouth/2021-04"]
    assert items[A_DELETED].caveats == ["deleted"]
    assert items[A_DELETED].raw_locator == "data/deleted-tweets.js $[0]"


def test_archive_reimport_adds_nothing(case, tmp_path):
    path = build_archive(tmp_path)
    case.import_file(path, progress=False)
    again = case.import_file(path, progress=False)
    assert (again.imported, again.duplicates, again.quarantined) == (0, 8, 0)
    assert len(case.items()) == 7
    assert case.db.execute("SELECT count(*) FROM media").fetchone()[0] == 2


def test_tweets_js_alone_finds_its_account_and_media_beside_it(case):
    result = case.import_file(ARCHIVE / "data" / "tweets.js", progress=False)
    assert (result.format, result.imported, result.media_files) == ("twitter-archive", 5, 1)
    row = rows(case)[A_PHOTO]
    assert (row.author_id, row.author_handle) == (LENA, "lena_marsh_geo")
    assert row.raw_locator == "$[0]" and row.raw_span.startswith("C")
    member = case.db.execute("SELECT member, sha256 FROM media WHERE item_uid = ?",
                             [row.uid]).fetchone()
    assert member[0] == f"tweets_media/{PHOTO_FILE}" and member[1]


def test_old_tweet_js_with_bom_crlf_and_bare_tweets(case):
    raw = (DATA / "tweet.js").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfwindow.YTD.tweet.part0 = [") and b"\r\n" in raw
    result = case.import_file(DATA / "tweet.js", progress=False)
    assert (result.format, result.imported, result.quarantined) == ("twitter-archive", 2, 0)
    first, rt = rows(case)["1194821747648108669"], rows(case)["1194827844594778821"]
    assert first.text == ("Storm Kiara closed the Hoe foreshore tonight. Stay safe & stay back "
                          "from the edge 🌊🌊")
    # No account.js beside it: the tweets have no known author, but a stable permalink.
    assert first.author_id is None and first.author_handle is None
    assert first.url == "https://twitter.com/i/web/status/1194821747648108669"
    assert (first.likes, first.reposts) == (41, 17)
    # No media to carry the original's id: the original's author and text stand for it.
    assert rt.kind == "repost" and rt.repost_of.startswith("twitter:from-text:@samokafor_maps/")
    assert "interactions-from-text" in rt.caveats
    assert rt.mentions == ["samokafor_maps"] and rt.hashtags == ["Plymouth"]
    assert rt.links == ["https://maps.example.org/flood/plymouth"]
    assert authors(case)["15729463"].handle == "samokafor_maps"
    for item in (first, rt):
        data = json.loads(record_text(case, item.raw_sha256, item.raw_span))
        assert data["id_str"] == item.id


def test_tweet_files_are_read_in_part_order():
    names = ["data/deleted-tweets.js", "data/tweets-part2.js", "data/tweets_media/1-a.jpg",
             "data/tweets-part10.js", "data/tweets.js", "data/account.js", "data/tweets-part1.js",
             "data/like.js", "data/community-tweet.js"]
    assert tweet_files(names) == ["data/tweets.js", "data/tweets-part1.js", "data/tweets-part2.js",
                                  "data/tweets-part10.js", "data/community-tweet.js",
                                  "data/deleted-tweets.js"]


@pytest.mark.parametrize("evil", ["../outside.js", "/etc/cron.d/job", "data/../../up.js"])
def test_hostile_zip_is_refused(case, tmp_path, evil):
    path = build_archive(tmp_path, extra={evil: b"window.YTD.tweets.part0 = [ ]"})
    with pytest.raises(UnsafeArchiveError, match="points outside the archive"):
        case.import_file(path, progress=False)
    assert case.items().empty
    fmt = get_format("twitter-archive")
    with pytest.raises(UnsafeArchiveError):
        list(fmt.records(payload(path), {}))


def test_zip_without_tweets_is_not_an_archive(case, tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("result.json", "{}")
    assert not get_format("twitter-archive").sniff(take_sample(path)[0])
    with pytest.raises(ImportFormatError, match="no data/tweets.js"):
        list(get_format("twitter-archive").records(payload(path), {}))


def test_broken_tweets_js_keeps_the_tweets_before_the_break(case, tmp_path):
    text = (ARCHIVE / "data" / "tweets.js").read_text(encoding="utf-8")
    cut = text.index('"tweet"', text.index(A_QUOTE) - 2000)  # inside the 4th element
    broken = tmp_path / "tweets.js"
    broken.write_text(text[:cut] + '"tweet" : { "id_str" : "16', encoding="utf-8")
    result = case.import_file(broken, progress=False)
    assert (result.imported, result.quarantined) == (3, 1)
    problem = case.quarantine().iloc[0]
    assert problem.locator.startswith("line ") and "column" in problem.locator
    assert "invalid JSON" in problem.reason


def test_empty_files(case, tmp_path):
    empty = tmp_path / "tweets.js"
    empty.write_bytes(b"")
    with pytest.raises(ImportFormatError, match="empty"):
        case.import_file(empty, progress=False)
    with pytest.raises(ImportFormatError, match="empty"):
        case.import_file(empty, format="twitter-v1", progress=False)
    for name in TWITTER:
        assert list(get_format(name).records(payload(empty), {})) == []
    no_tweets = tmp_path / "data" / "tweets.js"
    no_tweets.parent.mkdir()
    no_tweets.write_text("window.YTD.tweets.part0 = [ ]", encoding="utf-8")
    result = case.import_file(no_tweets, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("twitter-archive", 0, 0)


# -- API v1.1 ---------------------------------------------------------------------------------


def test_v1_statuses_map_every_field(case):
    raw = (DATA / "statuses_v1.jsonl").read_bytes()
    assert raw.count(b"\r\n") == 8
    result = case.import_file(DATA / "statuses_v1.jsonl", progress=False)
    assert (result.format, result.imported, result.quarantined) == ("twitter-v1", 5, 3)
    items = rows(case)

    geo = items[S_GEO]
    assert (geo.kind, geo.author_id, geo.author_handle, geo.author_name) == (
        "post", "15729463", "samokafor_maps", "Sam Okafor")
    assert geo.text == "Survey done at Devil's Point ✅📍 #fieldwork #tides"
    assert geo.created_at == datetime(2023, 6, 1, 13, 22, 5, tzinfo=UTC)
    assert (geo.lat, geo.lon, geo.place) == (50.3601, -4.1598, "Plymouth, England")
    assert geo.hashtags == ["fieldwork", "tides"]
    assert (geo.likes, geo.reposts, geo.replies) == (12, 1, 0)
    assert geo.url == f"https://twitter.com/samokafor_maps/status/{S_GEO}"
    assert (geo.raw_locator, geo.raw_span) == ("line 1", "L1")

    long = items[S_LONG]
    assert long.text.startswith("⚠️ Service update: the 16:00 & 16:15 crossings are cancelled")
    assert long.text.endswith("Thank you for your patience 🙏 #TamarFerry https://t.co/DESOKf5nsa")
    assert long.hashtags == ["TamarFerry"]
    assert long.links == ["https://www.plymouthbus.example/timetables/70"]
    assert long.media == ["1664295957237767744"]

    rt = items[S_RT]
    assert (rt.kind, rt.repost_of, rt.author_handle) == (
        "repost", "twitter:1664534816011894173", "lena_marsh_geo")
    assert rt.text == ("RT @omar_haddad_news: عودة حركة السفن إلى ميناء الإسكندرية بعد توقف دام ١٢ "
                       "ساعة بسبب الرياح. فيديو من الرصيف رقم ٣ 🎥🚢 #الإسكندرية #موانئ "
                       "https://t.co/y6RFnCakei")
    assert rt.mentions == ["omar_haddad_news"] and rt.hashtags == ["الإسكندرية", "موانئ"]
    video = case.db.execute("SELECT kind, url, width FROM media WHERE item_uid = ?",
                            [rt.uid]).fetchone()
    assert video[0] == "video" and video[2] == 1280
    assert video[1].endswith("/1280x720/mN2oP4qR6sT8uV0w.mp4")  # the highest bitrate

    quote = items[S_QUOTE]
    assert (quote.kind, quote.quote_of, quote.lang) == ("quote", f"twitter:{S_GEO}", "iw")
    assert quote.text == "מדידות מצוינות! נשווה מול תחנת המדידה בחיפה 📊 https://t.co/tiK27F4T3T"

    reply = items[S_REPLY]
    assert (reply.kind, reply.reply_to, reply.lang) == ("reply", f"twitter:{S_GEO}", "ar")
    assert reply.text == "@samokafor_maps عمل رائع! هل البيانات متاحة للعموم؟"
    assert reply.mentions == ["samokafor_maps"]

    sam = authors(case)["15729463"]
    assert (sam.followers, sam.following, sam.posts, sam.location) == (1893, 402, 15211, "Devon")
    assert sam.created_at == datetime(2008, 8, 4, 18, 22, 10, tzinfo=UTC)
    assert authors(case)["3160288177"].verified == 1
    assert "2736618541" in authors(case)  # the retweeted account, described in full

    quarantined = case.quarantine().set_index("locator")
    assert quarantined.loc["line 4", "reason"].startswith("invalid JSON")
    assert quarantined.loc["line 7", "reason"] == "no tweet id (id_str)"
    assert "'delete' notice" in quarantined.loc["line 8", "reason"]


def test_v1_reimport_adds_nothing(case):
    case.import_file(DATA / "statuses_v1.jsonl", progress=False)
    again = case.import_file(DATA / "statuses_v1.jsonl", progress=False)
    assert (again.imported, again.duplicates, again.quarantined) == (0, 5, 0)
    assert len(case.quarantine()) == 3


def test_v1_json_array_and_search_response(case, tmp_path):
    statuses = [json.loads(line) for line in
                (DATA / "statuses_v1.jsonl").read_text(encoding="utf-8").splitlines()[:2]]
    array = tmp_path / "statuses.json"
    array.write_text(json.dumps(statuses, indent=2), encoding="utf-8")
    search = tmp_path / "search.json"
    search.write_text(json.dumps({"statuses": statuses, "search_metadata": {
        "completed_in": 0.041, "max_id_str": S_LONG, "count": 2, "query": "%23tides"}}),
        encoding="utf-8")
    first = case.import_file(array, progress=False)
    assert (first.format, first.imported) == ("twitter-v1", 2)
    assert rows(case)[S_GEO].raw_locator == "$[0]"
    second = case.import_file(search, progress=False)
    assert (second.format, second.imported, second.duplicates) == ("twitter-v1", 0, 2)
    # A response cut off in its second status keeps the first, and says where it broke.
    text = json.dumps({"statuses": statuses[::-1]}, indent=2, ensure_ascii=False)
    broken = tmp_path / "search_cut.json"
    broken.write_text(text[: text.index('"id_str": "' + S_GEO)], encoding="utf-8")
    third = case.import_file(broken, format="twitter-v1", progress=False)
    assert (third.imported, third.duplicates, third.quarantined) == (0, 1, 1)
    assert "records after this point were not read" in case.quarantine().reason.iloc[-1]


# -- API v2 -----------------------------------------------------------------------------------


def test_v2_response_maps_every_field(case):
    assert (DATA / "search_v2.json").read_bytes().startswith(b"\xef\xbb\xbf{")
    result = case.import_file(DATA / "search_v2.json", progress=False)
    assert (result.format, result.imported, result.quarantined) == ("twitter-v2", 4, 0)
    items = rows(case)

    photo = items[T_PHOTO]
    assert photo.text == ("גאות שיא בחיפה הבוקר: 1.31 מ׳ 🌊 נתונים מלאים כאן "
                          "https://t.co/yq0dvBPAG1 #SeaLevel https://t.co/XykIUmW7tP")
    assert (photo.author_id, photo.author_handle, photo.author_name) == (
        "806499467851410354", "noalevi_tlv", "נועה לוי")
    assert photo.created_at == datetime(2023, 6, 5, 6, 40, 12, tzinfo=UTC)
    assert (photo.kind, photo.lang, photo.conversation_id) == ("post", "iw", f"twitter:{T_PHOTO}")
    assert photo.hashtags == ["SeaLevel"]
    assert photo.links == ["https://sealevel.example.org/stations/haifa"]  # not the photo link
    assert photo.media == ["3_1665609145811344806"]
    assert (photo.likes, photo.reposts, photo.replies, photo.views) == (40, 7, 2, 3120)
    assert (photo.lat, photo.lon, photo.place) == (32.8191, 34.9896, "Haifa, Israel")
    assert photo.url == f"https://twitter.com/noalevi_tlv/status/{T_PHOTO}"
    assert photo.raw_locator == "$.data[3]"
    media = case.db.execute("SELECT kind, url, width, height, alt FROM media WHERE item_uid = ?",
                            [photo.uid]).fetchone()
    assert media == ("photo", "https://pbs.twimg.com/media/FhBnDzu0nyj2GcL.jpg", 1600, 1200,
                     "מד גאות בנמל חיפה")

    reply = items[T_REPLY]
    assert (reply.kind, reply.reply_to, reply.conversation_id) == (
        "reply", f"twitter:{T_PHOTO}", f"twitter:{T_PHOTO}")
    assert reply.mentions == ["noalevi_tlv"]

    # The retweet's own text is cut short; the original's long-form note has it whole.
    rt = items[T_RT]
    assert (rt.kind, rt.repost_of) == ("repost", "twitter:1665642114328148249")
    assert rt.text.startswith("RT @omar_haddad_news: تقرير: ارتفاع منسوب مياه البحر")
    assert rt.text.endswith("على مر السنين 🌊📈 #الإسكندرية #تغير_المناخ")
    assert rt.hashtags == ["الإسكندرية", "تغير_المناخ"] and rt.mentions == ["omar_haddad_news"]

    quote = items[T_QUOTE]
    assert (quote.kind, quote.quote_of) == ("quote", f"twitter:{T_PHOTO}")
    assert quote.text.startswith("High water again today — our crew at Torpoint 👷‍♀️👷 keep "
                                 "the slipway clear & safe")
    assert quote.links == [f"https://twitter.com/noalevi_tlv/status/{T_PHOTO}"]
    video = case.db.execute("SELECT kind, url FROM media WHERE item_uid = ?",
                            [quote.uid]).fetchone()
    assert video[0] == "video" and video[1].endswith("/720x1280/gH6jK8lZ0xC2vB4n.mp4")

    noa = authors(case)["806499467851410354"]
    assert (noa.handle, noa.name, noa.location, noa.followers, noa.following, noa.posts) == (
        "noalevi_tlv", "נועה לוי", "חיפה", 5120, 610, 3344)
    assert noa.created_at == datetime(2016, 12, 7, 14, 3, 51, tzinfo=UTC)
    assert authors(case)["3160288177"].verified == 1
    assert authors(case)["2736618541"].handle == "omar_haddad_news"  # the retweeted account


def test_v2_twarc_lines_dedupe_and_quarantine(case):
    case.import_file(DATA / "search_v2.json", progress=False)
    result = case.import_file(DATA / "search_v2.jsonl", progress=False)
    # page 1: a repeat of the .json file's quote and 2 new; a line cut off; page 2: one without id
    assert (result.format, result.imported, result.duplicates, result.quarantined) == (
        "twitter-v2", 3, 1, 2)
    items = rows(case)
    assert items[T_AR_REPLY].text == "@tamar_ferry_co شكراً على التحديث السريع 🙏 هل الخدمة طبيعية الآن؟"
    assert items[T_AR_REPLY].reply_to == f"twitter:{T_QUOTE}"
    assert items[T_AR_REPLY].raw_locator == "line 1 $.data[1]"
    # Without created_at in tweet.fields, the snowflake id still tells the time.
    untimed = items[T_NO_TIME]
    assert untimed.caveats == ["time-from-id"]
    assert untimed.created_at == datetime(2023, 6, 5, 11, 31, 7, 379000, tzinfo=UTC)
    assert items[T_LATER].raw_locator == "line 3 $.data[0]"
    quarantined = case.quarantine().set_index("locator")
    assert quarantined.loc["line 2", "reason"].startswith("invalid JSON")
    assert quarantined.loc["line 3 $.data[1]", "reason"] == "no tweet id"
    again = case.import_file(DATA / "search_v2.jsonl", progress=False)
    assert (again.imported, again.duplicates, again.quarantined) == (0, 4, 0)


def test_v2_flattened_tweets_map_like_the_response(tmp_path):
    fmt = get_format("twitter-v2")
    mapped = {}
    for name in ("search_v2.json", "flat_v2.jsonl"):
        for record in fmt.records(payload(DATA / name), {}):
            result = fmt.map(record)
            mapped.setdefault(result.item.id, []).append(result)
    for tweet_id in (T_PHOTO, T_RT):
        from_response, flattened = mapped[tweet_id]
        assert flattened.item == from_response.item
        assert flattened.media == from_response.media
        assert {a.id: a for a in flattened.authors} == {a.id: a for a in from_response.authors}


def test_v2_page_longer_than_the_sniffing_sample(case, tmp_path):
    page = json.loads((DATA / "search_v2.jsonl").read_text(encoding="utf-8").splitlines()[0])
    template = page["data"][0]
    base = int(template["id"])
    page["data"] = [{**template, "id": str(base + (n << 22)), "edit_history_tweet_ids": [
        str(base + (n << 22))], "text": f"Slipway update {n}: open. " + "🌊" * 200}
        for n in range(120)]
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps(page) + "\n", encoding="utf-8")
    assert path.stat().st_size > 64 * 1024
    result = case.import_file(path, progress=False)
    assert (result.format, result.imported, result.quarantined) == ("twitter-v2", 120, 0)


# -- all formats ------------------------------------------------------------------------------


def test_sniffing_tells_the_formats_apart(tmp_path):
    expected = {
        build_archive(tmp_path): "twitter-archive",
        ARCHIVE / "data" / "tweets.js": "twitter-archive",
        ARCHIVE / "data" / "tweets-part1.js": "twitter-archive",
        ARCHIVE / "data" / "deleted-tweets.js": "twitter-archive",
        DATA / "tweet.js": "twitter-archive",
        DATA / "statuses_v1.jsonl": "twitter-v1",
        DATA / "search_v2.json": "twitter-v2",
        DATA / "search_v2.jsonl": "twitter-v2",
        DATA / "flat_v2.jsonl": "twitter-v2",
    }
    ours = [fmt for name, fmt in formats().items() if name in TWITTER]
    for path, name in expected.items():
        sample = take_sample(path)[0]
        assert [fmt.name for fmt in ours if fmt.sniff(sample)] == [name], path.name
    # The archive's other files are not tweets.
    for other in ("account.js", "profile.js", "follower.js"):
        sample = take_sample(ARCHIVE / "data" / other)[0]
        assert not any(fmt.sniff(sample) for fmt in ours), other


OTHER_PLATFORMS = {
    "mastodon.json": json.dumps([{
        "id": "111586420593416181", "created_at": "2023-12-13T09:20:11.000Z",
        "in_reply_to_id": None, "language": "en", "uri":
        "https://mastodon.example/users/tidewatch/statuses/111586420593416181",
        "content": "<p>High tide at 09:14</p>", "text": None, "account": {
            "id": "109349213478322", "username": "tidewatch", "acct": "tidewatch"}}]),
    "reddit.jsonl": json.dumps({
        "id": "kx0a1b", "author": "harbour_fan", "subreddit": "Plymouth", "created_utc":
        1702459211, "selftext": "Ferry queues?", "title": "Torpoint ferry", "name": "t3_kx0a1b"}),
    "bluesky.json": json.dumps({"feed": [{"post": {
        "uri": "at://did:plc:abc123/app.bsky.feed.post/3kgxq2tbe5s2a", "cid": "bafyreia",
        "author": {"did": "did:plc:abc123", "handle": "tides.bsky.social"},
        "record": {"$type": "app.bsky.feed.post", "text": "Spring tide",
                   "createdAt": "2023-12-13T09:20:11.000Z"}}}]}),
    "result.json": json.dumps({"name": "Harbour news", "type": "public_channel", "id": 1523012,
                               "messages": [{"id": 512, "type": "message", "date":
                                             "2023-12-13T09:20:11", "text": "Ferry delayed"}]}),
    "posts.jsonl": json.dumps({"id": "1665609447132151182", "text": "an export from a tool",
                               "created_at": "2023-06-05", "author_id": "42"}),
    "posts.csv": "id,created_at,text,author\n1,2023-06-05,hello,someone\n",
}


@pytest.mark.parametrize("name", sorted(OTHER_PLATFORMS))
def test_sniffing_leaves_other_files_alone(tmp_path, name):
    path = tmp_path / name
    path.write_text(OTHER_PLATFORMS[name], encoding="utf-8")
    sample = take_sample(path)[0]
    assert [fmt for fmt in TWITTER if get_format(fmt).sniff(sample)] == []


def test_every_span_is_exact(case, tmp_path):
    for path in (build_archive(tmp_path), DATA / "tweet.js", DATA / "statuses_v1.jsonl",
                 DATA / "search_v2.json", DATA / "search_v2.jsonl"):
        case.import_file(path, progress=False)
    items = case.items()
    assert len(items) == 21
    for item in items.itertuples():
        data = json.loads(record_text(case, item.raw_sha256, item.raw_span))
        tweet = data.get("tweet", data)
        assert str(tweet.get("id_str") or tweet["id"]) == item.id, item.raw_locator


def test_purge_cuts_one_tweet_out_of_archive_and_response(case, tmp_path):
    case.import_file(build_archive(tmp_path), progress=False)
    case.import_file(DATA / "search_v2.jsonl", progress=False)
    result = case.purge(items=[f"twitter:{A_HEBREW}", f"twitter:{T_AR_REPLY}"],
                        reason="out of scope")
    assert result.items == 2 and len(result.raw_redacted) == 2
    assert case.verify().ok
    kept = case.items()
    assert A_HEBREW not in set(kept.id) and len(kept) == 9
    for item in kept.itertuples():
        data = json.loads(record_text(case, item.raw_sha256, item.raw_span))
        assert data.get("tweet", data)["id_str" if "tweet" in data else "id"] == item.id
    # The cut-out tweet became null, and the rest of the file still reads as it did.
    archive = case.items()[case.items().id == A_PHOTO].raw_sha256.iloc[0]
    with zipfile.ZipFile(case.raw_store.path(archive)) as redacted:
        text = redacted.read("data/tweets.js").decode("utf-8")
    tweets = ytd_value(text)
    assert len(tweets) == 5 and tweets[4] is None
    assert [t["tweet"]["id_str"] for t in tweets[:4]] == [A_PHOTO, A_REPLY, A_RT, A_QUOTE]


def test_sample_of_an_archive_member_list_is_enough_to_sniff():
    fmt = get_format("twitter-archive")
    assert fmt.sniff(Sample("x.zip", "", ["Your archive.html", "data/tweets.js",
                                          "data/account.js"]))
    assert fmt.sniff(Sample("old.zip", "", ["tweet.js", "account.js", "tweet_media/1-a.jpg"]))
    assert not fmt.sniff(Sample("x.zip", "", ["data/like.js", "data/account.js"]))
