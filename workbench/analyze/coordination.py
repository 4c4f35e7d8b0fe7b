"""Coordinated behaviour networks: accounts that repost, link, tag, reply or write the same thing
within seconds of each other.

The definitions follow the Coordination Network Toolkit (CNT, QUT Digital Observatory): two
accounts are linked when they act on the same target (reposted item, URL, hashtag, replied-to
item, or near-identical text) within ``window_seconds`` of each other, bounds included. CNT keeps
a directed weight per account pair, "how many of account 1's items have a match by account 2";
here each undirected pair carries both directions (``items_a``, ``items_b``) plus ``weight``, the
number of coordinated item pairs, and the pairs themselves (``item_pairs``) as evidence.

The work is a sort by (target, time) and a sweep: item ``i`` is compared with ``i+1``, ``i+2``...
only while they share the target and stay inside the window, so the cost follows the number of
pairs found, never the square of the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa

KINDS = ("co_repost", "co_link", "co_hashtag", "co_reply", "co_similar")

EDGE_COLUMNS = ["account_a", "account_b", "kind", "weight", "items_a", "items_b", "first_at",
                "last_at", "item_pairs"]

_MENTION = re.compile(r"@\S*")
_URL = re.compile(r"https?://\S+")
_WORD = r"\w+"


def coordination_edges(items: pd.DataFrame, kind: str = "co_repost", window_seconds: float = 60, *,
                       min_weight: int = 1, similarity: float = 0.9, num_perm: int = 32,
                       min_tokens: int = 5, evidence: bool = True) -> pd.DataFrame:
    """Account pairs that acted on the same target within ``window_seconds`` of each other.

    ``kind`` is one of ``co_repost`` (same ``repost_of``), ``co_link`` (same URL in ``links``),
    ``co_hashtag`` (same hashtag, case-insensitive), ``co_reply`` (same ``reply_to``) or
    ``co_similar`` (non-repost texts whose word sets have a Jaccard similarity of at
    least ``similarity``; candidates come from MinHash LSH with ``num_perm`` permutations, then the
    exact Jaccard decides; texts with fewer than ``min_tokens`` distinct words are skipped).
    Except for ``co_repost``, reposts are left out, as CNT does: what a repost carries (its links,
    tags, text) is not the reposter's own act.

    Accounts are ``platform:author_id`` (the handle when the id is missing). Returns one row per
    account pair with ``account_a < account_b``: ``kind``, ``weight`` (coordinated item pairs),
    ``items_a``/``items_b`` (how many of a's / b's items have a match, CNT's directed weights),
    ``first_at``/``last_at`` (UTC) and ``item_pairs``, a list of ``[uid_a, uid_b]``, the evidence
    (None when ``evidence`` is false, which saves time and memory on big corpora). Pairs with a
    ``weight`` under ``min_weight`` are dropped. Two items of the same account never make an edge.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown coordination kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not window_seconds >= 0:
        raise ValueError(f"window_seconds must be a number >= 0, got {window_seconds!r}")
    frame, accounts = _base(items)
    window = np.int64(round(float(window_seconds) * 1_000_000))
    if kind == "co_similar":
        left, right = _similar_pairs(frame, window, similarity, num_perm, min_tokens)
    else:
        targets = _targets(frame, kind)
        left, right = window_pairs(targets["target"].to_numpy(), targets["t"].to_numpy(), window)
        rows = targets["row"].to_numpy()
        left, right = rows[left], rows[right]
    return _aggregate(frame, accounts, left, right, kind, min_weight, evidence)


def window_pairs(target: np.ndarray, t: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(i, j)`` of every pair of entries with the same ``target`` and ``|t_i - t_j| <=
    window``, each unordered pair once. ``target`` is any sortable array, ``t`` int64.

    Sorts by (target, t), then walks offsets k = 1, 2, ...: an entry stays in play only while the
    entry k places after it still shares its target and lies inside the window.
    """
    n = len(t)
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.lexsort((t, target))
    tgt, ts = target[order], t[order]
    active = np.arange(n - 1)
    lefts, rights = [], []
    k = 1
    while active.size:
        other = active + k
        keep = other < n
        active, other = active[keep], other[keep]
        keep = (tgt[other] == tgt[active]) & (ts[other] - ts[active] <= window)
        active, other = active[keep], other[keep]
        lefts.append(active)
        rights.append(other)
        k += 1
    return order[np.concatenate(lefts)], order[np.concatenate(rights)]


def coordination_graph(edges: pd.DataFrame) -> nx.Graph:
    """An undirected weighted graph of the edges (one or several kinds; weights add up).

    Edge attributes: ``weight``, ``kinds`` (list), ``item_pairs`` (all evidence pairs), ``first_at``
    and ``last_at``. Nodes are accounts.
    """
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
    code) and ``t`` (int64 microseconds since the epoch, UTC); and the sorted account names."""
    _require(items, ["uid", "created_at"], "items")
    when = pd.to_datetime(items["created_at"], utc=True, errors="coerce")
    author = items["author_id"] if "author_id" in items.columns else pd.Series(pd.NA, index=items.index)
    author = author.astype("string")
    if "author_handle" in items.columns:
        author = author.where(author.notna() & (author != ""), items["author_handle"].astype("string"))
    author = author.where(author != "")
    if author.isna().all():
        raise ValueError("items lack author_id and author_handle: no accounts to link")
    account = items["platform"].astype("string") + ":" + author if "platform" in items.columns else author
    keep = (when.notna() & account.notna()).to_numpy()
    columns = [c for c in ("uid", "repost_of", "reply_to", "links", "hashtags", "text") if c in items.columns]
    frame = items.loc[keep, columns].reset_index(drop=True)
    codes, accounts = pd.factorize(account[keep], sort=True)
    frame["acc"] = codes.astype(np.int64)
    frame["t"] = when[keep].dt.as_unit("us").astype("int64").to_numpy()
    return frame, np.asarray(accounts, dtype=object)


def _is_set(series: pd.Series) -> np.ndarray:
    return (series.notna() & (series.astype("string") != "")).to_numpy()


def _targets(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """One row per (item, target): ``row`` (position in ``frame``), ``target`` (int code), ``t``."""
    if kind in ("co_repost", "co_reply"):
        column = "repost_of" if kind == "co_repost" else "reply_to"
        _require(frame, [column], "items")
        mask = _is_set(frame[column])
        if kind == "co_reply" and "repost_of" in frame.columns:
            mask &= ~_is_set(frame["repost_of"])
        rows = np.flatnonzero(mask)
        values = frame[column].to_numpy()[rows]
    else:
        column = "links" if kind == "co_link" else "hashtags"
        _require(frame, [column], "items")
        lists = frame[column].map(_as_list)
        if "repost_of" in frame.columns:  # as CNT does: a repost's links are not the reposter's
            lists = lists.where(~_is_set(frame["repost_of"]), None)
        exploded = pd.DataFrame({"row": np.arange(len(frame)), "value": lists}).explode("value").dropna()
        if kind == "co_hashtag":
            exploded["value"] = exploded["value"].astype(str).str.lstrip("#").str.casefold()
        exploded = exploded[exploded["value"].astype(str) != ""].drop_duplicates()
        rows, values = exploded["row"].to_numpy(np.int64), exploded["value"].to_numpy()
    codes = pd.factorize(pd.Series(values, dtype="object").astype(str))[0].astype(np.int64)
    return pd.DataFrame({"row": rows, "target": codes, "t": frame["t"].to_numpy()[rows]})


def _as_list(value) -> list:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [v for v in value if isinstance(v, str)]
    return [value] if isinstance(value, str) else []


def _aggregate(frame: pd.DataFrame, accounts: np.ndarray, left: np.ndarray, right: np.ndarray,
               kind: str, min_weight: int, evidence: bool) -> pd.DataFrame:
    """Item pairs (positions in ``frame``) -> one row per account pair, evidence attached."""
    acc_code = frame["acc"].to_numpy()
    ca, cb = acc_code[left], acc_code[right]
    differ = ca != cb
    left, right, ca, cb = left[differ], right[differ], ca[differ], cb[differ]
    # orient every item pair so the first item belongs to the smaller account
    swap = ca > cb
    left, right = np.where(swap, right, left), np.where(swap, left, right)
    ca, cb = np.minimum(ca, cb), np.maximum(ca, cb)
    n = np.int64(len(frame))
    if kind in ("co_link", "co_hashtag"):  # two items can meet through several shared targets
        pair_key = np.unique(left * n + right)
        left, right = pair_key // n, pair_key % n
        ca, cb = acc_code[left], acc_code[right]
    m = np.int64(len(accounts))
    edge_key = ca * m + cb
    order = np.argsort(edge_key)
    edge_key, left, right = edge_key[order], left[order], right[order]
    starts = np.flatnonzero(np.diff(edge_key, prepend=np.int64(-1)))
    keys, weight = edge_key[starts], np.diff(starts, append=len(edge_key))
    edge_id = np.repeat(np.arange(len(keys)), weight)
    t = frame["t"].to_numpy()
    if len(keys):
        first = np.minimum.reduceat(np.minimum(t[left], t[right]), starts)
        last = np.maximum.reduceat(np.maximum(t[left], t[right]), starts)
    else:
        first = last = np.empty(0, np.int64)
    items_a = _distinct_per_edge(edge_id, left, n, len(keys))
    items_b = _distinct_per_edge(edge_id, right, n, len(keys))
    # heaviest first, then by account names (codes follow the sorted names)
    chosen = np.flatnonzero(weight >= min_weight)
    chosen = chosen[np.lexsort((keys[chosen], -weight[chosen]))]
    names = pd.Index(accounts, dtype="str")
    out = pd.DataFrame({
        "account_a": names.take(keys[chosen] // m), "account_b": names.take(keys[chosen] % m),
        "kind": kind, "weight": weight[chosen].astype(np.int64), "items_a": items_a[chosen].astype(np.int64),
        "items_b": items_b[chosen].astype(np.int64),
        "first_at": pd.to_datetime(first[chosen], unit="us", utc=True),
        "last_at": pd.to_datetime(last[chosen], unit="us", utc=True),
    })
    if evidence:
        out["item_pairs"] = _evidence(frame["uid"], left, right, starts, weight, chosen)
    else:
        out["item_pairs"] = None
    return out


def _evidence(uid: pd.Series, left: np.ndarray, right: np.ndarray, starts: np.ndarray,
              weight: np.ndarray, chosen: np.ndarray) -> pd.Series:
    """Each chosen edge's item pairs as a list of ``[uid_a, uid_b]``, built in Arrow: millions of
    pairs cost no Python objects until a row is read (the column is ``list<fixed_size_list<string,
    2>>``; rows read back as Python lists; it also writes to Parquet as it is)."""
    # the chosen edges' slices of the (edge-sorted) pairs, in the chosen order
    lengths = weight[chosen]
    offsets = np.zeros(len(chosen) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    take = np.repeat(starts[chosen] - offsets[:-1], lengths) + np.arange(offsets[-1])
    both = np.empty(2 * len(take), np.int64)
    both[0::2], both[1::2] = left[take], right[take]
    values = pa.array(uid).cast(pa.string()).take(pa.array(both))
    pairs = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()),
                                          pa.FixedSizeListArray.from_arrays(values, 2))
    return pd.Series(pd.arrays.ArrowExtensionArray(pairs), copy=False)


def _distinct_per_edge(edge_id: np.ndarray, item: np.ndarray, n: np.int64, edges: int) -> np.ndarray:
    """How many distinct items each edge has (CNT's ``count(distinct e_1.message_id)``)."""
    key = np.sort(edge_id * n + item)
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    return np.bincount(key[first] // n, minlength=edges)


def _similar_pairs(frame: pd.DataFrame, window: np.int64, threshold: float, num_perm: int,
                   min_tokens: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs from MinHash LSH buckets swept with the time window, kept when their exact
    Jaccard similarity reaches ``threshold``."""
    if not 0 < threshold <= 1:
        raise ValueError(f"similarity must be in (0, 1], got {threshold!r}")
    _require(frame, ["text"], "items")
    mask = frame["text"].notna().to_numpy().copy()
    if "repost_of" in frame.columns:
        mask &= ~_is_set(frame["repost_of"])
    rows = np.flatnonzero(mask)
    words = (frame["text"].iloc[rows].astype(str).str.lower()
             .str.replace(_MENTION, " ", regex=True).str.replace(_URL, " ", regex=True)
             .str.findall(_WORD))
    table = pd.DataFrame({"doc": np.arange(len(rows)), "word": words.to_numpy()}).explode("word")
    table = table.dropna().drop_duplicates()
    sizes = np.bincount(table["doc"].to_numpy(np.int64), minlength=len(rows))
    table = table[sizes[table["doc"].to_numpy(np.int64)] >= min_tokens]
    empty = np.empty(0, np.int64)
    if table.empty:
        return empty, empty
    doc = table["doc"].to_numpy(np.int64)
    word_hash = pd.util.hash_array(table["word"].to_numpy(dtype=object))
    order = np.argsort(doc, kind="stable")
    doc, word_hash = doc[order], word_hash[order]
    docs, starts = np.unique(doc, return_index=True)
    keys = np.random.default_rng(1).integers(0, 2**63, num_perm, dtype=np.int64).astype(np.uint64)
    signature = np.empty((len(docs), num_perm), np.uint64)
    for p in range(num_perm):  # one keyed bijective mix of the word hash per permutation
        signature[:, p] = np.minimum.reduceat(_mix(word_hash ^ keys[p]), starts)
    bands, band_rows = _bands(threshold, num_perm)
    t = frame["t"].to_numpy()[rows[docs]]
    lefts, rights = [], []
    for band in range(bands):
        bucket = np.zeros(len(docs), np.uint64)
        for column in range(band * band_rows, (band + 1) * band_rows):
            bucket = _mix(bucket ^ signature[:, column])
        i, j = window_pairs(bucket, t, window)
        lefts.append(i)
        rights.append(j)
    i, j = np.concatenate(lefts), np.concatenate(rights)
    many = np.int64(len(docs))
    key = np.unique(np.minimum(i, j) * many + np.maximum(i, j))  # a pair met in several bands
    if not len(key):
        return empty, empty
    cand = np.stack([key // many, key % many], axis=1)
    # exact Jaccard on the word sets of the candidate documents only
    needed = np.unique(cand)
    ends = np.append(starts[1:], len(word_hash))
    sets = {d: frozenset(word_hash[starts[d]:ends[d]].tolist()) for d in needed.tolist()}
    keep = np.fromiter((len(sets[i] & sets[j]) >= threshold * len(sets[i] | sets[j])
                        for i, j in cand.tolist()), bool, len(cand))
    cand = cand[keep]
    doc_row = rows[docs]
    return doc_row[cand[:, 0]], doc_row[cand[:, 1]]


def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The LSH banding (bands, rows per band) whose S-curve passes 0.5 well below ``threshold``,
    so near-duplicates almost never slip through; the exact check then removes false candidates."""
    best = (num_perm, 1)
    for rows_per_band in range(1, num_perm + 1):
        bands = num_perm // rows_per_band
        if 1 - (1 - threshold ** rows_per_band) ** bands >= 0.995:
            best = (bands, rows_per_band)
    return best


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijective, well-scrambled map of uint64 (wraps on purpose)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))
