"""Volume over time and hour-of-week activity: pandas aggregates first, altair charts drawn from them.

Every chart here aggregates the items in pandas and ships only the aggregate to the browser, so a
case of a million items draws a few thousand rows, never the items themselves. The aggregation
functions (:func:`volume`, :func:`hour_of_week`) are public so templates and tests use the same
numbers the charts show.

Time is UTC inside and binned in the analyst's zone (``tz``): hourly and finer bins are cut in UTC
(the same instants in any whole-hour zone), daily and coarser bins at local midnight.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from workbench.analyze.bins import (
    axis_format,
    bin_range,
    choose_freq,
    describe,
    floor_times,
    local_times,
    resolve_freq,
)
from workbench.errors import WorkbenchError

__all__ = ["floor_times", "local_times"]  # re-exported: trends and older callers import them from here

#: Sentiment bands on the VADER compound score (the thresholds VADER's authors recommend).
SENTIMENT_THRESHOLD = 0.05
#: Rows an inline chart may carry; altair itself refuses more than 5,000 by default.
MAX_CHART_ROWS = 5000
#: Timelines have a fixed width: JupyterLab sizes an output to its content, so a chart as wide as
#: its container never settles there (the page stops responding).
CHART_WIDTH = 720
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def sentiment_band(scores: pd.Series, threshold: float = SENTIMENT_THRESHOLD) -> pd.Series:
    """Label VADER compound scores negative / neutral / positive; NaN becomes "unscored"."""
    scores = pd.to_numeric(scores, errors="coerce")
    bands = np.select([scores <= -threshold, scores >= threshold, scores.notna()],
                      ["negative", "positive", "neutral"], default="unscored")
    return pd.Series(bands, index=scores.index, name="sentiment")


def keyword_hits(items: pd.DataFrame, keywords: Sequence[str]) -> pd.DataFrame:
    """One row per (item, keyword) whose text (or hashtags) holds the keyword as a whole word.

    Matching ignores case and a leading ``#``; an item that names two keywords counts for both.
    Returns the item's ``index`` and the ``keyword``.
    """
    texts = items["text"].fillna("").astype(str) if "text" in items.columns else pd.Series("", items.index)
    if "hashtags" in items.columns:
        tags = items["hashtags"].map(
            lambda v: " ".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else "")
        texts = texts + " " + tags
    frames = []
    for keyword in keywords:
        word = keyword.strip().lstrip("#")
        if not word:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        hit = texts.map(lambda t, p=pattern: p.search(t) is not None)
        frames.append(pd.DataFrame({"index": items.index[hit.to_numpy()], "keyword": keyword}))
    if not frames:
        raise WorkbenchError("no keywords given", hint='pass keywords=["fire", ...] with by="keyword"')
    return pd.concat(frames, ignore_index=True)


def _groups(items: pd.DataFrame, by: str, keywords: Sequence[str] | None) -> pd.Series:
    """The group label of each item (indexed like ``items``; repeated index for keywords)."""
    if by == "keyword":
        hits = keyword_hits(items, keywords or [])
        return pd.Series(hits["keyword"].to_numpy(), index=hits["index"].to_numpy(), name="keyword")
    if by == "sentiment":
        if "sentiment" not in items.columns:
            raise WorkbenchError("the items have no sentiment column", hint="run case.enrich() first")
        return sentiment_band(items["sentiment"])
    if by not in items.columns:
        raise WorkbenchError(f"cannot group by {by!r}: no such column",
                             hint="use a column such as platform or lang, or 'sentiment' or 'keyword'")
    values = items[by]
    return values.astype("string").fillna("unknown").rename(by)


def volume(items: pd.DataFrame, freq: str = "1h", by: str | None = None, *,
           keywords: Sequence[str] | None = None, tz: str = "UTC", top: int | None = None) -> pd.DataFrame:
    """Count items per time bin of ``freq``, optionally split by a column, sentiment band or keyword.

    ``by`` is a column of the items (``platform``, ``lang``, ``kind`` ...), ``"sentiment"`` (VADER
    bands) or ``"keyword"`` (with ``keywords``). ``top`` keeps the ``top`` biggest groups and folds
    the rest into ``"other"``. Empty bins between the first and last item are counted as 0.
    ``freq`` is any width :func:`workbench.analyze.bins.parse_freq` reads (``1h``, ``1D``, ``1W``,
    ``1M`` ...) or ``"auto"`` (:func:`workbench.analyze.bins.choose_freq`). Items with an
    implausible date are left out (:mod:`workbench.analyze.dates`).
    Returns columns ``time`` (tz-aware, in ``tz``), the group column named ``by`` when given, and
    ``count``; ``attrs["freq"]`` is the width used.
    """
    times = local_times(items, tz)
    freq = resolve_freq(freq, times, tz=tz)
    bins = floor_times(times, freq)
    if bins.empty:
        empty = pd.DataFrame({"time": pd.Series(dtype=bins.dtype),
                              **({by: pd.Series(dtype=object)} if by else {}),
                              "count": pd.Series(dtype="int64")})
        empty.attrs["freq"] = freq
        return empty
    full = bin_range(bins.min(), bins.max(), freq)
    if by is None:
        counts = bins.value_counts().reindex(full, fill_value=0)
        out = counts.rename("count").rename_axis("time").reset_index()
        out.attrs["freq"] = freq
        return out
    groups = _groups(items.loc[bins.index], by, keywords)
    # .array keeps the zone; .to_numpy() would build a million Timestamp objects.
    frame = pd.DataFrame({"time": bins.reindex(groups.index).array, by: groups.array})
    frame = frame.dropna(subset=["time"])
    if top is not None:
        keep = frame[by].value_counts().index[:top]
        frame[by] = frame[by].where(frame[by].isin(keep), "other")
    table = frame.groupby(["time", by]).size().unstack(fill_value=0).reindex(full, fill_value=0)
    table.index.name = "time"
    long = table.stack().rename("count").reset_index().astype({"count": "int64"})
    long.attrs["freq"] = freq
    return long


def hour_of_week(items: pd.DataFrame, *, account: str | None = None, tz: str = "UTC") -> pd.DataFrame:
    """Items per weekday and hour in zone ``tz``: all 168 cells, empty ones 0.

    ``account`` keeps one account's items: a handle (with or without ``@``, any case) or an
    author_id. Returns columns ``weekday`` (0 = Monday), ``day`` (Mon..Sun), ``hour``, ``count``.
    """
    if account is not None:
        items = _account_items(items, account)
    times = local_times(items, tz)
    cells = pd.DataFrame({"weekday": times.dt.day_of_week, "hour": times.dt.hour})
    counts = cells.groupby(["weekday", "hour"]).size()
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    out = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    out.insert(1, "day", [DAYS[d] for d in out["weekday"]])
    return out.astype({"count": "int64"})


def _account_items(items: pd.DataFrame, account: str) -> pd.DataFrame:
    wanted = account.strip().lstrip("@").casefold()
    mask = pd.Series(False, index=items.index)
    if "author_handle" in items.columns:
        handles = items["author_handle"].astype("string").str.lstrip("@").str.casefold()
        mask |= (handles == wanted).fillna(False)
    if "author_id" in items.columns:
        mask |= (items["author_id"].astype("string") == account.strip()).fillna(False)
    if not mask.any():
        raise WorkbenchError(f"no items by account {account!r}",
                             hint="give the handle (author_handle) or the author_id")
    return items[mask]


def _wall_clock(times: pd.Series) -> pd.Series:
    # Vega-Lite reads zone-less times as the viewer's local time and shows them unchanged, so naive
    # wall-clock times display as the analyst's zone whatever zone the browser is in.
    return times.dt.tz_localize(None)


def time_axis(times: pd.Series, title: str) -> alt.X:
    """An x encoding of ``time:T`` labelled for the span of ``times`` (the year on multi-year spans,
    see :func:`workbench.analyze.bins.axis_format`)."""
    fmt = axis_format(times.min(), times.max()) if len(times) else "%d %b %Y"
    return alt.X("time:T", title=title, axis=alt.Axis(format=fmt, labelOverlap=True))


def time_tooltip(field: str = "time") -> alt.Tooltip:
    """A tooltip showing a time in full (date, hour and minute)."""
    return alt.Tooltip(f"{field}:T", format="%Y-%m-%d %H:%M", title=field)


def chart_counts(items: pd.DataFrame, freq: str, by: str | None = None, *,
                 keywords: Sequence[str] | None = None, tz: str = "UTC", top: int | None = None,
                 max_rows: int = MAX_CHART_ROWS) -> tuple[pd.DataFrame, str | None]:
    """:func:`volume` at ``freq``, or at the finest coarser width whose rows fit ``max_rows`` (a
    chart never carries more). Returns the counts and, when it had to coarsen, why (else None)."""
    counts = volume(items, freq, by, keywords=keywords, tz=tz, top=top)
    if len(counts) <= max_rows:
        return counts, None
    asked, rows = counts.attrs["freq"], len(counts)
    groups = max(counts[by].nunique(), 1) if by else 1
    drawn = choose_freq(local_times(items, tz), max_bins=max(max_rows // groups, 1), finest=asked)
    counts = volume(items, drawn, by, keywords=keywords, tz=tz, top=top)
    return counts, (f"drawn per {describe(drawn)}: bins of {asked} would make {rows:,} rows, "
                    f"more than a chart carries ({max_rows:,})")


def notes_frame(notes: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Analyst notes (columns ``time`` and ``label``) as wall-clock times in ``tz``, ready to chart."""
    missing = {"time", "label"} - set(notes.columns)
    if missing:
        raise WorkbenchError(f"notes lack the column(s) {sorted(missing)}",
                             hint="notes are a DataFrame with columns time and label")
    try:
        times = pd.to_datetime(notes["time"], utc=True)
    except (ValueError, TypeError) as error:
        raise WorkbenchError(f"notes: a time is not readable ({error})") from error
    return pd.DataFrame({"time": _wall_clock(times.dt.tz_convert(tz)),
                         "label": notes["label"].astype(str)}).dropna(subset=["time"])


