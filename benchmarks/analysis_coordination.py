"""Coordination networks at scale: co-repost and co-text networks over 1,000,000 items with a 60 s
window, against the Coordination Network Toolkit (CNT) on the same data in the same run.

The corpus: ten days, 50,000 ordinary accounts, 40% original posts and 60% reposts of them (a
heavy-tailed popularity, delays of minutes to hours), plus a planted group of 25 accounts that
repost the same 300 campaign posts within 40 s of each other and post copypasta in waves (half of
it with one word changed, half verbatim but for case and a leading @mention). Timestamps are whole
seconds, as CNT stores them.

CNT (``pip install coordination-network-toolkit``) gets the same items through its own
``preprocess_data`` into a SQLite database in a temporary folder, then ``compute_co_retweet_parallel``
and ``compute_co_tweet_network`` (2 processes, as the machine has 2 cores). CNT's edges are directed
(``user_1 -> user_2`` counts user_1's items matched by user_2), so ours are compared direction by
direction: ``items_a`` against (a, b) and ``items_b`` against (b, a). Our co-repost runs once before
CNT's and once after, so load from elsewhere on the machine shows as a gap between the two.
Targets: identical edges and weights, and at least 5x faster than CNT's compute, evidence included.
Then co-text (CNT's co-tweet) is compared the same way, and co-similar text is timed (ours only:
CNT's pairwise Python similarity over every pair in the window is far too slow for a million items).

    python benchmarks/analysis_coordination.py [--items 1000000] [--window 60] [--no-cnt]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sqlite3
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.analyze.coordination import coordination_clusters, coordination_edges

START = pd.Timestamp("2024-03-01T00:00:00Z")
DAYS = 10
WORDS = np.array(["fire", "river", "plant", "smoke", "evacuation", "road", "police", "school", "bridge",
                  "rumour", "video", "water", "night", "alert", "people", "centre", "station", "hospital",
                  "wind", "north", "east", "west", "south", "update", "port", "ship", "crane", "harbour",
                  "tanker", "flare", "siren", "closed", "open", "masks", "windows", "inside", "outside"])
COPYPASTA = ["they", "are", "lying", "about", "the", "plant", "phosgene", "was", "released", "and", "they",
             "knew", "it", "within", "hours", "share", "before", "it", "gets", "deleted"]
GROUP = 25


def make_corpus(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` items as the workbench's item frame has them (the columns coordination reads)."""
    rng = np.random.default_rng(seed)
    span = DAYS * 86400
    campaign_posts, waves = 300, 40
    planted_reposts = campaign_posts * GROUP
    planted_posts = waves * GROUP
    n_orig = int(0.4 * (n - planted_reposts - planted_posts)) - campaign_posts
    n_rep = n - planted_reposts - planted_posts - n_orig - campaign_posts
    # ordinary originals, and the campaign's own posts (by ordinary-looking seed accounts)
    n_all_orig = n_orig + campaign_posts
    activity = rng.lognormal(0, 1.5, 50_000)
    activity /= activity.sum()
    orig_time = rng.integers(0, span - 7200, n_all_orig)
    orig_author = rng.choice(50_000, n_all_orig, p=activity)
    # ordinary reposts: heavy-tailed popularity, delay minutes to hours
    popularity = rng.pareto(1.2, n_orig) + 0.01
    target = rng.choice(n_orig, n_rep, p=popularity / popularity.sum())
    rep_time = np.minimum(orig_time[target] + rng.exponential(3600, n_rep).astype(np.int64), span)
    rep_author = rng.choice(50_000, n_rep, p=activity)
    # the planted group reposts every campaign post within 40 s
    camp = n_orig + np.repeat(np.arange(campaign_posts), GROUP)
    camp_time = orig_time[camp] + 300 + rng.integers(0, 40, planted_reposts)
    camp_author = 100_000 + np.tile(np.arange(GROUP), campaign_posts)
    # and posts copypasta in waves, each account within 40 s of the wave's start
    wave_time = np.repeat(rng.integers(0, span - 100, waves), GROUP) + rng.integers(0, 40, planted_posts)
    wave_author = 100_000 + np.tile(np.arange(GROUP), waves)

    kind = np.array(["post"] * n_all_orig + ["repost"] * (n_rep + planted_reposts) + ["post"] * planted_posts)
    author = np.concatenate([orig_author, rep_author, camp_author, wave_author])
    when = np.concatenate([orig_time, rep_time, camp_time, wave_time])
    repost_of = np.concatenate([np.full(n_all_orig, -1), target, camp, np.full(planted_posts, -1)])
    ids = np.arange(n)
    uid = pd.Series(ids.astype(str)).radd("x:")
    text = [" ".join(rng.choice(WORDS, 12)) for _ in range(n_all_orig)]
    text += [""] * (n_rep + planted_reposts)
    for _ in range(planted_posts):
        words = list(COPYPASTA)
        words[rng.integers(len(words))] = str(rng.choice(WORDS))  # one small edit each
        text.append(" ".join(words) + " #coverup")
    # half the wave posts are the copypasta verbatim but for case and a mention (co-text's kind of
    # sameness); drawn last, so every earlier draw, and the co-repost network, stays as it was
    verbatim = np.flatnonzero(rng.random(planted_posts) < 0.5)
    shout = rng.random(len(verbatim)) < 0.5
    for k, loud in zip(verbatim.tolist(), shout.tolist(), strict=True):
        line = " ".join(COPYPASTA) + " #coverup"
        text[n_all_orig + n_rep + planted_reposts + k] = f"@u{k} " + (line.upper() if loud else line)
    return pd.DataFrame({
        "uid": uid, "platform": "x", "id": ids.astype(str), "kind": kind,
        "author_id": pd.Series(author.astype(str)).radd("u"),
        "created_at": START + pd.to_timedelta(when, unit="s"),
        "text": text,
        "repost_of": np.where(repost_of >= 0, "x:" + repost_of.astype(str), None),
    })


