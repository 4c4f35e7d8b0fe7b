"""The quality benchmark's own readers and scorers (benchmarks/quality*.py), on small inputs."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import quality  # noqa: E402
import quality_geo  # noqa: E402
import quality_text  # noqa: E402
from quality_rows import Row, overlap_match, prf, table  # noqa: E402

GWN = """<?xml version="1.0" ?>
<articles>
  <article file="7">
    <title>t</title><link>l</link>
    <text>Floods in Paris &amp; Lyon; the city mayor spoke.</text>
    <toponyms>
      <toponym><extractedName>Paris</extractedName><normalisedName /><type>Literal</type>
        <modifierType /><nonLocational>No</nonLocational><start>10</start><end>15</end>
        <geonamesID>2988507</geonamesID><latitude>48.85341</latitude><longitude>2.3488</longitude></toponym>
      <toponym><extractedName>Lyon</extractedName><normalisedName /><type>Literal</type>
        <modifierType /><nonLocational>No</nonLocational><start>18</start><end>22</end>
        <geonamesID /><latitude>45.74846</latitude><longitude>4.84671</longitude></toponym>
      <toponym><extractedName>city</extractedName><normalisedName /><type>Literal_Expression</type>
        <modifierType /><nonLocational>No</nonLocational><start>28</start><end>32</end>
        <geonamesID /></toponym>
    </toponyms>
  </article>
</articles>
"""


def test_gwn_reader_keeps_offsets_and_gold(tmp_path):
    path = tmp_path / "GWN.xml"
    path.write_text(GWN, encoding="utf-8")
    (article,) = quality_geo.read_gwn(path)
    assert article.number == "7" and "Paris & Lyon" in article.text
    assert [article.text[t.start:t.end] for t in article.toponyms] == ["Paris", "Lyon", "city"]
    assert [t.gold for t in article.toponyms] == [True, True, False]
    assert article.toponyms[1].lat == pytest.approx(45.74846)


def test_overlap_matching_uses_each_span_once():
    gold = [(0, 5), (10, 20), (30, 35)]
    predicted = [(12, 14), (15, 25), (3, 8), (40, 45)]
    # (15, 25) also overlaps (10, 20), which (12, 14) took first.
    assert sorted(overlap_match(gold, predicted)) == [(0, 2), (1, 0)]
    assert prf(2, 4, 3) == pytest.approx((0.5, 2 / 3, 4 / 7))


def test_distance_and_161_km():
    # Paris to Lyon is about 392 km; to Versailles about 17.
    assert quality_geo.km(48.8534, 2.3488, 45.7485, 4.8467) == pytest.approx(392, abs=3)
    assert quality_geo.km(48.8534, 2.3488, 48.8014, 2.1301) < quality_geo.KM


def test_the_ira_sample_is_fixed_by_its_seed(tmp_path):
    path = tmp_path / "tweets.csv.gz"
    lines = ["author_id,content,region,language,publish_date"]
    lines += [f"a{n % 3},tweet number {n},US,English,2016-01-01 00:00:{n % 60:02d}" for n in range(50)]
    lines.append("a1,  ,US,English,2016-01-01 00:01:00")  # no text: never drawn
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    first = quality_text.ira_sample(path, 10, seed=3)
    assert len(first) == 10 and first.equals(quality_text.ira_sample(path, 10, seed=3))
    assert not first.equals(quality_text.ira_sample(path, 10, seed=4))
    assert len(quality_text.ira_sample(path, 1000, seed=3)) == 50


def test_rows_print_figures_beside_baselines_and_targets():
    text = table([Row("agreement", 0.632, 0.891, ">= 90 %", "2000 tweets", percent=True),
                  Row("F1", 0.4397, "en_core_web_sm not installed", ">= 0.30")])
    head, first, second = text.splitlines()
    assert head.split() == ["measure", "figure", "baseline", "target", "note"]
    assert "63.2%" in first and "89.1%" in first and ">= 90 %" in first and first.endswith("2000 tweets")
    assert "0.440" in second and "not installed" in second


def test_a_run_without_data_says_so(tmp_path, capsys):
    assert quality.main(["--data", str(tmp_path / "absent")]) == 0
    assert "skipped, no data at" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        quality.main(["--data", str(tmp_path), "--only", "nothing"])


def test_a_section_whose_data_is_absent_is_skipped_with_a_reason(tmp_path, capsys):
    assert quality.main(["--data", str(tmp_path), "--only", "geo,sentiment,ner"]) == 0
    out = capsys.readouterr().out
    assert out.count("skipped:") == 3 and "GWN.xml is absent" in out
