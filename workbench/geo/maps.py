"""Maps of located items that work offline: markers with popups, heat, layers, a time slider.

``map_items(df)`` returns a ``folium.Map``; ``save_map(m, path)`` writes it as one self-contained
HTML file. Every script, stylesheet and the country outlines are inlined from the package, so the
only thing the page asks the network for is map tiles (from the configured tile server); with no
tiles reachable the points still show over the bundled country outlines.

Large maps stay small: the items' columns are written once (deflated when big, unpacked in the
browser) and shared by the marker groups and the heat layer; the time slider draws counts per
grid cell and time step rather than single items; popups are built when clicked.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import folium
import numpy as np
import pandas as pd

from workbench.display import isolate
from workbench.errors import WorkbenchError
from workbench.geo import elements, webassets
from workbench.geo.frame import (
    NO_LOCATION,
    OUT_OF_RANGE,
    epoch_seconds,
    excerpts,
    located,
    safe_urls,
    sentiment_band,
)
from workbench.geo.timebins import time_bins
from workbench.palette import SENTIMENT_COLOURS, TABLEAU10, platform_colour

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
LAYERS_BY = ("platform", "sentiment", "place_method")
MAX_GROUPS = 10
COMPRESS_ABOVE = 1_000_000  # bytes of item JSON above which it is deflated in the page
# Platforms and sentiment bands have the colours every chart gives them (workbench.palette);
# other groupings take Tableau 10 in order.
PALETTE = TABLEAU10
SENTIMENT_COLORS = {band: SENTIMENT_COLOURS[band]
                    for band in ("negative", "neutral", "positive", "not scored")}
TIME_COLOR = "#ff7f0e"


@dataclass(frozen=True)
class MapStats:
    """What a map shows and leaves out; set as ``workbench_stats`` on the map ``map_items`` returns."""

    rows: int
    mapped: int
    dropped: dict[str, int]
    groups: dict[str, int]
    clustered: bool
    compressed: bool
    untimed: int
    time_period: str | None = None
    time_cells: int = 0
    layers: list[str] = field(default_factory=list)


def map_items(df: pd.DataFrame, *, tiles: str | bool | None = None, attribution: str | None = None,
              cluster_threshold: int = 200, heat: bool = True, layers_by: str | None = "platform",
              time_slider: bool = True, outlines: bool = True, tz: str = "UTC",
              excerpt_chars: int = 280, compress: bool | None = None, max_time_steps: int = 250,
              max_time_cells: int = 10_000) -> folium.Map:
    """A map of located items (one row each; see ``workbench.geo.frame`` for the columns).

    - ``tiles``: a tile URL template with ``{z}``, ``{x}``, ``{y}`` (``attribution`` is then
      required); None for OpenStreetMap's; False for no tile layer at all.
    - Markers are clustered when there are more than ``cluster_threshold`` items. Their fill
      fades with lower ``place_confidence``. Popups show author, platform, time (in ``tz``), an
      excerpt of ``excerpt_chars`` characters, the place and how it was found, sentiment, and a link
      to the original when it is an http(s) URL; all of it as text.
    - ``layers_by``: "platform", "sentiment" (VADER bands), "place_method" or None: one toggleable
      marker layer per value (the ten largest; the rest together as "other").
    - ``heat`` adds a heat layer and ``time_slider`` a layer of counts per grid cell and time step
      (at most ``max_time_steps`` steps and ``max_time_cells`` cells); both start switched off.
    - ``compress``: deflate the item data in the page; None does so when it is large.

    Rows without a usable lat/lon are left out and counted (in the map's info box and its
    ``workbench_stats``). Raises ``WorkbenchError`` when no row can be placed, or on bad arguments.
    """
    _check_zone(tz)
    if layers_by not in (*LAYERS_BY, None):
        raise WorkbenchError(f"layers_by must be one of {', '.join(LAYERS_BY)} or None, not {layers_by!r}")
    for name, value, low in (("cluster_threshold", cluster_threshold, 0), ("excerpt_chars", excerpt_chars, 1),
                             ("max_time_steps", max_time_steps, 1), ("max_time_cells", max_time_cells, 1)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise WorkbenchError(f"{name} must be a whole number >= {low}, not {value!r}")
    tile_layer = _tile_layer(tiles, attribution)
    items = located(df)
    frame = items.frame
    if frame.empty:
        why = "; ".join(f"{n} {reason}" for reason, n in items.dropped.items()) or "the frame is empty"
        raise WorkbenchError(f"no located items to map: {items.total} row(s) given ({why})",
                             hint="locate the items first, or check the lat/lon columns")

    labels, groups = _groups(frame, layers_by)
    payload, compressed = _packed(_payload(frame, labels, list(groups), excerpt_chars), compress)
    clustered = len(frame) > cluster_threshold
    bins = time_bins(frame["lat"], frame["lon"], frame["created_at"], max_steps=max_time_steps,
                     max_features=max_time_cells) if time_slider else None

    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    # Marker clusters need the map's maxZoom, and with no tile layer nothing else gives it
    # (folium hands its own max_zoom to the tiles only).
    m.options["max_zoom"] = 19
    m.default_js, m.default_css = [], []  # Leaflet comes inline with the other assets, below
    bundles = ["leaflet", "workbench"] + (["markercluster"] if clustered else []) + \
              (["heat"] if heat else []) + (["timedimension"] if bins else [])
    m.add_child(elements.OfflineAssets(bundles))
    if tile_layer is not None:
        m.add_child(tile_layer)
    if outlines:
        m.add_child(elements.CountryOutlines())
    data = elements.ItemData(payload, {"tz": tz})
    m.add_child(data)
    layer_names = []
    if heat:
        layer = elements.ItemHeat(data, name=f"Heat map ({len(frame):,} items)")
        m.add_child(layer)
        layer_names.append(layer.layer_name)
    for index, (label, (color, count)) in enumerate(groups.items()):
        name = (f'<span class="wb-swatch" style="background:{color}"></span>{elements.html_text(label)} '
                f'<span class="wb-count">({count:,})</span>')
        m.add_child(elements.ItemMarkers(data, group=index, color=color, cluster=clustered, name=name))
        layer_names.append(name)
    if bins is not None:
        zones = list(dict.fromkeys([tz, "UTC"]))
        name = (f"Over time: per {_describe(bins.period)}, cells of {bins.cell_degrees:g}\u00b0 "
                f"({len(bins):,})")
        m.add_child(elements.TimeSlider(_bins_payload(bins), zones=zones, color=TIME_COLOR, name=name))
        layer_names.append(name)
    untimed = int(frame["created_at"].isna().sum())
    m.add_child(elements.InfoBox(_info_lines(items.total, len(frame), items.dropped, untimed, bins), data))
    m.add_child(folium.LayerControl(collapsed=False))
    south, west = frame["lat"].min(), frame["lon"].min()
    north, east = frame["lat"].max(), frame["lon"].max()
    m.fit_bounds([[float(south), float(west)], [float(north), float(east)]], max_zoom=13, padding=(20, 20))

    m.workbench_stats = MapStats(
        rows=items.total, mapped=len(frame), dropped=dict(items.dropped),
        groups={label: count for label, (_, count) in groups.items()}, clustered=clustered,
        compressed=compressed, untimed=untimed, time_period=bins.period if bins else None,
        time_cells=len(bins) if bins else 0, layers=layer_names)
    return m


def save_map(m: folium.Map, path: str | Path, *, allow_external: bool = False) -> Path:
    """Write ``m`` as one self-contained HTML file and return its path.

    Raises ``WorkbenchError`` if the page would load scripts, stylesheets or other files from the
    network (say, a folium plugin added afterwards that brings its own CDN links), unless
    ``allow_external``. Map tiles are not counted: they come from the configured tile server.
    """
    page = m.get_root().render()
    external = webassets.external_loads(page)
    if external and not allow_external:
        raise WorkbenchError(f"the map would load {len(external)} file(s) from the network and so "
                             f"not open offline: {', '.join(external[:5])}",
                             hint="remove the elements that need them, or pass allow_external=True")
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(path)
    return path


def _check_zone(tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise WorkbenchError(f"unknown time zone {tz!r}",
                             hint="use an IANA name such as 'Europe/London'") from None


def _tile_layer(tiles: str | bool | None, attribution: str | None) -> folium.TileLayer | None:
    # folium passes both through a second Jinja pass: braces in the attribution (HTML) become
    # character references, and a template with Jinja tags is refused.
    attribution = attribution.replace("{", "&#123;").replace("}", "&#125;") if attribution else attribution
    if tiles is False:
        return None
    if tiles is None or tiles is True:
        return folium.TileLayer(OSM_TILES, attr=attribution or OSM_ATTRIBUTION, name="OpenStreetMap",
                                max_zoom=19, control=False)
    if not isinstance(tiles, str) or not all(k in tiles for k in ("{z}", "{x}", "{y}")) or \
            any(tag in tiles for tag in ("{{", "{%", "{#")):
        raise WorkbenchError(f"tiles must be a URL template with {{z}}, {{x}} and {{y}}, not {tiles!r}")
    if not attribution:
        raise WorkbenchError("a custom tile server needs its attribution",
                             hint="pass attribution='...' as the tile provider asks")
    return folium.TileLayer(tiles, attr=attribution, name="Tiles", max_zoom=19, control=False)


def _groups(frame: pd.DataFrame, layers_by: str | None) -> tuple[pd.Series, dict[str, tuple[str, int]]]:
    """Each row's layer label, and per label (in display order) its colour and count."""
    if layers_by is None:
        labels = pd.Series("Items", index=frame.index)
    elif layers_by == "sentiment":
        labels = sentiment_band(frame["sentiment"])
    else:
        labels = frame[layers_by].fillna("unknown").astype(str)
    counts = labels.value_counts(sort=True)
    if layers_by == "sentiment":
        counts = counts.reindex([b for b in SENTIMENT_COLORS if b in counts.index])
    elif len(counts) > MAX_GROUPS:
        keep = set(counts.index[: MAX_GROUPS - 1])
        labels = labels.where(labels.isin(keep), "other")
        counts = labels.value_counts(sort=True)
    groups = {}
    for i, (label, count) in enumerate(counts.items()):
        if layers_by == "sentiment":
            color = SENTIMENT_COLORS[label]
        elif layers_by == "platform":
            color = platform_colour(label)
        else:
            color = PALETTE[i % len(PALETTE)]
        groups[str(label)] = (color, int(count))
    return labels, groups


