"""Building and saving an offline map of 100,000 located items: time and HTML size.

Items are generated around a few cities over two weeks, on five platforms, with post-like text of
40 to 280 characters, authors, links and sentiment. Prints, for ``map_items`` + ``save_map``:

- seconds to build and save (target: < 10 s);
- size of the saved, self-contained HTML (target: < 15 MB);
- the baseline, in the same run: folium's own plugins as their documentation shows them, a
  ``FastMarkerCluster`` whose points carry an escaped popup (author, time, excerpt, link) and a
  ``HeatMap``, saved with ``Map.save`` (its HTML loads Leaflet and the plugins from CDNs, so it
  does not open offline, and has no layers per group or time slider).

    python benchmarks/geo_map.py [--items 100000] [--repeat 2] [--keep map.html]

``run(n)`` returns the numbers as a dict, for ``benchmarks/geo.py`` to call.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.geo.maps import map_items, save_map

TARGET_SECONDS = 10.0
TARGET_MB = 15.0
CITIES = [("London", 51.507, -0.128, 0.30), ("Manchester", 53.481, -2.242, 0.15),
          ("Paris", 48.857, 2.352, 0.25), ("Berlin", 52.520, 13.405, 0.20), ("Kyiv", 50.450, 30.523, 0.10)]
PLATFORMS = {"twitter": "https://twitter.com/{a}/status/{i}", "mastodon": "https://mastodon.social/@{a}/{i}",
             "bluesky": "https://bsky.app/profile/{a}.bsky.social/post/{i}", "telegram": "https://t.me/{a}/{i}",
             "reddit": "https://www.reddit.com/r/{a}/comments/{i}/"}
WORDS = ["the", "fire", "near", "station", "road", "smoke", "seen", "from", "river", "bridge", "people",
         "evacuated", "police", "say", "no", "injuries", "reported", "yet", "traffic", "closed", "avoid",
         "area", "update", "crews", "on", "scene", "video", "shows", "flames", "warehouse", "chemical",
         "plant", "residents", "told", "keep", "windows", "shut", "air", "quality", "alert", "thanks",
         "please", "stay", "safe", "this", "is", "awful", "what", "happened", "trains", "delayed",
         "incident", "official", "statement", "tonight", "rumours", "cause", "fake", "news", "sources"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "ri", "fo", "da", "gle",
             "bra", "tor", "men", "ish", "ly", "ström", "ção", "ße", "дом", "ки"]
START = pd.Timestamp("2024-03-01", tz="UTC")
TAGS = ["#fire", "#breaking", "#London", "#Paris", "#Berlin", "#Kyiv", "#traffic", "#airquality"]


def make_items(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` located items around the cities, as the locating step would hand them to a map."""
    rng = np.random.default_rng(seed)
    weights = np.array([c[3] for c in CITIES])
    city = rng.choice(len(CITIES), n, p=weights / weights.sum())
    lat = np.array([CITIES[c][1] for c in city]) + rng.normal(0, 0.06, n)
    lon = np.array([CITIES[c][2] for c in city]) + rng.normal(0, 0.09, n)
    platform = rng.choice(list(PLATFORMS), n, p=[0.4, 0.2, 0.2, 0.1, 0.1])
    authors = [f"{w}{k}" for k, w in enumerate(rng.choice(WORDS, 5000))]
    author = rng.choice(authors, n)
    ids = rng.integers(10**17, 10**18, n)
    # Words with a Zipf-like spread over a 20,000-word vocabulary (some not in Latin script), so
    # the text compresses about as well as real posts do.
    vocab = np.array(WORDS + ["".join(rng.choice(SYLLABLES, rng.integers(1, 4))) for _ in range(20_000)])
    rank = 1 / np.arange(1, len(vocab) + 1)
    lengths = rng.integers(6, 45, n)
    words = vocab[rng.choice(len(vocab), int(lengths.sum()), p=rank / rank.sum())]
    ends = np.cumsum(lengths)
    tags = rng.choice(TAGS, n)
    texts = [" ".join(words[end - k:end]) + (f" {tag}" if i % 5 < 2 else "")
             for i, (end, k, tag) in enumerate(zip(ends, lengths, tags, strict=True))]
    texts = [t[:280] for t in texts]
    return pd.DataFrame({
        "lat": lat, "lon": lon, "uid": [f"{p}:{i}" for p, i in zip(platform, ids, strict=True)],
        "platform": platform, "author_handle": author,
        "created_at": START + pd.to_timedelta(rng.integers(0, 14 * 86400, n), "s"),
        "text": texts,
        "url": [PLATFORMS[p].format(a=a, i=i) for p, a, i in zip(platform, author, ids, strict=True)],
        "sentiment": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(-1, 1, n).round(4)),
        "place_method": rng.choice(["geotag", "place", "exif", "text_coord", "text_place", "profile"], n),
        "place_confidence": rng.uniform(0.3, 1.0, n).round(2),
        "place_name": [CITIES[c][0] for c in city],
    })


