"""Charts in notebooks with no network: an altair renderer JupyterLab draws by itself.

Altair's default renderer writes HTML that loads Vega from a CDN, and altair 6's ``mimetype``
renderer uses a media type (``application/vnd.vegalite.v6.json``) that JupyterLab 4 does not know
and nbformat refuses to save. JupyterLab 4 ships a renderer for ``application/vnd.vegalite.v5+json``
with Vega-Lite built in, so that is the type our charts are shown as. Its output area takes the
size of its content, so a chart whose width follows its container never settles there (the page
hangs): such charts are drawn at :data:`CONTAINER_WIDTH` pixels instead.
"""

from __future__ import annotations

import altair as alt

#: The media type JupyterLab 4 renders with its bundled Vega-Lite (no network).
MIMETYPE = "application/vnd.vegalite.v5+json"
_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
RENDERER = "workbench"
#: The width, in pixels, given to charts whose width is "container".
CONTAINER_WIDTH = 720
_VIEWS = ("layer", "vconcat", "hconcat", "concat")


def mimebundle(spec: dict) -> dict:
    """A chart's Vega-Lite spec as a mimebundle JupyterLab 4 draws offline, with a text fallback."""
    spec = _fixed_width(spec)
    # The specs altair 6 writes use nothing Vega-Lite 5 lacks; naming v5 spares a version warning.
    spec["$schema"] = _SCHEMA
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    return {MIMETYPE: spec, "text/plain": f"<chart: {title}>" if title else "<chart>"}


def use_offline_renderer() -> None:
    """Make altair show charts as :data:`MIMETYPE` bundles (for notebooks and templates)."""
    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, mimebundle)
    alt.renderers.enable(RENDERER)


def _fixed_width(spec: dict) -> dict:
    """A copy of ``spec`` in which every view sized to its container has a fixed width."""
    spec = dict(spec)
    if spec.get("width") == "container":
        spec["width"] = CONTAINER_WIDTH
    for key in _VIEWS:
        if isinstance(spec.get(key), list):
            spec[key] = [_fixed_width(view) if isinstance(view, dict) else view for view in spec[key]]
    if isinstance(spec.get("spec"), dict):  # facet and repeat
        spec["spec"] = _fixed_width(spec["spec"])
    return spec
