"""Offline maps of located items, and their GeoJSON export.

The browser test opens saved maps in Debian's headless Chromium with every non-file request
blocked, so what it sees is what an analyst with no network sees.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import zlib
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest
from folium.plugins import Fullscreen
from PIL import Image

from tests.conftest import refuse_network
from workbench.errors import WorkbenchError
from workbench.geo import elements, webassets
from workbench.geo.frame import located, safe_url
from workbench.geo.geojson import to_geojson, write_geojson
from workbench.geo.maps import OSM_ATTRIBUTION, OSM_TILES, map_items, save_map
from workbench.geo.timebins import time_bins

HOSTILE = ("""<script>window.__pwned=1</script> "quoted" 'single' """
           """</div><img src=x onerror="window.__pwned=2">""")
CITIES = {"London": (51.507, -0.128), "Paris": (48.857, 2.352), "Berlin": (52.52, 13.405)}
TEST_TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
def items(n: int, seed: int = 1, **overrides) -> pd.DataFrame:
    """Located items scattered around three cities over a week, with hostile text in some."""
    rng = np.random.default_rng(seed)
    names = list(CITIES)
    city = rng.integers(0, len(names), n)
    lat = np.array([CITIES[names[c]][0] for c in city]) + rng.normal(0, 0.05, n)
    lon = np.array([CITIES[names[c]][1] for c in city]) + rng.normal(0, 0.08, n)
    platforms = rng.choice(["twitter", "mastodon", "bluesky"], n)
    start = pd.Timestamp("2024-03-01", tz="UTC")
    frame = pd.DataFrame({
        "lat": lat, "lon": lon, "uid": [f"{p}:{i}" for i, p in enumerate(platforms)],
        "platform": platforms, "author_handle": [f"user{i % 17}" for i in range(n)],
        "created_at": start + pd.to_timedelta(rng.integers(0, 7 * 86400, n), "s"),
        "text": [HOSTILE if i % 5 == 0 else f"post {i} about the fire near {names[city[i]]}"
                 for i in range(n)],
        "url": [f"https://example.org/{p}/{i}" for i, p in enumerate(platforms)],
        "sentiment": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(-1, 1, n)),
        "place_method": rng.choice(["geotag", "place", "text_place", "profile"], n),
        "place_confidence": rng.uniform(0.2, 1, n).round(2),
        "place_name": [names[c] for c in city],
    })
    for column, values in overrides.items():
        frame[column] = values
    return frame


def payload_of(m: folium.Map) -> dict:
    """The item columns a map hands to the browser, unpacked as the browser would."""
    data = next(c for c in m._children.values() if isinstance(c, elements.ItemData))
    payload = json.loads(data.payload)
    if "deflate" in payload:
        return json.loads(zlib.decompress(base64.b64decode(payload["deflate"])))
    return payload["data"]


def rendered(m: folium.Map) -> str:
    return m.get_root().render()


def without_vendored(page: str) -> str:
    """The page with every inlined vendored file cut out, leaving what we generated."""
    for entry in webassets.manifest()["files"]:
        path = entry["path"]
        if path.endswith(".js"):
            page = page.replace(webassets.inline_js(path), "")
        elif path.endswith(".css"):
            page = page.replace(webassets.inline_css(path), "")
    return page.replace(elements.js_json(webassets.outline()), "")


URL = re.compile(r"""https?://[^\s"'<>)\\]+""")


# --- building maps ---------------------------------------------------------------------------

def test_small_map_has_markers_per_platform_heat_and_time_layer():
    frame = items(60)
    m = map_items(frame)
    stats = m.workbench_stats
    assert (stats.rows, stats.mapped, stats.dropped) == (60, 60, {})
    assert not stats.clustered and not stats.compressed
    assert set(stats.groups) == {"twitter", "mastodon", "bluesky"} and sum(stats.groups.values()) == 60
    page = rendered(m)
    assert page.count("WorkbenchMap.markers(") == 3
    assert "WorkbenchMap.heat(" in page and "WorkbenchMap.timeLayer(" in page
    assert "L.control.layers(" in page and "WorkbenchMap.outline(" in page
    assert page.count('"cluster": false') == 3
    assert "/* leaflet.markercluster/leaflet.markercluster.js */" not in page  # not needed, not shipped
    assert "/* leaflet/leaflet.js */" in page and "/* leaflet.heat/leaflet-heat.js */" in page
    assert stats.time_period == "PT1H" and stats.time_cells == 60 and stats.untimed == 0
    data = payload_of(m)
    assert data["n"] == 60 and len(data["lat"]) == len(data["group"]) == 60
    assert sorted(set(data["group"])) == [0, 1, 2]


