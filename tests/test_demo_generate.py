"""The demo data generator: same seed, same bytes; each file in its platform's own format; the
story's features present; and every file importable with its format sniffed."""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import zstandard
from PIL import Image

from workbench.collect import formats
from workbench.demo import images, story
from workbench.demo.generate import MIN_POSTS, generate

V2 = "twitter/tweets-v2.jsonl"
ARCHIVE = "twitter/archive.zip"
TELEGRAM = "telegram/ChatExport_2024-03-15/result.json"
MASTODON = "mastodon/tag-timeline.json"
LISTING = "reddit/r_rotterdam_new.json"
SUBMISSION = "reddit/submission.json"
DUMP = "reddit/comments.ndjson.zst"
BLUESKY = "bluesky/searchPosts.json"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ARABIC, CYRILLIC = re.compile(r"[\u0600-\u06ff]"), re.compile(r"[\u0400-\u04ff]")
EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27bf]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out)


def time_of(value: object) -> datetime | None:
    """An ISO ``...Z`` time, or None when it is missing or impossible."""
    if not isinstance(value, str) or not ISO_Z.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def good_tweets(root: Path) -> list[dict]:
    pages, _ = v2_pages(root)
    return [t for page in pages for t in page["data"] if "id" in t and time_of(t.get("created_at"))]


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def v2_pages(root: Path) -> tuple[list[dict], str]:
    lines = (root / V2).read_text("utf-8").split("\n")
    return [json.loads(line) for line in lines[:-1]], lines[-1]


def load(root: Path, name: str):
    return json.loads((root / name).read_text("utf-8"))


def dump_lines(root: Path) -> list[str]:
    raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO((root / DUMP).read_bytes()))
    return raw.read().decode("utf-8").splitlines()


def comments_in(listing: dict) -> list[dict]:
    """Every t1 in a comment tree, depth first."""
    found = []
    for thing in listing["data"]["children"]:
        if thing["kind"] == "t1":
            found.append(thing["data"])
            if thing["data"]["replies"]:
                found += comments_in(thing["data"]["replies"])
    return found


# -- the whole ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes(demo, tmp_path):
    root, manifest = demo
    again = generate(tmp_path / "again")
    assert again == manifest
    assert files_of(tmp_path / "again") == files_of(root)
    generate(tmp_path / "other", seed=8, posts=MIN_POSTS)
    assert files_of(tmp_path / "other")[V2] != files_of(root)[V2]


def test_manifest_counts_add_up_to_the_posts_asked_for(demo, tmp_path):
    root, manifest = demo
    assert list(manifest) == [V2, ARCHIVE, TELEGRAM, MASTODON, LISTING, SUBMISSION, DUMP,
                              BLUESKY]
    assert sum(entry["records"] for entry in manifest.values()) == 5000
    assert manifest[V2]["records"] == 2000  # 40%
    malformed = sum(entry["malformed"] for entry in manifest.values())
    assert 0.005 * 5000 <= malformed <= 0.015 * 5000
    size = sum(len(data) for data in files_of(root).values())
    assert size < 6 * 2**20
    small = generate(tmp_path / "small", posts=MIN_POSTS)
    assert sum(entry["records"] for entry in small.values()) == MIN_POSTS
    with pytest.raises(ValueError):
        generate(tmp_path / "tiny", posts=10)


# -- each file in its platform's format ------------------------------------------------------


def test_twitter_v2_is_twarc2_output(demo):
    root, manifest = demo
    pages, cut = v2_pages(root)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut)  # the collector died mid-line
    assert not (root / V2).read_bytes().endswith(b"\n")
    tweets = [t for page in pages for t in page["data"]]
    assert len(tweets) + 1 == manifest[V2]["records"]
    missing_id = [t for t in tweets if "id" not in t]
    bad_time = [t for t in tweets if "created_at" in t and not time_of(t["created_at"])]
    assert len(missing_id) + len(bad_time) + 1 == manifest[V2]["malformed"]
    for page in pages:
        assert set(page) == {"data", "includes", "meta", "__twarc"}
        assert page["meta"]["result_count"] == len(page["data"])
        assert page["__twarc"]["url"].startswith("https://api.twitter.com/2/tweets/search/all?")
        users = {u["id"]: u for u in page["includes"]["users"]}
        included = {t["id"] for t in page["includes"].get("tweets", [])}
        places = {p["id"]: p for p in page["includes"].get("places", [])}
        media = {m["media_key"] for m in page["includes"].get("media", [])}
        for tweet in page["data"]:
            assert tweet["author_id"] in users
            assert tweet.get("id", "1").isdigit() and tweet["edit_history_tweet_ids"]
            for ref in tweet.get("referenced_tweets", []):
                assert ref["type"] in ("replied_to", "retweeted", "quoted")
                assert ref["id"] in included
            for key in tweet.get("attachments", {}).get("media_keys", []):
                assert key in media and key.startswith("3_")
            if "geo" in tweet:
                place = places[tweet["geo"]["place_id"]]
                if "coordinates" in tweet["geo"]:
                    lon, lat = tweet["geo"]["coordinates"]["coordinates"]
                    west, south, east, north = place["geo"]["bbox"]
                    assert west <= lon <= east and south <= lat <= north
            text = tweet["text"]
            entities = tweet.get("entities", {})
            for tag in entities.get("hashtags", []):
                assert text[tag["start"]:tag["end"]] == "#" + tag["tag"]
            for mention in entities.get("mentions", []):
                assert text[mention["start"]:mention["end"]] == "@" + mention["username"]
                assert mention["id"] in users
            for url in entities.get("urls", []):
                assert text[url["start"]:url["end"]] == url["url"]
                assert url["url"].startswith("https://t.co/")
            if any(r["type"] == "retweeted" for r in tweet.get("referenced_tweets", [])):
                assert text.startswith("RT @") and len(text) <= 140 + 20


