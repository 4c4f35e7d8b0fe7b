"""What the hand-off formats (STIX 2.1, MISP, KML) give a partner team, gathered once from the case:
the selectors the items name, the accounts behind them, the coordination findings and the located
items, each with its evidence, the items it rests on (uid, URL, time, raw payload's SHA-256).

The formats' writers (:mod:`workbench.export_stix`, :mod:`workbench.export_misp`,
:mod:`workbench.export_kml`) only translate these frames. Post text is never handed off: a
partner gets what to look for and where the workbench saw it, and asks for the evidence package
when it needs the posts themselves.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.query import frame, items
from workbench.store import chunks
from workbench.urls import link_key

if TYPE_CHECKING:
    from workbench.case import Case

#: The selectors a partner can search for (hashtags, places and names are analysis, not selectors).
LABELS = ("HANDLE", "URL", "DOMAIN", "EMAIL", "PHONE", "IP", "BTC", "ETH")
#: The case's handling as a Traffic Light Protocol level for the partner (TLP 2.0 names).
TLP = {"public": "clear", "internal": "amber", "restricted": "amber+strict",
       "confidential": "red", "secret": "red"}
#: Seconds within which two accounts' actions on the same target count as coordinated.
COORDINATION_WINDOW = 60
EVIDENCE_COLUMNS = {"uid": str, "platform": str, "url": str, "created_at": str, "raw_sha256": str,
                    "author_id": str, "author_handle": str}


def library(name: str, export: str):
    """The optional library ``name`` that the ``export`` format is written with, or a
    :class:`WorkbenchError` saying how to install the hand-off extra."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise WorkbenchError(f"{export} export needs the {name} library",
                             hint="pip install 'socmint-workbench[handoff]'") from exc


def evidence(case: Case, uids: Iterable[str]) -> pd.DataFrame:
    """The items ``uids`` as evidence, indexed by uid: ``platform``, ``url`` (http(s) only),
    ``created_at`` (UTC), ``raw_sha256`` (the payload it came from), ``account`` (the poster as
    ``platform:author_id``, or the handle without an id) and ``author_handle``."""
    wanted = sorted(set(uids))
    rows = []
    for part in chunks(wanted):
        rows += case.db.execute(
            f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM items WHERE uid IN "
            f"({', '.join('?' * len(part))})", part).fetchall()
    df = frame(rows, EVIDENCE_COLUMNS)
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True, format="ISO8601")
    df["url"] = [u if isinstance(u, str) and u.lower().startswith(("http://", "https://")) else None
                 for u in df["url"]]
    df["account"] = [account_of(p, i, h) for p, i, h in
                     zip(df["platform"], df["author_id"], df["author_handle"], strict=True)]
    return df.set_index("uid", drop=False)


def account_of(platform: object, author_id: object, handle: object) -> str | None:
    """An account as coordination names it: ``platform:author_id`` (the handle without an id)."""
    who = author_id if isinstance(author_id, str) and author_id else handle
    return f"{platform}:{who}" if isinstance(who, str) and who else None


