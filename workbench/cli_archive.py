"""The ``archive`` verb of the ``workbench`` command: the Wayback Machine's records of the pages the
items link to (registered by :mod:`workbench.cli`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from workbench.cli_common import CaseDir, case_at, out
from workbench.missing import is_missing, text_or


def archive(
    case_dir: CaseDir,
    lookup: Annotated[bool, typer.Option("--lookup", help="Ask the Wayback Machine's availability "
                                         "API about each URL not asked yet (online: the archive "
                                         "learns which URLs the case cites).")] = False,
    save: Annotated[bool, typer.Option("--save", help="Ask Save Page Now to capture the URLs with "
                                       "no snapshot (or those given with --url). Uses SPN2 when "
                                       "WORKBENCH_WAYBACK_ACCESS_KEY and WORKBENCH_WAYBACK_SECRET_KEY "
                                       "are set, else the anonymous request.")] = False,
    url: Annotated[list[str] | None, typer.Option("--url", help="Only this URL (as an item links "
                                                  "to it; repeatable).")] = None,
    refresh: Annotated[bool, typer.Option(help="--lookup: ask again about URLs already "
                                          "answered.")] = False,
    limit: Annotated[int | None, typer.Option(help="Ask about at most this many URLs in this "
                                              "run.")] = None,
    base_url: Annotated[str | None, typer.Option(help="The archive's address for both APIs "
                                                 "(default: archive.org for look-ups, "
                                                 "web.archive.org for saves).")] = None,
    delay: Annotated[float, typer.Option(help="Seconds between two requests.")] = 1.0,
    max_wait: Annotated[float, typer.Option(help="Wait at most this many seconds when the archive "
                                            "asks to slow down; past it, stop (run again to "
                                            "resume).")] = 60.0,
    top: Annotated[int, typer.Option(help="Show this many URLs.")] = 20,
    format: Annotated[str, typer.Option("--format", help="table, csv or jsonl (every record).")] = "table",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """The web archive records of the pages the items link to. Offline, it shows what the case
    knows; --lookup and --save ask the Wayback Machine (each answer stored and audited; an
    interrupted run resumes)."""
    if format not in ("table", "csv", "jsonl"):
        raise typer.BadParameter("choose table, csv or jsonl", param_hint="--format")
    from workbench import archives

    case = case_at(case_dir)
    chosen = url or None
    if chosen:
        cited = set(archives.cited_urls(case, urls=chosen)["key"])
        from workbench.urls import link_key

        unknown = [u for u in chosen if link_key(u) not in cited]
        if unknown:
            raise typer.BadParameter(f"no item links to {', '.join(unknown[:3])} (or it is not a "
                                     "public http(s) address)", param_hint="--url")
    results = []
    if lookup or save:
        from workbench.wayback import Wayback

        client = Wayback(base_url, delay=delay, max_wait=max_wait)
        show = progress and sys.stderr.isatty()
        try:
            if lookup:
                results.append(archives.lookup(case, client, urls=chosen, refresh=refresh,
                                               limit=limit, progress=show))
            if save and not (results and results[-1].stopped):
                results.append(archives.save(case, client, urls=chosen, limit=limit, progress=show))
        finally:
            client.close()
    for result in results:
        out.print(result.summary(), markup=False, highlight=False)
    _show(case, archives, top, format)
    if results and all(r.asked and len(r.failed) == r.asked for r in results):
        raise typer.Exit(1)  # every request failed: the archive is out of reach


def _show(case, archives, top: int, format: str) -> None:
    df = archives.archive_table(case)
    if format != "table":
        from workbench.export import write_frame

        write_frame(df.drop(columns=["answer"]), sys.stdout, format)
        return
    cited = archives.cited_urls(case)
    looked = int(df["available"].notna().sum())
    out.print(f"{len(cited)} URLs cited by the items; {looked} looked up, "
              f"{int((df['available'] == 1).sum())} in the Wayback Machine, "
              f"{int(df['save_status'].isin(['saved', 'requested']).sum())} saved or requested",
              markup=False, highlight=False)
    if df.empty:
        return
    table = Table("url", "items", "closest snapshot", "save")
    for row in df.head(top).itertuples(index=False):
        available = None if is_missing(row.available) else int(row.available)
        if available == 1:
            snapshot = text_or(row.snapshot_at, "?")[:19].replace("T", " ")
        elif available == 0:
            snapshot = "none"
        else:
            snapshot = "failed: " + text_or(row.error) if not is_missing(row.error) else "not asked"
        # URLs come from posts: shown as plain text, never read as markup.
        table.add_row(Text(row.url), str(row.items), Text(snapshot), text_or(row.save_status))
    out.print(table, markup=False, highlight=False)
