"""`workbench watch`: rounds of real Mastodon collection against the replay server on 127.0.0.1,
alerts on watch-term hits and bursts, a webhook on 127.0.0.1, Ctrl-C and the retention date."""

import json
import os
import signal
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.local_server import HOST, QuietHandler, serve
from tests.mastodon_server import BASE_ID, status
from workbench.collect.live.mastodon import MastodonCollector
from workbench.collect.watch import BurstRule, alerts, parse_every, watch, watch_command
from workbench.enrich.watch import WatchTerm
from workbench.enrich.watchlist import add_terms
from workbench.errors import WorkbenchError

pytest.importorskip("mastodon")

# one post a minute, then a flurry: minute-wide bins, a short baseline
RULE = BurstRule(freq="1min", baseline=10, k=4.0, min_count=5)


class Hook:
    """A webhook receiver on 127.0.0.1 that keeps every JSON body POSTed to it."""

    def __init__(self):
        self.bodies: list[dict] = []
        hook = self

        class Handler(QuietHandler):
            def do_POST(self):
                hook.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

        self.server, url = serve(Handler)
        self.url = f"{url}/hook"


@pytest.fixture
def hook():
    server = Hook()
    yield server
    server.server.shutdown()
    server.server.server_close()


def flurry(first: int, count: int) -> list[dict]:
    """``count`` new posts all made in the same minute (that of post ``first``)."""
    made = [status(n) for n in range(first + count - 1, first - 1, -1)]
    at = made[-1]["created_at"]
    for post in made:
        post["created_at"] = at
    return made


def collectors(instance):
    return lambda: [MastodonCollector(instance.url, hashtag="flood", token="", page_size=5)]


class Between:
    """A stop Event whose waits add the next posts to the server instead of sleeping."""

    def __init__(self, instance, batches):
        self.instance, self.batches, self.waits = instance, list(batches), []

    def wait(self, seconds):
        self.waits.append(seconds)
        if self.batches:
            self.instance.add(self.batches.pop(0))
        return False


