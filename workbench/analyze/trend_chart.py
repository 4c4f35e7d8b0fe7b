"""Term and hashtag trends as a chart: the most used terms per time bin, never more rows than a
chart can carry."""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.analyze.bins import choose_freq, describe, local_times, resolve_freq
from workbench.analyze.timeline import MAX_CHART_ROWS, time_axis, time_tooltip
from workbench.analyze.trends import term_series

#: Bins an automatic trend line has at most: eight step lines side by side stay readable.
TREND_BINS = 120


def trend_chart(items: pd.DataFrame, freq: str = "auto", *, top: int = 8, tz: str = "UTC",
                max_rows: int = MAX_CHART_ROWS, title: str | None = None) -> alt.FacetChart:
    """How many items use each of the ``top`` terms (and hashtags, when the items have them) per bin,
    as step lines side by side.

    ``freq="auto"`` takes the finest width giving at most :data:`TREND_BINS` bins; an explicit width
    is kept unless the chart would carry more than ``max_rows`` rows, when it is coarsened for the
    chart and the subtitle says so. Items with an implausible date are left out.
    """
    times = local_times(items, tz)
    kinds = ["terms"] + (["hashtags"] if "hashtags" in items.columns else [])
    fits = max(max_rows // (len(kinds) * max(top, 1)), 1)  # bins that keep every line on the chart
    asked = resolve_freq(freq, times, max_bins=min(TREND_BINS, fits), tz=tz)
    drawn = choose_freq(times, max_bins=fits, finest=asked)
    counts = pd.concat([term_series(items, kind=kind, freq=drawn, top=top, tz=tz).assign(kind=kind)
                        for kind in kinds], ignore_index=True)
    counts["time"] = counts["time"].dt.tz_localize(None)  # wall clock: Vega shows it unchanged
    subtitle = None
    if drawn != asked:
        subtitle = (f"drawn per {describe(drawn)}: bins of {asked} would make more than "
                    f"{max_rows:,} rows, more than a chart carries")
    chart = alt.Chart(counts).mark_line(interpolate="step-after").encode(
        x=time_axis(counts["time"], f"time ({tz})"), y=alt.Y("count:Q", title=f"items per {describe(drawn)}"),
        color=alt.Color("term:N", legend=alt.Legend(columns=2)),
        tooltip=[time_tooltip(), "term:N", "count:Q"],
    ).properties(width=280 if counts["kind"].nunique() > 1 else 600, height=200)
    heading = alt.TitleParams(title or "", subtitle=subtitle) if subtitle else (title or "")
    return chart.facet(column=alt.Column("kind:N", title=None)).resolve_scale(color="independent") \
        .properties(title=heading)
