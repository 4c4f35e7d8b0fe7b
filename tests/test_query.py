"""Item queries: a narrow select gives exactly those columns of the full frame, in the order asked."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import post
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
