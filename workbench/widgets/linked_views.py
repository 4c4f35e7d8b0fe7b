"""Linked views: brushing a time window on the timeline filters the map and the item list.

The timeline is an altair ``JupyterChart`` with an interval selection named ``brush``; it needs
the ``anywidget`` package and runs offline with vl-convert's copy of Vega (see
:mod:`workbench.widgets.offline`). The map is :func:`workbench.geo.map_items` drawn again in an
Output.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import ipywidgets as w
import pandas as pd

from workbench.analyze.bins import axis_format, choose_freq
from workbench.analyze.timeline import volume
from workbench.case import Case
from workbench.errors import WorkbenchError
from workbench.query import located
from workbench.widgets.browser import ItemBrowser, find_items
from workbench.widgets.offline import enable_offline_charts
from workbench.widgets.render import error_message, message

BRUSH = "brush"
#: Bars on the brushable timeline: about five pixels each, wide enough to aim at.
TIMELINE_BINS = 120


def time_counts(items: pd.DataFrame, freq: str | None = None) -> tuple[pd.DataFrame, str]:
    """Items per time bin (UTC) with ``time`` as ISO 8601 text ending in Z, and the bin width used."""
    freq = freq or choose_freq(items, max_bins=TIMELINE_BINS)
    counts = volume(items, freq, tz="UTC")
    counts["time"] = pd.to_datetime(counts["time"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return counts, freq


def timeline_chart(counts: pd.DataFrame, freq: str) -> alt.Chart:
    """Bars of items per bin with an interval selection on time named ``brush`` (times in UTC)."""
    brush = alt.selection_interval(encodings=["x"], name=BRUSH)
    times = pd.to_datetime(counts["time"], utc=True)
    ticks = axis_format(times.min(), times.max()) if len(times) else "%d %b %Y"
    return alt.Chart(counts).mark_bar().encode(
        x=alt.X("time:T", title="time (UTC)", scale=alt.Scale(type="utc"),
                axis=alt.Axis(format=ticks, formatType="utc")),
        y=alt.Y("count:Q", title=f"items per {freq}"),
        tooltip=[alt.Tooltip("time:T", format="%Y-%m-%d %H:%M", formatType="utc"), "count:Q"],
    ).add_params(brush).properties(width=650, height=160, title="Drag across the timeline to filter")


Window = tuple[pd.Timestamp, pd.Timestamp]


def window_from_selection(value: dict[str, Any] | None, field: str = "time") -> Window | None:
    """The time window (UTC) of an interval selection's value (epoch milliseconds), or None when
    nothing is selected."""
    bounds = (value or {}).get(field)
    if not bounds or len(bounds) != 2:
        return None
    start, end = sorted(pd.Timestamp(b, unit="ms", tz="UTC") if isinstance(b, int | float)
                        else pd.Timestamp(b).tz_convert("UTC") if pd.Timestamp(b).tzinfo
                        else pd.Timestamp(b, tz="UTC") for b in bounds)
    return start, end


class LinkedViews(w.VBox):
    """A timeline, a map and the item browser: a window brushed on the timeline filters the other two."""

    def __init__(self, case: Case, *, freq: str | None = None, tiles: str | bool | None = None,
                 browser: ItemBrowser | None = None, **filters: Any):
        from altair import JupyterChart

        self.case, self.tiles = case, tiles
        self.browser = browser if browser is not None else ItemBrowser(case, name="linked.items", **filters)
        counts, self.freq = time_counts(case.items(), freq)
        # Vega's JavaScript from vl-convert, not from a CDN: the chart must draw with no network.
        enable_offline_charts()
        self.chart = JupyterChart(timeline_chart(counts, self.freq))
        self.chart.selections.observe(lambda change: self.select(window_from_selection(change["new"].value)),
                                      names=[BRUSH])
        self.window_label = w.HTML(message("no time window selected"))
        self.window_label.add_class("wb-window")
        self.map = w.Output(layout=w.Layout(height="420px", width="700px"))
        self.window: Window | None = None
        self.last_map = None
        super().__init__([self.chart, self.window_label, self.map, self.browser])
        self.add_class("wb-linked")
        self.draw_map()

    def select(self, window: Window | None) -> None:
        """Filter the map and the item list to ``window`` (start, end), or lift the filter (None)."""
        self.window = window
        if window is None:
            self.window_label.value = message("no time window selected")
            self.browser.set_filters(since="", until="")
        else:
            start, end = window[0].floor("s"), window[1].ceil("s")
            shown = f"from {start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S} UTC"
            self.window_label.value = message(shown)
            self.browser.set_filters(since=start.isoformat(), until=end.isoformat())
        self.draw_map()

    def located(self) -> pd.DataFrame:
        """The located items (best guess) that the item browser's filters keep."""
        return located(find_items(self.case, self.browser.current_filters()), self.case.places(best=True))

    def draw_map(self) -> None:
        """Draw the map of the items the filters keep, in place of the last one."""
        from workbench.geo import map_items

        try:
            self.last_map = map_items(self.located(), tiles=self.tiles, time_slider=False)
            html = self.last_map._repr_html_()  # an iframe holding the whole map page
        except WorkbenchError as exc:
            self.last_map, html = None, error_message(exc)
        # Set as output data rather than displayed: the same outside a kernel (tests, scripts).
        self.map.outputs = ({"output_type": "display_data", "metadata": {},
                             "data": {"text/html": html, "text/plain": "map"}},)
