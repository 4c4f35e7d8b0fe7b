"""Time bins: the items' times, a bin width read from text, chosen from the span, and axis labels.

Every time analysis (timelines, term trends, bursts, forecasts) bins through this module, so all
of them accept the same widths and leave out the same items:

- :func:`local_times`: the items' times in the analyst's zone, without those whose date is
  implausible (:mod:`workbench.analyze.dates`).
- :func:`parse_freq`: a width as text: fixed (``15min``, ``1h``, ``6h``, ``1D``, ``7D``) or calendar
  (``1W`` weeks from Monday, ``1M``/``1MS`` months, ``1Q`` quarters, ``1Y`` years).
- :func:`choose_freq`: the finest width of :data:`LADDER` that gives at most ``max_bins`` bins
  over the times' span; :func:`resolve_freq` lets an explicit width win over ``"auto"``.
- :func:`floor_times` and :func:`bin_range`: the bin of each time and every bin between two.
- :func:`axis_format`: how a time axis over a span is labelled (the year on multi-year spans).

Bins shorter than a day are cut in UTC (the same instants in any whole-hour zone); a day and
longer at the analyst's midnight, weeks from Monday, months, quarters and years on the calendar.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.analyze.dates import plausible
from workbench.errors import WorkbenchError

AUTO = "auto"
#: Widths :func:`choose_freq` tries, finest first.
LADDER = ("1min", "5min", "15min", "30min", "1h", "3h", "6h", "12h", "1D", "1W", "1MS", "1QS", "1YS")
#: Bins a chosen width gives at most by default: a timeline 720 pixels wide shows them all.
MAX_BINS = 400
#: The most bins an explicit width may make: beyond this, counting and drawing grind.
LIMIT_BINS = 200_000
FREQ_HINT = "give auto, or a number and a unit: 15min, 1h, 6h, 1D, 7D, 1W (weeks), 1M (months), 1Q, 1Y"

_DAY = pd.Timedelta("1D")
_UNITS = {  # spelling -> (unit, canonical suffix)
    **{k: ("s", "s") for k in ("s", "S", "sec", "second", "seconds")},
    **{k: ("min", "min") for k in ("min", "T", "minute", "minutes")},
    **{k: ("h", "h") for k in ("h", "H", "hour", "hours")},
    **{k: ("D", "D") for k in ("D", "d", "day", "days")},
    **{k: ("W", "W") for k in ("W", "w", "week", "weeks")},
    **{k: ("M", "MS") for k in ("M", "MS", "ME", "month", "months")},
    **{k: ("Q", "QS") for k in ("Q", "QS", "QE", "quarter", "quarters")},
    **{k: ("Y", "YS") for k in ("Y", "YS", "YE", "A", "AS", "year", "years")},
}
_NOMINAL = {"s": pd.Timedelta("1s"), "min": pd.Timedelta("1min"), "h": pd.Timedelta("1h"), "D": _DAY,
            "W": 7 * _DAY, "M": pd.Timedelta(days=30.436875), "Q": pd.Timedelta(days=91.310625),
            "Y": pd.Timedelta(days=365.2425)}
_NAMES = {"s": "second", "min": "minute", "h": "hour", "D": "day", "W": "week", "M": "month",
          "Q": "quarter", "Y": "year"}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_TEXT = re.compile(r"^\s*(\d+)?\s*([A-Za-z]+)(?:-([A-Za-z]{3}))?\s*$")
_EPOCH_MONDAY = 4  # 1970-01-01 was a Thursday: day 4 is the first Monday (1970-01-05)


@dataclass(frozen=True)
class TimeBin:
    """A bin width: ``n`` of a ``unit`` (s, min, h, D, W, M, Q, Y); weeks end on ``week_end``."""

    n: int
    unit: str
    week_end: str = "SUN"

    @property
    def text(self) -> str:
        """The canonical text: ``15min``, ``1h``, ``1D``, ``1W``, ``1MS``, ``1QS``, ``1YS``."""
        suffix = _UNITS[self.unit][1]
        anchor = f"-{self.week_end}" if self.unit == "W" and self.week_end != "SUN" else ""
        return f"{self.n}{suffix}{anchor}"

    @property
    def nominal(self) -> pd.Timedelta:
        """The width as a duration (a month is its average length)."""
        return self.n * _NOMINAL[self.unit]

    @property
    def calendar(self) -> bool:
        """Cut on the local calendar (a day and longer) rather than in UTC."""
        return self.unit not in ("s", "min", "h")

    @property
    def step(self) -> pd.Timedelta | pd.DateOffset:
        """What to add to a bin's start to reach the next one's (a calendar offset for calendar bins)."""
        if not self.calendar:
            return self.nominal
        return {"D": pd.DateOffset(days=self.n), "W": pd.DateOffset(days=7 * self.n),
                "M": pd.DateOffset(months=self.n), "Q": pd.DateOffset(months=3 * self.n),
                "Y": pd.DateOffset(years=self.n)}[self.unit]

    def describe(self) -> str:
        """The width in words: ``hour``, ``6 hours``, ``week``, ``month``."""
        name = _NAMES[self.unit]
        return name if self.n == 1 else f"{self.n} {name}s"

    def ordinals(self, times: pd.Series) -> np.ndarray:
        """Each time's bin as a whole number (consecutive bins differ by 1); times are tz-aware."""
        if self.calendar:
            wall = times.dt.tz_localize(None) if times.dt.tz is not None else times
            values = wall.to_numpy()
            if self.unit in ("D", "W"):
                days = values.astype("datetime64[D]").astype(np.int64)
                if self.unit == "D":
                    return days // self.n
                return (days - self._week_origin()) // (7 * self.n)
            if self.unit == "Y":
                return values.astype("datetime64[Y]").astype(np.int64) // self.n
            months = values.astype("datetime64[M]").astype(np.int64)
            return months // (self.n * (3 if self.unit == "Q" else 1))
        utc = times.dt.tz_convert("UTC").dt.tz_localize(None) if times.dt.tz is not None else times
        values = utc.to_numpy()
        unit = np.datetime_data(values.dtype)[0]
        step = int(self.nominal / pd.Timedelta(1, unit=unit))
        return values.view(np.int64) // step

    def starts(self, ordinals: np.ndarray, tz, unit: str = "us") -> pd.DatetimeIndex:
        """The start of each bin numbered ``ordinals`` (see :meth:`ordinals`), in zone ``tz``."""
        ordinals = np.asarray(ordinals, dtype=np.int64)
        if not self.calendar:
            step = int(self.nominal / pd.Timedelta(1, unit=unit))
            utc = pd.DatetimeIndex((ordinals * step).astype(f"datetime64[{unit}]"))
            return utc.tz_localize("UTC").tz_convert(tz) if tz is not None else utc
        if self.unit == "D":
            wall = (ordinals * self.n).astype("datetime64[D]")
        elif self.unit == "W":
            wall = (ordinals * 7 * self.n + self._week_origin()).astype("datetime64[D]")
        elif self.unit == "Y":
            wall = (ordinals * self.n).astype("datetime64[Y]")
        else:
            wall = (ordinals * self.n * (3 if self.unit == "Q" else 1)).astype("datetime64[M]")
        index = pd.DatetimeIndex(wall.astype(f"datetime64[{unit}]"))
        if tz is None:
            return index
        return index.tz_localize(tz, ambiguous=np.zeros(len(index), dtype=bool),
                                 nonexistent="shift_forward")

    def _week_origin(self) -> int:
        # A week ending on `week_end` starts the day after it.
        return _EPOCH_MONDAY + (_WEEKDAYS.index(self.week_end) + 1) % 7


