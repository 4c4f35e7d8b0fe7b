"""Coordination networks: small frames with known answers for each kind, and the demo's cluster."""

from __future__ import annotations

import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from workbench.analyze.coordination import (
    coordination_clusters,
    coordination_edges,
    coordination_graph,
)
from workbench.analyze.windows import window_pairs

T0 = pd.Timestamp("2024-03-01T10:00:00Z")
COPY = "they are lying about the botlek phosgene was released and they knew it within hours share now"


def item(n: int, author: str, seconds: float, **extra) -> dict:
    row = {"uid": f"x:{n}", "platform": "x", "id": str(n), "author_id": author, "author_handle": author,
           "created_at": T0 + pd.Timedelta(seconds=seconds), "text": "", "repost_of": None,
           "reply_to": None, "links": [], "hashtags": []}
    row.update(extra)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame(list(rows))
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True)
    return out


def pairs_of(edges: pd.DataFrame) -> dict:
    return {(r.account_a, r.account_b): r.weight for r in edges.itertuples()}


def test_co_repost_window_bounds_same_account_and_evidence():
    items = frame(
        item(1, "a", 0, repost_of="x:100"), item(2, "b", 30, repost_of="x:100"),
        item(3, "c", 61, repost_of="x:100"),                       # 61 s after a: outside
        item(4, "a", 100, repost_of="x:100"), item(5, "a", 110, repost_of="x:100"),  # a twice
        item(6, "b", 1000, repost_of="x:200"), item(7, "a", 1060, repost_of="x:200"),  # exactly 60 s
        item(8, "d", 1001, repost_of="x:300"), item(9, "c", 1002),  # d alone on x:300; 9 no repost
    )
    edges = coordination_edges(items, "co_repost", window_seconds=60)
    assert pairs_of(edges) == {("x:a", "x:b"): 2, ("x:a", "x:c"): 2, ("x:b", "x:c"): 1}
    ab = edges.set_index(["account_a", "account_b"]).loc[("x:a", "x:b")]
    assert sorted(ab["item_pairs"]) == [["x:1", "x:2"], ["x:7", "x:6"]]  # uid of a first
    assert ab["first_at"] == T0 and ab["last_at"] == T0 + pd.Timedelta(seconds=1060)
    ac = edges.set_index(["account_a", "account_b"]).loc[("x:a", "x:c")]
    assert (ac["items_a"], ac["items_b"]) == (2, 1)  # CNT's directed weights: a->c 2, c->a 1
    assert set(edges["kind"]) == {"co_repost"}
    narrow = coordination_edges(items, "co_repost", window_seconds=59)
    assert pairs_of(narrow) == {("x:a", "x:b"): 1, ("x:a", "x:c"): 2, ("x:b", "x:c"): 1}


def test_min_weight_and_no_evidence():
    items = frame(item(1, "a", 0, repost_of="x:9"), item(2, "b", 5, repost_of="x:9"),
                  item(3, "a", 500, repost_of="x:8"), item(4, "b", 510, repost_of="x:8"),
                  item(5, "c", 505, repost_of="x:8"))
    edges = coordination_edges(items, "co_repost", 60, min_weight=2, evidence=False)
    assert pairs_of(edges) == {("x:a", "x:b"): 2}
    assert edges["item_pairs"].tolist() == [None]


def test_co_link_leaves_reposts_out_and_counts_an_item_pair_once():
    url, other = "https://news.example/a", "https://news.example/b"
    items = frame(
        item(1, "a", 0, links=[url, other]), item(2, "b", 20, links=[other, url]),  # two shared urls
        item(3, "c", 10, links=[url], repost_of="x:1"),  # a repost carries the link: not c's act
        item(4, "d", 500, links=[url]),                  # too late
    )
    edges = coordination_edges(items, "co_link", 60)
    assert pairs_of(edges) == {("x:a", "x:b"): 1}
    assert edges["item_pairs"][0] == [["x:1", "x:2"]]


def test_co_hashtag_is_case_insensitive():
    items = frame(item(1, "a", 0, hashtags=["BOCcoverup"]), item(2, "b", 40, hashtags=["#boccoverup"]),
                  item(3, "c", 50, hashtags=["BotlekFire"]), item(4, "a", 45, hashtags=["botlekfire"]))
    edges = coordination_edges(items, "co_hashtag", 60)
    assert pairs_of(edges) == {("x:a", "x:b"): 1, ("x:a", "x:c"): 1}


