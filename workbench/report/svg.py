"""Charts as static SVG for the report: rendered by vl-convert (Vega-Lite without a browser, with
no network access), then sanitised: parsed as XML, with any script, foreign object, event handler or
outside link removed, so whatever ended up in a label is inert markup even before the page's CSP
applies."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import altair as alt

from workbench.display import isolate
from workbench.errors import WorkbenchError

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_UNSAFE_TAGS = {"script", "foreignObject", "iframe", "object", "embed", "image", "use", "a"}


def to_svg(chart: alt.TopLevelMixin) -> str:
    """A chart as sanitised SVG markup, rendered offline."""
    import vl_convert

    # Validation against the schema costs seconds per report; vl-convert rejects a bad spec anyway.
    spec = chart.to_dict(validate=False)
    try:
        svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    except ValueError as error:
        raise WorkbenchError(f"a report figure could not be rendered: {error}") from error
    return sanitise_svg(svg)


def sanitise_svg(svg: str) -> str:
    """SVG markup with scripts, foreign content, event handlers and links removed, and the text of
    labels bidi-isolated."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as error:
        raise WorkbenchError(f"a report figure is not well-formed SVG: {error}") from error
    if _local(root.tag) != "svg":
        raise WorkbenchError("a report figure is not SVG")
    for parent in root.iter():
        for child in list(parent):
            if _local(child.tag) in _UNSAFE_TAGS:
                parent.remove(child)
        for name in list(parent.attrib):
            local = _local(name).lower()
            unsafe_style = local == "style" and "url(" in parent.attrib[name]
            if local.startswith("on") or local == "href" or unsafe_style:
                del parent.attrib[name]
            elif local == "aria-label":
                parent.attrib[name] = isolate(parent.attrib[name])
        # Labels come from posts: a bidi override in one must not run past it.
        if parent.text:
            parent.text = isolate(parent.text)
    return ET.tostring(root, encoding="unicode")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
