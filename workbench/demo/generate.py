"""The bundled demo case's data: a fictional crisis, exported the way each platform exports it.

The story
---------
Just after midnight on Friday 8 March 2024 (00:41 local time, 23:41 UTC on the 7th) a tank farm
at the Brandt-Ostermann Chemie plant in the Botlek, in the Port of Rotterdam, explodes. An
NL-Alert tells Vlaardingen, Schiedam, Maassluis, Spijkenisse and Rozenburg to keep windows shut;
Rozenburg is evacuated to Ahoy. The smoke drifts south-east over Dordrecht and Breda towards
Antwerp. The fire is out on Sunday morning. Rumours run ahead of the facts: workers missing and
deaths hidden, phosgene, poisoned tap water, sabotage; others debunk them. People protest on the
Coolsingel in Rotterdam (Sunday 10th), on the Malieveld in The Hague (Tuesday 12th) and in
Antwerp (Wednesday 13th). From Saturday evening a cluster of twelve accounts made within days of
each other in February posts the same #BOCcoverup text, with small edits, within minutes of each
other, six times (and eight look-alikes do it twice on Bluesky).

The places and their coordinates are real; the plant, the company, the news desks and every
person are fictional. Posts are in English, Dutch, German, French, Spanish, Arabic (right to
left) and Ukrainian; they carry hashtags, @mentions, links to news sites, emoji, replies,
reposts/boosts/retweets and quotes, geotags (X places and exact coordinates in towns around the
plant) and photos (64x48 JPEGs whose EXIF holds the camera, the time taken and the GPS
position). Volume follows a daily rhythm, a burst in the night of the explosion, decay, and bumps
at the protests. About 1% of records are broken the ways real files break (a line cut off
mid-write, a record without its id or its time, an unreadable timestamp).

The files (about 5.5 MB for the default 5,000 posts; the same seed gives the same bytes)
-----------------------------------------------------------------------------------------
- ``twitter/tweets-v2.jsonl`` (~40% of posts): X API v2 full-archive search responses, one per
  line as ``twarc2 search`` writes them: ``data`` (tweets), ``includes`` (``users``, referenced
  ``tweets``, ``media``, ``places``), ``meta``, ``__twarc``; the coordinated cluster is here.
  The last line was cut off when the collector was killed.
- ``twitter/archive.zip``: reporter @noorbakker010's "Download your data" archive:
  ``data/tweets.js`` (``window.YTD.tweets.part0 = [...]``), ``data/account.js``,
  ``data/profile.js``, ``data/manifest.js``, and four photos in ``data/tweets_media/``.
- ``telegram/ChatExport_2024-03-15/result.json`` (~12%): Telegram Desktop's export of the
  public channel "Botlek Alert 🔥 Rijnmond", with ``photos/``: text as strings and as entity
  arrays, service messages, forwards, replies, edits, reactions.
- ``mastodon/tag-timeline.json`` (~12%): Status entities from mastodon.social for #BotlekFire,
  HTML content, boosts, replies, remote accounts ``user@instance``.
- ``reddit/r_rotterdam_new.json`` (a Listing of r/Rotterdam's newest 100 posts),
  ``reddit/submission.json`` (the megathread: the two-listing page with its nested comment tree,
  ~5%) and ``reddit/comments.ndjson.zst`` (~16%, Pushshift-style comments, zstandard; some of
  them are the megathread's comments again, with the same ids).
- ``bluesky/searchPosts.json`` (~10%): an ``app.bsky.feed.searchPosts`` response.

:func:`generate` returns a manifest: for each file its format name, how many records it holds
(each is imported or quarantined) and how many of those are malformed.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from workbench.demo import bluesky, mastodon, reddit, telegram, twitter_archive, twitter_v2

#: Each source's share of the posts.
SHARES = {"twitter-v2": 0.40, "twitter-archive": 0.03, "telegram": 0.12, "mastodon": 0.12,
          "reddit-listing": 0.02, "reddit-thread": 0.05, "reddit-dump": 0.16, "bluesky": 0.10}
#: The smallest number of posts that still makes every file (and every kind of record).
MIN_POSTS = 400


def _counts(total: int) -> dict[str, int]:
    counts = {name: max(1, round(total * share)) for name, share in SHARES.items()}
    if counts["reddit-listing"] > 100:  # the listing endpoint gives at most 100 things
        counts["reddit-dump"] += counts["reddit-listing"] - 100
        counts["reddit-listing"] = 100
    counts["twitter-v2"] += total - sum(counts.values())
    return counts


def generate(out_dir: Path, *, seed: int = 7, posts: int = 5000) -> dict:
    """Write the demo dataset under ``out_dir`` and return its manifest.

    The same ``seed`` and ``posts`` always give byte-identical files. ``posts`` is the total
    number of records across all files (at least :data:`MIN_POSTS`). Returns
    ``{relative file name: {"format": name, "records": n, "malformed": n, ...}}``, in the order
    the files are best imported (a file's ``overlap`` counts records that repeat ones in an
    earlier file).
    """
    if posts < MIN_POSTS:
        raise ValueError(f"posts must be at least {MIN_POSTS}, got {posts}")
    out_dir = Path(out_dir)
    counts = _counts(posts)

    def rng(name: str) -> random.Random:
        return random.Random(f"socmint-demo:{seed}:{name}")

    manifest: dict = {}
    manifest.update(twitter_v2.write(out_dir, rng("twitter-v2"), counts["twitter-v2"]))
    manifest.update(twitter_archive.write(out_dir, rng("twitter-archive"),
                                          counts["twitter-archive"]))
    manifest.update(telegram.write(out_dir, rng("telegram"), counts["telegram"]))
    manifest.update(mastodon.write(out_dir, rng("mastodon"), counts["mastodon"]))
    manifest.update(reddit.write(out_dir, rng("reddit"), listing=counts["reddit-listing"],
                                 thread=counts["reddit-thread"], dump=counts["reddit-dump"]))
    manifest.update(bluesky.write(out_dir, rng("bluesky"), counts["bluesky"]))
    return manifest


def main(argv: list[str] | None = None) -> int:
    """``python -m workbench.demo.generate OUT_DIR [SEED [POSTS]]``"""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(main.__doc__, file=sys.stderr)
        return 2
    seed = int(args[1]) if len(args) > 1 else 7
    posts = int(args[2]) if len(args) > 2 else 5000
    for name, entry in generate(Path(args[0]), seed=seed, posts=posts).items():
        print(f"{name}: {entry['format']}, {entry['records']} records, "
              f"{entry['malformed']} malformed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
