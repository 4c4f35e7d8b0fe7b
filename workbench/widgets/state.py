"""Widget state that survives re-running a cell, and defaults from papermill parameters.

Each widget keeps its values in a per-kernel registry keyed by the case folder and the widget's
name. A widget built again (the cell re-run) starts from what the analyst last set; on a fresh
kernel it starts from the arguments it was given (papermill parameters passed on by a template),
and then from its own defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

_REGISTRY: dict[tuple[str, str], dict[str, Any]] = {}


def case_key(case_or_path: Any) -> str:
    """The registry's key for a case (or a case folder): its absolute folder path."""
    path = getattr(case_or_path, "path", case_or_path)
    return str(Path(path).resolve())


def initial(key: str, name: str, defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """Starting values for widget ``name`` of case ``key``: the remembered value of each field,
    else the one given (not None), else the default."""
    remembered = _REGISTRY.get((key, name), {})
    values = dict(defaults)
    values.update({field: value for field, value in given.items() if value is not None})
    values.update({field: value for field, value in remembered.items() if field in values})
    return values


def remember(key: str, name: str, field: str, value: Any) -> None:
    """Record the current value of one field of a widget."""
    _REGISTRY.setdefault((key, name), {})[field] = value


def remembered(key: str, name: str) -> dict[str, Any]:
    """What is remembered for one widget (a copy)."""
    return dict(_REGISTRY.get((key, name), {}))


def forget(key: str | None = None, name: str | None = None) -> None:
    """Forget remembered values: of one widget, of every widget of a case, or everything."""
    for registered in list(_REGISTRY):
        if (key is None or registered[0] == key) and (name is None or registered[1] == name):
            del _REGISTRY[registered]


def bind(key: str, name: str, controls: Mapping[str, Any]) -> None:
    """Remember the value of each control (an ipywidgets widget) whenever it changes."""
    for field, control in controls.items():
        control.observe(lambda change, field=field: remember(key, name, field, change["new"]),
                        names="value")
