"""The case report: one self-contained HTML file (and optionally a PDF) under ``<case>/reports/``.

``render_report(case)`` gathers the plan, the evidence the analyst tagged and their notes, key
figures (static SVG), an offline map, the method and its limits and an audit summary, and writes
``<case>/reports/<name>.html``. The page needs no network and runs no script of its own: a
Content-Security-Policy allows only the map's own scripts (by hash), and the map runs in a
sandboxed iframe of its own. Post text is hostile input: the template escapes every value.
"""

from __future__ import annotations

import base64
import hashlib
import numbers
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from workbench import audit, query
from workbench.display import html_isolated
from workbench.errors import WorkbenchError
from workbench.missing import is_missing, text_or
from workbench.report import figures as figs
from workbench.report.method import LIMITS, audit_summary, case_limits, fmt_time, method_section
from workbench.report.pdf import html_to_pdf
from workbench.report.pseudonym import Pseudonymiser
from workbench.report.static_map import static_map
from workbench.report.svg import sanitise_svg
from workbench.store import write

if TYPE_CHECKING:
    from workbench.case import Case

_NAME = re.compile(r"^[A-Za-z0-9][\w.-]{0,99}$")
_WHEN = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]")
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
#: Above this the interactive map is left out (the static map stays): the report must stay small.
MAP_MAX_BYTES = 6_000_000
FIGURE_THREADS = 3
#: Selector and entity types left out of a pseudonymised report: they identify people directly.
IDENTIFYING = {"URL", "EMAIL", "PHONE", "BTC", "ETH", "IP", "PERSON"}


@dataclass
class ReportResult:
    """What :func:`render_report` wrote."""

    html: Path
    pdf: Path | None
    bytes: int
    figures: list[str]
    evidence: int
    requirements: int
    pseudonymised: bool
    sha256: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """The result as plain values (for a notebook or a run's outputs)."""
        return {"html": str(self.html), "pdf": str(self.pdf) if self.pdf else None,
                "bytes": self.bytes, "megabytes": round(self.bytes / 1e6, 2), "figures": self.figures,
                "evidence": self.evidence, "requirements": self.requirements,
                "pseudonymised": self.pseudonymised, "seconds": round(self.seconds, 1),
                "sha256": self.sha256, "notes": self.notes}


def render_report(case: Case, name: str = "report", *, pseudonymise: bool | Pseudonymiser = False,
                  pdf: bool = False, tz: str = "UTC", evidence_tag: str = "evidence", since: Any = None,
                  until: Any = None, interactive_map: bool = True) -> ReportResult:
    """Write ``<case>/reports/<name>.html`` (and ``<name>.pdf`` with ``pdf``); see the module doc.

    ``pseudonymise`` replaces authors (and item uids, @mentions, known handles in text) by keyed
    hashes stable within this report only (or within all that shares the Pseudonymiser given as
    ``pseudonymise``: an evidence package's items), and drops links. ``tz`` is the zone times are
    shown in; ``since``/``until`` limit the items the figures are drawn from (as ``case.items`` does);
    ``evidence_tag`` is the tag whose items are listed as evidence. The rendering is audited as
    ``report.rendered`` with the SHA-256 of every file written.
    """
    started = time.perf_counter()
    _check_name(name)
    _check_zone(tz)
    reports = case.path / "reports"
    reports.mkdir(exist_ok=True)
    context, figure_keys, notes = build_context(case, pseudonymise=pseudonymise, tz=tz,
                                                evidence_tag=evidence_tag, since=since, until=until,
                                                interactive_map=interactive_map)
    page = render_html(context)
    html_path = reports / f"{name}.html"
    _write_atomic(html_path, page.encode("utf-8"))
    written = {html_path.name: hashlib.sha256(page.encode("utf-8")).hexdigest()}
    pdf_path = None
    if pdf:
        pdf_path = html_to_pdf(html_path, reports / f"{name}.pdf")
        written[pdf_path.name] = hashlib.sha256(pdf_path.read_bytes()).hexdigest()
    options = {"pseudonymise": bool(pseudonymise), "pdf": pdf, "tz": tz, "evidence_tag": evidence_tag,
               "since": _plain(since), "until": _plain(until), "interactive_map": interactive_map}
    with write(case.db):
        audit.append(case.db, "report.rendered", {
            "name": name, "options": options, "files": written, "figures": figure_keys,
            "evidence": context["evidence_count"]})
    return ReportResult(html=html_path, pdf=pdf_path, bytes=len(page.encode("utf-8")), figures=figure_keys,
                        evidence=context["evidence_count"], requirements=len(case.plan.requirements),
                        pseudonymised=bool(pseudonymise), sha256=written,
                        seconds=time.perf_counter() - started, notes=notes)


