"""Store rows as Arrow columns, and Arrow columns as the store's DataFrames.

Python's sqlite3 gives a million rows as a million tuples; pandas then infers every column value by
value, which is where a large case's frame used to spend its time. Here the rows become typed Arrow
columns (one C pass per column, the declared type given), and the columns become the frame in C
where they can: times parsed by Arrow, integers and reals from their buffers, JSON lists decoded by
one ``orjson`` call per column, and no column of the frame is a view of Arrow's memory (which may
be a mapped file). The frame is the one :func:`workbench.query.frame` makes: strings as
object dtype with None for a missing value (pandas 3's own string dtype would give NaN, which is
truthy), times tz-aware UTC, JSON lists as Python lists ([] when missing), counts as ``Int64``.

A value that does not fit its declared column (SQLite keeps what it is given) raises
:class:`ColumnTypeError`; callers then build the frame value by value, as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ARROW_TYPES = {str: pa.string(), int: pa.int64(), float: pa.float64()}


class ColumnTypeError(ValueError):
    """A stored value that its column's declared type cannot hold."""


def rows_to_batch(rows: list[tuple], columns: Mapping[str, type]) -> pa.RecordBatch:
    """Rows (values in ``columns`` order) as one Arrow record batch of the declared types."""
    names = list(columns)
    values = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    try:
        arrays = [pa.array(column, ARROW_TYPES[columns[name]]) for name, column in
                  zip(names, values, strict=True)]
    except (KeyError, TypeError, pa.ArrowException) as exc:
        raise ColumnTypeError(str(exc)) from exc
    return pa.RecordBatch.from_arrays(arrays, names=names)


def schema(columns: Mapping[str, type]) -> pa.Schema:
    """The Arrow schema of rows of ``columns``."""
    try:
        return pa.schema([(name, ARROW_TYPES[kind]) for name, kind in columns.items()])
    except KeyError as exc:
        raise ColumnTypeError(f"no Arrow type for {exc}") from exc


def arrow_frame(table: pa.Table, columns: Mapping[str, type], *, times: Iterable[str],
                json_lists: Iterable[str], ints: Iterable[str]) -> pd.DataFrame:
    """``table``'s ``columns`` as a DataFrame: ``times`` parsed to UTC, ``json_lists`` decoded
    (a missing list is []), ``ints`` (of those declared int) as Int64; other strings as object."""
    times, json_lists, ints = set(times), set(json_lists), set(ints)
    data: dict[str, object] = {}
    with collector_paused():
        for name, kind in columns.items():
            data[name] = _column(table.column(name), name, kind, times, json_lists, ints)
    return pd.DataFrame(data, columns=list(columns), copy=False)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector walks every live container each time enough new ones pile up, so
    making a million lists costs several times what the lists do. Ours hold no cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _column(column: pa.ChunkedArray, name: str, kind: type, times: set, json_lists: set,
            ints: set) -> pd.Series:
    if name in times:
        return _times(column)
    if kind is str and name in json_lists:
        return pd.Series(_json_lists(column), dtype=object, copy=False)
    if kind is str:
        return pd.Series(_strings(_cast(column, pa.string())), dtype=object, copy=False)
    if kind is int and name in ints:
        return pd.Series(_int64(column), copy=False)
    if kind is float:
        return pd.Series(_cast(column, pa.float64()).to_numpy(zero_copy_only=False),
                         dtype="float64", copy=True)
    return column.to_pandas().copy(deep=True)


def _cast(column: pa.ChunkedArray, to: pa.DataType) -> pa.ChunkedArray:
    if column.type == to:
        return column
    try:
        return column.cast(to)
    except pa.ArrowException as exc:
        raise ColumnTypeError(str(exc)) from exc


def _times(column: pa.ChunkedArray) -> pd.Series:
    """ISO 8601 text -> tz-aware UTC, with the resolution pandas' own parser would give."""
    text = _cast(column, pa.string())
    sample = pc.drop_null(text).slice(0, 1).to_pylist() if text.null_count < len(text) else []
    try:
        parsed = text.cast(pa.timestamp("us", tz="UTC")).to_pandas()
    except pa.ArrowException:
        # Not a form Arrow reads (pandas reads a few more): the way it always was.
        return pd.to_datetime(pd.Series(text.to_numpy(zero_copy_only=False), dtype=object),
                              utc=True, format="ISO8601")
    try:
        expected = pd.to_datetime(pd.Series(sample or ["1970-01-01T00:00:00.000+00:00"],
                                            dtype=object), utc=True, format="ISO8601").dtype
        return parsed if parsed.dtype == expected else parsed.astype(expected)
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        # pandas 2.2 parses into nanoseconds, which end in 2262: an item dated 2999 (or year 1)
        # stays in microseconds rather than fail the whole read.
        return parsed


