"""``mastodon/tag-timeline.json``: Status entities from mastodon.social, as its REST API gives them.

The statuses collected for #BotlekFire (``GET /api/v1/timelines/tag/BotlekFire`` pages, newest
first) together with the boosts of them seen on the collecting account's home timeline, saved as
one JSON array. Content is HTML; accounts on other servers have ``acct`` ``user@instance``, and
their statuses have the home server's ``uri``/``url`` but a mastodon.social ``id``; a boost is a
status with empty content whose ``reblog`` holds the boosted status.
"""

from __future__ import annotations

import html
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from workbench.demo import ids, people, posts, story
from workbench.demo.files import save
from workbench.demo.people import Persona
from workbench.demo.posts import Post

NAME = "mastodon/tag-timeline.json"
FORMAT = "mastodon"
HOME = "mastodon.social"
REMOTE = ("mastodon.nl", "todon.nl", "mas.to", "chaos.social", "mastodon.world",
          "social.vivaldi.net", "eupolicy.social", "journa.host", "mastodon.green",
          "mastodon.online")
MIX = {"post": 0.6, "reply": 0.22, "repost": 0.18}
BAD_TIME = "2024-03-10T11:61:00.000Z"


def _account(person: Persona) -> dict:
    instance, local = person.extra["instance"], person.extra["instance"] == HOME
    files = "https://files.mastodon.social/" + ("" if local else "cache/")
    avatar = f"{files}accounts/avatars/{person.extra['path']}/original/{person.extra['file']}.png"
    return {
        "id": person.uid, "username": person.handle,
        "acct": person.handle if local else f"{person.handle}@{instance}",
        "display_name": person.name, "locked": False, "bot": False, "discoverable": True,
        "indexable": True, "group": False,
        "created_at": person.created.strftime("%Y-%m-%dT00:00:00.000Z"),
        "note": f"<p>{html.escape(person.bio, quote=False)}</p>",
        "url": f"https://{instance}/@{person.handle}",
        "uri": f"https://{instance}/users/{person.handle}",
        "avatar": avatar, "avatar_static": avatar,
        "header": "https://mastodon.social/headers/original/missing.png",
        "header_static": "https://mastodon.social/headers/original/missing.png",
        "followers_count": person.followers, "following_count": person.following,
        "statuses_count": person.statuses,
        "last_status_at": person.extra.get("last", "2024-03-14"), "hide_collections": False,
        "emojis": [], "fields": [],
    }


def _content(post: Post) -> str:
    """The status's HTML, marked up as Mastodon marks up mentions, hashtags and links."""
    instance = post.author.extra["instance"]
    out = []
    for kind, value in post.parts:
        if kind == "text":
            out.append(html.escape(str(value), quote=False))
        elif kind == "tag":
            out.append(f'<a href="https://{instance}/tags/{value}" class="mention hashtag" '
                       f'rel="tag">#<span>{html.escape(str(value))}</span></a>')
        elif kind == "mention":
            person: Persona = value  # type: ignore[assignment]
            url = f"https://{person.extra['instance']}/@{person.handle}"
            out.append(f'<span class="h-card" translate="no"><a href="{url}" '
                       f'class="u-url mention">@<span>{person.handle}</span></a></span>')
        else:
            url = str(value)
            scheme, rest = url.split("://", 1)
            shown, hidden = rest[:30], rest[30:]
            out.append(
                f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener noreferrer"'
                f' translate="no"><span class="invisible">{scheme}://</span>'
                f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
                f'<span class="invisible">{html.escape(hidden)}</span></a>')
    return "<p>" + "".join(out) + "</p>"


def _status(post: Post, rng: random.Random) -> dict:
    person = post.author
    instance, local = person.extra["instance"], person.extra["instance"] == HOME
    remote_id = post.extra["remote_id"]
    if post.kind == "repost":
        uri = f"https://{instance}/users/{person.handle}/statuses/{remote_id}/activity"
        return {
            "id": post.uid, "created_at": story.iso_z(post.when), "in_reply_to_id": None,
            "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
            "visibility": "public", "language": None, "uri": uri, "url": uri,
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": None,
            "content": "", "reblog": _status(post.parent, rng) if post.parent else None,
            "account": _account(person), "media_attachments": [], "mentions": [], "tags": [],
            "emojis": [], "card": None, "poll": None,
        }
    parent = post.parent
    status = {
        "id": post.uid, "created_at": story.iso_z(post.when),
        "in_reply_to_id": parent.uid if parent else None,
        "in_reply_to_account_id": parent.author.uid if parent else None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": post.lang,
        "uri": f"https://{instance}/users/{person.handle}/statuses/{remote_id}",
        "url": f"https://{instance}/@{person.handle}/{remote_id}",
        "replies_count": post.replies, "reblogs_count": post.reposts,
        "favourites_count": post.likes,
        "edited_at": story.iso_z(post.extra["edited"]) if "edited" in post.extra else None,
        "content": _content(post), "reblog": None,
    }
    if local:
        status["application"] = {"name": rng.choice(("Web", "Ivory for iOS", "Tusky")),
                                 "website": None}
    status.update({
        "account": _account(person),
        "media_attachments": [_attachment(post, i) for i in range(post.photos)],
        "mentions": [{"id": p.uid, "username": p.handle,
                      "url": f"https://{p.extra['instance']}/@{p.handle}",
                      "acct": p.handle if p.extra["instance"] == HOME
                      else f"{p.handle}@{p.extra['instance']}"} for p in post.mentioned],
        "tags": [{"name": tag.lower(), "url": f"https://{HOME}/tags/{tag.lower()}"}
                 for tag in dict.fromkeys(post.tags)],
        "emojis": [], "card": _card(post), "poll": None,
    })
    return status


