"""Interaction networks from a case's items: who mentions, replies to, reposts and quotes whom.

Accounts are nodes named by their handle, lower-cased and without '@' (the account id when an item
has no handle); hashtags are nodes named ``#tag``. Edge ``weight`` is a count, and every edge keeps
a few example item uids (``examples``) so a finding can be traced back to the posts behind it.

Interactions read from a post's text rather than given by its platform (a CSV of texts: ``RT @x:``,
``@x``; see :mod:`workbench.collect.text_interactions`) make edges too, and are counted apart in
each edge's ``from_text``, so that a finding resting on them can say so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

import networkx as nx
import pandas as pd

from workbench.analyze.frames import require_columns
from workbench.collect.text_interactions import MENTIONS_FROM_TEXT, pointer_author
from workbench.errors import WorkbenchError

#: The kinds of interaction an item can express, and the item column that points at the target.
KINDS = ("mention", "reply", "repost", "quote")
_POINTER = {"reply": "reply_to", "repost": "repost_of", "quote": "quote_of"}
#: How many example item uids an edge keeps as evidence.
EXAMPLES = 3
#: Above this many nodes, betweenness is estimated from a sample of source nodes.
BETWEENNESS_EXACT_UP_TO = 500
#: How a component of the influence score is weighted (they are each scaled to 0..1 first).
INFLUENCE_WEIGHTS = {"pagerank": 0.4, "reach": 0.3, "spread": 0.2, "betweenness": 0.1}
_VERB = {"mention": "mentioned", "reply": "replied to", "repost": "reposted", "quote": "quoted"}


def interaction_graph(
    items: pd.DataFrame,
    kinds: Iterable[str] = KINDS,
    *,
    examples: int = EXAMPLES,
    self_loops: bool = False,
) -> nx.DiGraph:
    """A directed graph of accounts: an edge from an item's author to the account it points at.

    ``kinds`` chooses among mention (author -> each mentioned handle), reply, repost and quote
    (author -> author of the replied, reposted or quoted item, when that item is in ``items``, or
    the account a reply or repost read from the text names). Edges carry ``weight`` (all kinds
    together), a count per kind, ``from_text`` (how many of those interactions were read from the
    text, not given by the platform) and up to ``examples`` item uids. Nodes carry ``items`` (how
    many of the items they wrote) and ``platforms``. References to items outside the frame are
    counted in ``graph.graph["unresolved"]``, per kind; ``graph.graph["from_text"]`` counts the
    edges' interactions read from text, per kind. Self-loops (a thread replying to itself) are
    left out unless ``self_loops``.
    """
    kinds = tuple(kinds)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise WorkbenchError(f"unknown interaction kind(s): {', '.join(sorted(unknown))}",
                             hint=f"use some of: {', '.join(KINDS)}")
    require_columns(items, ["uid", "author_handle", "author_id"])
    graph = nx.DiGraph(kinds=list(kinds), unresolved={k: 0 for k in kinds if k != "mention"},
                       from_text={k: 0 for k in kinds})
    attributes = (*kinds, "from_text")
    author_of: dict[str, str] = {}
    for row in items.itertuples(index=False):
        account = _account(row)
        if account is None:
            continue
        author_of[row.uid] = account
        _add_account(graph, account, getattr(row, "platform", None), wrote=True)

    for row in items.itertuples(index=False):
        source = author_of.get(row.uid)
        if source is None:
            continue
        for kind in kinds:
            if kind == "mention":
                targets = {_handle(m) for m in _as_list(getattr(row, "mentions", None))} - {None}
                from_text = MENTIONS_FROM_TEXT in _as_list(getattr(row, "caveats", None))
            else:
                pointer = getattr(row, _POINTER[kind], None)
                if not isinstance(pointer, str) or not pointer:
                    continue
                named = pointer_author(pointer)  # an account named in the text, not an item
                from_text = named is not None
                if named is not None:
                    targets = {named}
                elif pointer in author_of:
                    targets = {author_of[pointer]}
                else:
                    graph.graph["unresolved"][kind] += 1
                    continue
            for target in targets:
                if target == source and not self_loops:
                    continue
                _add_account(graph, target, None, wrote=False)
                _count_edge(graph, source, target, row.uid, examples, kind=kind, kinds=attributes)
                if from_text:
                    graph.edges[source, target]["from_text"] += 1
                    graph.graph["from_text"][kind] += 1
    return graph


def author_hashtag_graph(items: pd.DataFrame, *, examples: int = EXAMPLES) -> nx.Graph:
    """A bipartite graph: accounts on one side (``bipartite=0``), ``#tags`` on the other (``1``).

    An edge's ``weight`` is how many of the account's items carry the tag.
    """
    require_columns(items, ["uid", "author_handle", "author_id", "hashtags"])
    graph = nx.Graph()
    for row in items.itertuples(index=False):
        account = _account(row)
        tags = _tags(row.hashtags)
        if account is None or not tags:
            continue
        graph.add_node(account, bipartite=0, kind="account")
        for tag in tags:
            if tag not in graph:
                graph.add_node(tag, bipartite=1, kind="hashtag", items=0)
            graph.nodes[tag]["items"] += 1
            _count_edge(graph, account, tag, row.uid, examples)
    return graph


def cohashtag_graph(items: pd.DataFrame, *, min_weight: int = 1, examples: int = EXAMPLES) -> nx.Graph:
    """Hashtags linked when they appear in the same item; ``weight`` counts those items.

    Nodes carry ``items``, how many items use the tag. Edges lighter than ``min_weight`` are dropped
    (the tags stay).
    """
    require_columns(items, ["uid", "hashtags"])
    graph = nx.Graph()
    for row in items.itertuples(index=False):
        tags = sorted(_tags(row.hashtags))
        for tag in tags:
            if tag not in graph:
                graph.add_node(tag, kind="hashtag", items=0)
            graph.nodes[tag]["items"] += 1
        for a, b in combinations(tags, 2):
            _count_edge(graph, a, b, row.uid, examples)
    light = [(a, b) for a, b, w in graph.edges(data="weight") if w < min_weight]
    graph.remove_edges_from(light)
    return graph


def communities(graph: nx.Graph, *, seed: int = 42, resolution: float = 1.0) -> pd.DataFrame:
    """Louvain communities (fixed ``seed``, so the same graph gives the same answer).

    Direction is ignored: a pair's weight is the sum of both directions. Returns one row per node,
    ``node``, ``community`` (0 is the largest) and ``size``; isolated nodes are communities of one.
    """
    undirected = _undirected(graph)
    if undirected.number_of_nodes() == 0:
        return pd.DataFrame({"node": pd.Series(dtype=str), "community": pd.Series(dtype=int),
                             "size": pd.Series(dtype=int)})
    found = nx.community.louvain_communities(undirected, weight="weight", resolution=resolution, seed=seed)
    found = sorted(found, key=lambda c: (-len(c), min(c)))
    rows = [(node, i, len(c)) for i, c in enumerate(found) for node in sorted(c)]
    return pd.DataFrame(rows, columns=["node", "community", "size"])


def centrality(graph: nx.Graph, *, sample: int = 200, seed: int = 42) -> pd.DataFrame:
    """Degree, weighted degree, PageRank and betweenness for every node, highest PageRank first.

    Directed graphs get in/out degree (distinct neighbours) and in/out strength (summed weights).
    Betweenness ignores weights (they are counts, not distances) and, above
    :data:`BETWEENNESS_EXACT_UP_TO` nodes, is estimated from ``sample`` source nodes
    (``betweenness_sampled`` says so).
    """
    columns = ["node", "degree", "strength", "pagerank", "betweenness", "betweenness_sampled"]
    if graph.is_directed():
        columns[1:3] = ["in_degree", "out_degree", "in_strength", "out_strength"]
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(columns=columns)
    pagerank = nx.pagerank(graph, weight="weight")
    n = graph.number_of_nodes()
    sampled = n > BETWEENNESS_EXACT_UP_TO
    between = nx.betweenness_centrality(graph, k=min(sample, n) if sampled else None, seed=seed)
    rows = []
    for node in graph.nodes:
        row = {"node": node}
        if graph.is_directed():
            row |= {"in_degree": graph.in_degree(node), "out_degree": graph.out_degree(node),
                    "in_strength": graph.in_degree(node, weight="weight"),
                    "out_strength": graph.out_degree(node, weight="weight")}
        else:
            row |= {"degree": graph.degree(node), "strength": graph.degree(node, weight="weight")}
        row |= {"pagerank": pagerank[node], "betweenness": between[node], "betweenness_sampled": sampled}
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["pagerank", "node"], ascending=[False, True], ignore_index=True)


def influence(graph: nx.DiGraph, *, top: int | None = None, seed: int = 42) -> pd.DataFrame:
    """Accounts ranked by influence in an interaction graph, each with the reasons for its place.

    The score (0..1) weighs, as set in :data:`INFLUENCE_WEIGHTS`, four components each scaled by
    its maximum: PageRank; reach (how many distinct accounts point at this one); spread (in how
    many communities those accounts are); and betweenness (bridging between groups). Columns:
    ``rank``, ``account``, ``score``, the components, ``community``, and ``reasons``, e.g.
    "reposted by 40 accounts, mentioned by 3 accounts, across 3 communities; PageRank rank 2".
    """
    if not graph.is_directed():
        raise WorkbenchError("influence needs a directed interaction graph",
                             hint="build one with interaction_graph(items)")
    columns = ["rank", "account", "score", "pagerank", "pagerank_rank", "reach", "spread", "betweenness",
               "community", "reasons"]
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(columns=columns)
    cent = centrality(graph, seed=seed).set_index("node")
    membership = communities(graph, seed=seed).set_index("node")["community"]
    cent["pagerank_rank"] = cent["pagerank"].rank(ascending=False, method="min").astype(int)
    between_rank = cent["betweenness"].rank(ascending=False, method="min").astype(int)
    kinds = graph.graph.get("kinds", list(KINDS))
    rows = []
    for node in graph.nodes:
        pointers = list(graph.predecessors(node))
        groups = {membership[p] for p in pointers}
        by_kind = {k: sum(1 for p in pointers if graph.edges[p, node].get(k, 0)) for k in kinds}
        rows.append({"account": node, "pagerank": cent.at[node, "pagerank"],
                     "pagerank_rank": cent.at[node, "pagerank_rank"], "reach": len(pointers),
                     "spread": len(groups), "betweenness": cent.at[node, "betweenness"],
                     "community": membership[node],
                     "reasons": _reasons(by_kind, len(groups), cent.at[node, "pagerank_rank"],
                                         between_rank[node], cent.at[node, "betweenness"])})
    frame = pd.DataFrame(rows)
    frame["score"] = sum(weight * _scaled(frame[name]) for name, weight in INFLUENCE_WEIGHTS.items())
    frame = frame.sort_values(["score", "reach", "account"], ascending=[False, False, True],
                              ignore_index=True)
    frame["rank"] = range(1, len(frame) + 1)
    frame = frame[columns]
    return frame.head(top) if top else frame


def with_communities(graph: nx.Graph, *, seed: int = 42) -> nx.Graph:
    """A copy of ``graph`` whose nodes carry a ``community`` number (for colouring in Gephi)."""
    copy = graph.copy()
    for node, community in communities(graph, seed=seed)[["node", "community"]].itertuples(index=False):
        copy.nodes[node]["community"] = int(community)
    return copy


def write_gexf(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GEXF (Gephi); list and dict attributes become JSON text."""
    path = Path(path)
    nx.write_gexf(exportable(graph), path)
    return path


