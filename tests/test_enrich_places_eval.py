"""Measuring places on real labelled data: the Broad Twitter Corpus and GeoWebNews (places_eval)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("spacy")

from workbench.enrich.places_eval import (  # noqa: E402
    btc_place_scores,
    btc_texts,
    gwn_texts,
    overlap_pairs,
    score_spans,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_scores_count_exact_and_overlapping_spans():
    gold = [[(0, 6), (10, 16)], [(3, 8)]]
    predicted = [[(0, 6), (11, 14), (20, 25)], []]
    scores = score_spans(gold, predicted)
    assert (scores["tp"], scores["fp"], scores["fn"]) == (1, 2, 2)
    assert scores["overlap_tp"] == 2
    assert scores["overlap_precision"] == pytest.approx(2 / 3)
    assert scores["overlap_recall"] == pytest.approx(2 / 3)
    # each span is used once
    assert overlap_pairs([(0, 10)], [(0, 3), (5, 8)]) == [(0, 0)]


def test_corpora_are_read_with_offsets_into_the_text(tmp_path):
    (tmp_path / "x.conll").write_text("Rain\tO\nin\tO\nNew\tB-LOC\nYork\tI-LOC\n@\tB-LOC\n\n"
                                      "Hi\tO\n@\tB-PER\nbob\tB-PER\n", encoding="utf-8")
    [one, two] = btc_texts(tmp_path, ["x"])
    assert [one.text[s:e] for s, e in one.gold] == ["New York"]  # a bare "@" is ignored
    assert two.gold == [] and one.section == "x"
    (tmp_path / "g.xml").write_text(
        "<articles><article file='7'><text>Fire in Paris and in the city.</text><toponyms>"
        "<toponym><extractedName>Paris</extractedName><type>Literal</type><start>8</start>"
        "<end>13</end><latitude>48.85</latitude><longitude>2.35</longitude></toponym>"
        "<toponym><extractedName>city</extractedName><type>Literal_Expression</type>"
        "<start>25</start><end>29</end></toponym></toponyms></article></articles>",
        encoding="utf-8")
    [article] = gwn_texts(tmp_path / "g.xml")
    assert (article.id, article.gold, article.coordinates) == ("gwn:7", [(8, 13)], [(48.85, 2.35)])


@pytest.mark.skipif(not (DATA / "ner" / "btc" / "h.conll").is_file(),
                    reason="the shared Broad Twitter Corpus is absent")
def test_place_precision_on_the_broad_twitter_corpus():
    # Section h: the shipped NER was not trained on it. Gold LOC spans (tweets' tokens joined by
    # spaces); counted by overlap and by exact span, as benchmarks/quality.py does.
    scores = btc_place_scores(DATA / "ner" / "btc", sections=["h"]).loc["h"]
    assert scores["gold"] == 297
    assert scores["overlap_precision"] >= 0.75, scores.to_dict()
    assert scores["precision"] >= 0.65 and scores["overlap_recall"] >= 0.35, scores.to_dict()