def _attachment(post: Post, index: int) -> dict:
    media_id = post.extra["media"][index]
    local = post.author.extra["instance"] == HOME
    path = "/".join(media_id[i:i + 3] for i in range(0, 18, 3))
    base = "https://files.mastodon.social/" + ("" if local else "cache/")
    name = post.extra["media_name"][index]
    return {
        "id": media_id, "type": "image",
        "url": f"{base}media_attachments/files/{path}/original/{name}.jpg",
        "preview_url": f"{base}media_attachments/files/{path}/small/{name}.jpg",
        "remote_url": None if local else
        f"https://{post.author.extra['instance']}/system/media_attachments/{name}.jpg",
        "preview_remote_url": None, "text_url": None,
        "meta": {"original": {"width": 1600, "height": 1200, "size": "1600x1200",
                              "aspect": 1.3333333333333333},
                 "small": {"width": 554, "height": 416, "size": "554x416",
                           "aspect": 1.3317307692307692}},
        "description": post.extra.get("alt"), "blurhash": "UJD]P1t7D%of~qoeWBayM{ayWBj[IUayofj["
    }


def _card(post: Post) -> dict | None:
    if not post.links:
        return None
    url = post.links[0]
    host = url.split("/")[2]
    return {"url": url, "title": "Brand Botlek: " + url.rstrip("/").rsplit("/", 1)[-1][:60],
            "description": "", "language": None, "type": "link", "author_name": "",
            "author_url": "", "provider_name": host.removeprefix("www."), "provider_url": "",
            "html": "", "width": 0, "height": 0, "image": None, "image_description": "",
            "embed_url": "", "blurhash": None, "published_at": None, "authors": []}


def build(rng: random.Random, count: int) -> list[Post]:
    """The statuses, boosts included, in time order."""
    cast = people.cast(rng, max(20, count // 4))
    people.joined_after(rng, cast, datetime(2017, 4, 1, tzinfo=UTC))
    for person in cast:
        local = rng.random() < 0.45 and not person.is_org
        person.extra["instance"] = HOME if local else rng.choice(REMOTE)
        person.uid = ids.mastodon_id(rng, person.created)
        person.extra["path"] = "/".join(person.uid[i:i + 3] for i in range(0, 18, 3))
        person.extra["file"] = ids.hex_id(rng, 16)
    times = story.sample_times(rng, count, decay=40)
    timeline = posts.converse(rng, cast, times, mix=MIX, tag_rate=0.5, link_rate=0.15,
                              photo_rate=0.05, required_tag="BotlekFire")
    for post in timeline:
        if post.kind == "reply" and "BotlekFire" not in post.tags:
            post.parts += [("text", " "), ("tag", "BotlekFire")]
    posts.engagement(rng, timeline)
    for post in timeline:
        # Remote statuses reach mastodon.social a moment after they are posted.
        seen = post.when + timedelta(milliseconds=rng.randrange(200, 4000))
        post.uid = ids.mastodon_id(rng, seen)
        post.extra["remote_id"] = (post.uid if post.author.extra["instance"] == HOME
                                   else ids.mastodon_id(rng, post.when))
        post.extra["media"] = [ids.mastodon_id(rng, post.when) for _ in range(post.photos)]
        post.extra["media_name"] = [ids.hex_id(rng, 16) for _ in range(post.photos)]
        if post.photos and rng.random() < 0.6:
            post.extra["alt"] = "Black smoke over the port, seen from across the river"
        if post.kind == "post" and rng.random() < 0.05:
            post.extra["edited"] = post.when + timedelta(minutes=rng.randrange(2, 40))
        last = post.when.strftime("%Y-%m-%d")
        post.author.extra["last"] = max(post.author.extra.get("last", last), last)
    return timeline


def write(out: Path, rng: random.Random, count: int) -> dict:
    """Write ``count`` statuses (three of them spoiled)."""
    timeline = build(rng, count)
    statuses = [_status(post, rng) for post in sorted(timeline, key=lambda p: p.when,
                                                      reverse=True)]
    referenced = {p.parent.uid for p in timeline if p.parent is not None}
    spoilable = [s for s in statuses if s["id"] not in referenced and s["reblog"] is None]
    malformed = 0
    if len(spoilable) >= 30:
        first, second, third = rng.sample(spoilable, 3)
        del first["id"]
        del second["created_at"]
        third["created_at"] = BAD_TIME
        malformed = 3
    save(out / NAME, json.dumps(statuses, ensure_ascii=False, separators=(",", ":")))
    return {NAME: {"format": FORMAT, "records": len(statuses), "malformed": malformed,
                   "boosts": sum(1 for s in statuses if s.get("reblog"))}}
