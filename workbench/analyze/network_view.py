"""Pictures of a network: a static altair chart for reports and an ipysigma widget for notebooks.

Both keep only the most central nodes (by ``size_by``) so a large graph never ships whole to the
browser, and both colour nodes by a node attribute, ``community`` by default (computed with
Louvain from :mod:`workbench.analyze.network` when the nodes do not carry it). Node names are data
values, never markup, so a hostile handle is just text in the chart.
"""

from __future__ import annotations

import heapq
import math
import re

import altair as alt
import networkx as nx
import pandas as pd

from workbench.analyze import network
from workbench.errors import WorkbenchError

#: At most this many colours; smaller groups share the colour "other".
MAX_COLOURS = 10
#: The static chart draws at most this many edges (the heaviest) among the nodes it keeps.
MAX_EDGES = 1500
#: Groups of fewer nodes than this, linked only among themselves, are counted rather than drawn.
MIN_COMPONENT = 3
#: Said after the name of the one account that wrote every item (an archive's owner).
OWNER_NOTE = "wrote every item"
#: What nodes are sized by around one author: interactions (weighted degree).
OWNER_SIZE = "interactions"
#: Labels' font size and the chart's padding around the nodes, in pixels.
LABEL_FONT = 10
LABEL_PAD = 20
_CENTRALITY = ("degree", "strength", "in_degree", "out_degree", "in_strength", "out_strength",
               "betweenness")


def node_table(graph: nx.Graph, *, max_nodes: int, color_by: str | None = "community",
               size_by: str = "pagerank", seed: int = 42) -> pd.DataFrame:
    """One row per node kept for drawing: ``key`` (the node), ``node`` (its name: its ``label``
    attribute when it has one, else the node as text), ``size``, ``colour`` (text) and ``rank``.

    The ``max_nodes`` nodes with the largest ``size_by`` are kept (ties by name). ``size_by`` is a
    node attribute or, when the nodes lack it, ``pagerank`` or a column of
    :func:`workbench.analyze.network.centrality`. ``color_by`` is a node attribute, or
    ``community`` (computed on the whole graph when absent); None colours every node alike.
    """
    if not isinstance(graph, nx.Graph):
        raise WorkbenchError(f"expected a networkx graph, got {type(graph).__name__}",
                             hint="build one with workbench.analyze.network.interaction_graph(items)")
    if max_nodes < 1:
        raise WorkbenchError(f"max_nodes must be at least 1, got {max_nodes}")
    nodes = list(graph.nodes)
    names = [str(graph.nodes[n].get("label") or n) for n in nodes]
    frame = pd.DataFrame({"node": pd.Series(names, dtype=object), "key": pd.Series(nodes, dtype=object)})
    frame["size"] = pd.to_numeric(pd.Series(_sizes(graph, size_by, seed), dtype=object), errors="coerce")
    frame["size"] = frame["size"].fillna(0.0).astype(float)
    frame = frame.sort_values(["size", "node"], ascending=[False, True], ignore_index=True)
    frame["rank"] = range(1, len(frame) + 1)
    frame = frame.head(max_nodes).copy()
    frame["colour"] = _colours(graph, frame["key"].tolist(), color_by, seed)
    return frame


