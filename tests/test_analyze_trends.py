"""Burst driving terms and emerging terms leave out stop words of the items' own languages,
their clitics ("it's", "don't", "l'") and time words ("today"); on real tweets too."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analyze import trends

IRA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ira-dev" / "tweets.csv.gz"
T0 = pd.Timestamp("2024-03-01T00:00:00Z")


def test_clitics_elisions_and_time_words_are_stop_words():
    assert trends.terms("It's late, I'm out, don't wait: Trump's rally TODAY") == \
        ["late", "wait", "trump", "rally"]
    assert trends.terms("I’m sure it’s tonight") == ["sure"]  # typographic apostrophes too
    assert trends.terms("L'homme qu'il a vu aujourd'hui", stops=trends.stop_words(["fr"])) == ["homme"]
    assert trends.terms("rock'n'roll y'all") == ["rock'n'roll"]
    english, german = trends.stop_words(["en"]), trends.stop_words(["de"])
    assert "today" in english and "heute" in german and "die" in german and "die" not in english


def frame(texts: list[str], languages: list[str | None], start: pd.Timestamp = T0) -> pd.DataFrame:
    return pd.DataFrame({"created_at": [start + pd.Timedelta(minutes=i) for i in range(len(texts))],
                         "text": texts, "language": languages, "hashtags": [[] for _ in texts]})


def test_each_item_loses_its_own_languages_stop_words_only():
    before = frame(["quiet day at the port"] * 100, ["en"] * 100)  # German: 3 in 113, not a main language
    burst = frame(["people die in the fire, it's terrible today"] * 10
                  + ["die Leute sind heute hier"] * 3, ["en"] * 10 + ["de"] * 3,
                  start=T0 + pd.Timedelta(hours=2))
    found = {d["term"] for d in trends.drivers(burst, before)}
    assert {"die", "people", "fire", "terrible"} <= found  # "die" is an English word here
    assert not found & {"it's", "today", "heute", "sind", "the"}
    assert "leute" in found  # German items lose German stop words


def test_emerging_terms_leave_out_stop_words():
    earlier = frame(["a calm week in town"] * 30, ["en"] * 30)
    recent = frame(["I'm telling you, the leak is real today"] * 10, ["en"] * 10,
                   start=T0 + pd.Timedelta(days=3))
    terms = trends.emerging_terms(pd.concat([earlier, recent], ignore_index=True), recent="1D")["term"]
    assert set(terms) == {"telling", "leak", "real"}


@pytest.mark.skipif(not IRA.exists(), reason="needs the shared IRA corpus (../shared/data)")
def test_real_tweets_bursts_are_driven_by_content_words():
    tweets = pd.read_csv(IRA, usecols=["content", "publish_date", "language"], nrows=30_000)
    items = pd.DataFrame({"created_at": pd.to_datetime(tweets["publish_date"], utc=True),
                          "text": tweets["content"],
                          "language": tweets["language"].map({"English": "en", "Russian": "ru",
                                                              "German": "de", "Italian": "it"}),
                          "hashtags": [[] for _ in range(len(tweets))]})
    bursts = trends.detect_bursts(items, "1D")
    driving = [d["term"] for found in bursts["terms"] for d in found]
    assert len(bursts) >= 3 and len(driving) >= 20
    junk = [t for t in driving if "'" in t or "’" in t or t in {"today", "tonight", "tomorrow", "yesterday"}]
    assert junk == []
