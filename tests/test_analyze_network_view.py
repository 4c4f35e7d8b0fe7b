"""The network views on small hand-built graphs whose right answers are known."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
import vl_convert

from workbench.analyze import network
from workbench.analyze.network_view import drawable, left_out_text, network_chart, network_widget, node_table
from workbench.errors import WorkbenchError

HOSTILE = '<img src=x onerror="alert(1)">'


def two_groups() -> nx.DiGraph:
    """Two tight groups of four (a*, b*) with one thin link, and a hostile handle hanging off a1."""
    g = nx.DiGraph()
    for group in (["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]):
        for s in group:
            for t in group:
                if s != t:
                    g.add_edge(s, t, weight=3, examples=["x:1"])
    g.add_edge("a1", "b1", weight=1)
    g.add_edge(HOSTILE, "a1", weight=1)
    return g


def layers(chart) -> dict[str, list[dict]]:
    """The rows each layer of a chart carries, by mark."""
    spec = chart.to_dict()
    datasets = spec["datasets"]
    out = {}
    for layer in spec["layer"]:
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        out[mark] = datasets[layer["data"]["name"]]
    return out


def subtitle(chart) -> str:
    """The chart's subtitle lines as one text."""
    return " / ".join(chart.to_dict()["title"]["subtitle"])


def test_every_node_drawn_when_small_and_coloured_by_community():
    g = two_groups()
    chart = network_chart(g, label_top=3)
    drawn = layers(chart)
    nodes = {row["node"]: row for row in drawn["circle"]}
    assert set(nodes) == {str(n) for n in g.nodes}
    assert len(drawn["rule"]) == g.number_of_edges() == 26
    a = {nodes[n]["colour"] for n in ("a1", "a2", "a3", "a4")}
    b = {nodes[n]["colour"] for n in ("b1", "b2", "b3", "b4")}
    assert len(a) == 1 and len(b) == 1 and a != b
    assert len(drawn["text"]) == 3  # labels for the top three only
    assert "9 of 9 nodes shown" in subtitle(chart)


def test_max_nodes_keeps_the_most_central_and_says_how_many_were_left_out():
    g = two_groups()
    chart = network_chart(g, max_nodes=8)
    drawn = layers(chart)
    assert HOSTILE not in {row["node"] for row in drawn["circle"]}  # nobody points at it
    assert len(drawn["circle"]) == 8
    assert "1 less central left out" in subtitle(chart)
    assert all(HOSTILE not in (row["source"], row["target"]) for row in drawn["rule"])
    top = node_table(g, max_nodes=2)
    assert list(top["node"]) == ["b1", "a1"]  # the bridge ends collect the most PageRank


def test_size_and_colour_from_attributes_or_centrality():
    g = nx.Graph()
    g.add_edges_from([("hub", f"leaf{i}") for i in range(5)])
    for n in g.nodes:
        g.nodes[n]["party"] = "red" if n == "hub" else "blue"
    table = node_table(g, max_nodes=10, color_by="party", size_by="degree")
    assert table.iloc[0]["node"] == "hub" and table.iloc[0]["size"] == 5
    assert dict(zip(table["node"], table["colour"], strict=True))["hub"] == "red"
    assert set(node_table(g, max_nodes=10, color_by=None)["colour"]) == {"all"}
    with pytest.raises(WorkbenchError, match="in_degree"):
        node_table(g, max_nodes=10, size_by="in_degree")  # undirected
    with pytest.raises(WorkbenchError, match="nonsense"):
        node_table(g, max_nodes=10, size_by="nonsense")
    with pytest.raises(WorkbenchError, match="networkx"):
        node_table([("a", "b")], max_nodes=10)


def test_label_attributes_name_nodes_without_merging_them():
    g = nx.Graph()
    g.add_edge("twitter:1", "mastodon:9", weight=2)
    g.add_edge("twitter:1", "twitter:2")
    nx.set_node_attributes(g, {"twitter:1": "ann", "mastodon:9": "ann", "twitter:2": "bob"}, "label")
    drawn = layers(network_chart(g))
    assert sorted(row["node"] for row in drawn["circle"]) == ["ann", "ann", "bob"]
    assert {(row["source"], row["target"]) for row in drawn["rule"]} == {("ann", "ann"), ("ann", "bob")}
    assert network_widget(g).graph.number_of_nodes() == 3


def test_many_groups_share_the_colour_other():
    g = nx.Graph()
    for i in range(14):
        g.add_edge(f"p{i}", f"q{i}")  # 14 separate pairs: 14 communities
    colours = set(node_table(g, max_nodes=100)["colour"])
    assert len(colours) == 10 and "other" in colours


