"""The URLs the items cite, as articles (:func:`workbench.urls.link_key`), with the items citing
each: what ``capture --from-items`` captures and what each capture is linked to.

Which URLs an item cites is :func:`workbench.cited.citing`'s answer (its ``links``, else the URLs
in its text); unlike an archive look-up, a capture also takes private addresses here, which the
capture refuses later unless the analyst allowed their network.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from workbench.cited import citing
from workbench.urls import link_key


@dataclass
class Cited:
    """One article the items cite: the variant cited most (as written) and who cites it."""

    key: str
    variants: Counter = field(default_factory=Counter)
    uids: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.variants.most_common(1)[0][0]


def citations(db: sqlite_utils.Database, uids: list[str] | None = None) -> dict[str, Cited]:
    """Every article the items (only ``uids``, when given) cite, by key, most cited first."""
    found: dict[str, Cited] = {}
    for uid, url, _ in citing(db, uids):
        cited = found.setdefault(link_key(url), Cited(link_key(url)))
        cited.variants[url] += 1
        if not cited.uids or cited.uids[-1] != uid:
            cited.uids.append(uid)
    return dict(sorted(found.items(), key=lambda kv: (-len(kv[1].uids), kv[0])))
