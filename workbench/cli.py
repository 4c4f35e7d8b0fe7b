"""The ``workbench`` command: parses arguments, calls the library, maps errors to messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from workbench.errors import CaseError, PlanError, WorkbenchError

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="SOCMINT workbench: plan a case, import and collect posts, keep the evidence.",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

CaseDir = Annotated[Path, typer.Argument(help="The case folder, e.g. cases/my-case.")]


def _open(path: Path):
    from workbench.case import Case

    return Case.open(path)


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
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Import exported files into the case: stored as received, mapped, audited."""
    column_map = _parse_map(map_ or [])
    case = _open(case_dir)
    read_any = False
    for path in paths:
        try:
            result = case.import_file(path, format=format, column_map=column_map,
                                      progress=progress and sys.stderr.isatty())
        except WorkbenchError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
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
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or jsonl.")] = "table",
) -> None:
    """List the case's items, filtered."""
    if format not in ("table", "csv", "jsonl"):
        raise typer.BadParameter("choose table, csv or jsonl", param_hint="--format")
    df = _open(case_dir).items(text=text, platform=platform, since=since, until=until,
                               author=author, limit=limit)
    if format == "table":
        table = Table("time (UTC)", "uid", "author", "text")
        for row in df.itertuples():
            when = row.created_at.strftime("%Y-%m-%d %H:%M")
            table.add_row(when, row.uid, row.author_handle or "",
                          (row.text or "").replace("\n", " ")[:100])
        out.print(table)
        out.print(f"{len(df)} items")
        return
    from workbench.export import write_frame

    write_frame(df, sys.stdout, format)


@app.command()
def verify(case_dir: CaseDir) -> None:
    """Recompute every hash; exit 1 naming what was altered or removed."""
    report = _open(case_dir).verify()
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
    case = _open(case_dir)
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
    what: Annotated[str, typer.Option(help="items, authors, media, quarantine, runs or audit.")],
    format: Annotated[str, typer.Option("--format", help="csv, jsonl or parquet.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
) -> None:
    """Export a table of the case."""
    from workbench.export import export as export_table

    rows = export_table(_open(case_dir), what, format, output)
    out.print(f"wrote {rows} {what} to {output}")


@app.command()
def formats() -> None:
    """List the file formats `workbench import` reads."""
    from workbench.collect import formats as known

    table = Table("format", "platform", "what")
    for name, fmt in known().items():
        table.add_row(name, fmt.platform, fmt.title)
    out.print(table)


@app.command()
def demo(
    case_dir: Annotated[Path, typer.Argument(help="Where to build the demo case.")] = Path(
        "cases/demo"),
    posts: Annotated[int, typer.Option(help="How many posts to generate.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 7,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Build the demo case: generate exports in the platforms' formats and import them."""
    from workbench.demo import build_demo

    case, results = build_demo(case_dir, posts=posts, seed=seed,
                               progress=progress and sys.stderr.isatty())
    for result in results:
        out.print(result.summary(), markup=False, highlight=False)
    report = case.verify()
    out.print(report.lines()[-1])
    out.print(f"demo case ready: {case.path.resolve()}")
    out.print(f"try: workbench items {case_dir} --text evacuation --limit 10")


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


if __name__ == "__main__":
    main()
