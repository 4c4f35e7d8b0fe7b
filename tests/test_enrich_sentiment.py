"""Sentiment with VADER: English scored, other languages not scored (None), never neutral."""

from __future__ import annotations

import pytest

from workbench.enrich import sentiment
from workbench.enrich.sentiment import SUPPORTED, Sentiment, score


def test_positive_negative_and_neutral():
    good = score("We had a wonderful day at the beach, thank you all!", "en")
    bad = score("Awful, just awful. Our street is gone and nobody helps.", "en")
    flat = score("The train leaves at 10 from platform 4.", "en")
    assert isinstance(good, Sentiment) and good.compound > 0.5 and good.pos > good.neg
    assert bad.compound < -0.5 and bad.neg > bad.pos
    assert flat == Sentiment(0.0, 0.0, 1.0, 0.0)
    assert abs(good.pos + good.neu + good.neg - 1.0) < 0.01


def test_emoji_are_scored_through_vaders_emoji_lexicon():
    assert score("😍", "en").compound > 0.3
    assert score("😢", "en").compound < -0.3
    assert score("Great news! 😢", "en").compound < score("Great news!", "en").compound
    assert score("I love this 😍", "en").compound > score("I love this", "en").compound


def test_shouting_and_exclamation_marks_intensify():
    assert score("This is GREAT!!!", "en").compound > score("This is great", "en").compound > 0


@pytest.mark.parametrize("lang", ["nl", "de", "fr", "es", "und", None, "", "xx"])
def test_other_languages_are_not_scored(lang):
    assert score("Wat een prachtige dag, dank jullie wel!", lang) is None


def test_regional_codes_count_as_their_language():
    assert score("What a lovely day", "en-GB").compound > 0
    assert score("What a lovely day", "EN").compound > 0


def test_links_and_handles_are_not_scored():
    assert score("Nice https://example.com/awful-horrible-deadly-disaster", "en") == score("Nice", "en")
    assert score("Thanks @happy_lovely_friend", "en") == score("Thanks", "en")
    assert score("https://example.com/great-wonderful-news", "en") is None
    assert score("", "en") is None


def test_method_and_supported_languages():
    assert sentiment.METHOD.startswith("vader 3.")
    assert frozenset({"en"}) == SUPPORTED
    with pytest.raises(AttributeError):
        _ = sentiment.NOT_A_NAME


def test_limits_say_per_language_what_is_scored_and_what_is_not():
    said = sentiment.limits({"en": 12000, "ru": 3000, "de": 500, "und": 200, "nl": 0})
    assert len(said) == 3
    assert said[0].startswith("Sentiment of 12,000 en item(s) is VADER's (vader 3.")
    assert said[1].startswith("3,000 ru, 500 de item(s) have no sentiment score")
    assert "200 item(s) of undetermined language" in said[2]
    assert sentiment.limits({"fr": 5}) == [
        "5 fr item(s) have no sentiment score: the workbench has no scorer it can vouch for in "
        "those languages."]
    assert sentiment.limits({}) == []
