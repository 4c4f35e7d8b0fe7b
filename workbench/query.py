"""Queries on the case store that return pandas DataFrames with proper dtypes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import orjson
import pandas as pd
import pyarrow as pa
import sqlite_utils

from workbench import mirror
from workbench.columnar import (
    ColumnTypeError,
    arrow_frame,
    collector_paused,
    rows_to_batch,
    times_from_text,
)
from workbench.errors import WorkbenchError
from workbench.models import LIST_FIELDS
from workbench.timeutil import parse_day, to_text

INT_COLUMNS = ("start", "end", "likes", "reposts", "replies", "views", "run_id", "followers", "following",
               "posts", "width", "height", "verified", "geonameid", "best")
#: What enrichment adds to each item (None until the item is enriched), and their stored types.
ENRICHED = {"language": str, "language_method": str, "sentiment": float, "sentiment_pos": float,
            "sentiment_neu": float, "sentiment_neg": float, "sentiment_method": str,
            "risk": float, "risk_reasons": str, "watch_hits": str}
_ENRICHED_SQL = {name: "e.sentiment_compound AS sentiment" if name == "sentiment" else f"e.{name}"
                 for name in ENRICHED}
JSON_COLUMNS = (*LIST_FIELDS, "risk_reasons", "watch_hits")
#: VADER's own thresholds on the compound score.
SENTIMENTS = {"positive": "e.sentiment_compound >= 0.05",
              "negative": "e.sentiment_compound <= -0.05",
              "neutral": "e.sentiment_compound > -0.05 AND e.sentiment_compound < 0.05",
              "unscored": "e.sentiment_compound IS NULL"}
#: An entity to look for: its label (None for any) and the resolution keys it may have.
EntityQuery = tuple[str | None, list[str]]
TIME_COLUMNS = ("created_at", "collected_at", "first_seen_at", "updated_at", "at",
                "started_at", "finished_at", "stored_at")


def items(
    db: sqlite_utils.Database,
    *,
    text: str | None = None,
    platform: str | None = None,
    since: str | datetime | date | None = None,
    until: str | datetime | date | None = None,
    author: str | None = None,
    language: str | None = None,
    sentiment: str | None = None,
    min_risk: float | None = None,
    entity: EntityQuery | None = None,
    limit: int | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Items matching every filter given, oldest first, with their enrichment columns.

    ``text`` is a full-text query (SQLite FTS5 syntax; plain words are fine). ``since`` is
    inclusive; ``until`` a date includes that whole day. ``author`` matches the handle (with or
    without '@', any case) or the platform's account id. ``language`` is an ISO 639-1 code (or
    ``und``); ``sentiment`` one of positive, negative, neutral, unscored; ``min_risk`` a risk
    score from 0 to 100; ``entity`` the label (or None) and resolution keys of an entity
    (see :func:`workbench.enrich.resolve.query_keys`, which makes them from what a person types).

    ``columns`` names the columns wanted, in that order (default: every column of the items and
    their enrichment): an analysis that reads a few columns of a large case asks only for those.
    A case of many items is read through its columnar mirror (:mod:`workbench.mirror`) when no
    filter is given.
    """
    available = item_columns(db)
    chosen = _chosen(columns, available)
    types = {name: available[name] for name in chosen}
    if not any((text, platform, since, until, author, language, sentiment, entity)) \
            and min_risk is None:
        table = mirror.load(db, items_sql(available), available, chosen)
        if table is not None:
            if limit:
                table = table.slice(0, int(limit))
            return _frame_of_table(table, types) if table.num_rows else frame([], types)
    where, params, join = [], [], ""
    if text:
        join = "JOIN items_fts ON items_fts.rowid = items.rowid"
        where.append("items_fts MATCH ?")
        params.append(text)
    if platform:
        where.append("items.platform = ?")
        params.append(platform.lower())
    period, bounds = _period(since, until)
    where += period
    params += bounds
    if author:
        where.append("(lower(items.author_handle) = ? OR items.author_id = ?)")
        params += [author.lstrip("@").lower(), author]
    if language:
        where.append("e.language = ?")
        params.append(language.lower())
    if sentiment:
        if sentiment not in SENTIMENTS:
            raise WorkbenchError(f"unknown sentiment {sentiment!r}",
                                 hint=f"choose one of {', '.join(SENTIMENTS)}")
        where.append(SENTIMENTS[sentiment])
    if min_risk is not None:
        where.append("e.risk >= ?")
        params.append(float(min_risk))
    if entity:
        label, keys = entity
        where.append(f"items.uid IN (SELECT uid FROM entities WHERE key IN "
                     f"({', '.join('?' * len(keys))}){' AND label = ?' if label else ''})")
        params += [*keys, *([label] if label else [])]
    enriched = language or sentiment or min_risk is not None or any(c in ENRICHED for c in chosen)
    sql = f"SELECT {_select(chosen)} FROM items {join}"
    if enriched:
        sql += " LEFT JOIN enrichment e ON e.uid = items.uid"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY items.created_at, items.uid"
    if limit:
        sql += f" LIMIT {int(limit)}"
    with collector_paused():
        try:
            rows = db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            if not text:
                raise
            # Not valid FTS5 query syntax: search for the words as they were typed.
            params[0] = db.quote_fts(text)
            rows = db.execute(sql, params).fetchall()
    return fast_frame(rows, types)


