"""The URLs the items cite, as articles (:func:`workbench.urls.link_key`), with the items citing
each: what ``capture --from-items`` captures and what each capture is linked to.

An item's ``links`` are the platform's own list of the links in its text, already expanded where
the platform expands them (a tweet's ``t.co`` links are its links' targets), so the text is read
for URLs only where an item has no ``links`` (a generic CSV import, a message).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from workbench.store import chunks
from workbench.urls import link_key

#: A URL in running text; trailing punctuation of the sentence is cut off after.
URL_IN_TEXT = re.compile(r"https?://[^\s<>()\[\]{}\"'`]+", re.I)
_TRAILING = ".,;:!?…»”’"


@dataclass
class Cited:
    """One article the items cite: the variant cited most (as written) and who cites it."""

    key: str
    variants: Counter = field(default_factory=Counter)
    uids: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.variants.most_common(1)[0][0]


def urls_of(links: str | None, text: str | None) -> list[str]:
    """The http(s) URLs one item cites: its ``links`` (JSON, as stored), else those in its text."""
    try:
        listed = json.loads(links) if links else []
    except (TypeError, ValueError):
        listed = []
    if not isinstance(listed, list):
        listed = []
    found = [u for u in listed if isinstance(u, str)]
    if not found and text:
        found = [m.rstrip(_TRAILING) for m in URL_IN_TEXT.findall(text)]
    return [u.strip() for u in found if u.strip().lower().startswith(("http://", "https://"))]


def citations(db: sqlite_utils.Database, uids: list[str] | None = None) -> dict[str, Cited]:
    """Every article the items (only ``uids``, when given) cite, by key, most cited first."""
    sql = ("SELECT uid, links, text FROM items WHERE ((links IS NOT NULL AND links != '[]') "
           "OR text LIKE '%http%')")
    batches = ([db.execute(sql + " ORDER BY uid")] if uids is None else
               (db.execute(f"{sql} AND uid IN ({', '.join('?' * len(part))}) ORDER BY uid", part)
                for part in chunks(sorted(set(uids)))))
    found: dict[str, Cited] = {}
    for rows in batches:
        for uid, links, text in rows:
            for url in urls_of(links, text):
                cited = found.setdefault(link_key(url), Cited(link_key(url)))
                cited.variants[url] += 1
                if not cited.uids or cited.uids[-1] != uid:
                    cited.uids.append(uid)
    return dict(sorted(found.items(), key=lambda kv: (-len(kv[1].uids), kv[0])))
