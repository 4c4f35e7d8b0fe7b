"""What the quality benchmark's sections share: a printed row, and a case made from records.

A section returns :class:`Row`\\ s (a figure beside its baseline and the issue's target) or raises
:class:`Skipped` with a reason; ``benchmarks/quality.py`` prints them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from workbench.case import Case


class Skipped(Exception):
    """A section could not run here (its data is absent); the message says why."""


@dataclass
class Row:
    """One measure: the product's figure, the baseline's in the same run, the issue's target."""

    measure: str
    figure: float | str | None
    baseline: float | str | None = None
    target: str = ""
    note: str = ""
    percent: bool = False

    def cells(self) -> list[str]:
        return [self.measure, _show(self.figure, self.percent), _show(self.baseline, self.percent),
                self.target, self.note]


def _show(value: float | str | None, percent: bool) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table."""
    head = ["measure", "figure", "baseline", "target", "note"]
    cells = [head, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(head) - 1)]
    lines = []
    for line in cells:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
                     + "  " + line[-1])
    return "\n".join(text.rstrip() for text in lines)


def case_of(folder: Path, name: str, records: list[dict], **plan) -> Case:
    """A new case in ``folder`` holding ``records`` (the generic JSON-lines import's fields), as a
    user would make one: ``workbench new`` and ``workbench import``."""
    case = Case.create(folder / name, title=f"quality: {name}", legal_basis="research (benchmark)",
                       retention_until="2099-01-01", **plan)
    path = folder / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    result = case.import_file(path, progress=False)
    if result.imported != len(records):
        raise RuntimeError(f"{name}: imported {result.imported} of {len(records)} records")
    return case


def overlap_match(gold: list[tuple[int, int]], predicted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pairs (gold index, predicted index) of character spans that overlap, each span used once
    (in order of start; a prediction takes the first free gold span it overlaps)."""
    order = sorted(range(len(gold)), key=lambda i: gold[i])
    used: set[int] = set()
    pairs = []
    for p in sorted(range(len(predicted)), key=lambda i: predicted[i]):
        start, end = predicted[p]
        for g in order:
            if g not in used and gold[g][0] < end and start < gold[g][1]:
                used.add(g)
                pairs.append((g, p))
                break
    return pairs


def prf(tp: int, n_predicted: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from true positives and the two counts."""
    precision = tp / n_predicted if n_predicted else float("nan")
    recall = tp / n_gold if n_gold else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