def test_the_chart_renders_offline_and_hostile_names_stay_text():
    chart = network_chart(two_groups(), label_top=20, title="Who mentions whom")
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    assert svg.startswith("<svg") and "Who mentions whom" in svg
    assert "<img" not in svg and "&lt;img" in svg  # the handle is drawn as escaped text
    empty = network_chart(nx.Graph())
    assert "0 of 0 nodes" in subtitle(empty)
    assert vl_convert.vegalite_to_svg(empty.to_dict()).startswith("<svg")


def test_the_widget_holds_the_kept_graph_with_plain_attributes():
    g = two_groups()
    widget = network_widget(g, max_nodes=8)
    assert widget.graph.number_of_nodes() == 8 and HOSTILE not in widget.graph
    assert widget.graph.edges["a1", "a2"]["examples"] == '["x:1"]'  # lists made plain for the browser
    whole = network_widget(g)
    assert set(whole.graph.nodes) == set(g.nodes)
    labelled = network.with_communities(g)
    assert set(whole.graph.nodes) == set(labelled.nodes)


def test_demo_network_is_cut_to_size(demo_case):
    g = network.interaction_graph(demo_case.items())
    assert g.number_of_nodes() > 150
    chart = network_chart(g, title="Demo")
    drawn = layers(chart)
    assert len(drawn["circle"]) == 150
    assert f"150 of {g.number_of_nodes()} nodes shown" in subtitle(chart)
    assert vl_convert.vegalite_to_svg(chart.to_dict()).startswith("<svg")


def archive_items(mentioned: int = 300) -> pd.DataFrame:
    """A Twitter archive's shape: every item by one account, naming others (a few often)."""
    rows = [{"uid": f"twitter:{i}", "author_handle": "owner", "author_id": "1", "platform": "twitter",
             "mentions": [f"acct{i % mentioned}"] + (["bigshot"] if i % 3 == 0 else [])}
            for i in range(mentioned * 2)]
    return pd.DataFrame(rows)


def test_an_archive_is_drawn_around_its_labelled_owner_not_as_a_ring():
    g = network.interaction_graph(archive_items())
    chart = network_chart(g, max_nodes=50, label_top=5)
    drawn = layers(chart)
    names = {row["node"] for row in drawn["circle"]}
    assert "owner" in names and len(names) == 50
    assert len(drawn["rule"]) == 49  # every drawn account linked to the owner: a star
    labels = [row["label"] for row in drawn["text"]]
    assert "owner (wrote every item)" in labels and "bigshot" in labels
    assert "every item is by owner" in subtitle(chart) and "size: interactions" in subtitle(chart)
    sizes = {row["node"]: row["size"] for row in drawn["circle"]}
    assert sizes["owner"] == max(sizes.values()) and sizes["bigshot"] > sizes["acct1"]


def test_isolated_accounts_and_lone_pairs_are_counted_not_drawn():
    g = two_groups()
    g.add_nodes_from(f"quiet{i}" for i in range(312))
    g.add_edge("p1", "p2")
    chart = network_chart(g)
    drawn = layers(chart)
    names = {row["node"] for row in drawn["circle"]}
    assert not any(n.startswith(("quiet", "p")) for n in names) and len(names) == 9
    assert "312 accounts with no interaction and 1 pair linked only to each other left out" in subtitle(chart)
    kept, apart = drawable(g)
    assert kept.number_of_nodes() == 9 and left_out_text(apart).startswith("312 accounts with no interaction")
    only_pairs = nx.Graph([("a", "b"), ("c", "d")])
    assert drawable(only_pairs)[0].number_of_nodes() == 4  # nothing bigger: the pairs are the picture


def test_many_authors_pointing_at_many_targets_draw_as_a_network_with_hubs_and_the_amplified_named():
    # The shape of a troll farm's tweets: authors (few, busy) naming many targets, one of them often.
    g = nx.DiGraph()
    for a in range(40):
        for t in range(a * 5, a * 5 + 5 + (40 if a < 2 else 0)):  # two authors name 45 targets
            g.add_edge(f"author{a}", f"target{t % 200}")
        g.add_edge(f"author{a}", "bigname")
    chart = network_chart(g, max_nodes=30, label_top=4)
    drawn = layers(chart)
    names = {row["node"] for row in drawn["circle"]}
    linked = {row["source"] for row in drawn["rule"]} | {row["target"] for row in drawn["rule"]}
    assert len(names) == 30 and names == linked  # every drawn account has a drawn link: no ring
    labels = {row["label"] for row in drawn["text"]}
    assert {"author0", "author1", "bigname"} <= labels  # the hubs and the most amplified
    positions = [(row["lx"], row["ly"]) for row in drawn["text"]]
    assert len(set(positions)) == len(positions)
