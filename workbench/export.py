"""Exports of the case's tables (items with their enrichment, authors, entities, places, ...) as
CSV, JSON Lines or Parquet; the located items as GeoJSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

import orjson
import pandas as pd

from workbench.csvtext import write_edges
from workbench.errors import WorkbenchError
from workbench.handoff import COORDINATION_WINDOW
from workbench.query import entities, items, places, table

if TYPE_CHECKING:
    from workbench.case import Case

TABLES = ("items", "authors", "media", "entities", "places", "watch_terms", "quarantine", "runs",
          "audit")
#: Exports computed from the items rather than read from a table.
GRAPHS = ("network", "coordination")
FORMATS = ("csv", "jsonl", "parquet", "geojson", "gexf", "graphml", "stix", "misp", "kml")
#: Formats for partner teams (see :mod:`workbench.handoff`): what each can carry.
HANDOFF = {"stix": ("entities", "coordination"), "misp": ("entities", "coordination"),
           "kml": ("places", "items")}


def frame_for(case: Case, what: str) -> pd.DataFrame:
    """The DataFrame an export of ``what`` writes."""
    if what not in TABLES:
        raise WorkbenchError(f"cannot export {what!r} yet",
                             hint=f"choose one of {', '.join(TABLES + GRAPHS)}")
    if what == "items":
        return items(case.db)
    if what == "entities":
        return entities(case.db)
    if what == "places":
        return places(case.db)
    return table(case.db, what)


#: What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM``), given a leading
    ``'`` so that it shows as text; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_frame(df: pd.DataFrame, path: Path | IO, fmt: str, *,
                raw_cells: bool = False) -> Path | IO:
    """Write a DataFrame as CSV (lists as JSON text), JSON Lines or Parquet, to a file or stream.

    CSV cells that a spreadsheet would run as a formula get a leading ``'`` (see
    :func:`spreadsheet_safe`) unless ``raw_cells``; JSON Lines and Parquet are always as stored.
    """
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        flat = df.copy()
        for column in flat.columns:
            if any(isinstance(value, list) for value in flat[column]):
                flat[column] = flat[column].map(lambda v: json.dumps(v, ensure_ascii=False)
                                                if isinstance(v, list) else v)
            if not raw_cells and flat[column].dtype == object:
                flat[column] = flat[column].map(spreadsheet_safe)
        flat.to_csv(path, index=False)
    elif fmt == "jsonl":
        _write_jsonl(df, path)
    elif fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise WorkbenchError("Parquet export needs pyarrow",
                                 hint="pip install 'socmint-workbench[parquet]'") from exc
        df.to_parquet(path, index=False)
    else:
        raise WorkbenchError(f"unknown export format {fmt!r}", hint=f"choose {', '.join(FORMATS)}")
    return path


def export(case: Case, what: str, fmt: str, path: str | Path, *,
           kinds: Sequence[str] | None = None, raw_cells: bool = False) -> int:
    """Export one table of the case to a file; returns the number of rows written.

    GeoJSON is for ``items`` and ``places``: one point per located item, at its best place.
    ``network`` is the accounts' interaction graph (mentions, replies, reposts, quotes): GEXF or
    GraphML for Gephi, or its edges as a table (a row per edge). ``coordination`` is every kind
    of coordination network within 60 s (or the ``kinds`` given, e.g. ``["co_repost"]``): as a
    table, one row per account pair and kind with its weight and the item uids behind it; as GEXF
    or GraphML, one graph of all kinds. Only the item columns the kinds read are loaded.
    For partner teams: ``stix`` (a STIX 2.1 bundle) and ``misp`` (a MISP event) of ``entities``
    (the selectors) or ``coordination``; ``kml`` of ``places`` (each located item at its best
    place). They count selectors, coordinated pairs or placemarks.
    ``raw_cells``: CSV cells that start like a formula are written as they are (see
    :func:`write_frame`)."""
    if kinds and what != "coordination":
        raise WorkbenchError(f"{what} has no kinds to choose", hint="kinds are for coordination")
    if fmt in HANDOFF:
        return _export_handoff(case, what, fmt, Path(path), kinds)
    if what in GRAPHS:
        return _export_graph(case, what, fmt, Path(path), kinds=kinds)
    if fmt in ("gexf", "graphml"):
        raise WorkbenchError(f"{what} is a table, not a graph", hint="export network as gexf or "
                             "graphml; tables as csv, jsonl or parquet")
    if fmt == "geojson":
        if what not in ("items", "places"):
            raise WorkbenchError(f"{what} have no location to write as GeoJSON",
                                 hint="export items or places as geojson")
        from workbench.geo.geojson import write_geojson

        df = case.located_items()
        write_geojson(df, Path(path))
        return len(df)
    df = frame_for(case, what)
    write_frame(df, Path(path), fmt, raw_cells=raw_cells)
    return len(df)


def _export_graph(case: Case, what: str, fmt: str, path: Path,
                  window: float = COORDINATION_WINDOW, kinds: Sequence[str] | None = None) -> int:
    """Write the graph; returns its number of edges (account pairs, for coordination)."""
    if what == "coordination":
        from workbench.analyze.coordination import coordination_graph
        from workbench.handoff import coordination

        edges = coordination(case, kinds, window)
        if fmt == "csv":
            path.parent.mkdir(parents=True, exist_ok=True)
            if write_edges(edges, path):  # the same CSV, built column-wise in Arrow
                return len(edges)
        if fmt in ("csv", "jsonl", "parquet"):
            table = edges.copy()
            table["item_pairs"] = [[[str(u) for u in pair] for pair in pairs]
                                   for pairs in table["item_pairs"]]
            write_frame(table, path, fmt)
            return len(edges)
        graph = coordination_graph(edges)
    from workbench.analyze import network  # networkx: only when a graph is written

    if what != "coordination":
        graph = network.with_communities(network.interaction_graph(items(case.db)))
    if fmt == "gexf":
        network.write_gexf(graph, path)
    elif fmt == "graphml":
        network.write_graphml(graph, path)
    elif fmt in ("csv", "jsonl", "parquet"):
        write_frame(edge_frame(graph), path, fmt)
    else:
        raise WorkbenchError(f"cannot write {what} as {fmt}",
                             hint="choose gexf, graphml, csv, jsonl or parquet")
    return graph.number_of_edges()


def _export_handoff(case: Case, what: str, fmt: str, path: Path,
                    kinds: Sequence[str] | None) -> int:
    if what not in HANDOFF[fmt]:
        raise WorkbenchError(f"{what} cannot be written as {fmt}",
                             hint=f"export {' or '.join(HANDOFF[fmt])} as {fmt}")
    if fmt == "kml":
        from workbench.export_kml import write_kml

        return write_kml(case, path)
    if fmt == "stix":
        from workbench.export_stix import write_stix

        return write_stix(case, what, path, kinds=kinds)
    from workbench.export_misp import write_misp

    return write_misp(case, what, path, kinds=kinds)


def edge_frame(graph) -> pd.DataFrame:
    """A graph's edges as rows: source, target and each edge attribute (lists kept as lists)."""
    rows = [{"source": a, "target": b, **data} for a, b, data in graph.edges(data=True)]
    return pd.DataFrame(rows)


def _write_jsonl(df: pd.DataFrame, target: Path | IO) -> None:
    """One JSON object per row: times in ISO 8601, missing values as null, text as it is."""
    def plain(value: object) -> object:
        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat().replace("+00:00", "Z")
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

    lines = b"".join(
        orjson.dumps(row, default=plain, option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_NAIVE_UTC)
        for row in df.to_dict(orient="records")
    )
    if isinstance(target, Path):
        target.write_bytes(lines)
    else:
        target.write(lines.decode("utf-8"))
        target.flush()
