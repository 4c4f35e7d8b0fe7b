"""The ``workbench`` command: parses arguments, calls the library, maps errors to messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from workbench import cli_analyst, cli_archive, cli_capture, cli_evidence, cli_live, cli_phases
from workbench.cli_common import CaseDir, case_at, err, out
from workbench.display import isolate
from workbench.errors import CaseError, PlanError, UsageError, WorkbenchError
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
    dayfirst: Annotated[bool | None, typer.Option(
        "--dayfirst/--monthfirst", help="How numeric dates such as 03/04/2024 are written; by "
        "default as the time column shows (15/03/2024 is day-first), else month-first with '/' "
        "and day-first with '.' or '-'.")] = None,
    time_format: Annotated[str | None, typer.Option(
        help="The strptime format of the time column, e.g. '%d/%m/%Y %H:%M'.")] = None,
    max_file_size: Annotated[str | None, typer.Option(
        help="Largest file read whole into memory, e.g. 4G (default 2G); CSV and JSON Lines "
        "are streamed at any size.")] = None,
    max_member_size: Annotated[str | None, typer.Option(
        help="Largest archive member inflated, e.g. 2G (default 1G).")] = None,
    max_field_size: Annotated[str | None, typer.Option(
        help="Longest CSV field, or line of CSV or JSON Lines, e.g. 256M (default 64M).")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Import exported files into the case: stored as received, mapped, audited."""
    column_map = _parse_map(map_ or [])
    if time_format is not None and dayfirst is not None:
        raise typer.BadParameter("give --time-format or --dayfirst/--monthfirst, not both",
                                 param_hint="--time-format")
    sizes = _parse_sizes(file_size=max_file_size, member_size=max_member_size,
                         field_size=max_field_size)
    case = case_at(case_dir)
    read_any = misused = False
    for path in paths:
        try:
            result = case.import_file(path, format=format, column_map=column_map,
                                      encoding=encoding, dayfirst=dayfirst,
                                      time_format=time_format, **sizes,
                                      progress=progress and sys.stderr.isatty())
        except WorkbenchError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            misused = misused or isinstance(exc, UsageError)  # the other files still go in
            continue
        except Exception as exc:  # noqa: BLE001 - one file's unforeseen failure spares the others
            err.print(f"error: {path}: {type(exc).__name__}: {exc} (the batches written before it "
                      "are kept and its run is marked failed; please report this)",
                      markup=False, highlight=False)
            continue
        read_any = read_any or result.read_anything
        out.print(result.summary(), markup=False, highlight=False)
    if misused:
        raise typer.Exit(2)
    if not read_any:
        raise typer.Exit(1)


def _parse_sizes(**sizes: str | None) -> dict[str, int]:
    """The size caps given, in bytes, by their keyword in Case.import_file; a bad one is a usage
    error."""
    from workbench.collect.limits import OPTIONS, parse_size

    parsed = {}
    for cap, text in sizes.items():
        if text is not None:
            try:
                parsed[f"max_{cap}"] = parse_size(text, option=OPTIONS[cap])
            except WorkbenchError as exc:
                raise typer.BadParameter(exc.message, param_hint=OPTIONS[cap]) from None
    return parsed


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
            # Post text and handles are bidi-isolated (an override must not reverse the next
            # columns) and plain Text (a "[bold]" in a post is text, not console markup).
            table.add_row(when, Text(isolate(row.uid)), Text(isolate(text_or(row.author_handle))),
                          text_or(row.language), risk,
                          Text(isolate(text_or(row.text).replace("\n", " ")[:100])))
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

    case = case_at(case_dir)
    df = resolve(case.entities(label=label)).head(top)
    if label and df.empty:
        held = [row[0] for row in case.db.execute("SELECT DISTINCT label FROM entities ORDER BY 1")]
        if label not in held:  # a misspelt label would otherwise list nothing, silently
            raise UsageError(f"no entity in this case is labelled {label!r}",
                             hint=f"labels here: {', '.join(held) or 'none (run workbench enrich)'}")
    if format == "table":
        table = Table("label", "value", "items", "mentions", "variants")
        for row in df.itertuples():
            table.add_row(row.label, Text(isolate(row.value)), str(row.items), str(row.mentions),
                          Text(", ".join(isolate(v) for v in row.variants[:5])))
        out.print(table)
        return
    from workbench.export import write_frame

    write_frame(df, sys.stdout, format)


app.command()(cli_analyst.terms)
app.command()(cli_analyst.judge)
app.command()(cli_evidence.verify)  # with timestamp and package (registered below)


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
                                        "or graphml (network, coordination: for Gephi); for "
                                        "partner teams, stix (STIX 2.1) or misp (a MISP event) of "
                                        "entities or coordination, kml of places.")],
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
    if format in ("stix", "misp", "kml"):
        unit.update(entities="selectors", places="placemarks", items="placemarks")
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
app.command()(cli_capture.capture)
app.command()(cli_archive.archive)
app.command(cls=cli_phases.RunCommand)(cli_phases.run)
app.command()(cli_phases.demo)
app.command()(cli_evidence.timestamp)
app.command()(cli_evidence.package)


def main() -> None:
    """Entry point: user mistakes get one line and an exit code, never a traceback."""
    try:
        app()
    except (PlanError, CaseError, UsageError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except WorkbenchError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
