"""Worker processes that start loaded: one loads what enriching needs, then forks the others.

Loading takes a new process about 5 s (spaCy, the gazetteer tables, lingua's models for the case's
languages); n workers that each load their own spend n times that, on the same cores the work
needs. Here one *leader* process is spawned (a fresh interpreter: the caller may be a notebook
kernel holding threads and a SQLite connection, which must not be forked), loads everything once,
and forks its n - 1 siblings, which start with it all in memory (shared until written; where
the system cannot fork, as on Windows, they are spawned and load their own). All n then take
batches from one queue and put results on another.

Failures are reported, never waited on forever: a batch that raises comes back as an error with
its traceback; a worker that dies (killed, out of memory) is reported by the leader, and a leader
that dies is noticed by the caller. Workers ignore Ctrl-C (the caller handles it and stops them)
and end with their parent, even one killed outright (:func:`workbench.processes.die_with_parent`).
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import traceback
from collections.abc import Iterator
from multiprocessing import get_all_start_methods, get_context
from typing import Any

from workbench.enrich.settings import Settings
from workbench.errors import EnrichError
from workbench.processes import die_with_parent

#: Seconds between checks that the leader still lives, while waiting for results.
POLL_SECONDS = 1.0


class LoadedPool:
    """``n`` enrichment workers forked from one loaded leader; see the module's docstring."""

    def __init__(self, settings: Settings, n: int):
        ctx = get_context("spawn")
        self.n = n
        self._tasks = ctx.Queue()
        self._results = ctx.Queue()
        self._leader = ctx.Process(target=_lead, args=(settings, n, self._tasks, self._results),
                                   name="enrich-leader")
        self._leader.start()

    def submit(self, job: int, settings: Settings, items: list, watch_only: bool,
               known: Any = None) -> None:
        """Queue one batch (``known``: its authors' languages, see
        :func:`workbench.enrich.batch.enrich_items`); its result comes back from
        :meth:`next_result` under ``job``."""
        self._tasks.put((job, settings, items, watch_only, known))

    def next_result(self) -> tuple[int, Any]:
        """The next finished batch: ``(job, Enriched)``; raises EnrichError for a failed one."""
        while True:
            try:
                job, status, value = self._results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not self._leader.is_alive():
                    raise EnrichError(f"the enrichment workers stopped (exit code "
                                      f"{self._leader.exitcode})",
                                      hint="what was enriched so far is kept; run again to go on"
                                      ) from None
                continue
            if status == "ok":
                return job, value
            raise EnrichError(f"an enrichment worker failed: {value}",
                              hint="what was enriched so far is kept; run again to go on")

    def close(self, *, now: bool = False) -> None:
        """Stop the workers: after their current batches, or at once (``now``)."""
        if not now:
            for _ in range(self.n):
                self._tasks.put(None)
            self._leader.join(timeout=30)
        if self._leader.is_alive():
            self._leader.terminate()  # its workers see it gone and leave
            self._leader.join(timeout=5)
        self._tasks.cancel_join_thread()
        self._results.cancel_join_thread()

    def __enter__(self) -> LoadedPool:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        self.close(now=kind is not None)


def _lead(settings: Settings, n: int, tasks, results) -> None:
    """Load, fork the siblings, work beside them, and report any that dies."""
    from workbench.enrich.batch import warm_up

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    try:
        warm_up(settings, languages=True)
    except Exception as exc:  # noqa: BLE001 - sent to the caller, which raises it
        results.put((None, "error", _described(exc)))
        return
    # Where there is no fork (Windows), the siblings are spawned and load their own.
    fork = get_context("fork" if "fork" in get_all_start_methods() else "spawn")
    caller, leader = os.getppid(), os.getpid()
    siblings = [fork.Process(target=_work, args=(tasks, results, leader), daemon=True,
                             name=f"enrich-worker-{i}") for i in range(1, n)]
    for sibling in siblings:
        sibling.start()
    watch = threading.Thread(target=_report_deaths, args=(siblings, results), daemon=True)
    watch.start()  # a thread only now: the siblings are forked from a process without threads
    _work(tasks, results, caller)
    for sibling in siblings:
        sibling.join()


def _report_deaths(siblings: list, results) -> None:
    for sibling in siblings:
        sibling.join()
        if sibling.exitcode:
            results.put((None, "error", f"{sibling.name} died (exit code {sibling.exitcode})"))


def _work(tasks, results, parent: int) -> None:
    """Enrich batches until told to stop, or until ``parent`` (the process that started this
    one) is gone: then so is the run."""
    from workbench.enrich.batch import enrich_items

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    while os.getppid() == parent:
        try:
            task = tasks.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue
        if task is None:
            return
        job, settings, items, watch_only, known = task
        try:
            results.put((job, "ok", enrich_items(settings, items, watch_only, known)))
        except Exception as exc:  # noqa: BLE001 - sent to the caller, which raises it
            results.put((job, "error", _described(exc)))


def _described(exc: BaseException) -> str:
    """One line: the error and where it was raised."""
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return (f"{type(exc).__name__}: {exc} (at {os.path.basename(where.filename)}:{where.lineno} "
            f"in {where.name})")


def results_of(pool: LoadedPool, settings: Settings,
               jobs: list[tuple]) -> Iterator[tuple[bool, Any]]:
    """Each job's ``(watch_only, Enriched)`` as it finishes; at most two jobs per worker queued.
    A job is ``(watch_only, items)`` or ``(watch_only, items, known)``."""
    limit = 2 * pool.n
    pending: dict[int, bool] = {}
    for job, (watch_only, items, *known) in enumerate(jobs):
        if len(pending) >= limit:
            done, enriched = pool.next_result()
            yield pending.pop(done), enriched
        pool.submit(job, settings, items, watch_only, *known)
        pending[job] = watch_only
    while pending:
        done, enriched = pool.next_result()
        yield pending.pop(done), enriched
