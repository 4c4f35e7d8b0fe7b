"""The spaCy pipeline: social tokenizer, trained-model NER, missing models, gazetteer places, workers."""

from __future__ import annotations

import functools
import multiprocessing
import random
import uuid
import warnings

import pytest

spacy = pytest.importorskip("spacy")


from tests import tiny  # noqa: E402
from workbench.enrich.pipeline import (  # noqa: E402
    MODEL_ENV,
    MissingModelWarning,
    Pipelines,
    extract,
    model_name,
    versions,
)
from workbench.enrich.tokenizer import social_tokenizer  # noqa: E402
from workbench.geo.names import place_names  # noqa: E402


@pytest.fixture(autouse=True)
def _no_model_override(monkeypatch):
    monkeypatch.delenv(MODEL_ENV, raising=False)


# --- tokenizer ---------------------------------------------------------------------------------

TOKEN_CASES = [
    ("Check #Rotterdam2024! and (#haven)", ["Check", "#Rotterdam2024", "!", "and", "(", "#haven", ")"]),
    ("##double #über #हिन्दी #tag_with_underscore",
     ["#", "#double", "#über", "#हिन्दी", "#tag_with_underscore"]),
    ("@jan_visser: @x... RT @user.name", ["@jan_visser", ":", "@x", "...", "RT", "@user.name"]),
    ('"@alice@mastodon.social", (@bob@fosstodon.org). @carol.bsky.social',
     ['"', "@alice@mastodon.social", '"', ",", "(", "@bob@fosstodon.org", ")", ".", "@carol.bsky.social"]),
    ("see https://example.com/a?b=1#frag, www.test.nl/x. mail jan@example.org!",
     ["see", "https://example.com/a?b=1#frag", ",", "www.test.nl/x", ".", "mail", "jan@example.org", "!"]),
    ("love it👍🏽👍🏽 so much👍🏿.", ["love", "it", "👍🏽", "👍🏽", "so", "much", "👍🏿", "."]),
    ("family 👨‍👩‍👧‍👦🔥🔥 ❤️‍🔥 🏳️‍🌈!", ["family", "👨‍👩‍👧‍👦", "🔥", "🔥", "❤️‍🔥", "🏳️‍🌈", "!"]),
    ("flags 🇳🇱🇧🇪 #NL🇳🇱 🏴󠁧󠁢󠁥󠁮󠁧󠁿 keycap 1️⃣", ["flags", "🇳🇱", "🇧🇪", "#NL", "🇳🇱", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "keycap", "1️⃣"]),
    ("hi😀there #tag😀more", ["hi", "😀", "there", "#tag", "😀", "more"]),
]


@functools.lru_cache
def _blank(lang: str):
    return social_tokenizer(spacy.blank(lang))


@pytest.mark.parametrize("lang", ["en", "nl", "xx"])
@pytest.mark.parametrize(("text", "tokens"), TOKEN_CASES)
def test_social_tokenizer_keeps_social_tokens_whole(lang, text, tokens):
    assert [t.text for t in _blank(lang)(text)] == tokens


def test_social_tokenizer_survives_serialisation():
    nlp = social_tokenizer(spacy.blank("en"))
    copy = spacy.blank("en")
    copy.tokenizer.from_bytes(nlp.tokenizer.to_bytes())
    text = "@a@b.social 👍🏽👍🏽 #tag! https://x.org/y"
    assert [t.text for t in copy(text)] == [t.text for t in nlp(text)]


# --- gazetteer names and places without a model ---------------------------------------------------