def test_co_reply():
    items = frame(item(1, "a", 0, reply_to="x:50"), item(2, "b", 10, reply_to="x:50"),
                  item(3, "c", 100, reply_to="x:50"), item(4, "d", 5, reply_to="x:51"))
    edges = coordination_edges(items, "co_reply", 60)
    assert pairs_of(edges) == {("x:a", "x:b"): 1}
    assert edges["item_pairs"][0] == [["x:1", "x:2"]]


def test_co_similar_text():
    edited = COPY.replace("share now", "share it now")  # 17 of 18 words in common
    items = frame(
        item(1, "a", 0, text=COPY), item(2, "b", 30, text="@someone " + edited.upper()),
        item(3, "c", 40, text="the plant fire is out and the river is open again for ships today ok"),
        item(4, "d", 500, text=COPY),                          # same text, outside the window
        item(5, "e", 20, text=COPY, repost_of="x:1"),          # a repost: left out
        item(6, "f", 25, text="share now"), item(7, "g", 26, text="share now"),  # under min_tokens
    )
    edges = coordination_edges(items, "co_similar", 60, similarity=0.9)
    assert pairs_of(edges) == {("x:a", "x:b"): 1}
    assert edges["item_pairs"][0] == [["x:1", "x:2"]]
    assert coordination_edges(items, "co_similar", 600, similarity=0.9).shape[0] == 3  # d joins a, b


def test_co_text_is_cnt_co_tweet():
    """Same text once lower-cased, @mentions dropped and whitespace collapsed; reposts and texts
    with nothing left (a bare mention) are out; punctuation still counts."""
    items = frame(
        item(1, "a", 0, text="Share this NOW @bob"),
        item(2, "b", 20, text="@alice share   this\nnow"),
        item(3, "c", 30, text="share this now!"),                      # punctuation differs
        item(4, "d", 75, text="share this now"),                       # 75 s after 1, 55 after 2
        item(5, "e", 10, text="share this now", repost_of="x:1"),      # a repost: not e's text
        item(6, "f", 5, text="@x"), item(7, "g", 6, text="@y "),       # nothing left: skipped
        item(8, "a", 40, text="share this now"),                       # a again, 20 s after b
    )
    edges = coordination_edges(items, "co_text", 60)
    assert pairs_of(edges) == {("x:a", "x:b"): 2, ("x:a", "x:d"): 1, ("x:b", "x:d"): 1}
    ab = edges.set_index(["account_a", "account_b"]).loc[("x:a", "x:b")]
    assert sorted(ab["item_pairs"]) == [["x:1", "x:2"], ["x:8", "x:2"]]
    assert (ab["items_a"], ab["items_b"]) == (2, 1)
    assert set(edges["kind"]) == {"co_text"}
    assert coordination_edges(items.drop(columns="text"), "co_repost").empty  # text only needed here
    with pytest.raises(ValueError, match="text"):
        coordination_edges(items.drop(columns="text"), "co_text")


def test_co_link_on_resolved_urls():
    """CNT can compare links after following their redirects; here the analyst passes the mapping
    (nothing goes on the network): two short links to one story then match."""
    story = "https://news.example/story"
    items = frame(
        item(1, "a", 0, links=["https://t.co/abc"]), item(2, "b", 30, links=["https://bit.ly/xyz"]),
        item(3, "c", 40, links=[story, "https://t.co/abc"]),  # two links, one story: one pair each
        item(4, "d", 45, links=["https://other.example/"]),
    )
    assert pairs_of(coordination_edges(items, "co_link", 60)) == {("x:a", "x:c"): 1}
    resolved = {"https://t.co/abc": story, "https://bit.ly/xyz": story}
    edges = coordination_edges(items, "co_link", 60, resolved_links=resolved)
    assert pairs_of(edges) == {("x:a", "x:b"): 1, ("x:a", "x:c"): 1, ("x:b", "x:c"): 1}


def test_co_link_takes_an_article_shared_as_url_variants_as_one():
    items = frame(
        item(1, "a", 0, links=["https://news.example/story?utm_source=tw"]),
        item(2, "b", 4, links=["https://www.news.example/story#top"]),
        item(3, "c", 9, links=["https://news.example/story"]),
    )
    assert pairs_of(coordination_edges(items, "co_link", 60)) == {
        ("x:a", "x:b"): 1, ("x:a", "x:c"): 1, ("x:b", "x:c"): 1}
    assert pairs_of(coordination_edges(items, "co_link", 60, same_article=False)) == {}


