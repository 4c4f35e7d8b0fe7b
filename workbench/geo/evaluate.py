"""How well the offline geocoder places names, on GeoWebNews: names alone and with their article.

GeoWebNews (Gritta et al. 2019; ``geo/GWN.xml`` in ``../shared/data``, GPL-3.0: read for
evaluation only, nothing of it is kept here) annotates 200 news articles; the 2,601 toponyms with
coordinates (GeoNames' points) are the gold. For each, its name as written goes to:

- the geocoder, alone (``OfflineGeocoder.geocode(name)``, no context);
- the baseline: the most populous place whose own name or GeoNames alternate name it is (the
  same gazetteer, none of the geocoder's aliases, abbreviations, demonyms or rules);
- a second baseline: the most populous of all the geocoder's candidates for the name (aliases,
  abbreviations and demonyms included): what is left is the choice among them;
- the geocoder with the article as context: the gold names of each article resolved together
  (:meth:`OfflineGeocoder.resolve_all`), each in the light of the others.

acc@161 km is the share of gold toponyms placed within 161 km of the gold point; a name not found
counts as a miss. :func:`geocode_gold` gives the per-toponym frame, :func:`scores` the figures.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from workbench.geo.gazetteer import OfflineGeocoder, haversine_km
from workbench.geo.gazetteer_tables import ALTERNATE, MIN_POPULATION, NAME, Place, entries, tables

#: The distance within which a toponym counts as placed.
KM = 161.0


class GoldToponym(NamedTuple):
    """A gold toponym of GeoWebNews: its article, name as written, span, type and point."""

    article: str
    name: str
    start: int
    end: int
    type: str
    lat: float
    lon: float


def default_path() -> Path:
    """Where GeoWebNews lies for developers and CI: ``../shared/data/geo/GWN.xml`` beside the
    project."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "geo" / "GWN.xml"


def read_gwn(path: str | Path | None = None) -> list[GoldToponym]:
    """The toponyms of GeoWebNews that have coordinates, article by article, in file order."""
    found = []
    for article in ET.parse(path or default_path()).getroot().iter("article"):
        number = article.get("file") or ""
        for t in article.iter("toponym"):
            lat, lon = t.findtext("latitude"), t.findtext("longitude")
            if lat and lon:
                found.append(GoldToponym(number, t.findtext("extractedName") or "",
                                         int(t.findtext("start")), int(t.findtext("end")),
                                         t.findtext("type") or "", float(lat), float(lon)))
    return found


def most_populous(name: str, *, min_population: int | None = None,
                  geonames_only: bool = True) -> Place | None:
    """The baseline's answer: the most populous place written ``name`` (only by its own or a
    GeoNames alternate name when ``geonames_only``), or None."""
    data = tables(min_population or MIN_POPULATION)
    candidates = [p for p, via in entries(data, name) if not geonames_only or via in (NAME, ALTERNATE)]
    return max(candidates, key=lambda p: p.population, default=None)


def geocode_gold(toponyms: Sequence[GoldToponym], geocoder: OfflineGeocoder | None = None,
                 *, context: bool = True) -> pd.DataFrame:
    """One row per gold toponym: the gold point, and the points (and km off) of the geocoder
    alone (``lat``, ``lon``, ``km``, with the answer's ``kind``, ``matched`` and ``relation``),
    the baseline (``baseline_*``), the most populous candidate (``candidates_*``) and, with
    ``context``, the geocoder given the article's other names (``context_*``); NaN where
    nothing was found."""
    geocoder = geocoder or OfflineGeocoder()
    alone: dict[str, tuple] = {}
    for name in dict.fromkeys(t.name for t in toponyms):
        location = geocoder.geocode(name)
        base = most_populous(name, min_population=geocoder.min_population)
        every = most_populous(name, min_population=geocoder.min_population, geonames_only=False)
        alone[name] = (_point(location), (location.raw["kind"], location.raw["matched"],
                                          location.raw["relation"]) if location else (None,) * 3,
                       (base.lat, base.lon) if base else None, (every.lat, every.lon) if every else None)
    in_context: list[tuple | None] = []
    if context:
        by_article: dict[str, list[int]] = {}
        for i, t in enumerate(toponyms):
            by_article.setdefault(t.article, []).append(i)
        in_context = [None] * len(toponyms)
        for rows in by_article.values():
            matches = geocoder.resolve_all([toponyms[i].name for i in rows])
            for i, match in zip(rows, matches, strict=True):
                in_context[i] = (match.place.lat, match.place.lon) if match else None
    records = []
    for i, t in enumerate(toponyms):
        point, (kind, matched, relation), base, every = alone[t.name]
        record = {"article": t.article, "name": t.name, "type": t.type, "gold_lat": t.lat,
                  "gold_lon": t.lon, "kind": kind, "matched": matched, "relation": relation}
        columns = [("", point), ("baseline_", base), ("candidates_", every)]
        if context:
            columns.append(("context_", in_context[i]))
        for prefix, found in columns:
            record[f"{prefix}lat"], record[f"{prefix}lon"] = found or (math.nan, math.nan)
            record[f"{prefix}km"] = (haversine_km(found[0], found[1], t.lat, t.lon) if found
                                     else math.nan)
        records.append(record)
    return pd.DataFrame.from_records(records)


def scores(frame: pd.DataFrame) -> dict[str, float]:
    """acc@161 km and the share found, for each answer of a :func:`geocode_gold` frame, plus
    the counts of names and of names not found."""
    n = len(frame)
    result: dict[str, float] = {"toponyms": n, "distinct_names": frame["name"].nunique()}
    for label, prefix in (("geocoder", ""), ("baseline", "baseline_"),
                          ("candidates_baseline", "candidates_"), ("context", "context_")):
        column = f"{prefix}km"
        if column not in frame:
            continue
        km = frame[column]
        result[f"{label}_acc161"] = float((km <= KM).sum() / n) if n else math.nan
        result[f"{label}_not_found"] = int(km.isna().sum())
    return result


def names_alone(path: str | Path | None = None, geocoder: OfflineGeocoder | None = None,
                *, context: bool = True) -> dict[str, float]:
    """The figures on GeoWebNews in one call: see :func:`scores`."""
    return scores(geocode_gold(read_gwn(path), geocoder, context=context))


def _point(location) -> tuple[float, float] | None:
    return (location.latitude, location.longitude) if location is not None else None