def test_place_names_forms_and_stop_list():
    names = place_names(["nl"], min_population=100000)
    by_name: dict[str, list] = {}
    for place in names:
        by_name.setdefault(place.name, []).append(place)
    assert {(p.canonical, p.geonameid, p.kind) for p in by_name["Den Haag"]} == {
        ("The Hague", 2747373, "city")}
    assert by_name["Zurich"][0].canonical == "Zürich"  # the ASCII form
    assert by_name["Москва"][0].canonical == "Moscow"
    assert by_name["Nice"][0].cased and not by_name["Paris"][0].cased
    assert {"Of", "Most", "Van", "Male", "March", "RTM", "lu te dan"}.isdisjoint(by_name)
    netherlands = by_name["The Netherlands"][0]
    assert (netherlands.kind, netherlands.country, netherlands.lat) == ("country", "NL", None)
    # The case's countries keep their smaller towns (Coevorden: 14,600 people).
    assert "Coevorden" in by_name
    assert "Coevorden" not in {p.name for p in place_names(min_population=100000)}


@pytest.fixture(scope="module")
def blank_pipelines() -> Pipelines:
    return Pipelines({}, regions=["NL"], countries=["NL"], min_population=100000)


def _places(nlp, texts):
    return {uid: [(e.text, e.norm) for e in entities if e.label == "PLACE"]
            for uid, entities in extract(nlp, [(t, str(i)) for i, t in enumerate(texts)])}


def test_gazetteer_finds_places_without_a_model(blank_pipelines):
    nlp = blank_pipelines.for_language("en")
    assert model_name(nlp) == ""
    found = _places(nlp, [
        "Jan Visser met the mayor in Den Haag, then took the train to Rotterdam and Paris.",
        "going to the hague tomorrow, ROTTERDAM after",
        "De burgemeester van 's-Gravenhage sprak in Coevorden en Zürich (Zurich).",
        "I love Nice in spring.",
    ])
    assert found["0"] == [("Den Haag", "The Hague|2747373"), ("Rotterdam", "Rotterdam|2747891"),
                          ("Paris", "Paris|2988507")]
    assert found["1"] == [("the hague", "The Hague|2747373"), ("ROTTERDAM", "Rotterdam|2747891")]
    assert [n.split("|")[0] for _, n in found["2"]] == ["The Hague", "Coevorden", "Zürich", "Zürich"]
    assert found["3"] == [("Nice", "Nice|2990440")]


def test_gazetteer_leaves_common_words_and_selectors_alone(blank_pipelines):
    nlp = blank_pipelines.for_language("en")
    found = _places(nlp, [
        "Nice to meet you. What a nice day, best of luck, most of all.",
        "Reading in bed. The bath was grave. Of course! In March we met Van.",
        "#Rotterdam @rotterdam info@rotterdam.nl https://rotterdam.nl/paris",
    ])
    assert found == {"0": [], "1": [], "2": []}


def test_stop_words_in_other_scripts_are_not_places():
    # Russian "по", "но", "так", "года" are alternate names of Pô, Ho, Tak and Gōdo: on the IRA
    # tweets they were the most frequent "places" of the Russian posts, ahead of any real one.
    names = {p.name for p in place_names()}
    assert {"По", "Но", "Так", "Во", "Года", "Метро", "Порту", "خبر"}.isdisjoint(names)
    assert {"Москва", "Роттердам", "Tak"} <= names  # the town keeps its own name
    nlp = Pipelines({}).for_language("ru")
    found = _places(nlp, ["Гуляли по центру, но так и не дошли до метро. Итоги года: Роттердам и Москва."])
    assert [norm.split("|")[0] for _, norm in found["0"]] == ["Rotterdam", "Moscow"]


def test_people_and_headline_capitals_are_not_places():
    # The IRA tweets' most frequent "places" were Obama (Japan) and Clinton (US), and Title Case
    # headlines made common words with a capital into towns (Anthem, Deal, Liberal, Hurricane).
    nlp = Pipelines({}).for_language("en")
    found = _places(nlp, [
        "Obama and Clinton met Kim in Chicago.",
        "Trump's Iran Deal Is A Disaster For Liberal Voters In Texas",
        "We Stand for the National Anthem https://t.co/MDbK316Kas",
        "I love Nice in spring.",
    ])
    assert [[norm.split("|")[0] for _, norm in found[key]] for key in "0123"] == [
        ["Chicago"], ["Iran", "Texas"], [], ["Nice"]]