# -- gathering -----------------------------------------------------------------------------------

def build_context(case: Case, *, pseudonymise: bool | Pseudonymiser, tz: str, evidence_tag: str,
                  since: Any, until: Any, interactive_map: bool) -> tuple[dict, list[str], list[str]]:
    """Everything the template shows, as plain values; plus the figure keys and any notes."""
    notes_out: list[str] = []
    everything = case.items()
    items = case.items(since=since, until=until) if since or until else everything
    tags = case.tags(evidence_tag)
    all_tags = case.tags()
    notes = case.notes()
    entities = query.entity_counts(case.db, since=since, until=until)  # counted in SQLite: millions of rows
    located = query.located(items, case.places(best=True))  # case.located_items would read them again
    authors = case.authors()

    pseudo = pseudonymise if isinstance(pseudonymise, Pseudonymiser) else (
        Pseudonymiser() if pseudonymise else None)
    text = pseudo.text if pseudo else _same
    uid_of = pseudo.item if pseudo else _same
    tagged = everything[everything["uid"].isin(set(tags["uid"]))]
    if pseudo:
        pseudo.learn(everything)  # every author's names, so text naming any of them is covered
        shown = pseudo.items(tagged)
        located = pseudo.items(located)
        entities = _pseudonymous_entities(entities, pseudo)
    else:
        shown = tagged

    plan = case.plan
    evidence = _evidence(tags, all_tags, notes, shown.set_index(tagged["uid"].to_numpy()),
                         tagged.set_index("uid")["url"], pseudo, tz)
    for index, entry in enumerate(evidence, start=1):
        entry["index"] = index
    requirements = []
    for number, requirement in enumerate(plan.requirements, start=1):
        requirements.append({
            "number": number, "text": text(str(requirement)),
            "evidence": [e for e in evidence if e["requirement"] == number],
            "notes": [_note(n, text, uid_of, tz) for n in notes.itertuples(index=False)
                      if _int(n.requirement) == number],
        })
    judgements = _judgements(case.judgements(), evidence, set(everything["uid"]), plan.requirements,
                             text, uid_of, tz)
    for requirement in requirements:
        requirement["judgements"] = [j for j in judgements if j["requirement"] == requirement["number"]]
    unassigned = [e for e in evidence if e["requirement"] is None or
                  not 1 <= e["requirement"] <= len(plan.requirements)]
    case_notes = [_note(n, text, uid_of, tz) for n in notes.itertuples(index=False)
                  if _int(n.requirement) is None and not isinstance(n.uid, str)]

    # Figures are computed on the real items, so a shared report finds what the analyst's does;
    # then accounts are named by their pseudonyms. Timeline and sentiment name no account.
    label = pseudo.account if pseudo else str
    jobs = [
        partial(figs.timeline, items, _view_notes(notes, text), tz=tz),
        partial(figs.sentiment, items, tz=tz),
        partial(figs.top_entities, entities),
        partial(figs.top_accounts, items, label=label),
        partial(figs.bursts, items, tz=tz, text=text),
        partial(figs.coordination, items, tz=tz, label=label),
        partial(figs.automation, items, authors, label=label),
        partial(figs.interactions, items, label=label),
        partial(static_map, located),
    ]
    # The figures only read the frames; drawing them (vl-convert) runs outside the GIL, so a few
    # threads overlap the rendering of one with the computing of the next.
    with ThreadPoolExecutor(max_workers=FIGURE_THREADS) as pool:
        pending = [pool.submit(job) for job in jobs]
        map_doc, map_hashes, map_note = (_map_page(located, tz) if interactive_map else
                                         (None, [], "The interactive map was not asked for."))
        figures = [job.result() for job in pending]
    if map_note:
        notes_out.append(map_note)
    verify = case.verify()
    context = {
        "generated": fmt_time(pd.Timestamp.now(tz="UTC"), tz),
        "tz": tz,
        "pseudonymised": pseudo is not None,
        "plan": {
            "id": plan.id, "title": text(plan.title), "analyst": text(plan.analyst or ""),
            "legal_basis": plan.legal_basis, "retention_until": str(plan.retention_until),
            "handling": getattr(plan, "handling", None), "since": _plain(plan.since),
            "until": _plain(plan.until), "keywords": list(plan.keywords),
            "hashtags": list(plan.hashtags), "platforms": list(plan.platforms),
            "accounts": [text(a) for a in plan.accounts] if pseudo is None else
                        [pseudo.account(a) for a in plan.accounts],
        },
        "period": {"since": _plain(since), "until": _plain(until), "items": len(items),
                   "first": fmt_time(items["created_at"].min(), tz) if len(items) else "",
                   "last": fmt_time(items["created_at"].max(), tz) if len(items) else ""},
        "requirements": requirements,
        "judgements": judgements,
        "unassigned": unassigned,
        "case_notes": case_notes,
        "evidence_count": len(evidence),
        "evidence_items": evidence,
        "evidence_tag": evidence_tag,
        "figures": figures,
        "map_doc": map_doc,
        "map_note": map_note,
        "method": method_section(case, text),
        "limits": list(LIMITS) + case_limits(case, items, located),
        "audit": audit_summary(case, verify),
        "csp": _csp(map_hashes),
    }
    shown = [f.key for f in figures if f.svg or f.rows]
    return context, shown + (["map"] if map_doc else []), notes_out


