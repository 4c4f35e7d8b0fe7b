"""The offline geocoder: geopy's interface, ambiguous names resolved by qualifiers and context,
accents and exonyms, and the disk cache."""

from __future__ import annotations

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from workbench.geo import gazetteer_tables
from workbench.geo.gazetteer import OfflineGeocoder, fold, haversine_km


@pytest.fixture(scope="module")
def geocoder() -> OfflineGeocoder:
    return OfflineGeocoder()


def near(location: Location, lat: float, lon: float, km: float = 30) -> bool:
    return haversine_km(location.latitude, location.longitude, lat, lon) <= km


def test_it_is_a_geopy_geocoder_giving_locations_with_geonames_fields(geocoder):
    assert isinstance(geocoder, Geocoder)
    found = geocoder.geocode("Rotterdam")
    assert isinstance(found, Location)
    assert near(found, 51.92, 4.48)
    raw = found.raw
    assert raw["geonameid"] == 2747891
    assert (raw["country"], raw["admin1"], raw["feature_class"]) == ("NL", "11", "P")
    assert raw["population"] > 500_000 and 0 < raw["confidence"] <= 1
    everything = geocoder.geocode("Paris", exactly_one=False)
    assert len(everything) > 3 and all(isinstance(x, Location) for x in everything)
    scores = [x.raw["score"] for x in everything]
    assert scores == sorted(scores, reverse=True)
    assert geocoder.geocode("Qwxzzyplace") is None
    assert geocoder.geocode("Qwxzzyplace", exactly_one=False) == []


@pytest.mark.parametrize(("query", "lat", "lon"), [
    ("Paris, Texas", 33.66, -95.56), ("Paris TX", 33.66, -95.56), ("Springfield, IL", 39.80, -89.64),
    ("Cambridge MA", 42.38, -71.11), ("London, Ontario", 42.98, -81.23),
    ("Valencia, Spain", 39.47, -0.38), ("Valencia, Venezuela", 10.16, -68.00),
    ("Cordoba, Argentina", -31.41, -64.19), ("Córdoba, España", 37.88, -4.77),
    ("San José, Costa Rica", 9.93, -84.08), ("Portland, Maine", 43.66, -70.26),
    ("Birmingham, AL", 33.52, -86.80), ("Perth, Scotland", 56.40, -3.43),
    ("Sydney, Nova Scotia", 46.14, -60.18), ("Paris, Lamar County, Texas", 33.66, -95.56),
    ("Rotterdam, Zuid-Holland, Nederland", 51.92, 4.48),
])
def test_a_qualifier_picks_among_places_of_one_name(geocoder, query, lat, lon):
    found = geocoder.geocode(query)
    assert near(found, lat, lon), (query, found.address, found.point)
    assert found.raw["confidence"] >= 0.65  # several towns of the name may share a region


@pytest.mark.parametrize(("query", "lat", "lon"), [
    ("Paris", 48.85, 2.35), ("London", 51.51, -0.13), ("Birmingham", 52.48, -1.90),
    ("Den Haag", 52.08, 4.30), ("The Hague", 52.08, 4.30), ("Köln", 50.93, 6.95),
    ("Cologne", 50.93, 6.95), ("koln", 50.93, 6.95), ("MÜNCHEN", 48.14, 11.58),
    ("Zurich", 47.37, 8.55), ("Роттердам", 51.92, 4.48),
])
def test_without_context_the_largest_reading_wins_whatever_the_spelling(geocoder, query, lat, lon):
    assert near(geocoder.geocode(query), lat, lon), query


def test_context_points_and_countries_of_interest_change_the_reading(geocoder):
    texas = geocoder.geocode("Paris", near=[(32.78, -96.80)])  # Dallas nearby
    assert near(texas, 33.66, -95.56)
    assert geocoder.geocode("Paris").raw["country"] == "FR"
    assert geocoder.geocode("Paris", countries=["US"]).raw["country"] == "US"
    assert OfflineGeocoder(countries=["US"]).geocode("Paris").raw["country"] == "US"