def times_from_text(values) -> pd.Series:
    """ISO 8601 texts (None for none) as tz-aware UTC times, on pandas 2.2 and 3 alike, even for
    dates beyond what nanoseconds hold."""
    return _times(pa.chunked_array([pa.array(list(values), type=pa.string())]))


def _strings(column: pa.ChunkedArray) -> np.ndarray:
    """Python strings, None for a missing value. A column that repeats its values (platform,
    account, source, payload) makes each distinct string once per chunk and shares it between
    its rows; one whose first chunk is mostly distinct values (ids, text) is converted as it is."""
    chunks = [chunk for chunk in column.chunks if len(chunk)]
    if not chunks:
        return column.to_numpy(zero_copy_only=False)
    first = chunks[0].dictionary_encode()
    if len(first.dictionary) * 2 > len(first):
        return column.to_numpy(zero_copy_only=False)
    parts = [_shared(first)] + [_shared(chunk.dictionary_encode()) for chunk in chunks[1:]]
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _shared(encoded: pa.DictionaryArray) -> np.ndarray:
    distinct = np.append(encoded.dictionary.to_numpy(zero_copy_only=False), None)
    return distinct.take(pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy())


def _int64(column: pa.ChunkedArray) -> pd.arrays.IntegerArray:
    column = _cast(column, pa.int64())
    values = pc.fill_null(column, 0).to_numpy()
    mask = column.is_null().to_numpy(zero_copy_only=False)
    return pd.arrays.IntegerArray(np.array(values, np.int64), np.array(mask, bool))


def _json_lists(column: pa.ChunkedArray) -> np.ndarray:
    """JSON list text -> Python lists ([] for a missing value), each row a list of its own."""
    out: list = []
    for chunk in _cast(column, pa.string()).chunks:
        out += _decode_chunk(chunk)
    return np.fromiter(out, dtype=object, count=len(out))  # each list one element, however long


_SCALARS = (str, int, float, bool, type(None))


def _decode_chunk(chunk: pa.StringArray) -> list:
    """Each distinct text is decoded once (a column of tags or caveats repeats a few lists a
    million times), and each row gets a copy of its list: rows never share a list one could
    change. Value by value, as the store always did, when a value is not a list of plain values."""
    encoded = pc.dictionary_encode(pc.fill_null(chunk, "[]"))
    distinct = _decode_all(encoded.dictionary)
    if distinct is not None and all(
            type(lst) is list and all(isinstance(v, _SCALARS) for v in lst) for lst in distinct):
        indices = encoded.indices.to_numpy()
        return list(map(list.copy, map(distinct.__getitem__, indices.tolist())))
    return [orjson.loads(v) if isinstance(v, str) else [] for v in chunk.to_pylist()]


def _decode_all(texts: pa.StringArray) -> list | None:
    """Every text decoded by one ``orjson.loads`` over ``[t1,t2,...]``: when each text is a JSON
    array on its own (starts with ``[``, ends with ``]``, so each gives at least one element) and
    the whole gives exactly one element per text, each element is its text's array."""
    if not len(texts):
        return []
    if not (pc.all(pc.starts_with(texts, "[")).as_py() and pc.all(pc.ends_with(texts, "]")).as_py()):
        return None
    try:
        joined = pc.binary_join_element_wise(texts, ",", "")  # each text with a comma after it
        offsets = np.frombuffer(joined.buffers()[1], np.int32)[
            joined.offset:joined.offset + len(joined) + 1]
        body = joined.buffers()[2].to_pybytes()[offsets[0]:offsets[-1] - 1]
        decoded = orjson.loads(b"[" + body + b"]")
    except (pa.ArrowException, orjson.JSONDecodeError):
        return None
    return decoded if len(decoded) == len(texts) else None
