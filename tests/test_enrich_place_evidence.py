"""Places that are places: a gazetteer match becomes a PLACE only with evidence, kept with it and
used by locate. Real-world cases: what the IRA tweets and the issue's examples showed."""

from __future__ import annotations

import functools
import json

import pytest

spacy = pytest.importorskip("spacy")

from workbench.case import Case  # noqa: E402
from workbench.enrich.pipeline import MODEL_ENV, Pipelines, extract  # noqa: E402
from workbench.enrich.tweet_ner import NAME  # noqa: E402


@pytest.fixture(autouse=True)
def _no_model_override(monkeypatch):
    monkeypatch.delenv(MODEL_ENV, raising=False)


@functools.lru_cache
def _pipelines(countries: tuple[str, ...] = ()) -> Pipelines:
    """The shipped English NER and, for other languages, the blank pipeline: a default install."""
    return Pipelines({"en": NAME}, countries=countries, environment=False)


def _places(text: str, lang: str = "en", countries: tuple[str, ...] = ()) -> dict[str, dict]:
    """The PLACE entities of ``text``: text as written -> norm, method and evidence."""
    [(_, entities)] = extract(_pipelines(countries).for_language(lang), [(text, "t:1")])
    return {e.text: {"norm": e.norm, "method": e.method, **json.loads(e.evidence)}
            for e in entities if e.label == "PLACE"}


# --- what the issue found on real tweets ---------------------------------------------------------


def test_people_named_like_towns_are_people_when_the_recogniser_says_so():
    # The IRA tweets' top "places" were Obama (Japan) and Clinton (US).
    found = _places("Obama and Clinton met Kim in Chicago.")
    assert list(found) == ["Chicago"]
    assert {"ner:LOC", "context:in", "city>=1M"} <= set(found["Chicago"]["reasons"])
    # A town inside a longer name is not a place: Kate Middleton, Malaysia Airlines.
    assert list(_places("Kate Middleton visits a school in Leeds today")) == ["Leeds"]
    assert "Malaysia" not in _places("Malaysia Airlines flight crashes in Eastern Ukraine")
    assert _places("Carson says he will win Iowa").keys() == {"Iowa"}
    # "White House" is an alternate name of Casablanca: 26 IRA tweets went to Morocco.
    assert "White House" not in _places("The White House says the talks in Geneva go on")
    # Bush (a town in Egypt) and NOLA (Nola, Central African Republic) put IRA tweets in Africa.
    assert _places("Bush lied about Iraq, NOLA remembers").keys() <= {"Iraq"}


def test_strong_evidence_outweighs_a_recogniser_that_takes_a_town_for_a_person():
    found = _places("Heading to Jackson for the weekend, then Memphis")
    assert found["Jackson"]["norm"].startswith("Jackson|")
    assert {"ner:PERSON", "context:to", "with:Memphis"} <= set(found["Jackson"]["reasons"])
    assert "Jackson" not in _places("Jackson scored twice for Chelsea")


def test_a_town_inside_a_product_name_is_not_a_place():
    # "Diablo Mobile" became Mobile, Alabama.
    assert _places("Just got Diablo Mobile on my phone, so good") == {}
    blank = Pipelines({}).for_language("en")
    [(_, entities)] = extract(blank, [("Just got Diablo Mobile on my phone", "t:1")])
    assert not [e for e in entities if e.label == "PLACE"]


def test_common_words_in_other_scripts_are_not_places():
    # Russian "по" was Pô (Burkina Faso), Ukrainian "порту" Porto, Arabic "خبر" Khobar and
    # "انتم" ("you") Anthem, Arizona; Cyrillic "Обама" Obama (Japan).
    assert _places("Обама заявил, что в порту всё спокойно", "ru") == {}
    assert _places("Корабель стоїть у порту", "uk") == {}
    assert _places("Гуляли по центру, но так и не дошли до метро", "ru") == {}
    assert _places("خبر عاجل: انفجار في دمشق", "ar").keys() == {"دمشق"}
    assert _places("من انتم لتتكلموا", "ar") == {}
    found = _places("Итоги года: Роттердам и Москва.", "ru")
    assert {v["norm"].split("|")[0] for v in found.values()} == {"Rotterdam", "Moscow"}


