"""A static map for the report's print version: located items as points over the bundled country
outlines, drawn as SVG (the interactive map does not print)."""

from __future__ import annotations

import json
import math
from importlib import resources

import altair as alt
import numpy as np
import pandas as pd

from workbench.analyze.timeline import MAX_CHART_ROWS, colour_scale
from workbench.report.figures import WIDTH, Figure, nothing_to_draw, safely
from workbench.report.svg import to_svg

MAP_HEIGHT = 420


def static_map(located: pd.DataFrame) -> Figure:
    """Located items as points over the bundled country outlines (for print, where the
    interactive map does not show)."""
    title = "Map (static)"
    if nothing_to_draw(located):
        return Figure("static_map", title, note="No located items.")

    def build() -> Figure:
        points = located[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
        points["platform"] = (located["platform"].astype(object).where(located["platform"].notna(), "unknown")
                              if "platform" in located.columns else "unknown")
        points = _fitting(points.dropna())
        outlines = json.loads(resources.files("workbench.geo").joinpath(
            "assets/world-atlas/countries-110m.geojson").read_text(encoding="utf-8"))
        south, north = points["lat"].min(), points["lat"].max()
        west, east = points["lon"].min(), points["lon"].max()
        pad = max(0.5, (north - south) * 0.1, (east - west) * 0.1)
        box = (west - pad, south - pad, east + pad, north + pad)
        shapes = [f for f in outlines["features"] if _overlaps(f, box)]
        land = alt.Chart(alt.Data(values=shapes)).mark_geoshape(
            fill="#f4f1ea", stroke="#7a7a7a", strokeWidth=0.6, clip=True)
        dots = alt.Chart(points).mark_circle(opacity=0.6, clip=True).encode(
            longitude="lon:Q", latitude="lat:Q",
            color=alt.Color("platform:N", scale=colour_scale("platform", points["platform"])),
            size=alt.Size("items:Q", scale=alt.Scale(range=[12, 400]), title="items"))
        chart = alt.layer(land, dots).project(**_mercator(west - pad, south - pad, east + pad, north + pad,
                                                          WIDTH, MAP_HEIGHT))
        chart = chart.properties(width=WIDTH, height=MAP_HEIGHT)
        places = len(points[["lat", "lon"]].drop_duplicates())
        note = (f"{int(points['items'].sum()):,} located items at {places:,} points (each item at "
                f"its best-guess location, to {points.attrs['grid']}), coloured by platform as in the "
                "other figures and the map, over country outlines.")
        return Figure("static_map", title, to_svg(chart), note)

    return safely("static_map", title, build)


def _fitting(points: pd.DataFrame) -> pd.DataFrame:
    """Items counted per point (lat, lon, platform) on the finest grid of 0.001° down to 1° that
    gives at most :data:`MAX_CHART_ROWS` points: a chart carries no more, and a large case's
    places are many (finer than a pixel of the printed map all the same)."""
    for decimals in (3, 2, 1, 0):
        counted = points.round(decimals).value_counts().rename("items").reset_index()
        if len(counted) <= MAX_CHART_ROWS:
            counted.attrs["grid"] = f"{10.0 ** -decimals:g}°"
            return counted
    counted = counted.nlargest(MAX_CHART_ROWS, "items")  # still too many at whole degrees
    counted.attrs["grid"] = f"1°, the {MAX_CHART_ROWS:,} busiest points only"
    return counted


def _overlaps(feature: dict, box: tuple[float, float, float, float]) -> bool:
    """Whether a GeoJSON feature's bounding box overlaps ``box`` (west, south, east, north)."""
    points = np.array(list(_coordinates(feature.get("geometry", {}).get("coordinates", []))) or [[0.0, 0.0]])
    return not (points[:, 0].max() < box[0] or points[:, 0].min() > box[2] or
                points[:, 1].max() < box[1] or points[:, 1].min() > box[3])


def _coordinates(nested):
    if len(nested) and isinstance(nested[0], int | float):
        yield nested[:2]
        return
    for part in nested:
        yield from _coordinates(part)


def _mercator(west: float, south: float, east: float, north: float, width: int, height: int) -> dict:
    """A Mercator projection (d3's scale: pixels per radian) showing the box in width x height."""
    def y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    scale = min(width / math.radians(max(east - west, 1e-3)), height / max(y(north) - y(south), 1e-3))
    centre_lat = math.degrees(2 * math.atan(math.exp((y(north) + y(south)) / 2)) - math.pi / 2)
    return {"type": "mercator", "scale": scale, "center": [(west + east) / 2, centre_lat],
            "translate": [width / 2, height / 2]}
