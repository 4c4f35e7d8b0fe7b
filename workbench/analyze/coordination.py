"""Coordinated behaviour networks: accounts that repost, link, tag, reply or write the same thing
within seconds of each other.

The definitions follow the Coordination Network Toolkit (CNT, QUT Digital Observatory): two
accounts are linked when they act on the same target (reposted item, URL, hashtag, replied-to
item, the same text, or near-identical text) within ``window_seconds`` of each other, bounds
included. CNT keeps
a directed weight per account pair, "how many of account 1's items have a match by account 2";
here each undirected pair carries both directions (``items_a``, ``items_b``) plus ``weight``, the
number of coordinated item pairs, and the pairs themselves (``item_pairs``) as evidence.

The work is a sort by (target, time) and a sweep: item ``i`` is compared with ``i+1``, ``i+2``...
only while they share the target and stay inside the window, so the cost follows the number of
pairs found, never the square of the corpus. On millions of pairs, fresh memory and scattered reads
cost more than the arithmetic: pairs are int32 positions, sorted with ``np.sort`` on packed keys
(numpy's argsort is several times slower), and the evidence is a view of them in Arrow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.analyze.frames import COORDINATION_COLUMNS
from workbench.analyze.similar_text import similar_pairs
from workbench.analyze.windows import (
    positions,
    sort_with_order,
    sorted_window_pairs,
    stable_argsort,
)
from workbench.urls import link_key

if TYPE_CHECKING:
    import networkx as nx

KINDS = ("co_repost", "co_link", "co_hashtag", "co_reply", "co_text", "co_similar")
#: What each kind compares, beside the item, its time and account (and ``repost_of``, which
#: every kind reads: co-repost compares it, the others leave reposts out).
_COMPARES = {"co_repost": (), "co_link": ("links",), "co_hashtag": ("hashtags",),
             "co_reply": ("reply_to",), "co_text": ("text",), "co_similar": ("text",)}

EDGE_COLUMNS = ["account_a", "account_b", "kind", "weight", "items_a", "items_b", "first_at",
                "last_at", "item_pairs"]

_MENTION = re.compile(r"@\S*")


def coordination_edges(items: pd.DataFrame, kind: str = "co_repost", window_seconds: float = 60, *,
                       min_weight: int = 1, similarity: float = 0.9, num_perm: int = 32,
                       min_tokens: int = 5, evidence: bool = True,
                       resolved_links: Mapping[str, str] | None = None,
                       same_article: bool = True) -> pd.DataFrame:
    """Account pairs that acted on the same target within ``window_seconds`` of each other.

    ``kind`` is one of ``co_repost`` (same ``repost_of``), ``co_link`` (same URL in ``links``),
    ``co_hashtag`` (same hashtag, case-insensitive), ``co_reply`` (same ``reply_to``), ``co_text``
    (the same ``text`` once lower-cased, @mentions removed and whitespace collapsed: CNT's
    co-tweet; texts left empty by that are skipped) or ``co_similar`` (texts whose word sets have a
    Jaccard similarity of at least ``similarity``; candidates come from MinHash LSH with ``num_perm``
    permutations, then the exact Jaccard decides; texts with fewer than ``min_tokens`` distinct
    words are skipped). Except for ``co_repost``, reposts are left out, as CNT does: what a repost
    carries (its links, tags, text) is not the reposter's own act.

    ``resolved_links`` maps a URL to the one it finally leads to (its redirects followed, say by
    CNT's resolver or an analyst's lookup; nothing here goes on the network): ``co_link`` then
    compares the resolved URLs, as CNT's co-link with ``resolved=True`` does, so two shortened links
    to one article match. URLs missing from the mapping are compared as they are. With
    ``same_article`` (the default), ``co_link`` compares URLs by :func:`workbench.urls.link_key`,
    so one article shared as ``?utm_source=tw``, ``www.…#top`` and the plain URL is one target;
    without it, URLs are compared as written, as CNT does.

    Accounts are ``platform:author_id`` (the handle when the id is missing). Returns one row per
    account pair with ``account_a < account_b``, heaviest first: ``kind``, ``weight`` (coordinated
    item pairs), ``items_a``/``items_b`` (how many of a's / b's items have a match, CNT's directed
    weights), ``first_at``/``last_at`` (UTC) and ``item_pairs``, a list of ``[uid_a, uid_b]``, the
    evidence (None when ``evidence`` is false, which saves time and memory on big corpora). Pairs
    with a ``weight`` under ``min_weight`` are dropped. Two items of the same account never make an
    edge.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown coordination kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not window_seconds >= 0:
        raise ValueError(f"window_seconds must be a number >= 0, got {window_seconds!r}")
    frame, accounts = _base(items)
    window = np.int64(round(float(window_seconds) * 1_000_000))
    acc = frame["acc"].to_numpy()
    if kind == "co_similar":
        _require(frame, ["text"], "items")
        reposts = _is_set(frame["repost_of"]) if "repost_of" in frame.columns else None
        left, right = similar_pairs(frame, window, similarity, num_perm, min_tokens, exclude=reposts)
        left, right = left.astype(positions(len(frame))), right.astype(positions(len(frame)))
        ca, cb = acc[left], acc[right]
    else:
        targets = _targets(frame, kind, resolved_links, same_article)
        order, i, j = sorted_window_pairs(targets["target"].to_numpy(), targets["t"].to_numpy(), window)
        # the entries in (target, time) order: the sweep's positions i < j read these forwards,
        # which costs far less than scattered reads into the item columns
        rows = targets["row"].to_numpy().astype(positions(len(frame)))[order]
        acc_sorted = acc[rows]
        left, right, ca, cb = rows[i], rows[j], acc_sorted[i], acc_sorted[j]
        del i, j
    return _aggregate(frame["uid"], frame["t"].to_numpy(), accounts, left, right, ca, cb, kind,
                      min_weight, evidence)