def _payload(frame: pd.DataFrame, labels: pd.Series, groups: list[str], excerpt_chars: int) -> dict:
    """The items as compact columns: coded where values repeat, times as seconds from the first."""
    order = {label: i for i, label in enumerate(groups)}
    cols: dict[str, dict] = {}
    for key, column in (("platform", "platform"), ("author", "author_handle"), ("place", "place_name"),
                        ("method", "place_method")):
        codes, keys = pd.factorize(frame[column], use_na_sentinel=True)
        if len(keys):
            cols[key] = {"keys": [isolate(k) for k in keys], "codes": codes}
    for key, values in (("uid", frame["uid"]), ("text", excerpts(frame["text"], excerpt_chars)),
                        ("url", safe_urls(frame["url"]))):
        if values.notna().any():
            shown = values.where(values.notna(), None).tolist()
            # Popups show text as DOM text: FSI..PDI keeps a bidi override inside its own value.
            cols[key] = {"values": shown if key == "url" else [v if v is None else isolate(v) for v in shown]}
    for key, column, digits in (("sentiment", "sentiment", 3), ("confidence", "place_confidence", 2)):
        if frame[column].notna().any():
            cols[key] = {"values": _floats(frame[column], digits)}
    payload = {"n": len(frame), "lat": np.round(frame["lat"].to_numpy(), 5),
               "lon": np.round(frame["lon"].to_numpy(), 5), "group": labels.map(order).to_numpy(),
               "cols": cols}
    when = frame["created_at"]
    if when.notna().any():
        seconds = epoch_seconds(when)
        known = when.notna().to_numpy()
        t0 = int(seconds[known].min())
        payload["t0"] = t0
        payload["t"] = pd.Series(seconds - t0).where(known, None).tolist()
    return payload


