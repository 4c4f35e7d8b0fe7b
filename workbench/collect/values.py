"""Reading loose values out of platform payloads: counts, optional times, lists without repeats.

Shared by every format module, so that a count written as "12", 12 or 12.0 reads the same way
everywhere, and an account's unreadable creation time never fails the post that names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from workbench.errors import RecordError
from workbench.timeutil import parse_time


def as_int(value: object) -> int | None:
    """A count as an int ("12", 12 and 12.0 alike), or None when missing or not a number."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None


def as_float(value: object) -> float | None:
    """A number as a float, or None when missing or not a number."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def optional_time(value: object) -> datetime | None:
    """A time that may be missing or unreadable (an account's), as UTC or None; it never fails."""
    try:
        return parse_time(value)[0]
    except RecordError:
        return None


def unique(values: Iterable[str | None]) -> list[str]:
    """Values in first-seen order, without repeats or blanks."""
    return list(dict.fromkeys(v for v in values if v))
