"""SOCMINT workbench: plan a case, collect posts, keep the evidence, analyse, report.

Importing the package does no I/O: the public names are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Case": "workbench.case",
    "CasePlan": "workbench.plan",
    "WorkbenchError": "workbench.errors",
}

__all__ = ["Case", "CasePlan", "WorkbenchError", "__version__"]

if TYPE_CHECKING:
    from workbench.case import Case
    from workbench.errors import WorkbenchError
    from workbench.plan import CasePlan


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
