"""Time in the workbench: UTC inside, one fixed text form in the store."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from workbench.errors import RecordError

TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # "Wed Oct 10 20:19:24 +0000 2018"
_EPOCH = re.compile(r"-?\d+(?:\.\d*)?")
DAY_FIRST, MONTH_FIRST = "day-first", "month-first"

#: The day each platform's first public post could have been made (UTC), the earliest plausible,
#: not a launch date, so no real post is flagged. Platforms not listed get no lower bound: a web
#: page may carry any date.
PLATFORM_START = {
    "twitter": "2006-03-21",  # the first tweet
    "x": "2006-03-21",
    "facebook": "2004-02-04",
    "youtube": "2005-02-14",  # the domain; the first video is of 2005-04-23
    "reddit": "2005-06-23",
    "telegram": "2013-08-14",
    "mastodon": "2016-03-16",  # the first release; older fediverse servers federate in only since 2018
    "bluesky": "2022-01-01",  # before the first public AT Protocol code
    "instagram": "2010-10-06",
    "tiktok": "2016-09-01",  # Douyin, which TikTok grew from
    "vk": "2006-10-10",
    "weibo": "2009-08-14",
    "threads": "2023-07-05",
    "tumblr": "2007-02-19",
}
#: The Unix epoch in the store's text form: a missing time written as 0 by some tool.
EPOCH_TEXT = "1970-01-01T00:00:00.000+00:00"


@dataclass(frozen=True)
class TimeReading:
    """How the times of one column are read where the text alone cannot say.

    ``order`` is :data:`DAY_FIRST` or :data:`MONTH_FIRST` for numeric dates (``03/04/2024``);
    None reads each value as it shows (``15/03/2024`` is day-first) and an ambiguous one by its
    separator (:func:`default_order`). ``format`` is a strptime format every text value must
    match. ``basis`` says why, for the analyst and for the reason a contradicting value is
    quarantined with.
    """

    order: str | None = None
    format: str | None = None
    basis: str = ""


def parse_time(value: object, *, field: str = "time",
               reading: TimeReading | None = None) -> tuple[datetime, bool]:
    """Parse a platform timestamp into a tz-aware UTC datetime.

    Accepts datetimes, ISO 8601 text (``Z`` or offsets), Twitter's v1.1 form, RFC 2822, Unix
    epoch seconds (number or digits), numeric dates (``15/03/2024 14:22``, ``15.03.2024``; see
    :class:`TimeReading` for the order of day and month) and the other forms dateutil reads
    completely (``March 15, 2024 2:22 PM``). Returns ``(when, naive)``: ``naive`` is True when
    the value carried no zone and was taken as UTC, so the caller can flag the record.

    A value that is not a whole date (``March 2024``), names a zone that is not understood
    (``CET``) or contradicts ``reading`` is a :class:`RecordError`, never a guess.
    """
    if reading is not None and reading.format and type(value) is str:
        return _strict(value, reading.format, field)
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
    numeric = _NUMERIC_DATE.match(text)
    if numeric is not None:
        return _numeric_date(numeric, text, field, reading)
    for parse in (lambda t: datetime.strptime(t, TWITTER_FORMAT), _rfc2822):
        try:
            return _to_utc(parse(text))
        except (ValueError, TypeError, IndexError):
            continue
    return _to_utc(_dateutil(text, field, dayfirst=reading is not None
                             and reading.order == DAY_FIRST, value=value))


#: A numeric date with the year last (``15/03/2024``, ``3.4.24``, ``15-03-2024 14:22``).
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?=$|[\sT,])")
_MERIDIEM_END = re.compile(r"\s*([AaPp])\.?[Mm]\.?$")


def shown_order(text: str) -> tuple[str | None, str | None]:
    """What a numeric date shows of its order: ``(order, separator)``. The order is
    :data:`DAY_FIRST` when its first number is over 12 (``15/03/2024``), :data:`MONTH_FIRST` when
    its second is, None when both could be either; ``(None, None)`` for any other text."""
    match = _NUMERIC_DATE.match(text.strip())
    if match is None:
        return None, None
    first, second = int(match.group(1)), int(match.group(3))
    if first > 12 >= second:
        return DAY_FIRST, match.group(2)
    if second > 12 >= first:
        return MONTH_FIRST, match.group(2)
    return None, match.group(2)


def default_order(separator: str) -> str:
    """The order of an ambiguous numeric date by its separator: month-first with ``/`` (the US
    form, ``03/04/2024`` is March 4), day-first with ``.`` or ``-`` (the dotted form is Europe's:
    ``03.04.2024`` is 3 April; ``dd-mm-yyyy`` is far commoner than ``mm-dd-yyyy``)."""
    return MONTH_FIRST if separator == "/" else DAY_FIRST


def _numeric_date(match: re.Match, text: str, field: str,
                  reading: TimeReading | None) -> tuple[datetime, bool]:
    first, separator, second, year = match.groups()
    shown, _ = shown_order(match.group(0))
    order = reading.order if reading is not None and reading.order else None
    if shown and order and shown != order:
        other = "--dayfirst" if shown == DAY_FIRST else "--monthfirst"
        raise RecordError(f"{field} {text!r} can only be {shown}, but this column's times are "
                          f"read {order} ({reading.basis or 'as given'}); if the column is "
                          f"{shown}, import the file with {other}")
    if not shown and not order and first != second and reading is None:
        # No file's column stands behind this value (a platform's own field, an API answer):
        # nothing says which order it is in, so it is refused rather than guessed.
        raise RecordError(f"{field} {text!r} could be day-first or month-first, and nothing "
                          "says which")
    order = shown or order or default_order(separator)
    day, month = (first, second) if order == DAY_FIRST else (second, first)
    try:
        when = datetime(_full_year(int(year)), int(month), int(day))
    except ValueError as exc:
        raise RecordError(f"{field} is not a date: {text!r} ({exc}, read {order})") from exc
    rest = text[match.end():].strip(" ,T")
    if not rest:
        return when.replace(tzinfo=UTC), True
    iso = when.date().isoformat()
    meridiem = _MERIDIEM_END.search(rest)
    try:
        if meridiem is None:
            return _to_utc(datetime.fromisoformat(f"{iso}T{rest}"))
        clock = datetime.fromisoformat(f"{iso}T{rest[: meridiem.start()]}")
        if not 1 <= clock.hour <= 12:
            raise RecordError(f"{field} has {clock.hour} o'clock with AM or PM: {text!r}")
        afternoon = meridiem.group(1) in "Pp"
        return _to_utc(clock.replace(hour=clock.hour % 12 + (12 if afternoon else 0)))
    except ValueError:  # a zone by name, or another clock form: dateutil, on the ISO date
        return _to_utc(_dateutil(f"{iso} {rest}", field, dayfirst=False, value=text))


def _full_year(year: int) -> int:
    """A two-digit year in the century that puts it nearest the present (``24`` is 2024)."""
    if year >= 100:
        return year
    now = datetime.now(UTC).year
    full = now // 100 * 100 + year
    return full - 100 if full > now + 50 else full


#: Two defaults that differ in every date part: a text that leaves one out reads differently
#: with each, and is refused rather than completed with today's date.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def _dateutil(text: str, field: str, *, dayfirst: bool, value: object) -> datetime:
    """dateutil's reading of a complete date, else a RecordError."""
    from dateutil import parser as dateutil_parser  # only for the forms read no faster way

    with warnings.catch_warnings():
        warnings.simplefilter("error", dateutil_parser.UnknownTimezoneWarning)
        try:
            first, second = (dateutil_parser.parse(text, default=d, dayfirst=dayfirst)
                             for d in _DEFAULTS)
        except dateutil_parser.UnknownTimezoneWarning as exc:
            raise RecordError(f"{field} names a time zone not understood: {value!r} (give "
                              "times in UTC or with an offset)") from exc
        except (ValueError, OverflowError) as exc:
            raise RecordError(f"{field} is not a recognised time: {value!r}") from exc
    if first.date() != second.date():
        raise RecordError(f"{field} is not a whole date: {value!r}")
    return first