def test_an_ambiguous_reading_is_less_confident_than_a_clear_one(geocoder):
    springfield = geocoder.geocode("Springfield")
    illinois = geocoder.geocode("Springfield, IL")
    assert springfield.raw["confidence"] < 0.7 < illinois.raw["confidence"]
    assert geocoder.geocode("Spijkenisse").raw["confidence"] >= 0.9  # one place of that name


def test_georgia_is_the_country_unless_the_context_is_american(geocoder):
    assert geocoder.geocode("Georgia").raw["kind"] == "country"
    state = geocoder.geocode("Georgia", countries=["US"])
    assert state.raw["kind"] == "state" and state.raw["country"] == "US"
    assert near(state, 32.9, -83.6, km=250)


def test_countries_and_states_are_placed_with_a_wide_radius(geocoder):
    ukraine = geocoder.geocode("Ukraine")
    assert ukraine.raw["kind"] == "country" and ukraine.raw["radius_km"] > 200
    assert geocoder.geocode("Holland").raw["country"] == "NL"
    assert geocoder.geocode("Texas").raw["radius_km"] > 200


def test_reverse_gives_the_nearest_town(geocoder):
    found = geocoder.reverse((51.9244, 4.4777))
    assert found.raw["name"] == "Rotterdam"
    several = geocoder.reverse("51.85, 4.33", exactly_one=False, limit=3)
    assert len(several) == 3 and several[0].raw["name"] == "Spijkenisse"


def test_fold_ignores_case_accents_and_punctuation():
    assert fold("Saint-Étienne") == fold("saint etienne") == "saint etienne"
    assert fold("St. John's") == "st john s"
    assert fold("Łódź") == "lodz"


