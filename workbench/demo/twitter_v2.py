"""``twitter/tweets-v2.jsonl``: X API v2 search responses, one per line, as ``twarc2 search``
writes them (``data``, ``includes``, ``meta`` and twarc's ``__twarc`` note), newest first.

Tweet ids are snowflakes made from the tweet's time; ``includes`` carries the authors, mentioned
users, referenced tweets, media and places of each page. About 1% of the tweets are spoiled (no
id, or an impossible ``created_at``), two more lack ``created_at`` (an importer can take the time
from the id), and the last line stops mid-record: the collector was killed while writing it.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from workbench.demo import ids, people, posts, story
from workbench.demo.files import save
from workbench.demo.people import Persona
from workbench.demo.posts import Post, Span

NAME = "twitter/tweets-v2.jsonl"
FORMAT = "twitter-v2"
PAGE = 100
QUERY = "Botlek OR BotlekFire OR Rozenburg OR #brandbotlek OR #BOCcoverup"
EXPANSIONS = ("author_id,referenced_tweets.id,referenced_tweets.id.author_id,"
              "entities.mentions.username,in_reply_to_user_id,attachments.media_keys,geo.place_id")
BAD_TIMES = ("2024-03-09T25:14:07.000Z", "2024-02-30T11:02:00.000Z", "09/03/2024 14:22")
TWEET_FIELDS = ("attachments,author_id,conversation_id,created_at,edit_history_tweet_ids,"
                "entities,geo,id,in_reply_to_user_id,lang,public_metrics,referenced_tweets,text")


class _Twitter:
    """Ids, t.co links and users for one collection."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.tco: dict[tuple[str, str], str] = {}
        self.places: dict[str, dict] = {}

    def user_id(self, person: Persona) -> str:
        if not person.uid:
            # Accounts from before 2013 have small sequential ids, later ones are snowflakes.
            person.uid = (str(self.rng.randrange(10**7, 10**9)) if person.created.year < 2013
                          else ids.twitter_snowflake(self.rng, person.created))
        return person.uid

    def short(self, post: Post, url: str) -> str:
        key = (post.uid, url)
        if key not in self.tco:
            self.tco[key] = ids.tco(self.rng)
        return self.tco[key]

    def place(self, place: story.Place) -> dict:
        if place.name not in self.places:
            name = "Den Haag" if place.name == "The Hague" else place.name
            self.places[place.name] = {
                "full_name": f"{name}, {place.country}", "id": ids.hex_id(self.rng),
                "country": place.country, "country_code": place.country_code,
                "geo": {"type": "Feature", "bbox": [round(place.lon - 0.08, 6),
                        round(place.lat - 0.05, 6), round(place.lon + 0.08, 6),
                        round(place.lat + 0.05, 6)], "properties": {}},
                "name": name, "place_type": "city",
            }
        return self.places[place.name]


def user_json(person: Persona, tw: _Twitter) -> dict:
    """A v2 user object with the fields a collector asks for."""
    location = {"Rotterdam": "Rotterdam, Nederland", "The Hague": "Den Haag"}.get(
        person.home.name, person.home.name)
    if person.kind == "coordinated":
        location = "Nederland"
    return {
        "id": tw.user_id(person), "name": person.name, "username": person.handle,
        "created_at": story.iso_z(person.created), "description": person.bio,
        "location": location, "verified": person.verified,
        "profile_image_url": f"https://pbs.twimg.com/profile_images/{person.extra['img']}_normal.jpg",
        "public_metrics": {
            "followers_count": person.followers, "following_count": person.following,
            "tweet_count": person.statuses, "listed_count": person.followers // 90,
        },
    }


def _display(url: str) -> str:
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= 26 else bare[:25] + "…"