def _evidence(tags: pd.DataFrame, all_tags: pd.DataFrame, notes: pd.DataFrame, items: pd.DataFrame,
              urls: pd.Series, pseudo: Pseudonymiser | None, tz: str) -> list[dict]:
    """One entry per tagged item, oldest first, with provenance, its tags and its notes."""
    from workbench.geo.frame import safe_url

    text = pseudo.text if pseudo else _same
    uid_of = pseudo.item if pseudo else _same
    tags_of: dict[str, set[str]] = {}
    for mark in all_tags.itertuples(index=False):
        tags_of.setdefault(mark.uid, set()).add(mark.tag)
    notes_of: dict[str, list] = {}
    for note in notes.itertuples(index=False):
        if isinstance(note.uid, str):
            notes_of.setdefault(note.uid, []).append(note)
    out = []
    for tag in tags.itertuples(index=False):
        if tag.uid not in items.index:
            continue  # purged since it was tagged
        item = items.loc[tag.uid]
        link = safe_url(urls.get(tag.uid))
        out.append({
            "uid": uid_of(tag.uid), "requirement": _int(tag.requirement), "why": text(tag.note or ""),
            "tagged_at": fmt_time(tag.tagged_at, tz), "tagged_by": tag.tagged_by,
            "link": None if pseudo else link, "link_withheld": pseudo is not None and link is not None,
            "time": fmt_time(item.get("created_at"), tz), "platform": item.get("platform"),
            "author": _author(item), "text": text_or(item.get("text")), "title": text_or(item.get("title")),
            "raw_sha256": text_or(item.get("raw_sha256")), "raw_locator": text_or(item.get("raw_locator")),
            "source": text(text_or(item.get("source"))), "collector": text_or(item.get("collector")),
            "collector_version": text_or(item.get("collector_version")),
            "collected_at": fmt_time(item.get("collected_at"), tz), "run_id": _int(item.get("run_id")),
            "tags": sorted(tags_of.get(tag.uid, ())),
            "notes": [_note(n, text, uid_of, tz) for n in notes_of.get(tag.uid, [])],
            "sort": item.get("created_at"),
        })
    out.sort(key=lambda e: (e["sort"] is None or pd.isna(e["sort"]), e["sort"] if not pd.isna(e["sort"])
                            else pd.Timestamp(0, tz="UTC")))
    return out


def _judgements(judged: pd.DataFrame, evidence: list[dict], in_case: set[str], requirements: list,
                text, uid_of, tz: str) -> list[dict]:
    """The key judgements as the executive summary shows them, each with its requirement, its
    confidence and likelihood, and its evidence linked to the evidence list where it is there."""
    from workbench.annotations import LIKELIHOOD

    listed = {e["uid"]: e for e in evidence}
    out = []
    for number, row in enumerate(judged.itertuples(index=False), start=1):
        requirement = _int(row.requirement)
        cited = []
        for uid in row.evidence:
            entry = listed.get(uid_of(uid))
            cited.append({"uid": uid_of(uid), "index": entry["index"] if entry else None,
                          "what": f"{entry['time']} · {entry['platform']} · {entry['author']}" if entry
                          else ("not in this report's evidence list" if uid in in_case
                                else "no longer in the case (purged)")})
        likelihood = text_or(row.likelihood)
        out.append({
            "number": number, "text": text(row.text), "requirement": requirement,
            "requirement_text": text(str(requirements[requirement - 1]))
            if requirement and 1 <= requirement <= len(requirements) else "",
            "confidence": row.confidence, "likelihood": likelihood,
            "likelihood_range": LIKELIHOOD.get(likelihood, ""), "evidence": cited,
            "author": row.author, "created_at": fmt_time(row.created_at, tz),
        })
    return out


