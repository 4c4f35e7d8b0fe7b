"""Time in the workbench: UTC inside, one fixed text form in the store."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from workbench.errors import RecordError

TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # "Wed Oct 10 20:19:24 +0000 2018"
_EPOCH = re.compile(r"-?\d+(?:\.\d*)?")


def parse_time(value: object, *, field: str = "time") -> tuple[datetime, bool]:
    """Parse a platform timestamp into a tz-aware UTC datetime.

    Accepts datetimes, ISO 8601 text (``Z`` or offsets), Twitter's v1.1 form, RFC 2822 and Unix
    epoch seconds (number or digits). Returns ``(when, naive)``: ``naive`` is True when the value
    carried no zone and was taken as UTC, so the caller can flag the record.
    """
    if type(value) is str and len(value) > 18 and value[4] == "-" and value[10] == "T":
        try:  # the common case first: ISO 8601 with a time ("2024-03-08T00:41:00Z")
            return _to_utc(datetime.fromisoformat(value))
        except ValueError:
            pass
    if value is None or value == "":
        raise RecordError(f"missing {field}")
    if isinstance(value, datetime):
        return _to_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC), True
    if isinstance(value, bool):
        raise RecordError(f"{field} is not a time: {value!r}")
    if isinstance(value, int | float):
        return _from_epoch(float(value), field), False
    if not isinstance(value, str):
        raise RecordError(f"{field} is not a time: {value!r}")
    text = value.strip()
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text), field), False
    try:
        return _to_utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        pass
    for parse in (lambda t: datetime.strptime(t, TWITTER_FORMAT), _rfc2822):
        try:
            return _to_utc(parse(text))
        except (ValueError, TypeError, IndexError):
            continue
    raise RecordError(f"{field} is not a recognised time: {value!r}")


_MERIDIEM = re.compile(r"\s([AaPp])\.?[Mm]\.?(?=\s|$)")


def _rfc2822(text: str) -> datetime:
    """An RFC 2822 time ("Fri, 15 Mar 2024 11:59:00 +0100"), and the looser "Mar 15 2024 11:59
    PM" that exports write: the e-mail parser reads that form but drops its AM or PM."""
    when = parsedate_to_datetime(text)
    meridiem = _MERIDIEM.search(text)
    if meridiem is None:
        return when
    if not 1 <= when.hour <= 12:
        raise ValueError(f"{when.hour} o'clock with AM or PM")
    afternoon = meridiem.group(1) in "Pp"
    return when.replace(hour=when.hour % 12 + (12 if afternoon else 0))


def _to_utc(when: datetime) -> tuple[datetime, bool]:
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC), True
    try:
        return when.astimezone(UTC), False
    except OverflowError as exc:  # 9999-12-31T23:59:59-14:00 is in year 10000 in UTC
        raise RecordError(f"time is out of range in UTC: {when.isoformat()}") from exc


def _from_epoch(seconds: float, field: str) -> datetime:
    if seconds > 1e11:  # milliseconds since the epoch
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise RecordError(f"{field} is out of range: {seconds!r}") from exc


def to_text(when: datetime | None) -> str | None:
    """The store's text form of a time: ISO 8601 in UTC to the millisecond, fixed width."""
    if when is None:
        return None
    if when.tzinfo is not UTC:
        when = when.astimezone(UTC)
    return when.isoformat(timespec="milliseconds")


def now_text() -> str:
    """The current time in the store's text form."""
    return to_text(datetime.now(UTC))


def parse_day(value: str | date | datetime, *, field: str) -> datetime:
    """Parse a command-line date or datetime (a bare date is midnight UTC)."""
    try:
        when, _ = parse_time(value, field=field)
    except RecordError as exc:
        from workbench.errors import WorkbenchError

        raise WorkbenchError(f"{field}: {exc}", hint="use YYYY-MM-DD or ISO 8601") from exc
    return when
