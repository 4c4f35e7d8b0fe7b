"""The located-items frame that maps and GeoJSON take: checked, cleaned, with dropped rows counted.

One row per located item. ``lat`` and ``lon`` (WGS84 degrees) are required; ``uid``, ``platform``,
``author_handle``, ``created_at``, ``text``, ``url``, ``sentiment``, ``place_method``,
``place_confidence`` and ``place_name`` are used when present, and may hold NaN/None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError

REQUIRED = ("lat", "lon")
TEXT_COLUMNS = ("uid", "platform", "author_handle", "text", "url", "place_method", "place_name")
NUMBER_COLUMNS = ("sentiment", "place_confidence")
NO_LOCATION = "lat/lon missing or not a number"
OUT_OF_RANGE = "lat/lon out of range"
NOT_SCORED = "not scored"
# http(s), a host, then anything but whitespace and control characters.
_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f/?#]+(?:[/?#][^\s\x00-\x1f\x7f]*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Located:
    """The rows that can be placed, and how many of the input's rows could not, by reason."""

    frame: pd.DataFrame
    total: int
    dropped: dict[str, int] = field(default_factory=dict)


def located(df: object) -> Located:
    """Check and normalise a frame of located items.

    Returns a new frame with every known column present: ``lat``/``lon`` as floats in range,
    ``created_at`` as tz-aware UTC (NaT when missing or unreadable), text columns as ``str`` or
    None, ``sentiment`` and ``place_confidence`` as floats (NaN when missing; confidence clipped to
    0..1, sentiment to -1..1). Rows without a usable location are dropped and counted by reason.
    Raises ``WorkbenchError`` when ``df`` is not a DataFrame or lacks ``lat``/``lon``.
    """
    if not isinstance(df, pd.DataFrame):
        raise WorkbenchError(f"located items must be a pandas DataFrame, not {type(df).__name__}")
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise WorkbenchError(f"located items lack the column(s) {', '.join(missing)}",
                             hint="each row needs 'lat' and 'lon' in WGS84 degrees")
    df = df.reset_index(drop=True)
    lat = pd.to_numeric(df["lat"], errors="coerce").astype("float64")
    lon = pd.to_numeric(df["lon"], errors="coerce").astype("float64")
    unknown = ~(np.isfinite(lat) & np.isfinite(lon))
    outside = ~unknown & ((lat.abs() > 90) | (lon.abs() > 180))
    keep = ~(unknown | outside)
    dropped = {reason: int(n) for reason, n in ((NO_LOCATION, unknown.sum()), (OUT_OF_RANGE, outside.sum()))
               if n}

    out = pd.DataFrame({"lat": lat[keep], "lon": lon[keep]})
    rows = df.loc[keep.to_numpy()]
    for name in TEXT_COLUMNS:
        out[name] = _text(rows[name]) if name in rows.columns else None
    for name, (low, high) in zip(NUMBER_COLUMNS, ((-1.0, 1.0), (0.0, 1.0)), strict=True):
        values = pd.to_numeric(rows[name], errors="coerce") if name in rows.columns else np.nan
        out[name] = pd.Series(values, index=out.index, dtype="float64").clip(low, high)
    if "created_at" in rows.columns:
        out["created_at"] = _times(rows["created_at"]).astype("datetime64[us, UTC]")
    else:
        out["created_at"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us, UTC]")
    return Located(out.reset_index(drop=True), total=len(df), dropped=dropped)


def _text(column: pd.Series) -> pd.Series:
    """Strings stay, other values become their text, and NaN/None/empty become None."""
    values = column.astype("object")
    present = values.notna()
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = values.where(~present, values[present].map(lambda v: v if isinstance(v, str) else str(v)))
    return values.where(present & (values != ""), None).astype("object")


_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)\s*$", re.IGNORECASE)


def _times(column: pd.Series) -> pd.Series:
    """Timestamps or ISO 8601 text as UTC; naive values are taken as UTC, unreadable ones as NaT."""
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(column):
        when = pd.to_datetime(column, utc=True)
    else:
        # Times with and without an offset parsed apart: pandas 2.2 gives a naive time the offset of
        # the aware one before it when they are parsed together.
        text = column.astype("object")
        aware = text.map(lambda v: isinstance(v, str) and _OFFSET.search(v) is not None).astype(bool)
        when = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns, UTC]")
        parts = [pd.to_datetime(text[rows], utc=True, errors="coerce", format="ISO8601")
                 for rows in (aware, ~aware) if rows.any()]
        if parts:
            when = pd.concat(parts).reindex(column.index)
    return when if isinstance(when.dtype, pd.DatetimeTZDtype) else when.dt.tz_localize("UTC")


def epoch_seconds(when: pd.Series) -> np.ndarray:
    """Whole seconds since 1970 (UTC) of tz-aware times; NaT gives the smallest int64."""
    return when.astype("datetime64[s, UTC]").astype("int64").to_numpy()


def safe_url(value: object) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host, else None (so it never becomes a link)."""
    if isinstance(value, str) and _SAFE_URL.fullmatch(value):
        return value
    return None


def safe_urls(column: pd.Series) -> pd.Series:
    """:func:`safe_url` of each value."""
    values = column.astype("object")
    ok = values.notna() & values.map(lambda v: isinstance(v, str) and _SAFE_URL.fullmatch(v) is not None)
    return values.where(ok, None)


def excerpts(text: pd.Series, limit: int) -> pd.Series:
    """Text with runs of whitespace collapsed, cut to ``limit`` characters (an ellipsis marks a cut)."""
    flat = text.astype("object").where(text.notna(), None)
    present = flat.notna()
    squashed = pd.Series([" ".join(str(t).split()) for t in flat[present]], index=flat.index[present],
                         dtype="object")
    long = squashed.str.len() > limit
    squashed[long] = squashed[long].str.slice(0, max(limit - 1, 0)).str.rstrip() + "\u2026"
    out = flat.copy()
    out[present] = squashed
    return out.where(out.notna() & (out != ""), None)


def sentiment_band(score: pd.Series) -> pd.Series:
    """Each VADER compound score's band: negative (<= -0.05), neutral, positive (>= 0.05), not scored."""
    bands = pd.Series(NOT_SCORED, index=score.index, dtype="object")
    bands[score <= -0.05] = "negative"
    bands[(score > -0.05) & (score < 0.05)] = "neutral"
    bands[score >= 0.05] = "positive"
    return bands
