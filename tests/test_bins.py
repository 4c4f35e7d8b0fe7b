"""Time bins: widths read from text, calendar bins, the width chosen from the span, axis formats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analyze import bins
from workbench.errors import WorkbenchError


def times(*values: str, tz: str = "UTC") -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True, format="ISO8601")).dt.tz_convert(tz)


def spread(start: str, end: str, n: int = 500, seed: int = 1) -> pd.Series:
    """``n`` random times from ``start`` to ``end`` (UTC), the two ends included."""
    first, last = pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC")
    offsets = np.random.default_rng(seed).integers(0, int((last - first).total_seconds()), n - 2)
    values = [first, last, *(first + pd.to_timedelta(offsets, unit="s"))]
    return pd.Series(pd.DatetimeIndex(values).as_unit("us"))


@pytest.mark.parametrize(("text", "canonical"), [
    ("1h", "1h"), ("15min", "15min"), ("15T", "15min"), ("1D", "1D"), ("7D", "7D"), ("1W", "1W"),
    ("W", "1W"), ("W-SUN", "1W"), ("2W-WED", "2W-WED"), ("1M", "1MS"), ("1MS", "1MS"), ("ME", "1MS"),
    ("3M", "3MS"), ("1Q", "1QS"), ("1Y", "1YS"), ("A", "1YS"), ("2 hours", "2h"), ("week", "1W"),
])
def test_widths_are_read_from_text_in_their_canonical_form(text, canonical):
    assert bins.parse_freq(text).text == canonical
    assert bins.check_freq(text) == canonical
    assert bins.check_freq(" AUTO ") == "auto"


@pytest.mark.parametrize("text", ["1X", "0h", "m", "", "ms", "1QS-FEB", "1h-MON", "soon"])
def test_what_is_not_a_width_is_refused_with_the_forms_that_are(text):
    with pytest.raises(WorkbenchError, match="time bin|at least|anchor") as caught:
        bins.parse_freq(text)
    assert "1W (weeks), 1M (months)" in caught.value.hint


def test_calendar_bins_start_at_the_analysts_midnight_monday_and_first_of_month():
    # Amsterdam: 2016-01-03 23:30 UTC is Monday 4 January 00:30; summer time starts 2017-03-26.
    local = times("2016-01-03T23:30Z", "2016-02-29T12:00Z", "2017-03-26T01:30Z", tz="Europe/Amsterdam")
    assert [t.isoformat() for t in bins.floor_times(local, "1W")] == [
        "2016-01-04T00:00:00+01:00", "2016-02-29T00:00:00+01:00", "2017-03-20T00:00:00+01:00"]
    assert [t.isoformat() for t in bins.floor_times(local, "1M")] == [
        "2016-01-01T00:00:00+01:00", "2016-02-01T00:00:00+01:00", "2017-03-01T00:00:00+01:00"]
    assert [t.isoformat() for t in bins.floor_times(local, "1D")][2] == "2017-03-26T00:00:00+01:00"
    assert [t.day_name() for t in bins.floor_times(local, "W-WED")] == ["Thursday"] * 3
    assert bins.floor_times(local, "1Q").dt.month.tolist() == [1, 1, 1]
    assert bins.floor_times(local, "1Y").dt.year.tolist() == [2016, 2016, 2017]
    # Hours are cut in UTC: the same instants in any whole-hour zone.
    assert bins.floor_times(local, "1h").iloc[2] == pd.Timestamp("2017-03-26T01:00Z")


def test_every_bin_between_two_times_on_the_calendar_across_summer_time():
    local = times("2017-03-01T12:00Z", "2017-04-15T12:00Z", tz="Europe/Amsterdam")
    days = bins.bin_range(*bins.floor_times(local, "1D"), "1D")
    assert len(days) == 46 and (days.hour == 0).all() and days.name == "time"
    weeks = bins.bin_range(*bins.floor_times(local, "1W"), "1W")
    assert (weeks.day_name() == "Monday").all() and (weeks.hour == 0).all() and len(weeks) == 7
    months = bins.bin_range(*bins.floor_times(local, "1MS"), "1MS")
    assert [t.strftime("%Y-%m-%d %H:%M") for t in months] == ["2017-03-01 00:00", "2017-04-01 00:00"]
    assert bins.bin_count(local, "1D") == 46 and bins.bin_count(local.iloc[:0], "1D") == 0
    with pytest.raises(WorkbenchError, match="more than"):
        bins.bin_range(pd.Timestamp("2000-01-01", tz="UTC"), pd.Timestamp("2024-01-01", tz="UTC"), "1min")


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2024-03-01T10:00Z", "2024-03-01T14:00Z", "1min"),
    ("2024-03-01", "2024-03-04", "15min"),
    ("2024-03-01", "2024-03-31", "3h"),
    ("2024-01-01", "2024-12-31", "1D"),
    ("2014-12-09", "2018-03-22", "1W"),
    ("2006-03-21", "2024-03-01", "1MS"),
    ("1990-01-01", "2024-03-01", "1QS"),
])
def test_the_width_is_chosen_from_the_span(start, end, expected):
    chosen = bins.choose_freq(spread(start, end), max_bins=400)
    assert chosen == expected
    assert bins.bin_count(spread(start, end), chosen) <= 400


@pytest.mark.far_dates
def test_the_chosen_width_never_gives_more_bins_than_the_cap():
    rng = np.random.default_rng(5)
    for _ in range(40):
        start = pd.Timestamp("2000-01-01", tz="UTC") + pd.Timedelta(seconds=int(rng.integers(0, 7e8)))
        end = start + pd.Timedelta(seconds=int(10 ** rng.uniform(2, 9.5)))
        cap = int(rng.integers(20, 600))
        span = spread(str(start), str(end), n=50)
        assert bins.bin_count(span, bins.choose_freq(span, max_bins=cap)) <= cap, (start, end, cap)
    centuries = times("0001-01-01", "2999-01-01")
    assert bins.bin_count(centuries, bins.choose_freq(centuries)) <= bins.MAX_BINS
    assert bins.choose_freq(times()) == "1D"


def test_a_finest_width_is_kept_when_it_fits_and_coarsened_when_not():
    years = spread("2015-01-01", "2017-12-31")
    assert bins.choose_freq(years, max_bins=5000, finest="1D") == "1D"
    assert bins.choose_freq(years, max_bins=300, finest="1D") == "1W"
    assert bins.choose_freq(years, max_bins=50, finest="1D") == "1MS"
    assert bins.choose_freq(years, max_bins=50, finest="2D") == "1MS"


def test_an_explicit_width_wins_over_auto_unless_it_makes_absurdly_many_bins():
    years = spread("2015-01-01", "2017-12-31")
    assert bins.resolve_freq("auto", years) == "1W"
    assert bins.resolve_freq("", years) == "1W"
    assert bins.resolve_freq("1D", years) == "1D"
    assert bins.resolve_freq("1M", years) == "1MS"
    assert bins.resolve_freq("1h", years) == "1h"  # 26,000 bins: fine to count, coarsened to draw
    with pytest.raises(WorkbenchError, match="more than 200,000") as caught:
        bins.resolve_freq("1min", years)
    assert "1W" in caught.value.hint


@pytest.mark.far_dates
def test_items_with_implausible_dates_are_not_binned():
    items = pd.DataFrame({"created_at": pd.to_datetime(
        ["2016-05-01T10:00Z", "2016-05-03T10:00Z", "2999-01-01T00:00Z", "2001-01-01T00:00Z"], utc=True),
        "platform": "twitter"})
    assert len(bins.local_times(items)) == 2
    assert len(bins.local_times(items, plausible_only=False)) == 4
    assert bins.choose_freq(items) == "15min"  # two days apart, not a thousand years


@pytest.mark.parametrize(("start", "end", "fmt"), [
    ("2024-03-01T10:00", "2024-03-02T10:00", "%d %b %H:%M"),
    ("2023-12-31T10:00", "2024-01-01T10:00", "%d %b %Y %H:%M"),
    ("2024-03-01", "2024-05-01", "%d %b"),
    ("2023-12-01", "2024-02-01", "%d %b %Y"),
    ("2015-01-01", "2018-03-22", "%b %Y"),
    ("2000-01-01", "2024-01-01", "%Y"),
])
def test_time_axes_carry_the_year_when_the_span_crosses_one(start, end, fmt):
    assert bins.axis_format(pd.Timestamp(start), pd.Timestamp(end)) == fmt


def test_a_forecast_season_follows_the_width():
    assert [bins.season(f) for f in ("1h", "6h", "1D", "1W", "1M", "1Q", "7D", "5min")] == [
        24, 4, 7, 52, 12, 4, None, None]
    assert bins.describe("1h") == "hour" and bins.describe("6h") == "6 hours"
    assert bins.describe("1MS") == "month"
