"""The ``workbench`` command: parses arguments, calls the library, maps errors to messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workbench import cli_live, cli_phases
from workbench.cli_common import CaseDir, case_at, err, out
from workbench.errors import CaseError, PlanError, WorkbenchError
from workbench.missing import is_missing, text_or

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="SOCMINT workbench: plan a case, import and collect posts, keep the evidence.",
)
@app.command()
def new(
    case_dir: CaseDir,
    title: Annotated[str, typer.Option(help="What the case is about.")],
    legal_basis: Annotated[str, typer.Option(help="The legal basis for collecting (required).")],
    retention_until: Annotated[str, typer.Option(help="Keep data until this date (YYYY-MM-DD).")],
    analyst: Annotated[str | None, typer.Option(help="Who works the case.")] = None,
    requirement: Annotated[list[str] | None, typer.Option(help="A question the case must answer.")] = None,
    keyword: Annotated[list[str] | None, typer.Option(help="A keyword to collect on.")] = None,
    hashtag: Annotated[list[str] | None, typer.Option(help="A hashtag to collect on.")] = None,
    account: Annotated[list[str] | None, typer.Option(help="An account of interest.")] = None,
    platform: Annotated[list[str] | None, typer.Option(help="A platform in scope.")] = None,
    country: Annotated[list[str] | None, typer.Option(help="A country of interest (ISO code).")] = None,
    since: Annotated[str | None, typer.Option(help="Start of the period of interest.")] = None,
    until: Annotated[str | None, typer.Option(help="End of the period of interest.")] = None,
    handling: Annotated[str, typer.Option(help="Handling: public, internal, restricted, "
                                          "confidential or secret.")] = "internal",
) -> None:
    """Create a case folder with its plan (case.yaml)."""
    from workbench.case import Case

    case = Case.create(
        case_dir, title=title, legal_basis=legal_basis, retention_until=retention_until,
        analyst=analyst, requirements=requirement or [], keywords=keyword or [],
        hashtags=hashtag or [], accounts=account or [], platforms=platform or [],
        countries=country or [], since=since, until=until, handling=handling,
    )
    out.print(f"created case {case.plan.id} in {case.path}")


@app.command("import")
def import_(
    case_dir: CaseDir,
    paths: Annotated[list[Path], typer.Argument(help="Exported files, or export folders "
                                                 "(Telegram, Mastodon archive).")],
    format: Annotated[str, typer.Option("--format", "-f", help="A format name, or auto to "
                                        "recognise it; see `workbench formats`.")] = "auto",
    map_: Annotated[list[str] | None, typer.Option("--map", help="field=column for generic "
                                                   "files, e.g. --map text=body.")] = None,
    encoding: Annotated[str | None, typer.Option(
        help="The encoding of lines that are not UTF-8, e.g. cp1251; by default it is detected "
        "from the file's start (else Windows-1252).")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Import exported files into the case: stored as received, mapped, audited."""
    column_map = _parse_map(map_ or [])
    case = case_at(case_dir)
    read_any = False
    for path in paths:
        try:
            result = case.import_file(path, format=format, column_map=column_map,
                                      encoding=encoding, progress=progress and sys.stderr.isatty())
        except WorkbenchError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            continue
        except Exception as exc:  # noqa: BLE001 - one file's unforeseen failure spares the others
            err.print(f"error: {path}: {type(exc).__name__}: {exc} (the batches written before it "
                      "are kept and its run is marked failed; please report this)",
                      markup=False, highlight=False)
            continue
        read_any = read_any or result.read_anything
        out.print(result.summary(), markup=False, highlight=False)
    if not read_any:
        raise typer.Exit(1)


def _parse_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise typer.BadParameter(f"{pair!r}: expected field=column", param_hint="--map")
        mapping[field.strip()] = column.strip()
    return mapping


