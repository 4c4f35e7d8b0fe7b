"""Missing values, one way for every output.

A missing string is None in the frames of :mod:`workbench.query`, but NaN (which is truthy) in a
frame pandas 3 built with its own string dtype, and ``pd.NA`` or ``NaT`` elsewhere: ``value or ""``
shows "nan". Whatever renders a value (the CLI, widgets, the report) asks these instead.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT``; False for anything else, lists included."""
    if value is None:
        return True
    if isinstance(value, str | bytes | list | tuple | dict | set):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array-like: not one missing value
        return False


def text_or(value: Any, default: str = "") -> str:
    """``value`` as text, or ``default`` when it is missing or empty."""
    if is_missing(value):
        return default
    text = str(value)
    return text if text else default
