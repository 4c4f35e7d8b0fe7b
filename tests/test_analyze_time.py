"""Timelines, hour-of-week activity, bursts with their driving terms, forecasts and emerging terms."""

from __future__ import annotations

import time

import altair as alt
import numpy as np
import pandas as pd
import pytest

from workbench.analyze import timeline, trends
from workbench.analyze.trend_chart import trend_chart
from workbench.errors import WorkbenchError

T0 = pd.Timestamp("2024-03-01T00:00:00Z")
QUIET = ["the weather is mild in town", "coffee with friends downtown", "traffic on the bridge again",
         "reading a good book tonight", "the market was busy this morning"]


def frame(rows: list[dict]) -> pd.DataFrame:
    """Items as case.items() gives them, with only the columns these tests need."""
    items = pd.DataFrame(rows)
    items["created_at"] = pd.to_datetime(items["created_at"], utc=True).astype("datetime64[us, UTC]")
    for column, default in (("platform", "twitter"), ("text", ""), ("sentiment", np.nan)):
        if column not in items:
            items[column] = default
    if "hashtags" not in items:
        items["hashtags"] = [[] for _ in range(len(items))]
    return items


def burst_frame(seed: int = 7) -> pd.DataFrame:
    """Three days of a quiet Poisson background (~4 an hour), then 60 "explosion" posts in hour 60."""
    rng = np.random.default_rng(seed)
    rows = []
    for hour in range(72):
        for _ in range(rng.poisson(4)):
            when = T0 + pd.Timedelta(hours=hour, seconds=int(rng.integers(0, 3600)))
            rows.append({"created_at": when, "text": QUIET[int(rng.integers(0, len(QUIET)))],
                         "hashtags": []})
    for i in range(60):
        when = T0 + pd.Timedelta(hours=60, seconds=int(rng.integers(0, 3600)))
        rows.append({"created_at": when, "text": f"huge explosion at the harbour, smoke everywhere {i}",
                     "hashtags": ["HarbourBlast"]})
    return frame(rows)


def test_volume_counts_bins_and_fills_gaps():
    items = frame([{"created_at": "2024-03-01T10:05Z", "platform": "reddit"},
                   {"created_at": "2024-03-01T10:55Z", "platform": "twitter"},
                   {"created_at": "2024-03-01T13:00Z", "platform": "twitter"}])
    total = timeline.volume(items, "1h")
    assert total["count"].tolist() == [2, 0, 0, 1]
    split = timeline.volume(items, "1h", by="platform")
    assert len(split) == 8
    at_ten = split[split["time"] == pd.Timestamp("2024-03-01T10:00Z")].set_index("platform")["count"]
    assert at_ten.to_dict() == {"reddit": 1, "twitter": 1}


def test_daily_bins_follow_the_analysts_midnight():
    # 23:30 UTC on the 1st is 00:30 on the 2nd in Amsterdam (UTC+1 in March).
    items = frame([{"created_at": "2024-03-01T22:30Z"}, {"created_at": "2024-03-01T23:30Z"}])
    assert timeline.volume(items, "1D")["count"].tolist() == [2]
    local = timeline.volume(items, "1D", tz="Europe/Amsterdam")
    assert local["count"].tolist() == [1, 1]
    assert str(local["time"].dt.tz) == "Europe/Amsterdam"


def test_volume_by_sentiment_band_and_keyword():
    items = frame([{"created_at": "2024-03-01T10:00Z", "sentiment": -0.6, "text": "Fire at the plant"},
                   {"created_at": "2024-03-01T10:10Z", "sentiment": 0.0, "text": "firefighters arrive"},
                   {"created_at": "2024-03-01T10:20Z", "sentiment": 0.7, "text": "smoke and FIRE"},
                   {"created_at": "2024-03-01T10:30Z", "text": "nothing", "hashtags": ["smoke"]}])
    bands = timeline.volume(items, "1h", by="sentiment").set_index("sentiment")["count"]
    assert bands.to_dict() == {"negative": 1, "neutral": 1, "positive": 1, "unscored": 1}
    words = timeline.volume(items, "1h", by="keyword", keywords=["fire", "#smoke"]).set_index("keyword")
    # whole words only: "firefighters" is not "fire"; the hashtag counts too
    assert words["count"].to_dict() == {"fire": 2, "#smoke": 2}
    with pytest.raises(WorkbenchError, match="no such column"):
        timeline.volume(items, "1h", by="colour")