def write_graphml(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GraphML; list and dict attributes become JSON text."""
    path = Path(path)
    nx.write_graphml(exportable(graph), path)
    return path


def exportable(graph: nx.Graph) -> nx.Graph:
    """A copy of ``graph`` whose attributes the GEXF and GraphML writers accept.

    Lists, tuples, sets and dicts become JSON text, numpy scalars plain numbers, and missing values
    (None, NaN, NA) are dropped.
    """
    copy = graph.copy()
    copy.graph = _plain(graph.graph)
    for _, data in copy.nodes(data=True):
        _replace(data, _plain(data))
    for *_, data in copy.edges(data=True):
        _replace(data, _plain(data))
    return copy


def _plain(attributes: dict) -> dict:
    out = {}
    for key, value in attributes.items():
        if hasattr(value, "item") and not isinstance(value, list | tuple | set | dict):
            value = value.item()  # numpy scalar
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, set):
            value = sorted(value)
        if isinstance(value, list | tuple | dict):
            value = json.dumps(value, ensure_ascii=False, default=str)
        elif not isinstance(value, str | int | float | bool):
            value = str(value)
        out[str(key)] = value
    return out


def _replace(data: dict, new: dict) -> None:
    data.clear()
    data.update(new)


def _reasons(by_kind: dict[str, int], groups: int, pagerank_rank: int, between_rank: int,
             betweenness: float) -> str:
    said = [f"{_VERB[k]} by {n} account{'s' if n != 1 else ''}" for k, n in
            sorted(by_kind.items(), key=lambda kv: -kv[1]) if n]
    parts = []
    if said:
        community = f" across {groups} communit{'ies' if groups != 1 else 'y'}" if groups else ""
        parts.append(", ".join(said) + community)
    else:
        parts.append("nobody in the case points at this account")
    parts.append(f"PageRank rank {pagerank_rank}")
    if betweenness > 0 and between_rank <= 10:
        parts.append(f"bridge between groups (betweenness rank {between_rank})")
    return "; ".join(parts)


def _scaled(values: pd.Series) -> pd.Series:
    top = values.max()
    return values / top if top and top > 0 else values * 0.0


def _undirected(graph: nx.Graph) -> nx.Graph:
    if not graph.is_directed():
        return graph
    out = nx.Graph()
    out.add_nodes_from(graph.nodes)
    for a, b, w in graph.edges(data="weight", default=1):
        if out.has_edge(a, b):
            out.edges[a, b]["weight"] += w
        else:
            out.add_edge(a, b, weight=w)
    return out


def _count_edge(graph: nx.Graph, source: str, target: str, uid: str, examples: int, *,
                kind: str | None = None, kinds: tuple[str, ...] = ()) -> None:
    if not graph.has_edge(source, target):
        graph.add_edge(source, target, weight=0, examples=[], **{k: 0 for k in kinds})
    data = graph.edges[source, target]
    data["weight"] += 1
    if kind:
        data[kind] += 1
    if len(data["examples"]) < examples and uid not in data["examples"]:
        data["examples"].append(uid)


def _add_account(graph: nx.DiGraph, account: str, platform, *, wrote: bool) -> None:
    if account not in graph:
        graph.add_node(account, items=0, platforms=[])
    data = graph.nodes[account]
    if wrote:
        data["items"] += 1
    if isinstance(platform, str) and platform not in data["platforms"]:
        data["platforms"].append(platform)


def _account(row) -> str | None:
    return _handle(row.author_handle) or _handle(row.author_id)


def _handle(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip().lstrip("@").lower()
    return value or None


def _tags(value) -> set[str]:
    tags = set()
    for tag in _as_list(value):
        if isinstance(tag, str) and tag.strip().lstrip("#"):
            tags.add("#" + tag.strip().lstrip("#").lower())
    return tags


def _as_list(value) -> list:
    if isinstance(value, list | tuple | set):
        return list(value)
    if hasattr(value, "tolist"):  # numpy array from parquet
        return list(value.tolist())
    return []
