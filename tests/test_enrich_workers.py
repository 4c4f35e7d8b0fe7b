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
                           match=r"worker failed: AttributeError: .* \(at batch\.py:\d+ in languages\)"):
            pool.next_result()


def test_a_killed_leader_is_noticed_not_waited_for(settings):
    with LoadedPool(settings, 2) as pool:
        os.kill(pool._leader.pid, signal.SIGKILL)
        pool.submit(0, settings, [item(1, "hello there")], False)
        with pytest.raises(EnrichError, match="stopped"):
            pool.next_result()
