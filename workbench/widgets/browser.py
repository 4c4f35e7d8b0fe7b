"""The item browser: full-text search and filters, a page of items, tags and notes.

The logic is in plain functions (:func:`find_items`, :func:`page_of`, :func:`item_html`,
:func:`filter_options`); :class:`ItemBrowser` lays them out as ipywidgets. Post text is shown
escaped: ipywidgets' HTML widget renders its value as HTML.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from html import escape
from typing import Any

import ipywidgets as w
import pandas as pd

from workbench.case import Case
from workbench.display import html_isolated
from workbench.errors import WorkbenchError
from workbench.missing import text_or
from workbench.palette import platform_colour
from workbench.query import SENTIMENTS
from workbench.widgets import state
from workbench.widgets.render import error_message, message

PAGE_SIZE = 20
EXCERPT_CHARS = 280


@dataclass
class Filters:
    """What the item browser filters by; empty strings filter nothing."""

    text: str = ""
    since: str = ""
    until: str = ""
    platform: str = ""
    author: str = ""
    language: str = ""
    sentiment: str = ""
    entity: str = ""
    place: str = ""


def find_items(case: Case, filters: Filters) -> pd.DataFrame:
    """The case's items matching every filter, oldest first. ``place`` keeps items with a
    candidate place whose name contains it (any case); the others are as :meth:`Case.items`."""
    given = {f.name: getattr(filters, f.name).strip() or None for f in fields(filters)}
    place = given.pop("place")
    frame = case.items(**given)
    if place and not frame.empty:
        places = case.places()
        named = places["name"].fillna("").str.casefold().str.contains(place.casefold(), regex=False)
        frame = frame[frame["uid"].isin(set(places.loc[named, "uid"]))]
    return frame.reset_index(drop=True)


def page_of(frame: pd.DataFrame, page: int, size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int, int]:
    """Rows of page ``page`` (from 0, clamped to the pages there are), that page, and the number
    of pages (at least 1)."""
    pages = max(1, -(-len(frame) // size))
    page = min(max(page, 0), pages - 1)
    return frame.iloc[page * size:(page + 1) * size], page, pages


def item_html(item: pd.Series | dict, *, tz: str = "UTC", excerpt_chars: int = EXCERPT_CHARS,
              tags: list[str] | None = None) -> str:
    """One item as escaped HTML: time, platform, author, tags, an excerpt of the text, a link."""
    item = dict(item)
    when = item.get("created_at")
    when = pd.Timestamp(when).tz_convert(tz).strftime("%Y-%m-%d %H:%M") if pd.notna(when) else "?"
    text = text_or(item.get("text"))
    if len(text) > excerpt_chars:
        text = text[:excerpt_chars].rstrip() + "…"
    author = text_or(item.get("author_handle")) or text_or(item.get("author_id"), "?")
    url = text_or(item.get("url"))
    link = (f' <a href="{escape(url)}" target="_blank" rel="noopener noreferrer">link</a>'
            if url.startswith(("http://", "https://")) else "")
    marks = "".join(f' <span class="wb-tag">[{html_isolated(t)}]</span>' for t in tags or [])
    platform = text_or(item.get("platform"))
    # The platform's colour is the one the charts and the map give it (a hex code, no markup).
    swatch = (f'<span class="wb-platform" style="color:{platform_colour(platform)}">\u25a0</span> '
              if platform else "")
    # Values from the post are bidi-isolated: an override in one must not reverse the others.
    return (f'<div class="wb-item"><small>{escape(when)} · {swatch}{html_isolated(platform)} · '
            f'{html_isolated("@" + str(author))}{marks}{link}</small><br>{html_isolated(text)}</div>')


def filter_options(case: Case, *, max_authors: int = 500) -> dict[str, list[str]]:
    """Values to choose from: platforms, languages, sentiments and the most active authors."""
    db = case.db
    platforms = [p for (p,) in db.execute("SELECT DISTINCT platform FROM items ORDER BY 1") if p]
    languages = [lang for (lang,) in db.execute(
        "SELECT DISTINCT language FROM enrichment WHERE language IS NOT NULL ORDER BY 1")]
    authors = [a for (a,) in db.execute(
        "SELECT author_handle FROM items WHERE author_handle IS NOT NULL GROUP BY author_handle "
        "ORDER BY count(*) DESC, author_handle LIMIT ?", [max_authors])]
    return {"platform": platforms, "language": languages, "sentiment": list(SENTIMENTS),
            "author": authors}


def item_tags(case: Case, uids: list[str]) -> dict[str, list[str]]:
    """The tags of each of these items."""
    if not uids:
        return {}
    marks = ", ".join("?" * len(uids))
    found: dict[str, list[str]] = {}
    for uid, tag in case.db.execute(
            f"SELECT uid, tag FROM tags WHERE uid IN ({marks}) ORDER BY tag", uids):
        found.setdefault(uid, []).append(tag)
    return found


def requirement_options(case: Case, width: int = 60) -> list[tuple[str, int | None]]:
    """The plan's requirements as (label, number) choices, after a "no requirement" choice."""
    options: list[tuple[str, int | None]] = [("(no requirement)", None)]
    for number, text in enumerate(case.plan.requirements, start=1):
        short = text if len(text) <= width else text[:width - 1] + "…"
        options.append((f"{number}. {short}", number))
    return options