def cnt_database(items: pd.DataFrame, folder: Path) -> tuple[str, float]:
    """The items in CNT's SQLite database through its own ``preprocess_data``: (path, seconds)."""
    from coordination_network_toolkit import preprocess

    db = str(folder / "cnt.db")
    seconds = ((items["created_at"] - START).dt.total_seconds()).astype(np.int64).to_numpy()
    rows = zip(items["uid"], items["author_id"], items["author_id"], items["repost_of"].fillna(""),
               [""] * len(items), items["text"], seconds.tolist(), [[]] * len(items), strict=True)
    t0 = time.perf_counter()
    preprocess.preprocess_data(db, rows)
    return db, time.perf_counter() - t0


def run_cnt(db: str, network: str, window: int) -> tuple[dict, float]:
    """One CNT network (``co_retweet`` or ``co_tweet``) on 2 processes: (directed edges, seconds)."""
    from coordination_network_toolkit import compute_networks

    compute = {"co_retweet": compute_networks.compute_co_retweet_parallel,
               "co_tweet": compute_networks.compute_co_tweet_network}[network]
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # CNT prints its progress
        compute(db, window, n_threads=2, min_edge_weight=1)
    seconds = time.perf_counter() - t0
    con = sqlite3.connect(db)
    edges = {(a, b): w for a, b, w in con.execute(
        f"select user_1, user_2, weight from {network}_network where user_1 != user_2")}
    con.close()
    return edges, seconds


def compare(label: str, ours: pd.DataFrame, theirs: dict) -> bool:
    """Print whether our edges equal CNT's, direction by direction."""
    mine = directed(ours)
    same = mine == theirs
    print(f"{label}: edges identical to CNT's (account pairs and weights, both directions): {same} "
          f"({len(mine):,} directed edges ours, {len(theirs):,} CNT's)")
    if not same:
        missing, extra = theirs.keys() - mine.keys(), mine.keys() - theirs.keys()
        differ = sum(1 for k in theirs.keys() & mine.keys() if theirs[k] != mine[k])
        print(f"  only in CNT {len(missing)}, only ours {len(extra)}, weight differs {differ}")
    return same