@app.command()
def items(
    case_dir: CaseDir,
    text: Annotated[str | None, typer.Option(help="Full-text query.")] = None,
    platform: Annotated[str | None, typer.Option(help="Only this platform.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date or time (UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date (inclusive) or time.")] = None,
    author: Annotated[str | None, typer.Option(help="Handle or account id.")] = None,
    language: Annotated[str | None, typer.Option(help="Language code (after enrich).")] = None,
    sentiment: Annotated[str | None, typer.Option(help="positive, negative, neutral or unscored "
                                                  "(after enrich).")] = None,
    min_risk: Annotated[float | None, typer.Option(help="Risk score at least this (0-100).")] = None,
    entity: Annotated[str | None, typer.Option(help="Mentions this entity: @handle, #tag, phone, "
                                               "domain, name, or LABEL:value.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or jsonl.")] = "table",
) -> None:
    """List the case's items, filtered."""
    if format not in ("table", "csv", "jsonl"):
        raise typer.BadParameter("choose table, csv or jsonl", param_hint="--format")
    df = case_at(case_dir).items(text=text, platform=platform, since=since, until=until,
                               author=author, language=language, sentiment=sentiment,
                               min_risk=min_risk, entity=entity, limit=limit)
    if format == "table":
        table = Table("time (UTC)", "uid", "author", "lang", "risk", "text")
        for row in df.itertuples():
            when = "" if is_missing(row.created_at) else row.created_at.strftime("%Y-%m-%d %H:%M")
            risk = "" if is_missing(row.risk) else f"{row.risk:.0f}"
            table.add_row(when, row.uid, text_or(row.author_handle), text_or(row.language), risk,
                          text_or(row.text).replace("\n", " ")[:100])
        out.print(table)
        out.print(f"{len(df)} items")
        return
    from workbench.export import write_frame

    write_frame(df, sys.stdout, format)


