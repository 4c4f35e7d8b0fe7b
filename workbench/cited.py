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
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pandas as pd

from workbench.urls import link_key

if TYPE_CHECKING:
    from workbench.case import Case

#: A URL in running text; the sentence's punctuation after it is cut off.
URL_IN_TEXT = re.compile(r"https?://[^\s<>()\[\]{}\"'`]+", re.I)
_TRAILING = ".,;:!?…»”’"


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
    """The URLs one item cites: its ``links`` (JSON, as stored), else those in its ``text``."""
    try:
        listed = json.loads(links) if links else []
    except ValueError:
        listed = []
    found = [u for u in listed if isinstance(u, str)] if isinstance(listed, list) else []
    if not found and text:
        found = [m.rstrip(_TRAILING) for m in URL_IN_TEXT.findall(text)]
    return found


def cited_urls(case: Case, *, urls: Iterable[str] | None = None) -> pd.DataFrame:
    """The public http(s) URLs the items cite, one row per article, most cited first.

    Columns: ``key`` (the article), ``url`` (the variant cited most, as written), ``asked`` (what
    a look-up sends: the article with the cited scheme), ``items``, ``first_at`` (UTC: the first
    item citing it) and ``uids``. ``urls`` keeps to those articles.
    """
    wanted = {link_key(u) for u in urls} if urls is not None else None
    found: dict[str, dict] = {}
    rows = case.db.execute(  # only the items that can cite anything: fast on a large case
        "SELECT uid, links, text, created_at FROM items WHERE (links IS NOT NULL AND links != '[]') "
        "OR text LIKE '%http%' ORDER BY uid")
    for uid, links, text, created in rows:
        for link in urls_of(links, text):
            if not public_http(link):
                continue
            key = link_key(link.strip())
            if wanted is not None and key not in wanted:
                continue
            row = found.setdefault(key, {"variants": Counter(), "uids": [], "first_at": created})
            row["variants"][link.strip()] += 1
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