def _packed(payload: dict, compress: bool | None) -> tuple[dict, bool]:
    """The payload as the page carries it: plain, or deflated and base64-encoded when large."""
    text = elements.js_json(payload)
    if not (len(text) > COMPRESS_ABOVE if compress is None else compress):
        return {"data": payload}, False
    return {"deflate": base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")}, True


def _floats(column: pd.Series, digits: int) -> list[float | None]:
    values = column.round(digits)
    return [None if pd.isna(v) else float(v) for v in values]


def _bins_payload(bins) -> dict:
    return {"times": bins.times, "step": bins.step, "count": bins.count,
            "lat": np.round(bins.lat, 5), "lon": np.round(bins.lon, 5)}


def _describe(period: str) -> str:
    return {"PT1M": "minute", "PT5M": "5 minutes", "PT15M": "15 minutes", "PT1H": "hour", "PT6H": "6 hours",
            "P1D": "day", "P7D": "week", "P30D": "30 days", "P365D": "365 days"}.get(period, period)


def _info_lines(rows: int, mapped: int, dropped: dict[str, int], untimed: int, bins) -> list[str]:
    lines = [f"{mapped:,} of {rows:,} item{'s' if rows != 1 else ''} on the map"]
    reasons = {NO_LOCATION: "no usable lat/lon", OUT_OF_RANGE: "lat/lon out of range"}
    for reason, n in dropped.items():
        lines.append(f"{n:,} left out: {reasons.get(reason, reason)}")
    if bins is not None and untimed:
        lines.append(f"{untimed:,} without a time, so not on the time slider")
    return lines
