"""Reddit: ``reddit/r_rotterdam_new.json``, ``reddit/submission.json``, ``reddit/comments.ndjson.zst``.

- ``r_rotterdam_new.json``: ``GET /r/Rotterdam/new.json?limit=100``, a ``Listing`` of ``t3``
  things (link, self and image posts, the stickied megathread among them).
- ``submission.json``: ``GET /r/Rotterdam/comments/<id>.json``, the two-listing page: the
  submission, then its comment tree (``t1`` things whose ``replies`` are Listings or ``""``,
  and ``more`` stubs where Reddit cut the tree).
- ``comments.ndjson.zst``: Pushshift-style dump, one comment per line, zstandard-compressed;
  comments from several subreddits, some of them also in the megathread above (the same ids).
Times are ``created_utc`` epoch seconds (floats in the API, integers in the dump).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import zstandard

from workbench.demo import ids, people, phrases, story
from workbench.demo.files import save
from workbench.demo.people import Persona

LISTING = "reddit/r_rotterdam_new.json"
SUBMISSION = "reddit/submission.json"
DUMP = "reddit/comments.ndjson.zst"
FORMAT, DUMP_FORMAT = "reddit", "pushshift"
SUBREDDITS = {"Rotterdam": ("t5_2qnq6", 0.4), "Netherlands": ("t5_2qh4l", 0.25),
              "thenetherlands": ("t5_2qhcl", 0.15), "europe": ("t5_2qh4j", 0.12),
              "belgium": ("t5_2qhe6", 0.05), "worldnews": ("t5_2qh13", 0.03)}
SUBSCRIBERS = 58_213
POST_BASE = int("1b7t000", 36)
COMMENT_BASE = int("ku40000", 36)
QUESTIONS = {
    "en": ["Anyone else hear that explosion?", "Is the tap water safe in {place}?",
           "Road closures around the Botlek right now?", "Smell in {place} this morning, normal?",
           "Where can I donate stuff for the Rozenburg evacuees?",
           "Protest on the Coolsingel Sunday, who's going?",
           "Can someone explain what Brandt-Ostermann actually makes?"],
    "nl": ["Wie heeft die knal ook gehoord?", "Is het kraanwater in {place} veilig?",
           "Spullen doneren voor de mensen uit Rozenburg, waar kan dat?",
           "Stank in {place} vanochtend, normaal?", "Demonstratie zondag op de Coolsingel"],
}
HEADLINES = {
    "en": ["Fire at chemical plant in the Port of Rotterdam, residents told to stay inside",
           "Rozenburg evacuated after Botlek chemical fire",
           "Smoke plume from Botlek fire drifts towards {city}",
           "Thousands protest in Rotterdam after chemical plant fire",
           "Independent investigation into Botlek fire announced"],
    "nl": ["Grote brand bij chemiebedrijf in de Botlek", "Rozenburg geëvacueerd na brand in Botlek",
           "Rookwolk van brand in Botlek trekt richting {city}",
           "Duizenden demonstranten op de Coolsingel na brand in Botlek"],
}
PHOTOS = ("The smoke seen from {place} this morning", "View from the Erasmusbrug right now",
          "Rook boven {place}, vanaf mijn balkon")
#: Everyday posts (title, body) that have nothing to do with the fire.
EVERYDAY = (("Best bakery in Kralingen?", "Just moved to Kralingen. Where do I get good bread?"),
            ("Looking for a room near Blaak", "Student, quiet, non-smoker, budget around 700 a "
             "month. Any tips welcome!"),
            ("Parking near Markthal", "Is there anywhere cheap to park near the Markthal on a "
             "Saturday?"),
            ("Leuke kroeg in de Witte de With?", "Bezoek uit Groningen dit weekend, waar moeten we "
             "heen?"))
MEGATHREAD = "Megathread: fire at the Brandt-Ostermann plant in the Botlek (updates, closures, help)"
NAME_WORDS = (("Sudden", "Ad"), ("Lazy", "Zebra"), ("Quiet", "Harbor"), ("Brave", "Otter"),
              ("Grumpy", "Heron"), ("Fit", "Tulip"), ("Odd", "Crane"), ("Wild", "Kettle"))


def _epoch(when: datetime) -> float:
    return float(int(when.timestamp()))


def _username(rng: random.Random, person: Persona) -> str:
    style = rng.random()
    if style < 0.3:
        first, second = rng.choice(NAME_WORDS)
        return f"{first}-{second}-{rng.randrange(1000, 9999)}"  # Reddit's generated names
    if style < 0.5:
        return f"throwaway{rng.randrange(1000, 99999)}"
    return person.handle + rng.choice(("", "_nl", "_rdam"))


class _Reddit:
    """Users and ids for one subreddit's worth of data."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.cast = people.cast(rng, 160, orgs=False)
        self.users = {}
        for person in self.cast:
            person.extra["reddit"] = _username(rng, person)
            person.uid = "t2_" + ids.base36(rng.randrange(36**7, 36**10))
        self.used: set[str] = set()

    def author(self) -> Persona:
        return self.rng.choice(self.cast)

    def post_id(self, when: datetime) -> str:
        return self._unique(POST_BASE + int((when - story.START).total_seconds() / 2.1))

    def comment_id(self, when: datetime) -> str:
        return self._unique(COMMENT_BASE + int((when - story.START).total_seconds() * 4.3))

    def _unique(self, number: int) -> str:
        while ids.base36(number) in self.used:
            number += 1
        self.used.add(ids.base36(number))
        return ids.base36(number)


