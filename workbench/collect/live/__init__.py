"""What every live collector shares: a collection run over pages, its cursor, rate limits, audit.

A collector fetches one page of a platform's answer at a time (:class:`Page`: the exact HTTP body
bytes and where the next older and newer pages are). Each page is stored under ``raw/`` unaltered
and hashed, then mapped to items by the platform's file format, exactly as an import maps a file.

The cursor. A timeline is read newest first. The first run pages down (``max_id``) from the top;
the cursor keeps the newest id seen (``newest``) and where paging down continues (``older``).
When the bottom is reached (no next page, or past the plan's ``since``) the sweep is ``complete``;
later runs page up from ``newest`` (``min_id``), which Mastodon answers oldest chunk first, so
nothing between two runs is missed. The cursor moves only after a page's items are written: an
interruption repeats at most that page, and its items are recognised as duplicates.

A platform whose cursor only pages older (Bluesky's opaque XRPC ``cursor``; the collector says
``pages_up = False``) gets newer posts by reading again from the top, paging down until a page
holds the newest id already seen (or reaches back past its time). That sweep keeps its own place
(``refresh``) and moves ``newest`` only when it has joined up with what was collected, so an
interruption during it leaves no gap either.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tqdm.auto import tqdm

import workbench
from workbench import audit
from workbench.collect import get_format
from workbench.collect.base import Payload
from workbench.errors import WorkbenchError
from workbench.ingest import Importer, ImportResult, _register_payload
from workbench.store import write
from workbench.timeutil import now_text

if TYPE_CHECKING:
    from workbench.case import Case

DEFAULT_MAX_WAIT_S = 60.0


class CollectError(WorkbenchError):
    """A live collection cannot go on: wrong credentials, an unknown account or tag, no network."""


class RateLimited(Exception):  # noqa: N818 (a signal between a collector and the run, not an error)
    """The platform asks us to wait ``wait`` seconds (None: it did not say how long)."""

    def __init__(self, wait: float | None):
        super().__init__(f"rate limited; wait {wait}s")
        self.wait = wait


@dataclass
class Page:
    """One answer of the platform, as received, and where the neighbouring pages are."""

    body: bytes
    url: str
    count: int
    older: str | None = None  # the max_id of the next older page, if the platform gave one
    newer: str | None = None  # the min_id of the next newer page
    oldest_at: str | None = None  # created_at of the page's oldest status
    newest_id: str | None = None
    wait: float = 0.0  # seconds to wait before the next request (the rate-limit headers say so)
    newest_at: str | None = None  # time of the page's newest post (platforms that page only older)
    ids: tuple[str, ...] = field(default_factory=tuple)  # the page's post ids, in order


class Collector(Protocol):
    """A source of pages: one platform, one query."""

    source: str  # e.g. mastodon:mastodon.social
    query: str  # e.g. hashtag:osint
    format: str  # the file format that maps its pages
    collector: str  # e.g. live:mastodon
    version: str
    # optional: ``extension`` of the raw page's file name (default "json"); ``pages_up = False``
    # for a platform whose cursor pages only older

    def fetch(self, *, older: str | None = None, newer: str | None = None) -> Page:
        """One page: the top, below ``older`` (max_id) or just above ``newer`` (min_id)."""
        ...


@dataclass
class CollectResult(ImportResult):
    """What one collection run did."""

    pages: int = 0
    waited_s: float = 0.0
    stopped: str | None = None  # why the run stopped before the end, if it did
    resume_after: str | None = None

    def summary(self) -> str:
        text = f"{super().summary()}, {self.pages} pages"
        if self.stopped:
            text += f"; stopped: {self.stopped}"
        if self.resume_after:
            text += f"; run again after {self.resume_after} to resume"
        return text


def missing_library(platform: str, library: str) -> CollectError:
    """The error for a live source whose client library is not installed."""
    return CollectError(f"collecting from {platform} needs the {library} client library",
                        hint="pip install 'socmint-workbench[live]' (make installs it)")


def retry_after_seconds(value: str | None) -> float | None:
    """The seconds an HTTP Retry-After value asks for (a number of seconds, or an HTTP date), or
    None when there is none or it cannot be read."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def load_cursor(case: Case, source: str, query: str) -> dict:
    """The stored cursor of a source and query (empty when never collected)."""
    row = case.db.execute("SELECT state FROM cursors WHERE source = ? AND query = ?",
                          [source, query]).fetchone()
    return json.loads(row[0]) if row else {}