def item_columns(db: sqlite_utils.Database) -> dict[str, type]:
    """Every column of the item frame, in order, with its stored type."""
    return {**db["items"].columns_dict, **ENRICHED}


def items_sql(columns: dict[str, type]) -> str:
    """The query behind the full item frame: every item with its enrichment, oldest first."""
    return (f"SELECT {_select(list(columns))} FROM items "
            "LEFT JOIN enrichment e ON e.uid = items.uid ORDER BY items.created_at, items.uid")


def _select(names: list[str]) -> str:
    return ", ".join(_ENRICHED_SQL[name] if name in ENRICHED else f"items.[{name}]" for name in names)


def _chosen(columns: Sequence[str] | None, available: dict[str, type]) -> list[str]:
    if columns is None:
        return list(available)
    if isinstance(columns, str):
        columns = [columns]
    unknown = [name for name in columns if name not in available]
    if unknown:
        raise WorkbenchError(f"no such item column(s): {', '.join(map(str, unknown))}",
                             hint=f"item columns are: {', '.join(available)}")
    return list(dict.fromkeys(columns))


def fast_frame(rows: list[tuple], columns: dict[str, type]) -> pd.DataFrame:
    """:func:`frame`, made through Arrow columns (many times faster on many rows); value by value
    when a stored value does not fit its column's type."""
    if not rows:
        return frame(rows, columns)
    try:
        return _frame_of_table(pa.Table.from_batches([rows_to_batch(rows, columns)]), columns)
    except ColumnTypeError:
        return frame(rows, columns)


def _frame_of_table(table: pa.Table, columns: dict[str, type]) -> pd.DataFrame:
    return arrow_frame(table, columns, times=TIME_COLUMNS, json_lists=JSON_COLUMNS,
                       ints=INT_COLUMNS)


def entities(db: sqlite_utils.Database, *, label: str | None = None, uid: str | None = None,
             entity: EntityQuery | None = None) -> pd.DataFrame:
    """Entities found in the case's items: uid, label, text, norm, start, end, method, model, key,
    evidence (a PLACE's, as JSON: see :mod:`workbench.enrich.place_evidence`)."""
    where, params = [], []
    if label:
        where.append("label = ?")
        params.append(label.upper())
    if uid:
        where.append("uid = ?")
        params.append(uid)
    if entity:
        named, keys = entity
        where.append(f"key IN ({', '.join('?' * len(keys))})")
        params += keys
        if named:
            where.append("label = ?")
            params.append(named)
    columns = {"uid": str, "label": str, "text": str, "norm": str, "start": int, "end": int,
               "method": str, "model": str, "key": str, "evidence": str}
    sql = f"SELECT {', '.join(columns)} FROM entities"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.execute(sql + " ORDER BY uid, start, label", params).fetchall()
    return frame(rows, columns)


def entity_counts(db: sqlite_utils.Database, *, since: str | datetime | date | None = None,
                  until: str | datetime | date | None = None) -> pd.DataFrame:
    """How many items name each entity, most first: ``label``, ``name`` (the norm, else the text,
    without a place's gazetteer id after "|"), ``items`` (each item counted once). ``since`` and
    ``until`` keep the items :func:`items` keeps. Counted by SQLite: a large case's entities,
    millions of rows, never become a frame."""
    where, params = _period(since, until)
    name = "coalesce(entities.norm, entities.text, '')"
    sql = (f"SELECT label, name, count(DISTINCT uid) AS items FROM ("
           f"SELECT entities.uid AS uid, entities.label AS label, CASE WHEN instr({name}, '|') > 0 "
           f"THEN substr({name}, 1, instr({name}, '|') - 1) ELSE {name} END AS name FROM entities")
    if where:
        sql += " JOIN items ON items.uid = entities.uid WHERE " + " AND ".join(where)
    sql += ") GROUP BY label, name ORDER BY items DESC, name"
    with collector_paused():
        rows = db.execute(sql, params).fetchall()
    return frame(rows, {"label": str, "name": str, "items": int})


