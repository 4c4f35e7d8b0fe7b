"""The geocoder measured on GeoWebNews: names alone against the most-populous baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.geo.evaluate import KM, geocode_gold, most_populous, names_alone, read_gwn, scores

GWN = Path(__file__).resolve().parents[2] / "shared" / "data" / "geo" / "GWN.xml"

#: A made-up file in GeoWebNews' format: two articles, a toponym without coordinates.
TINY = """<?xml version="1.0" ?>
<articles>
 <article file="0"><title>t</title><link>l</link>
  <text>Troops of the U.S. left Paris, Texas.</text>
  <toponyms>
   <toponym><extractedName>U.S.</extractedName><normalisedName/><type>Metonymic</type>
    <modifierType/><nonLocational>No</nonLocational><start>14</start><end>18</end>
    <geonamesID>6252001</geonamesID><latitude>39.76</latitude><longitude>-98.5</longitude></toponym>
   <toponym><extractedName>Paris</extractedName><normalisedName/><type>Literal</type>
    <modifierType/><nonLocational>No</nonLocational><start>24</start><end>29</end>
    <geonamesID>4717560</geonamesID><latitude>33.66</latitude><longitude>-95.56</longitude></toponym>
   <toponym><extractedName>Texas</extractedName><normalisedName/><type>Literal</type>
    <modifierType/><nonLocational>No</nonLocational><start>31</start><end>36</end>
    <geonamesID>4736286</geonamesID><latitude>31.25</latitude><longitude>-99.25</longitude></toponym>
  </toponyms></article>
 <article file="1"><title>t</title><link>l</link><text>The city of Qwxzzyplace.</text>
  <toponyms>
   <toponym><extractedName>city</extractedName><normalisedName/><type>Literal_Expression</type>
    <modifierType/><nonLocational>No</nonLocational><start>4</start><end>8</end></toponym>
   <toponym><extractedName>Qwxzzyplace</extractedName><normalisedName/><type>Literal</type>
    <modifierType/><nonLocational>No</nonLocational><start>12</start><end>23</end>
    <geonamesID>1</geonamesID><latitude>10.0</latitude><longitude>10.0</longitude></toponym>
  </toponyms></article>
</articles>
"""


def test_the_measure_on_a_file_of_the_same_format(tmp_path):
    path = tmp_path / "GWN.xml"
    path.write_text(TINY, "utf-8")
    gold = read_gwn(path)
    assert [t.name for t in gold] == ["U.S.", "Paris", "Texas", "Qwxzzyplace"]  # no "city"
    frame = geocode_gold(gold)
    assert frame.loc[0, "km"] <= KM and frame.loc[0, "matched"] == "alias"
    assert frame["baseline_km"].isna()[0]  # "U.S." is no GeoNames name: the baseline misses it
    assert frame.loc[1, "km"] > KM and frame.loc[1, "context_km"] <= KM  # Texas says which Paris
    figures = scores(frame)
    assert figures["toponyms"] == 4 and figures["geocoder_not_found"] == 1
    assert figures["geocoder_acc161"] == 0.5 and figures["context_acc161"] == 0.75
    assert most_populous("Paris").country == "FR" and most_populous("U.S.") is None
    assert most_populous("U.S.", geonames_only=False).country == "US"


@pytest.mark.skipif(not GWN.is_file(), reason="needs GeoWebNews (../shared/data/geo/GWN.xml)")
def test_on_geowebnews_names_alone_beat_the_most_populous_baseline_by_10_points():
    figures = names_alone(GWN)
    assert figures["toponyms"] == 2601
    assert figures["geocoder_acc161"] >= figures["baseline_acc161"] + 0.10, figures
    assert figures["geocoder_acc161"] >= figures["candidates_baseline_acc161"], figures
    assert figures["context_acc161"] >= figures["geocoder_acc161"], figures
    assert figures["geocoder_not_found"] < 500, figures  # 1,015 before countries and aliases
