"""The ``workbench`` command: parses arguments, calls the library, maps errors to messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand, TyperOption

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


# The query options of the live sources, shared by `collect` and `watch`.
Instance = Annotated[str | None, typer.Option(help="Mastodon: the instance's URL, e.g. "
                                              "https://mastodon.social.")]
Hashtag = Annotated[str | None, typer.Option(help="Mastodon: a hashtag's timeline.")]
Account = Annotated[str | None, typer.Option(help="Mastodon: an account's statuses (user@domain).")]
Timeline = Annotated[str | None, typer.Option(help="Mastodon: the public or local timeline.")]
Query = Annotated[str | None, typer.Option(help="Bluesky: a search (searchPosts).")]
Author = Annotated[str | None, typer.Option(help="Bluesky: an author's feed (handle).")]
Thread = Annotated[str | None, typer.Option(help="Bluesky: a thread (the post's at:// uri).")]
BaseUrl = Annotated[str | None, typer.Option(help="Bluesky: the service's URL (default: bsky.social "
                                             "with a login, else the public AppView).")]
Subreddit = Annotated[str | None, typer.Option(help="Reddit: a subreddit's listing (or where to "
                                               "--search).")]
Search = Annotated[str | None, typer.Option(help="Reddit: a search (in --subreddit, or all).")]
Submission = Annotated[str | None, typer.Option(help="Reddit: a submission and its comments (id).")]
Listing = Annotated[str, typer.Option(help="Reddit: new or top.")]
Url = Annotated[list[str] | None, typer.Option("--url", help="Feed: an RSS or Atom feed's URL "
                                               "(repeatable).")]
Articles = Annotated[bool, typer.Option(help="Feed: also fetch each new entry's page and extract "
                                        "its text.")]
MaxWait = Annotated[float, typer.Option(help="Wait at most this many seconds for rate limits; past "
                                        "it, stop and say when to resume.")]
SOURCE_HELP = "The live source: mastodon, bluesky, reddit or feed."


@app.command()
def collect(
    case_dir: CaseDir,
    source: Annotated[str, typer.Argument(help=SOURCE_HELP)],
    instance: Instance = None, hashtag: Hashtag = None, account: Account = None,
    timeline: Timeline = None, query: Query = None, author: Author = None, thread: Thread = None,
    base_url: BaseUrl = None, subreddit: Subreddit = None, search: Search = None,
    submission: Submission = None, listing: Listing = "new", url: Url = None,
    articles: Articles = False,
    limit: Annotated[int | None, typer.Option(help="Stop after this many posts per query.")] = None,
    max_wait: MaxWait = 60.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Collect live posts into the case, resuming where the last run stopped. With no query
    option, collects the plan's hashtags, keywords and accounts. Secrets come from the environment
    only: WORKBENCH_MASTODON_TOKEN; WORKBENCH_BLUESKY_HANDLE and WORKBENCH_BLUESKY_APP_PASSWORD;
    WORKBENCH_REDDIT_CLIENT_ID, WORKBENCH_REDDIT_CLIENT_SECRET and WORKBENCH_REDDIT_USER_AGENT."""
    from workbench.collect.live.sources import build_collectors, run_collector

    case = _open(case_dir)
    collectors = build_collectors(
        case, source, instance=instance, hashtag=hashtag, account=account, timeline=timeline,
        query=query, author=author, thread=thread, base_url=base_url, subreddit=subreddit,
        search=search, submission=submission, listing=listing, url=url, articles=articles)
    for collector in collectors:
        result = run_collector(case, collector, limit=limit, max_wait=max_wait,
                               progress=progress and sys.stderr.isatty())
        out.print(result.summary(), markup=False, highlight=False)