def test_twitter_archive_is_a_download_your_data_zip(demo):
    root, manifest = demo
    with zipfile.ZipFile(root / ARCHIVE) as archive:
        names = archive.namelist()
        js = archive.read("data/tweets.js").decode("utf-8")
        account = archive.read("data/account.js").decode("utf-8")
        profile = archive.read("data/profile.js").decode("utf-8")
        photos = {n: archive.read(n) for n in names if n.startswith("data/tweets_media/")}
    assert {"data/manifest.js", "data/account.js", "data/profile.js"} <= set(names)
    prefix = "window.YTD.tweets.part0 = "
    assert js.startswith(prefix) and '"tweet" : {' in js
    rows = json.loads(js[len(prefix):])
    assert len(rows) == manifest[ARCHIVE]["records"]
    assert json.loads(account.split(" = ", 1)[1])[0]["account"]["username"] == "noorbakker010"
    assert "bio" in json.loads(profile.split(" = ", 1)[1])[0]["profile"]["description"]
    for row in rows:
        tweet = row["tweet"]
        datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
        assert tweet["id"] == tweet["id_str"] and isinstance(tweet["favorite_count"], str)
        for tag in tweet["entities"]["hashtags"]:
            start, end = map(int, tag["indices"])
            assert tweet["full_text"][start:end] == "#" + tag["text"]
    assert sum(1 for r in rows if r["tweet"]["full_text"].startswith("RT @")) > 5
    assert sum(1 for r in rows if "in_reply_to_status_id_str" in r["tweet"]) > 5
    assert len(photos) == manifest[ARCHIVE]["media_files"] == 4
    with_media = {r["tweet"]["id"]: r["tweet"]["entities"]["media"][0]
                  for r in rows if "media" in r["tweet"]["entities"]}
    for name, data in photos.items():
        tweet_id, media_name = Path(name).stem.split("-", 1)
        assert with_media[tweet_id]["media_url_https"].endswith(f"/{media_name}.jpg")
        assert images.gps_of(data) is not None