def test_hour_of_week_is_exact_on_a_tiny_frame():
    items = frame([
        {"created_at": "2024-03-04T09:15Z", "author_handle": "anna", "author_id": "1"},  # Monday
        {"created_at": "2024-03-04T09:45Z", "author_handle": "anna", "author_id": "1"},
        {"created_at": "2024-03-10T23:30Z", "author_handle": "Bob", "author_id": "2"},  # Sunday
    ])
    cells = timeline.hour_of_week(items)
    assert len(cells) == 168 and cells["count"].sum() == 3
    hits = cells[cells["count"] > 0]
    assert hits[["day", "hour", "count"]].values.tolist() == [["Mon", 9, 2], ["Sun", 23, 1]]
    # In Amsterdam Sunday 23:30 UTC is Monday 00:30
    local = timeline.hour_of_week(items, account="@bob", tz="Europe/Amsterdam")
    assert local[local["count"] > 0][["day", "hour", "count"]].values.tolist() == [["Mon", 0, 1]]
    assert timeline.hour_of_week(items, account="1")["count"].sum() == 2
    with pytest.raises(WorkbenchError, match="no items by account"):
        timeline.hour_of_week(items, account="nobody")
    chart = timeline.activity_chart(items, account="anna")
    assert isinstance(chart, alt.Chart) and len(chart.data) == 168


def test_a_million_items_chart_only_the_aggregate():
    rng = np.random.default_rng(1)
    n = 1_000_000
    seconds = rng.integers(0, 30 * 86400, n)
    items = pd.DataFrame({
        "created_at": (T0 + pd.to_timedelta(seconds, unit="s")).astype("datetime64[us, UTC]"),
        "platform": rng.choice(["twitter", "reddit", "telegram", "bluesky", "mastodon"], n)})
    started = time.perf_counter()
    chart = timeline.volume_chart(items, "1h", by="platform")
    spec = chart.to_dict()  # raises MaxRowsError if the rows were shipped
    elapsed = time.perf_counter() - started
    assert len(chart.data) == 30 * 24 * 5
    assert set(chart.data.columns) == {"time", "platform", "count"}
    assert chart.data["count"].sum() == n
    assert len(spec["datasets"]) == 1
    assert elapsed < 5


def test_chart_with_notes_and_facets():
    items = frame([{"created_at": f"2024-03-01T{h:02d}:10Z", "platform": p}
                   for h in range(6) for p in ("reddit", "twitter")])
    notes = pd.DataFrame({"time": ["2024-03-01T03:00Z"], "label": ["<script>alert(1)</script> press call"]})
    layered = timeline.volume_chart(items, "1h", notes=notes)
    assert isinstance(layered, alt.LayerChart)
    faceted = timeline.volume_chart(items, "1h", by="platform", facet=True, notes=notes,
                                    tz="Europe/Amsterdam")
    assert isinstance(faceted, alt.VConcatChart) and len(faceted.vconcat) == 2
    # Times reach Vega-Lite as wall-clock times in the analyst's zone: 03:00 UTC is 04:00 in Amsterdam.
    assert timeline.notes_frame(notes, "Europe/Amsterdam")["time"].iloc[0] == pd.Timestamp("2024-03-01 04:00")
    faceted.to_dict()


def test_a_bin_too_fine_to_draw_is_coarsened_for_the_chart_never_refused():
    items = frame([{"created_at": "2024-03-01"}, {"created_at": "2024-03-09"}])
    chart = timeline.volume_chart(items, "1min")  # 11,521 one-minute bins
    assert len(chart.data) <= timeline.MAX_CHART_ROWS
    spec = chart.to_dict()
    assert "drawn per" in spec["title"]["subtitle"] and "1min" in spec["title"]["subtitle"]
    assert spec["encoding"]["y"]["title"] == "items per 5 minutes"  # the finest bin that fits
    assert timeline.volume(items, "1min")["count"].sum() == 2  # the counts themselves keep the bin


def test_burst_window_and_its_driving_term():
    items = burst_frame()
    bursts = trends.detect_bursts(items, "1h")
    assert len(bursts) == 1
    burst = bursts.iloc[0]
    assert burst["start"] == T0 + pd.Timedelta(hours=60)
    assert burst["end"] == T0 + pd.Timedelta(hours=61)
    assert burst["count"] >= 60 and 2 < burst["baseline"] < 6 and burst["score"] > 10
    top = burst["terms"][0]
    assert top["term"] == "explosion" and top["count"] == 60 and top["baseline_count"] == 0
    assert burst["hashtags"][0]["term"] == "harbourblast"
    scores = trends.burst_scores(trends.counts_series(items, "1h"))
    assert scores["score"].idxmax() == 60