def test_two_rounds_alert_on_a_watch_term_and_a_burst(case, instance, hook):
    add_terms(case, [WatchTerm(term="dam breach", category="threat", weight=8)])
    breach = status(30)
    breach["content"] = "<p>The dam breach is near the <b>bridge</b> #flood</p>"
    new = [breach, *flurry(20, 8)]
    result = watch(case, collectors(instance), every_seconds=60, rounds=2, webhook=hook.url,
                   bursts=RULE, progress=False, stop=Between(instance, [new]))
    assert result.rounds == 2 and result.imported == 21 and result.stopped is None
    assert [a["kind"] for a in result.alerts] == ["watch", "burst"]
    stored = alerts(case)
    assert stored["kind"].tolist() == ["watch", "burst"] and set(stored["round"]) == {2}
    hit = stored.iloc[0]
    assert hit.uids == [f"mastodon:social.test/{BASE_ID + 30000}"]
    assert hit.detail["score"] == 80 and hit.detail["reasons"] == ["threat: 'dam breach' (weight 8)"]
    assert "excerpt" not in hit.detail and "near the bridge" not in str(stored.to_dict())
    burst = stored.iloc[1]
    assert len(burst.uids) == 8 and burst.detail["count"] == 8
    assert burst.detail["start"].startswith("2026-11-01T00:20")
    audited = [json.loads(d) for (d,) in case.db.execute(
        "SELECT detail FROM audit WHERE action = 'watch.alert' ORDER BY seq")]
    assert [a["alert"] for a in audited] == stored["id"].tolist()
    actions = [a for (a,) in case.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert "watch.started" in actions
    assert actions[-1] == "watch.finished"
    assert [b["alert"]["kind"] for b in hook.bodies] == ["watch", "burst"]
    assert hook.bodies[0]["case"] == case.plan.id
    assert hook.bodies[0]["alert"]["excerpt"] == "The dam breach is near the bridge #flood"
    assert hook.bodies[1]["alert"]["excerpt"] is None and len(hook.bodies[1]["alert"]["uids"]) == 8
    assert case.verify().ok


def test_a_burst_is_alerted_once_and_quiet_rounds_alert_nothing(case, instance):
    stop = Between(instance, [flurry(20, 8), [status(21)], []])
    result = watch(case, collectors(instance), every_seconds=1, rounds=4, bursts=RULE,
                   progress=False, stop=stop)
    assert result.rounds == 4 and [a["round"] for a in result.alerts] == [2]
    assert len(stop.waits) == 3


def test_a_failing_webhook_does_not_stop_the_watch(case, instance, caplog):
    add_terms(case, [WatchTerm(term="rising", category="threat", weight=6)])
    result = watch(case, collectors(instance), every_seconds=1, rounds=2,
                   webhook=f"http://{HOST}:9/nothing-listens", progress=False,
                   stop=Between(instance, [[status(13)]]))
    assert result.rounds == 2 and len(result.alerts) == 13  # every post says "Water rising"
    failed = case.db.execute("SELECT count(*) FROM audit WHERE action = 'watch.webhook_failed'")
    assert failed.fetchone() == (13,)
    assert "did not take alert" in caplog.text


def test_the_webhook_comes_from_the_environment(case, instance, hook, monkeypatch):
    add_terms(case, [WatchTerm(term="rising", category="threat", weight=6)])
    monkeypatch.setenv("WORKBENCH_WATCH_WEBHOOK", hook.url)
    watch(case, collectors(instance), every_seconds=1, rounds=1, progress=False)
    assert len(hook.bodies) == 12


class Interrupted(MastodonCollector):
    """Ctrl-C arrives while the second round's page of new posts is being mapped: after the
    platform answered, before the cursor moved."""

    rounds = 0

    def fetch(self, **where):
        page = super().fetch(**where)
        if Interrupted.rounds == 2 and page.count:
            raise KeyboardInterrupt
        return page


def test_ctrl_c_during_a_round_stops_cleanly_and_the_next_watch_resumes(case, instance):
    add_terms(case, [WatchTerm(term="breach", category="threat", weight=7)])

    def make():
        Interrupted.rounds += 1
        return [Interrupted(instance.url, hashtag="flood", token="", page_size=5)]

    breach = status(13)
    breach["content"] = "<p>breach at the dam</p>"
    result = watch(case, make, every_seconds=0.01, rounds=3, progress=False,
                   stop=Between(instance, [[breach]]))
    assert result.rounds == 1 and result.stopped == "interrupted (Ctrl-C)" and not result.alerts
    assert case.db.execute("SELECT status FROM runs ORDER BY id DESC").fetchone() == ("interrupted",)
    result = watch(case, collectors(instance), every_seconds=1, rounds=1, progress=False)
    assert result.imported == 1 and len(case.items()) == 13
    assert [a["uids"] for a in result.alerts] == [[f"mastodon:social.test/{BASE_ID + 13000}"]]
    assert case.verify().ok


def _ctrl_c_after_the_first_round(case) -> None:
    """Press Ctrl-C once the first round's collection run has finished: the watch is asleep."""
    deadline = time.monotonic() + 60
    with sqlite3.connect(case.path / "case.db") as conn:
        while time.monotonic() < deadline:
            (done,) = conn.execute("SELECT count(*) FROM runs WHERE status != 'running'").fetchone()
            if done:
                break
            time.sleep(0.05)
    time.sleep(0.3)
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_while_sleeping_stops_cleanly(case, instance):
    timer = threading.Thread(target=_ctrl_c_after_the_first_round, args=(case,), daemon=True)
    timer.start()
    started = datetime.now(UTC)
    result = watch(case, collectors(instance), every_seconds=30, progress=False)
    assert (datetime.now(UTC) - started).total_seconds() < 10
    assert result.rounds == 1 and result.stopped == "interrupted (Ctrl-C)"
    last = case.db.execute("SELECT action, detail FROM audit ORDER BY seq DESC").fetchone()
    assert last[0] == "watch.finished" and json.loads(last[1])["stopped"] == "interrupted (Ctrl-C)"


def test_a_stop_event_ends_the_sleep(case, instance):
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    result = watch(case, collectors(instance), every_seconds=60, progress=False, stop=stop)
    assert result.rounds == 1 and result.stopped == "stopped"


def test_refuses_a_case_past_its_retention(case, instance):
    case.update_plan(retention_until="2000-01-01")
    with pytest.raises(WorkbenchError, match="retention date"):
        watch(case, collectors(instance), every_seconds=1, rounds=1, progress=False)
    assert instance.requests == []


def test_stops_when_the_retention_date_passes_while_watching(case, instance):
    case.update_plan(retention_until=datetime.now(UTC).date().isoformat())
    clock = iter([datetime.now(UTC)] * 3 + [datetime.now(UTC) + timedelta(days=2)] * 5)
    stop = Between(instance, [])
    result = watch(case, collectors(instance), every_seconds=3600, progress=False, stop=stop,
                   now=lambda: next(clock))
    assert result.rounds == 1 and "retention date" in result.stopped


def test_parse_every_and_the_command(case, instance, capsys):
    assert [parse_every(e) for e in ("30s", "15m", "1h", "1.5h", "2d", "45")] == [
        30, 900, 3600, 5400, 172800, 45]
    for bad in ("soon", "0m", "-1h", "5y"):
        with pytest.raises(WorkbenchError, match="--every"):
            parse_every(bad)
    add_terms(case, [WatchTerm(term="post 12", category="threat", weight=9)])
    result = watch_command(case, collectors(instance), "1s", rounds=1, progress=False)
    out = capsys.readouterr().out
    assert result.rounds == 1
    assert "alert 1 (watch, round 1): risk 90: threat: 'post 12' (weight 9)" in out
    assert "1 rounds, 12 new items, 1 alerts" in out


def test_a_failing_collector_does_not_stop_the_watch(case, instance):
    def make():
        return [MastodonCollector(f"http://{HOST}:9", timeline="local", token=""),
                MastodonCollector(instance.url, hashtag="flood", token="", page_size=5)]

    result = watch(case, make, every_seconds=1, rounds=2, progress=False,
                   stop=Between(instance, [[status(13)]]))
    assert (result.rounds, result.imported, result.failures) == (2, 13, 2)
    assert "2 failed collections" in result.summary()
    statuses = [s for (s,) in case.db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["failed", "done", "failed", "done"]


def test_a_webhook_must_be_http(case, instance):
    with pytest.raises(WorkbenchError, match="not an http"):
        watch(case, collectors(instance), every_seconds=1, rounds=1, webhook="file:///etc/passwd",
              progress=False)


def test_purging_items_takes_them_out_of_the_alerts_that_name_them(case, write_jsonl):
    rows = [{"id": str(i), "text": f"dam breach {i}", "author": "a",
             "created_at": f"2024-03-0{i}T10:00:00Z"} for i in (1, 2)]
    case.import_file(write_jsonl("p.jsonl", rows), format="jsonl", progress=False)
    first, second = case.items()["uid"].tolist()
    with case.db.conn:
        for uids in ([first, second], [first]):
            case.db["alerts"].insert({"at": "2024-03-02T10:00:00Z", "kind": "watch", "detail": "{}",
                                      "uids": json.dumps(uids), "round": 1})
    case.purge(items=[first], reason="out of scope")
    left = case.db.execute("SELECT uids FROM alerts").fetchall()
    assert [json.loads(u) for (u,) in left] == [[second]]
    assert case.verify().ok


def test_the_cli_watches_several_sources_each_round(case, instance):
    from typer.testing import CliRunner

    from tests.test_collect_feeds import Site
    from workbench.cli import app

    site = Site()
    try:
        case.update_plan(hashtags=["flood"], feeds=[f"{site.url}/feed.xml"])
        done = CliRunner().invoke(app, ["watch", str(case.path), "mastodon", "feed", "--instance",
                                        instance.url, "--every", "1s", "--rounds", "2", "--no-progress"])
        assert done.exit_code == 0, done.output
        assert len(case.items(platform="mastodon")) == 12 and len(case.items(platform="web")) == 2
        # the feed was bound to its cursor: the second round sent its ETag back and got a 304
        assert site.requests[-1][1].get("If-None-Match") == '"v1"'
        assert case.verify().ok
    finally:
        site.server.shutdown()
        site.server.server_close()


def test_collect_plan_collects_every_live_source_the_plan_names(case, instance):
    from typer.testing import CliRunner

    from tests.test_collect_feeds import Site
    from workbench.cli import app

    runner = CliRunner()
    none = runner.invoke(app, ["collect", str(case.path), "plan", "--no-progress"])
    assert none.exit_code != 0 and "the plan names no live source" in str(none.exception)
    site = Site()
    try:
        case.update_plan(platforms=["mastodon", "twitter", "bluesky"], hashtags=["flood"],
                         feeds=[f"{site.url}/feed.xml"])
        done = runner.invoke(app, ["collect", str(case.path), "plan", "--instance", instance.url,
                                   "--base-url", "http://127.0.0.1:9", "--max-wait", "0",
                                   "--no-progress"])
        # mastodon and the feed are collected; bluesky (nothing listens there) fails alone
        assert done.exit_code == 1, done.output
        assert len(case.items(platform="mastodon")) == 12 and len(case.items(platform="web")) == 2
        assert "bluesky:" in done.output
        watched = runner.invoke(app, ["watch", str(case.path), "plan", "--instance", instance.url,
                                      "--base-url", "http://127.0.0.1:9", "--every", "1s",
                                      "--rounds", "1", "--no-progress"])
        assert watched.exit_code == 0, watched.output
        assert case.verify().ok
    finally:
        site.server.shutdown()
        site.server.server_close()
