"""Exports of coordination networks: of chosen kinds, reading only the columns those kinds need."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from workbench.analyze.coordination import coordination_columns, coordination_edges
from workbench.errors import WorkbenchError
from workbench.export import export


@pytest.fixture
def reposted(case, write_jsonl):
    """Three accounts repost the same two posts within seconds; two post the same text."""
    rows = [{"id": f"o{i}", "created_at": f"2024-03-01T10:0{i}:00Z", "text": f"original {i}",
             "author": "source"} for i in range(2)]
    rows += [{"id": f"r{i}{a}", "created_at": f"2024-03-01T10:0{i}:{10 + a:02d}Z", "text": "",
              "author": f"acct{a}", "repost_of": f"o{i}"} for i in range(2) for a in range(3)]
    rows += [{"id": f"t{a}", "created_at": f"2024-03-01T11:00:0{a}Z", "text": "Share this NOW",
              "author": f"acct{a}"} for a in range(2)]
    case.import_file(write_jsonl("a.jsonl", rows), progress=False)
    return case


def test_chosen_kinds_only(reposted, tmp_path):
    out = tmp_path / "co.csv"
    assert export(reposted, "coordination", "csv", out, kinds=["co_repost"]) == 3
    table = pd.read_csv(out)
    assert set(table["kind"]) == {"co_repost"} and table["weight"].tolist() == [2, 2, 2]
    expected = coordination_edges(reposted.items(), "co_repost")
    assert sorted(zip(table["account_a"], table["account_b"], strict=True)) == \
        sorted(zip(expected["account_a"], expected["account_b"], strict=True))
    every = tmp_path / "all.csv"
    export(reposted, "coordination", "csv", every)
    assert set(pd.read_csv(every)["kind"]) == {"co_repost", "co_text"}


def test_each_kind_reads_only_its_columns():
    assert coordination_columns(["co_repost"]) == ["uid", "platform", "author_id", "author_handle",
                                                   "created_at", "repost_of"]
    assert "text" in coordination_columns(["co_similar"]) and "links" not in coordination_columns(["co_text"])


def test_unknown_kinds_and_kinds_of_tables_are_refused(reposted, tmp_path):
    with pytest.raises(WorkbenchError, match="unknown coordination kind"):
        export(reposted, "coordination", "csv", tmp_path / "x.csv", kinds=["co_nothing"])
    with pytest.raises(WorkbenchError, match="no kinds"):
        export(reposted, "items", "csv", tmp_path / "x.csv", kinds=["co_repost"])


def test_the_command_line_takes_kinds(reposted, tmp_path):
    out = tmp_path / "co.jsonl"
    run = subprocess.run([sys.executable, "-m", "workbench.cli", "export", str(reposted.path),
                          "--what", "coordination", "--format", "jsonl", "-o", str(out),
                          "--kind", "co_text"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "wrote 1 coordinated account pairs" in run.stdout
    assert pd.read_json(out, lines=True)["kind"].tolist() == ["co_text"]


def test_csv_cells_that_start_like_formulas_are_not_run_by_a_spreadsheet(case, write_jsonl,
                                                                          tmp_path):
    hostile = ['=HYPERLINK("http://evil.example","click")', "+1 (555) 0100", "-5 degrees",
               "@SUM(1+1)", "\tindented", "plain text"]
    rows = [{"id": f"h{i}", "created_at": "2024-03-01T10:00:00Z", "text": text,
             "author": f"a{i}"} for i, text in enumerate(hostile)]
    case.import_file(write_jsonl("hostile.jsonl", rows), progress=False)
    export(case, "items", "csv", tmp_path / "items.csv")
    texts = pd.read_csv(tmp_path / "items.csv", keep_default_na=False).set_index("id")["text"]
    assert [texts[f"h{i}"] for i in range(6)] == ["'" + t for t in hostile[:5]] + ["plain text"]
    export(case, "items", "csv", tmp_path / "raw.csv", raw_cells=True)
    raw = pd.read_csv(tmp_path / "raw.csv", keep_default_na=False).set_index("id")["text"]
    assert [raw[f"h{i}"] for i in range(6)] == hostile
    export(case, "items", "jsonl", tmp_path / "items.jsonl")  # JSON Lines: always as stored
    stored = pd.read_json(tmp_path / "items.jsonl", lines=True).set_index("id")["text"]
    assert stored["h0"] == hostile[0]
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "export", str(case.path),
                           "--what", "items", "--format", "csv", "-o", str(tmp_path / "c.csv"),
                           "--raw-cells"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "c.csv").read_text(encoding="utf-8")
    assert "=HYPERLINK" in written and "'=HYPERLINK" not in written