def network_chart(graph: nx.Graph, *, max_nodes: int = 150, color_by: str | None = "community",
                  size_by: str = "pagerank", label_top: int = 15, seed: int = 7,
                  title: str | None = None, max_edges: int = MAX_EDGES,
                  min_component: int = MIN_COMPONENT, width: int = 600,
                  height: int = 450) -> alt.LayerChart:
    """A static picture of ``graph``: a spring layout (fixed ``seed``), edges as lines.

    Nodes with no edge, and groups of fewer than ``min_component`` nodes linked only among
    themselves (when a larger group exists), are not drawn: the subtitle counts them (see
    :func:`drawable`). Of the rest, ``label_top`` nodes are drawn and named (a node's ``label``
    attribute, when it has one): by turns the one with the most neighbours (degree, direction
    ignored) and the biggest by ``size_by``, and first the archive's owner (:func:`sole_author`).
    The other places of ``max_nodes`` go to the biggest nodes linked to those already drawn, so
    the picture is a network, not a ring of unlinked dots (a new group starts only when nothing
    more is linked). Nodes are sized by ``size_by`` and coloured by
    ``color_by`` (see :func:`node_table`); at most ``max_edges`` edges (the heaviest among the
    nodes drawn) are drawn. Around an archive's owner, with ``size_by="pagerank"``, nodes are
    sized by their interactions instead (PageRank is alike for all accounts of a star). Tooltips
    give each node's name, size measure, colour group and degree. Labels are placed beside their
    node where they overlap no other label in a ``width`` x ``height`` chart; one that fits
    nowhere is left to the tooltip (the archive's owner is placed first).
    """
    shown, apart = drawable(graph, min_component)
    owner = sole_author(graph)
    if owner is not None and size_by == "pagerank":
        # Around one author every other account has the same tiny PageRank: size them by how
        # often the author interacts with them instead.
        shown = shown.copy()
        nx.set_node_attributes(shown, dict(shown.degree(weight="weight")), OWNER_SIZE)
        size_by = OWNER_SIZE
    ranked = node_table(shown, max_nodes=max(shown.number_of_nodes(), 1), color_by=color_by,
                        size_by=size_by, seed=seed)
    ranked["degree"] = [_neighbours(graph, k) for k in ranked["key"]]
    # The top by partners (hubs) and by size (the amplified), taken in turn.
    by_degree = ranked.sort_values(["degree", "size", "node"], ascending=[False, False, True])
    turns = pd.Series(range(len(ranked)), index=by_degree["key"].to_numpy())
    both = ranked.assign(turn=[min(r - 1, turns[k])
                               for k, r in zip(ranked["key"], ranked["rank"], strict=True)])
    labelled = list(both.sort_values(["turn", "rank"])["key"].head(min(label_top, max_nodes)))
    if owner is not None and owner in shown and owner not in labelled:
        labelled = [owner, *labelled[: max(min(label_top, max_nodes) - 1, 0)]]
    keep = _connected_pick(shown, ranked, ([owner] if owner in labelled else []) + labelled, max_nodes)
    table = ranked[ranked["key"].isin(keep)].reset_index(drop=True)
    labelled = set(labelled)
    kept = graph.subgraph(table["key"].tolist())
    # Three times networkx's default spacing: dense groups open up enough for their labels to read.
    spacing = 3 / math.sqrt(max(len(table), 1))
    # In a star, weights would pull the accounts named most onto the author, labels on top of each other.
    position = nx.spring_layout(_plain_undirected(kept), k=spacing, seed=seed,
                                weight=None if owner is not None else "weight") if len(table) else {}
    table["x"] = [float(position[k][0]) for k in table["key"]]
    table["y"] = [float(position[k][1]) for k in table["key"]]
    table["label"] = [(f"{n} ({OWNER_NOTE})" if k == owner else n) if k in labelled else ""
                      for k, n in zip(table["key"], table["node"], strict=True)]
    edges = _edge_table(kept, position, dict(zip(table["key"], table["node"], strict=True)), max_edges)

    less_central = shown.number_of_nodes() - len(table)
    heading = title or "Network"
    subtitle = f"{len(table)} of {graph.number_of_nodes()} nodes shown"
    subtitle += f" ({less_central} less central left out)" if less_central else ""
    if len(edges) < kept.number_of_edges():
        subtitle += f", {len(edges)} of {kept.number_of_edges()} edges"
    subtitle += f"; size: {size_by}" + (f"; colour: {color_by}" if color_by else "")
    subtitles = [subtitle] + ([left_out_text(apart)] if apart["isolated"] or apart["apart"] else [])
    if owner is not None and owner in kept:
        subtitles.append(f"every item is by {table.loc[table['key'] == owner, 'node'].iloc[0]}: "
                         "the network is who that account interacts with")

    placed = _place_labels(table, width, height, first=owner)
    axis = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    # Fixed domains: the labels' positions must not move the nodes (they were placed for these).
    x_domain = [float(table["x"].min()), float(table["x"].max())] if len(table) else [0.0, 1.0]
    y_domain = [float(table["y"].min()), float(table["y"].max())] if len(table) else [0.0, 1.0]
    x_scale = alt.Scale(zero=False, nice=False, padding=LABEL_PAD, domain=x_domain)
    y_scale = alt.Scale(zero=False, nice=False, padding=LABEL_PAD, domain=y_domain)
    x = alt.X("x:Q", axis=axis, scale=x_scale)
    y = alt.Y("y:Q", axis=axis, scale=y_scale)
    nodes = table[["node", "size", "colour", "rank", "x", "y", "degree", "label"]]
    lines = alt.Chart(edges).mark_rule(color="#999999").encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("weight:Q", scale=alt.Scale(range=[0.5, 4]), legend=None),
        opacity=alt.value(0.35),
        tooltip=[alt.Tooltip("source:N"), alt.Tooltip("target:N"), alt.Tooltip("weight:Q")],
    )
    colour = (alt.Color("colour:N", title=color_by, sort=_colour_order(nodes["colour"]),
                        scale=alt.Scale(scheme="tableau10"))
              if color_by else alt.value("#4c78a8"))
    points = alt.Chart(nodes).mark_circle(opacity=0.9, stroke="white", strokeWidth=0.5).encode(
        x=x, y=y, color=colour,
        size=alt.Size("size:Q", title=size_by, scale=alt.Scale(range=[20, 600]), legend=None),
        tooltip=[alt.Tooltip("node:N", title="node"), alt.Tooltip("size:Q", title=size_by, format=".4g"),
                 alt.Tooltip("colour:N", title=color_by or "colour"),
                 alt.Tooltip("degree:Q", title="degree")],
    )
    labels = alt.Chart(placed).mark_text(align="left", baseline="alphabetic", fontSize=LABEL_FONT,
                                         color="#333333").encode(
        x=alt.X("lx:Q", axis=axis, scale=x_scale), y=alt.Y("ly:Q", axis=axis, scale=y_scale),
        text="label:N")
    return alt.layer(lines, points, labels).properties(
        width=width, height=height, title=alt.Title(heading, subtitle=subtitles, anchor="start"))