def test_telegram_export_is_telegram_desktops(demo):
    root, manifest = demo
    text = (root / TELEGRAM).read_text("utf-8")
    assert text.startswith('{\n "name": ')  # Telegram Desktop indents by one space
    export = json.loads(text)
    assert export["type"] == "public_channel" and isinstance(export["id"], int)
    messages = export["messages"]
    assert len(messages) == manifest[TELEGRAM]["records"]
    ids = {m["id"] for m in messages if "id" in m}
    services = [m for m in messages if m["type"] == "service"]
    assert len(services) == manifest[TELEGRAM]["service"]
    assert services[0]["action"] == "create_channel"
    assert {m["action"] for m in services} >= {"pin_message"}
    assert any(isinstance(m.get("text"), str) and m["text"] for m in messages)
    arrays = [m for m in messages if isinstance(m.get("text"), list)]
    assert arrays and all("text_entities" in m for m in messages)
    kinds = {e["type"] for m in arrays for e in m["text"] if isinstance(e, dict)}
    assert {"hashtag", "bold"} <= kinds and kinds & {"link", "text_link"}
    assert any("forwarded_from" in m for m in messages)
    replies = [m for m in messages if "reply_to_message_id" in m]
    assert replies and all(m["reply_to_message_id"] in ids for m in replies)
    for message in messages:
        if message.get("date") and message.get("date_unixtime"):
            utc = datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
            assert message["date"] == (utc + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    spoiled = [m for m in messages if "id" not in m or not m.get("date_unixtime")]
    assert len(spoiled) == manifest[TELEGRAM]["malformed"]
    photos = [m["photo"] for m in messages if "photo" in m and m["type"] == "message"]
    assert len(photos) == manifest[TELEGRAM]["media_files"] > 3
    for photo in photos:
        assert re.fullmatch(r"photos/photo_\d+@\d\d-\d\d-2024_\d\d-\d\d-\d\d\.jpg", photo)
        data = (root / TELEGRAM).parent.joinpath(photo).read_bytes()
        assert images.gps_of(data) is not None


def test_mastodon_statuses_are_api_entities(demo):
    root, manifest = demo
    statuses = load(root, MASTODON)
    assert isinstance(statuses, list) and len(statuses) == manifest[MASTODON]["records"]
    ids = {s["id"] for s in statuses if "id" in s}
    boosts = [s for s in statuses if s["reblog"]]
    assert len(boosts) == manifest[MASTODON]["boosts"] > 10
    for boost in boosts:
        assert boost["content"] == "" and boost["uri"].endswith("/activity")
        assert "botlekfire" in {tag["name"] for tag in boost["reblog"]["tags"]}
    remote = [s for s in statuses if "@" in s["account"]["acct"]]
    assert remote and all(s["uri"].startswith(f"https://{s['account']['acct'].split('@')[1]}/")
                          for s in remote)
    replies = [s for s in statuses if s["in_reply_to_id"]]
    assert replies and all(s["in_reply_to_id"] in ids for s in replies)
    for status in statuses:
        assert status["id"].isdigit() if "id" in status else True
        if not status["reblog"]:
            assert status["content"].startswith("<p>")
            assert 'class="mention hashtag" rel="tag"' in status["content"]
    assert any('class="u-url mention"' in s["content"] for s in statuses)
    assert sum(1 for s in statuses if time_of(s.get("created_at"))) == len(statuses) - 2


def test_reddit_listing_submission_and_dump(demo):
    root, manifest = demo
    listing = load(root, LISTING)
    assert listing["kind"] == "Listing"
    things = listing["data"]["children"]
    assert len(things) == manifest[LISTING]["records"] == 100
    assert all(t["kind"] == "t3" and t["data"]["name"] == "t3_" + t["data"]["id"] for t in things)
    assert all(isinstance(t["data"]["created_utc"], float) for t in things)
    page = load(root, SUBMISSION)
    assert [part["kind"] for part in page] == ["Listing", "Listing"]
    submission = page[0]["data"]["children"][0]["data"]
    assert submission["stickied"] and submission["name"] in {t["data"]["name"] for t in things}
    comments = comments_in(page[1])
    assert len(comments) + 1 == manifest[SUBMISSION]["records"]
    names = {c["name"] for c in comments} | {submission["name"]}
    assert all(c["parent_id"] in names and c["link_id"] == submission["name"] for c in comments)
    assert max(c["depth"] for c in comments) >= 3
    assert any(t["kind"] == "more" for t in page[1]["data"]["children"])
    lines = dump_lines(root)
    assert len(lines) == manifest[DUMP]["records"]
    rows, broken = [], 0
    for line in lines:
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            broken += 1
    assert broken >= 1
    unreadable = [r for r in rows if "id" not in r or not isinstance(r.get("created_utc"), int)]
    assert broken + len(unreadable) == manifest[DUMP]["malformed"]
    assert len({r["subreddit"] for r in rows}) >= 4
    thread_ids = {c["id"] for c in comments}
    assert sum(1 for r in rows if r.get("id") in thread_ids) == manifest[DUMP]["overlap"][
        SUBMISSION]


def test_bluesky_is_a_search_posts_response(demo):
    root, manifest = demo
    response = load(root, BLUESKY)
    assert set(response) == {"cursor", "hitsTotal", "posts"}
    views = response["posts"]
    assert len(views) == manifest[BLUESKY]["records"]
    uris = {v["uri"] for v in views if "uri" in v}
    for view in views:
        record = view["record"]
        assert record["$type"] == "app.bsky.feed.post"
        if "uri" in view:
            assert re.fullmatch(r"at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}",
                                view["uri"])
            assert view["uri"].startswith(f"at://{view['author']['did']}/")
        encoded = record["text"].encode("utf-8")
        for facet in record.get("facets", []):
            piece = encoded[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode("utf-8")
            feature = facet["features"][0]
            if feature["$type"].endswith("#tag"):
                assert piece == "#" + feature["tag"]
            elif feature["$type"].endswith("#mention"):
                assert piece.startswith("@")
        if "reply" in record:
            assert record["reply"]["parent"]["uri"] in uris
    assert any(v["record"].get("embed", {}).get("$type") == "app.bsky.embed.record" for v in views)
    assert any(ARABIC.search(v["record"]["text"]) for v in views)


# -- the story -------------------------------------------------------------------------------


def test_languages_emoji_places_and_rhythm(demo):
    root, _ = demo
    pages, _ = v2_pages(root)
    tweets = good_tweets(root)
    langs = Counter(t["lang"] for t in tweets)
    assert langs.most_common(1)[0][0] == "en" and len(langs) >= 6
    texts = [t["text"] for t in tweets]
    assert any(ARABIC.search(t) for t in texts) and any(CYRILLIC.search(t) for t in texts)
    assert sum(1 for t in texts if EMOJI.search(t)) > len(texts) // 5
    assert sum(1 for t in texts if "Rozenburg" in t or "Vlaardingen" in t) > 50
    cities = {p["name"] for page in pages for p in page["includes"].get("places", [])}
    assert len(cities) >= 4
    times = [time_of(t["created_at"]) for t in tweets]
    by_hour = Counter(t.replace(minute=0, second=0, microsecond=0) for t in times)
    peak = max(by_hour, key=by_hour.get)
    assert story.EVENT - timedelta(hours=1) <= peak <= story.EVENT + timedelta(hours=4)
    local = Counter(t.astimezone(story.LOCAL).hour for t in times if t > story.EVENT
                    + timedelta(hours=12))
    assert sum(local[h] for h in (3, 4, 5)) * 3 < sum(local[h] for h in (12, 13, 14))
    links = {u["expanded_url"].split("/")[2] for t in tweets
             for u in t.get("entities", {}).get("urls", [])}
    assert {"nos.nl", "www.reuters.com"} & links and len(links) >= 5


def test_a_coordinated_cluster_posts_in_waves(demo):
    root, _ = demo
    tweets = good_tweets(root)
    copies: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for tweet in tweets:
        if tweet["text"].startswith("RT @"):
            continue
        key = re.sub(r"[^a-z ]", "", tweet["text"].lower())[:30]  # small edits fall away
        when = time_of(tweet["created_at"])
        copies[key].append((when, tweet["author_id"]))
    waves = 0
    for posts in copies.values():
        posts.sort()
        for start, _ in posts:
            burst = {a for when, a in posts if start <= when <= start + timedelta(minutes=10)}
            if len(burst) >= 10:
                waves += 1
                break
    assert waves >= 2
    cluster_times = sorted(when for posts in copies.values() for when, _ in posts
                           if len(posts) >= 30)
    days = {t.date() for t in cluster_times}
    assert len(days) >= 3  # the same text, on several days


def test_photos_carry_exif_gps_and_time():
    when = datetime(2024, 3, 8, 1, 12, 44, tzinfo=UTC)
    data = images.photo(random.Random(1), when, 51.905, 4.2486, "fire")
    image = Image.open(io.BytesIO(data))
    assert image.size == (64, 48) and image.format == "JPEG"
    exif = image.getexif()
    assert exif[0x010F] and exif[0x0110]
    assert exif.get_ifd(images.EXIF_IFD)[0x9003] == "2024:03:08 02:12:44"  # local time
    lat, lon = images.gps_of(data)
    assert lat == pytest.approx(51.905, abs=1e-4) and lon == pytest.approx(4.2486, abs=1e-4)
    south_west = images.photo(random.Random(1), when, -33.9, -70.6)
    lat, lon = images.gps_of(south_west)
    assert lat == pytest.approx(-33.9, abs=1e-4) and lon == pytest.approx(-70.6, abs=1e-4)


# -- importing ---------------------------------------------------------------------------------


def test_every_file_imports_with_its_format_sniffed(demo, case):
    root, manifest = demo
    known = formats()
    missing = {entry["format"] for entry in manifest.values()} - set(known)
    if missing:
        pytest.skip(f"importers not written yet: {', '.join(sorted(missing))}")
    for name, entry in manifest.items():
        result = case.import_file(root / name, progress=False)
        overlap = sum(entry.get("overlap", {}).values())
        assert result.format == entry["format"], name
        assert result.quarantined == entry["malformed"], name
        assert result.duplicates == overlap, name
        assert result.imported == entry["records"] - entry["malformed"] - overlap, name
        if "media_files" in entry:
            assert result.media_files == entry["media_files"], name
    quarantine = case.quarantine()
    assert len(quarantine) == sum(entry["malformed"] for entry in manifest.values())
    assert set(quarantine["source"]) == {Path(n).name for n, e in manifest.items()
                                         if e["malformed"]}
    items = case.items()
    assert set(items["platform"]) == {"twitter", "telegram", "mastodon", "reddit", "bluesky"}
    again = case.import_file(root / V2, progress=False)
    assert again.imported == 0
