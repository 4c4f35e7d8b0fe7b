"""SOCMINT workbench: plan a case, collect posts, keep the evidence, analyse, report.

Importing the package does no I/O: the public names are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Case": "workbench.case",
    "enrich": "workbench.enrich",
    "CasePlan": "workbench.plan",
    "WorkbenchError": "workbench.errors",
}

__all__ = ["Case", "CasePlan", "WorkbenchError", "__version__", "enrich"]

if TYPE_CHECKING:
    from workbench.case import Case
    from workbench.errors import WorkbenchError
    from workbench.plan import CasePlan


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    # A subpackage stands for itself (``workbench.enrich`` is callable); else the name in it.
    return loaded if module == f"workbench.{name}" else getattr(loaded, name)
