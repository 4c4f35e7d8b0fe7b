"""Where: finding places for items, geocoding offline (or online, opted in), and offline maps.

- :mod:`locate` finds every candidate place of each item and picks a best guess (``Case.locate``);
  :mod:`gazetteer` is the offline geopy geocoder, :mod:`online` the opt-in cached online one.
- :mod:`maps` draws located items on a folium map that opens with no network; :mod:`geojson`
  exports them.

Nothing heavy is imported until it is used: ``workbench.geo.map_items`` loads folium on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.geo.gazetteer import OfflineGeocoder
    from workbench.geo.geojson import to_geojson, write_geojson
    from workbench.geo.maps import map_items, save_map

_LAZY = {
    "OfflineGeocoder": "workbench.geo.gazetteer",
    "map_items": "workbench.geo.maps",
    "save_map": "workbench.geo.maps",
    "to_geojson": "workbench.geo.geojson",
    "write_geojson": "workbench.geo.geojson",
}

__all__ = ["OfflineGeocoder", "map_items", "save_map", "to_geojson", "write_geojson"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench.geo' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