@app.command()
def watch(
    case_dir: CaseDir,
    source: Annotated[str, typer.Argument(help=SOURCE_HELP)],
    every: Annotated[str, typer.Option(help="How often: 30s, 15m, 1h, ...")] = "15m",
    rounds: Annotated[int | None, typer.Option(help="Stop after this many rounds.")] = None,
    webhook: Annotated[str | None, typer.Option(help="POST each alert as JSON here (or set "
                                                "WORKBENCH_WATCH_WEBHOOK).")] = None,
    instance: Instance = None, hashtag: Hashtag = None, account: Account = None,
    timeline: Timeline = None, query: Query = None, author: Author = None, thread: Thread = None,
    base_url: BaseUrl = None, subreddit: Subreddit = None, search: Search = None,
    submission: Submission = None, listing: Listing = "new", url: Url = None,
    max_wait: MaxWait = 60.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Collect again and again, and after each round record alerts (watch-term hits, bursts) in
    the case. Ctrl-C stops; running it again resumes with nothing missed."""
    from workbench.collect.live.sources import build_collectors
    from workbench.collect.watch import watch_command

    case = _open(case_dir)
    options = dict(instance=instance, hashtag=hashtag, account=account, timeline=timeline,
                   query=query, author=author, thread=thread, base_url=base_url,
                   subreddit=subreddit, search=search, submission=submission, listing=listing,
                   url=url)
    build_collectors(case, source, **options)  # a usage error shows before the first round
    watch_command(case, lambda: build_collectors(case, source, **options), every, rounds, webhook,
                  progress=progress and sys.stderr.isatty())


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
    df = _open(case_dir).items(text=text, platform=platform, since=since, until=until,
                               author=author, language=language, sentiment=sentiment,
                               min_risk=min_risk, entity=entity, limit=limit)
    if format == "table":
        table = Table("time (UTC)", "uid", "author", "lang", "risk", "text")
        for row in df.itertuples():
            when = row.created_at.strftime("%Y-%m-%d %H:%M")
            risk = "" if row.risk != row.risk or row.risk is None else f"{row.risk:.0f}"
            table.add_row(when, row.uid, row.author_handle or "", row.language or "", risk,
                          (row.text or "").replace("\n", " ")[:100])
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

    case = _open(case_dir)
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
    case = _open(case_dir)
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

    case = _open(case_dir)
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

    df = resolve(_open(case_dir).entities(label=label)).head(top)
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

    case = _open(case_dir)
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
    what: Annotated[str, typer.Option(help="items, authors, media, entities, places, "
                                      "watch_terms, quarantine, runs, audit, network (the "
                                      "accounts' mentions, replies, reposts and quotes) or "
                                      "coordination (co-repost, co-link, co-hashtag, co-reply, "
                                      "co-similar text within 60 s).")],
    format: Annotated[str, typer.Option("--format", help="csv, jsonl, parquet; geojson (items "
                                        "or places: each located item at its best place); gexf "
                                        "or graphml (network, coordination: for Gephi).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
) -> None:
    """Export a table of the case."""
    from workbench.export import export as export_table

    rows = export_table(_open(case_dir), what, format, output)
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


class _PairOption(TyperOption):
    """An option taking a name and a value, as papermill's ``-p NAME VALUE`` does (Typer's list
    options hold single values only)."""

    def process_value(self, ctx, value):
        return [(str(name), str(text)) for name, text in value or ()]


class _RunCommand(TyperCommand):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.name == "parameter":
                param.__class__ = _PairOption
                param.nargs = 2


@app.command(cls=_RunCommand)
def run(
    case_dir: CaseDir,
    phase: Annotated[list[str] | None, typer.Option(help="Run only this phase: planning, "
                                                    "collection, analysis or reporting "
                                                    "(repeat for more; they run in that "
                                                    "order). Default: all.")] = None,
    parameter: Annotated[list[str] | None, typer.Option(
        "--parameter", "-p", metavar="NAME VALUE",
        help="A template parameter, e.g. -p top_n 30 (repeat for more; lists and mappings "
        "as YAML or JSON); see templates/README.md.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar per phase.")] = True,
    kernel: Annotated[str | None, typer.Option(help="The Jupyter kernel to run them with "
                                               "(default: the templates' own, python3).")] = None,
) -> None:
    """Run the phase templates (papermill) into DIR/runs/<UTC time>/ and record the run in the
    audit log; exit 1 naming the notebook and cell when a cell fails."""
    from workbench.report.parameters import RunUsageError
    from workbench.report.run import run_phases

    try:
        result = run_phases(case_dir, phase or None, dict(parameter or []),
                            progress=progress and sys.stderr.isatty(), kernel_name=kernel)
    except RunUsageError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted: the partial notebook is kept in the run folder", markup=False)
        raise typer.Exit(130) from None
    _print_run(result)


def _print_run(result) -> None:
    out.print(result.summary(), markup=False, highlight=False)
    out.print(f"run folder: {result.run_dir}", markup=False, highlight=False)
    if result.report is not None:
        out.print(f"report (opens offline): {result.report}", markup=False, highlight=False)


@app.command()
def demo(
    case_dir: Annotated[Path, typer.Argument(help="Where to build the demo case.")] = Path(
        "cases/demo"),
    posts: Annotated[int, typer.Option(help="How many posts to generate.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 7,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    phases: Annotated[bool, typer.Option(help="Then run the four phase templates (planning, "
                                         "collection, analysis, reporting).")] = True,
) -> None:
    """Build the demo case: generate exports in the platforms' formats, import, enrich and
    locate them, map them, then run the phase templates and print the report's path."""
    import warnings

    from workbench.demo import build_demo
    from workbench.enrich.pipeline import MissingModelWarning

    show = progress and sys.stderr.isatty()
    case, results = build_demo(case_dir, posts=posts, seed=seed, progress=show)
    for result in results:
        out.print(result.summary(), markup=False, highlight=False)
    with warnings.catch_warnings():
        # The demo works without a trained pipeline; `workbench enrich` says how to add one.
        warnings.simplefilter("ignore", MissingModelWarning)
        enriched = case.enrich(progress=show)
    out.print(f"enriched: {enriched}", markup=False, highlight=False)
    out.print(f"located: {case.locate(progress=show)}", markup=False, highlight=False)
    from workbench.demo.evidence import tag_demo_evidence

    out.print(f"tagged as evidence: {tag_demo_evidence(case)} items (as an analyst would)")
    from workbench.geo.maps import map_items, save_map

    saved = save_map(map_items(case.located_items(), layers_by="place_method"),
                     case.path / "reports" / "map.html")
    report = case.verify()
    out.print(report.lines()[-1])
    out.print(f"demo case ready: {case.path.resolve()}")
    out.print(f"map (opens offline): {saved.resolve()}")
    out.print(f"try: workbench items {case_dir} --text evacuation --limit 10")
    out.print(f"     workbench entities {case_dir} --label HASHTAG")
    if phases:
        from workbench.report.run import run_phases

        _print_run(run_phases(case, progress=show))


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
