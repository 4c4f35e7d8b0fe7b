"""Continuous monitoring: run the plan's live collections again and again, and raise alerts.

Each round runs every collector the factory gives (their cursors make each round take only what is
new, and make a stopped watch resume for free), then looks at the items stored since the watch last
looked (a watermark on the items' row ids, kept in ``cursors``: items a round interrupted by Ctrl-C
stored are looked at by the next round, and items imported meanwhile are looked at too):

- ``watch``: an item whose watch-term risk (the plan's terms and the case's watch list, scored as
  :func:`workbench.enrich.watch.risk` does) reaches ``min_risk``;
- ``burst``: a burst (:func:`workbench.analyze.trends.detect_bursts`) over the recent window that
  holds one of the new items and was not alerted before.

Each alert is stored in the ``alerts`` table with an audit entry, and optionally POSTed as JSON to
a webhook (``WORKBENCH_WATCH_WEBHOOK`` or the argument). The webhook body carries the case id and
title, the alert's kind, the item uids, the score and reasons, and for a watch hit an excerpt of
the post of at most ``EXCERPT_CHARS`` characters (enough to triage, not the post; the stored alert
keeps no post text). A webhook that fails is logged and audited, and the watch goes on.
Ctrl-C (between or during rounds) stops the watch cleanly; the watch never runs past the case's
retention date.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from workbench import audit
from workbench.errors import WorkbenchError
from workbench.store import write
from workbench.timeutil import now_text

if TYPE_CHECKING:
    from workbench.case import Case
    from workbench.collect.live import Collector

log = logging.getLogger(__name__)

WEBHOOK_ENV = "WORKBENCH_WATCH_WEBHOOK"
EXCERPT_CHARS = 140
WEBHOOK_TIMEOUT_S = 10.0
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_MARK = ("watch", "alerts")  # the cursors row keeping the last item row evaluated
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass
class BurstRule:
    """How a burst is found on the recent window (see :func:`detect_bursts`)."""

    freq: str = "1h"
    baseline: int = 24
    k: float = 4.0
    min_count: int = 5


@dataclass
class WatchResult:
    """What a watch did."""

    rounds: int = 0
    imported: int = 0
    alerts: list[dict] = field(default_factory=list)
    failures: int = 0  # collections that failed (each is recorded in ``runs`` and the audit)
    stopped: str | None = None  # why it stopped before its rounds were done

    def summary(self) -> str:
        text = f"{self.rounds} rounds, {self.imported} new items, {len(self.alerts)} alerts"
        if self.failures:
            text += f", {self.failures} failed collections"
        return f"{text}; stopped: {self.stopped}" if self.stopped else text


def parse_every(every: str | float | int) -> float:
    """Seconds in an interval such as ``"30s"``, ``"15m"``, ``"1h"``, ``"1d"`` (a bare number: seconds)."""
    if isinstance(every, int | float):
        seconds = float(every)
    else:
        found = _EVERY.match(str(every))
        if not found:
            raise WorkbenchError(f"--every {every!r}: not an interval",
                                 hint='write a number and a unit, such as "30s", "15m" or "1h"')
        seconds = float(found[1]) * _UNITS[found[2]]
    if seconds <= 0:
        raise WorkbenchError(f"--every {every!r}: the interval must be more than 0",
                             hint='write a number and a unit, such as "30s", "15m" or "1h"')
    return seconds


def _retention_end(case: Case) -> datetime:
    """The first moment past the retention date (collection is allowed through that whole day)."""
    day: date = case.plan.retention_until
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def watch(case: Case, collectors_factory: Callable[[], Iterable[Collector]], *, every_seconds: float,
          rounds: int | None = None, webhook: str | None = None, min_risk: float = 50.0,
          bursts: BurstRule | None = None, max_wait: float = 60.0, progress: bool = True,
          stop: threading.Event | None = None,
          now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> WatchResult:
    """Collect every ``every_seconds`` (``rounds`` times, or until stopped) and alert on what is new.

    ``collectors_factory`` gives the collectors of each round. ``webhook`` (else the environment's
    ``WORKBENCH_WATCH_WEBHOOK``) receives each alert as a JSON POST. ``min_risk`` is the watch-term
    risk (0..100) an item must reach; ``bursts`` how bursts are found; ``max_wait`` is each
    collection's longest rate-limit wait (past it that collection stops; the next round resumes).
    A collector that fails (network lost, a refused token) is logged and audited by its run, and
    the watch goes on. ``stop`` (an Event) ends the watch from another thread; Ctrl-C ends it too,
    and the result says so. Refuses a case past its retention date, and stops when the date passes
    while watching.
    """
    from workbench.collect.live import CollectError
    from workbench.collect.live.sources import run_collector

    case.require_collection_allowed()
    webhook = webhook if webhook is not None else os.environ.get(WEBHOOK_ENV) or None
    if webhook and not webhook.lower().startswith(("http://", "https://")):
        raise WorkbenchError(f"webhook {webhook!r}: not an http(s) URL",
                             hint=f"give an http:// or https:// URL (argument or {WEBHOOK_ENV})")
    rule = bursts or BurstRule()
    stop = stop or threading.Event()
    result = WatchResult()
    _watermark(case)  # a first watch alerts on what it collects, not on what the case holds
    with write(case.db):
        audit.append(case.db, "watch.started", {
            "every_s": every_seconds, "rounds": rounds, "min_risk": min_risk,
            "bursts": rule.__dict__, "webhook": bool(webhook)})
    try:
        while rounds is None or result.rounds < rounds:
            if now() >= _retention_end(case):
                result.stopped = f"the case's retention date {case.plan.retention_until} has passed"
                break
            started = now()
            number = result.rounds + 1
            for collector in collectors_factory():
                try:
                    done = run_collector(case, collector, max_wait=max_wait, progress=progress)
                except CollectError as exc:
                    result.failures += 1
                    log.warning("watch: round %s: %s: %s", number, collector.query, exc)
                    if progress:
                        print(f"round {number}: {collector.query}: failed: {exc}")
                    continue
                result.imported += done.imported
                if progress:
                    print(f"round {number}: {collector.query}: {done.summary()}")
            result.rounds = number
            for alert in _evaluate(case, number, min_risk, rule):
                result.alerts.append(alert)
                if webhook:
                    _post(webhook, case, alert)
            if rounds is not None and result.rounds >= rounds:
                break
            wake = started + timedelta(seconds=every_seconds)
            wait = (min(wake, _retention_end(case)) - now()).total_seconds()
            if stop.wait(max(wait, 0.0)):  # a round longer than the interval: the next at once
                result.stopped = "stopped"
                break
    except KeyboardInterrupt:
        result.stopped = "interrupted (Ctrl-C)"
    with write(case.db):
        audit.append(case.db, "watch.finished", {
            "rounds": result.rounds, "imported": result.imported, "alerts": len(result.alerts),
            "failures": result.failures, "stopped": result.stopped})
    return result


def _watermark(case: Case) -> int:
    """The last item row the watch has evaluated; a first watch starts from the items there now."""
    from workbench.collect.live import load_cursor

    state = load_cursor(case, *_MARK)
    (top,) = case.db.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()
    if "rowid" in state:
        # SQLite hands out max(rowid) + 1: once the newest rows are purged, ids below the mark
        # come back, and the mark must come down to meet them
        return min(int(state["rowid"]), top)
    _save_watermark(case, top)
    return top


def _save_watermark(case: Case, rowid: int) -> None:
    with write(case.db):
        case.db["cursors"].upsert({"source": _MARK[0], "query": _MARK[1],
                                   "state": audit.canonical({"rowid": rowid}),
                                   "updated_at": now_text(), "run_id": None}, pk=("source", "query"))


def _new_items(case: Case, after: int) -> pd.DataFrame:
    rows = case.db.execute(
        "SELECT rowid, uid, created_at, text, hashtags, mentions, author_handle FROM items "
        "WHERE rowid > ? ORDER BY rowid", [after]).fetchall()
    return pd.DataFrame(rows, columns=["rowid", "uid", "created_at", "text", "hashtags", "mentions",
                                       "author_handle"])


def _text(value: object) -> str | None:
    """A text column's value, None where the item has none (pandas gives NaN there)."""
    return value if isinstance(value, str) else None