def _strict(value: str, fmt: str, field: str) -> tuple[datetime, bool]:
    """A time in the format the user gave, and no other."""
    try:
        when = datetime.strptime(value.strip(), fmt)
    except ValueError as exc:
        raise RecordError(f"{field} {value!r} does not match --time-format {fmt!r}") from exc
    return _to_utc(when)


def decide_order(values: Iterable[object], *, column: str, seen: str = "the values read"
                 ) -> TimeReading | None:
    """The order to read a column's numeric dates in, from the values read of it.

    Day-first when a value shows it (``15/03/2024``), month-first when one shows that
    (``03/15/2024``); when values show both, the order most show (the others will be quarantined,
    naming this decision); when none shows it, by the separator (:func:`default_order`). None
    when no value is a numeric date. ``seen`` says what was read, for the basis.
    """
    shown: Counter[str] = Counter()
    separators: Counter[str] = Counter()
    example: dict[str, str] = {}
    for value in values:
        if type(value) is not str:
            continue
        order, separator = shown_order(value)
        if separator is None:
            continue
        separators[separator] += 1
        if order:
            shown[order] += 1
            example.setdefault(order, value.strip())
    if not separators:
        return None
    separator = separators.most_common(1)[0][0]
    if shown:
        order = max(shown, key=lambda o: (shown[o], o == default_order(separator)))
        basis = f"column {column}: {example[order]!r} in {seen} shows it"
        if len(shown) > 1:
            other = sum(shown.values()) - shown[order]
            basis += (f", as {shown[order]} values do; {other} "
                      f"show{'s' if other == 1 else ''} the other order")
        return TimeReading(order=order, basis=basis)
    order = default_order(separator)
    return TimeReading(order=order, basis=f"column {column}: no value in {seen} shows the "
                       f"order; {order} is the default for dates written with {separator!r}")


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
        from workbench.errors import UsageError

        raise UsageError(f"{field}: {exc}", hint="use YYYY-MM-DD or ISO 8601") from exc
    return when