def _place_labels(table: pd.DataFrame, width: int, height: int, first: object = None) -> pd.DataFrame:
    """The labels with where each is drawn (``lx``, ``ly``: its left end on the baseline, in the
    layout's units): beside its node, at the first of a few spots that overlaps no label placed
    before it and stays inside the chart. Bigger nodes are placed first; unplaceable labels go."""
    wanted = table[table["label"] != ""]
    wanted = wanted.assign(first=wanted["key"].map(lambda k: k == first)).sort_values(
        ["first", "size"], ascending=[False, False])
    columns = ["label", "lx", "ly"]
    if wanted.empty:
        return pd.DataFrame(columns=columns)
    x0, x1 = float(table["x"].min()), float(table["x"].max())
    y0, y1 = float(table["y"].min()), float(table["y"].max())
    span_x = (width - 2 * LABEL_PAD) / ((x1 - x0) or 1.0)
    span_y = (height - 2 * LABEL_PAD) / ((y1 - y0) or 1.0)
    boxes: list[tuple[float, float, float, float]] = []
    rows = []
    for row in wanted.itertuples(index=False):
        px = LABEL_PAD + (row.x - x0) * span_x if x1 > x0 else width / 2
        py = height - LABEL_PAD - (row.y - y0) * span_y if y1 > y0 else height / 2
        w, h = LABEL_FONT * 0.6 * len(row.label), LABEL_FONT * 1.2
        for dx, dy in ((7, -5), (7, 12), (-7 - w, -5), (-7 - w, 12), (-w / 2, -9), (-w / 2, 18)):
            box = (px + dx, py + dy - h * 0.8, px + dx + w, py + dy + h * 0.2)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                                  for b in boxes):
                boxes.append(box)
                rows.append({"label": row.label,
                             "lx": x0 + (px + dx - LABEL_PAD) / span_x if x1 > x0 else x0,
                             "ly": y0 + (height - LABEL_PAD - (py + dy)) / span_y if y1 > y0 else y0})
                break
    return pd.DataFrame(rows, columns=columns)