def _list(value: object) -> list[str]:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        return json.loads(value)
    return []


def _evaluate(case: Case, number: int, min_risk: float, rule: BurstRule) -> list[dict]:
    """The alerts on the items stored since the last evaluation, stored and audited, and the
    watermark moved past those items in the same transaction.

    A watch alert's excerpt of the post goes to the webhook only: the ``alerts`` table names
    items by uid and keeps no post text, so purging an item leaves none of its text behind.
    """
    new = _new_items(case, _watermark(case))
    if new.empty:
        return []
    found = _watch_alerts(case, new, min_risk) + _burst_alerts(case, new, rule)
    stored = []
    with write(case.db):
        _save_watermark(case, int(new["rowid"].max()))
        for kind, detail, uids, excerpt in found:
            alert = {"at": now_text(), "kind": kind, "detail": audit.canonical(detail),
                     "uids": json.dumps(uids), "round": number}
            alert["id"] = case.db["alerts"].insert(alert).last_pk
            audit.append(case.db, "watch.alert", {"alert": alert["id"], "kind": kind, "uids": uids,
                                                  "round": number})
            stored.append({**alert, "detail": detail, "uids": uids, "excerpt": excerpt})
    return stored


def _watch_alerts(case: Case, new: pd.DataFrame, min_risk: float) -> list[tuple]:
    from workbench.enrich.watch import WatchList, plan_terms, risk
    from workbench.enrich.watchlist import stored_terms

    terms = WatchList([*plan_terms(case.plan), *stored_terms(case)])
    if not len(terms):
        return []
    found = []
    for row in new.itertuples(index=False):
        text = _text(row.text) or ""
        score, reasons = risk(terms.match(text, hashtags=_list(row.hashtags),
                                          mentions=_list(row.mentions),
                                          author_handle=_text(row.author_handle)))
        if reasons and score >= min_risk:
            excerpt = text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")
            found.append(("watch", {"uid": row.uid, "score": score, "reasons": reasons,
                                    "created_at": row.created_at}, [row.uid], excerpt))
    return found


