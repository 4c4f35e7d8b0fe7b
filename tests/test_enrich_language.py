"""Language detection with lingua: real posts in several languages, "und" for short and mixed texts."""

from __future__ import annotations

import pickle

import pytest

from workbench.enrich.language import DEFAULT_LANGUAGES, Detected, LanguageDetector, clean
from workbench.errors import EnrichError

FIVE = ("en", "nl", "de", "fr", "es")

POSTS = {
    "en": "We went to the beach with friends this afternoon and had a great time, back home now.",
    "nl": "Vandaag zijn we met vrienden naar het strand geweest, het was heerlijk weer.",
    "de": "Heute waren wir mit Freunden am Strand und das Wetter war einfach herrlich.",
    "fr": "Je suis allé au marché ce matin avec ma sœur, il faisait très beau.",
    "es": "Hoy fuimos a la playa con mis amigos y comimos paella en el puerto.",
}


@pytest.fixture(scope="module")
def five() -> LanguageDetector:
    return LanguageDetector(FIVE)


def test_detects_each_language(five):
    found = five.detect(list(POSTS.values()))
    assert [d.code for d in found] == list(POSTS)
    assert all(isinstance(d, Detected) and 0.7 <= d.confidence <= 1.0 for d in found)


def test_social_media_noise_is_ignored(five):
    posts = [
        "Ik ben zo blij vandaag!! 😍😍 #zomer @vriend https://t.co/abc123",
        "RT @breakingnews: Massive explosion at the chemical plant, stay inside and keep windows "
        "closed https://example.com/news/123 #BotlekFire",
    ]
    assert [d.code for d in five.detect(posts)] == ["nl", "en"]


def test_names_of_places_do_not_decide_the_language(five):
    # One Dutch town in an English sentence used to make lingua call it Dutch.
    text = "Flaring at the Botlek plants again, the whole sky over Spijkenisse is orange 🔥"
    assert five.detect([text])[0].code == "en"


@pytest.mark.parametrize("text", [
    "ok", "lol", "Thanks!!", "", "   ", "😂😂😂", "#BotlekFire #Rozenburg 🔥🔥 https://t.co/xyz @nos",
    "112 112 112 !!!", "@someone @someone_else",
])
def test_short_texts_are_undetermined(five, text):
    assert five.detect([text]) == [Detected("und", 0.0)]


@pytest.mark.parametrize("text", [
    "The fire at the plant is huge. De brand bij de fabriek is enorm.",
    "Omg this is sooo bad lol, je kunt het van hier zien",
])
def test_mixed_texts_are_undetermined(five, text):
    assert five.detect([text])[0].code == "und"


def test_min_chars_and_min_confidence_are_settings():
    assert LanguageDetector(FIVE).detect(["Gracias"])[0].code == "und"  # 7 letters < 10
    lenient = LanguageDetector(FIVE, min_chars=3, min_confidence=0.0)
    assert lenient.detect(["Gracias"])[0].code == "es"
    strict = LanguageDetector(FIVE, min_confidence=1.0)
    assert strict.detect([POSTS["en"]])[0].code == "und"


def test_only_configured_languages_are_answered():
    detector = LanguageDetector(["en", "nl"])
    found = detector.detect([POSTS["de"], POSTS["fr"], "Сьогодні ми ходили на пляж з друзями."])
    assert {d.code for d in found} <= {"en", "nl", "und"}
    assert found[2].code == "und"  # no configured language is written in Cyrillic


def test_other_scripts_with_the_default_set():
    detector = LanguageDetector()
    texts = ["Сьогодні ми ходили на пляж з друзями.", "Сегодня мы ходили на пляж с друзьями.",
             "ذهبنا اليوم إلى الشاطئ مع الأصدقاء", "오늘 친구들과 해변에 갔어요."]
    assert [d.code for d in detector.detect(texts)] == ["uk", "ru", "ar", "ko"]


def test_unknown_codes_are_rejected_by_name():
    with pytest.raises(EnrichError, match="'xx'") as raised:
        LanguageDetector(["en", "xx"])
    assert "nl" in raised.value.hint
    with pytest.raises(EnrichError, match="'mt'"):
        LanguageDetector(["mt"])  # a real ISO code lingua has no model for


def test_codes_are_normalised_and_the_default_set_is_used_when_none_given():
    assert LanguageDetector([" EN", "nl", ""]).languages == ("en", "nl")
    assert LanguageDetector().languages == tuple(sorted(DEFAULT_LANGUAGES))
    assert 15 <= len(DEFAULT_LANGUAGES) <= 25


def test_method_names_version_mode_and_languages():
    assert LanguageDetector(FIVE).method.startswith("lingua 2.")
    assert LanguageDetector(FIVE).method.endswith("(high accuracy, 5 languages)")
    assert LanguageDetector(low_accuracy=True).method.endswith(
        f"(low accuracy, {len(DEFAULT_LANGUAGES)} languages)")


def test_low_accuracy_mode_detects_long_posts():
    detector = LanguageDetector(FIVE, low_accuracy=True)
    assert [d.code for d in detector.detect(list(POSTS.values()))] == list(POSTS)


def test_built_lazily_and_pickled_unbuilt(five):
    fresh = LanguageDetector(FIVE)
    assert fresh._detector is None
    five.detect([POSTS["en"]])
    copy = pickle.loads(pickle.dumps(five))
    assert copy._detector is None
    assert copy.detect([POSTS["nl"]])[0].code == "nl"


def test_repeated_texts_give_the_same_answer(five):
    first = five.detect([POSTS["es"]] * 3)
    assert first[0] == first[1] == first[2] == five.detect([POSTS["es"]])[0]


def test_clean_removes_links_handles_tags_numbers_and_emoji():
    text = "Hi @bob@mastodon.social and @alice.bsky.social! 🔥🇳🇱 #Fire 112 https://x.com/a?b=1 mail@x.org"
    assert clean(text).split() == ["Hi", "and", "!"]
