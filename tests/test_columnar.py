"""Frames made through Arrow columns equal the frames made value by value, on real and odd rows."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import orjson
import pandas as pd
import pytest

from workbench.case import Case
from workbench.query import fast_frame, frame, item_columns, items_sql

IRA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ira-dev" / "tweets.csv.gz"
COLUMNS = {"uid": str, "created_at": str, "text": str, "hashtags": str, "caveats": str,
           "likes": int, "lat": float, "risk_reasons": str}


def same(rows: list[tuple], columns: dict[str, type]) -> pd.DataFrame:
    """The fast frame, checked equal to the value-by-value one: values, dtypes, None and lists."""
    slow, fast = frame(rows, columns), fast_frame(rows, columns)
    pd.testing.assert_frame_equal(slow, fast)
    for name in slow.columns:
        if slow[name].dtype == object:
            assert [type(v) for v in slow[name]] == [type(v) for v in fast[name]], name
    return fast


def test_conventions_hold_for_missing_and_odd_values():
    rows = [
        ("x:1", "2024-03-01T10:00:00.000+00:00", "smoke", '["fire","Fire"]', '["derived-id"]', 3,
         51.5, None),
        ("x:2", "2024-03-01T10:00:00.123+00:00", None, None, "[]", None, None, '["watch: fire"]'),
        ("x:3", "2024-03-02T00:00:00.000+00:00", "", "[]", '["derived-id"]', 0, 0.0, "[]"),
    ]
    df = same(rows, COLUMNS)
    assert str(df["created_at"].dtype).startswith("datetime64") and str(df["created_at"].dt.tz) == "UTC"
    assert df["text"].tolist() == ["smoke", None, ""] and df["text"].dtype == object
    assert df["hashtags"].tolist() == [["fire", "Fire"], [], []]
    assert df["likes"].dtype == "Int64" and df["likes"].isna().tolist() == [False, True, False]
    assert df["lat"].dtype == "float64"
    # each row its own list: changing one changes no other
    df.loc[0, "caveats"].append("mine")
    assert df.loc[2, "caveats"] == ["derived-id"]


def test_lists_that_are_not_plain_are_decoded_one_by_one():
    rows = [("a", '[{"url": "https://x.org"}]'), ("b", "null"), ("d", "[]"),
            ("e", '[{"url": "https://x.org"}]')]
    df = same(rows, {"uid": str, "media": str})
    assert df["media"].tolist() == [[{"url": "https://x.org"}], None, [], [{"url": "https://x.org"}]]
    assert df.loc[0, "media"] is not df.loc[3, "media"]


@pytest.mark.parametrize("texts", [['[1],[2]', "[3]"], ['[1],[2', "3]"], ["[1", "]"]])
def test_text_that_is_not_one_json_list_fails_as_it_always_did(texts):
    rows = [(f"x:{i}", text) for i, text in enumerate(texts)]
    for make in (frame, fast_frame):
        with pytest.raises(orjson.JSONDecodeError):
            make(rows, {"uid": str, "links": str})


def test_a_value_that_does_not_fit_its_column_falls_back():
    rows = [("x:1", 5), ("x:2", "plain")]  # SQLite keeps an integer in a TEXT column if given one
    df = same(rows, {"uid": str, "text": str})
    assert df["text"].tolist() == [5, "plain"]


def test_repeated_strings_are_shared_and_distinct_ones_kept():
    rows = [(f"x:{i}", "twitter" if i % 3 else None, f"text {i}") for i in range(5000)]
    df = same(rows, {"uid": str, "platform": str, "text": str})
    assert df["platform"].isna().sum() == 1667 and df["text"].nunique() == 5000


@pytest.mark.skipif(not IRA.is_file(), reason="the real IRA corpus (../shared/data) is absent")
def test_real_tweets_give_the_same_frame(tmp_path):
    data = tmp_path / "ira.csv"
    with gzip.open(IRA, "rt", encoding="utf-8", newline="") as src:
        data.write_text("".join(itertools.islice(src, 1501)), encoding="utf-8")
    case = Case.create(tmp_path / "ira", title="IRA", legal_basis="research", retention_until="2099-01-01")
    case.import_file(data, column_map={"text": "content", "created_at": "publish_date",
                                       "author_handle": "author_id", "author_id": "author_id",
                                       "platform": "=twitter"}, progress=False)
    columns = item_columns(case.db)
    rows = case.db.execute(items_sql(columns)).fetchall()
    df = same(rows, columns)
    assert len(df) > 1400 and df["mentions"].map(len).sum() > 0
    pd.testing.assert_frame_equal(case.items(), df)
    case.close()
