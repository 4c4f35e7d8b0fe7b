"""Located items as GeoJSON (RFC 7946): a FeatureCollection of Points, for GIS tools and other maps.

Coordinates are ``[lon, lat]`` in WGS84 with 6 decimals (about 10 cm). Rows without a usable
location are left out (``workbench.geo.frame.located`` counts them); an input with none gives an
empty, valid FeatureCollection. Like the maps, only http(s) URLs are kept, so a consumer that
turns ``url`` into a link never links a ``javascript:`` one.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pandas as pd

from workbench.geo.frame import excerpts, located, safe_urls

PROPERTIES = ("uid", "platform", "author_handle", "created_at", "url", "place_name", "place_method",
              "place_confidence", "sentiment", "text")


def to_geojson(df: pd.DataFrame, *, excerpt_chars: int = 280) -> dict:
    """A GeoJSON FeatureCollection with one Point Feature per located item.

    Properties: uid, platform, author_handle, created_at (ISO 8601 UTC, ``...Z``), url (http(s)
    only), place_name, place_method, place_confidence, sentiment and ``text`` (an excerpt of at
    most ``excerpt_chars`` characters); missing values are null. A Feature's ``id`` is its uid when
    there is one. Raises ``WorkbenchError`` when ``df`` has no lat/lon columns.
    """
    frame = located(df).frame
    columns = {
        "uid": frame["uid"],
        "platform": frame["platform"],
        "author_handle": frame["author_handle"],
        "created_at": frame["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": safe_urls(frame["url"]),
        "place_name": frame["place_name"],
        "place_method": frame["place_method"],
        "place_confidence": frame["place_confidence"].round(3),
        "sentiment": frame["sentiment"].round(4),
        "text": excerpts(frame["text"], excerpt_chars),
    }
    values = {name: column.astype("object").where(column.notna(), None).tolist()
              for name, column in columns.items()}
    lons, lats = frame["lon"].round(6).tolist(), frame["lat"].round(6).tolist()
    features = []
    for i, (lon, lat) in enumerate(zip(lons, lats, strict=True)):
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                   "properties": {name: values[name][i] for name in PROPERTIES}}
        if values["uid"][i] is not None:
            feature["id"] = values["uid"][i]
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def write_geojson(df: pd.DataFrame, path: str | Path, *, excerpt_chars: int = 280) -> Path:
    """Write :func:`to_geojson` of ``df`` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(orjson.dumps(to_geojson(df, excerpt_chars=excerpt_chars)))
    partial.replace(path)
    return path
