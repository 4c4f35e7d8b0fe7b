"""The URLs the items cite, one per article: what a web archive is asked about.

An item cites its ``links`` (the platform's own list, already expanded where the platform expands
them), else the URLs in its text (a generic CSV import, a message), as ``capture`` reads them.
Each is taken as its article (:func:`workbench.urls.link_key`: no ``www.``, trackers or fragment),
and only public http(s) addresses are kept, so a link to ``localhost`` or a private address never
leaves the case.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Protocol
from urllib.parse import urlsplit

import pandas as pd
import sqlite_utils

from workbench.store import chunks
from workbench.urls import link_key

#: A URL in running text; the sentence's punctuation after it is cut off.
URL_IN_TEXT = re.compile(r"https?://[^\s<>()\[\]{}\"'`]+", re.I)
_TRAILING = ".,;:!?…»”’"


class Case(Protocol):
    """What :func:`cited_urls` needs of a case (:class:`workbench.case.Case` has it); not
    imported from there, as capture, below the case, reads its links here."""

    db: sqlite_utils.Database


def public_http(url: object) -> bool:
    """Whether ``url`` is an http(s) address of a public host (not localhost, not a private,
    loopback, link-local or reserved IP address)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    if host == "localhost" or host.endswith(".localhost") or "." not in host and ":" not in host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global


def urls_of(links: str | None, text: str | None) -> list[str]:
    """The http(s) URLs one item cites, stripped: its ``links`` (JSON, as stored), else those in
    its ``text``."""
    try:
        listed = json.loads(links) if links else []
    except (TypeError, ValueError):
        listed = []
    found = [u for u in listed if isinstance(u, str)] if isinstance(listed, list) else []
    if not found and text:
        found = [m.rstrip(_TRAILING) for m in URL_IN_TEXT.findall(text)]
    return [u.strip() for u in found if u.strip().lower().startswith(("http://", "https://"))]


def citing(db: sqlite_utils.Database, uids: Iterable[str] | None = None
           ) -> Iterator[tuple[str, str, str | None]]:
    """``(uid, url, created_at)`` for each URL (:func:`urls_of`) each item cites, in uid order;
    with ``uids``, only those items'. Private and non-public addresses are included."""
    sql = ("SELECT uid, links, text, created_at FROM items WHERE ((links IS NOT NULL AND "
           "links != '[]') OR text LIKE '%http%')")  # only the items that can cite anything
    batches = ([db.execute(sql + " ORDER BY uid")] if uids is None else
               (db.execute(f"{sql} AND uid IN ({', '.join('?' * len(part))}) ORDER BY uid", part)
                for part in chunks(sorted(set(uids)))))
    for rows in batches:
        for uid, links, text, created in rows:
            for url in urls_of(links, text):
                yield uid, url, created


def cited_urls(case: Case, *, urls: Iterable[str] | None = None) -> pd.DataFrame:
    """The public http(s) URLs the items cite, one row per article, most cited first.

    Columns: ``key`` (the article), ``url`` (the variant cited most, as written), ``asked`` (what
    a look-up sends: the article with the cited scheme), ``items``, ``first_at`` (UTC: the first
    item citing it) and ``uids``. ``urls`` keeps to those articles.
    """
    wanted = {link_key(u) for u in urls} if urls is not None else None
    found: dict[str, dict] = {}
    for uid, link, created in citing(case.db):
        if not public_http(link):
            continue
        key = link_key(link)
        if wanted is not None and key not in wanted:
            continue
        row = found.setdefault(key, {"variants": Counter(), "uids": [], "first_at": created})
        row["variants"][link] += 1
        if not row["uids"] or row["uids"][-1] != uid:
            row["uids"].append(uid)
        if created and (not row["first_at"] or created < row["first_at"]):
            row["first_at"] = created  # stored times are ISO 8601 UTC: text order is time order
    out = []
    for key, row in found.items():
        url = min(row["variants"].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        out.append({"key": key, "url": url, "asked": f"{urlsplit(url).scheme.lower()}://{key}",
                    "items": len(row["uids"]), "first_at": row["first_at"], "uids": row["uids"]})
    df = pd.DataFrame(out, columns=["key", "url", "asked", "items", "first_at", "uids"])
    df["first_at"] = pd.to_datetime(df["first_at"], utc=True, format="ISO8601")
    return df.sort_values(["items", "key"], ascending=[False, True], ignore_index=True)
