"""Coordinates written in text: decimal pairs, degrees-minutes-seconds, and map links.

Each is range-checked and normalised to ``"lat,lon"`` with six decimals. Dates, times, version
numbers, prices and thousands (``1.234, 5.678``) are not coordinates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Coordinates. A number: lat has at most 2 integer digits, lon at most 3.
_LAT = r"[-+]?\d{1,2}(?:\.\d+)?"
_LON = r"[-+]?\d{1,3}(?:\.\d+)?"
_MAP_LINKS = (  # (a literal the link must contain, its pattern)
    ("/@", re.compile(rf"/@(?P<lat>{_LAT}),(?P<lon>{_LON})(?=[,/?]|$)")),  # Google Maps /@lat,lon,zoom
    ("=", re.compile(
        rf"[?&#](?:q|query|ll|sll|center|destination|daddr|saddr|view)=(?:loc:)?(?P<lat>{_LAT})(?:,|%2C)(?:\+|%20)?"
        rf"(?P<lon>{_LON})(?![\d.])"
    )),
    ("lat", re.compile(
        rf"[?&#](?:lat|latitude)=(?P<lat>{_LAT})&(?:amp;)?(?:lng|lon|long|longitude)=(?P<lon>{_LON})(?![\d.])"
    )),
    ("cp=", re.compile(rf"[?&]cp=(?P<lat>{_LAT})(?:~|%7E)(?P<lon>{_LON})(?![\d.])")),  # Bing Maps
    ("mlat=", re.compile(rf"[?&]mlat=(?P<lat>{_LAT})&(?:amp;)?mlon=(?P<lon>{_LON})(?![\d.])")),  # OSM
    ("#map=", re.compile(rf"#map=\d{{1,2}}/(?P<lat>{_LAT})/(?P<lon>{_LON})(?![\d.])")),
    ("geo:", re.compile(rf"\b[Gg][Ee][Oo]:(?P<lat>{_LAT}),(?P<lon>{_LON})(?![\d.])")),
)
# 51°55'21"N, 51°55.35'N, 51.9225°N, 51.9225 N (a hemisphere letter after degrees, minutes, seconds).
_MIN, _SEC = r"['′’]", r"(?:[\"″”]|''|′′|’’)"


def _dms(prefix: str, digits: int, hemispheres: str, not_after: str = "") -> str:
    lead = rf"(?<!{not_after}\d)" if not_after else ""
    return (
        rf"(?P<{prefix}d>\d{lead}\d{{0,{digits - 1}}}(?:\.\d+)?)\s?(?P<{prefix}deg>°\s?"
        rf"(?:(?P<{prefix}m>\d{{1,2}}(?:\.\d+)?)\s?{_MIN}\s?(?:(?P<{prefix}s>\d{{1,2}}(?:\.\d+)?)\s?{_SEC}\s?)?)?)?"
        rf"(?P<{prefix}h>[{hemispheres}])(?![^\W\d_])"
    )


def _dms_first(prefix: str, digits: int, hemispheres: str) -> str:
    # Hemisphere first, as geocachers write it: N 51° 55.353 E 004° 28.750
    return (
        rf"(?P<{prefix}h>[{hemispheres}])(?<![^\W\d_].)\s?(?P<{prefix}d>\d{{1,{digits}}}(?:\.\d+)?)\s?"
        rf"(?P<{prefix}deg>°\s?"
        rf"(?:(?P<{prefix}m>\d{{1,2}}(?:\.\d+)?)\s?(?:{_MIN}\s?(?:(?P<{prefix}s>\d{{1,2}}(?:\.\d+)?)\s?{_SEC})?)?)?)?"
    )


_IN_NUMBER = r"[\w.]"
_COORD_HEMI = (
    re.compile(rf"{_dms('a', 2, 'NS', _IN_NUMBER)}\s?[,;/]?\s?{_dms('o', 3, 'EWO')}"),
    re.compile(
        rf"{_dms_first('a', 2, 'NS')}\s?[,;/]?\s?{_dms_first('o', 3, 'EWO')}(?![\w.°'′])"
    ),
)
_COORD_HINT = re.compile(r"[NS](?:\s?\d|(?<=\d[NS])|(?<=\d\s[NS]))")
# A bare decimal pair: both with 3+ decimals and one with 4+ (three decimals alone are thousands,
# 1.234, 5.678 in Dutch or German), not preceded by a currency sign nor part of a version number.
_PAIR_HINT = re.compile(r"\.\d{3}")
_COORD_PAIR = re.compile(
    r"(?<![\w.,°$€£¥/-])(?P<lat>-?\d{1,2}\.\d{3,})\s?,\s?(?P<lon>-?\d{1,3}\.\d{3,})(?![\w°'′]|[.,]\d)"
)


def in_map_links(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, norm)`` of the coordinates in map links (Google, OpenStreetMap, Bing, geo:)."""
    lowered = text.lower()
    for literal, pattern in _MAP_LINKS:
        for m in pattern.finditer(text) if literal in lowered else ():
            norm = _coord(float(m.group("lat")), float(m.group("lon")))
            if norm:
                yield m.start("lat"), m.end("lon"), norm


def written(text: str) -> Iterator[tuple[int, int, str, str]]:
    """``(start, end, as written, norm)`` of coordinates written out: with hemispheres (degrees,
    minutes, seconds), then bare decimal pairs."""
    hemispheres = (m for pattern in _COORD_HEMI for m in pattern.finditer(text))
    for m in hemispheres if "°" in text or _COORD_HINT.search(text) else ():
        lat, lon = _dms_value(m, "a"), _dms_value(m, "o")
        norm = None if lat is None or lon is None else _coord(lat, lon)
        shown = m.group().rstrip()
        if norm:
            yield m.start(), m.start() + len(shown), shown, norm
    for m in _COORD_PAIR.finditer(text) if _PAIR_HINT.search(text) else ():
        lat, lon = m.group("lat"), m.group("lon")
        if max(len(lat.partition(".")[2]), len(lon.partition(".")[2])) < 4:
            continue
        norm = _coord(float(lat), float(lon))
        if norm:
            yield m.start(), m.end(), m.group(), norm


def _coord(lat: float, lon: float) -> str | None:
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return f"{lat:.6f},{lon:.6f}"
    return None


def _dms_value(m: re.Match, prefix: str) -> float | None:
    degrees, minutes, seconds = m.group(prefix + "d"), m.group(prefix + "m"), m.group(prefix + "s")
    if not m.group(prefix + "deg") and "." not in degrees:
        return None  # "12 N" is not a coordinate; "12° N" and "12.5 N" are
    if (minutes or seconds) and "." in degrees:
        return None
    value = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    if float(minutes or 0) >= 60 or float(seconds or 0) >= 60:
        return None
    return -value if m.group(prefix + "h") in "SW" else value