def test_large_map_clusters_compresses_and_aggregates_the_time_layer():
    frame = items(5000)
    m = map_items(frame, max_time_cells=800, compress=True)
    stats = m.workbench_stats
    assert stats.clustered and stats.compressed and stats.mapped == 5000
    assert 0 < stats.time_cells <= 800 and stats.time_period == "PT6H"
    page = rendered(m)
    assert "/* leaflet.markercluster/leaflet.markercluster.js */" in page
    assert "/* leaflet-timedimension/leaflet.timedimension.min.js */" in page
    assert len(page.encode()) < 2_000_000
    data = payload_of(m)
    assert data["n"] == 5000 and len(data["cols"]["text"]["values"]) == 5000
    assert sum(x is None for x in data["t"]) == 0


def test_without_heat_or_time_slider_their_code_is_left_out():
    m = map_items(items(20), heat=False, time_slider=False, outlines=False, layers_by=None)
    page = rendered(m)
    assert "WorkbenchMap.heat(" not in page and "WorkbenchMap.timeLayer(" not in page
    assert "WorkbenchMap.outline(" not in page
    assert "/* leaflet.heat/leaflet-heat.js */" not in page and "timedimension" not in page
    assert m.workbench_stats.groups == {"Items": 20}


def test_layers_by_sentiment_band_and_place_method():
    frame = items(200, sentiment=[np.nan, -0.6, 0.0, 0.02, 0.7] * 40)
    by_sentiment = map_items(frame, layers_by="sentiment").workbench_stats.groups
    assert list(by_sentiment.items()) == [("negative", 40), ("neutral", 80), ("positive", 40),
                                          ("not scored", 40)]
    by_method = map_items(frame, layers_by="place_method").workbench_stats.groups
    assert set(by_method) == {"geotag", "place", "text_place", "profile"}
    assert sum(by_method.values()) == 200


def test_many_platforms_fold_into_other_and_missing_values_are_unknown():
    platforms = [f"p{i % 14}" for i in range(140)]
    platforms[0] = None
    groups = map_items(items(140, platform=platforms)).workbench_stats.groups
    assert len(groups) == 10 and "other" in groups and sum(groups.values()) == 140
    assert map_items(items(10).drop(columns="platform")).workbench_stats.groups == {"unknown": 10}


def test_post_text_and_layer_names_never_reach_the_page_as_markup():
    frame = items(30, platform=["<b onmouseover=alert(1)>x</b>"] * 30)
    page = rendered(map_items(frame, compress=False))
    for raw in ("<script>window.__pwned", "</div><img", "onerror=\"window", "<b onmouseover"):
        assert raw not in page
    assert "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e" in page  # as JSON text
    assert "\\u0027single\\u0027" in page
    # A layer name is HTML in Leaflet's layer control: the platform value is escaped into it.
    assert html.escape("<b onmouseover=alert(1)>x</b>").replace("&", "\\u0026") in page


def test_template_syntax_in_posts_stays_text():
    jinja = "{{ 7*191 }} {% for x in range(3) %}LOOP{% endfor %} {# gone #} {{{"
    frame = items(4, text=[jinja] * 4, platform=[jinja] * 4, author_handle=[jinja] * 4,
                  place_name=[jinja] * 4)
    m = map_items(frame, compress=False, tiles=TEST_TILES, attribution="Tiles {{ 7*191 }}")
    page = rendered(m)
    assert "1337" not in page and "LOOPLOOP" not in page
    data = payload_of(m)
    assert data["cols"]["text"]["values"] == [jinja] * 4 and data["cols"]["author"]["keys"] == [jinja]
    # The layer name and the attribution, as HTML text (inside JSON, where & is \u0026).
    assert page.count("\\u0026#123;\\u0026#123; 7*191 \\u0026#125;\\u0026#125;") == 2
    with pytest.raises(WorkbenchError, match="URL template"):
        map_items(frame, tiles="https://t.example/{{z}}/{x}/{y}.png", attribution="x")


