"""Online geocoders, opt-in: any geopy geocoder, rate-limited, with its answers kept in the case.

Off by default; the analyst switches one on for names the bundled gazetteer does not know
(neighbourhoods, streets, landmarks). Every answer, found or not, is stored in the case's
``geocode_cache`` table, so the same name is never asked twice, not even in a later run; the
answer's raw JSON is kept as the service gave it.

Nominatim's usage policy asks for at most one request a second and a user agent that names the
application: :func:`nominatim` sets both, and refuses geopy's sample user agent.

    >>> from geopy.geocoders import Nominatim
    >>> online = CachedGeocoder(case.db, Nominatim(user_agent="my-newsroom-osint (me@example.org)"))
"""

from __future__ import annotations

from typing import NamedTuple

import orjson
import sqlite_utils
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from workbench.errors import WorkbenchError
from workbench.geo.gazetteer import haversine_km
from workbench.store import write
from workbench.timeutil import now_text

#: Seconds between two requests to one service (Nominatim's policy: at most one a second).
MIN_DELAY_SECONDS = 1.0
#: How sure an online answer is that it is the place meant (the service gives no such figure).
ONLINE_CONFIDENCE = 0.7


class CachedGeocoder:
    """A geopy geocoder behind geopy's RateLimiter, answering from the case's cache first.

    ``name`` identifies the service in the cache (default: the geocoder's class and domain).
    ``max_retries``: tries after the first for a failed request (geopy's RateLimiter waits
    between them); a request that still fails raises :class:`workbench.errors.WorkbenchError`.
    """

    def __init__(self, db: sqlite_utils.Database, geocoder: Geocoder, *, name: str | None = None,
                 min_delay_seconds: float = MIN_DELAY_SECONDS, max_retries: int = 2):
        self.db = db
        self.geocoder = geocoder
        domain = getattr(geocoder, "domain", "")
        self.name = name or f"{type(geocoder).__name__}:{domain}".rstrip(":")
        self._geocode = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=max_retries, swallow_exceptions=False)
        self.asked = 0

    def geocode(self, query: str) -> Location | None:
        """The service's first answer for ``query`` (None when it found nothing)."""
        query = " ".join(query.split())
        row = self.db.execute("SELECT answer FROM geocode_cache WHERE geocoder = ? AND query = ?",
                              [self.name, query]).fetchone()
        if row is not None:
            return _from_cache(row[0])
        try:
            found = self._geocode(query, exactly_one=True)
        except GeopyError as exc:
            raise WorkbenchError(f"geocoder {self.name} failed for {query!r}: {exc}",
                                 hint="check the network and the service's address, or go on "
                                 "without it (the bundled gazetteer still answers)") from exc
        self.asked += 1
        answer = None if found is None else {
            "address": found.address, "lat": found.latitude, "lon": found.longitude,
            "raw": found.raw}
        with write(self.db):
            self.db.execute("INSERT OR REPLACE INTO geocode_cache (geocoder, query, answer, asked_at) "
                            "VALUES (?, ?, ?, ?)",
                            [self.name, query, orjson.dumps(answer).decode(), now_text()])
        return _from_cache(orjson.dumps(answer).decode())


    def match(self, name: str) -> OnlineMatch | None:
        """The answer for ``name`` in the shape of an offline gazetteer match (for locating):
        its radius from the service's bounding box, confidence 0.7."""
        found = self.geocode(name)
        if found is None:
            return None
        raw = found.raw if isinstance(found.raw, dict) else {}
        radius = 5.0
        box = raw.get("boundingbox")  # Nominatim's: south, north, west, east
        if isinstance(box, list) and len(box) == 4:
            try:
                south, north, west, east = (float(v) for v in box)
                radius = max(0.05, haversine_km(south, west, north, east) / 2)
            except (TypeError, ValueError):
                pass
        place = OnlinePlace(None, found.address, raw.get("addresstype") or raw.get("type") or "place",
                            None, None, found.latitude, found.longitude, 0, raw.get("class"),
                            raw.get("type"), round(radius, 2))
        return OnlineMatch(place, 0.0, ONLINE_CONFIDENCE, "online", self.name)


class OnlinePlace(NamedTuple):
    """A place an online service named, with the fields of a gazetteer place."""

    geonameid: int | None
    name: str
    kind: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    population: int
    feature_class: str | None
    feature_code: str | None
    radius_km: float


class OnlineMatch(NamedTuple):
    """An online answer as a gazetteer match, naming the service in ``geocoder``."""

    place: OnlinePlace
    score: float
    confidence: float
    via: str
    geocoder: str


def _from_cache(answer: str) -> Location | None:
    value = orjson.loads(answer)
    if value is None:
        return None
    return Location(value["address"], Point(value["lat"], value["lon"]), value["raw"])


def nominatim(db: sqlite_utils.Database, *, user_agent: str, domain: str = "nominatim.openstreetmap.org",
              scheme: str = "https") -> CachedGeocoder:
    """OpenStreetMap's Nominatim, at most one request a second, with a user agent naming you."""
    from geopy.geocoders import Nominatim

    if not user_agent or not user_agent.strip() or user_agent.lower().startswith("geopy"):
        raise WorkbenchError("Nominatim needs a user agent that names your application",
                             hint='e.g. --user-agent "newsroom-osint/1.0 (you@your-desk.org)" with '
                             "your own contact; see operations.osmfoundation.org/policies/nominatim")
    return CachedGeocoder(db, Nominatim(user_agent=user_agent, domain=domain, scheme=scheme))