def _connected_pick(graph: nx.Graph, ranked: pd.DataFrame, seeds: list, max_nodes: int) -> set:
    """Up to ``max_nodes`` nodes that draw as a network, not as a ring of dots: the ``seeds``
    (each with its biggest neighbour, so none stands alone), then again and again the biggest
    node (``ranked`` order) linked to those already taken; a new group starts only when none is."""
    order = dict(zip(ranked["key"], ranked["rank"], strict=True))
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    chosen: set = set()
    frontier: list[tuple[int, int]] = []  # (rank, index into keys): ranks are unique
    keys = list(ranked["key"])
    position = {k: i for i, k in enumerate(keys)}

    def take(node) -> None:
        chosen.add(node)
        for other in undirected.neighbors(node):
            if other not in chosen and other in order:
                heapq.heappush(frontier, (order[other], position[other]))

    for node in dict.fromkeys(seeds):
        if len(chosen) >= max_nodes or node in chosen or node not in order:
            continue
        take(node)
        partners = [m for m in undirected.neighbors(node) if m in order]
        if partners and not chosen.intersection(partners) and len(chosen) < max_nodes:
            take(min(partners, key=order.__getitem__))
    starts = iter(keys)
    while len(chosen) < max_nodes:
        while frontier and keys[frontier[0][1]] in chosen:
            heapq.heappop(frontier)
        if frontier:
            take(keys[heapq.heappop(frontier)[1]])
            continue
        fresh = next((k for k in starts if k not in chosen), None)
        if fresh is None:
            break
        take(fresh)
    return chosen


def drawable(graph: nx.Graph, min_component: int = MIN_COMPONENT) -> tuple[nx.Graph, dict[str, int]]:
    """``graph`` without the nodes a picture cannot say anything about, and how many went.

    Left out: nodes with no edge (``isolated``), and the ``apart`` nodes of the ``groups`` of
    fewer than ``min_component`` nodes linked only among themselves, when a group of at least
    ``min_component`` exists (otherwise the small groups are all there is, and stay).
    """
    isolated = [n for n in graph.nodes if graph.degree(n) == 0]
    linked = graph.subgraph(n for n in graph.nodes if graph.degree(n) > 0)
    parts = list(nx.weakly_connected_components(linked) if linked.is_directed()
                 else nx.connected_components(linked))
    small = [p for p in parts if len(p) < min_component]
    if len(small) == len(parts):
        small = []
    gone = set(isolated).union(*small) if small else set(isolated)
    kept = graph.subgraph(n for n in graph.nodes if n not in gone)
    return kept, {"isolated": len(isolated), "apart": sum(map(len, small)), "groups": len(small),
                  "largest": max(map(len, small), default=0)}


def left_out_text(apart: dict[str, int]) -> str:
    """What :func:`drawable` left out, as one line: "312 accounts with no interaction left out"."""
    parts = []
    if apart.get("isolated"):
        n = apart["isolated"]
        parts.append(f"{n:,} account{'s' if n != 1 else ''} with no interaction")
    if apart.get("apart"):
        n, groups = apart["apart"], apart["groups"]
        if apart.get("largest") == 2:
            parts.append(f"{groups:,} pair{'s' if groups != 1 else ''} linked only to each other")
        else:
            parts.append(f"{n:,} accounts in {groups:,} small group{'s' if groups != 1 else ''} linked "
                         "only among themselves")
    return (" and ".join(parts) + " left out") if parts else ""


def sole_author(graph: nx.Graph) -> object | None:
    """The one node that wrote items (``items`` > 0) when the others only receive: the owner of an
    archive (a Twitter archive holds one account's posts) or of a channel; else None."""
    writers = [n for n, wrote in graph.nodes(data="items") if isinstance(wrote, int | float) and wrote > 0]
    return writers[0] if len(writers) == 1 and graph.number_of_nodes() > 1 else None


def _neighbours(graph: nx.Graph, node: object) -> int:
    """How many other nodes ``node`` is linked with, whichever the direction."""
    if graph.is_directed():
        return len((set(graph.predecessors(node)) | set(graph.successors(node))) - {node})
    return len(set(graph.neighbors(node)) - {node})


