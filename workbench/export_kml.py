"""The located items as KML 2.2 (OGC 07-147r2), for Google Earth, QGIS and partners' mapping tools.

One ``Placemark`` per located item at its best place, in a ``Folder`` per way of locating (geotag,
place named in the text, photo EXIF, profile location, ...): ``name`` is the place, ``TimeStamp``
the item's time, ``Point`` its coordinates (WGS84 ``lon,lat``, 6 decimals), ``ExtendedData`` the
evidence as data (uid, platform, url, raw payload SHA-256, method, confidence, radius, what the
place rests on). Post text is not handed off.

Written with the standard library's ElementTree (every text XML-escaped). KML viewers render a
``description`` as HTML: it is escaped once more, so a place name or evidence quoting a post shows
as text and never runs; the shared ``BalloonStyle`` shows only that description, never the raw
``ExtendedData``. No well-kept KML writer has a permissive licence (simplekml and fastkml are
LGPL), hence the standard library.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench import handoff

if TYPE_CHECKING:
    from workbench.case import Case

KML_NS = "http://www.opengis.net/kml/2.2"
#: The evidence each placemark carries as ExtendedData, in order.
DATA = ("uid", "platform", "url", "created_at", "raw_sha256", "method", "confidence", "radius_km",
        "evidence", "geonameid", "country")
#: The folders' names, by the method that located the items (see :mod:`workbench.geo.locate`).
METHOD_NAMES = {"geotag": "Geotags", "exif": "Photo EXIF", "place": "Platform places",
                "text_coord": "Coordinates in the text", "text_place": "Places named in the text",
                "profile": "Profile locations"}


def kml_tree(case: Case) -> ET.ElementTree:
    """The KML document of the case's located items (see the module's description); its
    elements' tags are unqualified, the root's ``xmlns`` puts them in the KML namespace."""
    located = handoff.places(case)
    # The namespace as a plain xmlns attribute: readers place every element in it, and no
    # prefix is registered in ElementTree's global table.
    root = ET.Element("kml", xmlns=KML_NS)
    document = _sub(root, "Document")
    _sub(document, "name", f"{case.plan.title}: located items")
    _sub(document, "description", html.escape(
        f"Exported by the SOCMINT workbench from case {case.plan.id}: {len(located)} items, each "
        f"at its best place. Handling: TLP:{handoff.TLP[case.plan.handling].upper()}."))
    style = _sub(document, "Style", id="item")
    _sub(_sub(style, "BalloonStyle"), "text", "$[description]")
    for method, group in located.groupby("method", sort=True):
        folder = _sub(document, "Folder")
        _sub(folder, "name", METHOD_NAMES.get(method, str(method)))
        for row in group.sort_values(["created_at", "uid"]).to_dict("records"):
            _placemark(folder, row)
    ET.indent(root)
    return ET.ElementTree(root)


def write_kml(case: Case, path: Path) -> int:
    """Write :func:`kml_tree` to ``path`` (UTF-8); returns the number of placemarks."""
    tree = kml_tree(case)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    tree.write(partial, encoding="utf-8", xml_declaration=True)
    partial.replace(path)
    return len(tree.getroot().findall(".//Placemark"))


def _placemark(folder: ET.Element, row: dict) -> None:
    mark = _sub(folder, "Placemark")
    name = _text(row["name"]) or f"{row['lat']:.4f}, {row['lon']:.4f}"
    _sub(mark, "name", name)
    when = row["created_at"]
    lines = [f"Place: {name} ({row['method']}, confidence {_number(row['confidence'])})",
             f"Evidence: {_text(row['evidence']) or '-'}", f"Item: {row['uid']}",
             f"Posted: {when.strftime('%Y-%m-%d %H:%M:%S UTC') if pd.notna(when) else 'unknown'}",
             f"Link: {_text(row['url']) or '-'}", f"Raw payload SHA-256: {_text(row['raw_sha256'])}"]
    # Escaped for the HTML a viewer makes of it; ElementTree then escapes it again for XML.
    _sub(mark, "description", "<br/>".join(html.escape(line) for line in lines))
    if pd.notna(when):
        _sub(_sub(mark, "TimeStamp"), "when", when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(mark, "styleUrl", "#item")
    data = _sub(mark, "ExtendedData")
    for key in DATA:
        value = row.get(key)
        if key == "created_at":
            value = when.strftime("%Y-%m-%dT%H:%M:%SZ") if pd.notna(when) else None
        text = _number(value) if isinstance(value, float) else _text(value)
        if text:
            _sub(_sub(data, "Data", name=key), "value", text)
    _sub(_sub(mark, "Point"), "coordinates", f"{row['lon']:.6f},{row['lat']:.6f}")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _number(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):g}"

