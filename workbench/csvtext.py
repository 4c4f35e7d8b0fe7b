"""CSV text of a coordination edge table, made in Arrow: the same bytes pandas' ``to_csv`` writes
for it (item pairs as JSON text, times as ``YYYY-MM-DD HH:MM:SS+00:00``), at C speed.

A million account pairs carry millions of item pairs; turning each into Python lists, JSON text
and then a CSV field took minutes where computing them took seconds. Here every field is built
column-wise (quoted where the csv module would quote it) and the rows joined in Arrow, a slice
of rows at a time. :func:`write_edges` returns False, having written nothing, for a table it does
not handle (evidence as Python lists, a uid holding a control character): the caller then writes
it through pandas.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_SLICE = 200_000


def _s(text: str) -> pa.Scalar:
    """``text`` as a large string: Arrow joins strings of one type only."""
    return pa.scalar(text, pa.large_string())


_NEEDS_QUOTES = '[,"\r\n]'


def write_edges(edges: pd.DataFrame, target: Path | IO) -> bool:
    """Write ``edges`` (strings, integers, UTC times and an Arrow ``item_pairs`` column) as CSV."""
    fields = _fields(edges)
    if fields is None:
        return False
    header = ",".join(str(name) for name in edges.columns) + "\n"
    stream = target.open("wb") if isinstance(target, Path) else None
    try:
        write = stream.write if stream else (lambda data: target.write(data.decode("utf-8")))
        write(header.encode("utf-8"))
        for start in range(0, len(edges), _SLICE):
            write(_rows(fields, start, min(start + _SLICE, len(edges))))
    finally:
        if stream:
            stream.close()
    return True


def _fields(edges: pd.DataFrame) -> list[pa.Array] | None:
    out = []
    for name in edges.columns:
        column = edges[name]
        if name == "item_pairs":
            field = _pairs_json(column)
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            field = _times(column)
        elif pd.api.types.is_integer_dtype(column.dtype) and not column.isna().any():
            field = pa.array(column.to_numpy(np.int64)).cast(pa.large_string())
        elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            field = _strings(column)
            if field is None:
                return None
            field = _quoted(field)
        else:
            return None
        if field is None:
            return None
        out.append(field)
    return out


def _rows(fields: list[pa.Array], start: int, end: int) -> bytes:
    parts = [field.slice(start, end - start) for field in fields]
    rows = pc.binary_join_element_wise(*parts, _s(","))
    lines = pc.binary_join_element_wise(rows, _s("\n"), _s(""))
    return _body(lines)


def _body(strings: pa.Array) -> bytes:
    """The characters of a string array's values, back to back."""
    offsets = np.frombuffer(strings.buffers()[1], np.int64)[strings.offset:strings.offset + len(strings) + 1]
    return strings.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]] if len(strings) else b""


def _quoted(values: pa.Array) -> pa.Array:
    """As Python's csv module writes a field: in quotes, inner quotes doubled, when it holds a
    comma, a quote or a line break. A column of few distinct values (accounts, the kind) has
    each distinct value quoted once."""
    encoded = values.dictionary_encode()
    if len(encoded.dictionary) * 4 < len(values):
        return _quoted(encoded.dictionary).take(encoded.indices)
    quoted = pc.binary_join_element_wise(_s('"'), pc.replace_substring(values, '"', '""'), _s('"'), _s(""))
    return pc.if_else(pc.match_substring_regex(values, _NEEDS_QUOTES), quoted, values)


def _strings(column: pd.Series) -> pa.Array | None:
    """A column of strings (no missing value) as Arrow large strings."""
    if column.isna().any():
        return None
    if column.dtype == object:
        values = column.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=False) != "string":
            return None
        return pa.array(values, pa.large_string())
    try:
        values = pa.array(column.array)  # pandas' own Arrow strings: no copy
    except (TypeError, pa.ArrowException):
        return None
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.cast(pa.large_string()) if pa.types.is_string(values.type) or \
        pa.types.is_large_string(values.type) else None


#: Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
_EPOCH_DAYS = 719_468


def _times(column: pd.Series) -> pa.Array | None:
    """As pandas writes UTC times (``2024-03-01 10:00:00+00:00``): pandas 3 with as few decimals
    as every value needs (none, 3 or 6), pandas 2 each value with none or 6. Digits are computed
    in numpy (Arrow's strftime takes microseconds a value)."""
    if column.isna().any() or str(getattr(column.dt, "tz", None)) != "UTC":
        return None
    if column.dt.unit == "ns" and (column.astype("int64") % 1000).any():
        return None  # pandas writes nine decimals then
    micros = column.dt.as_unit("us").astype("int64").to_numpy()
    distinct, inverse = np.unique(micros, return_inverse=True)
    if len(distinct) * 2 < len(micros):  # each distinct time written once
        return _utc_text(distinct).take(pa.array(inverse.ravel()))
    return _utc_text(micros)