def selectors(case: Case, labels: Sequence[str] = LABELS) -> pd.DataFrame:
    """The selectors the items name, one row per (label, resolved key), most widespread first.

    Columns: ``label``, ``value`` (the norm written most), ``platform`` (for a HANDLE: the
    platform of the items naming it, since ``@x`` on two platforms is two accounts; else None),
    ``uids`` (the items naming it), ``first_at``/``last_at`` (UTC, of those items), ``wayback``
    (for a URL: the closest Wayback snapshot recorded by ``workbench archive``, else None).
    """
    marks = ", ".join("?" * len(labels))
    rows = case.db.execute(f"SELECT uid, label, norm, text, key FROM entities WHERE label IN "
                           f"({marks}) ORDER BY uid, start", list(labels)).fetchall()
    columns = ["label", "value", "platform", "uids", "first_at", "last_at", "wayback"]
    if not rows:
        return pd.DataFrame(columns=columns)
    times = evidence(case, {row[0] for row in rows})["created_at"].to_dict()
    groups: dict[tuple, dict] = {}
    for uid, label, norm, text, key in rows:  # plain Python: a pandas group per selector is slow
        value = norm if isinstance(norm, str) else text
        platform = uid.split(":", 1)[0] if label == "HANDLE" else None
        group = groups.setdefault((label, platform, key if isinstance(key, str) else value),
                                  {"values": Counter(), "uids": {}})
        group["values"][value] += 1
        group["uids"][uid] = times.get(uid)
    snapshots = _snapshots(case)
    out = []
    for (label, platform, _), group in groups.items():
        when = [t for t in group["uids"].values() if pd.notna(t)]
        value = min(group["values"].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        out.append({"label": label, "value": value, "platform": platform,
                    "uids": list(group["uids"]), "first_at": min(when, default=pd.NaT),
                    "last_at": max(when, default=pd.NaT),
                    "wayback": snapshots.get(link_key(value)) if label == "URL" else None})
    result = pd.DataFrame(out, columns=columns)
    result["n"] = result["uids"].map(len)
    return result.sort_values(["n", "label", "value"], ascending=[False, True, True],
                              ignore_index=True).drop(columns="n")


def _snapshots(case: Case) -> dict[str, str]:
    """Article key -> the Wayback snapshot's address, for the URLs ``workbench archive`` found."""
    return dict(case.db.execute("SELECT key, snapshot_url FROM archives WHERE available = 1 "
                                "AND snapshot_url IS NOT NULL").fetchall())


def accounts(case: Case, names: Iterable[str]) -> pd.DataFrame:
    """The accounts ``names`` (``platform:author_id``, as :func:`account_of` gives them), indexed
    by name: ``platform``, ``id``, ``handle``, ``name``, ``url``, ``created_at`` (UTC), ``followers``
    from the authors table, else what their items say (handle only)."""
    wanted = sorted({n for n in names if isinstance(n, str)})
    known: dict[str, dict] = {}
    for part in chunks(wanted):
        marks = ", ".join("?" * len(part))
        for row in case.db.query(f"SELECT uid, platform, id, handle, name, url, created_at, "
                                 f"followers FROM authors WHERE uid IN ({marks})", part):
            known[row["uid"]] = row
    rows = []
    for name in wanted:
        platform, _, who = name.partition(":")
        row = known.get(name) or {"platform": platform, "id": who, "handle": None, "name": None,
                                  "url": None, "created_at": None, "followers": None}
        rows.append({**row, "account": name})
    missing = [r for r in rows if r["handle"] is None]
    for part in chunks([r["id"] for r in missing]):
        marks = ", ".join("?" * len(part))
        handles = dict(case.db.execute(f"SELECT author_id, max(author_handle) FROM items WHERE "
                                       f"author_id IN ({marks}) GROUP BY author_id", part).fetchall())
        for r in missing:
            r["handle"] = r["handle"] or handles.get(r["id"]) or None
    df = pd.DataFrame(rows, columns=["account", "platform", "id", "handle", "name", "url",
                                     "created_at", "followers"])
    df["url"] = [u if isinstance(u, str) and u.lower().startswith(("http://", "https://")) else None
                 for u in df["url"]]
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True, errors="coerce", format="ISO8601")
    return df.set_index("account", drop=False)


def coordination(case: Case, kinds: Sequence[str] | None = None,
                 window: float = COORDINATION_WINDOW) -> pd.DataFrame:
    """The coordination edges of ``kinds`` (default: every kind) within ``window`` seconds: one
    row per account pair and kind, with ``item_pairs`` as the evidence."""
    from workbench.analyze.coordination import KINDS, coordination_columns, coordination_edges

    chosen = list(dict.fromkeys(kinds or KINDS))
    unknown = [kind for kind in chosen if kind not in KINDS]
    if unknown:
        raise WorkbenchError(f"unknown coordination kind(s): {', '.join(unknown)}",
                             hint=f"choose from {', '.join(KINDS)}")
    df = items(case.db, columns=coordination_columns(chosen))
    return pd.concat([coordination_edges(df, kind, window) for kind in chosen], ignore_index=True)


def places(case: Case) -> pd.DataFrame:
    """Each located item at its best place, with the place's ``name``, ``lat``, ``lon``,
    ``method``, ``confidence``, ``radius_km``, ``evidence`` (why: the words or tag it rests on)
    and the item's evidence columns (:func:`evidence`)."""
    from workbench.query import places as stored_places

    best = stored_places(case.db, best=True)
    best = best[best["lat"].notna() & best["lon"].notna()]
    best = best[(best["lat"].abs() <= 90) & (best["lon"].abs() <= 180)]
    items_ = evidence(case, best["uid"]).drop(columns="uid").reset_index()
    return best.drop(columns=["start", "end", "media_uid"]).merge(items_, on="uid", how="inner")
