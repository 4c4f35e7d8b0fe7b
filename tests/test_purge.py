"""purge: items, evidence and accounts destroyed; the destruction recorded; verify still passes."""

import json
import sqlite3

import pytest

from workbench.errors import WorkbenchError

from .conftest import post


def test_purge_before_redacts_a_shared_payload(case, tmp_path):
    rows = [post(i) for i in range(10)]  # dates 2024-03-01 .. 2024-03-10
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    sha = case.import_file(path, progress=False).sha256
    result = case.purge(before="2024-03-06", reason="retention of older posts")
    assert result.items == 5
    assert [r["from"] for r in result.raw_redacted] == [sha]
    assert not case.raw_store.exists(sha)
    new_sha = result.raw_redacted[0]["to"]
    redacted = json.loads(case.raw_store.path(new_sha).read_text(encoding="utf-8"))
    assert redacted[:5] == [None] * 5 and redacted[5:] == rows[5:]
    # Kept items point at the redacted copy, at their record's exact new place.
    text = case.raw_store.path(new_sha).read_text(encoding="utf-8")
    for item in case.items().itertuples():
        start, end = map(int, item.raw_span[1:].split(":"))
        assert json.loads(text[start:end])["id"] == item.id
    assert sorted(case.items().id) == [f"p{i}" for i in range(5, 10)]
    assert case.items(text="number").shape[0] == 5
    report = case.verify()
    assert report.ok, report.problems
    assert "retention of older posts" in report.destructions[0]
    entry = json.loads(case.db.execute(
        "SELECT detail FROM audit WHERE action = 'purge'").fetchone()[0])
    assert entry["items"] == 5 and entry["raw_redacted"][0]["from"] == sha
    assert entry["ledger"]["lines"] >= 10  # 5 removals, 5 re-pointings, orphaned accounts


def test_purge_all_destroys_everything_and_leaves_no_text_behind(case, write_jsonl, tmp_path):
    path = write_jsonl("p.jsonl", [post(i, text=f"secret token{i} here") for i in range(50)]
                       + ["{bad"])
    sha = case.import_file(path, progress=False).sha256
    result = case.purge(all=True)
    assert (result.items, result.raw_destroyed) == (50, [sha])
    assert not case.raw_store.exists(sha)
    assert case.items().empty and case.authors().empty and case.quarantine().empty
    assert case.verify().ok
    case.close()
    data = (case.path / "case.db").read_bytes()
    wal = case.path / "case.db-wal"
    assert b"token17" not in data and (not wal.exists() or b"token17" not in wal.read_bytes())


def test_purge_items_by_uid_in_line_payload(case, write_jsonl):
    path = write_jsonl("p.jsonl", [post(i) for i in range(4)])
    case.import_file(path, progress=False)
    result = case.purge(items=["generic:p1", "generic:p2"])
    assert result.items == 2
    text = case.raw_store.path(result.raw_redacted[0]["to"]).read_text()
    assert text.splitlines()[1:3] == ["", ""]
    assert json.loads(text.splitlines()[3])["id"] == "p3"
    assert case.verify().ok
    with pytest.raises(WorkbenchError, match="no such items: generic:nope"):
        case.purge(items=["generic:nope"])


def test_purge_needs_exactly_one_selector(case):
    with pytest.raises(WorkbenchError, match="exactly one"):
        case.purge()
    with pytest.raises(WorkbenchError, match="exactly one"):
        case.purge(all=True, before="2024-01-01")


def test_purge_of_a_zstd_payload(case, tmp_path):
    import zstandard

    lines = "\n".join(json.dumps(post(i)) for i in range(6)) + "\n"
    path = tmp_path / "dump.jsonl.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(lines.encode()))
    case.import_file(path, format="jsonl", progress=False)
    result = case.purge(items=["generic:p0"])
    data = zstandard.ZstdDecompressor().stream_reader(
        case.raw_store.path(result.raw_redacted[0]["to"]).open("rb")).read().decode()
    assert data.splitlines()[0] == "" and len(data.splitlines()) == 6
    assert case.verify().ok


def test_database_is_not_left_locked_after_purge(case, write_jsonl):
    case.import_file(write_jsonl("p.jsonl", [post(1)]), progress=False)
    case.purge(all=True)
    other = sqlite3.connect(case.path / "case.db", timeout=1)
    other.execute("BEGIN IMMEDIATE")
    other.rollback()


def test_partial_purge_keeps_accounts_it_did_not_select(case, tmp_path):
    rows = [post(i) for i in range(6)]
    rows[0]["author"] = "alone"  # posts once: goes with its item
    rows[1]["author"] = rows[2]["author"]  # posts a kept item too: stays
    path = tmp_path / "p.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    case.import_file(path, progress=False)
    # An account known only because a kept record names it (as a mention or quote would).
    from workbench import audit
    from workbench.models import Author
    from workbench.store import write

    row = Author("generic", "mentioned-only", handle="mentioned-only").to_row()
    with write(case.db):
        case.db["authors"].insert(row)
        audit.append(case.db, "test.author", {}, [audit.Change("authors", row["uid"], "add",
                                                               audit.row_hash("authors", row))])
    before = set(case.authors().uid)
    result = case.purge(items=["generic:p0", "generic:p1"])
    assert result.authors == 1
    assert before - set(case.authors().uid) == {"generic:alone"}
    assert case.verify().ok