def directed(edges: pd.DataFrame) -> dict:
    """Our undirected rows as CNT's directed edges (the ``x:`` platform prefix taken off)."""
    a = edges["account_a"].str.removeprefix("x:").tolist()
    b = edges["account_b"].str.removeprefix("x:").tolist()
    out = dict(zip(zip(a, b, strict=True), edges["items_a"].tolist(), strict=True))
    out.update(zip(zip(b, a, strict=True), edges["items_b"].tolist(), strict=True))
    return out


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def peak_mb(fn, *args, **kwargs) -> float:
    tracemalloc.start()
    fn(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--no-cnt", action="store_true", help="skip the CNT comparison")
    parser.add_argument("--no-similar", action="store_true", help="skip the co-similar timing")
    args = parser.parse_args()

    items, gen_s = timed(make_corpus, args.items)
    print(f"corpus: {len(items):,} items ({(items['kind'] == 'repost').sum():,} reposts, "
          f"{items['author_id'].nunique():,} accounts) generated in {gen_s:.1f} s")

    edges, ours_s = timed(coordination_edges, items, "co_repost", args.window)
    bare_s = timed(coordination_edges, items, "co_repost", args.window, evidence=False)[1]
    mem = peak_mb(coordination_edges, items, "co_repost", args.window)
    bare_mem = peak_mb(coordination_edges, items, "co_repost", args.window, evidence=False)
    pairs = int(edges["weight"].sum())
    print(f"ours co_repost: {len(edges):,} account pairs, {pairs:,} item pairs; with evidence lists "
          f"{ours_s:.2f} s, peak {mem:.0f} MB; without {bare_s:.2f} s, peak {bare_mem:.0f} MB (tracemalloc)")
    planted = {f"x:u{100_000 + i}" for i in range(GROUP)}
    clusters = coordination_clusters(edges[edges["weight"] >= 10])
    home = clusters[clusters["accounts"].map(lambda accounts: "x:u100000" in accounts)]
    if len(home):
        members = set(home.iloc[0]["accounts"])
        print(f"planted group at weight >= 10: one cluster of {len(members)} accounts holding "
              f"{len(planted & members)} of the {GROUP} planted, {len(members - planted)} others; "
              f"{len(clusters)} clusters in all, largest {clusters['size'].max()}")

    cnt_ready = not args.no_cnt
    if cnt_ready:
        try:
            import coordination_network_toolkit  # noqa: F401
        except ImportError as exc:
            print(f"CNT not run: {exc} (pip install coordination-network-toolkit)")
            cnt_ready = False
    with tempfile.TemporaryDirectory() as folder:
        if cnt_ready:
            db, prep_s = cnt_database(items, Path(folder))
            cnt, comp_s = run_cnt(db, "co_retweet", args.window)
            print(f"CNT co_retweet: preprocess {prep_s:.1f} s + compute {comp_s:.1f} s (2 processes)")
            compare("co_repost", edges, cnt)
            # ours again, straight after CNT, so both of our runs bracket CNT's in time
            again_s = timed(coordination_edges, items, "co_repost", args.window)[1]
            print(f"ours co_repost with evidence: {ours_s:.2f} s before CNT's run, {again_s:.2f} s after")
            for label, secs in (("with evidence, before CNT", ours_s), ("with evidence, after CNT", again_s),
                                ("without evidence", bare_s)):
                print(f"co_repost speed-up {label}: {comp_s / secs:.1f}x vs CNT compute {comp_s:.1f} s, "
                      f"{(prep_s + comp_s) / secs:.1f}x vs CNT preprocess + compute (target >= 5x)")

        text_edges, text_s = timed(coordination_edges, items, "co_text", args.window)
        inside = text_edges[text_edges["account_a"].isin(planted) & text_edges["account_b"].isin(planted)]
        print(f"ours co_text: {len(text_edges):,} account pairs, {int(text_edges['weight'].sum()):,} "
              f"item pairs, {text_s:.2f} s with evidence; pairs inside the planted group {len(inside)}")
        if cnt_ready:
            cnt_text, text_cnt_s = run_cnt(db, "co_tweet", args.window)
            print(f"CNT co_tweet: compute {text_cnt_s:.1f} s (2 processes, its text normalisation included)")
            compare("co_text", text_edges, cnt_text)
            print(f"co_text speed-up with evidence: {text_cnt_s / text_s:.1f}x vs CNT compute")

    if not args.no_similar:
        sim, sim_s = timed(coordination_edges, items, "co_similar", args.window, similarity=0.8)
        inside = sim[sim["account_a"].isin(planted) & sim["account_b"].isin(planted)]
        print(f"ours co_similar (Jaccard >= 0.8, MinHash LSH): {len(sim):,} account pairs, "
              f"{sim_s:.2f} s; pairs inside the planted group {len(inside)} of {GROUP * (GROUP - 1) // 2}")


if __name__ == "__main__":
    main()
