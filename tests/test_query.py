"""Item queries: a narrow select gives exactly those columns of the full frame, in the order asked."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import post
from workbench import query
from workbench.analyze.frames import COORDINATION_COLUMNS, TIMELINE_COLUMNS
from workbench.errors import WorkbenchError


@pytest.fixture
def posts(case, write_jsonl):
    rows = [post(i, hashtags=["fire"] if i % 2 else [], lang="en" if i % 3 else None) for i in range(12)]
    case.import_file(write_jsonl("a.jsonl", rows), progress=False)
    return case


@pytest.mark.parametrize("columns", [COORDINATION_COLUMNS, TIMELINE_COLUMNS,
                                     ["text", "uid"], ["sentiment", "created_at"], ("likes",)])
def test_columns_are_the_full_frames_columns(posts, columns):
    full = posts.items()
    narrow = posts.items(columns=columns)
    assert list(narrow.columns) == list(columns)
    pd.testing.assert_frame_equal(narrow, full[list(columns)])


def test_columns_with_filters_and_limit(posts):
    full = posts.items(text="river", since="2024-03-03", limit=4)
    narrow = posts.items(text="river", since="2024-03-03", limit=4, columns=["uid", "hashtags"])
    pd.testing.assert_frame_equal(narrow, full[["uid", "hashtags"]])
    assert len(narrow) == 4


def test_the_default_is_every_column(posts):
    df = posts.items()
    assert len(df.columns) == 47 and df["author_name"].dtype == object
    assert str(df["created_at"].dt.tz) == "UTC" and df["likes"].dtype == "Int64"


def test_an_unknown_column_is_named(posts):
    with pytest.raises(WorkbenchError, match="no such item column.*nope"):
        posts.items(columns=["uid", "nope"])


def _counted_from_the_frame(entities: pd.DataFrame) -> pd.DataFrame:
    """What the report counted from the whole entity frame before entity_counts."""
    names = entities["norm"].fillna(entities["text"]).astype(str).str.split("|").str[0]
    return (entities.assign(name=names).groupby(["label", "name"])["uid"].nunique().rename("items")
            .reset_index().sort_values(["items", "name"], ascending=[False, True])
            .reset_index(drop=True))


def test_entity_counts_count_each_item_once_per_name(case, write_jsonl):
    import warnings

    rows = [post(i, text=f"#Fire in Rotterdam and Paris, #fire again, Rotterdam {i}") if i % 3 else
            post(i, text=f"Paris calling #smoke {i}") for i in range(9)]
    case.import_file(write_jsonl("e.jsonl", rows), progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case.enrich(ner=False, progress=False)
    counts = query.entity_counts(case.db)
    assert list(counts.columns) == ["label", "name", "items"]
    order = {"by": ["items", "name", "label"], "ascending": [False, True, True]}
    pd.testing.assert_frame_equal(counts.sort_values(**order).reset_index(drop=True),
                                  _counted_from_the_frame(case.entities()).sort_values(**order)
                                  .reset_index(drop=True), check_dtype=False)
    by_name = dict(zip(counts["name"], counts["items"], strict=True))
    assert by_name["Paris"] == 9 and by_name["Rotterdam"] == 6 and by_name["#fire"] == 6  # once per item
    period = query.entity_counts(case.db, since="2024-03-04", until="2024-03-06")  # items 3, 4, 5
    assert dict(zip(period["name"], period["items"], strict=True))["Paris"] == 3
    assert query.entity_counts(case.db, since="2030-01-01").empty