def test_quiet_background_has_no_burst():
    items = burst_frame()
    quiet = items[~items["text"].str.contains("explosion")]
    assert trends.detect_bursts(quiet, "1h").empty


def test_term_and_hashtag_series():
    items = burst_frame()
    series = trends.term_series(items, ["Explosion", "coffee"], freq="1h")
    explosion = series[series["term"] == "explosion"].set_index("time")["count"]
    assert explosion.sum() == 60 and explosion[T0 + pd.Timedelta(hours=60)] == 60
    assert len(series) == 2 * 72
    tags = trends.hashtag_series(items, freq="1D")
    assert tags.groupby("term")["count"].sum().to_dict() == {"harbourblast": 60}
    assert trends.terms("Check https://x.org @bob the BIG #Explosion, 2024!") == ["check", "big", "explosion"]


def test_forecast_interval_contains_the_truth():
    rng = np.random.default_rng(3)
    index = pd.date_range("2024-03-01", periods=120, freq="1h", tz="UTC")
    truth = 50 + 0.5 * np.arange(130)
    series = pd.Series(truth[:120] + rng.normal(0, 2, 120), index=index)
    for method in ("ets", "sarimax"):
        result = trends.forecast(series, horizon=10, method=method, seasonal_periods=None)
        assert list(result.columns) == ["time", "forecast", "lower", "upper"]
        assert result["time"].iloc[0] == index[-1] + pd.Timedelta("1h")
        inside = (result["lower"] <= truth[120:]) & (truth[120:] <= result["upper"])
        assert inside.all(), method
        assert (result["lower"] < result["forecast"]).all() and (result["forecast"] < result["upper"]).all()


def test_forecast_from_items_with_a_daily_season():
    items = burst_frame()
    result = trends.forecast(items, horizon=6)
    assert len(result) == 6 and (result["lower"] >= 0).all()


def test_emerging_terms_rank_the_rising_share_first():
    rows = [{"created_at": T0 + pd.Timedelta(hours=h), "text": "coffee and bread"} for h in range(48)]
    rows += [{"created_at": T0 + pd.Timedelta(hours=48 + h),
              "text": "evacuation ordered" if h % 2 else "coffee again"} for h in range(24)]
    emerging = trends.emerging_terms(frame(rows), recent="1D", min_count=3)
    assert emerging["term"].iloc[0] == "evacuation"
    first = emerging.iloc[0]
    assert first["earlier_count"] == 0 and first["recent_count"] == 12
    assert "bread" not in set(emerging["term"])  # its share fell


def test_demo_burst_at_the_explosion(demo_case):
    from workbench.demo.story import EVENT

    items = demo_case.items()
    bursts = trends.detect_bursts(items, "1h")
    hit = bursts[(bursts["start"] <= EVENT + pd.Timedelta(hours=1)) & (bursts["end"] > EVENT)]
    assert len(hit) == 1, bursts[["start", "end", "count", "score"]]
    words = {d["term"] for d in hit.iloc[0]["terms"]} | {d["term"] for d in hit.iloc[0]["hashtags"]}
    assert {"fire", "brand"} <= words and "botlekfire" in words, words


def test_empty_and_bad_input_give_empty_frames_or_clear_errors():
    empty = frame([{"created_at": "2024-03-01T10:00Z"}]).iloc[0:0]
    assert timeline.volume(empty, "1h").empty and timeline.volume(empty, "1h", by="platform").empty
    assert trends.detect_bursts(empty).empty and trends.emerging_terms(empty).empty
    assert timeline.volume(frame([{"created_at": "2024-03-01T10:00Z", "text": "x"}]), "1h", by="keyword",
                           keywords=["fire"]).empty
    with pytest.raises(WorkbenchError, match="created_at"):
        timeline.volume(pd.DataFrame({"created_at": ["not a time"]}))
    with pytest.raises(WorkbenchError, match="unknown forecast method"):
        trends.forecast(burst_frame(), method="crystal ball")
    with pytest.raises(WorkbenchError, match="at least 10 bins"):
        trends.forecast(frame([{"created_at": "2024-03-01T10:00Z"}]))