def test_edges_equal_cnt_on_a_random_corpus(tmp_path):
    """The Coordination Network Toolkit itself, on the same small corpus: co-retweet, co-tweet,
    co-link and co-reply give the same directed weights (CNT also links an account with itself;
    we never do)."""
    cnt = pytest.importorskip("coordination_network_toolkit")
    import contextlib
    import io
    import sqlite3

    rng = np.random.default_rng(11)
    words = ["Fire", "fire", "@mayor", "plant", "river", "SMOKE", "now"]
    rows = []
    for n in range(400):
        kind = rng.choice(["repost", "post", "reply"])
        text = " ".join(rng.choice(words, 2)) + " share"
        rows.append(item(n, f"u{rng.integers(12)}", int(rng.integers(0, 900)), text=text,
                         repost_of=f"x:{1000 + rng.integers(5)}" if kind == "repost" else None,
                         reply_to=f"x:{2000 + rng.integers(5)}" if kind == "reply" else None,
                         links=list(rng.choice(["https://a.example/", "https://b.example/"],
                                               rng.integers(0, 3)))))
    items = frame(*rows)
    db = str(tmp_path / "cnt.db")
    seconds = (items["created_at"] - T0).dt.total_seconds()
    cnt.preprocess.preprocess_data(db, zip(
        items["uid"], items["author_id"], items["author_id"], items["repost_of"].fillna(""),
        items["reply_to"].fillna(""), items["text"], seconds, items["links"], strict=True))
    ours = {"co_retweet": "co_repost", "co_tweet": "co_text", "co_link": "co_link", "co_reply": "co_reply"}
    with contextlib.redirect_stdout(io.StringIO()):
        cnt.compute_networks.compute_co_retweet_parallel(db, 60, n_threads=1)
        cnt.compute_networks.compute_co_tweet_network(db, 60, n_threads=1)
        cnt.compute_networks.compute_co_link_network(db, 60, n_threads=1)
        cnt.compute_networks.compute_co_reply_network(db, 60, n_threads=1)
    con = sqlite3.connect(db)
    for network, kind in ours.items():
        theirs = {(f"x:{a}", f"x:{b}"): w for a, b, w in con.execute(
            f"select user_1, user_2, weight from {network}_network where user_1 != user_2")}
        edges = coordination_edges(items, kind, 60)
        mine = {(r.account_a, r.account_b): r.items_a for r in edges.itertuples()}
        mine.update({(r.account_b, r.account_a): r.items_b for r in edges.itertuples()})
        assert theirs and mine == theirs, kind
    con.close()


def test_window_pairs_match_brute_force():
    rng = np.random.default_rng(3)
    target, t = rng.integers(0, 5, 300), rng.integers(0, 1000, 300)
    i, j = window_pairs(target, t, 40)
    found = {tuple(sorted(p)) for p in zip(i.tolist(), j.tolist(), strict=True)}
    expected = {(a, b) for a in range(300) for b in range(a + 1, 300)
                if target[a] == target[b] and abs(t[a] - t[b]) <= 40}
    assert found == expected and len(found) == len(i)
    # times too far apart to pack with their positions into 63 bits take numpy's argsort instead
    far = rng.integers(0, 2**62, 300)
    i, j = window_pairs(target, far, 2**60)
    found = {tuple(sorted(p)) for p in zip(i.tolist(), j.tolist(), strict=True)}
    expected = {(a, b) for a in range(300) for b in range(a + 1, 300)
                if target[a] == target[b] and abs(int(far[a]) - int(far[b])) <= 2**60}
    assert expected and found == expected and len(found) == len(i)


def test_graph_and_clusters():
    items = frame(item(1, "a", 0, repost_of="x:9"), item(2, "b", 5, repost_of="x:9"),
                  item(3, "c", 8, repost_of="x:9"), item(4, "d", 900, repost_of="x:7"),
                  item(5, "e", 910, repost_of="x:7"), item(6, "a", 2000, hashtags=["x"]),
                  item(7, "b", 2010, hashtags=["x"]))
    edges = pd.concat([coordination_edges(items, "co_repost", 60),
                       coordination_edges(items, "co_hashtag", 60)])
    graph = coordination_graph(edges)
    assert isinstance(graph, nx.Graph)
    assert graph.edges["x:a", "x:b"]["weight"] == 2
    assert sorted(graph.edges["x:a", "x:b"]["kinds"]) == ["co_hashtag", "co_repost"]
    clusters = coordination_clusters(edges)
    assert clusters["accounts"].tolist() == [["x:a", "x:b", "x:c"], ["x:d", "x:e"]]
    assert clusters.loc[0, "weight"] == 4 and clusters.loc[0, "items"] == 5
    assert len(coordination_clusters(graph, method="louvain")) == 2