def _save_cursor(case: Case, source: str, query: str, state: dict, run_id: int) -> None:
    case.db["cursors"].upsert({"source": source, "query": query, "state": audit.canonical(state),
                               "updated_at": now_text(), "run_id": run_id},
                              pk=("source", "query"))


def collect(case: Case, collector: Collector, *, limit: int | None = None,
            max_wait: float = DEFAULT_MAX_WAIT_S, progress: bool = True,
            sleep=time.sleep) -> CollectResult:
    """Run one collection: page through the collector's answers from its cursor, store each page
    unaltered, map it to items, move the cursor; stop after ``limit`` statuses read, or cleanly
    (keeping everything so far) when the platform asks for a longer wait than ``max_wait``.

    ``sleep`` is how the run waits (a test passes one that records the waits).
    """
    case.require_collection_allowed()
    fmt = get_format(collector.format)
    result = CollectResult(0, f"{collector.source} {collector.query}", fmt.name, "")
    with write(case.db):
        _close_abandoned(case, result.path)
        result.run_id = case.db["runs"].insert({
            "kind": "collect", "source": f"{collector.source} {collector.query}",
            "format": fmt.name, "collector": collector.collector,
            "collector_version": f"{workbench.__version__}/{collector.version}",
            "started_at": now_text(), "status": "running", "actor": audit.actor(),
            "detail": audit.canonical({"limit": limit, "max_wait": max_wait, "pid": os.getpid(),
                                       "host": platform.node()}),
        }).last_pk
        audit.append(case.db, "collect.started", {
            "run": result.run_id, "source": collector.source, "query": collector.query,
            "cursor": load_cursor(case, collector.source, collector.query),
        })
    run = _Run(case, collector, fmt, result, limit, max_wait, sleep)
    try:
        with tqdm(desc=collector.query, unit=" statuses", disable=not progress, leave=False,
                  total=limit) as run.bar:
            run.go()
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        _finish(case, result, status, str(exc) or type(exc).__name__)
        raise
    _finish(case, result, "stopped" if result.stopped else "done")
    return result


class _Run:
    def __init__(self, case, collector, fmt, result, limit, max_wait, sleep):
        self.case, self.collector, self.fmt, self.result = case, collector, fmt, result
        self.limit, self.max_wait, self.sleep = limit, max_wait, sleep
        self.state = load_cursor(case, collector.source, collector.query)
        self.read = 0
        self.since = case.plan.since.isoformat() if case.plan.since else None
        until = case.plan.until + timedelta(days=1) if case.plan.until else None
        self.period = (self.since, until.isoformat() if until else None)  # the plan's dates
        self.bar = None

    def go(self) -> None:
        was_complete = bool(self.state.get("complete"))
        if not was_complete:
            self._page_down()
        if self.state.get("complete") and not self._stopped():
            if getattr(self.collector, "pages_up", True):
                self._page_up()
            elif was_complete:  # a sweep just finished has read the top already
                self._refresh_from_top()

    def _stopped(self) -> bool:
        if self.result.stopped:
            return True
        if self.limit is not None and self.read >= self.limit:
            self.result.stopped = f"the limit of {self.limit} statuses was reached"
            return True
        return False

    def _page_down(self) -> None:
        while not self._stopped():
            page = self._fetch(older=self.state.get("older"))
            if page is None:
                return
            if self.state.get("newest") is None and page.newest_id:
                self.state["newest"] = page.newest_id
                if page.newest_at:
                    self.state["newest_at"] = page.newest_at
            self.state["older"] = page.older
            past_since = bool(self.since and page.oldest_at and page.oldest_at[:10] < self.since)
            if page.count == 0 or page.older is None or past_since:
                self.state["complete"] = True
            self._store(page)
            if self.state.get("complete"):
                return

    def _page_up(self) -> None:
        while not self._stopped():
            newest = self.state.get("newest")
            page = self._fetch(newer=newest) if newest else self._fetch()
            if page is None:
                return
            if page.count == 0:
                self._store(page)
                return
            self.state["newest"] = page.newer or page.newest_id or newest  # Link rel="prev"
            self._store(page)

    def _refresh_from_top(self) -> None:
        """Newer posts where the cursor pages only older: down from the top to the newest seen."""
        while not self._stopped():
            refresh = self.state.get("refresh")
            page = self._fetch(older=refresh["older"] if refresh else None)
            if page is None:
                return
            if refresh is None:
                refresh = {"newest": page.newest_id, "newest_at": page.newest_at}
            newest, newest_at = self.state.get("newest"), self.state.get("newest_at")
            joined = (page.count == 0 or page.older is None or (newest is not None and newest in page.ids)
                      or bool(newest_at and page.oldest_at and page.oldest_at < newest_at))
            if joined:
                self.state.pop("refresh", None)
                if refresh.get("newest"):
                    self.state["newest"] = refresh["newest"]
                if refresh.get("newest_at"):
                    self.state["newest_at"] = refresh["newest_at"]
            else:
                self.state["refresh"] = {**refresh, "older": page.older}
            self._store(page)
            if joined:
                return

    def _fetch(self, **where) -> Page | None:
        """A page, waiting out rate limits up to the maximum; None when the run must stop."""
        backoff = 2.0
        while True:
            try:
                page = self.collector.fetch(**where)
            except RateLimited as limited:
                wait = limited.wait if limited.wait is not None else backoff
                backoff = min(backoff * 2, 300.0)
                if not self._wait(wait):
                    return None
                continue
            return page

    def _wait(self, seconds: float) -> bool:
        """Wait if the run's total wait stays within the maximum; else record the stop."""
        if self.result.waited_s + seconds > self.max_wait:
            resume = datetime.now(UTC) + timedelta(seconds=seconds)
            self.result.stopped = (f"the platform asks to wait {seconds:.0f}s, more than the "
                                   f"maximum wait of {self.max_wait:.0f}s")
            self.result.resume_after = resume.strftime("%Y-%m-%dT%H:%M:%SZ")
            return False
        self.sleep(seconds)
        self.result.waited_s += seconds
        return True

    def _store(self, page: Page) -> None:
        """Keep the page unaltered, map it, then move the cursor past it."""
        case, result = self.case, self.result
        sha, size = case.raw_store.put_bytes(page.body)
        extension = getattr(self.collector, "extension", "json")
        name = f"{self.collector.query.replace(':', '-').replace('/', '-')}-{sha[:12]}.{extension}"
        with write(case.db):
            _register_payload(case.db, sha, "raw", name, size, result.run_id,
                              format=self.fmt.name)
            audit.append(case.db, "collect.page", {
                "run": result.run_id, "url": page.url, "sha256": sha, "size": size,
                "statuses": page.count, "raw": sha,
            })
        payload = Payload(sha, case.raw_store.path(sha), name)
        Importer(case, self.fmt, {"column_map": {}}, progress=False).run(
            Path(name), payload, result, source=self.collector.source,
            collector=self.collector.collector, period=self.period)
        with write(case.db):
            _save_cursor(case, self.collector.source, self.collector.query, self.state,
                         result.run_id)
        result.pages += 1
        self.read += page.count
        if self.bar is not None:
            self.bar.update(page.count)
        if page.wait > 0 and not self._stopped():
            self._wait(page.wait)