def coordination_columns(kinds: Iterable[str] = KINDS) -> list[str]:
    """The item columns that :func:`coordination_edges` reads for ``kinds``: what to load from a
    large case (``case.items(columns=coordination_columns(["co_repost"]))``)."""
    compared = {column for kind in kinds for column in _COMPARES[kind]}
    return [c for c in COORDINATION_COLUMNS if c in compared or c not in _ALL_COMPARED]


_ALL_COMPARED = {column for columns in _COMPARES.values() for column in columns}


def coordination_graph(edges: pd.DataFrame) -> nx.Graph:
    """An undirected weighted graph of the edges (one or several kinds; weights add up).

    Edge attributes: ``weight``, ``kinds`` (list), ``item_pairs`` (all evidence pairs), ``first_at``
    and ``last_at``. Nodes are accounts.
    """
    import networkx as nx  # here: an export of the edges as a table needs no graph library

    _require(edges, EDGE_COLUMNS, "edges")
    graph = nx.Graph()
    for row in edges.itertuples(index=False):
        a, b = row.account_a, row.account_b
        if graph.has_edge(a, b):
            data = graph.edges[a, b]
            data["weight"] += int(row.weight)
            data["kinds"].append(row.kind)
            data["item_pairs"].extend(row.item_pairs or ())
            data["first_at"] = min(data["first_at"], row.first_at)
            data["last_at"] = max(data["last_at"], row.last_at)
        else:
            graph.add_edge(a, b, weight=int(row.weight), kinds=[row.kind],
                           item_pairs=list(row.item_pairs or ()), first_at=row.first_at, last_at=row.last_at)
    return graph


def coordination_clusters(edges: pd.DataFrame | nx.Graph, *, method: str = "components",
                          min_size: int = 2, seed: int = 0) -> pd.DataFrame:
    """Groups of coordinated accounts, largest first.

    ``method`` is ``components`` (connected components) or ``louvain`` (communities, weighted).
    Columns: ``cluster`` (0, 1, ...), ``size``, ``accounts`` (sorted list), ``edges`` (account
    pairs inside), ``weight`` (coordinated item pairs inside), ``kinds``, ``items`` (distinct item
    uids in the evidence), ``first_at``, ``last_at``.
    """
    import networkx as nx

    graph = edges if isinstance(edges, nx.Graph) else coordination_graph(edges)
    if method == "components":
        groups = list(nx.connected_components(graph))
    elif method == "louvain":
        groups = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    else:
        raise ValueError(f"unknown cluster method {method!r}; expected 'components' or 'louvain'")
    rows = []
    for group in groups:
        if len(group) < min_size:
            continue
        sub = graph.subgraph(group)
        data = [d for _, _, d in sub.edges(data=True)]
        uids = {uid for d in data for pair in d["item_pairs"] for uid in pair}
        rows.append({
            "size": len(group), "accounts": sorted(group), "edges": len(data),
            "weight": sum(d["weight"] for d in data),
            "kinds": sorted({k for d in data for k in d["kinds"]}), "items": len(uids),
            "first_at": min((d["first_at"] for d in data), default=pd.NaT),
            "last_at": max((d["last_at"] for d in data), default=pd.NaT),
        })
    out = pd.DataFrame(rows, columns=["size", "accounts", "edges", "weight", "kinds", "items",
                                      "first_at", "last_at"])
    out = out.sort_values(["size", "weight"], ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "cluster", range(len(out)))
    return out


