"""verify: clean cases pass; every kind of tampering is caught and named."""

import json

import pytest

from .conftest import post


@pytest.fixture
def filled(case, write_jsonl):
    path = write_jsonl("posts.jsonl", [post(i) for i in range(10)] + ["{oops"])
    result = case.import_file(path, progress=False)
    assert case.verify().ok
    return case, result.sha256


def _problems(case):
    report = case.verify()
    assert not report.ok
    return "\n".join(report.problems)


def test_clean_case_verifies(filled):
    case, _ = filled
    report = case.verify()
    assert report.ok, report.problems
    assert report.checked["items"] == 10
    assert report.checked["raw files"] == 1
    assert report.head[0] == len(list(case.db["audit"].rows))
    assert report.lines()[-1] == "verify: OK"


def test_altered_raw_file(filled):
    case, sha = filled
    path = case.raw_store.path(sha)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"river", b"rover"))
    assert f"raw/{sha[:2]}/{sha}: altered" in _problems(case)


def test_removed_raw_file(filled):
    case, sha = filled
    path = case.raw_store.path(sha)
    path.chmod(0o644)
    path.unlink()
    assert f"raw/{sha[:2]}/{sha}: missing" in _problems(case)


def test_item_row_edited(filled):
    case, _ = filled
    case.db.execute("UPDATE items SET text = 'nothing to see' WHERE uid = 'generic:p3'")
    assert "items row generic:p3: edited outside the workbench" in _problems(case)


def test_item_row_deleted(filled):
    case, _ = filled
    case.db.execute("DELETE FROM items WHERE uid = 'generic:p4'")
    assert "items row generic:p4: deleted outside the workbench" in _problems(case)


def test_item_row_inserted(filled):
    case, _ = filled
    row = dict(next(case.db.query("SELECT * FROM items LIMIT 1")))
    row["uid"], row["id"] = "generic:forged", "forged"
    case.db["items"].insert(row)
    assert "items row generic:forged: added outside the workbench" in _problems(case)


def test_author_row_edited(filled):
    case, _ = filled
    case.db.execute("UPDATE authors SET name = 'someone else' WHERE uid = 'generic:user1'")
    assert "authors row generic:user1: edited" in _problems(case)


def test_audit_entry_changed(filled):
    case, _ = filled
    entry = case.db.execute("SELECT seq, detail FROM audit WHERE action = 'import.finished'"
                            ).fetchone()
    detail = json.loads(entry[1])
    detail["quarantined"] = 0
    case.db.execute("UPDATE audit SET detail = ? WHERE seq = ?", [json.dumps(detail), entry[0]])
    assert f"audit entry {entry[0]} (import.finished): altered" in _problems(case)


def test_audit_entry_removed(filled):
    case, _ = filled
    case.db.execute("DELETE FROM audit WHERE seq = 2")
    problems = _problems(case)
    assert "audit entry 2 is missing" in problems
    assert "audit entry 3: does not follow the entry before it" in problems


def test_ledger_line_changed_to_hide_an_edit(filled):
    """Editing a row and its ledger hash together is still caught by the ledger digest."""
    case, _ = filled
    from workbench import audit

    case.db.execute("UPDATE items SET text = 'rewritten' WHERE uid = 'generic:p1'")
    row = next(case.db.query("SELECT * FROM items WHERE uid = 'generic:p1'"))
    case.db.execute("UPDATE ledger SET row_sha256 = ? WHERE key = 'generic:p1'",
                    [audit.row_hash("items", row)])
    problems = _problems(case)
    assert "ledger: the lines of audit entry" in problems
    assert "edited outside" not in problems


def test_stray_file_is_a_warning(filled):
    case, _ = filled
    case.raw_store.put_bytes(b"dropped here by hand")
    report = case.verify()
    assert report.ok
    assert any("not recorded in the audit log" in w for w in report.warnings)
