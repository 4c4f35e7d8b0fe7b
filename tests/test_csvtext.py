"""The coordination table's CSV, built in Arrow, is byte for byte what pandas writes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analyze.coordination import coordination_edges
from workbench.csvtext import write_edges
from workbench.export import write_frame

START = pd.Timestamp("2024-03-01T00:00:00Z")


def items(uids: list[str], seconds: list[float]) -> pd.DataFrame:
    """Items reposting one post, by an account each."""
    n = len(uids)
    return pd.DataFrame({"uid": uids, "platform": "x", "author_id": [f"u{i}" for i in range(n)],
                         "created_at": START + pd.to_timedelta(seconds, unit="s"),
                         "repost_of": "x:orig"})


def pandas_csv(edges: pd.DataFrame, path) -> bytes:
    """What the export wrote before: the pairs as Python lists, then pandas' to_csv."""
    table = edges.copy()
    table["item_pairs"] = [[[str(u) for u in pair] for pair in pairs] for pairs in table["item_pairs"]]
    write_frame(table, path, "csv")
    return path.read_bytes()


@pytest.mark.parametrize("uids, seconds", [
    (["x:1", "x:2", "x:3"], [0, 10, 20]),
    (['x:we"ird,one', "x:back\\slash", "x:é ü 中"], [0.5, 1, 59.000001]),
    ([f"x:{i}" for i in range(40)], list(range(40))),
])
def test_the_same_bytes_as_pandas(tmp_path, uids, seconds):
    edges = coordination_edges(items(uids, seconds), "co_repost", 60)
    assert len(edges) and write_edges(edges, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == pandas_csv(edges, tmp_path / "slow.csv")


def test_dates_far_apart_are_written_as_pandas_writes_them(tmp_path):
    rng = np.random.default_rng(3)
    when = pd.to_datetime(rng.integers(-2 * 10**15, 4 * 10**15, 500), unit="us", utc=True)
    edges = pd.DataFrame({"account_a": "x:a", "first_at": when})
    assert write_edges(edges, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == edges.to_csv(index=False).encode()


def test_what_it_does_not_handle_is_left_to_pandas(tmp_path):
    edges = coordination_edges(items(["x:a\tb", "x:2"], [0, 1]), "co_repost", 60)
    assert not write_edges(edges, tmp_path / "fast.csv")  # a control character: json escapes it
    assert not write_edges(pd.DataFrame({"a": [1.5]}), tmp_path / "fast.csv")
    assert not (tmp_path / "fast.csv").exists()


@pytest.mark.parametrize("unit", ["ms", "us", "ns"])
def test_decimals_of_times_as_pandas_writes_them(tmp_path, unit):
    for texts in (["2024-03-01T00:00:00.5Z", "2024-03-01T00:00:01Z"], ["2024-03-01T00:00:00.123Z"],
                  ["2024-03-01T00:00:00.000001Z"], ["2024-03-01T00:00:00Z"]):
        when = pd.Series(pd.to_datetime(texts, utc=True, format="ISO8601")).dt.as_unit(unit)
        edges = pd.DataFrame({"first_at": when})
        if write_edges(edges, tmp_path / "fast.csv"):
            assert (tmp_path / "fast.csv").read_bytes() == edges.to_csv(index=False).encode(), texts


def test_account_names_that_need_quotes(tmp_path):
    frame = items([f"x:{i}" for i in range(12)], list(range(12)))
    frame["author_id"] = ['a,b', 'say "hi"', "plain", "line\nbreak"] * 3
    frame.loc[8:, "author_id"] = [f"u{i}" for i in range(8, 12)]
    edges = coordination_edges(frame, "co_repost", 60)
    assert write_edges(edges, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == pandas_csv(edges, tmp_path / "slow.csv")
