"""Worker processes forked from one loaded leader: batches come back, failures are errors (never
a hang), a dead leader is noticed."""

from __future__ import annotations

import os
import signal

import pytest

from workbench.enrich.batch import ItemText
from workbench.enrich.settings import Settings
from workbench.enrich.workers import LoadedPool, results_of
from workbench.errors import EnrichError


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.make(models={}, languages=["en", "nl", "uk"], countries=["NL"], ner=False)


def item(n: int, text: str) -> ItemText:
    return ItemText(f"t:{n}", text, None, None, [], [], [], None)


def test_every_batch_comes_back_from_the_forked_workers(settings):
    texts = ["Black smoke over Rotterdam, call +31 10 446 8899", "Rook boven Schiedam vanavond",
             "Дим над Роттердамом", "ok"]
    jobs = [(False, [item(10 * j + i, t) for i, t in enumerate(texts)]) for j in range(6)]
    with LoadedPool(settings, 2) as pool:
        done = list(results_of(pool, settings, jobs))
    assert len(done) == 6
    rows = sorted(row for _, enriched in done for row in enriched.rows)
    assert len(rows) == 24
    languages = {row[0]: row[1] for row in rows}
    assert (languages["t:0"], languages["t:1"], languages["t:2"], languages["t:3"]) == \
        ("en", "nl", "uk", "und")
    entities = [e for _, enriched in done for e in enriched.entities]
    assert {e[1] for e in entities} >= {"PHONE", "PLACE"}


def test_a_failing_batch_is_an_error_with_its_traceback(settings):
    with LoadedPool(settings, 2) as pool:
        pool.submit(0, settings, [("not", "an", "item")], False)
        with pytest.raises(EnrichError,
                           match=r"worker failed: AttributeError: .* \(at batch\.py:\d+ in \w+\)"):
            pool.next_result()


def test_a_killed_leader_is_noticed_not_waited_for(settings):
    with LoadedPool(settings, 2) as pool:
        os.kill(pool._leader.pid, signal.SIGKILL)
        pool.submit(0, settings, [item(1, "hello there")], False)
        with pytest.raises(EnrichError, match="stopped"):
            pool.next_result()


OWNER = """
import sys, time
from workbench.enrich.batch import ItemText
from workbench.enrich.settings import Settings
from workbench.enrich.workers import LoadedPool
settings = Settings.make(models={}, languages=["en"], countries=[], ner=False)
pool = LoadedPool(settings, 2)
pool.submit(0, settings, [ItemText("t:1", "hello there friends", None, None, [], [], [], None)], False)
pool.next_result()
leader = pool._leader.pid
siblings = open(f"/proc/{leader}/task/{leader}/children").read().split()
print(leader, *siblings, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads /proc (Linux)")
def test_workers_end_when_their_owner_is_killed_outright():
    import subprocess
    import sys
    import time

    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(pids) == 2  # the leader and its forked sibling
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.2)
        assert not [pid for pid in pids if _alive(pid)], "workers outlived the process that started them"
    finally:
        owner.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
