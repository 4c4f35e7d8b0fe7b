"""Widgets for JupyterLab: thin ipywidgets views over the workbench's functions.

Each entry returns the widget (the notebook displays it):

- :func:`intake`: the case plan form, saved to case.yaml (or a new case created).
- :func:`collect`: import a file (path or upload) with progress, summary and quarantine.
- :func:`live`: collect from a live source (Mastodon, Bluesky, Reddit, feeds, ...) with progress.
- :func:`items`: search, filter, page through, tag and annotate items.
- :func:`entities`: entities by label and frequency; choosing one filters the items.
- :func:`linked`: a timeline whose brushed window filters a map and the items.

Keyword arguments are starting values (a template passes its papermill parameters); values the
analyst changes are remembered when the cell is re-run (see :mod:`workbench.widgets.state`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.case import Case
    from workbench.widgets.browser import ItemBrowser
    from workbench.widgets.collection import CollectionPanel
    from workbench.widgets.entity_explorer import EntityExplorer
    from workbench.widgets.intake_form import IntakeForm
    from workbench.widgets.linked_views import LinkedViews
    from workbench.widgets.live_panel import LivePanel

__all__ = ["collect", "entities", "intake", "items", "linked", "live"]


def _case(case: Case | str | Path) -> Case:
    from workbench.case import Case

    return case if isinstance(case, Case) else Case.open(case)


def intake(case_or_path: Case | str | Path, **defaults: Any) -> IntakeForm:
    """The case intake form for a case, a case folder, or a folder where a new case is to be made."""
    from workbench.widgets.intake_form import IntakeForm

    return IntakeForm(case_or_path, **defaults)


def collect(case: Case | str | Path, **defaults: Any) -> CollectionPanel:
    """The collection panel: import a file into the case."""
    from workbench.widgets.collection import CollectionPanel

    return CollectionPanel(_case(case), **defaults)


def live(case: Case | str | Path, **defaults: Any) -> LivePanel:
    """The live collection panel: collect from a platform or feed into the case (``defaults``:
    source, where, what, value, limit, max_wait)."""
    from workbench.widgets.live_panel import LivePanel

    return LivePanel(_case(case), **defaults)


def items(case: Case | str | Path, **filters: Any) -> ItemBrowser:
    """The item browser; ``filters`` (text, since, until, platform, author, language, sentiment,
    entity, place) are the starting filters."""
    from workbench.widgets.browser import ItemBrowser

    return ItemBrowser(_case(case), **filters)


def entities(case: Case | str | Path, **options: Any) -> EntityExplorer:
    """The entity explorer, with an item browser that the chosen entity filters."""
    from workbench.widgets.entity_explorer import EntityExplorer

    return EntityExplorer(_case(case), **options)


def linked(case: Case | str | Path, **options: Any) -> LinkedViews:
    """Linked views: a timeline selection filters the map and the item list."""
    from workbench.widgets.linked_views import LinkedViews

    return LinkedViews(_case(case), **options)