def _slug(title: str) -> str:
    words = "".join(c.lower() if c.isalnum() else " " for c in title).split()
    return "_".join(words)[:50].rstrip("_")


def link_json(rd: _Reddit, when: datetime, author: Persona, title: str, *, subreddit="Rotterdam",
              selftext: str = "", url: str | None = None, num_comments: int = 0,
              stickied: bool = False, post_id: str | None = None) -> dict:
    """A ``t3`` thing as the API lists it."""
    rng = rd.rng
    post_id = post_id or rd.post_id(when)
    permalink = f"/r/{subreddit}/comments/{post_id}/{_slug(title)}/"
    is_self = url is None
    url = url or f"https://www.reddit.com{permalink}"
    domain = f"self.{subreddit}" if is_self else url.split("/")[2]
    score = int(rng.paretovariate(1.3) * 5)
    flair = None if not any(w in title for w in ("Botlek", "explosion", "knal", "fire")) else \
        "Nieuws"
    return {
        "approved_at_utc": None, "subreddit": subreddit, "selftext": selftext,
        "author_fullname": author.uid, "saved": False, "gilded": 0, "clicked": False,
        "title": title, "link_flair_richtext": [], "subreddit_name_prefixed": f"r/{subreddit}",
        "hidden": False, "pwls": 6, "link_flair_css_class": None, "downs": 0,
        "hide_score": False, "name": f"t3_{post_id}", "quarantine": False,
        "upvote_ratio": round(rng.uniform(0.72, 0.99), 2), "subreddit_type": "public",
        "ups": score, "total_awards_received": 0, "media_embed": {},
        "is_original_content": False, "user_reports": [], "secure_media": None,
        "is_reddit_media_domain": domain == "i.redd.it", "is_meta": False, "category": None,
        "link_flair_text": flair, "can_mod_post": False, "score": score, "approved_by": None,
        "thumbnail": "self" if is_self else "default", "edited": False,
        "author_flair_css_class": None, "author_flair_richtext": [], "gildings": {},
        "content_categories": None, "is_self": is_self, "mod_note": None,
        "created": _epoch(when), "link_flair_type": "text", "wls": 6,
        "removed_by_category": None, "banned_by": None, "author_flair_type": "text",
        "domain": domain, "allow_live_comments": stickied,
        "selftext_html": (f"&lt;!-- SC_OFF --&gt;&lt;div class=\"md\"&gt;&lt;p&gt;"
                          f"{_escape(selftext)}&lt;/p&gt;\n&lt;/div&gt;&lt;!-- SC_ON --&gt;"
                          if selftext else None),
        "likes": None, "suggested_sort": "new" if stickied else None, "banned_at_utc": None,
        "view_count": None, "archived": False, "no_follow": score < 3,
        "is_crosspostable": False, "pinned": False, "over_18": False, "all_awardings": [],
        "awarders": [], "media_only": False, "can_gild": False, "spoiler": False,
        "locked": False, "author_flair_text": None, "treatment_tags": [], "visited": False,
        "removed_by": None, "num_reports": None, "distinguished": "moderator" if stickied else None,
        "subreddit_id": SUBREDDITS[subreddit][0], "author_is_blocked": False,
        "mod_reason_by": None, "removal_reason": None, "link_flair_background_color": "",
        "id": post_id, "is_robot_indexable": True, "report_reasons": None,
        "author": author.extra["reddit"], "discussion_type": None,
        "num_comments": num_comments, "send_replies": True, "contest_mode": False,
        "mod_reports": [], "author_patreon_flair": False, "author_flair_text_color": None,
        "permalink": permalink, "stickied": stickied, "url": url,
        "subreddit_subscribers": SUBSCRIBERS, "created_utc": _epoch(when),
        "num_crossposts": 0, "media": None, "is_video": False,
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;amp;").replace("<", "&amp;lt;").replace(">", "&amp;gt;")


def _say(rng: random.Random, when: datetime, person: Persona, reply: bool) -> str:
    lang = person.lang if person.lang in ("en", "nl") and rng.random() < 0.8 else "en"
    if reply:
        return phrases.reply(rng, lang, when, person.home.name)
    return phrases.sentence(rng, story.pick_phase(rng, when), lang, when, person.home.name)


def comment_json(rd: _Reddit, when: datetime, author: Persona | None, body: str, *,
                 link_id: str, parent_id: str, subreddit: str, depth: int,
                 submitter: str | None, comment_id: str | None = None,
                 score: int | None = None) -> dict:
    """A ``t1`` thing as the API gives it in a comment tree."""
    rng = rd.rng
    comment_id = comment_id or rd.comment_id(when)
    name = author.extra["reddit"] if author else "[deleted]"
    score = score if score is not None else int(rng.paretovariate(1.4) * 2) - rng.randrange(3)
    slug = "megathread_fire_at_the_brandtostermann_plant_in"
    return {
        "subreddit_id": SUBREDDITS[subreddit][0], "approved_at_utc": None,
        "author_is_blocked": False, "comment_type": None, "awarders": [],
        "mod_reason_by": None, "banned_by": None, "author_flair_type": "text",
        "total_awards_received": 0, "subreddit": subreddit, "author_flair_template_id": None,
        "likes": None, "replies": "", "user_reports": [], "saved": False, "id": comment_id,
        "banned_at_utc": None, "mod_reason_title": None, "gilded": 0, "archived": False,
        "collapsed_reason_code": None, "no_follow": score < 2, "author": name,
        "can_mod_post": False, "created_utc": _epoch(when), "send_replies": True,
        "parent_id": parent_id, "score": score,
        **({"author_fullname": author.uid} if author else {}),
        "approved_by": None, "mod_note": None, "all_awardings": [], "collapsed": score < -2,
        "body": body, "edited": False, "top_awarded_type": None,
        "author_flair_css_class": None, "name": f"t1_{comment_id}",
        "is_submitter": name == submitter, "downs": 0, "author_flair_richtext": [],
        "author_patreon_flair": False,
        "body_html": ("&lt;div class=\"md\"&gt;&lt;p&gt;" + _escape(body)
                      + "&lt;/p&gt;\n&lt;/div&gt;"),
        "removal_reason": None, "collapsed_reason": None, "distinguished": None,
        "associated_award": None, "stickied": False, "author_premium": False,
        "can_gild": True, "gildings": {}, "unrepliable_reason": None,
        "author_flair_text_color": None, "score_hidden": False,
        "permalink": f"/r/{subreddit}/comments/{link_id[3:]}/{slug}/{comment_id}/",
        "subreddit_type": "public", "locked": False, "report_reasons": None,
        "created": _epoch(when), "author_flair_text": None, "treatment_tags": [],
        "link_id": link_id, "subreddit_name_prefixed": f"r/{subreddit}",
        "controversiality": 1 if score < 0 else 0, "depth": depth,
        "author_flair_background_color": None, "collapsed_because_crowd_control": None,
        "mod_reports": [], "num_reports": None, "ups": score,
    }


def megathread(rd: _Reddit, count: int) -> tuple[dict, list[dict]]:
    """The stickied megathread and ``count`` comments on it, flat, parents before children."""
    rng = rd.rng
    opened = story.EVENT + timedelta(minutes=52, seconds=rng.randrange(60))
    mod = rd.cast[0]
    mod.extra["reddit"] = "RotterdamMods"
    body = ("Keep all updates about the fire in the Botlek here. Follow the official channels "
            "and the NL-Alert instructions. No speculation about casualties without a source. "
            "Rozenburg evacuees: reception at Ahoy.")
    submission = link_json(rd, opened, mod, MEGATHREAD, selftext=body, num_comments=count,
                           stickied=True)
    link_id = submission["name"]
    times = story.sample_times(rng, count, start=opened + timedelta(minutes=2), decay=20)
    comments: list[dict] = []
    for when in times:
        author = None if rng.random() < 0.03 else rd.author()
        parent = rng.choice(comments[-60:]) if comments and rng.random() < 0.5 else None
        if parent is not None and parent["depth"] >= 7:
            parent = None
        body = "[deleted]" if author is None else _say(rng, when, author, parent is not None)
        comments.append(comment_json(
            rd, when, author, body, link_id=link_id,
            parent_id=parent["name"] if parent else link_id, subreddit="Rotterdam",
            depth=parent["depth"] + 1 if parent else 0, submitter=submission["author"]))
    return submission, comments


def _tree(rng: random.Random, comments: list[dict], link_id: str) -> list[dict]:
    """Nest the comments (best first) the way the comments endpoint returns them."""
    children: dict[str, list[dict]] = {}
    for comment in comments:
        children.setdefault(comment["parent_id"], []).append(comment)

    def listing(parent: str, depth: int) -> list[dict]:
        things = [{"kind": "t1", "data": c} for c in
                  sorted(children.get(parent, []), key=lambda c: -c["score"])]
        for thing in things:
            below = listing(thing["data"]["name"], depth + 1)
            if below:
                thing["data"]["replies"] = {"kind": "Listing", "data": {
                    "after": None, "dist": None, "modhash": "", "geo_filter": "",
                    "children": below, "before": None}}
        if parent == link_id:
            # Reddit stops sending comments after a while and sends a "more" stub instead.
            hidden = [ids.base36(COMMENT_BASE + rng.randrange(10**6, 2 * 10**6))
                      for _ in range(rng.randrange(5, 15))]
            things.append({"kind": "more", "data": {
                "count": len(hidden) + rng.randrange(0, 20), "name": f"t1_{hidden[0]}",
                "id": hidden[0], "parent_id": link_id, "depth": depth, "children": hidden}})
        return things

    return listing(link_id, 0)


def dump_line(comment: dict, retrieved: datetime, *, sort: bool = True) -> dict:
    """A comment as a Pushshift-style dump stores it: integer times, no tree, when retrieved."""
    row = {k: v for k, v in comment.items()
           if k not in ("replies", "body_html", "likes", "saved", "user_reports", "mod_reports",
                        "depth", "created", "ups", "downs", "approved_at_utc", "approved_by",
                        "banned_at_utc", "banned_by", "mod_note", "mod_reason_by",
                        "mod_reason_title", "num_reports", "report_reasons", "removal_reason",
                        "can_mod_post", "author_is_blocked")}
    row["created_utc"] = int(comment["created_utc"])
    row["retrieved_on"] = int(retrieved.timestamp())
    return dict(sorted(row.items())) if sort else row


def write(out: Path, rng: random.Random, *, listing: int, thread: int, dump: int) -> dict:
    """Write the three files: ``listing`` posts, ``thread`` records (submission + comments),
    ``dump`` lines."""
    rd = _Reddit(rng)
    submission, comments = megathread(rd, max(0, thread - 1))
    page = [submission, *_listing(rd, listing - 1)]
    page.sort(key=lambda t: -t["created_utc"])
    save(out / LISTING, json.dumps({"kind": "Listing", "data": {
        "after": page[-1]["name"] if page else None, "dist": len(page), "modhash": "",
        "geo_filter": "", "children": [{"kind": "t3", "data": t} for t in page],
        "before": None}}, ensure_ascii=False, separators=(", ", ": ")))
    tree = _tree(rng, comments, submission["name"])
    save(out / SUBMISSION, json.dumps([
        {"kind": "Listing", "data": {"after": None, "dist": 1, "modhash": "", "geo_filter": "",
                                     "children": [{"kind": "t3", "data": submission}],
                                     "before": None}},
        {"kind": "Listing", "data": {"after": None, "dist": None, "modhash": "",
                                     "geo_filter": "", "children": tree, "before": None}},
    ], ensure_ascii=False, separators=(", ", ": ")))
    lines, malformed, overlap = _dump(rd, comments, dump)
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    save(out / DUMP, zstandard.ZstdCompressor(level=10).compress(raw))
    return {
        LISTING: {"format": FORMAT, "records": len(page), "malformed": 0},
        SUBMISSION: {"format": FORMAT, "records": 1 + len(comments), "malformed": 0,
                     "overlap": {LISTING: 1}},  # the megathread is in the listing too
        DUMP: {"format": DUMP_FORMAT, "records": len(lines), "malformed": malformed,
               "overlap": {SUBMISSION: overlap}},
    }


def _listing(rd: _Reddit, count: int) -> list[dict]:
    """The subreddit's newest posts: questions, news links and photos of the fire, and the
    everyday posts that go on around them."""
    rng = rd.rng
    things = []
    for when in story.sample_times(rng, count, start=story.END - timedelta(days=9), decay=48):
        author = rd.author()
        lang = "nl" if author.lang == "nl" and rng.random() < 0.6 else "en"
        place = rng.choice(story.LOCAL_PLACES).name
        city = rng.choice(story.PLUME_CITIES)
        style = rng.random()
        if when < story.EVENT or style < 0.15:
            title, body = rng.choice(EVERYDAY)
            things.append(link_json(rd, when, author, title, selftext=body,
                                    num_comments=rng.randrange(0, 25)))
        elif style < 0.5:
            title = rng.choice(HEADLINES[lang]).format(city=city)
            things.append(link_json(rd, when, author, title, url=phrases.news_link(rng, when),
                                    num_comments=rng.randrange(0, 80)))
        elif style < 0.62:
            title = rng.choice(PHOTOS).format(place=place)
            things.append(link_json(rd, when, author, title,
                                    url=f"https://i.redd.it/{ids.alnum(rng, 13).lower()}.jpeg",
                                    num_comments=rng.randrange(0, 40)))
        else:
            title = rng.choice(QUESTIONS[lang]).format(place=place)
            things.append(link_json(rd, when, author, title, selftext=_say(rng, when, author, False),
                                    num_comments=rng.randrange(0, 60)))
    return things


def _dump(rd: _Reddit, thread: list[dict], count: int) -> tuple[list[str], int, int]:
    """Dump lines: comments across subreddits plus some of the megathread's; a few spoiled."""
    rng = rd.rng
    retrieved = story.COLLECTED - timedelta(hours=2)
    overlap = [c for c in thread if c["author"] != "[deleted]"][: max(0, min(25, count // 30))]
    rows = [dump_line(c, retrieved) for c in overlap]
    names = list(SUBREDDITS)
    weights = [SUBREDDITS[n][1] for n in names]
    posts_of: dict[str, list[tuple[str, datetime]]] = {}
    for when in story.sample_times(rng, count - len(rows), start=story.EVENT, decay=40):
        subreddit = rng.choices(names, weights=weights)[0]
        threads = posts_of.setdefault(subreddit, [])
        if not threads or (rng.random() < 0.08 and len(threads) < 12):
            threads.append((rd.post_id(when - timedelta(minutes=rng.randrange(5, 120))), when))
        link, _ = rng.choice(threads)
        author = rd.author()
        replying = rng.random() < 0.45
        parent = f"t1_{rd.comment_id(when - timedelta(minutes=3))}" if replying else f"t3_{link}"
        body = _say(rng, when, author, replying)
        comment = comment_json(rd, when, author, body, link_id=f"t3_{link}", parent_id=parent,
                               subreddit=subreddit, depth=0, submitter=None)
        comment["permalink"] = comment["permalink"].replace(
            "megathread_fire_at_the_brandtostermann_plant_in", "botlek")
        rows.append(dump_line(comment, retrieved))
    rows.sort(key=lambda r: r["created_utc"])
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows]
    malformed = 0
    if len(lines) >= 100:
        candidates = [i for i in range(len(lines)) if rows[i]["id"] not in
                      {c["id"] for c in overlap}]
        spoiled = rng.sample(candidates, max(4, len(lines) // 100))
        for number, index in enumerate(spoiled):
            row = dict(rows[index])
            if number % 4 == 0:
                lines[index] = lines[index][: len(lines[index]) // 2]  # cut short mid-record
                continue
            if number % 4 == 1:
                del row["id"], row["name"]
            elif number % 4 == 2:
                del row["created_utc"]
            else:
                row["created_utc"] = "2024-03-32 25:00:00"
            lines[index] = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        malformed = len(spoiled)
    return lines, malformed, len(overlap)
