"""The items mirror: read when current, never when the store has changed (import, enrichment,
purge, a change in an open transaction), removed by a purge, checked by verify."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tests.conftest import post
from workbench import audit, mirror
from workbench.case import Case
from workbench.enrich.job import enrich
from workbench.query import item_columns
from workbench.store import write


@pytest.fixture(autouse=True)
def mirror_every_case(monkeypatch):
    """Mirror cases of any size (by default only large ones are)."""
    monkeypatch.setattr(mirror, "MIN_ROWS", 1)


@pytest.fixture
def posts(case: Case, write_jsonl) -> Case:
    case.import_file(write_jsonl("a.jsonl", [post(i) for i in range(20)]), progress=False)
    return case


def from_store(case: Case, monkeypatch, **kwargs) -> pd.DataFrame:
    """The same read, from the store alone."""
    with monkeypatch.context() as patch:
        patch.setattr(mirror, "MIN_ROWS", 10**12)
        return case.items(**kwargs)


def mirror_path(case: Case) -> Path:
    return case.path / mirror.FOLDER / mirror.NAME


def test_a_read_writes_the_mirror_and_the_next_reads_use_it(posts, monkeypatch):
    first = posts.items()
    path = mirror_path(posts)
    assert path.is_file() and mirror.current(posts.db, item_columns(posts.db)) is not None
    written = path.stat().st_mtime_ns
    again = posts.items()
    narrow = posts.items(columns=["created_at", "uid", "hashtags"], limit=5)
    assert path.stat().st_mtime_ns == written  # read, not written again
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, from_store(posts, monkeypatch))
    pd.testing.assert_frame_equal(narrow, from_store(posts, monkeypatch, columns=["created_at", "uid",
                                                                                  "hashtags"], limit=5))
    assert list(narrow.columns) == ["created_at", "uid", "hashtags"] and len(narrow) == 5


def test_an_import_is_seen_at_once(posts, write_jsonl, monkeypatch):
    assert len(posts.items()) == 20
    posts.import_file(write_jsonl("b.jsonl", [post(i) for i in range(20, 25)]), progress=False)
    df = posts.items()
    assert len(df) == 25 and "generic:p24" in set(df["uid"])
    pd.testing.assert_frame_equal(df, from_store(posts, monkeypatch))


def test_enrichment_is_seen_at_once(posts, monkeypatch):
    assert posts.items()["language"].isna().all()
    posts.update_plan(spacy_models={})
    enrich(posts, ner=False, low_accuracy=True, progress=False)
    df = posts.items()
    assert df["language"].notna().all() and df["sentiment_method"].notna().all()
    pd.testing.assert_frame_equal(df, from_store(posts, monkeypatch))


def test_a_purge_removes_the_mirror_and_its_items(posts):
    posts.items()
    posts.purge(items=["generic:p3", "generic:p4"], reason="test")
    assert not mirror_path(posts).exists()
    df = posts.items()
    assert len(df) == 18 and not {"generic:p3", "generic:p4"} & set(df["uid"])
    assert posts.verify().ok


def test_a_change_in_an_open_transaction_is_read_from_the_store(posts):
    posts.items()
    with write(posts.db):
        posts.db.execute("UPDATE items SET title = 'changed' WHERE uid = 'generic:p1'")
        audit.append(posts.db, "test.changed", {"uid": "generic:p1"})
        inside = posts.items()
    assert inside.set_index("uid").loc["generic:p1", "title"] == "changed"
    assert posts.items().set_index("uid").loc["generic:p1", "title"] == "changed"


def test_verify_checks_a_current_mirror_and_warns_of_an_old_one(posts, write_jsonl):
    posts.items()
    report = posts.verify()
    assert report.ok and report.checked["mirrored items"] == 20
    path = mirror_path(posts)
    table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    text = pc.if_else(pc.equal(table["uid"], "generic:p2"), "rewritten", table["text"])
    forged = table.set_column(table.schema.get_field_index("text"), "text", text)
    forged_path = path.with_name("forged.arrow")
    with pa.OSFile(str(forged_path), "wb") as sink, pa.ipc.new_file(sink, forged.schema) as out:
        out.write_table(forged)
    del table, text, forged
    forged_path.replace(path)  # as the mirror is written: a new file, never one rewritten in place
    report = posts.verify()
    assert not report.ok and any("differs from the store" in p for p in report.problems)
    posts.import_file(write_jsonl("c.jsonl", [post(99)]), progress=False)
    report = posts.verify()
    assert report.ok and any("out of date" in w for w in report.warnings)


def test_small_cases_and_filtered_reads_use_the_store(case, write_jsonl, monkeypatch):
    monkeypatch.setattr(mirror, "MIN_ROWS", 50)
    case.import_file(write_jsonl("a.jsonl", [post(i) for i in range(20)]), progress=False)
    case.items()
    assert not mirror_path(case).exists()
    monkeypatch.setattr(mirror, "MIN_ROWS", 1)
    assert len(case.items(text="river", columns=["uid"])) == 20
    assert not mirror_path(case).exists()


def test_verify_of_a_case_opened_by_a_relative_path(posts, monkeypatch):
    # `workbench verify cases/x` on a mirrored case: the store names the mirror by its absolute path.
    posts.items()
    monkeypatch.chdir(posts.path.parent)
    with Case.open(Path(posts.path.name)) as opened:
        report = opened.verify()
    assert report.ok and report.checked["mirrored items"] == 20
