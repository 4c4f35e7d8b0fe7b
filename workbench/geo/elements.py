"""folium elements for item maps: each declares its data and calls the bundled map runtime.

The runtime (``assets/workbench/workbench-map.js``) builds the Leaflet layers; these classes only
hand it data as HTML-safe JSON (``|tojson``, or :func:`js_json` for large payloads), so nothing from
a post is ever pasted into the page as code or markup.

branca renders each element's output a second time as a Jinja template, so text from a post
holding ``{{ ... }}`` would be evaluated there. Our elements skip that second pass
(:class:`RawRender`), and :func:`js_json` escapes ``{`` before ``{``, ``%`` or ``#`` anyway.
"""

from __future__ import annotations

import html
import re

import orjson
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from workbench.display import close_bidi
from workbench.geo import webassets

_HTML_SAFE = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"), (b"'", b"\\u0027"),
              ("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))
# In JSON a "{" followed by "{", "%" or "#" can only be inside a string, where \u007b means the same.
_JINJA_OPEN = re.compile(rb"\{(?=[{%#])")


def js_json(value: object) -> str:
    """JSON that is safe between ``<script>`` tags (as Jinja's ``tojson``, but fast on big data), and
    that no Jinja pass can read as a template tag."""
    data = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)
    for raw, escaped in _HTML_SAFE:
        data = data.replace(raw, escaped)
    return _JINJA_OPEN.sub(b"\\\\u007b", data).decode("utf-8")


def html_text(value: str) -> str:
    """Text escaped for HTML and bidi-isolated in ``<bdi>``, with braces as character references
    (so no Jinja pass reads them)."""
    escaped = html.escape(close_bidi(value)).replace("{", "&#123;").replace("}", "&#125;")
    return f"<bdi>{escaped}</bdi>"


class RawRender(MacroElement):
    """Adds this element's header/html/script macros to the page as rendered, once.

    branca's ``MacroElement.render`` wraps each output in ``Element``, which parses it again as a
    Jinja template: slow on megabytes of data, and a template injection for text from posts.
    """

    def render(self, **kwargs):
        figure = self.get_root()
        module = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            if part in module:
                target.add_child(RawHTML(str(module[part](self, kwargs))), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class RawHTML(Element):
    """Markup put into the page exactly as given (branca's Element would read it as a Jinja template,
    which is slow on half a megabyte of JavaScript and would mangle any ``{{`` in it)."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class OfflineAssets(RawRender):
    """Puts the named asset bundles (see ``webassets.BUNDLES``) inline in the page's head."""

    _template = Template("")

    def __init__(self, bundles: list[str]):
        super().__init__()
        self._name = "OfflineAssets"
        self.bundles = list(bundles)

    def render(self, **kwargs):
        self.get_root().header.add_child(RawHTML(webassets.html(self.bundles)), name="workbench_assets")
        super().render(**kwargs)


class ItemData(RawRender):
    """The items' columns, shared by every marker group and the heat layer."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = WorkbenchMap.items({{ this.payload }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, payload: dict, options: dict):
        super().__init__()
        self._name = "ItemData"
        self.payload = js_json(payload)
        self.options = options


class ItemMarkers(Layer, RawRender):
    """One group of items as circle markers, clustered or not, with popups built on click."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = WorkbenchMap.markers({{ this.items.get_name() }},
                {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, items: ItemData, *, group: int, color: str, cluster: bool, name: str,
                 show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ItemMarkers"
        self.items = items
        self.options = {"group": group, "color": color, "cluster": cluster}


class ItemHeat(Layer, RawRender):
    """A heat layer of every item (Leaflet.heat), drawn from the shared item data."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = WorkbenchMap.heat({{ this.items.get_name() }},
                {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, items: ItemData, *, name: str, show: bool = False, **options):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ItemHeat"
        self.items = items
        self.options = {"radius": 18, "blur": 22, "minOpacity": 0.35, "maxZoom": 14, **options}


class TimeSlider(Layer, RawRender):
    """Counts per grid cell and time step under a Leaflet.TimeDimension slider.

    The slider control appears while the layer is on.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = WorkbenchMap.timeLayer({{ this._parent.get_name() }},
                {{ this.bins }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, bins: dict, *, zones: list[str], color: str, name: str, show: bool = False):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "TimeSlider"
        self.bins = js_json(bins)
        self.options = {"zones": zones, "color": color}


class CountryOutlines(Layer, RawRender):
    """The bundled country outlines, in their own pane beneath everything else drawn on the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = WorkbenchMap.outline({{ this._parent.get_name() }},
                {{ this.geojson }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, *, name: str = "Country outlines", show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CountryOutlines"
        self.geojson = js_json(webassets.outline())
        self.options = {"style": {"color": "#7a7a7a", "weight": 0.8, "opacity": 0.9, "fillColor": "#f4f1ea",
                                  "fillOpacity": 1},
                        "overTiles": {"opacity": 0.35, "fillOpacity": 0}}


class InfoBox(RawRender):
    """A corner box with plain-text lines (what is on the map, what was left out and why)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            WorkbenchMap.info({{ this._parent.get_name() }}, {{ this.lines|tojson }},
                {{ this.items.get_name() if this.items else "null" }});
        {% endmacro %}
    """)

    def __init__(self, lines: list[str], items: ItemData | None = None):
        super().__init__()
        self._name = "InfoBox"
        self.lines = list(lines)
        self.items = items