def tweet_json(post: Post, tw: _Twitter) -> dict:
    """A v2 tweet object for ``post``."""
    parent = post.parent
    if post.kind == "repost" and parent is not None:
        parts = [("text", "RT "), ("mention", parent.author), ("text", ": ")] + parent.parts
        owner = parent
    else:
        parts, owner = post.parts, post
    text, spans = posts.render(parts, link=lambda url: tw.short(owner, url))
    if post.kind == "repost" and len(text) > 140:
        text = text[:139] + "…"
        spans = [s for s in spans if s.end <= 139]
    extra_urls: list[dict] = []
    if post.kind == "quote" and parent is not None:
        target = f"https://twitter.com/{parent.author.handle}/status/{parent.uid}"
        short = tw.short(post, target)
        extra_urls.append(_url(len(text) + 1, short, target, _display(target)))
        text += " " + short
    media_keys = [f"3_{post.extra['media'][i]}" for i in range(post.photos)] \
        if post.kind != "repost" else []
    if media_keys:
        short = tw.short(post, "media")
        target = f"https://twitter.com/{post.author.handle}/status/{post.uid}/photo/1"
        for key in media_keys:
            entry = _url(len(text) + 1, short, target, "pic.twitter.com/" + short[-10:])
            entry["media_key"] = key
            extra_urls.append(entry)
        text += " " + short
    tweet: dict = {
        "id": post.uid, "text": text, "edit_history_tweet_ids": [post.uid],
        "author_id": tw.user_id(post.author), "created_at": story.iso_z(post.when),
        "conversation_id": post.root.uid if post.kind == "reply" else post.uid,
        "lang": post.lang,
        "public_metrics": {
            "retweet_count": post.reposts if post.kind != "repost" else parent.reposts,
            "reply_count": post.replies, "like_count": post.likes, "quote_count": post.quotes,
            "bookmark_count": post.likes // 25, "impression_count": post.views,
        },
    }
    entities = _entities(spans, tw)
    if extra_urls:
        entities.setdefault("urls", []).extend(extra_urls)
    if entities:
        tweet["entities"] = entities
    if parent is not None:
        kind = {"reply": "replied_to", "repost": "retweeted", "quote": "quoted"}[post.kind]
        tweet["referenced_tweets"] = [{"type": kind, "id": parent.uid}]
        if post.kind == "reply":
            tweet["in_reply_to_user_id"] = tw.user_id(parent.author)
    if media_keys:
        tweet["attachments"] = {"media_keys": media_keys}
    if post.place is not None:
        tweet["geo"] = {"place_id": tw.place(post.place)["id"]}
        if post.exact:
            tweet["geo"]["coordinates"] = {"type": "Point",
                                           "coordinates": [post.exact[1], post.exact[0]]}
    return tweet


def _url(start: int, short: str, expanded: str, display: str) -> dict:
    return {"start": start, "end": start + len(short), "url": short, "expanded_url": expanded,
            "display_url": display}


def _entities(spans: list[Span], tw: _Twitter) -> dict:
    entities: dict[str, list] = {}
    for span in spans:
        if span.kind == "tag":
            entities.setdefault("hashtags", []).append(
                {"start": span.start, "end": span.end, "tag": span.value})
        elif span.kind == "mention":
            person: Persona = span.value  # type: ignore[assignment]
            entities.setdefault("mentions", []).append(
                {"start": span.start, "end": span.end, "username": person.handle,
                 "id": tw.user_id(person)})
        elif span.kind == "link":
            entities.setdefault("urls", []).append(
                _url(span.start, span.shown, str(span.value), _display(str(span.value))))
    return entities


def _media(post: Post) -> list[dict]:
    return [{"media_key": f"3_{post.extra['media'][i]}", "type": "photo",
             "url": f"https://pbs.twimg.com/media/{post.extra['media_name'][i]}.jpg",
             "width": 2048, "height": 1536} for i in range(post.photos)]