def test_a_frankfurt_meetup_is_in_frankfurt_am_main():
    found = _places("Frankfurt meetup tonight, then drinks near the Frankfurt Hauptbahnhof")
    assert {v["norm"] for v in found.values()} == {"Frankfurt am Main|2925533"}


def test_context_words_in_the_texts_language_and_lower_case():
    found = _places("Vandaag naar Gouda en morgen naar Utrecht", "nl")
    assert set(found) == {"Gouda", "Utrecht"}
    assert "context:naar" in found["Gouda"]["reasons"]
    assert _places("Lekkere gouda kaas uit de winkel", "nl") == {}
    # The case's countries are evidence too.
    found = _places("Vandaag Gouda bezocht", "nl", countries=("NL",))
    assert "region:NL" in found["Gouda"]["reasons"]


def test_a_place_inside_a_longer_location_takes_its_span_and_unknown_locations_count():
    found = _places("Malaysia Airlines flight crashes in Eastern Ukraine")
    assert found["Eastern Ukraine"]["norm"] == "Ukraine|690791"
    assert "span:ner" in found["Eastern Ukraine"]["reasons"]
    # A location only the recogniser finds is a place when the text names another one.
    found = _places("Protesters marched from Union Square to Albuquerque city hall")
    assert found["Union Square"]["method"] == "model"
    assert {"ner-only", "with:Albuquerque"} <= set(found["Union Square"]["reasons"])
    assert found["Union Square"]["norm"] == "Union Square"


def test_headlines_and_sentence_starts_say_nothing_by_their_capitals():
    found = _places("BREAKING: RUSSIA INVADES UKRAINE, SAYS NATO")
    assert "headline" in found["RUSSIA"]["reasons"]
    assert "Deal" not in _places("Trump Slams Iran Deal In Texas Speech")


# --- stored with the entity, used by locate ------------------------------------------------------


def test_evidence_is_stored_with_each_place_and_locate_places_only_places(tmp_path):
    case = Case.create(tmp_path / "case", title="places", legal_basis="research",
                       retention_until="2099-01-01")
    rows = [{"id": "1", "created_at": "2024-03-01T10:00:00Z", "author": "a",
             "text": "Obama and Clinton met Kim in Chicago."},
            {"id": "2", "created_at": "2024-03-01T11:00:00Z", "author": "b",
             "text": "Protesters marched from northwest Albuquerque to Santa Fe"},
            {"id": "3", "created_at": "2024-03-01T12:00:00Z", "author": "c",
             "text": "Watching from Brielle, the sky is orange."}]
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    case.import_file(path, progress=False)
    case.enrich(progress=False)
    entities = case.entities(label="PLACE").set_index("text")
    assert set(entities.index) == {"Chicago", "northwest Albuquerque", "Santa Fe"}
    evidence = json.loads(entities.loc["northwest Albuquerque", "evidence"])
    assert {"ner:LOC", "span:ner"} <= set(evidence["reasons"]) and evidence["score"] >= evidence["need"]
    case.locate(progress=False)
    named = case.places(method="text_place").set_index("name")
    # "northwest Albuquerque" is not a name the geocoder knows: the gazetteer's Albuquerque is.
    assert set(named.index) == {"Chicago", "northwest Albuquerque", "Santa Fe"}
    assert named.loc["northwest Albuquerque", "lat"] == pytest.approx(35.08, abs=0.2)
    # The recogniser's LOC alone, with nothing else for it, is not geocoded in such a case.
    assert "Brielle" in set(case.entities(label="LOC").text)
    located = set(case.places().uid)
    assert {"generic:1", "generic:2"} <= located and "generic:3" not in located
    case.close()
