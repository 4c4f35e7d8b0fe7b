"""The demo case's four phases end to end, and the size of the report they write.

Builds the demo case afresh in a temporary folder (generated exports imported, enriched, located,
and the demo analyst's evidence tagged: the preparation, timed apart), then runs the phase
templates (planning, collection, analysis, reporting) with papermill through
``workbench.report.run.run_phases``, as ``workbench run`` does. Prints the seconds of each phase,
the total against the target (< 90 s) and the report's size against its target (< 10 MB).
Where the run module or a template is missing, it times ``render_report`` alone and says so.

    python benchmarks/report.py [--pseudonymise] [--pdf] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import tempfile
import time
import warnings
from pathlib import Path

TARGET_SECONDS = 90.0
TARGET_MB = 10.0


def prepare(folder: Path):
    """The demo case, imported, enriched, located, with its evidence tagged."""
    from workbench.demo import build_demo
    from workbench.demo.evidence import tag_demo_evidence

    case, _ = build_demo(folder / "demo", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case.enrich(ner=False, progress=False)
    case.locate(progress=False)
    tag_demo_evidence(case)
    return case


def run(folder: Path, *, pseudonymise: bool = False, pdf: bool = False) -> dict:
    """Prepare the demo and run the phases (or render the report alone); returns the numbers."""
    started = time.perf_counter()
    case = prepare(folder)
    numbers: dict = {"prepare_s": time.perf_counter() - started, "phases": {}}
    parameters = {"pseudonymise": pseudonymise, "pdf": pdf, "tz": "Europe/Amsterdam"}
    started = time.perf_counter()
    phases = _available_phases()
    if phases and "reporting" in phases:
        from workbench.report.run import run_phases

        result = run_phases(case, phases, parameters, progress=False)
        numbers["phases"] = {p.phase: p.seconds for p in result.phases}
        numbers["how"] = f"run_phases({', '.join(phases)})"
        report = result.report
    else:
        from workbench.report.render import render_report

        rendered = render_report(case, **parameters)
        numbers["phases"] = {"reporting (render_report only)": rendered.seconds}
        numbers["how"] = "render_report alone (the run module or the templates are missing)"
        report = rendered.html
    numbers["total_s"] = time.perf_counter() - started
    numbers["report"] = report
    numbers["report_mb"] = report.stat().st_size / 1e6 if report else float("nan")
    pdf_path = report.with_suffix(".pdf") if report else None
    numbers["pdf_mb"] = pdf_path.stat().st_size / 1e6 if pdf_path and pdf_path.exists() else None
    case.close()
    return numbers


def _available_phases() -> list[str]:
    if importlib.util.find_spec("workbench.report.run") is None:
        return []
    from workbench.report.run import PHASES, templates_dir

    folder = templates_dir()
    return [phase for phase, name in PHASES.items() if (folder / name).is_file()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pseudonymise", action="store_true")
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--keep", type=Path, help="build the demo here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="workbench-report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        numbers = run(folder, pseudonymise=args.pseudonymise, pdf=args.pdf)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    report = numbers["report"]
    print(f"demo case prepared (build, enrich, locate, tag evidence): {numbers['prepare_s']:.1f} s")
    print(f"how: {numbers['how']}")
    for phase, seconds in numbers["phases"].items():
        print(f"  {phase:<34} {seconds:6.1f} s")
    verdict = "OK" if numbers["total_s"] < TARGET_SECONDS else "OVER"
    print(f"four phases end to end: {numbers['total_s']:.1f} s (target < {TARGET_SECONDS:.0f} s: {verdict})")
    verdict = "OK" if numbers["report_mb"] < TARGET_MB else "OVER"
    print(f"report size: {numbers['report_mb']:.2f} MB (target < {TARGET_MB:.0f} MB: {verdict})"
          + (f"; PDF {numbers['pdf_mb']:.2f} MB" if numbers["pdf_mb"] else ""))
    if args.keep:
        print(f"report: {report}")


if __name__ == "__main__":
    main()
