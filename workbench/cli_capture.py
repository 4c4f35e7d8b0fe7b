"""The ``capture`` verb of the ``workbench`` command (registered by :mod:`workbench.cli`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from workbench.cli_common import CaseDir, case_at, out
from workbench.errors import WorkbenchError


def capture(
    case_dir: CaseDir,
    urls: Annotated[list[str] | None, typer.Argument(help="Pages to capture (http or https).")] = None,
    from_items: Annotated[bool, typer.Option("--from-items", help="Capture every page the items "
                                             "link to (their links, else URLs in their text).")] = False,
    item: Annotated[list[str] | None, typer.Option(help="Capture the pages this item links to "
                                                   "(uid; repeatable).")] = None,
    allow_private: Annotated[list[str] | None, typer.Option(
        help="Let captures reach this private or loopback address or network, e.g. 127.0.0.1 or "
        "10.0.0.0/8 (repeatable). Refused by default.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds a page gets to finish loading.")] = 60.0,
    max_mb: Annotated[float, typer.Option(help="A resource larger than this many MB is not "
                                          "loaded.")] = 50.0,
    max_page_mb: Annotated[float, typer.Option(help="A page that loads more than this many MB in "
                                               "all fails.")] = 200.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Capture the pages posts link to with headless Chromium (a fresh profile per page): a WACZ
    of everything the browser loaded, a full-page screenshot, the rendered HTML and its text, each
    hashed into captures/, audited and linked to the items citing the page. Pages captured before
    are skipped; failed ones are listed with their reason and tried again on the next run. Exits
    1 when a page could not be captured."""
    if not urls and not from_items and not item:
        raise typer.BadParameter("name URLs, or choose --from-items or --item UID",
                                 param_hint="URLS")
    if timeout <= 0 or max_mb <= 0 or max_page_mb <= 0:
        raise typer.BadParameter("give positive limits", param_hint="--timeout/--max-mb")
    try:
        from workbench.capture import capture as run
        from workbench.capture.fetch import parse_networks
    except ImportError as exc:  # the capture extra is not installed
        raise WorkbenchError(f"capture needs the {exc.name} package",
                             hint="pip install 'socmint-workbench[capture]'") from None

    try:
        parse_networks(allow_private or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--allow-private") from exc
    result = run(case_at(case_dir), tuple(urls or ()), from_items=from_items, uids=item or None,
                 allow_private=tuple(allow_private or ()), timeout_s=timeout,
                 max_resource_bytes=int(max_mb * 1_000_000),
                 max_page_bytes=int(max_page_mb * 1_000_000),
                 progress=progress and sys.stderr.isatty())
    out.print(result.summary(), markup=False, highlight=False)
    for page in result.captured:
        shown = page["final_url"] if page["final_url"] == page["url"] else \
            f"{page['url']} -> {page['final_url']}"
        out.print(f"  captured: {shown} (HTTP {page['status']})", markup=False, highlight=False)
    for failed in result.failed:
        out.print(f"  failed: {failed['url']} ({failed['reason']})", markup=False, highlight=False)
    if result.failed:
        raise typer.Exit(1)
