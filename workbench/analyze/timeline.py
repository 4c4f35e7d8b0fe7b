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

from workbench.errors import WorkbenchError

#: Sentiment bands on the VADER compound score (the thresholds VADER's authors recommend).
SENTIMENT_THRESHOLD = 0.05
#: Rows an inline chart may carry; altair itself refuses more than 5,000 by default.
MAX_CHART_ROWS = 5000
#: Timelines have a fixed width: JupyterLab sizes an output to its content, so a chart as wide as
#: its container never settles there (the page stops responding).
CHART_WIDTH = 720
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def local_times(items: pd.DataFrame, tz: str = "UTC") -> pd.Series:
    """The items' ``created_at`` in zone ``tz``; items without a time are left out."""
    if "created_at" not in items.columns:
        raise WorkbenchError("the items have no created_at column",
                             hint="pass the frame from case.items()")
    try:
        times = pd.to_datetime(items["created_at"], utc=True).dropna()
    except (ValueError, TypeError) as error:
        raise WorkbenchError(f"created_at holds a value that is not a time ({error})") from error
    return times.dt.tz_convert(tz)


def floor_times(times: pd.Series, freq: str) -> pd.Series:
    """Cut tz-aware ``times`` into bins of ``freq``: sub-daily in UTC, daily and up at local midnight."""
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    tz = times.dt.tz
    if step < pd.Timedelta("1D"):
        return times.dt.tz_convert("UTC").dt.floor(freq).dt.tz_convert(tz)
    return times.dt.floor(freq, ambiguous=np.zeros(len(times), dtype=bool), nonexistent="shift_forward")


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
    Returns columns ``time`` (tz-aware, in ``tz``), the group column named ``by`` when given, and
    ``count``.
    """
    times = local_times(items, tz)
    bins = floor_times(times, freq)
    if bins.empty:
        columns = ["time"] + ([by] if by else []) + ["count"]
        return pd.DataFrame(columns=columns)
    full = pd.date_range(bins.min(), bins.max(), freq=freq, tz=bins.dt.tz, name="time")
    if by is None:
        counts = bins.value_counts().reindex(full, fill_value=0)
        return counts.rename("count").rename_axis("time").reset_index()
    groups = _groups(items.loc[bins.index], by, keywords)
    # .array keeps the zone; .to_numpy() would build a million Timestamp objects.
    frame = pd.DataFrame({"time": bins.reindex(groups.index).array, by: groups.array})
    frame = frame.dropna(subset=["time"])
    if top is not None:
        keep = frame[by].value_counts().index[:top]
        frame[by] = frame[by].where(frame[by].isin(keep), "other")
    table = frame.groupby(["time", by]).size().unstack(fill_value=0).reindex(full, fill_value=0)
    table.index.name = "time"
    long = table.stack().rename("count").reset_index()
    return long.astype({"count": "int64"})


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


def _check_rows(frame: pd.DataFrame, freq: str) -> None:
    if len(frame) > MAX_CHART_ROWS:
        raise WorkbenchError(f"the chart would carry {len(frame):,} rows at freq={freq!r}",
                             hint="choose a coarser freq (e.g. '1D') or a smaller top")


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
    and ``label``) are drawn as dashed rules with their labels. The chart carries the aggregate only.
    """
    counts = volume(items, freq, by, keywords=keywords, tz=tz, top=top if by else None)
    _check_rows(counts, freq)
    counts["time"] = _wall_clock(counts["time"])
    x = alt.X("time:T", title=f"time ({tz})")
    y = alt.Y("count:Q", title=f"items per {freq}")
    tooltip = ["time:T", "count:Q"] + ([f"{by}:N"] if by else [])
    notes_layers = _note_layers(notes, tz)
    if by is None or not facet:
        encoding = {"x": x, "y": y, "tooltip": tooltip}
        if by:
            encoding["color"] = alt.Color(f"{by}:N", title=by)
        chart = alt.Chart(counts).mark_area(interpolate="step-after").encode(**encoding)
        chart = alt.layer(chart, *notes_layers) if notes_layers else chart
        return chart.properties(width=CHART_WIDTH, height=220, title=title or "")
    rows = []
    for group, part in counts.groupby(by, sort=False):
        area = alt.Chart(part).mark_area(interpolate="step-after").encode(x=x, y=y, tooltip=tooltip)
        rows.append(alt.layer(area, *notes_layers).properties(width=CHART_WIDTH, height=90,
                                                               title=str(group)))
    return alt.vconcat(*rows, title=title or "").resolve_scale(x="shared")


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