@lru_cache(maxsize=256)
def parse_freq(value: str) -> TimeBin:
    """A bin width read from text: ``15min``, ``1h``, ``1D``, ``7D``, ``1W`` (or ``W-SUN``, weeks
    from Monday; ``W-WED`` weeks ending Wednesday), ``1M``/``1MS``/``1ME`` (months), ``1Q``,
    ``1Y``, or words (``2 hours``, ``week``). Raises :class:`WorkbenchError` for anything else,
    and for bins shorter than a second.
    """
    text = str(value).strip()
    match = _TEXT.match(text)
    if not match or match.group(2) not in _UNITS:
        raise WorkbenchError(f"{value!r} is not a time bin", hint=FREQ_HINT)
    count, spelling, anchor = match.groups()
    n = int(count) if count else 1
    unit = _UNITS[spelling][0]
    if n < 1:
        raise WorkbenchError(f"{value!r}: a time bin must be at least 1 {_NAMES[unit]}", hint=FREQ_HINT)
    if anchor:
        if unit != "W" or anchor.upper() not in _WEEKDAYS:
            raise WorkbenchError(f"{value!r}: only weeks take an anchor (W-SUN ... W-SAT)", hint=FREQ_HINT)
        return TimeBin(n, unit, anchor.upper())
    return TimeBin(n, unit)


