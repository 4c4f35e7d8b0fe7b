"""Mapping in a worker process gives exactly what mapping in the importing process gives."""

import json

import pytest

from workbench import mapping
from workbench.case import Case
from workbench.errors import ImportFormatError

from .conftest import post


def _import(tmp_path, name, path, worker: bool, monkeypatch):
    monkeypatch.setattr(mapping, "WORKER_MIN_BYTES", 0 if worker else 10**12)
    case = Case.create(tmp_path / name, title="t", legal_basis="research",
                       retention_until="2099-01-01")
    return case, case.import_file(path, progress=False)


def test_worker_and_in_process_give_the_same_case(tmp_path, monkeypatch):
    rows = [post(i, hashtags=["fire"], likes=i) for i in range(12000)] + ["{cut"]
    rows[5]["created_at"] = "2024-03-01 10:00"  # naive
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    here, here_result = _import(tmp_path, "here", path, False, monkeypatch)
    there, there_result = _import(tmp_path, "there", path, True, monkeypatch)
    for field in ("imported", "duplicates", "quarantined", "authors_added", "notes"):
        assert getattr(here_result, field) == getattr(there_result, field), field
    ledger = "SELECT tbl, key, op FROM ledger ORDER BY seq"
    assert list(here.db.execute(ledger)) == list(there.db.execute(ledger))
    rows = "SELECT * FROM items ORDER BY rowid"
    differ = [
        (a["uid"], k) for a, b in zip(here.db.query(rows), there.db.query(rows), strict=True)
        for k in a if a[k] != b[k] and k != "collected_at"
    ]
    assert differ == []
    assert list(there.quarantine().locator) == ["line 12001"]
    assert there.verify().ok


def test_a_format_error_in_the_worker_reaches_the_caller(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFormatError, match="no time column") as info:
        _import(tmp_path, "c", path, True, monkeypatch)
    assert "the file's columns are: a, b" in info.value.hint
