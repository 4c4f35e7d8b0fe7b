"""One colour per platform: the same in a chart's spec, the map's layers and the item browser."""

from __future__ import annotations

import re

import pandas as pd

from workbench.analyze.timeline import volume_chart
from workbench.geo.maps import map_items
from workbench.palette import OTHER, PLATFORM_COLOURS, platform_colour, platform_scale
from workbench.widgets.browser import item_html

PLATFORMS = ["twitter", "telegram", "mastodon", "forum", "bluesky"]


def items(platforms: list[str]) -> pd.DataFrame:
    n = len(platforms)
    return pd.DataFrame({
        "uid": [f"{p}:{i}" for i, p in enumerate(platforms)], "platform": platforms,
        "created_at": pd.date_range("2024-03-01", periods=n, freq="90min", tz="UTC"),
        "author_handle": [f"user{i}" for i in range(n)], "text": ["hello"] * n, "url": [None] * n,
        "lat": [51.9 + i / 100 for i in range(n)], "lon": [4.4] * n, "sentiment": [0.1] * n,
        "place_method": ["geotag"] * n, "place_confidence": [1.0] * n, "place_name": ["Rotterdam"] * n,
    })


def test_a_platform_has_one_colour_whatever_else_is_shown():
    assert platform_colour("twitter") == platform_colour("Twitter") == PLATFORM_COLOURS["twitter"]
    assert platform_colour("forum") == platform_colour("forum")  # an unknown one: by its name
    assert platform_colour("forum") not in PLATFORM_COLOURS.values()
    assert platform_colour("other") == platform_colour(None) == OTHER
    assert len(set(PLATFORM_COLOURS[p] for p in ("twitter", "telegram", "mastodon", "bluesky", "reddit",
                                                 "youtube", "web", "generic"))) == 8
    assert platform_scale(["b", "a", "b"])[0] == ["b", "a"]


def test_the_same_platform_gets_the_same_colour_in_a_chart_spec_and_the_map():
    # Order and counts differ between the two on purpose: neither may decide a colour.
    frame = items(PLATFORMS * 2 + ["mastodon"] * 3)
    scale = volume_chart(frame, "1h", by="platform").to_dict()["encoding"]["color"]["scale"]
    in_chart = dict(zip(scale["domain"], scale["range"], strict=True))
    the_map = map_items(frame.iloc[::-1].reset_index(drop=True), tiles=False, layers_by="platform")
    swatch = r'background:(#[0-9a-f]{6})"></span><bdi>([^ <]+)</bdi>'
    in_map = {label: colour for layer in the_map.workbench_stats.layers
              for colour, label in re.findall(swatch, layer)}
    assert set(in_map) == set(in_chart) == set(PLATFORMS)
    assert in_map == in_chart == {p: platform_colour(p) for p in PLATFORMS}
    # A chart of only some platforms keeps their colours.
    few = volume_chart(frame[frame["platform"] == "telegram"], "1h", by="platform").to_dict()
    assert few["encoding"]["color"]["scale"]["range"] == [platform_colour("telegram")]
    # The item browser marks the platform in the same colour.
    assert f"color:{platform_colour('mastodon')}" in item_html(frame.iloc[2])
