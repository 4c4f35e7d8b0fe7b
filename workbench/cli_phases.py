"""The ``run`` and ``demo`` verbs of the ``workbench`` command: the phase templates run by
papermill, and the demo case (registered by :mod:`workbench.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperOption

from workbench.cli_common import CaseDir, err, out


class _PairOption(TyperOption):
    """An option taking a name and a value, as papermill's ``-p NAME VALUE`` does (Typer's list
    options hold single values only)."""

    def process_value(self, ctx, value):
        return [(str(name), str(text)) for name, text in value or ()]


class RunCommand(TyperCommand):
    """``run``'s command: its ``-p`` option takes a name and a value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.name == "parameter":
                param.__class__ = _PairOption
                param.nargs = 2


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


def demo(
    case_dir: Annotated[Path, typer.Argument(help="Where to build the demo case.")] = Path(
        "cases/demo"),
    posts: Annotated[int, typer.Option(help="How many posts to generate (at least 400: the demo's "
                                       "story needs them).", min=400)] = 5000,
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
