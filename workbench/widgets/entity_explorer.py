"""The entity explorer: entities by label and frequency; choosing one filters the item browser."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from workbench.case import Case
from workbench.display import isolate
from workbench.urls import SHORTENERS
from workbench.widgets import state
from workbench.widgets.browser import ItemBrowser

TOP = 200


def entity_counts(case: Case, *, label: str | None = None, top: int = TOP) -> pd.DataFrame:
    """Entities resolved by key: ``label, key, text`` (the most common spelling), ``items`` (how
    many items name it) and ``mentions``; most frequent first, a link shortener's DOMAIN (t.co:
    it says nothing of where a link leads) after the others; the first ``top``."""
    where, params = ("WHERE label = ?", [label.upper()]) if label else ("", [])
    shorteners = sorted(SHORTENERS)
    marks = ", ".join("?" * len(shorteners))
    rows = case.db.execute(
        f"SELECT label, key, count(DISTINCT uid), count(*) FROM entities {where} GROUP BY label, key "
        f"ORDER BY label = 'DOMAIN' AND key IN ({marks}), 3 DESC, 4 DESC, label, key LIMIT ?",
        [*params, *shorteners, top]).fetchall()
    frame = pd.DataFrame(rows, columns=["label", "key", "items", "mentions"])
    if frame.empty:
        return frame.assign(text=pd.Series(dtype=str))[["label", "key", "text", "items", "mentions"]]
    spellings = case.db.execute(
        f"SELECT label, key, text, count(*) FROM entities {where} GROUP BY label, key, text "
        "ORDER BY 4 DESC, text", params).fetchall()
    common: dict[tuple[str, str], str] = {}
    for found_label, key, text, _ in spellings:
        common.setdefault((found_label, key), text)
    pairs = zip(frame["label"], frame["key"], strict=True)
    frame["text"] = [common.get((lab, key), key) for lab, key in pairs]
    return frame[["label", "key", "text", "items", "mentions"]]


def entity_labels(case: Case) -> list[str]:
    """The entity labels found in the case."""
    return [label for (label,) in case.db.execute("SELECT DISTINCT label FROM entities ORDER BY 1")]


def entity_filter(label: str, key: str) -> str:
    """The item filter that finds the items naming an entity."""
    return f"{label}:{key}"


class EntityExplorer(w.VBox):
    """Entities of a label, most frequent first; selecting one filters ``browser`` (an
    :class:`ItemBrowser`, made here and shown below when not given)."""

    def __init__(self, case: Case, *, browser: ItemBrowser | None = None, label: str | None = None,
                 top: int = TOP, **filters: Any):
        self.case, self.top = case, top
        self.key = state.case_key(case)
        start = state.initial(self.key, "entities", {"label": ""}, {"label": label})
        labels = entity_labels(case)
        self.label = w.Dropdown(options=[("(all)", ""), *[(lab, lab) for lab in labels]],
                                value=start["label"] if start["label"] in ("", *labels) else "",
                                description="Label")
        self.label.add_class("wb-entity-label")
        self.choice = w.Select(options=[], rows=12, description="Entity", layout=w.Layout(width="520px"))
        self.choice.add_class("wb-entity-choice")
        self.clear = w.Button(description="Clear entity filter")
        self.browser = browser if browser is not None else ItemBrowser(case, name="entities.items",
                                                                       **filters)
        state.bind(self.key, "entities", {"label": self.label})
        self.label.observe(lambda _: self.list_entities(), names="value")
        self.choice.observe(lambda change: self.choose(change["new"]), names="value")
        self.clear.on_click(lambda _: self.choose(None))
        self.frame = pd.DataFrame()
        self.list_entities()
        chosen = self.browser.filters["entity"].value  # remembered from before the cell was re-run
        if chosen in (value for _, value in self.choice.options):
            self.choice.value = chosen
        parts = [self.label, self.choice, self.clear]
        super().__init__(parts + ([self.browser] if browser is None else []))
        self.add_class("wb-entities")

    def list_entities(self) -> None:
        """List the entities of the label chosen."""
        self.frame = entity_counts(self.case, label=self.label.value or None, top=self.top)
        # Select options are shown as text, never as HTML; the entity's text is bidi-isolated.
        self.choice.options = [
            (f"{isolate(row.text)} ({row.label}) · {row.items} items", entity_filter(row.label, row.key))
            for row in self.frame.itertuples()]

    def choose(self, entity: str | None) -> None:
        """Filter the item browser to the items naming ``entity`` (``LABEL:key``; None: no filter)."""
        if entity is None and self.choice.value is not None:
            self.choice.value = None
        self.browser.set_filters(entity=entity or "")
