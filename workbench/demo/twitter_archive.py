"""``twitter/archive.zip``: one account's "Download your data" archive.

The account is a (fictional) local reporter live-tweeting the fire. Like a real archive it holds
``data/manifest.js``, ``data/account.js``, ``data/profile.js`` and ``data/tweets.js`` (JavaScript
assignments ``window.YTD.<type>.part0 = [...]`` with X's ``"key" : value`` spacing, ids and counts
as strings, v1.1 times), and the photos in ``data/tweets_media/<tweet id>-<media name>.jpg``.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from workbench.demo import ids, images, people, phrases, posts, story
from workbench.demo.files import save, zip_bytes
from workbench.demo.people import Persona
from workbench.demo.posts import Post

NAME = "twitter/archive.zip"
FORMAT = "twitter-archive"
SOURCE = '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>'
PHOTO_SPOTS = (("fire", "Pernis"), ("smoke", "Vlaardingen"), ("roadblock", "Rozenburg"),
               ("crowd", "Rotterdam"))


def _js(name: str, rows: list) -> str:
    body = json.dumps(rows, indent=2, ensure_ascii=False, separators=(",", " : "))
    return f"window.YTD.{name}.part0 = {body}"


def _twitter_time(when) -> str:
    return when.strftime("%a %b %d %H:%M:%S +0000 %Y")


def owner(rng: random.Random) -> Persona:
    """The reporter whose archive this is."""
    return Persona(
        name="Noor Bakker", handle="noorbakker010", lang="nl", home=story.PLACES["Schiedam"],
        kind="journalist", created=story.START.replace(year=2012, month=5, day=4, hour=9,
                                                       minute=31, second=7),
        followers=4812, following=911, statuses=23_517,
        bio="Verslaggever @MaasstadNieuws | haven, industrie, Rijnmond. Tips via DM.",
        verified=False, uid=str(rng.randrange(500_000_000, 600_000_000)),
    )


def build(rng: random.Random, count: int, me: Persona) -> list[Post]:
    """Her tweets: live updates, replies to readers, retweets; four with her own photos."""
    others = people.cast(rng, 40, lang="nl") + people.cast(rng, 20, orgs=False, lang="en")
    times = story.sample_times(rng, count, start=story.EVENT + timedelta(minutes=9), decay=40)
    made: list[Post] = []
    for when in times:
        roll = rng.random()
        if roll < 0.2 and made:
            parent = Post(when - timedelta(minutes=rng.randrange(1, 90)), rng.choice(others),
                          "post", "nl", posts.split_tags(
                              phrases.sentence(rng, story.pick_phase(rng, when), "nl", when)))
            post = Post(when, me, "repost", "nl", list(parent.parts), parent.phase, parent)
        elif roll < 0.45:
            asker = rng.choice(others)
            parent = Post(when - timedelta(minutes=rng.randrange(1, 60)), asker, "post",
                          asker.lang, posts.split_tags(phrases.reply(rng, asker.lang, when)))
            text = phrases.reply(rng, "nl" if asker.lang == "nl" else "en", when)
            post = Post(when, me, "reply", parent.lang, [("mention", asker), ("text", " ")]
                        + posts.split_tags(text), parent.phase, parent)
        else:
            lang = "nl" if rng.random() < 0.7 else "en"
            post = posts.original(rng, when, me, lang, tag_rate=0.7, link_rate=0.25,
                                  mention_pool=[p for p in others if p.is_org])
        made.append(post)
    for post in made:
        post.uid = ids.twitter_snowflake(rng, post.when)
        if post.parent is not None:
            post.parent.uid = ids.twitter_snowflake(rng, post.parent.when)
            post.parent.author.uid = post.parent.author.uid or str(rng.randrange(10**8, 10**9))
        for person in post.mentioned:
            person.uid = person.uid or str(rng.randrange(10**8, 10**9))
    originals = [p for p in made if p.kind == "post"]
    for post, (scene, spot) in zip(rng.sample(originals, min(4, len(originals))), PHOTO_SPOTS,
                                   strict=False):
        post.photos = 1
        post.extra["scene"], post.extra["spot"] = scene, spot
    posts.engagement(rng, made)
    return made


def tweet_json(rng: random.Random, post: Post, me: Persona) -> tuple[dict, list[tuple]]:
    """The archive's form of one tweet, and the photo files it needs."""
    parts = post.parts
    if post.kind == "repost" and post.parent is not None:
        parts = [("text", "RT "), ("mention", post.parent.author), ("text", ": ")] + parts
    urls: dict[str, str] = {}
    text, spans = posts.render(parts, link=lambda url: urls.setdefault(url, ids.tco(rng)))
    entities: dict = {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}
    for span in spans:
        where = [str(span.start), str(span.end)]
        if span.kind == "tag":
            entities["hashtags"].append({"text": span.value, "indices": where})
        elif span.kind == "mention":
            person: Persona = span.value  # type: ignore[assignment]
            entities["user_mentions"].append({"name": person.name, "screen_name": person.handle,
                                              "indices": where, "id_str": person.uid,
                                              "id": person.uid})
        else:
            entities["urls"].append({"url": span.shown, "expanded_url": span.value,
                                     "display_url": str(span.value).split("://")[1][:24] + "…",
                                     "indices": where})
    shown_end = len(text)
    files = []
    if post.photos:
        media_id = ids.twitter_snowflake(rng, post.when)
        media_name = ids.alnum(rng, 15)
        short = ids.tco(rng)
        where = [str(len(text) + 1), str(len(text) + 1 + len(short))]
        text += " " + short
        media = {
            "expanded_url": f"https://twitter.com/{me.handle}/status/{post.uid}/photo/1",
            "indices": where, "url": short,
            "media_url": f"http://pbs.twimg.com/media/{media_name}.jpg", "id_str": media_id,
            "id": media_id, "media_url_https": f"https://pbs.twimg.com/media/{media_name}.jpg",
            "sizes": {size: {"w": "64", "h": "48", "resize": "fit"}
                      for size in ("thumb", "small", "medium", "large")},
            "type": "photo", "display_url": "pic.twitter.com/" + short[-10:],
        }
        entities["media"] = [media]
        place = story.PLACES[post.extra["spot"]]
        lat = place.lat + rng.uniform(-0.004, 0.004)
        lon = place.lon + rng.uniform(-0.006, 0.006)
        jpeg = images.photo(rng, post.when - timedelta(minutes=rng.randrange(1, 6)), lat, lon,
                            post.extra["scene"])
        files.append((f"data/tweets_media/{post.uid}-{media_name}.jpg", jpeg))
    start = 0
    if post.kind == "reply":
        start = len(parts[0][1].handle) + 2  # the leading "@handle " is not displayed
    is_rt = post.kind == "repost"
    tweet: dict = {
        "edit_info": {"initial": {
            "editTweetIds": [post.uid],
            "editableUntil": story.iso_z(post.when + timedelta(hours=1)),
            "editsRemaining": "5", "isEditEligible": not is_rt and post.kind != "reply",
        }},
        "retweeted": False, "source": SOURCE, "entities": entities,
        "display_text_range": [str(start), str(shown_end)],
        "favorite_count": "0" if is_rt else str(post.likes),
        "id_str": post.uid, "truncated": False,
        "retweet_count": "0" if is_rt else str(post.reposts), "id": post.uid,
        "possibly_sensitive": False, "created_at": _twitter_time(post.when),
        "favorited": False, "full_text": text, "lang": post.lang,
    }
    if post.kind == "reply" and post.parent is not None:
        tweet.update({
            "in_reply_to_status_id_str": post.parent.uid, "in_reply_to_user_id": post.parent.author.uid,
            "in_reply_to_status_id": post.parent.uid,
            "in_reply_to_screen_name": post.parent.author.handle,
            "in_reply_to_user_id_str": post.parent.author.uid,
        })
    if post.photos:
        tweet["extended_entities"] = {"media": [dict(entities["media"][0])]}
    return tweet, files