def test_places_for_other_and_unknown_languages(blank_pipelines):
    for lang in ("nl", "de", "und", None, "zz"):
        nlp = blank_pipelines.for_language(lang)
        assert _places(nlp, ["Vandaag in Rotterdam"])["0"] == [("Rotterdam", "Rotterdam|2747891")]
    # Without trained pipelines every language shares one multi-language pipeline.
    assert blank_pipelines.for_language("und") is blank_pipelines.for_language(None)
    assert blank_pipelines.for_language("nl") is blank_pipelines.for_language("de")
    assert blank_pipelines.for_language("und").lang == "xx"


def test_a_regional_code_gets_its_languages_pipeline(tiny_ner):
    pipelines = Pipelines({"nl": str(tiny_ner)}, min_population=100000)
    assert "ner" in pipelines.for_language("nl-BE").pipe_names
    assert pipelines.for_language("nl_NL") is pipelines.for_language("nl")
    assert "ner" not in pipelines.for_language("fr").pipe_names


def test_components_by_name_on_any_pipeline():
    nlp = social_tokenizer(spacy.blank("en"))
    nlp.add_pipe("workbench_selectors", config={"regions": ["NL"]})
    nlp.add_pipe("workbench_places", config={"min_population": 100000})
    doc = nlp("Bel 010 123 4567 of mail @Jan_Visser, we zien je in Rotterdam #haven")
    assert [(s.label_, s.text, s.kb_id_) for s in doc.spans["selectors"]] == [
        ("PHONE", "010 123 4567", "+31101234567"), ("HANDLE", "@Jan_Visser", "@jan_visser"),
        ("HASHTAG", "#haven", "#haven")]
    assert [(s.label_, s.text, s.kb_id_) for s in doc.spans["places"]] == [
        ("PLACE", "Rotterdam", "Rotterdam|2747891")]


# --- a trained pipeline, made here ---------------------------------------------------------------

PROBE = tiny.PROBE


def _check_model_entities(pipelines: Pipelines):
    nlp = pipelines.for_language("en")
    assert "ner" in nlp.pipe_names and "tok2vec" in nlp.pipe_names  # the ner listens to it
    assert "sentencizer" not in nlp.pipe_names  # not needed for entities: not loaded
    assert model_name(nlp) == "en_tiny_ner 0.1.0"
    [(uid, entities)] = extract(nlp, [(PROBE, "t:1")])
    model = [(e.text, e.label) for e in entities if e.method == "model"]
    assert {("Jan Visser", "PERSON"), ("Port of Rotterdam", "ORG")} <= set(model)
    assert all(e.model == "en_tiny_ner 0.1.0" for e in entities if e.method == "model")
    assert {(e.label, e.method) for e in entities} >= {("HANDLE", "rule"), ("HASHTAG", "rule")}
    # Rotterdam is part of an organisation's name here (and #Rotterdam a hashtag): no PLACE.
    assert not any(e.label == "PLACE" for e in entities)
    # A named entity on a selector's span is dropped: #Rotterdam is a hashtag whatever the model says.
    rules = [(e.start, e.end) for e in entities if e.method == "rule"]
    assert not any(e.start < end and start < e.end for e in entities if e.method == "model"
                   for start, end in rules)
    person = next(e for e in entities if e.text == "Jan Visser")
    assert (uid, person.start, person.end, person.norm, person.key) == (
        "t:1", 0, 10, "Jan Visser", "jan visser")
    return nlp


def test_trained_pipeline_by_path(tiny_ner):
    pipelines = Pipelines({"en": str(tiny_ner)}, min_population=100000)
    assert pipelines.missing_models() == []
    nlp = _check_model_entities(pipelines)
    blank = Pipelines({}, min_population=100000).for_language("en")
    assert "model en_tiny_ner 0.1.0" in versions(nlp) and "blank xx" in versions(blank)
    assert versions(nlp) == versions(nlp)