def years_frame(seed: int = 11) -> pd.DataFrame:
    """Three years (2015-2017) of quiet posts, about 12 a day, with a burst of "ballot" posts in the
    week of 2016-11-07 (a Monday), and a few items dated 2999 or before Twitter existed."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2015-01-01T00:00Z")
    seconds = rng.integers(0, 3 * 365 * 86400, 13_000)
    rows = [{"created_at": start + pd.Timedelta(seconds=int(s)), "text": QUIET[i % len(QUIET)],
             "platform": ("twitter", "reddit")[i % 2]} for i, s in enumerate(seconds)]
    rows += [{"created_at": pd.Timestamp("2016-11-07T00:00Z") + pd.Timedelta(seconds=int(s)),
              "text": f"ballot recount now {i}", "hashtags": ["Recount"], "platform": "twitter"}
             for i, s in enumerate(rng.integers(0, 7 * 86400, 600))]
    rows += [{"created_at": pd.Timestamp("2999-01-01T00:00Z") + pd.Timedelta(days=i), "text": "future",
              "platform": "twitter"} for i in range(30)]
    rows.append({"created_at": pd.Timestamp("2001-01-01T00:00Z"), "text": "too early", "platform": "twitter"})
    items = frame(rows)
    items["hashtags"] = [h if isinstance(h, list) else [] for h in items["hashtags"]]
    return items


@pytest.mark.far_dates
def test_calendar_bins_work_for_volume_terms_bursts_and_forecasts():
    items = years_frame()
    weekly = timeline.volume(items, "1W")
    assert weekly.attrs["freq"] == "1W" and (weekly["time"].dt.day_name() == "Monday").all()
    assert weekly["time"].max() < pd.Timestamp("2018-01-01T00:00Z")  # 2999 left out of the bins
    assert weekly["count"].sum() == 13_600
    monthly = trends.term_series(items, ["ballot"], freq="1M")
    assert monthly.attrs["freq"] == "1MS" and len(monthly) == 36
    assert monthly.set_index("time")["count"][pd.Timestamp("2016-11-01T00:00Z")] == 600
    bursts = trends.detect_bursts(items, "1W")
    assert len(bursts) == 1
    burst = bursts.iloc[0]
    assert burst["start"] == pd.Timestamp("2016-11-07T00:00Z")  # a Monday: the week bin
    assert burst["end"] == pd.Timestamp("2016-11-14T00:00Z")
    assert burst["terms"][0]["term"] in {"ballot", "recount"}
    ahead = trends.forecast(items, freq="1M", horizon=6, seasonal_periods=None)
    assert [t.strftime("%Y-%m-%d") for t in ahead["time"]] == [
        "2018-01-01", "2018-02-01", "2018-03-01", "2018-04-01", "2018-05-01", "2018-06-01"]
    assert (ahead["lower"] >= 0).all()
    weeks_ahead = trends.forecast(items, freq="1W", horizon=3, seasonal_periods=None)
    assert (weeks_ahead["time"].dt.day_name() == "Monday").all()
    assert trends.counts_series(items, "auto").attrs["freq"] == "1W"
    started = time.perf_counter()  # 26,000 hourly bins: only the most recent are fitted
    hourly = trends.forecast(items, freq="1h", horizon=3, seasonal_periods=None, history=500)
    assert len(hourly) == 3 and time.perf_counter() - started < 10


@pytest.mark.far_dates
def test_multi_year_charts_fit_and_label_the_year():
    items = years_frame()
    daily = timeline.volume_chart(items, "1D", by="platform")  # 1,096 days x 2 platforms
    spec = daily.to_dict()  # raises MaxRowsError if the chart carried too many rows
    assert len(daily.data) <= timeline.MAX_CHART_ROWS
    assert spec["encoding"]["x"]["axis"]["format"] == "%b %Y"
    auto = timeline.volume_chart(items, "auto", by="platform")
    assert auto.data.attrs["freq"] == "1W" and len(auto.data) < 400
    assert auto.data["time"].max() < pd.Timestamp("2018-01-01")
    for freq in ("auto", "1D", "1h"):
        chart = trend_chart(items, freq, top=8)
        shown = chart.to_dict()
        assert len(chart.data) <= timeline.MAX_CHART_ROWS
        assert shown["spec"]["encoding"]["x"]["axis"]["format"] == "%b %Y"
        assert set(chart.data["kind"]) == {"terms", "hashtags"}
        if freq != "auto":
            assert "drawn per" in shown["title"]["subtitle"]


@pytest.mark.far_dates
def test_items_dated_2999_do_not_make_millions_of_bins():
    items = years_frame()
    started = time.perf_counter()
    counts = timeline.volume(items, "1h")
    elapsed = time.perf_counter() - started
    assert 26_000 < len(counts) <= 3 * 365 * 24 and elapsed < 3
    only_future = items[items["created_at"] > pd.Timestamp("2900-01-01T00:00Z")]
    assert timeline.volume(only_future, "auto").empty
    assert timeline.volume_chart(only_future, "auto", by="platform").to_dict()["data"]
    assert trends.detect_bursts(only_future, "auto").empty