def _utc_text(micros: np.ndarray) -> pa.Array | None:
    """Microseconds since the epoch as pandas writes them, in UTC."""
    seconds, fraction = np.divmod(micros, 1_000_000)
    days, clock = np.divmod(seconds, 86_400)
    # civil date from days (H. Hinnant's algorithm), vectorised
    z = days + _EPOCH_DAYS
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    if len(year) and (year.min() < 1 or year.max() > 9999):
        return None
    stamp = [(year, 4), ("-", 0), (month, 2), ("-", 0), (day, 2), (" ", 0), (clock // 3600, 2),
             (":", 0), (clock // 60 % 60, 2), (":", 0), (clock % 60, 2)]
    zone = [("+00:00", 0)]
    whole = _fixed(stamp + zone, len(micros))
    if not fraction.any():
        return whole
    if _uniform_decimals():
        if (fraction % 1000).any():
            return _fixed(stamp + [(".", 0), (fraction, 6)] + zone, len(micros))
        return _fixed(stamp + [(".", 0), (fraction // 1000, 3)] + zone, len(micros))
    return pc.if_else(pa.array(fraction == 0), whole,
                      _fixed(stamp + [(".", 0), (fraction, 6)] + zone, len(micros)))


#: The two digits of 0 to 99, as bytes.
_TWO_DIGITS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode(), np.uint8).reshape(100, 2)


def _fixed(parts: list[tuple], n: int) -> pa.Array:
    """``n`` strings of the same width: literal text, and numbers as zero-padded digits (written
    two at a time)."""
    width = sum(len(p) if isinstance(p, str) else digits for p, digits in parts)
    text = np.empty((n, width), np.uint8)
    at = 0
    for part, digits in parts:
        if isinstance(part, str):
            text[:, at:at + len(part)] = np.frombuffer(part.encode(), np.uint8)
            at += len(part)
            continue
        first = digits % 2
        if first:
            text[:, at] = part // 10 ** (digits - 1) % 10 + 48
        for place in range(first, digits, 2):
            text[:, at + place:at + place + 2] = _TWO_DIGITS[part // 10 ** (digits - 2 - place) % 100]
        at += digits
    offsets = pa.py_buffer(np.arange(0, width * n + 1, width, dtype=np.int64))
    return pa.Array.from_buffers(pa.large_string(), n, [None, offsets, pa.py_buffer(text)])


@cache
def _uniform_decimals() -> bool:
    """Whether this pandas writes a column's times with one number of decimals (pandas 3)."""
    probe = pd.Series(pd.to_datetime(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5Z"], utc=True,
                                     format="ISO8601"))
    return "00:00:00+00:00" not in probe.to_csv(index=False)


def _pairs_json(column: pd.Series) -> pa.Array | None:
    """Each edge's item pairs as ``json.dumps`` writes them (``[["a", "b"], ...]``), as a CSV
    field: in quotes, with its quotes doubled."""
    try:
        lists = pa.array(column.array)
    except (TypeError, pa.ArrowException):
        return None
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    if not pa.types.is_large_list(lists.type) or not pa.types.is_fixed_size_list(lists.type.value_type):
        return None
    codes = lists.flatten().flatten()  # two uid codes a pair
    uids = codes.dictionary.cast(pa.large_string()) if pa.types.is_dictionary(codes.type) else codes
    if pc.any(pc.match_substring_regex(uids, "[\u0000-\u001f]")).as_py():
        return None  # json escapes these as \uXXXX: leave them to it
    # JSON's escapes, then the CSV field's doubled quotes, once a uid rather than once a pair
    uids = pc.replace_substring(pc.replace_substring(uids, "\\", "\\\\"), '"', '\\""')
    quoted = pc.binary_join_element_wise(_s('""'), uids, _s('""'), _s(""))
    if pa.types.is_dictionary(codes.type):
        quoted = quoted.take(codes.indices)
    pairs = pa.LargeListArray.from_arrays(pa.array(np.arange(0, len(quoted) + 1, 2), pa.int64()), quoted)
    pair_text = pc.binary_join_element_wise(_s("["), pc.binary_join(pairs, _s(", ")), _s("]"), _s(""))
    offsets = lists.offsets
    if lists.offset or offsets[0].as_py():
        return None
    edges = pa.LargeListArray.from_arrays(offsets, pair_text)
    return pc.binary_join_element_wise(_s('"['), pc.binary_join(edges, _s(", ")), _s(']"'), _s(""))