def test_trained_pipeline_by_environment(tiny_ner, monkeypatch):
    monkeypatch.setenv(MODEL_ENV, str(tiny_ner))
    _check_model_entities(Pipelines({"en": "en_core_web_sm"}, min_population=100000))


# --- the missing-model path ------------------------------------------------------------------------


def test_missing_model_warns_once_and_still_finds_selectors_and_places():
    name = f"en_missing_{uuid.uuid4().hex[:8]}"
    pipelines = Pipelines({"en": name}, regions=["NL"], min_population=100000)
    assert pipelines.missing_models() == [name]
    with pytest.warns(MissingModelWarning, match=f"python -m spacy download {name}"):
        nlp = pipelines.for_language("en")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = Pipelines({"en": name}, min_population=100000).for_language("en")
    assert model_name(nlp) == model_name(again) == ""
    [(_, entities)] = extract(nlp, [("Jan Visser (@jvisser) in Rotterdam: +31 10 123 4567", "t:2")])
    assert [(e.label, e.norm, e.method) for e in entities] == [
        ("HANDLE", "@jvisser", "rule"), ("PLACE", "Rotterdam|2747891", "gazetteer"),
        ("PHONE", "+31101234567", "rule")]


# --- worker processes ----------------------------------------------------------------------------


def test_two_spawned_processes_give_what_one_gives():
    nlp = Pipelines({}, regions=["NL"], min_population=500_000).for_language("en")
    rng = random.Random(3)
    words = ["the", "port", "ship", "news", "today", "Rotterdam", "Paris", "@jan", "#haven", "🔥",
             "https://example.org/x", "call", "+31 10 123 4567", "Berlin", "nice"]
    pairs = [(" ".join(rng.choice(words) for _ in range(20)), f"t:{i}") for i in range(300)]
    one = list(extract(nlp, pairs))
    context = multiprocessing.get_start_method()
    multiprocessing.set_start_method("spawn", force=True)
    try:
        two = list(extract(nlp, pairs, n_process=2, batch_size=50))
    finally:
        multiprocessing.set_start_method(context, force=True)
    assert two == one
    assert sum(len(entities) for _, entities in one) > 600


def test_gazetteer_tables_cached_on_disk_match_the_same(tmp_path, monkeypatch):
    from workbench.enrich import places

    monkeypatch.setenv(places.CACHE_ENV, str(tmp_path))
    settings = (("NL",), 100000, 50000)
    places._tables.cache_clear()
    built = places._tables(*settings)
    [cache] = tmp_path.glob("places-*.json")
    places._tables.cache_clear()
    read = places._tables(*settings)
    assert read is not built and set(read.lower) == set(built.lower)
    nlp = social_tokenizer(spacy.blank("xx"))
    nlp.add_pipe("workbench_places", config={"countries": ["NL"], "min_population": 100000,
                                             "local_min_population": 50000})
    doc = nlp("Smoke over Rotterdam and Den Haag")
    assert [(s.text, s.kb_id_) for s in doc.spans["places"]] == [
        ("Rotterdam", "Rotterdam|2747891"), ("Den Haag", "The Hague|2747373")]
    cache.write_text("not json", encoding="utf-8")  # a damaged cache is rebuilt, not trusted
    places._tables.cache_clear()
    assert set(places._tables(*settings).lower) == set(built.lower)
    places._tables.cache_clear()


def test_model_entities_without_letters_or_digits_are_dropped(tiny_ner):
    from spacy.tokens import Span

    from workbench.enrich.pipeline import _entities

    doc = Pipelines({"en": str(tiny_ner)}, min_population=100000).for_language("en")(
        "Jan Visser 😷 was there")
    # As a small model may do on social text: the emoji taken for an organisation.
    doc.set_ents([Span(doc, 2, 3, label="ORG")], default="unmodified")
    found = {(e.text, e.method) for e in _entities(doc, "t:1", "tiny", "places")}
    assert ("Jan Visser", "model") in found and ("😷", "model") not in found
