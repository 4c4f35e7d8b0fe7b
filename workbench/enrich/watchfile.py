"""Watch lists from files: YAML or CSV, every error naming the file and the line."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from workbench.enrich.watch import FIELDS, WatchTerm, fold
from workbench.errors import EnrichError


def load_terms(path: Path | str) -> list[WatchTerm]:
    """Watch terms from a YAML or CSV file, errors naming the file and line.

    YAML: a list (or a mapping with a ``terms`` list) of mappings with the fields ``term``,
    ``kind``, ``category``, ``weight``, ``note``, or of plain strings (a term with defaults).
    CSV: a header naming those columns (``term`` required), one term a row.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EnrichError(f"{path}: cannot read the watch list: {exc}") from exc
    if suffix in (".yaml", ".yml"):
        rows = _yaml_rows(path, text)
    elif suffix == ".csv":
        rows = _csv_rows(path, text)
    else:
        raise EnrichError(f"{path}: a watch list is a .yaml, .yml or .csv file")
    terms: list[WatchTerm] = []
    first_line: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        try:
            term = WatchTerm.model_validate(row)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'term'}: {e['msg']}"
                                 for e in exc.errors())
            raise EnrichError(f"{path}, line {line}: {problems}") from exc
        key = (term.kind, fold(term.term), fold(term.category))
        if key in first_line:
            raise EnrichError(f"{path}, line {line}: {term.kind} {term.term!r} in {term.category!r} "
                              f"is already on line {first_line[key]}")
        first_line[key] = line
        terms.append(term)
    return terms


def _yaml_rows(path: Path, text: str) -> list[tuple[int, Any]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EnrichError(f"{path}: not readable YAML: {exc}") from exc
    if isinstance(data, dict) and set(data) == {"terms"}:
        data = data["terms"]
        node = next(value for key, value in node.value if key.value == "terms")
    if data is None:
        return []
    if not isinstance(data, list):
        raise EnrichError(f"{path}: expected a list of watch terms (or a mapping with a 'terms' list)")
    rows = []
    for item, item_node in zip(data, node.value, strict=True):
        line = item_node.start_mark.line + 1
        if isinstance(item, str):
            item = {"term": item}
        elif not isinstance(item, dict):
            raise EnrichError(f"{path}, line {line}: expected a term or a mapping of {', '.join(FIELDS)}")
        rows.append((line, item))
    return rows


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "term" not in header:
        raise EnrichError(f"{path}, line 1: the header must name a 'term' column",
                          hint=f"columns: {', '.join(FIELDS)}")
    unknown = [name for name in header if name and name not in FIELDS]
    if unknown:
        raise EnrichError(f"{path}, line 1: unknown columns {', '.join(unknown)}",
                          hint=f"columns: {', '.join(FIELDS)}")
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            raise EnrichError(f"{path}, line {reader.line_num}: more values than columns")
        values = {k: v.strip() for k, v in row.items() if k and v is not None and v.strip()}
        if values:
            rows.append((reader.line_num, values))
    return rows