def _period(since, until) -> tuple[list[str], list[str]]:
    """The WHERE clauses and parameters on ``items.created_at`` for ``since`` (inclusive) and
    ``until`` (a bare date includes its whole day)."""
    where, params = [], []
    if since:
        where.append("items.created_at >= ?")
        params.append(to_text(parse_day(since, field="since")))
    if until:
        bound = parse_day(until, field="until")
        if _is_bare_date(until):
            where.append("items.created_at < ?")
            bound += timedelta(days=1)
        else:
            where.append("items.created_at <= ?")
        params.append(to_text(bound))
    return where, params


def table(db: sqlite_utils.Database, name: str) -> pd.DataFrame:
    """A whole table of the store as a DataFrame."""
    columns = db[name].columns_dict
    rows = db.execute(f"SELECT {', '.join(columns)} FROM [{name}]").fetchall()
    return frame(rows, columns)


def frame(rows: list[tuple], columns: dict[str, type]) -> pd.DataFrame:
    """Rows (in ``columns`` order) as a DataFrame: UTC datetimes, lists as lists, nullable ints."""
    names = list(columns)
    data: dict[str, list | tuple] = dict(zip(names, zip(*rows, strict=True), strict=True)) \
        if rows else {name: [] for name in names}
    for name in names:
        if name in JSON_COLUMNS and columns[name] is str:
            # Decoded before pandas holds them: iterating a pandas string column is slow.
            data[name] = [orjson.loads(v) if isinstance(v, str) else [] for v in data[name]]
    df = pd.DataFrame(data, columns=names)
    for name in names:
        if columns[name] is str and name not in TIME_COLUMNS and name not in JSON_COLUMNS:
            # Object dtype, None for a missing value, under pandas 2.2 and 3 alike: pandas 3's own
            # string dtype would make a missing handle NaN, which is truthy.
            df[name] = pd.Series(data[name], dtype=object, index=df.index)
        if name in TIME_COLUMNS:
            df[name] = times_from_text(data[name]).set_axis(df.index)
        elif name in INT_COLUMNS:
            df[name] = df[name].astype("Int64")
        elif columns[name] is float:
            df[name] = df[name].astype("float64")
    return df


def _is_bare_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime) or (
        isinstance(value, str) and len(value.strip()) == 10
    )


PLACE_COLUMNS = {"uid": str, "method": str, "evidence": str, "name": str, "lat": float,
                 "lon": float, "radius_km": float, "confidence": float, "best": int,
                 "geonameid": int, "country": str, "admin1": str, "feature": str,
                 "media_uid": str, "start": int, "end": int, "geocoder": str}


def places(db: sqlite_utils.Database, *, best: bool = False, method: str | None = None,
           uid: str | None = None) -> pd.DataFrame:
    """Candidate locations of items (``best``: only each item's best guess), most confident first."""
    where, params = [], []
    if best:
        where.append("best = 1")
    if method:
        where.append("method = ?")
        params.append(method)
    if uid:
        where.append("uid = ?")
        params.append(uid)
    sql = f"SELECT {', '.join(f'[{c}]' for c in PLACE_COLUMNS)} FROM places"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.execute(sql + " ORDER BY uid, confidence DESC, id", params).fetchall()
    return frame(rows, PLACE_COLUMNS)


def located(items_frame: pd.DataFrame, chosen_places: pd.DataFrame) -> pd.DataFrame:
    """The items joined to their places (one row per place given), with ``lat``/``lon`` at the
    place and its method, confidence, name and radius as ``place_method``, ``place_confidence``,
    ``place_name``, ``place_radius_km`` (the platform's own geotag is among the places)."""
    chosen = chosen_places[["uid", "lat", "lon", "method", "confidence", "name", "radius_km"]].rename(
        columns={"method": "place_method", "confidence": "place_confidence",
                 "name": "place_name", "radius_km": "place_radius_km"})
    # The located items first: on a large case most items have no place, and copying every row
    # of the full frame to drop two columns cost as much memory as the frame.
    items_frame = items_frame[items_frame["uid"].isin(chosen["uid"])]
    return items_frame.drop(columns=["lat", "lon"]).merge(chosen, on="uid", how="inner")
