"""Checks on the frames the analysis functions take."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbench.errors import WorkbenchError


def require_columns(frame: object, columns: Iterable[str], what: str = "item") -> None:
    """Raise a WorkbenchError unless ``frame`` is a DataFrame holding ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise WorkbenchError(f"expected the case's {what} DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise WorkbenchError(f"the {what} frame lacks column(s): {', '.join(missing)}",
                             hint="pass case.items(), which has every column" if what == "item"
                             else None)