def build(rng: random.Random, count: int) -> tuple[list[Post], list[Persona]]:
    """The tweets of the collection (``count`` of them, before any are spoiled)."""
    cast = people.cast(rng, max(30, count // 5), cluster=12)
    cluster = [p for p in cast if p.kind == "coordinated"]
    wave_times = story.WAVES if count >= 600 else story.WAVES[:2]
    coordinated = posts.waves(rng, cluster, wave_times)
    times = story.sample_times(rng, count - len(coordinated))
    everyday = posts.converse(rng, cast, times, tag_rate=0.6, geo_rate=0.05)
    timeline = posts.merge_timelines(everyday, coordinated)
    posts.engagement(rng, timeline)
    for person in cast:
        person.extra["img"] = f"{rng.randrange(10**18, 10**19)}/{ids.alnum(rng, 8)}"
    for post in timeline:
        post.uid = ids.twitter_snowflake(rng, post.when)
        post.extra["media"] = [ids.twitter_snowflake(rng, post.when) for _ in range(post.photos)]
        post.extra["media_name"] = [ids.alnum(rng, 15) for _ in range(post.photos)]
    return timeline, cast


def _spoil(rng: random.Random, tweets: list[dict], referenced: set[str]) -> int:
    """Spoil about 1% of the tweets the ways real files are spoiled; returns how many cannot be
    read. Two more lose ``created_at`` only: a tweet id carries its time, so they can."""
    leaves = [t for t in tweets if t["id"] not in referenced]
    count = min(max(2, round(len(tweets) * 0.01)), len(leaves) - 2)
    victims = rng.sample(leaves, count + 2)
    for number, tweet in enumerate(victims[:count]):
        if number % 2 == 0:
            del tweet["id"]
        else:
            tweet["created_at"] = BAD_TIMES[(number // 2) % len(BAD_TIMES)]
    for tweet in victims[count:]:
        del tweet["created_at"]
    return count


def write(out: Path, rng: random.Random, count: int) -> dict:
    """Write the file; ``count`` records (the last line, cut off mid-write, is one of them)."""
    lost = 7  # tweets in the page that was being written when the collector was killed
    timeline, _ = build(rng, count - 1 + lost)
    tw = _Twitter(rng)
    tweets = {post.uid: tweet_json(post, tw) for post in timeline}
    referenced = {p.parent.uid for p in timeline if p.parent is not None}
    newest_first = sorted(timeline, key=lambda p: p.when, reverse=True)
    kept, cut = newest_first[:-lost], newest_first[-lost:]
    malformed = _spoil(rng, [tweets[p.uid] for p in kept], referenced)
    pages = [kept[i:i + PAGE] for i in range(0, len(kept), PAGE)] + [cut]
    lines = []
    retrieved = story.COLLECTED
    next_token = None
    for number, page in enumerate(pages):
        retrieved += timedelta(seconds=rng.randrange(2, 5))
        token = ids.alnum(rng, 44).lower() if number < len(pages) - 1 else None
        response = _response(page, tweets, tw, retrieved, next_token, token)
        next_token = token
        lines.append(json.dumps(response))
    # The collector was killed while writing the last line: it stops mid-record, no newline.
    last = lines.pop()
    text = "\n".join(lines) + "\n" + last[: len(last) * 3 // 5]
    save(out / NAME, text)
    return {NAME: {"format": FORMAT, "records": len(timeline) - lost + 1,
                   "malformed": malformed + 1}}


def _response(page: list[Post], tweets: dict[str, dict], tw: _Twitter, retrieved: datetime,
              token_in: str | None, token_out: str | None) -> dict:
    users: dict[str, dict] = {}
    included: dict[str, dict] = {}
    media: list[dict] = []
    places: dict[str, dict] = {}

    def add_user(person: Persona) -> None:
        users.setdefault(tw.user_id(person), user_json(person, tw))

    for post in page:
        add_user(post.author)
        for person in post.mentioned:
            add_user(person)
        if post.parent is not None:
            add_user(post.parent.author)
            included.setdefault(post.parent.uid, tweets[post.parent.uid])
        media += _media(post) if post.kind != "repost" else []
        if post.place is not None:
            places.setdefault(post.place.name, tw.place(post.place))
    includes: dict = {"users": list(users.values())}
    if included:
        includes["tweets"] = list(included.values())
    if media:
        includes["media"] = media
    if places:
        includes["places"] = list(places.values())
    meta: dict = {"newest_id": page[0].uid, "oldest_id": page[-1].uid, "result_count": len(page)}
    if token_out:
        meta["next_token"] = token_out
    url = ("https://api.twitter.com/2/tweets/search/all?expansions=" + quote(EXPANSIONS, safe="")
           + "&tweet.fields=" + quote(TWEET_FIELDS, safe="")
           + "&query=" + quote(QUERY, safe="") + "&start_time=2024-03-05T00%3A00%3A00%2B00%3A00"
           + "&end_time=2024-03-15T12%3A00%3A00%2B00%3A00&max_results=100")
    if token_in:
        url += "&next_token=" + token_in
    return {"data": [tweets[p.uid] for p in page], "includes": includes, "meta": meta,
            "__twarc": {"url": url, "version": "2.14.0",
                        "retrieved_at": retrieved.isoformat()}}
