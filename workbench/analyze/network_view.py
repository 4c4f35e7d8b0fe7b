"""Pictures of a network: a static altair chart for reports and an ipysigma widget for notebooks.

Both keep only the most central nodes (by ``size_by``) so a large graph never ships whole to the
browser, and both colour nodes by a node attribute, ``community`` by default (computed with
Louvain from :mod:`workbench.analyze.network` when the nodes do not carry it). Node names are data
values, never markup, so a hostile handle is just text in the chart.
"""

from __future__ import annotations

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
                  title: str | None = None, max_edges: int = MAX_EDGES) -> alt.LayerChart:
    """A static picture of ``graph``: a spring layout (fixed ``seed``), edges as lines.

    Nodes are sized by ``size_by`` and coloured by ``color_by`` (see :func:`node_table`); the
    ``label_top`` largest carry their name (a node's ``label`` attribute, when it has one). At most
    ``max_nodes`` nodes (the most central) and ``max_edges`` edges (the heaviest among them) are
    drawn; the title says how many were left out.
    Tooltips give each node's name, size measure, colour group and degree in the whole graph.
    """
    table = node_table(graph, max_nodes=max_nodes, color_by=color_by, size_by=size_by, seed=seed)
    kept = graph.subgraph(table["key"].tolist())
    # Three times networkx's default spacing: dense groups open up enough for their labels to read.
    spacing = 3 / math.sqrt(max(len(table), 1))
    position = nx.spring_layout(_plain_undirected(kept), k=spacing, seed=seed, weight="weight") \
        if len(table) else {}
    table["x"] = [float(position[k][0]) for k in table["key"]]
    table["y"] = [float(position[k][1]) for k in table["key"]]
    table["degree"] = [graph.degree(k) for k in table["key"]]
    table["label"] = [n if r <= label_top else "" for n, r in zip(table["node"], table["rank"], strict=True)]
    edges = _edge_table(kept, position, dict(zip(table["key"], table["node"], strict=True)), max_edges)

    left_out = graph.number_of_nodes() - len(table)
    heading = title or "Network"
    subtitle = f"{len(table)} of {graph.number_of_nodes()} nodes shown"
    subtitle += f" ({left_out} less central left out)" if left_out else ""
    if len(edges) < kept.number_of_edges():
        subtitle += f", {len(edges)} of {kept.number_of_edges()} edges"
    subtitle += f"; size: {size_by}" + (f"; colour: {color_by}" if color_by else "")

    axis = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    x = alt.X("x:Q", axis=axis, scale=alt.Scale(zero=False, nice=False, padding=20))
    y = alt.Y("y:Q", axis=axis, scale=alt.Scale(zero=False, nice=False, padding=20))
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
    labels = alt.Chart(nodes[nodes["label"] != ""]).mark_text(
        align="left", dx=7, dy=-7, fontSize=10, color="#333333").encode(x=x, y=y, text="label:N")
    return alt.layer(lines, points, labels).properties(
        width=600, height=450, title=alt.Title(heading, subtitle=subtitle, anchor="start"))


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
