"""The ``terms`` and ``judge`` verbs of the ``workbench`` command: what the analyst brings to a
case, a watch list and key judgements (registered by :mod:`workbench.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workbench.cli_common import CaseDir, case_at, err, out


def terms(
    case_dir: CaseDir,
    add: Annotated[list[Path] | None, typer.Option(help="A watch-list file (YAML or CSV: term, "
                                                   "kind, category, weight, note).")] = None,
    term: Annotated[list[str] | None, typer.Option(help="A term to watch.")] = None,
    kind: Annotated[str, typer.Option(help="For --term: term, phrase, regex, hashtag or "
                                      "account.")] = "term",
    category: Annotated[str, typer.Option(help="For --term: its category.")] = "watch",
    weight: Annotated[float, typer.Option(help="For --term: its weight, 0 to 10.")] = 1.0,
    remove: Annotated[list[str] | None, typer.Option(help="Stop watching this term.")] = None,
) -> None:
    """Show or change the case's watch list (the plan's keywords, hashtags and accounts are
    always watched too)."""
    from workbench.enrich.watch import WatchTerm, plan_terms
    from workbench.enrich.watchfile import load_terms
    from workbench.enrich.watchlist import add_terms, remove_terms, stored_terms

    case = case_at(case_dir)
    new = [t for path in add or [] for t in load_terms(path)]
    try:
        new += [WatchTerm(term=t, kind=kind, category=category, weight=weight) for t in term or []]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--term") from exc
    if new:
        out.print(f"{add_terms(case, new)} terms added or changed")
    if remove:
        out.print(f"{remove_terms(case, terms=remove)} terms removed")
    table = Table("term", "kind", "category", "weight", "from")
    for t in plan_terms(case.plan):
        table.add_row(t.term, t.kind, t.category, f"{t.weight:g}", "plan")
    for t in stored_terms(case):
        table.add_row(t.term, t.kind, t.category, f"{t.weight:g}", "watch list")
    out.print(table)


def judge(
    case_dir: CaseDir,
    text: Annotated[str | None, typer.Argument(help="The judgement, as the report's executive "
                                               "summary shows it; none lists the judgements.")] = None,
    requirement: Annotated[int | None, typer.Option(help="The number of the plan's requirement it "
                                                    "answers (from 1).")] = None,
    confidence: Annotated[str | None, typer.Option(help="Analytic confidence: low, moderate or "
                                                   "high.")] = None,
    likelihood: Annotated[str | None, typer.Option(help="How likely, in the PHIA yardstick's words: "
                                                   "remote chance, highly unlikely, unlikely, "
                                                   "realistic possibility, likely, highly likely, "
                                                   "almost certain.")] = None,
    evidence: Annotated[list[str] | None, typer.Option(help="An item uid it rests on (tagged as "
                                                       "evidence if it is not yet).")] = None,
    remove: Annotated[int | None, typer.Option(help="Withdraw the judgement with this id.")] = None,
) -> None:
    """Write a key judgement for the report's executive summary (audited), or list them."""
    case = case_at(case_dir)
    if remove is not None:
        if not case.remove_judgement(remove):
            raise typer.BadParameter(f"no judgement {remove}", param_hint="--remove")
        out.print(f"judgement {remove} withdrawn")
        return
    if text is not None:
        if requirement is None or confidence is None:
            raise typer.BadParameter("a judgement needs --requirement N and --confidence "
                                     "low|moderate|high", param_hint="--requirement/--confidence")
        from workbench.annotations import AnnotationError

        try:
            made = case.judge(text, requirement=requirement, confidence=confidence,
                              likelihood=likelihood, evidence=evidence or [])
        except AnnotationError as exc:  # a requirement, confidence or item that is not there
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(2) from exc
        row = case.judgements().set_index("id").loc[made]
        out.print(f"judgement {made} recorded: requirement {row['requirement']}, {row['confidence']} "
                  f"confidence{', ' + row['likelihood'] if row['likelihood'] else ''}, "
                  f"{len(row['evidence'])} evidence item(s): {row['text']}", markup=False, highlight=False)
        return
    judged = case.judgements()
    if judged.empty:
        out.print("no key judgements yet: the report's executive summary says so")
    for row in judged.itertuples(index=False):  # the analyst's words as written, never markup
        out.print(f"{row.id}. requirement {row.requirement} · {row.confidence} confidence"
                  + (f" · {row.likelihood}" if row.likelihood else ""), markup=False, highlight=False)
        out.print(f"   {row.text}", markup=False, highlight=False)
        out.print(f"   evidence: {', '.join(row.evidence) or 'none cited'}", markup=False, highlight=False)