def network_widget(graph: nx.Graph, *, max_nodes: int = 500, color_by: str | None = "community",
                   size_by: str = "pagerank", seed: int = 42, height: int = 500):
    """An interactive ipysigma view of ``graph`` for notebooks (pan, zoom, search, click a node).

    Keeps the ``max_nodes`` most central nodes like :func:`network_chart`, coloured by
    ``color_by`` and sized by ``size_by``. Node and edge attributes are reduced to plain values
    (lists become text), and colour groups are stripped of markup characters because ipysigma
    writes them into its legend as HTML.
    """
    try:
        from ipysigma import Sigma
    except ImportError as error:  # pragma: no cover - ipysigma is a declared notebook dependency
        raise WorkbenchError("the interactive network view needs ipysigma",
                             hint="pip install ipysigma, or use network_chart(graph)") from error
    table = node_table(graph, max_nodes=max_nodes, color_by=color_by, size_by=size_by, seed=seed)
    kept = network.exportable(graph.subgraph(table["key"].tolist()))
    sizes = dict(zip(table["key"], table["size"], strict=True))
    colours = dict(zip(table["key"], table["colour"], strict=True))
    labels = dict(zip(table["key"], table["node"], strict=True))
    options = {"node_size": sizes, "node_size_range": (3, 20), "height": height, "node_label": labels,
               "name": f"{len(table)} of {graph.number_of_nodes()} nodes"}
    if color_by:
        options["node_color"] = colours
    return Sigma(kept, **options)


def _sizes(graph: nx.Graph, size_by: str, seed: int) -> list:
    values = [graph.nodes[n].get(size_by) for n in graph.nodes]
    if graph.number_of_nodes() == 0 or all(v is not None for v in values):
        return values
    if size_by == "pagerank":
        found = nx.pagerank(graph, weight="weight")
    elif size_by in _CENTRALITY:
        cent = network.centrality(graph, seed=seed)
        if size_by not in cent.columns:
            raise WorkbenchError(f"size_by={size_by!r} does not apply to a "
                                 f"{'directed' if graph.is_directed() else 'undirected'} graph",
                                 hint=f"use one of: pagerank, {', '.join(cent.columns[1:-1])}")
        found = dict(zip(cent["node"], cent[size_by], strict=True))
    else:
        raise WorkbenchError(f"size_by={size_by!r} is neither a node attribute nor a centrality",
                             hint=f"use pagerank, one of {', '.join(_CENTRALITY)}, "
                                  "or a numeric node attribute")
    return [found[n] for n in graph.nodes]


def _colours(graph: nx.Graph, keys: list, color_by: str | None, seed: int) -> list[str]:
    if color_by is None:
        return ["all"] * len(keys)
    values = {k: graph.nodes[k].get(color_by) for k in keys}
    if color_by == "community" and any(v is None for v in values.values()):
        found = network.communities(graph, seed=seed)
        membership = dict(zip(found["node"], found["community"], strict=True))
        values = {k: membership.get(k) for k in keys}
    groups = {k: _safe_group(v) for k, v in values.items()}
    counts = pd.Series(list(groups.values()), dtype=object).value_counts()
    keep = set(_colour_order(pd.Series(list(groups.values()), dtype=object))[:MAX_COLOURS - 1]) \
        if len(counts) > MAX_COLOURS else set(counts.index)
    return [groups[k] if groups[k] in keep else "other" for k in keys]


def _colour_order(groups: pd.Series) -> list[str]:
    """Groups largest first; numbers (communities) in numeric order when sizes tie."""
    counts = groups.value_counts()
    return sorted(counts.index, key=lambda g: (-counts[g], (0, int(g)) if g.isdigit() else (1, g)))


def _safe_group(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "none"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list | tuple | set):
        value = ", ".join(sorted(map(str, value)))
    return re.sub(r"[<>&\"'`]", "", str(value))[:40] or "none"


def _plain_undirected(graph: nx.Graph) -> nx.Graph:
    out = nx.Graph()
    out.add_nodes_from(graph.nodes)
    for a, b, w in graph.edges(data="weight", default=1):
        w = float(w) if isinstance(w, int | float) else 1.0
        out.add_edge(a, b, weight=w + (out.edges[a, b]["weight"] if out.has_edge(a, b) else 0.0))
    return out


def _edge_table(kept: nx.Graph, position: dict, names: dict, max_edges: int) -> pd.DataFrame:
    rows = [{"source": names[a], "target": names[b],
             "weight": float(w) if isinstance(w, int | float) else 1.0,
             "x": float(position[a][0]), "y": float(position[a][1]),
             "x2": float(position[b][0]), "y2": float(position[b][1])}
            for a, b, w in kept.edges(data="weight", default=1)]
    columns = ["source", "target", "weight", "x", "y", "x2", "y2"]
    edges = pd.DataFrame(rows, columns=columns)
    return edges.sort_values(["weight", "source", "target"], ascending=[False, True, True],
                             ignore_index=True).head(max_edges)
