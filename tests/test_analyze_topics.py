"""Topics, co-occurring terms and keyword in context on small frames whose answers are known."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analyze import topics as tp
from workbench.errors import WorkbenchError


def frame(texts: list[str], **columns) -> pd.DataFrame:
    return pd.DataFrame({"uid": [f"t:{i}" for i in range(len(texts))], "text": texts, **columns})


FIRE = ["Huge fire and black smoke over the chemical plant",
        "Firefighters fight the plant fire, smoke everywhere",
        "Smoke from the fire drifts over Rotterdam, firefighters on site",
        "The chemical fire is still burning, thick smoke",
        "Firefighters say the smoke is toxic near the plant"]
FOOTBALL = ["Feyenoord won the match, great goal by the striker",
            "What a goal! Feyenoord striker scores again",
            "Match report: Feyenoord goal in the last minute",
            "The striker scored the winning goal in the match",
            "Feyenoord fans celebrate the goal after the match"]


def test_topics_separate_two_obvious_themes():
    items = frame(FIRE + FOOTBALL + ["https://example.com @someone fire"],
                  kind=["post"] * 10 + ["repost"], language=["en"] * 11)
    found = tp.topics(items, 2, n_terms=5, n_items=3)
    by_topic = found.assignments.set_index("uid")["topic"]
    fire_topic, ball_topic = by_topic["t:0"], by_topic["t:5"]
    assert fire_topic != ball_topic
    assert (by_topic.iloc[:5] == fire_topic).all() and (by_topic.iloc[5:10] == ball_topic).all()
    assert "t:10" not in by_topic.index  # reposts are left out
    fire_terms = set(found.terms.loc[found.terms["topic"] == fire_topic, "term"])
    assert {"fire", "smoke"} <= fire_terms and "goal" not in fire_terms
    assert "the" not in set(found.terms["term"])  # a stop word
    assert list(found.summary["items"]) == [5, 5]
    typical = found.items[found.items["topic"] == ball_topic]
    assert len(typical) == 3 and set(typical["uid"]) <= {f"t:{i}" for i in range(5, 10)}
    again = tp.topics(items, 2, n_terms=5, n_items=3)
    assert again.terms.equals(found.terms)  # the fixed seed makes it repeatable


def test_topics_explain_what_they_cannot_do():
    with pytest.raises(WorkbenchError, match="cannot find 40 topics"):
        tp.topics(frame(FIRE + FOOTBALL), 40)
    with pytest.raises(WorkbenchError, match="no words"):
        tp.topics(frame(["", "the of and", None]), 2)
    with pytest.raises(WorkbenchError, match="text"):
        tp.topics(pd.DataFrame({"uid": ["a"]}), 1)


def test_near_copies_show_once_among_typical_items():
    items = frame(["copy paste fire alarm"] * 3 + ["Copy paste FIRE alarm #x https://t.co/a @bot"] + FOOTBALL)
    found = tp.topics(items, 2, n_items=5)
    fire = found.assignments.set_index("uid").at["t:0", "topic"]
    assert found.items[found.items["topic"] == fire]["uid"].tolist() == ["t:0"]


def test_cooccurring_terms_top_is_known():
    items = frame([
        "the fire near the plant, evacuation ordered",
        "FIRE: evacuation of the district",
        "fire and evacuation again",
        "fire and smoke",
        "smoke over the city",
        "the city is quiet",
        "a firework show in the city",  # 'firework' is not the keyword
    ])
    found = tp.cooccurring_terms(items, "Fire", min_count=1)
    top = found.iloc[0]
    assert top["term"] == "evacuation"
    assert (top["together"], top["term_items"], top["keyword_items"], top["total"]) == (3, 3, 4, 7)
    assert top["lift"] == pytest.approx(7 / 4)
    assert top["pmi"] == pytest.approx(0.807354922)
    assert "fire" not in set(found["term"]) and "the" not in set(found["term"])
    assert set(tp.cooccurring_terms(items, "fire")["term"]) == {"evacuation"}  # min_count=2
    by_count = tp.cooccurring_terms(items, "fire", min_count=1, by="together")
    assert by_count.iloc[0]["term"] == "evacuation"
    assert tp.cooccurring_terms(items, "tsunami").empty
    with pytest.raises(WorkbenchError, match="rank"):
        tp.cooccurring_terms(items, "fire", by="magic")


def test_kwic_exact_rows():
    items = frame([
        "A FIRE broke out.  The fire\nspread fast",
        "Bonfire night, no fires here",
        "Watch #fire and fire-fighters",
        None,
    ])
    rows = tp.kwic(items, "fire", width=10)
    assert rows.values.tolist() == [
        ["t:0", "A", "FIRE", "broke out"],
        ["t:0", "out. The", "fire", "spread fa"],
        ["t:2", "Watch #", "fire", "and fire-"],
        ["t:2", "#fire and", "fire", "-fighters"],
    ]
    phrase = tp.kwic(items, "fire spread", width=5)
    assert phrase.values.tolist() == [["t:0", "The", "fire spread", "fast"]]
    assert list(tp.kwic(items, "nothing").columns) == ["uid", "left", "keyword", "right"]
    with pytest.raises(WorkbenchError, match="empty"):
        tp.kwic(items, "  ")


def test_stop_words_follow_the_items_languages():
    dutch = frame(["het vuur is groot"], language=["nl"])
    assert "het" in tp._stop_words(dutch, "auto") and "the" in tp._stop_words(dutch, "auto")
    assert tp._stop_words(dutch, ["Foo"]) == frozenset({"foo"})
    assert "het" not in tp._stop_words(frame(["x"], language=["zz"]), "auto")
