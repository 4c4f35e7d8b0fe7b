"""The vendored map assets (Leaflet and plugins, the world outline) and how they are inlined.

Files live in ``workbench/geo/assets/``; ``MANIFEST.json`` there lists each vendored file's package,
version, licence and sha256 (``scripts/vendor_map_assets.py`` re-fetches them). A map's HTML
carries the files it needs inline, so it opens with no network: relative ``url(...)`` in CSS
become ``data:`` URIs, and ``@font-face`` rules that would fetch fonts from elsewhere are dropped.
"""

from __future__ import annotations

import base64
import functools
import json
import mimetypes
import re
from importlib import resources
from pathlib import Path

from workbench.errors import WorkbenchError

# Bundles in the order they must load; each lists (kind, path under assets/).
BUNDLES: dict[str, tuple[tuple[str, str], ...]] = {
    "leaflet": (("css", "leaflet/leaflet.css"), ("js", "leaflet/leaflet.js")),
    "markercluster": (("css", "leaflet.markercluster/MarkerCluster.css"),
                      ("js", "leaflet.markercluster/leaflet.markercluster.js")),
    "heat": (("js", "leaflet.heat/leaflet-heat.js"),),
    "timedimension": (("js", "iso8601-js-period/iso8601.js"),
                      ("js", "leaflet-timedimension/leaflet.timedimension.min.js"),
                      ("css", "leaflet-timedimension/leaflet.timedimension.control.min.css")),
    "workbench": (("css", "workbench/workbench-map.css"), ("js", "workbench/workbench-map.js")),
}
OUTLINE = "world-atlas/countries-110m.geojson"

_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE)
_FONT_FACE = re.compile(r"@font-face\s*{[^}]*}", re.IGNORECASE)
_IMPORT = re.compile(r"@import\b", re.IGNORECASE)
_LOADING_TAG = re.compile(r"""<(?:script|link|img|iframe|frame|source|video|audio|embed|object|track|input)"""
                          r"""\b[^>]*?\b(?:src|href|data|srcset|poster)\s*=\s*["']?([^"'\s>]+)""",
                          re.IGNORECASE)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>|\bstyle\s*=\s*\"([^\"]*)\"", re.IGNORECASE | re.DOTALL)


def folder() -> Path:
    """The assets folder inside the installed package."""
    return Path(str(resources.files("workbench.geo") / "assets"))


@functools.cache
def manifest() -> dict:
    """MANIFEST.json: what was vendored, from which package and version, under which licence."""
    return json.loads((folder() / "MANIFEST.json").read_text("utf-8"))


def read(path: str) -> str:
    """The text of one asset; a clear error if the package was installed without it."""
    file = folder() / path
    try:
        return file.read_text("utf-8")
    except FileNotFoundError:
        raise WorkbenchError(f"map asset {path} is missing from {folder()}",
                             hint="reinstall socmint-workbench or run scripts/vendor_map_assets.py") from None


@functools.cache
def outline() -> dict:
    """The bundled world country outlines (Natural Earth 1:110m via world-atlas) as GeoJSON."""
    return json.loads(read(OUTLINE))


@functools.cache
def inline_css(path: str) -> str:
    """A stylesheet made self-contained: local images as data URIs, remote fonts dropped.

    Raises ``WorkbenchError`` if something in it would still be fetched from elsewhere.
    """
    css = _FONT_FACE.sub(lambda m: "" if "url(" in m.group(0).lower() else m.group(0), read(path))
    base = (folder() / path).parent

    def embed(match: re.Match) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        if "://" in target or target.startswith("//"):
            raise WorkbenchError(f"map asset {path} loads {target} from the network")
        file = base / target.split("#")[0].split("?")[0]
        if not file.is_file():
            raise WorkbenchError(f"map asset {path} refers to {target}, which is not bundled")
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return f'url("data:{mime};base64,{base64.b64encode(file.read_bytes()).decode("ascii")}")'

    css = _URL.sub(embed, css)
    if _IMPORT.search(css):
        raise WorkbenchError(f"map asset {path} imports another stylesheet")
    return css


@functools.cache
def inline_js(path: str) -> str:
    """A script's text, safe to put between ``<script>`` tags."""
    js = read(path)
    if re.search(r"</script|<!--", js, re.IGNORECASE):
        raise WorkbenchError(f"map asset {path} cannot be inlined: it contains '</script' or '<!--'")
    return js


def html(bundles: list[str]) -> str:
    """``<style>`` and ``<script>`` elements carrying the named bundles, in load order."""
    parts = []
    for name in BUNDLES:
        if name not in bundles:
            continue
        for kind, path in BUNDLES[name]:
            if kind == "css":
                parts.append(f"<style>/* {path} */\n{inline_css(path)}\n</style>")
            else:
                parts.append(f"<script>/* {path} */\n{inline_js(path)}\n</script>")
    return "\n".join(parts)


def _remote(target: str) -> bool:
    target = target.strip().strip("'\"").lower()
    return target.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:"))


def external_loads(page: str) -> list[str]:
    """What an HTML page would fetch from the network by itself: scripts, stylesheets, images,
    frames, CSS ``url()`` and ``@import``. Links the reader may click, and URLs inside scripts
    (such as a tile URL template), are not counted."""
    found = [m.group(1) for m in _LOADING_TAG.finditer(page) if _remote(m.group(1))]
    for m in _STYLE.finditer(page):
        css = m.group(1) or m.group(2) or ""
        found += [u.group(2) for u in _URL.finditer(css) if _remote(u.group(2))]
        found += ["@import" for _ in _IMPORT.finditer(css)]
    return found