def test_tables_come_from_the_disk_cache_the_second_time(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    gazetteer_tables.tables.cache_clear()
    try:
        first = OfflineGeocoder(min_population=15000).geocode("Rotterdam")
        files = list(tmp_path.glob("gazetteer-*.json"))
        assert len(files) == 1
        gazetteer_tables.tables.cache_clear()
        again = OfflineGeocoder(min_population=15000).geocode("Rotterdam")
        assert again.raw == first.raw
        files[0].write_text("{not json")  # a broken cache is built again
        gazetteer_tables.tables.cache_clear()
        assert OfflineGeocoder(min_population=15000).geocode("Rotterdam").raw == first.raw
    finally:
        gazetteer_tables.tables.cache_clear()


# --- what analysts write: countries and regions, aliases, demonyms, continents, counties -------

#: GeoNames' own points (geonames.org, CC BY 4.0) of places analysts name.
GEONAMES = {"US": (39.76, -98.5), "CN": (35.0, 105.0), "RU": (60.0, 100.0), "GB": (54.76, -2.70),
            "California": (37.25, -119.75), "Texas": (31.25, -99.25), "Europe": (48.69, 9.14),
            "North America": (46.07, -100.55), "Kentucky": (37.5, -85.0)}


@pytest.mark.parametrize(("query", "where"), [
    ("United States", "US"), ("US", "US"), ("U.S.", "US"), ("USA", "US"), ("America", "US"),
    ("China", "CN"), ("Russia", "RU"), ("UK", "GB"), ("Britain", "GB"), ("California", "California"),
    ("Texas", "Texas"), ("Calif.", "California"), ("Kentucky", "Kentucky"), ("Ky.", "Kentucky"),
    ("Europe", "Europe"), ("North America", "North America"),
])
def test_countries_regions_and_continents_lie_within_161_km_of_geonames_point(geocoder, query, where):
    found = geocoder.geocode(query)
    assert found is not None, query
    assert near(found, *GEONAMES[where], km=161), (query, found.address, found.point)


@pytest.mark.parametrize(("query", "kind", "country", "admin1"), [
    ("U.S.", "country", "US", None), ("US", "country", "US", None), ("DRC", "country", "CD", None),
    ("UAE", "country", "AE", None), ("Holy See", "country", "VA", None),
    ("NSW", "state", "AU", "02"), ("New South Wales", "state", "AU", "02"),
    ("Alberta", "state", "CA", "01"), ("British Columbia", "state", "CA", "02"),
    ("BC", "state", "CA", "02"), ("N.M.", "state", "US", "NM"), ("Oaxaca State", "state", "MX", None),
    ("Darfur", "region", "SD", None), ("Eastern Cape", "state", "ZA", None),
    ("Laurel County", "county", "US", "KY"), ("Orange County", "county", "US", "CA"),
    ("Orange County, Florida", "county", "US", "FL"), ("Kent", "county", "GB", "ENG"),
])
def test_abbreviations_aliases_regions_and_counties_are_found(geocoder, query, kind, country, admin1):
    raw = geocoder.geocode(query).raw
    assert (raw["kind"], raw["country"]) == (kind, country), (query, raw)
    assert admin1 is None or raw["admin1"] == admin1, (query, raw)
    assert raw["relation"] == "located"


def test_laurel_county_lies_in_kentucky(geocoder):
    found = geocoder.geocode("Laurel County")
    assert near(found, 37.11, -84.12, km=30)  # London, its seat
    assert found.raw["feature_code"] == "ADM2" and found.raw["geonameid"] == 4297480


@pytest.mark.parametrize(("query", "kind", "where"), [
    ("American", "country", "US"), ("Americans", "country", "US"), ("Russian", "country", "RU"),
    ("Chinese", "country", "CN"), ("British", "country", "GB"), ("European", "continent", None),
    ("Kurdish", "region", None), ("English", "state", "GB"),
])
def test_a_demonym_is_associated_with_its_place_not_located_in_it(geocoder, query, kind, where):
    raw = geocoder.geocode(query).raw
    assert (raw["kind"], raw["country"]) == (kind, where), (query, raw)
    assert (raw["matched"], raw["relation"]) == ("demonym", "associated")
    assert geocoder.geocode("Russia").raw["relation"] == "located"


def test_regions_of_several_countries_name_their_members(geocoder):
    middle_east = geocoder.geocode("Middle East")
    assert middle_east.raw["kind"] == "region" and middle_east.raw["feature_code"] == "RGN"
    assert {"SY", "IQ", "SA"} <= set(middle_east.raw["countries"])
    assert "FR" in geocoder.geocode("EU").raw["countries"]
    assert "PL" in geocoder.geocode("Europe").raw["countries"]
    assert geocoder.geocode("Balkans").raw["kind"] == "region"


def test_a_generic_word_is_no_region(geocoder):
    # "Western", "Central", "North" are provinces of several countries, but name none alone
    for word in ("Western", "Central", "North"):
        found = geocoder.geocode(word)
        assert found is None or found.raw["kind"] != "state", (word, found and found.raw)


def test_a_town_is_meant_before_a_region_of_its_name(geocoder):
    assert geocoder.geocode("New York").raw["kind"] == "city"
    assert near(geocoder.geocode("New York"), 40.71, -74.01)
    assert near(geocoder.geocode("Washington"), 38.90, -77.04)  # the capital, not the state
    assert near(geocoder.geocode("WASHINGTON"), 38.90, -77.04)
    assert geocoder.geocode("US").raw["country"] == "US"  # not the village Us, France


@pytest.mark.parametrize(("names", "which", "kind", "country", "admin1"), [
    (["Paris", "Texas"], 0, "city", "US", "TX"),
    (["Orange County", "Florida"], 0, "county", "US", "FL"),
    (["Georgia", "Atlanta"], 0, "state", "US", "GA"),
    (["Georgia", "Tbilisi"], 0, "country", "GE", None),
    (["Birmingham", "Alabama"], 0, "city", "US", "AL"),
    (["Cambridge", "Massachusetts"], 0, "city", "US", "MA"),
    (["Valencia", "Venezuelan"], 0, "city", "VE", None),  # a demonym says which country
])
def test_the_other_names_of_a_text_decide_an_ambiguous_one(geocoder, names, which, kind, country, admin1):
    match = geocoder.resolve_all(names)[which]
    place = match.place
    assert (place.kind, place.country) == (kind, country), (names, place)
    assert admin1 is None or place.admin1 == admin1, (names, place)


def test_regions_of_interest_favour_their_places(geocoder):
    assert geocoder.geocode("Springfield", regions=[("US", "IL")]).raw["admin1"] == "IL"
    assert geocoder.geocode("Springfield", regions=[("US", "MO")]).raw["admin1"] == "MO"
    assert geocoder.resolve_all(["Qwxzzyplace", "Paris"])[0] is None
