"""Implausible item dates: before the platform existed, after the item was collected, in the future.

A wrong ``created_at`` (a clock set to 2999, a missing time written as 0, a year read as a day)
can stretch a timeline over centuries and bury every real bin. Such items are flagged here, with
the reason; the time analyses (:mod:`workbench.analyze.bins` and everything built on it) leave
them out of their bins and out of the span the bins are chosen from. They are never dropped from
the case, and every other analysis still sees them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.timeutil import PLATFORM_START

#: How far past its collection (or now) an item's time may lie: naive local times read as UTC
#: can be up to 14 hours ahead.
CLOCK_SLACK = pd.Timedelta("1D")
#: The Unix epoch to the second: a missing time written as 0 by some tool, on any platform.
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


def date_problems(items: pd.DataFrame, *, now: pd.Timestamp | None = None) -> pd.Series:
    """Why each item's ``created_at`` is implausible, or None when it is fine (or missing).

    An item is flagged when it is dated before its platform existed (:data:`PLATFORM_START`), at
    exactly the Unix epoch, after it was collected (``collected_at``) or after ``now`` (default:
    the current time), each with :data:`CLOCK_SLACK`. Returns a Series of text indexed like
    ``items`` (named ``date_problem``).
    """
    reasons = np.full(len(items), None, dtype=object)
    if "created_at" not in items.columns or items.empty:
        return pd.Series(reasons, index=items.index, dtype=object, name="date_problem")
    times = pd.to_datetime(items["created_at"], utc=True, errors="coerce")
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now
    checks = []  # (mask, reason or reasons per item), the first that applies is the reason
    if "platform" in items.columns:
        # Per distinct platform, not per item: a million platform strings are slow to compare.
        codes, names = pd.factorize(items["platform"], use_na_sentinel=True)
        known = [str(name).lower() for name in names]
        starts = pd.DatetimeIndex([PLATFORM_START.get(name) for name in known] + [None], tz="UTC")
        why = np.array([f"before {name} existed ({PLATFORM_START.get(name)})" for name in known] + [""],
                       dtype=object)
        start = pd.Series(starts.take(codes), index=items.index)  # code -1 (missing) takes NaT
        checks.append((times < start, why.take(codes)))
    checks.append((times == EPOCH, "at the Unix epoch (a missing time written as 0)"))
    if "collected_at" in items.columns:
        collected = pd.to_datetime(items["collected_at"], utc=True, errors="coerce")
        checks.append((times > collected + CLOCK_SLACK, "after collection"))
    checks.append((times > now + CLOCK_SLACK, "in the future"))
    open_ = np.ones(len(items), dtype=bool)
    for mask, reason in checks:
        hit = mask.fillna(False).to_numpy(dtype=bool) & open_
        reasons[hit] = reason[hit] if isinstance(reason, np.ndarray) else reason
        open_ &= ~hit
    return pd.Series(reasons, index=items.index, dtype=object, name="date_problem")


def plausible(items: pd.DataFrame, *, now: pd.Timestamp | None = None) -> pd.Series:
    """True for each item whose ``created_at`` is not flagged by :func:`date_problems`."""
    return date_problems(items, now=now).isna()


def implausible_items(items: pd.DataFrame, *, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """The items with an implausible date: ``uid`` (when present), ``platform``, ``created_at``,
    ``collected_at`` (when present) and ``reason``, in the items' order."""
    reasons = date_problems(items, now=now)
    flagged = reasons.notna()
    columns = [c for c in ("uid", "platform", "created_at", "collected_at") if c in items.columns]
    return items.loc[flagged, columns].assign(reason=reasons[flagged])


def left_out_note(flagged: pd.DataFrame) -> str:
    """One sentence saying how many items the time analyses leave out and why ("" for none).

    ``flagged`` is :func:`implausible_items`'s frame.
    """
    if flagged is None or len(flagged) == 0:
        return ""
    counts = flagged["reason"].value_counts()
    why = "; ".join(f"{n:,} dated {reason}" for reason, n in counts.items())
    noun = "item has" if len(flagged) == 1 else "items have"
    return (f"{len(flagged):,} {noun} an implausible date and {'is' if len(flagged) == 1 else 'are'} "
            f"left out of the time bins ({why}); they stay in the case.")