def write(out: Path, rng: random.Random, count: int) -> dict:
    """Write the archive with ``count`` tweets."""
    me = owner(rng)
    made = build(rng, count, me)
    tweets, media = [], []
    for post in sorted(made, key=lambda p: p.when, reverse=True):
        tweet, files = tweet_json(rng, post, me)
        tweets.append({"tweet": tweet})
        media += files
    account = [{"account": {
        "email": "noor.bakker@example.com", "createdVia": "web", "username": me.handle,
        "accountId": me.uid, "createdAt": story.iso_z(me.created),
        "accountDisplayName": me.name,
    }}]
    profile = [{"profile": {
        "description": {"bio": me.bio, "website": "https://t.co/" + ids.alnum(rng, 10),
                        "location": "Schiedam, Nederland"},
        "avatarMediaUrl": f"https://pbs.twimg.com/profile_images/{rng.randrange(10**18, 10**19)}"
                          f"/{ids.alnum(rng, 8)}.jpg",
        "headerMediaUrl": f"https://pbs.twimg.com/profile_banners/{me.uid}/1672531200",
    }}]
    manifest = {
        "userInfo": {"accountId": me.uid, "userName": me.handle, "displayName": me.name},
        "archiveInfo": {"sizeBytes": "0", "generationDate": story.iso_z(story.COLLECTED),
                        "isPartialArchive": False, "maxPartSizeBytes": "53687091200"},
        "readmeInfo": {"fileName": "data/README.txt", "directory": "data/",
                       "name": "README.txt"},
        "dataTypes": {
            "account": {"files": [{"fileName": "data/account.js",
                                   "globalName": "YTD.account.part0", "count": "1"}]},
            "profile": {"files": [{"fileName": "data/profile.js",
                                   "globalName": "YTD.profile.part0", "count": "1"}]},
            "tweets": {"mediaDirectory": "data/tweets_media",
                       "files": [{"fileName": "data/tweets.js", "globalName": "YTD.tweets.part0",
                                  "count": str(len(tweets))}]},
        },
    }
    manifest_js = "window.__THAR_CONFIG = " + json.dumps(manifest, indent=2, ensure_ascii=False,
                                                          separators=(",", " : "))
    members = [
        ("Your archive.html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                              "<title>Your archive</title></head><body></body></html>\n"),
        ("data/README.txt", "Twitter archive (demo). See data/manifest.js for the contents.\n"),
        ("data/manifest.js", manifest_js),
        ("data/account.js", _js("account", account)),
        ("data/profile.js", _js("profile", profile)),
        ("data/tweets.js", _js("tweets", tweets)),
    ] + sorted(media)
    save(out / NAME, zip_bytes(members))
    return {NAME: {"format": FORMAT, "records": len(tweets), "malformed": 0,
                   "media_files": len(media)}}