def check_freq(value: str) -> str:
    """``value`` as the canonical text of its width (``1M`` gives ``1MS``); ``auto`` stays auto."""
    if str(value).strip().lower() == AUTO:
        return AUTO
    return parse_freq(value).text


def describe(freq: str) -> str:
    """A width in words for titles: ``hour``, ``6 hours``, ``day``, ``week``, ``month``."""
    return parse_freq(freq).describe()


def local_times(items: pd.DataFrame, tz: str = "UTC", *, plausible_only: bool = True) -> pd.Series:
    """The items' ``created_at`` in zone ``tz``; items without a time are left out, and so are those
    with an implausible date (see :func:`workbench.analyze.dates.date_problems`) unless
    ``plausible_only`` is False. Indexed like ``items``."""
    if "created_at" not in items.columns:
        raise WorkbenchError("the items have no created_at column", hint="pass the frame from case.items()")
    try:
        times = pd.to_datetime(items["created_at"], utc=True)
    except (ValueError, TypeError) as error:
        raise WorkbenchError(f"created_at holds a value that is not a time ({error})") from error
    if plausible_only:
        times = times[plausible(items).to_numpy()]
    return times.dropna().dt.tz_convert(tz)


def floor_times(times: pd.Series, freq: str) -> pd.Series:
    """The start of each tz-aware time's bin of width ``freq`` (see the module doc for where bins
    are cut), in the times' zone."""
    width = parse_freq(freq)
    if times.empty:
        return times.copy()
    ordinals = width.ordinals(times)
    if width.calendar:  # each distinct bin's start made once: placing it in a zone costs per time
        codes, ordinals = pd.factorize(ordinals)
        starts = width.starts(ordinals, times.dt.tz, _unit(times)).take(codes)
    else:
        starts = width.starts(ordinals, times.dt.tz, _unit(times))
    return pd.Series(starts, index=times.index, name=times.name)