class ItemBrowser(w.VBox):
    """Search and filter the case's items, page through them, tag the ones selected and write notes.

    Filter values given here (papermill parameters, say) are the starting filters; values the
    analyst set are remembered, under ``name``, when the cell is re-run.
    """

    def __init__(self, case: Case, *, page_size: int = PAGE_SIZE, tz: str = "UTC", name: str = "items",
                 **filters: Any):
        self.case, self.page_size, self.tz, self.name = case, page_size, tz, name
        self.key = state.case_key(case)
        unknown = set(filters) - {f.name for f in fields(Filters)}
        if unknown:
            raise WorkbenchError(f"item browser: unknown filter(s) {', '.join(sorted(unknown))}",
                                 hint=f"use {', '.join(f.name for f in fields(Filters))}")
        start = state.initial(self.key, name, asdict(Filters()),
                              {k: str(v) for k, v in filters.items() if v is not None})
        options = filter_options(case)
        style = {"description_width": "70px"}
        box = w.Layout(width="250px")
        self.filters: dict[str, w.Widget] = {}
        for field in (f.name for f in fields(Filters)):
            label = {"text": "Search"}.get(field, field.capitalize())
            if field in ("platform", "language", "sentiment"):
                choices = ["", *options[field]]
                if start[field] and start[field] not in choices:
                    choices.append(start[field])
                control = w.Dropdown(options=choices, value=start[field], description=label,
                                     style=style, layout=box)
            elif field == "author":
                control = w.Combobox(options=options["author"], value=start[field], description=label,
                                     ensure_option=False, continuous_update=False, style=style, layout=box)
            else:
                hint = {"text": "words, \"a phrase\", OR, NOT", "since": "YYYY-MM-DD",
                        "until": "YYYY-MM-DD", "entity": "e.g. PERSON:Jane Doe",
                        "place": "part of a place name"}[field]
                control = w.Text(value=start[field], placeholder=hint, description=label,
                                 continuous_update=False, style=style,
                                 layout=w.Layout(width="510px") if field == "text" else box)
            control.add_class(f"wb-filter-{field}")
            control.observe(lambda _: self.refresh(), names="value")
            self.filters[field] = control
        state.bind(self.key, self.name, self.filters)

        self.count = w.HTML()
        self.count.add_class("wb-count")
        self.rows = w.VBox()
        self.rows.add_class("wb-items")
        self.previous = w.Button(description="◀ previous", layout=w.Layout(width="110px"))
        self.next = w.Button(description="next ▶", layout=w.Layout(width="110px"))
        self.page_label = w.Label()
        self.previous.on_click(lambda _: self.show_page(self.page - 1))
        self.next.on_click(lambda _: self.show_page(self.page + 1))

        self.requirement = w.Dropdown(options=requirement_options(case), description="Requirement",
                                      style={"description_width": "90px"}, layout=w.Layout(width="420px"))
        self.tag_name = w.Text(value="evidence", description="Tag", style=style, layout=box)
        self.note = w.Textarea(placeholder="why it matters (kept with the tag), or a note",
                               description="Note", style=style, layout=w.Layout(width="510px"))
        self.tag_button = w.Button(description="Tag selected", button_style="primary")
        self.untag_button = w.Button(description="Untag selected")
        self.note_button = w.Button(description="Add note")
        self.tag_button.on_click(lambda _: self.tag_selected())
        self.untag_button.on_click(lambda _: self.untag_selected())
        self.note_button.on_click(lambda _: self.add_note())
        self.status = w.HTML()
        self.status.add_class("wb-status")

        self.frame = pd.DataFrame()
        self.page = 0
        self.checks: dict[str, w.Checkbox] = {}
        f = self.filters
        super().__init__([
            f["text"], w.HBox([f["since"], f["until"], f["platform"]]),
            w.HBox([f["author"], f["language"], f["sentiment"]]), w.HBox([f["entity"], f["place"]]),
            self.count, self.rows, w.HBox([self.previous, self.page_label, self.next]),
            w.HBox([self.requirement, self.tag_name]), self.note,
            w.HBox([self.tag_button, self.untag_button, self.note_button]), self.status,
        ])
        self.add_class("wb-item-browser")
        self.refresh()

    def current_filters(self) -> Filters:
        """The filters as set in the widget."""
        return Filters(**{name: control.value or "" for name, control in self.filters.items()})

    def set_filters(self, **values: str) -> None:
        """Set some filters at once (one refresh)."""
        self._holding = True
        try:
            for name, value in values.items():
                control = self.filters[name]
                if isinstance(control, w.Dropdown) and value not in control.options:
                    control.options = [*control.options, value]
                control.value = value
        finally:
            self._holding = False
        self.refresh()

    def refresh(self) -> None:
        """Query the items again with the current filters and show the first page."""
        if getattr(self, "_holding", False):
            return
        try:
            self.frame = find_items(self.case, self.current_filters())
        except WorkbenchError as exc:
            self.frame = pd.DataFrame()
            self.count.value = error_message(exc)
            self.rows.children = []
            return
        self.count.value = message(f"{len(self.frame):,} items match")
        self.show_page(0)

    def show_page(self, page: int) -> None:
        """Show one page of the items found."""
        rows, self.page, pages = page_of(self.frame, page, self.page_size)
        uids = rows["uid"].tolist() if not rows.empty else []
        marks = item_tags(self.case, uids)
        ticked = set(self.selected())  # an item ticked stays ticked while it is shown
        self.checks = {}
        children = []
        for item in rows.to_dict("records"):
            check = w.Checkbox(value=item["uid"] in ticked, indent=False, layout=w.Layout(width="24px"))
            self.checks[item["uid"]] = check
            shown = w.HTML(item_html(item, tz=self.tz, tags=marks.get(item["uid"])),
                           layout=w.Layout(width="700px"))
            children.append(w.HBox([check, shown]))
        self.rows.children = children
        self.page_label.value = f"page {self.page + 1} of {pages}"
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= pages - 1

    def shown_uids(self) -> list[str]:
        """The uids of the items on the page shown."""
        return list(self.checks)

    def select(self, uids: list[str]) -> None:
        """Tick these items on the page shown."""
        for uid, check in self.checks.items():
            check.value = uid in uids

    def selected(self) -> list[str]:
        """The uids of the items ticked on the page shown."""
        return [uid for uid, check in self.checks.items() if check.value]

    def tag_selected(self) -> int:
        """Tag the ticked items (with the requirement and note set); audited."""
        return self._change_tags("tag", lambda uids: self.case.tag(
            uids, self.tag_name.value, requirement=self.requirement.value,
            note=self.note.value.strip() or None), lambda n: f"tagged {n} item(s) {self.tag_name.value!r}")

    def untag_selected(self) -> int:
        """Remove the tag from the ticked items; audited."""
        return self._change_tags("untag", lambda uids: self.case.untag(uids, self.tag_name.value),
                                 lambda n: f"untagged {n} item(s)")

    def _change_tags(self, verb: str, change, done) -> int:
        """Apply ``change`` to the ticked uids, saying how it went (``done`` words the count)."""
        uids = self.selected()
        if not uids:
            self.status.value = message(f"tick the items to {verb} first", "error")
            return 0
        try:
            count = change(uids)
        except WorkbenchError as exc:
            self.status.value = error_message(exc)
            return 0
        self.status.value = message(done(count), "ok")
        self.show_page(self.page)
        return count

    def add_note(self) -> list[int]:
        """Write the note on each ticked item (or on the requirement or case when none is
        ticked); audited. Returns the notes' ids."""
        text, uids = self.note.value, self.selected()
        try:
            ids = [self.case.add_note(text, uid=uid, requirement=self.requirement.value)
                   for uid in uids or [None]]
        except WorkbenchError as exc:
            self.status.value = error_message(exc)
            return []
        self.note.value = ""
        self.status.value = message(f"noted on {len(uids)} item(s)" if uids else "noted", "ok")
        return ids