def _note_layers(notes: pd.DataFrame | None, tz: str) -> list[alt.Chart]:
    if notes is None or len(notes) == 0:
        return []
    data = notes_frame(notes, tz)
    base = alt.Chart(data).encode(x="time:T")
    rule = base.mark_rule(color="firebrick", strokeDash=[4, 3]).encode(tooltip=["time:T", "label:N"])
    text = base.mark_text(align="left", dx=3, dy=-4, baseline="bottom", color="firebrick", angle=0).encode(
        text="label:N", y=alt.value(0))
    return [rule, text]


def volume_chart(items: pd.DataFrame, freq: str = "1h", by: str | None = None, *,
                 keywords: Sequence[str] | None = None, facet: bool = False,
                 notes: pd.DataFrame | None = None, tz: str = "UTC", top: int = 8,
                 title: str | None = None) -> alt.Chart | alt.LayerChart | alt.VConcatChart:
    """Volume over time: stacked areas per group, or one row per group when ``facet`` is True.

    ``by``, ``keywords``, ``tz`` and ``top`` are as for :func:`volume`. ``notes`` (columns ``time``
    and ``label``) are drawn as dashed rules with their labels. The chart carries the aggregate
    only, at most :data:`MAX_CHART_ROWS` rows: a ``freq`` too fine for that is coarsened for the
    chart, and its subtitle says so. ``freq`` may be ``"auto"``.
    """
    counts, coarsened = chart_counts(items, freq, by, keywords=keywords, tz=tz, top=top if by else None)
    drawn = counts.attrs["freq"]
    counts["time"] = _wall_clock(counts["time"])
    x = time_axis(counts["time"], f"time ({tz})")
    y = alt.Y("count:Q", title=f"items per {describe(drawn)}")
    tooltip = [time_tooltip(), "count:Q"] + ([f"{by}:N"] if by else [])
    heading = alt.TitleParams(title or "", subtitle=coarsened) if coarsened else (title or "")
    notes_layers = _note_layers(notes, tz)
    if by is None or not facet:
        encoding = {"x": x, "y": y, "tooltip": tooltip}
        if by:
            encoding["color"] = alt.Color(f"{by}:N", title=by, scale=colour_scale(by, counts[by]))
        chart = alt.Chart(counts).mark_area(interpolate="step-after").encode(**encoding)
        chart = alt.layer(chart, *notes_layers) if notes_layers else chart
        return chart.properties(width=CHART_WIDTH, height=220, title=heading)
    rows = []
    for group, part in counts.groupby(by, sort=False):
        area = alt.Chart(part).mark_area(interpolate="step-after").encode(x=x, y=y, tooltip=tooltip)
        rows.append(alt.layer(area, *notes_layers).properties(width=CHART_WIDTH, height=90,
                                                               title=str(group)))
    return alt.vconcat(*rows, title=heading).resolve_scale(x="shared")


def colour_scale(by: str, groups: pd.Series) -> alt.Scale:
    """The colours of platforms and sentiment bands that every chart and map shares
    (:mod:`workbench.palette`); other groupings keep Vega's default scheme."""
    from workbench.palette import platform_scale, sentiment_scale

    if by == "platform":
        domain, colours = platform_scale(groups)
    elif by == "sentiment":
        domain, colours = sentiment_scale(groups)
    else:
        return alt.Scale()  # Vega's default scheme
    return alt.Scale(domain=domain, range=colours)


def activity_chart(items: pd.DataFrame, *, account: str | None = None, tz: str = "UTC",
                   title: str | None = None) -> alt.Chart:
    """Hour-of-week heat map (weekday by hour) of all items or one account's, in zone ``tz``."""
    cells = hour_of_week(items, account=account, tz=tz)
    return alt.Chart(cells).mark_rect().encode(
        x=alt.X("hour:O", title=f"hour ({tz})"),
        y=alt.Y("day:N", sort=list(DAYS), title=None),
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), title="items"),
        tooltip=["day:N", "hour:O", "count:Q"],
    ).properties(title=title or (f"@{account.lstrip('@')}" if account else "activity by hour of week"))