def bin_range(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Every bin start of width ``freq`` from the bin of ``first`` to that of ``last`` (named
    ``time``). Refuses more than :data:`LIMIT_BINS` bins."""
    width = parse_freq(freq)
    ends = pd.Series([first, last])
    ordinals = width.ordinals(ends)
    count = int(ordinals[1] - ordinals[0]) + 1
    if count > LIMIT_BINS:
        raise WorkbenchError(f"bins of {width.text} from {first:%Y-%m-%d} to {last:%Y-%m-%d} would be "
                             f"{count:,}, more than {LIMIT_BINS:,}",
                             hint=f"choose a coarser bin, e.g. {choose_freq(ends)}")
    index = width.starts(np.arange(ordinals[0], ordinals[1] + 1), ends.dt.tz, _unit(ends))
    return index.rename("time")


def bin_count(times: pd.Series, freq: str) -> int:
    """How many bins of width ``freq`` span ``times`` (first to last, empty ones included)."""
    if times.empty:
        return 0
    width = parse_freq(freq)
    ordinals = width.ordinals(pd.Series([times.min(), times.max()]))
    return int(ordinals[1] - ordinals[0]) + 1


def choose_freq(times: pd.Series | pd.DataFrame, *, max_bins: int = MAX_BINS, finest: str | None = None,
                tz: str = "UTC") -> str:
    """The finest width of :data:`LADDER` giving at most ``max_bins`` bins over the span of ``times``.

    ``times`` are tz-aware times, or items (their plausible times in ``tz``, see
    :func:`local_times`). With ``finest``, that width is kept if it fits, else the finest coarser
    one that does (for charts that cannot carry every bin). Beyond the ladder, whole numbers of
    years. No times: ``1D`` (or ``finest``).
    """
    if isinstance(times, pd.DataFrame):
        times = local_times(times, tz)
    floor = parse_freq(finest) if finest else None
    if times.empty:
        return floor.text if floor else "1D"
    first, last = times.min(), times.max()
    ends = pd.Series([first, last])
    span = last - first
    candidates = [parse_freq(f) for f in LADDER]
    if floor is not None:
        candidates = [floor] + [c for c in candidates if c.nominal > floor.nominal]
    for width in candidates:
        if span / width.nominal > 1.5 * max_bins + 2:  # far too many: skip the exact count
            continue
        ordinals = width.ordinals(ends)
        if ordinals[1] - ordinals[0] + 1 <= max_bins:
            return width.text
    years = last.year - first.year + 1
    return f"{max(2, math.ceil(years / max(max_bins - 1, 1)))}YS"


def resolve_freq(value: str, times: pd.Series | pd.DataFrame, *, max_bins: int = MAX_BINS,
                 tz: str = "UTC") -> str:
    """The width to bin by: ``value`` itself (canonical) when given, or :func:`choose_freq`'s pick
    for ``"auto"`` (or empty). An explicit width that would make more than :data:`LIMIT_BINS` bins
    is refused, naming the width ``auto`` would choose."""
    if value is None or str(value).strip() == "" or str(value).strip().lower() == AUTO:
        return choose_freq(times, max_bins=max_bins, tz=tz)
    text = parse_freq(value).text
    if isinstance(times, pd.DataFrame):
        times = local_times(times, tz)
    count = bin_count(times, text)
    if count > LIMIT_BINS:
        raise WorkbenchError(
            f"bins of {text} over {times.min():%Y-%m-%d} to {times.max():%Y-%m-%d} would be "
            f"{count:,}, more than {LIMIT_BINS:,}",
            hint=f"choose a coarser bin, e.g. {choose_freq(times, max_bins=max_bins)}, or auto")
    return text


def season(freq: str) -> int | None:
    """The bins in one natural cycle for a width: a day of hours, a week of days, a year of weeks
    or months or quarters; None when there is no such cycle (for a forecast's seasonal term)."""
    width = parse_freq(freq)
    if width.unit == "h" and 24 % width.n == 0:
        return 24 // width.n
    if width.unit == "min" and 1440 % width.n == 0 and width.n >= 15:
        return 1440 // width.n
    return {("D", 1): 7, ("W", 1): 52, ("M", 1): 12, ("Q", 1): 4}.get((width.unit, width.n))


def axis_format(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """A d3 time format for an axis from ``first`` to ``last``: hours over days, dates over weeks
    and months, months and years over years; the year whenever the span crosses one."""
    if pd.isna(first) or pd.isna(last):
        return "%d %b %Y"
    span = last - first
    other_year = first.year != last.year
    if span <= pd.Timedelta("7D"):
        return "%d %b %Y %H:%M" if other_year else "%d %b %H:%M"
    if span <= pd.Timedelta("150D"):
        return "%d %b %Y" if other_year else "%d %b"
    if span <= pd.Timedelta(days=365.25 * 8):
        return "%b %Y"
    return "%Y"


def _unit(times: pd.Series) -> str:
    dtype = times.dtype
    base = getattr(dtype, "unit", None)
    return base or np.datetime_data(dtype)[0]
