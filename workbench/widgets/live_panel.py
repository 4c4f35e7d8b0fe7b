"""The live collection panel: pick a source, say where and what to collect (or nothing, for the
plan's terms), and collect with a progress bar; each query's summary shows below, and a stop for
a rate limit says when to run again. A thin view over :mod:`workbench.collect.live.sources`."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from workbench.case import Case
from workbench.errors import WorkbenchError
from workbench.widgets import state
from workbench.widgets.render import error_message, message

PLAN_TERMS = "(the plan's terms)"


def live_options(source: str, where: str, what: str, value: str) -> dict[str, Any]:
    """The collection options the panel's fields stand for (``what`` is a query option of the
    source, or :data:`PLAN_TERMS`)."""
    from workbench.collect.live.sources import PLACES

    options: dict[str, Any] = {}
    place = PLACES.get(source)
    if place and where.strip():
        options[place[0]] = where.strip()
    if what != PLAN_TERMS and value.strip():
        options[what] = [value.strip()] if what == "url" else value.strip()
    return options


class LivePanel(w.VBox):
    """Collect from a live source into the case; the runs' summaries show below."""

    def __init__(self, case: Case, *, source: str = "mastodon", where: str = "", what: str = "",
                 value: str = "", limit: int = 0, max_wait: float = 60.0, **_: Any):
        from workbench.collect.live.sources import SOURCES

        self.case = case
        self.key = state.case_key(case)
        start = state.initial(self.key, "live", {"source": "mastodon", "where": "", "what": PLAN_TERMS,
                                                 "value": "", "limit": 0, "max_wait": 60.0},
                              {"source": source, "where": where, "what": what or None,
                               "value": value, "limit": limit, "max_wait": max_wait})
        self.source = w.Dropdown(options=list(SOURCES), description="Source",
                                 value=start["source"] if start["source"] in SOURCES else SOURCES[0])
        self.where = w.Text(description="Where", layout=w.Layout(width="420px"))
        self.what = w.Dropdown(description="Query")
        self.value = w.Text(value=start["value"], description="Value", layout=w.Layout(width="420px"))
        self.limit = w.BoundedIntText(value=start["limit"], min=0, max=10_000_000,
                                      description="Limit", tooltip="posts per query; 0: no limit")
        self.max_wait = w.BoundedFloatText(value=start["max_wait"], min=0, max=86_400,
                                           description="Max wait (s)")
        self.run = w.Button(description="Collect", button_style="primary")
        for name, control in (("source", self.source), ("where", self.where), ("what", self.what),
                              ("value", self.value), ("limit", self.limit), ("run", self.run)):
            control.add_class(f"wb-live-{name}")
        self.output = w.Output()
        self.summary = w.HTML()
        self.summary.add_class("wb-live-summary")
        self.results: list = []
        self._show_source_fields(start["what"])
        self.where.value = start["where"]
        state.bind(self.key, "live", {"source": self.source, "where": self.where, "what": self.what,
                                      "value": self.value, "limit": self.limit,
                                      "max_wait": self.max_wait})
        self.source.observe(lambda _: self._show_source_fields(None), names="value")
        self.run.on_click(lambda _: self.collect())
        super().__init__([w.HBox([self.source, self.where]), w.HBox([self.what, self.value]),
                          w.HBox([self.limit, self.max_wait, self.run]), self.output, self.summary])
        self.add_class("wb-live")

    def _show_source_fields(self, what: str | None) -> None:
        from workbench.collect.live.sources import PLACES, QUERIES

        source = self.source.value
        choices = [PLAN_TERMS, *QUERIES.get(source, ())]
        self.what.options = choices
        self.what.value = what if what in choices else PLAN_TERMS
        place = PLACES.get(source)
        self.where.disabled = place is None
        self.where.placeholder = (f"{place[0]}{' (required)' if place[1] else ''}" if place else
                                  "(not used by this source)")
        if place is None:
            self.where.value = ""

    def collect(self) -> list:
        """Collect with the panel's settings; returns the runs' results (also in ``results``)."""
        from workbench.collect.live.sources import collect_each

        options = live_options(self.source.value, self.where.value, self.what.value, self.value.value)
        self.output.clear_output()
        self.summary.value = message("collecting ...")
        self.results = []
        self.run.disabled = True
        try:
            with self.output:  # tqdm.auto draws its bar here
                for result in collect_each(self.case, self.source.value, options,
                                           limit=self.limit.value or None,
                                           max_wait=self.max_wait.value):
                    self.results.append(result)
        except WorkbenchError as exc:
            done = "".join(message(r.summary(), "ok") for r in self.results)
            self.summary.value = done + error_message(exc)
            return self.results
        finally:
            self.run.disabled = False
        self.summary.value = "".join(
            message(r.summary(), "warning" if r.stopped else "ok") for r in self.results
        ) or message("nothing to collect", "warning")
        return self.results