def test_bidi_overrides_in_popups_and_layer_names_stay_inside_an_isolate():
    override, unclosed = "abc \u202eevil.exe\u202c tail", "open \u202egnp.exe"
    frame = items(4, text=[override, unclosed, "plain", "plain"], author_handle=["ev\u202eil"] * 4,
                  platform=["x\u202eq"] * 4, place_name=["Par\u202eis"] * 4)
    m = map_items(frame, compress=False)
    cols = payload_of(m)["cols"]
    fsi, pdi = "\u2068", "\u2069"
    assert cols["text"]["values"][:3] == [fsi + override + pdi, fsi + unclosed + "\u202c" + pdi, "plain"]
    assert cols["author"]["keys"] == [fsi + "ev\u202eil\u202c" + pdi]
    assert cols["place"]["keys"] == [fsi + "Par\u202eis\u202c" + pdi]
    assert cols["platform"]["keys"] == [fsi + "x\u202eq\u202c" + pdi]
    # The layer name is HTML in Leaflet's layer control: the override is closed inside a <bdi>.
    assert r"\u003cbdi\u003ex\u202eq\u202c\u003c/bdi\u003e" in rendered(m)  # as JSON text
    assert frame["text"].tolist()[1] == unclosed  # the frame itself is left alone


def test_only_http_and_https_links_are_kept():
    urls = ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>", " https://example.org/a",
            "https://example.org/ok?q=1", "HTTP://EXAMPLE.ORG/x", "vbscript:msgbox", "https://", "ftp://x/y",
            "https://exa mple.org/", None]
    m = map_items(items(len(urls), url=urls), compress=False)
    kept = payload_of(m)["cols"]["url"]["values"]
    assert kept == [None, None, None, None, "https://example.org/ok?q=1", "HTTP://EXAMPLE.ORG/x", None, None,
                    None, None, None]
    assert safe_url("https://example.org/") == "https://example.org/" and safe_url(42) is None


def test_rows_without_a_usable_location_are_dropped_and_counted():
    frame = items(8, lat=[51.5, np.nan, None, "not a number", 95.0, 51.5, 51.5, "51.5"],
                  lon=[-0.1, -0.1, -0.1, -0.1, -0.1, 200.0, np.inf, "-0.1"])
    m = map_items(frame)
    stats = m.workbench_stats
    assert stats.mapped == 2 and stats.rows == 8
    assert stats.dropped == {"lat/lon missing or not a number": 4, "lat/lon out of range": 2}
    page = rendered(m)
    assert "2 of 8 items on the map" in page and "4 left out: no usable lat/lon" in page
    assert "2 left out: lat/lon out of range" in page


def test_times_as_iso_text_naive_or_garbage():
    when = ["2024-03-01T10:00:00Z", "2024-03-01T12:00:00+02:00", "2024-03-01 11:00", "yesterday", None]
    frame = located(items(5, created_at=when)).frame
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert frame["created_at"].tolist()[:3] == [pd.Timestamp("2024-03-01T10:00Z")] * 2 + \
        [pd.Timestamp("2024-03-01T11:00Z")]
    assert frame["created_at"].isna().tolist() == [False, False, False, True, True]
    m = map_items(items(5, created_at=when))
    assert m.workbench_stats.untimed == 2
    assert "2 without a time, so not on the time slider" in rendered(m)
    assert map_items(items(3).drop(columns="created_at")).workbench_stats.time_period is None


def test_no_located_items_is_a_clear_error():
    with pytest.raises(WorkbenchError, match="no located items to map: 0 row"):
        map_items(pd.DataFrame({"lat": [], "lon": []}))
    with pytest.raises(WorkbenchError, match=r"3 row\(s\) given \(3 lat/lon missing"):
        map_items(pd.DataFrame({"lat": [np.nan] * 3, "lon": [1.0] * 3}))
    with pytest.raises(WorkbenchError, match="lack the column"):
        map_items(pd.DataFrame({"latitude": [1.0], "lon": [1.0]}))
    with pytest.raises(WorkbenchError, match="must be a pandas DataFrame"):
        map_items([{"lat": 1, "lon": 2}])