@app.command()
def enrich(
    case_dir: CaseDir,
    scheduler: Annotated[str | None, typer.Option(help="A Dask scheduler address, or 'local' "
                                                  "for a local cluster.")] = None,
    processes: Annotated[int, typer.Option("--processes", "-n", help="Worker processes (or "
                                           "local Dask workers).")] = 1,
    ner: Annotated[bool, typer.Option(help="Named entities with the plan's spaCy pipelines.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Find entities, language, sentiment, watch-term hits and risk for new and changed items."""
    import warnings

    from workbench.enrich import enrich as run

    case = case_at(case_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run(case, n_process=processes, scheduler=scheduler, ner=ner,
                     progress=progress and sys.stderr.isatty())
    for warning in caught:
        err.print(f"warning: {warning.message}", markup=False, highlight=False)
    out.print(str(result), markup=False, highlight=False)


@app.command()
def locate(
    case_dir: CaseDir,
    online: Annotated[str | None, typer.Option(help="Also ask an online geocoder for names the "
                                               "bundled gazetteer lacks: 'nominatim'. Off by "
                                               "default.")] = None,
    user_agent: Annotated[str | None, typer.Option(help="Who is asking, for the online "
                                                   "geocoder's operators: your application "
                                                   "and contact.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Find where items are from and which places they name: geotags, place boxes, photos' EXIF,
    coordinates and place names in the text, profile locations."""
    case = case_at(case_dir)
    service = None
    if online:
        if online != "nominatim":
            raise typer.BadParameter("the online geocoder offered is 'nominatim'",
                                     param_hint="--online")
        from workbench.geo.online import nominatim

        service = nominatim(case.db, user_agent=user_agent or "")
    result = case.locate(online=service, progress=progress and sys.stderr.isatty())
    out.print(str(result), markup=False, highlight=False)


@app.command(name="map")
def map_(
    case_dir: CaseDir,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
    every_place: Annotated[bool, typer.Option(help="Every candidate place, not only each item's "
                                              "best guess.")] = False,
    tiles: Annotated[str | None, typer.Option(help="A tile URL template ({z}/{x}/{y}); 'none' for "
                                              "the bundled country outlines only.")] = None,
    attribution: Annotated[str | None, typer.Option(help="The tiles' attribution.")] = None,
    layers_by: Annotated[str, typer.Option(help="Layers per platform, sentiment or "
                                           "place_method.")] = "place_method",
) -> None:
    """Write a map of the located items: an HTML file that opens with no network."""
    from workbench.geo.maps import map_items, save_map

    case = case_at(case_dir)
    df = case.located_items(every_place=every_place)
    if df.empty:
        raise WorkbenchError("no item has a location yet", hint=f"run: workbench locate {case_dir}")
    chosen_tiles = False if tiles == "none" else tiles
    save_map(map_items(df, tiles=chosen_tiles, attribution=attribution, layers_by=layers_by), output)
    out.print(f"wrote a map of {len(df)} located items to {output}", markup=False, highlight=False)


@app.command()
def entities(
    case_dir: CaseDir,
    label: Annotated[str | None, typer.Option(help="Only this label: HANDLE, HASHTAG, URL, "
                                              "DOMAIN, EMAIL, PHONE, BTC, ETH, IP, COORD, "
                                              "PERSON, ORG, GPE, PLACE, ...")] = None,
    top: Annotated[int, typer.Option(help="Show this many.")] = 30,
    format: Annotated[str, typer.Option("--format", help="table, csv or jsonl.")] = "table",
) -> None:
    """The case's entities, resolved (variants counted as one), most widespread first."""
    if format not in ("table", "csv", "jsonl"):
        raise typer.BadParameter("choose table, csv or jsonl", param_hint="--format")
    from workbench.enrich.resolve import resolve

    df = resolve(case_at(case_dir).entities(label=label)).head(top)
    if format == "table":
        table = Table("label", "value", "items", "mentions", "variants")
        for row in df.itertuples():
            table.add_row(row.label, row.value, str(row.items), str(row.mentions),
                          ", ".join(row.variants[:5]))
        out.print(table)
        return
    from workbench.export import write_frame

    write_frame(df, sys.stdout, format)


@app.command()
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


@app.command()
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


@app.command()
def verify(case_dir: CaseDir) -> None:
    """Recompute every hash; exit 1 naming what was altered or removed."""
    report = case_at(case_dir).verify()
    for line in report.lines():
        (out if not line.startswith("PROBLEM") else err).print(line, markup=False,
                                                                highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def purge(
    case_dir: CaseDir,
    before: Annotated[str | None, typer.Option(help="Destroy items posted before this date.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Destroy every item.")] = False,
    item: Annotated[list[str] | None, typer.Option(help="Destroy this item (uid).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why, for the destruction record.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Destroy items with their raw payloads and media, and record the destruction."""
    case = case_at(case_dir)
    if not yes:
        if not sys.stdin.isatty():
            raise typer.BadParameter("purge destroys evidence: confirm with --yes",
                                     param_hint="--yes")
        typer.confirm("This destroys items and their evidence for good. Go on?", abort=True)
    result = case.purge(before=before, all=all_, items=item, reason=reason)
    out.print(result.summary())


@app.command()
def export(
    case_dir: CaseDir,
    what: Annotated[str, typer.Option(help="items, authors, media, entities, places, "
                                      "watch_terms, quarantine, runs, audit, network (the "
                                      "accounts' mentions, replies, reposts and quotes) or "
                                      "coordination (co-repost, co-link, co-hashtag, co-reply, "
                                      "co-similar text within 60 s).")],
    format: Annotated[str, typer.Option("--format", help="csv, jsonl, parquet; geojson (items "
                                        "or places: each located item at its best place); gexf "
                                        "or graphml (network, coordination: for Gephi).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    kind: Annotated[list[str] | None, typer.Option(
        help="coordination: only this kind (co_repost, co_link, co_hashtag, co_reply, co_text, "
        "co_similar); repeat for several. Default: every kind.")] = None,
    raw_cells: Annotated[bool, typer.Option(
        "--raw-cells", help="CSV: write cells that start with = + - @ as they are. By default "
        "they get a leading ' so that a spreadsheet shows them instead of running them as "
        "formulas.")] = False,
) -> None:
    """Export a table of the case."""
    from workbench.export import export as export_table

    rows = export_table(case_at(case_dir), what, format, output, kinds=kind,
                        raw_cells=raw_cells)
    unit = {"network": "edges of the network", "coordination": "coordinated account pairs"}
    out.print(f"wrote {rows} {unit.get(what, what)} to {output}")


@app.command()
def formats() -> None:
    """List the file formats `workbench import` reads."""
    from workbench.collect import formats as known

    table = Table("format", "platform", "what")
    for name, fmt in known().items():
        table.add_row(name, fmt.platform, fmt.title)
    out.print(table)


# The verbs of the live sources and of the phase runs, defined in their own modules.
app.command()(cli_live.collect)
app.command()(cli_live.watch)
app.command()(cli_live.media)
app.command(cls=cli_phases.RunCommand)(cli_phases.run)
app.command()(cli_phases.demo)


def main() -> None:
    """Entry point: user mistakes get one line and an exit code, never a traceback."""
    try:
        app()
    except (PlanError, CaseError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except WorkbenchError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)


# The verbs of the live sources and of the phase runs live in their own modules, which add them
# to `app` when imported (after everything they use from here is defined).
from workbench import cli_live, cli_phases  # noqa: E402, F401

if __name__ == "__main__":
    main()