def _author(item: pd.Series) -> str:
    handle, name, ident = (text_or(item.get(c)) for c in ("author_handle", "author_name", "author_id"))
    first = f"@{handle}" if handle else ident or name or "unknown"
    return f"{first} ({name})" if name and name not in (handle, ident, first) else first


def _note(note: Any, text, uid_of, tz: str) -> dict:
    return {"text": text(note.text), "at": fmt_time(note.at, tz) if not pd.isna(note.at) else "",
            "uid": uid_of(note.uid) if isinstance(note.uid, str) else None,
            "created_at": fmt_time(note.created_at, tz), "author": note.author}


def _view_notes(notes: pd.DataFrame, text) -> pd.DataFrame:
    return notes.assign(text=notes["text"].map(text)) if len(notes) else notes


def _pseudonymous_entities(counts: pd.DataFrame, pseudo: Pseudonymiser) -> pd.DataFrame:
    """Entity counts without identifying labels, handles by their pseudonyms, text pseudonymised."""
    kept = counts[~counts["label"].isin(IDENTIFYING)].copy()
    handles = kept["label"] == "HANDLE"
    kept.loc[handles, "name"] = kept.loc[handles, "name"].map(lambda v: "@" + (pseudo.account(v) or ""))
    kept.loc[~handles, "name"] = kept.loc[~handles, "name"].map(pseudo.text)
    # Two names may share a pseudonym: one row, the larger count (a sum counts twice an item
    # that names both).
    return kept.groupby(["label", "name"], as_index=False, sort=False)["items"].max()


def _map_page(located: pd.DataFrame, tz: str) -> tuple[str | None, list[str], str | None]:
    """The offline map as a page for the iframe, the hashes of its scripts, and a note if left out."""
    if located is None or len(located) == 0:
        return None, [], "No located items: no map."
    from workbench.geo.maps import map_items

    try:
        page = map_items(located, tiles=False, tz=tz).get_root().render()
    except WorkbenchError as error:
        return None, [], f"The map could not be drawn: {error}"
    if len(page.encode("utf-8")) > MAP_MAX_BYTES:
        return None, [], (f"The interactive map ({len(page) / 1e6:.1f} MB) was left out to keep the "
                          "report small; the static map shows the same places.")
    hashes = [base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
              for body in _SCRIPT.findall(page)]
    return page, hashes, None


def _csp(script_hashes: list[str]) -> str:
    """No network, no script of the page's own: only the map's scripts, by hash (the map's iframe
    inherits this policy, so its scripts are allowed by their exact content and nothing else)."""
    scripts = " ".join(f"'sha256-{h}'" for h in script_hashes) or "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; "
            "font-src data:; base-uri 'none'; form-action 'none'")


# -- writing -------------------------------------------------------------------------------------

def render_html(context: dict) -> str:
    """The report page from its context (Jinja2, autoescaped; the figures' SVG is sanitised)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    env = Environment(loader=PackageLoader("workbench.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      finalize=lambda value: "" if is_missing(value) else value)
    env.filters["svg"] = lambda svg: Markup(sanitise_svg(svg)) if svg else ""
    env.filters["count"] = _count
    # Text from posts and profiles: escaped and bidi-isolated, so an override cannot run past it.
    env.filters["bidi"] = lambda value: "" if is_missing(value) else Markup(html_isolated(value))
    env.tests["count"] = _is_count
    env.filters["when"] = lambda value: _when_cell(value, Markup)
    env.tests["when"] = lambda value: isinstance(value, str) and _WHEN.match(value) is not None
    return env.get_template("report.html.j2").render(**context)


def _is_count(value: Any) -> bool:
    """Whether a table cell holds a number (set right-aligned and never broken)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _count(value: Any) -> str:
    """A number as the report writes it: thousands separated; anything else as it is."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and not pd.isna(value):
        return f"{float(value):,g}" if abs(value) < 1e6 else f"{float(value):,.0f}"
    return "" if value is None else str(value)


def _when_cell(value: str, markup) -> Any:
    """A time cell whose date never breaks at its hyphens (the rest wraps at spaces)."""
    date, _, rest = value.partition(" ")
    return markup('<span class="nobr">{}</span> {}').format(date, rest)


def _write_atomic(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith((".html", ".pdf")):
        raise WorkbenchError(f"report name {name!r}: use letters, digits, '.', '-' or '_' (no extension)",
                             hint='for example name="report" or name="2024-03-weekly"')


def _check_zone(tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise WorkbenchError(f"unknown time zone {tz!r}",
                             hint='use an IANA zone name such as "UTC" or "Europe/Amsterdam"') from error


def _int(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value)


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    return str(value)


def _same(value: Any) -> Any:
    return value


