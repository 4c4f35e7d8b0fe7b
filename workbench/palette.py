"""One colour per platform (and per sentiment band) for every chart, map and widget.

A platform's colour depends on its name only, never on which other platforms a figure happens to
show or in which order, so the timeline, the top-accounts chart, the map and the item browser of
one report (or of two reports) agree. Known platforms have fixed Tableau 10 colours; any other
name gets one of the spare colours by a stable hash of the name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

#: Tableau 10, the palette altair (Vega) and the map share.
TABLEAU10 = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
             "#9c755f", "#bab0ac")
PLATFORM_COLOURS = {
    "twitter": "#4e79a7", "telegram": "#76b7b2", "mastodon": "#b07aa1", "bluesky": "#f28e2b",
    "reddit": "#e15759", "youtube": "#edc948", "web": "#59a14f", "generic": "#9c755f",
}
#: Colours no known platform uses, for the others (hashed).
SPARE = ("#ff9da7", "#d37295", "#a0cbe8", "#8cd17d", "#b6992d", "#86bcb6", "#f1ce63", "#d4a6c8")
#: For groups that stand for many values ("other") or none ("unknown").
OTHER = "#bab0ac"
SENTIMENT_COLOURS = {"negative": "#d62728", "neutral": "#9e9e9e", "positive": "#2ca02c",
                     "not scored": "#d9d9d9", "unscored": "#d9d9d9"}


def platform_colour(platform: object) -> str:
    """The colour of ``platform`` (any case); "other", "unknown" and missing names are grey."""
    name = str(platform).strip().lower() if isinstance(platform, str) else ""
    if not name or name in ("other", "unknown", "none", "nan"):
        return OTHER
    if name in PLATFORM_COLOURS:
        return PLATFORM_COLOURS[name]
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return SPARE[digest[0] % len(SPARE)]


def platform_scale(platforms: Iterable[object]) -> tuple[list[str], list[str]]:
    """``(domain, range)`` for a chart's colour scale over ``platforms`` (distinct, in order)."""
    domain = [str(p) for p in dict.fromkeys(platforms)]
    return domain, [platform_colour(p) for p in domain]


def sentiment_scale(bands: Iterable[object]) -> tuple[list[str], list[str]]:
    """``(domain, range)`` for sentiment bands, in the order negative, neutral, positive, unscored."""
    present = {str(b) for b in bands}
    domain = [b for b in SENTIMENT_COLOURS if b in present]
    return domain, [SENTIMENT_COLOURS[b] for b in domain]