@pytest.mark.parametrize("kwargs, message", [
    ({"layers_by": "colour"}, "layers_by must be one of"),
    ({"tz": "Mars/Olympus_Mons"}, "unknown time zone"),
    ({"tiles": "https://tiles.example.org/tile.png", "attribution": "x"}, r"\{z\}, \{x\} and \{y\}"),
    ({"tiles": "https://tiles.example.org/{z}/{x}/{y}.png"}, "needs its attribution"),
    ({"cluster_threshold": -1}, "cluster_threshold must be a whole number >= 0"),
    ({"excerpt_chars": 0}, "excerpt_chars must be a whole number >= 1"),
    ({"max_time_cells": "many"}, "max_time_cells"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(WorkbenchError, match=message):
        map_items(items(3), **kwargs)


# --- offline and self-contained ---------------------------------------------------------------

def test_saved_map_references_no_url_but_the_tile_template(tmp_path):
    frame = items(50).drop(columns="url")
    path = save_map(map_items(frame, tiles=TEST_TILES, attribution="Test tiles"), tmp_path / "map.html")
    page = path.read_text("utf-8")
    assert webassets.external_loads(page) == []
    assert set(URL.findall(without_vendored(page))) == {TEST_TILES}
    assert not list(tmp_path.glob("*.partial"))


def test_default_map_links_only_to_tiles_attribution_and_the_originals(tmp_path):
    frame = items(50)
    page = save_map(map_items(frame, compress=False), tmp_path / "map.html").read_text("utf-8")
    allowed = {OSM_TILES, *URL.findall(OSM_ATTRIBUTION), *frame["url"]}
    assert set(URL.findall(without_vendored(page))) <= allowed
    assert OSM_TILES in page and webassets.external_loads(page) == []


def test_notebook_display_is_self_contained_too():
    shown = map_items(items(10))._repr_html_()
    inner = html.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1))
    assert "/* leaflet/leaflet.js */" in inner and webassets.external_loads(inner) == []


def test_saving_refuses_a_map_that_needs_the_network(tmp_path):
    m = map_items(items(5))
    Fullscreen().add_to(m)  # a folium plugin that brings its own CDN links
    with pytest.raises(WorkbenchError, match="would load .* from the network"):
        save_map(m, tmp_path / "map.html")
    assert not (tmp_path / "map.html").exists()
    assert save_map(m, tmp_path / "map.html", allow_external=True).exists()


def test_external_loads_finds_scripts_styles_and_css_urls():
    page = ('<script src="https://cdn.example/x.js"></script>'
            '<link rel="stylesheet" href="//cdn.example/y.css">'
            '<style>a { background: url("http://img.example/z.png") } @import "q.css";</style>'
            '<a href="https://example.org">a link is not a load</a><script src="local.js"></script>')
    assert webassets.external_loads(page) == ["https://cdn.example/x.js", "//cdn.example/y.css",
                                              "http://img.example/z.png", "@import"]


def test_vendored_assets_match_their_manifest_and_carry_licences():
    folder = webassets.folder()
    entries = webassets.manifest()["files"]
    for entry in entries:
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        assert entry["version"] and entry["license"]
    listed = {e["path"] for e in entries}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    ours = {p for p in on_disk if p.startswith("workbench/")}
    assert on_disk - listed - ours == {"MANIFEST.json"}
    assert ours == {"workbench/workbench-map.js", "workbench/workbench-map.css"}
    packages = {e["package"] for e in entries}
    for package in packages - {"iso8601-js-period"}:  # that one ships no licence file
        assert any(e["package"] == package and "LICEN" in e["path"] for e in entries), package
    assert (folder / webassets.OUTLINE).stat().st_size < 1_000_000
    outline = webassets.outline()
    assert outline["type"] == "FeatureCollection" and len(outline["features"]) > 150


def test_inlined_css_needs_nothing_from_elsewhere():
    for bundle in webassets.BUNDLES.values():
        for kind, path in bundle:
            if kind == "css":
                css = webassets.inline_css(path)
                assert "//netdna" not in css and "url(images/" not in css, path


# --- time bins ------------------------------------------------------------------------------

def test_time_bins_choose_a_step_and_coarsen_cells_to_fit():
    frame = located(items(3000)).frame
    fine = time_bins(frame["lat"], frame["lon"], frame["created_at"], max_steps=250, max_features=2000)
    assert fine.period == "PT1H" and len(fine.times) <= 250
    assert len(fine) <= 2000 and int(fine.count.sum()) == 3000 and 0.01 <= fine.cell_degrees <= 0.5
    assert fine.times == sorted(fine.times) and fine.times[1] - fine.times[0] == 3_600_000
    # Three cities every hour for a week cannot fit 400 pairs: the step grows instead of the cells.
    coarse = time_bins(frame["lat"], frame["lon"], frame["created_at"], max_steps=250, max_features=400)
    assert coarse.period == "PT6H" and len(coarse) <= 400 and int(coarse.count.sum()) == 3000
    assert coarse.cell_degrees <= 0.5
    daily = time_bins(frame["lat"], frame["lon"], frame["created_at"], max_steps=10)
    assert daily.period == "P1D" and len(daily.times) <= 10
    none = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
    assert time_bins(frame["lat"], frame["lon"], none) is None


# --- GeoJSON --------------------------------------------------------------------------------

def test_geojson_is_a_valid_feature_collection(tmp_path):
    frame = items(6, url=["javascript:alert(1)", "https://example.org/a", None, "https://example.org/b",
                          "https://example.org/c", "https://example.org/d"])
    frame.loc[2, "lat"] = np.nan
    frame.loc[3, ["sentiment", "place_confidence", "platform"]] = [np.nan, np.nan, None]
    frame.loc[4, "created_at"] = pd.NaT
    collection = to_geojson(frame)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 5
    json.dumps(collection, allow_nan=False)  # no NaN anywhere: RFC 8259 JSON
    kept = frame.drop(index=2).reset_index(drop=True)
    for feature, (_, row) in zip(collection["features"], kept.iterrows(), strict=True):
        assert feature["type"] == "Feature" and feature["id"] == row["uid"]
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]  # RFC 7946: longitude first
        assert (lon, lat) == (round(row["lon"], 6), round(row["lat"], 6))
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert set(feature["properties"]) == {"uid", "platform", "author_handle", "created_at", "url",
                                              "place_name", "place_method", "place_confidence",
                                              "sentiment", "text"}
    props = [f["properties"] for f in collection["features"]]
    assert props[0]["url"] is None and props[1]["url"] == "https://example.org/a"
    assert props[2]["sentiment"] is None and props[2]["place_confidence"] is None
    assert props[2]["platform"] is None
    assert props[3]["created_at"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", props[0]["created_at"])
    assert props[0]["text"] == HOSTILE  # data, not markup: whoever renders it escapes it

    path = write_geojson(frame, tmp_path / "items.geojson")
    assert json.loads(path.read_text("utf-8")) == collection
    assert to_geojson(pd.DataFrame({"lat": [], "lon": []})) == {"type": "FeatureCollection", "features": []}


def test_geojson_excerpts_long_text():
    frame = items(1, text=["word " * 200])
    text = to_geojson(frame, excerpt_chars=50)["features"][0]["properties"]["text"]
    assert len(text) == 50 and text.endswith("\u2026") and "  " not in text


# --- in a real browser, with the network off --------------------------------------------------

def open_offline(browser, path: Path):
    """Open a saved map with every request but file:// refused; returns (page, refused URLs, errors)."""
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    refused = refuse_network(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.evaluate("WorkbenchMap.settled()")
    return page, refused, errors


def not_blank(png: Path) -> bool:
    """More than a background: many colours, and some of them the markers' blue."""
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    marker_blue = sum(n for n, (r, g, b) in colours if b > 120 and b - r > 40 and r < 140)
    return len(colours) > 50 and marker_blue > 50


def test_saved_map_shows_points_popups_and_layers_offline(browser, tmp_path):
    frame = items(40, url=["javascript:alert(1)"] + [f"https://example.org/p/{i}" for i in range(39)])
    path = save_map(map_items(frame, tiles=TEST_TILES, attribution="Test tiles", layers_by=None),
                    tmp_path / "small.html")
    page, refused, errors = open_offline(browser, path)
    try:
        assert errors == []
        assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 40
        assert page.locator(".leaflet-wbOutlines-pane path").count() > 150  # the bundled outlines
        assert page.locator(".wb-cluster").count() == 0
        page.screenshot(path=str(tmp_path / "small.png"))
        assert not_blank(tmp_path / "small.png")
        tile = re.compile(r"http://127\.0\.0\.1:9/tiles/\d+/\d+/\d+\.png")
        assert refused and all(tile.fullmatch(u) for u in refused)  # only tiles were asked for

        page.locator(".leaflet-overlay-pane path.leaflet-interactive").first.click(force=True)
        popup = page.locator(".wb-popup")
        popup.wait_for()
        assert popup.locator("script, img").count() == 0
        assert HOSTILE in popup.locator(".wb-text").inner_text() or "post " in popup.inner_text()
        # Every item's popup: text shown as text, links only to http(s) originals.
        checked = page.evaluate("""() => {
            var items = Object.keys(window).filter(k => k.startsWith('item_data_')).map(k => window[k])[0];
            var out = {texts: 0, hrefs: [], injected: 0};
            for (var i = 0; i < items.data.n; i++) {
                var node = WorkbenchMap.popup(items, i);
                if (node.querySelector('.wb-text').textContent.indexOf('<script>') >= 0) { out.texts++; }
                out.injected += node.querySelectorAll('script, img, b').length;
                node.querySelectorAll('a').forEach(a => out.hrefs.push(a.getAttribute('href')));
            }
            return out;
        }""")
        assert checked["texts"] == 8 and checked["injected"] == 0
        assert len(checked["hrefs"]) == 39
        assert all(h.startswith("https://example.org/p/") for h in checked["hrefs"])
        assert page.evaluate("window.__pwned") is None

        page.get_by_text("Heat map").click()
        page.get_by_text("Over time").click()
        assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
        assert page.locator(".leaflet-bar-timecontrol").count() == 1  # the slider, while the layer is on
        assert re.search(r"2024-03-0\d \d\d:00 UTC", page.locator(".timecontrol-date").inner_text())
        page.get_by_text("Over time").click()
        assert page.locator(".leaflet-bar-timecontrol").count() == 0
        assert errors == []
    finally:
        page.close()


def test_large_saved_map_clusters_every_point_offline(browser, tmp_path):
    m = map_items(items(5000), tiles=TEST_TILES, attribution="Test tiles", compress=True)
    path = save_map(m, tmp_path / "large.html")
    page, refused, errors = open_offline(browser, path)
    try:
        assert errors == []
        clusters = page.locator(".wb-cluster").all_inner_texts()
        singles = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
        assert clusters and sum(int(t.replace(",", "")) for t in clusters) + singles == 5000
        assert page.locator(".leaflet-wbOutlines-pane path").count() > 150
        page.screenshot(path=str(tmp_path / "large.png"))
        assert not_blank(tmp_path / "large.png")
        assert all(u.startswith("http://127.0.0.1:9/tiles/") for u in refused)
    finally:
        page.close()


def test_the_demo_case_map_with_no_tiles_opens_offline_and_shows_every_located_item(
        browser, demo_case, tmp_path):
    located = demo_case.located_items()
    m = map_items(located, tiles=False, layers_by="place_method")
    path = save_map(m, tmp_path / "demo.html")
    page, refused, errors = open_offline(browser, path)
    try:
        assert errors == [] and refused == []  # no tiles: not one request leaves the file
        clusters = page.locator(".wb-cluster").all_inner_texts()
        singles = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
        assert sum(int(t.replace(",", "")) for t in clusters) + singles == len(located) > 3000
        for method in ("geotag", "exif", "place", "text_place", "profile"):
            label = re.compile(rf"^\s*{method} \(\d")  # "place (48)", not "text_place (2,255)"
            assert page.locator(".leaflet-control-layers span").get_by_text(label).count() == 1
        page.screenshot(path=str(tmp_path / "demo.png"))
        assert not_blank(tmp_path / "demo.png")
    finally:
        page.close()


def test_the_map_functions_are_reached_from_the_geo_package_without_loading_folium_first():
    import subprocess
    import sys

    code = ("import sys, workbench.geo as geo; assert 'folium' not in sys.modules; "
            "from workbench.geo.maps import map_items; assert geo.map_items is map_items; "
            "assert geo.OfflineGeocoder.__name__ == 'OfflineGeocoder'")
    subprocess.run([sys.executable, "-c", code], check=True)