def baseline(frame: pd.DataFrame, path: Path) -> float:
    """Seconds for folium's FastMarkerCluster (with popups) + HeatMap on the same items, saved."""
    import html

    import folium
    from folium.plugins import FastMarkerCluster, HeatMap

    start = time.perf_counter()
    m = folium.Map(tiles="OpenStreetMap")
    popups = [f"<b>{html.escape(str(a))}</b> {t:%Y-%m-%d %H:%M}<br>{html.escape(x[:280])}<br>"
              f'<a href="{html.escape(u)}">original</a>'
              for a, t, x, u in zip(frame.author_handle, frame.created_at, frame.text, frame.url,
                                    strict=True)]
    points = [[la, lo, p] for la, lo, p in zip(frame.lat, frame.lon, popups, strict=True)]
    callback = ("function (row) { var marker = L.marker(new L.LatLng(row[0], row[1]));"
                " marker.bindPopup(row[2]); return marker; }")
    FastMarkerCluster(points, callback=callback).add_to(m)
    HeatMap(frame[["lat", "lon"]].to_numpy().tolist()).add_to(m)
    m.save(str(path))
    return time.perf_counter() - start


def run(n: int = 100_000, repeat: int = 2, keep: Path | None = None) -> dict:
    """Best-of-``repeat`` seconds for map_items + save_map on ``n`` items, and the HTML's size."""
    frame = make_items(n)
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / "map.html"
        for _ in range(repeat):
            start = time.perf_counter()
            m = map_items(frame)
            save_map(m, path)
            best = min(best, time.perf_counter() - start)
        size_mb = path.stat().st_size / 1e6
        base_path = Path(tmp) / "baseline.html"
        base_seconds = min(baseline(frame, base_path) for _ in range(repeat))
        base_mb = base_path.stat().st_size / 1e6
    stats = m.workbench_stats
    return {"items": n, "seconds": best, "html_mb": size_mb, "compressed": stats.compressed,
            "time_period": stats.time_period, "time_cells": stats.time_cells,
            "seconds_met": best < TARGET_SECONDS, "size_met": size_mb < TARGET_MB,
            "baseline_seconds": base_seconds, "baseline_mb": base_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="also keep the saved map here")
    args = parser.parse_args()
    r = run(args.items, args.repeat, args.keep)
    print(f"map of {r['items']:,} items (data {'deflated' if r['compressed'] else 'plain'}; time slider "
          f"{r['time_period']}, {r['time_cells']:,} cells); best of {args.repeat} runs")
    print(f"build + save: {r['seconds']:6.2f} s  (target < {TARGET_SECONDS:g} s): "
          f"{'MET' if r['seconds_met'] else 'NOT MET'}")
    print(f"HTML size:    {r['html_mb']:6.2f} MB (target < {TARGET_MB:g} MB): "
          f"{'MET' if r['size_met'] else 'NOT MET'}")
    print(f"baseline, folium's FastMarkerCluster with popups + HeatMap (CDN assets, no layers or "
          f"time slider): {r['baseline_seconds']:.2f} s, {r['baseline_mb']:.2f} MB")


if __name__ == "__main__":
    main()
