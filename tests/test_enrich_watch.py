"""Watch terms: every kind, case and accents, word boundaries, lists from files, risk and fingerprint."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from pydantic import ValidationError

from workbench.enrich.watch import Hit, WatchList, WatchTerm, fingerprint, plan_terms, risk
from workbench.enrich.watchfile import load_terms
from workbench.errors import EnrichError
from workbench.plan import CasePlan

EXAMPLE = Path(__file__).parent.parent / "workbench" / "enrich" / "watchlists" / "example.yaml"


def found(terms: list[WatchTerm], text: str, **lists) -> list[tuple[str, str | None]]:
    """(term, the text it was found at) for each hit."""
    hits = WatchList(terms).match(text, **lists)
    return [(h.term, None if h.start is None else text[h.start:h.end]) for h in hits]


# --- the terms themselves -------------------------------------------------------------------------

def test_kinds_are_inferred_and_normalised():
    assert WatchTerm(term="fire").kind == "term"
    assert WatchTerm(term="  burn it down ").model_dump() == {
        "term": "burn it down", "kind": "phrase", "category": "watch", "weight": 1.0, "note": ""}
    assert WatchTerm(term="#BotlekFire", kind="hashtag").term == "BotlekFire"
    assert WatchTerm(term="@nos", kind="account").term == "nos"


@pytest.mark.parametrize("data, field", [
    ({"term": ""}, "term"),
    ({"term": "x", "weight": 11}, "weight"),
    ({"term": "x", "weight": -1}, "weight"),
    ({"term": "x", "kind": "word"}, "kind"),
    ({"term": "two tags", "kind": "hashtag"}, "space"),
    ({"term": "x", "colour": "red"}, "colour"),
])
def test_invalid_terms_are_refused(data, field):
    with pytest.raises(ValidationError, match=field):
        WatchTerm(**data)


@pytest.mark.parametrize("pattern, problem", [
    ("kill(", "does not compile"),
    ("a*", "match empty text"),
    (r"\b", "match empty text"),
    ("(?:ab+)?", "match empty text"),
    ("(a+)+b", "nests quantifiers"),
    (r"(\w*)*x", "nests quantifiers"),
])
def test_bad_regexes_are_refused_naming_the_term(pattern, problem):
    with pytest.raises(ValidationError, match=problem) as raised:
        WatchTerm(term=pattern, kind="regex")
    assert repr(pattern) in str(raised.value)


def test_safe_regexes_are_accepted():
    for pattern in (r"(\+\d)+", "(?>a+)+b", r"\b\d{4}\s?[a-z]{2}\b"):
        assert WatchTerm(term=pattern, kind="regex").term == pattern


def test_terms_are_frozen_and_hashable():
    term = WatchTerm(term="fire")
    assert hash(term) == hash(WatchTerm(term="fire"))
    with pytest.raises(ValidationError):
        term.weight = 5


# --- matching ----------------------------------------------------------------------------------

def test_terms_ignore_case_and_accents_both_ways():
    terms = [WatchTerm(term="café"), WatchTerm(term="Zurich"), WatchTerm(term="straße")]
    text = "CAFE in Zürich, then the Cafe on the STRASSE"
    assert found(terms, text) == [("café", "CAFE"), ("Zurich", "Zürich"), ("café", "Cafe"),
                                  ("straße", "STRASSE")]


def test_offsets_point_into_the_original_text_when_folding_changes_lengths():
    terms = [WatchTerm(term="fire"), WatchTerm(term="strasse")]
    text = "Große Straße: ﬁre! ... fire"  # "ß" folds to "ss", the ligature "ﬁ" to "fi"
    assert found(terms, text) == [("strasse", "Straße"), ("fire", "ﬁre"), ("fire", "fire")]
    decomposed = "Cafe\u0301 Strasse"  # the accent written apart from its letter
    assert found([WatchTerm(term="café"), *terms], decomposed) == [
        ("café", "Cafe\u0301"), ("strasse", "Strasse")]


@pytest.mark.parametrize("text, hit", [
    ("a party for all", False),
    ("art, at last", True),
    ("modern-art show", True),
    ("the artist", False),
    ("ART!", True),
    ("start", False),
])
def test_terms_match_whole_words_only(text, hit):
    assert bool(found([WatchTerm(term="art")], text)) is hit


def test_phrases_span_any_whitespace_and_respect_word_boundaries():
    terms = [WatchTerm(term="burn it down", category="threat", weight=5)]
    assert found(terms, "We will BURN\n it   down.") == [("burn it down", "BURN\n it   down")]
    assert found(terms, "burn it downtown") == []


def test_overlapping_and_nested_terms_are_all_found():
    terms = [WatchTerm(term="burn it down"), WatchTerm(term="burn"), WatchTerm(term="it down"),
             WatchTerm(term="down")]
    assert found(terms, "burn it down") == [("burn", "burn"), ("burn it down", "burn it down"),
                                            ("it down", "it down"), ("down", "down")]


def test_terms_with_punctuation_and_other_scripts():
    terms = [WatchTerm(term="c++"), WatchTerm(term="пожар"), WatchTerm(term="حريق")]
    text = "C++ job; Пожар в порту! حريق كبير"
    assert found(terms, text) == [("c++", "C++"), ("пожар", "Пожар"), ("حريق", "حريق")]


def test_the_same_term_in_two_categories_gives_two_hits():
    terms = [WatchTerm(term="fire", category="plan", weight=0),
             WatchTerm(term="fire", category="threat", weight=3)]
    hits = WatchList(terms).match("Fire!")
    assert {(h.category, h.start, h.end) for h in hits} == {("plan", 0, 4), ("threat", 0, 4)}


def test_regexes_run_on_folded_text():
    terms = [WatchTerm(term=r"\b\d{4}\s?[a-z]{2}\b", kind="regex", category="doxxing", weight=3),
             WatchTerm(term=r"caf[eé]\s+\w+", kind="regex")]
    text = "Lives at 3011 AB, meet at Café Noir"
    assert found(terms, text) == [(r"\b\d{4}\s?[a-z]{2}\b", "3011 AB"), (r"caf[eé]\s+\w+", "Café Noir")]


def test_hashtags_in_text_and_in_the_items_list():
    terms = [WatchTerm(term="BotlekFire", kind="hashtag"), WatchTerm(term="Rozenburg", kind="hashtag")]
    text = "Smoke everywhere #botlekfire, not Rozenburg or #BotlekFires"
    assert found(terms, text) == [("BotlekFire", "#botlekfire")]
    # found in the text, the list does not report it again; found only in the list, no offsets
    assert found(terms, text, hashtags=["BotlekFire", "#rozenburg"]) == [
        ("BotlekFire", "#botlekfire"), ("Rozenburg", None)]
    assert found(terms, "a plain word: botlekfire") == []


def test_accounts_in_text_mentions_and_author():
    terms = [WatchTerm(term="@Brandt_Ost", kind="account"),
             WatchTerm(term="alice.bsky.social", kind="account"),
             WatchTerm(term="bob@mastodon.social", kind="account")]
    text = "cc @brandt_ost and @Alice.bsky.social. Also @bob@mastodon.social; mail brandt_ost@example.com"
    assert found(terms, text) == [("Brandt_Ost", "@brandt_ost"),
                                  ("alice.bsky.social", "@Alice.bsky.social"),
                                  ("bob@mastodon.social", "@bob@mastodon.social")]
    assert found(terms, "no handle here", mentions=["@BRANDT_OST"]) == [("Brandt_Ost", None)]
    assert found(terms, "no handle here", author_handle="alice.bsky.social") == [
        ("alice.bsky.social", None)]
    assert found(terms, "bob wrote") == []


def test_empty_list_and_empty_text():
    assert WatchList([]).match("anything") == []
    assert WatchList([WatchTerm(term="x y")]).match("") == []


def test_a_watch_list_survives_pickling():
    terms = load_terms(EXAMPLE)
    copy = pickle.loads(pickle.dumps(WatchList(terms)))
    assert copy.match("Burn it down!") == WatchList(terms).match("Burn it down!")


# --- risk --------------------------------------------------------------------------------------

def hit(term: str, weight: float, category: str = "threat", kind: str = "phrase", start=0) -> Hit:
    return Hit(term, kind, category, weight, start, None if start is None else start + len(term))


def test_risk_formula_and_reasons():
    assert risk([]) == (0.0, [])
    assert risk([hit("burn it down", 5)]) == (50.0, ["threat: 'burn it down' (weight 5)"])
    assert risk([hit("burn it down", 5), hit("you will pay", 5)])[0] == 75.0
    assert risk([hit("a", 10), hit("b", 1)])[0] == 100.0
    score, reasons = risk([hit("boycott", 2, "brand-crisis", "term"), hit("kill", 7.5, kind="regex"),
                           hit("BoycottBrandt", 3, "brand-crisis", "hashtag"),
                           hit("activist", 1, "brand-crisis", "account", start=None)])
    assert score == round(100 * (1 - 0.8 * 0.25 * 0.7 * 0.9), 2)
    assert reasons == ["threat: '/kill/' (weight 7.5)", "brand-crisis: '#BoycottBrandt' (weight 3)",
                       "brand-crisis: 'boycott' (weight 2)", "brand-crisis: '@activist' (weight 1)"]


def test_a_term_hit_again_counts_once():
    score, reasons = risk([hit("burn it down", 5), hit("burn it down", 5, start=40)])
    assert score == 50.0
    assert reasons == ["threat: 'burn it down' (weight 5, 2 hits)"]


def test_weightless_hits_add_nothing_and_give_no_reason():
    assert risk([hit("BotlekFire", 0, "plan", "hashtag")]) == (0.0, [])


def test_risk_from_matching_end_to_end():
    wl = WatchList(load_terms(EXAMPLE))
    score, reasons = risk(wl.match("They posted his home address. Burn it down! #BoycottBrandt"))
    assert score == round(100 * (1 - 0.6 * 0.5 * 0.7), 2)
    assert reasons[0] == "threat: 'burn it down' (weight 5)"


# --- fingerprint -------------------------------------------------------------------------------

def test_fingerprint_is_stable_and_tells_changes():
    terms = load_terms(EXAMPLE)
    fp = fingerprint(terms)
    assert len(fp) == 64 and fp == fingerprint(list(reversed(terms))) == fingerprint(terms + terms[:2])
    heavier = [terms[0].model_copy(update={"weight": 9}), *terms[1:]]
    renoted = [terms[0].model_copy(update={"note": "another note"}), *terms[1:]]
    assert fingerprint(heavier) != fp
    assert fingerprint(renoted) == fp  # a note changes no hit and no score
    assert fingerprint(terms[1:]) != fp
    assert fingerprint([]) == fingerprint(())


# --- the plan's terms --------------------------------------------------------------------------

def test_plan_terms():
    plan = CasePlan.from_data({
        "id": "botlek", "title": "Botlek fire", "legal_basis": "public interest research",
        "retention_until": "2099-01-01", "keywords": ["chemical plant", "Botlek"],
        "hashtags": ["#BotlekFire"], "accounts": ["@nos", "rijnmond"],
    })
    terms = plan_terms(plan)
    assert [(t.term, t.kind, t.category, t.weight) for t in terms] == [
        ("chemical plant", "phrase", "plan", 0.0), ("Botlek", "term", "plan", 0.0),
        ("BotlekFire", "hashtag", "plan", 0.0), ("nos", "account", "plan", 0.0),
        ("rijnmond", "account", "plan", 0.0)]
    hits = WatchList(terms).match("Fire at the Chemical  Plant in the botlek #BotlekFire via @NOS")
    assert [h.term for h in hits] == ["chemical plant", "Botlek", "BotlekFire", "nos"]
    assert risk(hits) == (0.0, [])
    assert plan_terms(plan, weight=1)[0].weight == 1


# --- files -------------------------------------------------------------------------------------

def test_the_example_list_loads():
    terms = load_terms(EXAMPLE)
    assert {t.kind for t in terms} == {"phrase", "regex", "term", "hashtag", "account"}
    assert {t.category for t in terms} >= {"threat", "doxxing", "self-harm", "brand-crisis"}


def test_yaml_list_of_mappings_and_strings(tmp_path):
    path = tmp_path / "w.yml"
    path.write_text("- fire\n- term: burn it down\n  category: threat\n  weight: 5\n  note:\n", "utf-8")
    assert load_terms(path) == [WatchTerm(term="fire"),
                                WatchTerm(term="burn it down", category="threat", weight=5)]
    (tmp_path / "empty.yaml").write_text("", "utf-8")
    assert load_terms(tmp_path / "empty.yaml") == []


@pytest.mark.parametrize("name, body, where, what", [
    ("watch.yaml", "terms:\n  - fire\n  - term: x\n    weight: 12\n", "line 3", "weight"),
    ("watch.yaml", "- fire\n- term: 'a('\n  kind: regex\n", "line 2", "does not compile"),
    ("watch.yaml", "- fire\n- [not, a, term]\n", "line 2", "expected a term"),
    ("watch.yaml", "- fire\n- smoke\n- Fire\n", "line 3", "already on line 1"),
    ("watch.yaml", "- term: x\n  wieght: 3\n", "line 1", "wieght"),
    ("watch.yaml", "fire: 3\n", "", "expected a list"),
    ("watch.yaml", "- [unclosed\n", "", "not readable YAML"),
    ("watch.csv", "term,weight\nfire,2\nsmoke,lots\n", "line 3", "weight"),
    ("watch.csv", "term,kind\nfire,\n(a+)+,regex\n", "line 3", "nests quantifiers"),
    ("watch.csv", "word,weight\nfire,2\n", "line 1", "'term' column"),
    ("watch.csv", "term,wieght\nfire,2\n", "line 1", "unknown columns wieght"),
    ("watch.csv", "term,weight\nfire,2,extra\n", "line 2", "more values than columns"),
    ("watch.csv", "term,category\nfire,a\nsmoke,a\nFIRE,A\n", "line 4", "already on line 2"),
])
def test_file_errors_name_file_and_line(tmp_path, name, body, where, what):
    path = tmp_path / name
    path.write_text(body, "utf-8")
    with pytest.raises(EnrichError, match=what) as raised:
        load_terms(path)
    assert str(path) in str(raised.value) and where in str(raised.value)


def test_csv_lists(tmp_path):
    path = tmp_path / "watch.csv"
    path.write_text("\ufeffTerm,kind,category,weight,note\n"
                    "burn it down,,threat,5,arson\n"
                    "\n"
                    "#BoycottBrandt,hashtag,brand-crisis,,\n"
                    '"\\b\\d{4}\\s?[a-z]{2}\\b",regex,doxxing,3,"postcode, Dutch"\n', "utf-8")
    assert load_terms(path) == [
        WatchTerm(term="burn it down", kind="phrase", category="threat", weight=5, note="arson"),
        WatchTerm(term="BoycottBrandt", kind="hashtag", category="brand-crisis"),
        WatchTerm(term=r"\b\d{4}\s?[a-z]{2}\b", kind="regex", category="doxxing", weight=3,
                  note="postcode, Dutch"),
    ]


def test_unknown_file_kinds_and_missing_files(tmp_path):
    (tmp_path / "w.txt").write_text("fire", "utf-8")
    with pytest.raises(EnrichError, match=r"\.yaml, \.yml or \.csv"):
        load_terms(tmp_path / "w.txt")
    with pytest.raises(EnrichError, match="cannot read"):
        load_terms(tmp_path / "missing.yaml")
