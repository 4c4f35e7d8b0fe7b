"""KML hand-off: the located items as KML 2.2 that an XML parser reads back in the KML namespace,
in the order the KML schema sets, with hostile place names escaped for the viewers' HTML."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pytest

from tests.handoff_case import HOSTILE, copy_of_case
from workbench.export import export

NS = {"k": "http://www.opengis.net/kml/2.2"}
#: The order of a Placemark's children in the KML 2.2 schema (those written).
PLACEMARK_ORDER = ["name", "description", "TimeStamp", "styleUrl", "ExtendedData", "Point"]


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    c = copy_of_case(tmp_path_factory)
    yield c
    c.close()


def test_each_located_item_is_a_placemark_with_its_evidence(case, tmp_path):
    path = tmp_path / "places.kml"
    assert export(case, "places", "kml", path) == 2
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    (folder,) = root.findall("k:Document/k:Folder", NS)
    assert folder.findtext("k:name", namespaces=NS) == "Geotags"
    marks = folder.findall("k:Placemark", NS)
    assert [child.tag.split("}")[1] for child in marks[0]] == PLACEMARK_ORDER
    first = marks[0]
    assert first.findtext("k:name", namespaces=NS) == "Leeds"
    assert first.findtext("k:Point/k:coordinates", namespaces=NS) == "-1.549200,53.799700"
    assert first.findtext("k:TimeStamp/k:when", namespaces=NS) == "2024-03-01T12:00:00Z"
    data = {d.get("name"): d.findtext("k:value", namespaces=NS)
            for d in first.findall("k:ExtendedData/k:Data", NS)}
    sha = case.db.execute("SELECT raw_sha256 FROM items WHERE uid = 'generic:p3'").fetchone()[0]
    assert data["uid"] == "generic:p3" and data["raw_sha256"] == sha
    assert data["url"] == "https://forum.example/p/3" and data["method"] == "geotag"
    assert float(data["confidence"]) == pytest.approx(0.95)
    style = root.find("k:Document/k:Style", NS)
    assert style.get("id") == "item"
    assert style.findtext("k:BalloonStyle/k:text", namespaces=NS) == "$[description]"


def test_a_hostile_place_name_shows_as_text(case, tmp_path):
    path = tmp_path / "places.kml"
    export(case, "places", "kml", path)
    root = ET.parse(path).getroot()
    hostile = root.findall(".//k:Placemark", NS)[1]
    assert hostile.findtext("k:name", namespaces=NS) == HOSTILE  # a name is shown as text
    description = hostile.findtext("k:description", namespaces=NS)
    assert "<script" not in description and "<img" not in description
    assert html.escape(HOSTILE) in description  # the viewer's HTML shows it, never runs it
    assert "<br/>" in description


def test_only_places_or_items(case, tmp_path):
    from workbench.errors import WorkbenchError

    assert export(case, "items", "kml", tmp_path / "items.kml") == 2
    with pytest.raises(WorkbenchError, match="entities cannot be written as kml"):
        export(case, "entities", "kml", tmp_path / "x.kml")