def _close_abandoned(case: Case, source: str) -> None:
    """Mark as interrupted the earlier runs of this source and query still shown as running whose
    process on this machine is gone (killed, or a kernel that died): their pages are kept and
    their cursor is where the next run resumes."""
    rows = case.db.execute("SELECT id, detail FROM runs WHERE kind = 'collect' AND source = ? "
                           "AND status = 'running'", [source]).fetchall()
    for run_id, detail in rows:
        started = json.loads(detail or "{}")
        if started.get("host") != platform.node() or _alive(started.get("pid")):
            continue
        case.db["runs"].update(run_id, {"finished_at": now_text(), "status": "interrupted"})
        audit.append(case.db, "collect.finished", {
            "run": run_id, "status": "interrupted",
            "error": "the process ended before the run finished (killed, or its kernel died)"})


def _alive(pid: object) -> bool:
    """Whether process ``pid`` runs on this machine (True when it cannot be told: on Windows,
    ``os.kill(pid, 0)`` would end the process rather than probe it)."""
    if not isinstance(pid, int) or pid == os.getpid() or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _finish(case: Case, result: CollectResult, status: str, error: str | None = None) -> None:
    result.status = status
    detail = {"run": result.run_id, "status": status, "pages": result.pages,
              "imported": result.imported, "duplicates": result.duplicates,
              "quarantined": result.quarantined}
    if result.stopped:
        detail["stopped"] = result.stopped
    if result.resume_after:
        detail["resume_after"] = result.resume_after
    if error:
        detail["error"] = error[:500]
    with write(case.db):
        case.db["runs"].update(result.run_id, {
            "finished_at": now_text(), "status": status, "imported": result.imported,
            "duplicates": result.duplicates, "quarantined": result.quarantined,
        })
        audit.append(case.db, "collect.finished", detail)


__all__ = ["CollectError", "CollectResult", "Collector", "Page", "RateLimited", "collect",
           "load_cursor", "missing_library", "retry_after_seconds"]
