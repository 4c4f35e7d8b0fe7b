"""Enrichment: entities and selectors, language, sentiment, watch terms and risk.

- :mod:`selectors` finds OSINT selectors by rules; :mod:`pipeline` runs them, the gazetteer and a
  trained spaCy pipeline's named entities over texts; :mod:`resolve` counts variants as one.
- :mod:`language`, :mod:`sentiment` and :mod:`watch` work item by item.
- :mod:`batch` enriches a batch of items; :mod:`job` picks the items that need it and writes the
  results to the case, in this process, in worker processes or on a Dask cluster.

Nothing heavy is imported until it is used. The package itself can be called:
``workbench.enrich(case)`` is :func:`workbench.enrich.job.enrich`, with a Case or a case folder.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.enrich.job import enrich

__all__ = ["enrich"]


def __getattr__(name: str) -> Any:
    if name == "enrich":
        from workbench.enrich.job import enrich

        return enrich
    raise AttributeError(f"module 'workbench.enrich' has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """Lets ``workbench.enrich(case)`` work although ``workbench.enrich`` is a package
    (module ``__class__`` assignment, as the language reference describes)."""

    def __call__(self, case: Any, **options: Any) -> Any:
        from workbench.case import Case
        from workbench.enrich.job import enrich

        return enrich(case if isinstance(case, Case) else Case.open(case), **options)


sys.modules[__name__].__class__ = _CallableModule