def test_bad_input_is_named():
    items = frame(item(1, "a", 0))
    with pytest.raises(ValueError, match="co_retweet"):
        coordination_edges(items, "co_retweet")
    with pytest.raises(ValueError, match="reply_to"):
        coordination_edges(items.drop(columns="reply_to"), "co_reply")
    with pytest.raises(ValueError, match="window_seconds"):
        coordination_edges(items, window_seconds=-1)
    empty = coordination_edges(items, "co_repost")
    assert empty.empty and list(empty.columns)[:3] == ["account_a", "account_b", "kind"]


def test_demo_boccoverup_accounts_form_one_cluster(demo_case):
    """The twelve planted accounts (handles made from the generator's names) post near-identical
    copypasta within a 7-minute spread each wave: with a 10-minute window they form one complete
    cluster of their own, and every evidence pair points at real items of theirs."""
    from workbench.demo.people import COORDINATED_NAMES

    items = demo_case.items()
    handle = re.compile(rf"^({'|'.join(n.lower() for n in COORDINATED_NAMES)})\d{{8}}$")
    mine = items["author_handle"].fillna("").str.match(handle)
    planted = set(items.loc[mine, "platform"] + ":" + items.loc[mine, "author_id"])
    assert len(planted) == 12
    edges = coordination_edges(items, "co_similar", window_seconds=600, similarity=0.8)
    clusters = coordination_clusters(edges)
    home = clusters[clusters["accounts"].map(lambda accounts: bool(planted & set(accounts)))]
    assert len(home) == 1
    assert set(home.iloc[0]["accounts"]) == planted
    assert home.iloc[0]["edges"] == 66  # every pair of the twelve
    theirs = set(items.loc[mine, "uid"])
    inside = edges[edges["account_a"].isin(planted)]
    evidence = [uid for pairs in inside["item_pairs"] for pair in pairs for uid in pair]
    assert evidence and set(evidence) <= theirs


def test_co_similar_finds_what_brute_force_finds():
    """MinHash LSH only proposes candidates: on texts with one to four edits, every pair whose exact
    Jaccard reaches the threshold within the window must come out, and nothing else."""
    rng = np.random.default_rng(5)
    vocab = [f"w{k}" for k in range(60)]
    base = [list(rng.choice(vocab, 20, replace=False)) for _ in range(6)]
    rows = []
    for n in range(240):
        words = list(base[n % 6])
        for _ in range(rng.integers(0, 5)):
            words[rng.integers(len(words))] = str(rng.choice(vocab))
        rows.append(item(n, f"acc{n % 40}", int(rng.integers(0, 3600)), text=" ".join(words)))
    items = frame(*rows)
    edges = coordination_edges(items, "co_similar", 120, similarity=0.8)
    found = {frozenset(p) for pairs in edges["item_pairs"] for p in pairs}
    sets = [set(r["text"].split()) for r in rows]
    when = [r["created_at"].timestamp() for r in rows]
    expected = {frozenset((f"x:{a}", f"x:{b}")) for a in range(240) for b in range(a + 1, 240)
                if a % 40 != b % 40 and abs(when[a] - when[b]) <= 120
                and len(sets[a] & sets[b]) >= 0.8 * len(sets[a] | sets[b])}
    assert expected and found == expected


def test_the_coordination_export_has_a_row_per_pair_with_its_evidence(demo_case, tmp_path):
    import json

    import networkx as nx
    import pandas as pd

    from workbench.export import export

    rows = export(demo_case, "coordination", "csv", tmp_path / "coordination.csv")
    table = pd.read_csv(tmp_path / "coordination.csv")
    assert len(table) == rows > 0
    assert set(table.kind) <= {"co_repost", "co_link", "co_hashtag", "co_reply", "co_text", "co_similar"}
    assert (table.account_a < table.account_b).all() and (table.weight >= 1).all()
    uids = set(demo_case.items().uid)
    for pairs in table.item_pairs.head(50):
        pairs = json.loads(pairs)
        assert pairs and all(a in uids and b in uids for a, b in pairs)
    export(demo_case, "coordination", "gexf", tmp_path / "coordination.gexf")
    assert nx.read_gexf(tmp_path / "coordination.gexf").number_of_edges() > 0