def _burst_alerts(case: Case, new: pd.DataFrame, rule: BurstRule) -> list[tuple]:
    from workbench.analyze.trends import detect_bursts

    step = pd.tseries.frequencies.to_offset(rule.freq)
    times = pd.to_datetime(new["created_at"], utc=True, errors="coerce", format="ISO8601")
    if times.isna().all():
        return []
    since = (times.min() - (rule.baseline + 1) * step).to_pydatetime()
    recent = case.items(since=since)
    if recent.empty:
        return []
    bursts = detect_bursts(recent, rule.freq, baseline=rule.baseline, k=rule.k,
                           min_count=rule.min_count)
    alerted = {json.loads(d)["start"] for (d,) in case.db.execute(
        "SELECT detail FROM alerts WHERE kind = 'burst'")}
    found = []
    for burst in bursts.itertuples(index=False):
        start = burst.start.isoformat()
        inside = new[(times >= burst.start) & (times < burst.end)]
        if inside.empty or start in alerted:
            continue
        detail = {"start": start, "end": burst.end.isoformat(), "peak": burst.peak.isoformat(),
                  "count": burst.count, "baseline": burst.baseline, "score": burst.score,
                  "terms": [t["term"] for t in burst.terms],
                  "hashtags": [t["term"] for t in burst.hashtags]}
        found.append(("burst", detail, inside["uid"].tolist(), None))
    return found


def _post(url: str, case: Case, alert: dict) -> bool:
    """POST the alert as JSON; a failure is logged and audited, never raised."""
    body = json.dumps({"case": case.plan.id, "title": case.plan.title, "alert": alert},
                      ensure_ascii=False, default=str).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as answer:  # noqa: S310
            answer.read()
        return True
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("watch: the webhook did not take alert %s: %s", alert["id"], exc)
        with write(case.db):
            audit.append(case.db, "watch.webhook_failed", {"alert": alert["id"], "error": str(exc)[:300]})
        return False


def alerts(case: Case) -> pd.DataFrame:
    """The case's alerts, oldest first, ``detail`` and ``uids`` decoded."""
    rows = case.db.execute("SELECT id, at, kind, detail, uids, round FROM alerts ORDER BY id").fetchall()
    return pd.DataFrame([(i, at, kind, json.loads(d), json.loads(u), r) for i, at, kind, d, u, r in rows],
                        columns=["id", "at", "kind", "detail", "uids", "round"])


def watch_command(case: Case, make_collectors: Callable[[], Iterable[Collector]], every: str,
                  rounds: int | None = None, webhook: str | None = None, *,
                  progress: bool = True) -> WatchResult:
    """The CLI's ``workbench watch``: parse ``every`` ("30s", "15m", "1h"), watch, say what happened."""
    seconds = parse_every(every)
    result = watch(case, make_collectors, every_seconds=seconds, rounds=rounds, webhook=webhook,
                   progress=progress)
    for alert in result.alerts:
        detail = alert["detail"]
        what = (f"risk {detail['score']:g}: {'; '.join(detail['reasons'])}" if alert["kind"] == "watch"
                else f"{detail['count']} items from {detail['start']} (score {detail['score']:g})")
        print(f"alert {alert['id']} ({alert['kind']}, round {alert['round']}): {what}")
    print(result.summary())
    return result


__all__ = ["BurstRule", "WatchResult", "alerts", "parse_every", "watch", "watch_command"]
