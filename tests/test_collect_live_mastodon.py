"""Live Mastodon collection: the real Mastodon.py against a server on 127.0.0.1 that answers in
Mastodon's wire format (REST API docs: timelines, accounts/lookup, Link pagination with max_id and
min_id, X-RateLimit-* headers, 429 with Retry-After, 401 and 404 JSON errors)."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from typer.testing import CliRunner

from tests.local_server import HOST
from tests.mastodon_server import BASE_ID, status
from workbench.cli import app
from workbench.collect.live import CollectError, collect, load_cursor
from workbench.collect.live.mastodon import MastodonCollector
from workbench.evidence import sha256_bytes

pytest.importorskip("mastodon")

def hashtag(instance, **options) -> MastodonCollector:
    return MastodonCollector(instance.url, hashtag="flood", token="", page_size=5, **options)


def ids(case) -> list[str]:
    return sorted(case.items()["id"].tolist())


def test_pages_through_a_hashtag_and_keeps_each_page_as_received(case, instance):
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.duplicates, result.quarantined, result.pages) == (12, 0, 0, 4)
    assert len(ids(case)) == 12
    # down from the top by max_id, then up from the newest by min_id (empty: nothing newer)
    assert [p.split("?")[1] for p in instance.requests] == [
        "limit=5", f"max_id={BASE_ID + 8000}&limit=5", f"max_id={BASE_ID + 3000}&limit=5",
        f"min_id={BASE_ID + 12000}&limit=5"]
    payloads = case.db.execute("SELECT sha256 FROM payloads WHERE kind = 'raw'").fetchall()
    assert len(payloads) == 4  # three pages of statuses and the empty answer "[]"
    for (sha,) in payloads:
        assert sha256_bytes(case.raw_store.path(sha).read_bytes()) == sha
    first = case.items().sort_values("id").iloc[-1]
    assert first.source == f"mastodon:127.0.0.1:{instance.server.server_address[1]}"
    assert first.collector == "live:mastodon"
    assert first.text.startswith("Water rising, post 12")
    assert case.verify().ok
    actions = [a for (a,) in case.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions.count("collect.page") == 4 and actions[-1] == "collect.finished"
    assert "collect.batch" in actions and "import.batch" not in actions
    state = load_cursor(case, hashtag(instance).source, "hashtag:flood")
    assert state == {"complete": True, "newest": str(BASE_ID + 12000), "older": None}


def test_a_second_run_takes_only_what_is_new(case, instance):
    collect(case, hashtag(instance), progress=False)
    instance.add([status(n) for n in range(19, 12, -1)])  # 7 new, more than a page
    instance.requests.clear()
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.duplicates) == (7, 0)
    assert len(ids(case)) == 19
    assert instance.requests[0].endswith(f"min_id={BASE_ID + 12000}&limit=5")


class Interrupted(MastodonCollector):
    """Ctrl-C arrives while the third page is being fetched."""

    def fetch(self, **where):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return super().fetch(**where)


def test_an_interrupted_run_resumes_with_no_duplicate_and_no_gap(case, instance):
    with pytest.raises(KeyboardInterrupt):
        collect(case, Interrupted(instance.url, hashtag="flood", token="", page_size=5),
                progress=False)
    assert len(ids(case)) == 10
    run = case.db.execute("SELECT status FROM runs ORDER BY id DESC").fetchone()
    assert run == ("interrupted",)
    instance.add([status(13)])  # posted while we were away
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.duplicates) == (3, 0)  # posts 1, 2 and 13
    assert ids(case) == sorted(f"social.test/{BASE_ID + n * 1000}" for n in range(1, 14))
    assert case.verify().ok


def test_a_429_within_the_maximum_wait_is_waited_out(case, instance):
    instance.faults = [(429, {"Retry-After": "3"}, {"error": "Too many requests"})]
    slept = []
    result = collect(case, hashtag(instance), progress=False, max_wait=10, sleep=slept.append)
    assert slept == [3.0]
    assert result.imported == 12 and result.stopped is None
    # Retry-After may be an HTTP date too
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    instance.add([status(13)])
    instance.faults = [(429, {"Retry-After": when}, {"error": "Too many requests"})]
    result = collect(case, hashtag(instance), progress=False, max_wait=10, sleep=slept.append)
    assert 3 <= slept[1] <= 5 and result.imported == 1


def test_a_429_beyond_the_maximum_stops_cleanly_and_says_when_to_resume(case, instance):
    collector = hashtag(instance)
    instance.faults = [None, (429, {"Retry-After": "600"}, {"error": "Too many requests"})]
    slept = []
    result = collect(case, collector, progress=False, max_wait=10, sleep=slept.append)
    assert slept == [] and result.imported == 5  # the first page is kept
    assert "more than the maximum wait of 10s" in result.stopped
    assert result.resume_after and "run again after" in result.summary()
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("stopped",)
    # a quota used up (X-RateLimit-Remaining 0) beyond the maximum stops after keeping the page
    instance.remaining = 0
    result = collect(case, collector, progress=False, max_wait=10, sleep=slept.append)
    assert result.imported == 5 and result.pages == 1 and result.resume_after
    instance.remaining = 300
    result = collect(case, collector, progress=False, max_wait=10, sleep=slept.append)
    assert (result.imported, result.duplicates) == (2, 0) and len(ids(case)) == 12
    assert case.verify().ok


def test_a_wrong_token_is_a_clear_error(case, instance):
    instance.token = "right"
    with pytest.raises(CollectError, match="refused the access token") as raised:
        collect(case, MastodonCollector(instance.url, hashtag="flood", token="wrong"),
                progress=False)
    assert "WORKBENCH_MASTODON_TOKEN" in raised.value.hint
    assert case.db.execute("SELECT status FROM runs").fetchone() == ("failed",)
    result = collect(case, MastodonCollector(instance.url, hashtag="flood", token="right",
                                             page_size=5), progress=False)
    assert result.imported == 12
    kept = " ".join(str(row) for table in ("audit", "runs", "cursors", "items")
                    for row in case.db.execute(f"SELECT * FROM {table}"))
    assert "right" not in kept and "wrong" not in kept  # the token is never stored


def test_an_account_and_an_unknown_account(case, instance):
    result = collect(case, MastodonCollector(instance.url, account="@alice", token="",
                                             page_size=5), progress=False)
    assert result.imported == 12
    with pytest.raises(CollectError, match="no such account nobody"):
        collect(case, MastodonCollector(instance.url, account="nobody", token=""),
                progress=False)


def test_a_malformed_status_is_quarantined_and_the_rest_kept(case, instance):
    instance.statuses[4]["account"] = "not an account"
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.quarantined) == (11, 1)
    row = case.quarantine().iloc[0]
    assert row.locator == "$[4]"
    assert case.verify().ok


def test_refuses_a_case_past_its_retention(case, instance):
    case.update_plan(retention_until="2000-01-01")
    with pytest.raises(Exception, match="retention date"):
        collect(case, hashtag(instance), progress=False)
    assert instance.requests == []


def test_network_loss_is_a_clear_error(case):
    with pytest.raises(CollectError, match="cannot be reached"):
        collect(case, MastodonCollector(f"http://{HOST}:9", timeline="local", token=""),
                progress=False)


def test_the_cli_collects_the_local_timeline(case, instance):
    case_dir = str(case.path)
    out = CliRunner().invoke(app, ["collect", case_dir, "mastodon", "--instance", instance.url,
                                   "--timeline", "local", "--limit", "20", "--no-progress"])
    assert out.exit_code == 0, out.output
    assert "12 imported" in out.output
    assert "local=1" in instance.requests[0] or "local=true" in instance.requests[0]
    # without a query, the plan's hashtags and accounts
    case.update_plan(hashtags=["flood"], accounts=["alice"])
    out = CliRunner().invoke(app, ["collect", case_dir, "mastodon", "--instance", instance.url,
                                   "--no-progress"])
    assert out.exit_code == 0, out.output
    assert "hashtag:flood" in out.output and "account:alice" in out.output
    assert out.output.count("0 imported, 12 duplicates") == 2


def test_only_posts_within_the_plans_dates_are_kept(case, instance):
    # statuses n = 1..12 are made at 2026-11-01 00:0n; the plan's period ends the day before
    case.update_plan(since="2026-10-01", until="2026-10-31")
    result = collect(case, hashtag(instance), progress=False)
    assert (result.imported, result.notes["outside the plan's period, not kept"]) == (0, 12)
    assert result.pages >= 1 and case.verify().ok  # the pages themselves are kept as received
    case.update_plan(until="2026-11-01")
    instance.add([status(13)])
    assert collect(case, hashtag(instance), progress=False).imported == 1


def test_a_killed_collection_resumes_with_no_duplicate_and_no_gap(case, instance):
    """The process is killed (SIGKILL, as a dead kernel) between pages; the next run resumes."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    instance.statuses = [status(n) for n in range(200, 0, -1)]  # five pages of 40
    instance.delay = 0.3
    command = [sys.executable, "-m", "workbench.cli", "collect", str(case.path), "mastodon",
               "--instance", instance.url, "--hashtag", "flood", "--no-progress"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watcher = sqlite3.connect(f"file:{case.path / 'case.db'}?mode=ro", uri=True)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and child.poll() is None:
            pages = watcher.execute("SELECT count(*) FROM audit WHERE action = 'collect.page'"
                                    ).fetchone()[0]
            if pages >= 2:
                break
            time.sleep(0.05)
        assert child.poll() is None, "the collection ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        watcher.close()
        if child.poll() is None:
            child.kill()
    kept = len(case.items())
    assert 40 <= kept < 200
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert ids(case) == sorted(f"social.test/{BASE_ID + n * 1000}" for n in range(1, 201))
    assert case.verify().ok
    statuses = [row[0] for row in case.db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["interrupted", "done"]  # the killed run is closed by the next one
