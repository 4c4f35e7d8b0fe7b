"""Interaction networks on small hand-built item frames whose right answers are known."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from workbench.analyze import network
from workbench.collect.text_interactions import reply_pointer, repost_pointer
from workbench.errors import WorkbenchError


def frame(rows: list[dict]) -> pd.DataFrame:
    """Items with the columns the network functions read; unset fields are empty."""
    base = {"platform": "twitter", "author_id": None, "reply_to": None, "repost_of": None,
            "quote_of": None, "text": ""}
    out = []
    for i, row in enumerate(rows):
        item = {**base, "uid": f"twitter:{i}", "mentions": [], "hashtags": [], **row}
        out.append(item)
    return pd.DataFrame(out, columns=list(out[0]) if out else ["uid", "author_handle", "mentions", "hashtags",
                                                                 *base])


def test_mentions_make_weighted_edges_with_examples():
    items = frame([
        {"author_handle": "Alice", "mentions": ["@Bob", "carol"]},
        {"author_handle": "alice", "mentions": ["bob"]},
        {"author_handle": "alice", "mentions": ["BOB"]},
        {"author_handle": "alice", "mentions": ["bob"]},
        {"author_handle": "bob", "mentions": ["bob"]},  # a self-mention is left out
    ])
    g = network.interaction_graph(items, ["mention"], examples=2)
    assert set(g.edges) == {("alice", "bob"), ("alice", "carol")}
    assert g.edges["alice", "bob"]["weight"] == 4
    assert g.edges["alice", "bob"]["mention"] == 4
    assert g.edges["alice", "bob"]["examples"] == ["twitter:0", "twitter:1"]
    assert g.nodes["alice"]["items"] == 4
    assert g.nodes["carol"]["items"] == 0  # mentioned, never posted
    assert network.interaction_graph(items, ["mention"], self_loops=True).has_edge("bob", "bob")


def test_replies_reposts_quotes_point_at_authors_in_the_case():
    items = frame([
        {"uid": "x:1", "author_handle": "alice"},
        {"uid": "x:2", "author_handle": "bob", "reply_to": "x:1"},
        {"uid": "x:3", "author_handle": "carol", "repost_of": "x:1"},
        {"uid": "x:4", "author_handle": "carol", "quote_of": "x:2"},
        {"uid": "x:5", "author_handle": "dave", "reply_to": "x:999"},  # outside the case
        {"uid": "x:6", "author_handle": "dave", "repost_of": "x:2", "mentions": ["bob"]},
    ])
    g = network.interaction_graph(items)
    assert g.edges["bob", "alice"]["reply"] == 1
    assert g.edges["carol", "alice"]["repost"] == 1
    assert g.edges["carol", "bob"]["quote"] == 1
    assert g.edges["dave", "bob"]["weight"] == 2  # one repost and one mention
    assert g.edges["dave", "bob"]["mention"] == 1 and g.edges["dave", "bob"]["repost"] == 1
    assert g.graph["unresolved"] == {"reply": 1, "repost": 0, "quote": 0}
    assert not network.interaction_graph(items, ["reply"]).has_edge("carol", "alice")
    with pytest.raises(WorkbenchError, match="like"):
        network.interaction_graph(items, ["like"])
    with pytest.raises(WorkbenchError, match="author_handle"):
        network.interaction_graph(items.drop(columns="author_handle"))


def test_interactions_read_from_text_point_at_the_named_account_and_are_counted_apart():
    rt = repost_pointer("twitter", "Origin", "big news")
    items = frame([
        {"uid": "x:1", "author_handle": "origin", "caveats": []},
        {"uid": "x:2", "author_handle": "alice", "repost_of": rt, "mentions": ["Origin"],
         "caveats": ["mentions-from-text", "interactions-from-text"]},
        {"uid": "x:3", "author_handle": "bob", "repost_of": rt, "mentions": ["origin"],
         "caveats": ["mentions-from-text", "interactions-from-text"]},
        {"uid": "x:4", "author_handle": "carol", "reply_to": reply_pointer("twitter", "Dave", "4"),
         "mentions": ["dave"], "caveats": ["mentions-from-text", "interactions-from-text"]},
        {"uid": "x:5", "author_handle": "carol", "repost_of": "x:1", "mentions": ["origin"],
         "caveats": []},
    ])
    g = network.interaction_graph(items)
    # The original is not in the frame, and need not be: the text named its author.
    assert g.edges["alice", "origin"]["repost"] == 1 and g.edges["bob", "origin"]["repost"] == 1
    assert g.edges["alice", "origin"]["from_text"] == 2  # the repost and the mention
    assert g.edges["carol", "dave"]["reply"] == 1 and g.edges["carol", "dave"]["from_text"] == 2
    # Platform data on the same edge stays platform data.
    assert g.edges["carol", "origin"]["repost"] == 1 and g.edges["carol", "origin"]["from_text"] == 0
    assert g.graph["unresolved"] == {"reply": 0, "repost": 0, "quote": 0}
    assert g.graph["from_text"] == {"mention": 3, "reply": 1, "repost": 2, "quote": 0}
    assert "dave" in g and g.nodes["dave"]["items"] == 0


def test_hashtag_graphs():
    items = frame([
        {"author_handle": "alice", "hashtags": ["Fire", "#botlek"]},
        {"author_handle": "alice", "hashtags": ["fire"]},
        {"author_handle": "bob", "hashtags": ["fire", "smoke", "botlek"]},
        {"author_handle": "carol", "hashtags": []},
    ])
    bi = network.author_hashtag_graph(items)
    assert nx.is_bipartite(bi)
    assert bi.edges["alice", "#fire"]["weight"] == 2
    assert bi.nodes["#fire"]["items"] == 3 and bi.nodes["alice"]["bipartite"] == 0
    assert "carol" not in bi
    cent = network.centrality(bi).set_index("node")
    assert cent.at["#fire", "degree"] == 2 and cent.at["#fire", "strength"] == 3
    co = network.cohashtag_graph(items)
    assert co.edges["#botlek", "#fire"]["weight"] == 2
    assert co.edges["#fire", "#smoke"]["weight"] == 1
    heavy = network.cohashtag_graph(items, min_weight=2)
    assert set(heavy.edges) == {("#botlek", "#fire")} and "#smoke" in heavy


def two_groups() -> pd.DataFrame:
    """Two tight groups of four that mention each other, one thin link between them."""
    rows = []
    for group in (["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]):
        for source in group:
            rows += [{"author_handle": source, "mentions": [t]} for t in group if t != source] * 3
    rows.append({"author_handle": "a1", "mentions": ["b1"]})
    return frame(rows)


def test_two_obvious_communities():
    g = network.interaction_graph(two_groups())
    found = network.communities(g)
    groups = found.groupby("community")["node"].apply(set).tolist()
    assert sorted(groups, key=min) == [{"a1", "a2", "a3", "a4"}, {"b1", "b2", "b3", "b4"}]
    assert found.equals(network.communities(g))  # the fixed seed makes it repeatable
    labelled = network.with_communities(g)
    assert labelled.nodes["b3"]["community"] == found.set_index("node").at["b3", "community"]


def test_centrality_and_a_ranking_whose_top_is_known():
    # Everyone reposts the hub; the hub reposts nobody; two small circles talk among themselves.
    rows = [{"uid": "t:hub", "author_handle": "hub"}]
    for i in range(6):
        rows.append({"uid": f"t:r{i}", "author_handle": f"fan{i}", "repost_of": "t:hub"})
        buddy = f"fan{(i + 1) % 3 + 3 * (i // 3)}"
        rows.append({"uid": f"t:m{i}", "author_handle": f"fan{i}", "mentions": [buddy]})
    g = network.interaction_graph(frame(rows))
    cent = network.centrality(g)
    assert cent.iloc[0]["node"] == "hub"
    assert cent.set_index("node").at["hub", "in_degree"] == 6
    assert not cent["betweenness_sampled"].any()
    ranking = network.influence(g)
    top = ranking.iloc[0]
    assert top["account"] == "hub" and top["rank"] == 1 and top["reach"] == 6
    assert top["reasons"].startswith("reposted by 6 accounts across")
    assert "PageRank rank 1" in top["reasons"]
    assert ranking["score"].between(0, 1).all()
    assert list(network.influence(g, top=3)["rank"]) == [1, 2, 3]
    with pytest.raises(WorkbenchError, match="directed"):
        network.influence(network.cohashtag_graph(frame([])))


def test_betweenness_is_sampled_on_big_graphs(monkeypatch):
    monkeypatch.setattr(network, "BETWEENNESS_EXACT_UP_TO", 5)
    g = network.interaction_graph(two_groups())
    assert network.centrality(g, sample=4)["betweenness_sampled"].all()


def test_empty_frames_give_empty_results():
    g = network.interaction_graph(frame([]))
    assert g.number_of_nodes() == 0
    assert network.communities(g).empty and network.centrality(g).empty and network.influence(g).empty


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_export_round_trip(tmp_path, fmt):
    items = frame([
        {"uid": "x:1", "author_handle": "alice", "mentions": ["bob"], "platform": "mastodon"},
        {"uid": "x:2", "author_handle": "bob", "reply_to": "x:1"},
    ])
    g = network.with_communities(network.interaction_graph(items))
    path = tmp_path / f"g.{fmt}"
    getattr(network, f"write_{fmt}")(g, path)
    back = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    assert back.is_directed()
    assert set(back.edges) == {("alice", "bob"), ("bob", "alice")}
    assert int(back.edges["alice", "bob"]["weight"]) == 1
    assert back.edges["alice", "bob"]["examples"] == '["x:1"]'
    assert back.nodes["alice"]["platforms"] == '["mastodon"]'
    assert "examples" in g.edges["alice", "bob"] and isinstance(g.edges["alice", "bob"]["examples"], list)


def test_demo_case_network(demo_case):
    items = demo_case.items()
    g = network.interaction_graph(items)
    assert g.number_of_edges() > 50
    ranking = network.influence(g, top=20)
    assert len(ranking) == 20 and ranking["reasons"].str.len().gt(0).all()
    co = network.cohashtag_graph(items)
    assert "#boccoverup" in co


def test_the_network_exports_for_gephi_and_as_a_table(demo_case, tmp_path):
    import networkx as nx
    import pandas as pd

    from workbench.export import export

    edges = export(demo_case, "network", "gexf", tmp_path / "net.gexf")
    graph = nx.read_gexf(tmp_path / "net.gexf")
    assert graph.number_of_edges() == edges > 100
    assert all("community" in data for _, data in graph.nodes(data=True))
    assert export(demo_case, "network", "csv", tmp_path / "net.csv") == edges
    table = pd.read_csv(tmp_path / "net.csv")
    assert {"source", "target", "weight", "mention", "reply", "repost", "quote", "examples"} <= \
        set(table.columns)
    assert len(table) == edges and (table.weight >= 1).all()