# -- internals -------------------------------------------------------------------------------------

def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {', '.join(missing)}")


def _base(items: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The columns coordination reads, for items with a time and an author, plus ``acc`` (account
    code) and ``t`` (int64 microseconds since the epoch, UTC); and the sorted account names.

    Accounts are coded from the codes of their parts (a million items have a few thousand
    accounts): only the distinct ``platform:author`` names are ever made as strings."""
    _require(items, ["uid", "created_at"], "items")
    when = pd.to_datetime(items["created_at"], utc=True, errors="coerce")
    author = (_texts(items["author_id"]) if "author_id" in items.columns
              else np.full(len(items), None, dtype=object))
    if "author_handle" in items.columns:
        missing = pd.isna(author)
        author[missing] = _texts(items["author_handle"])[missing]
    author_codes, authors = pd.factorize(author)
    if not len(authors):
        raise ValueError("items lack author_id and author_handle: no accounts to link")
    if "platform" in items.columns:
        platform_codes, platforms = pd.factorize(_texts(items["platform"], empty_is_missing=False))
    else:
        platform_codes, platforms = np.zeros(len(items), np.int64), None
    keep = (when.notna().to_numpy() & (author_codes >= 0) & (platform_codes >= 0))
    pair = platform_codes[keep].astype(np.int64) * len(authors) + author_codes[keep]
    pair_codes, pairs = pd.factorize(pair)
    platform_of, author_of = np.divmod(pairs, len(authors))
    names = np.array([str(authors[a]) if platforms is None else f"{platforms[p]}:{authors[a]}"
                      for p, a in zip(platform_of.tolist(), author_of.tolist(), strict=True)],
                     dtype=object)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    columns = [c for c in ("uid", "repost_of", "reply_to", "links", "hashtags", "text") if c in items.columns]
    frame = items.loc[keep, columns].reset_index(drop=True)
    frame["acc"] = rank[pair_codes].astype(positions(len(names)))
    frame["t"] = when[keep].dt.as_unit("us").astype("int64").to_numpy()
    return frame, names[order]


def _texts(series: pd.Series, *, empty_is_missing: bool = True) -> np.ndarray:
    """A column as an object array of strings (numbers as their text, as ``astype("string")``
    gives them), None for a missing value, and for an empty one unless ``empty_is_missing`` is
    False."""
    values = series.to_numpy(dtype=object, na_value=None)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = series.astype("string").to_numpy(dtype=object, na_value=None)
    if not values.flags.writeable:  # the frame's own array (copy-on-write pandas)
        values = values.copy()
    if empty_is_missing:
        values[values == ""] = None
    return values


def _is_set(series: pd.Series) -> np.ndarray:
    values = series.to_numpy(dtype=object, na_value=None)
    return pd.notna(values) & (values != "")


def _targets(frame: pd.DataFrame, kind: str, resolved_links: Mapping[str, str] | None = None,
             same_article: bool = False) -> pd.DataFrame:
    """One row per (item, target): ``row`` (position in ``frame``), ``target`` (int code), ``t``."""
    reposts = _is_set(frame["repost_of"]) if "repost_of" in frame.columns else np.zeros(len(frame), bool)
    if kind in ("co_repost", "co_reply", "co_text"):
        column = {"co_repost": "repost_of", "co_reply": "reply_to", "co_text": "text"}[kind]
        _require(frame, [column], "items")
        mask = _is_set(frame[column])
        if kind != "co_repost":  # as CNT does: a repost's reply or text is not the reposter's act
            mask &= ~reposts
        rows = np.flatnonzero(mask)
        values = pd.Series(_texts(frame[column], empty_is_missing=False)[rows], dtype=object)
        if kind == "co_text":
            values = pd.Series(_cnt_texts(values.tolist()), dtype="str")
            rows, values = rows[(values != "").to_numpy()], values[values != ""]
    else:
        column = "links" if kind == "co_link" else "hashtags"
        _require(frame, [column], "items")
        cells = frame[column].to_numpy(dtype=object)
        # most items name no URL (and many no tag): only those that do are exploded
        try:
            named = cells.astype(bool)  # an empty list or string is false: tested in C
        except ValueError:  # an array among the values has no single truth value
            named = np.fromiter(map(_names_any, cells), bool, len(cells))
        rows = np.flatnonzero(~reposts & named)
        lists = pd.Series([_as_list(value) for value in cells[rows]], dtype=object)
        exploded = pd.DataFrame({"row": rows, "value": lists}).explode("value").dropna()
        if kind == "co_hashtag":
            exploded["value"] = exploded["value"].astype(str).str.lstrip("#").str.casefold()
        else:
            if resolved_links is not None:
                exploded["value"] = exploded["value"].map(lambda url: resolved_links.get(url, url))
            if same_article:
                exploded["value"] = exploded["value"].map(
                    lambda url: link_key(url) if isinstance(url, str) else url)
        exploded = exploded[exploded["value"].astype(str) != ""].drop_duplicates()
        rows, values = exploded["row"].to_numpy(np.int64), exploded["value"].astype("str")
    codes = pd.factorize(values)[0].astype(np.int64)
    return pd.DataFrame({"row": rows, "target": codes, "t": frame["t"].to_numpy()[rows]})


def _cnt_texts(texts: list[str]) -> list[str]:
    """CNT's co-tweet normal form: lower case, @mentions out, runs of whitespace as one space (in
    Python, as CNT does it, so that "lower case" and "whitespace" mean the same to both)."""
    lowered = (text.lower() for text in texts)
    return [" ".join((_MENTION.sub("", text) if "@" in text else text).split()) for text in lowered]


def _names_any(value) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, (list, tuple, np.ndarray)) and len(value) > 0


def _as_list(value) -> list:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [v for v in value if isinstance(v, str)]
    return [value] if isinstance(value, str) else []


def _aggregate(uid: pd.Series, t: np.ndarray, accounts: np.ndarray, left: np.ndarray, right: np.ndarray,
               ca: np.ndarray, cb: np.ndarray, kind: str, min_weight: int, evidence: bool) -> pd.DataFrame:
    """Item pairs (positions in the frame, and their account codes ``ca``/``cb``) -> one row per
    account pair, evidence attached. ``t`` is the items' times. After the first filter (a copy) it
    works in place, dropping each array once it is used: memory is the cost that matters here."""
    differ = ca != cb
    left, right, ca, cb = left[differ], right[differ], ca[differ], cb[differ]
    del differ
    # orient every item pair so the first item belongs to the smaller account
    swap = ca > cb
    held = left[swap]
    left[swap] = right[swap]
    right[swap] = held
    held = ca[swap]
    ca[swap] = cb[swap]
    cb[swap] = held
    del swap, held
    n = np.int64(len(uid))
    if kind in ("co_link", "co_hashtag"):  # two items can meet through several shared targets
        _, once = np.unique(left.astype(np.int64) * n + right, return_index=True)
        left, right, ca, cb = left[once], right[once], ca[once], cb[once]
    m = np.int64(len(accounts))
    edge_key = ca.astype(np.int64)
    del ca
    edge_key *= m
    edge_key += cb
    del cb
    edge_key, order = sort_with_order(edge_key)
    pairs = np.stack([left, right], axis=1)[order]  # one gather of (left, right) rows
    del left, right, order
    change = np.empty(len(edge_key), bool)
    change[:1] = True
    np.not_equal(edge_key[1:], edge_key[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    del change
    keys, weight = edge_key[starts], np.diff(starts, append=len(edge_key))
    del edge_key
    first, last = _first_last(t, pairs, starts)
    items_a, items_b = _distinct_items(pairs[:, 0], pairs[:, 1], starts, weight, n)
    # heaviest first, then by account names (codes follow the sorted names): the edges are in key
    # order already, so a stable sort on the weight alone does it
    chosen = np.flatnonzero(weight >= min_weight)
    chosen = chosen[stable_argsort(weight.max(initial=0) - weight[chosen])]
    names = pd.Index(accounts, dtype="str")
    code_a, code_b = np.divmod(keys[chosen], m)
    out = pd.DataFrame({
        "account_a": names.take(code_a), "account_b": names.take(code_b),
        "kind": pd.array(pa.repeat(pa.scalar(kind, pa.large_string()), len(chosen)), dtype="str"),
        "weight": weight[chosen], "items_a": items_a[chosen], "items_b": items_b[chosen],
        "first_at": _utc(first[chosen]), "last_at": _utc(last[chosen]),
    }, copy=False)  # fresh arrays: no copy, and no stacking of the int columns into one block
    out["item_pairs"] = _evidence(uid, pairs, starts, weight, chosen) if evidence else None
    return out


def _first_last(t: np.ndarray, pairs: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The time of each edge's first and last item."""
    if not len(starts):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    times = t[pairs]
    first = np.minimum(np.minimum.reduceat(times[:, 0], starts), np.minimum.reduceat(times[:, 1], starts))
    last = np.maximum(np.maximum.reduceat(times[:, 0], starts), np.maximum.reduceat(times[:, 1], starts))
    return first, last


