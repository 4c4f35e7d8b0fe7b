"""Web archive look-ups and saves, against the Wayback Machine replayed on 127.0.0.1 in its
documented wire format (tests/wayback_server.py): stored, audited, ledgered, resumable."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.wayback_server import KEYS, SAVED_AT, Archive
from workbench import archives
from workbench.cli import app
from workbench.wayback import ACCESS_KEY_ENV, SECRET_KEY_ENV, Wayback

ARTICLE = "https://news.example/story"


@pytest.fixture
def archive():
    server = Archive({ARTICLE: "20240301093000", "https://blog.example/post-1": "20231105000000"})
    yield server
    server.close()


@pytest.fixture
def linked(case, write_jsonl):
    """Items linking to public pages (one article in two variants), a private address, a
    localhost page and a javascript: link."""
    links = [
        ["https://www.news.example/story?utm_source=tw#top"],
        [ARTICLE, "https://blog.example/post-1"],
        ["https://gone.example/page"],
        ["http://10.1.2.3/admin", "http://localhost:8080/x", "javascript:alert(1)"],
        ["https://other.example/a", "https://third.example/b"],
    ]
    rows = [{"id": f"p{i}", "created_at": f"2024-03-0{i + 1}T10:00:00Z", "text": f"post {i}",
             "author": f"user{i}", "links": lk} for i, lk in enumerate(links)]
    case.import_file(write_jsonl("linked.jsonl", rows), progress=False)
    return case


def client(archive: Archive, **kwargs) -> Wayback:
    return Wayback(archive.url, delay=0, keys=kwargs.pop("keys", ()), **kwargs)


def test_lookup_stores_each_answer_audited_and_ledgered(linked, archive):
    result = archives.lookup(linked, client(archive), progress=False)
    assert (result.asked, result.available, result.failed, result.status) == (5, 2, [], "done")
    asked = {r["query"]["url"][0]: r["query"].get("timestamp", [None])[0] for r in archive.asked()}
    assert asked[ARTICLE] == "20240301100000"  # the time the first item linked to it
    assert "http://10.1.2.3/admin" not in asked and len(asked) == 5
    table = archives.archive_table(linked).set_index("key")
    story = table.loc["news.example/story"]
    assert story["available"] == 1 and story["items"] == 2
    assert story["snapshot_url"] == f"http://web.archive.org/web/20240301093000/{ARTICLE}"
    assert story["snapshot_at"].isoformat().startswith("2024-03-01T09:30:00")
    assert json.loads(story["answer"])["archived_snapshots"]["closest"]["available"] is True
    assert table.loc["gone.example/page", "available"] == 0
    actions = [a for (a,) in linked.db.execute("SELECT action FROM audit WHERE action LIKE 'archive%'")]
    assert actions == ["archive.started", "archive.lookup", "archive.finished"]
    report = linked.verify()
    assert report.ok, report.problems
    assert report.checked["archives"] == 5


def test_a_row_edited_behind_the_tools_back_is_caught(linked, archive):
    archives.lookup(linked, client(archive), progress=False)
    linked.db.execute("UPDATE archives SET snapshot_url = 'http://evil.example/' "
                      "WHERE key = 'news.example/story'")
    problems = linked.verify().problems
    assert problems == ["archives row wayback:news.example/story: edited outside the workbench"]


def test_lookups_resume_and_retry_failures(linked, archive):
    archive.broken.add("https://gone.example/page")
    first = archives.lookup(linked, client(archive), limit=3, progress=False)
    assert first.asked == 3 and [f["url"] for f in first.failed] == ["https://gone.example/page"]
    assert linked.db.execute("SELECT error FROM archives WHERE key = 'gone.example/page'"
                             ).fetchone()[0] == "the availability API answered HTTP 500"
    archive.broken.clear()
    archive.requests.clear()
    second = archives.lookup(linked, client(archive), progress=False)
    # the two never asked and the one that failed; nothing answered is asked again
    assert second.asked == 3 and not second.failed
    assert {r["query"]["url"][0] for r in archive.asked()} == {
        "https://gone.example/page", "https://other.example/a", "https://third.example/b"}
    assert archives.lookup(linked, client(archive), progress=False).asked == 0
    assert archives.lookup(linked, client(archive), refresh=True, progress=False).asked == 5
    assert linked.verify().ok


def test_a_short_rate_limit_is_waited_out_a_long_one_stops_the_run(linked, archive):
    archive.answers = [(429, "0")]
    assert archives.lookup(linked, client(archive), limit=1, progress=False).asked == 1
    archive.answers = [(429, "3600")]
    stopped = archives.lookup(linked, client(archive, max_wait=5), progress=False)
    assert stopped.status == "interrupted" and stopped.asked == 0 and stopped.left == 4
    assert "run it again to resume" in stopped.summary()
    assert archives.lookup(linked, client(archive), progress=False).asked == 4


def test_anonymous_save_names_the_capture_or_the_archives_refusal(linked, archive):
    archive.refuse_save.add("https://other.example/a")
    archives.lookup(linked, client(archive), progress=False)
    result = archives.save(linked, client(archive), progress=False)
    # only the URLs with no snapshot: gone, other, third
    assert (result.asked, result.saved) == (3, 2)
    assert result.failed == [{"url": "https://other.example/a",
                              "reason": "RobotAccessControlException: Blocked By Robots"}]
    row = archives.archive_table(linked).set_index("key").loc["gone.example/page"]
    assert row["save_status"] == "saved"
    assert row["save_url"] == f"{archive.url}/web/{SAVED_AT}/https://gone.example/page"
    assert row["save_at"].isoformat().startswith("2024-03-20T12:00:00")
    assert all("Authorization" not in r["headers"] for r in archive.requests)
    assert linked.verify().ok


def test_spn2_with_keys_from_the_environment_keeps_them_out_of_the_case(linked, archive,
                                                                         monkeypatch):
    monkeypatch.setenv(ACCESS_KEY_ENV, KEYS[0])
    monkeypatch.setenv(SECRET_KEY_ENV, KEYS[1])
    wayback = Wayback(archive.url, delay=0, poll_s=0.01)
    assert wayback.authenticated and KEYS[1] not in repr(wayback)
    result = archives.save(linked, wayback, urls=["https://third.example/b"], progress=False)
    assert (result.asked, result.saved) == (1, 1)
    capture = archive.asked("/save")[0]
    assert capture["method"] == "POST" and capture["form"]["url"] == ["https://third.example/b"]
    assert capture["headers"]["Authorization"] == f"LOW {KEYS[0]}:{KEYS[1]}"
    assert len(archive.asked(f"/save/status/{next(iter(archive.jobs))}")) == 2  # pending, success
    row = archives.archive_table(linked).set_index("key").loc["third.example/b"]
    assert row["save_status"] == "saved" and row["save_job"].startswith("spn2-")
    linked.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in linked.path.rglob("*"):
        if path.is_file():
            assert KEYS[1].encode() not in path.read_bytes(), path


def test_spn2_with_wrong_keys_fails_with_the_reason(linked, archive):
    result = archives.save(linked, client(archive, keys=("x", "y")), progress=False)
    assert result.saved == 0 and result.failed[0]["reason"] == "the archive refused the keys (HTTP 401)"


def test_purge_takes_the_records_no_kept_item_cites(linked, archive):
    archives.lookup(linked, client(archive), progress=False)
    uids = dict(linked.db.execute("SELECT id, uid FROM items").fetchall())
    linked.purge(items=[uids["p0"], uids["p2"]], reason="test")
    keys = {k for (k,) in linked.db.execute("SELECT key FROM archives")}
    assert "gone.example/page" not in keys and "news.example/story" in keys  # p1 still cites it
    assert linked.db.execute("SELECT count(*) FROM archive_links WHERE uid = ?",
                             [uids["p0"]]).fetchone()[0] == 0
    report = linked.verify()
    assert report.ok, report.problems


def test_the_command_is_offline_unless_asked(linked, archive, monkeypatch):
    runner = CliRunner()

    def refuse(*args, **kwargs):
        raise AssertionError("the network was used")

    with monkeypatch.context() as m:
        m.setattr(socket.socket, "connect", refuse)
        shown = runner.invoke(app, ["archive", str(linked.path)])
    assert shown.exit_code == 0, shown.output
    assert "5 URLs cited by the items; 0 looked up" in shown.output
    run = runner.invoke(app, ["archive", str(linked.path), "--lookup", "--base-url", archive.url,
                              "--delay", "0", "--no-progress"])
    assert run.exit_code == 0, run.output
    assert "5 URLs looked up, 2 in the Wayback Machine, 3 not, 0 failed" in run.output
    assert "news.example/story" in run.output
    listed = runner.invoke(app, ["archive", str(linked.path), "--format", "jsonl"])
    assert {json.loads(line)["key"] for line in listed.output.splitlines()} >= {"news.example/story"}
    unknown = runner.invoke(app, ["archive", str(linked.path), "--url", "https://nowhere.example/"])
    assert unknown.exit_code == 2 and "no item links to" in unknown.output


def test_importing_the_workbench_opens_no_socket():
    code = ("import socket\n"
            "def refuse(*a, **k): raise AssertionError('socket opened')\n"
            "socket.socket.connect = refuse\n"
            "import workbench, workbench.cli, workbench.archives, workbench.wayback\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