def _utc(micros: np.ndarray) -> pd.Series:
    """int64 microseconds -> datetime64[us, UTC], through Arrow (pandas' tz_localize copies)."""
    return pa.array(micros, pa.timestamp("us", tz="UTC")).to_pandas()


def _evidence(uid: pd.Series, pairs: np.ndarray, starts: np.ndarray, weight: np.ndarray,
              chosen: np.ndarray) -> pd.Series:
    """Each chosen edge's item pairs as a list of ``[uid_a, uid_b]``, built in Arrow from numpy
    buffers, with no Python object per pair until a row is read.

    ``pairs`` holds the item positions of every pair, grouped by edge (edge ``e`` owns
    ``pairs[starts[e]:starts[e] + weight[e]]``). The column is ``large_list<fixed_size_list<
    dictionary<int32, large_string>, 2>>``: a pair holds two codes into the uids, each uid stored
    once however many pairs name it. Rows read back as Python lists of strings; it writes to
    Parquet as it is (read it back with ``pd.read_parquet(path, dtype_backend="pyarrow")``: pandas
    cannot rebuild a fixed-size list dtype from its name)."""
    lengths = weight[chosen]
    offsets = np.zeros(len(chosen) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    # the chosen edges' slices, in the chosen order (within one weight they ascend: a forward sweep)
    take = np.repeat(starts[chosen] - offsets[:-1], lengths)
    take += np.arange(offsets[-1])
    both = pairs[take].ravel()
    del take
    values = pa.array(uid)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = values.cast(pa.large_string())  # what pandas str columns hold: usually no copy
    if len(both) < len(values):  # few pairs: keep only the uids they name
        used = np.zeros(len(values), bool)
        used[both] = True
        both = (np.cumsum(used) - 1)[both]
        values = values.filter(pa.array(used))
    index_type = pa.int32() if len(values) < 2**31 else pa.int64()
    codes = pa.DictionaryArray.from_arrays(pa.array(both, index_type), values)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()),
                                          pa.FixedSizeListArray.from_arrays(codes, 2))
    return pd.Series(pd.arrays.ArrowExtensionArray(lists), copy=False)


def _distinct_items(left: np.ndarray, right: np.ndarray, starts: np.ndarray, weight: np.ndarray,
                    n: np.int64) -> tuple[np.ndarray, np.ndarray]:
    """How many distinct first / second items each edge has (CNT's ``count(distinct
    e_1.message_id)`` in each direction). An edge of one pair has one of each, so only the pairs of
    heavier edges are sorted."""
    items_a, items_b = np.ones(len(weight), np.int64), np.ones(len(weight), np.int64)
    heavy = np.flatnonzero(weight > 1)
    if len(heavy):
        sizes = weight[heavy]
        inside = np.repeat(starts[heavy] - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        edge = np.repeat(np.arange(len(heavy)), sizes)
        for item, out in ((left, items_a), (right, items_b)):
            key = np.sort(edge * n + item[inside])
            first = np.ones(len(key), bool)
            first[1:] = key[1:] != key[:-1]
            out[heavy] = np.bincount(key[first] // n, minlength=len(heavy))
    return items_a, items_b


