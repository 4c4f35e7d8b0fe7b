"""Small HTML pieces the widgets show; every value that came from a case or a post is escaped (and
table cells bidi-isolated)."""

from __future__ import annotations

from html import escape

import pandas as pd

from workbench.display import html_isolated
from workbench.errors import WorkbenchError


def message(text: str, kind: str = "info") -> str:
    """A one-line status message (``kind``: info, ok, error) as escaped HTML."""
    colour = {"ok": "#1a7f37", "error": "#cf222e"}.get(kind, "#57606a")
    return f'<span class="wb-{kind}" style="color:{colour}">{escape(str(text))}</span>'


def error_message(exc: Exception) -> str:
    """An error, with its hint when it is a WorkbenchError, as escaped HTML."""
    if isinstance(exc, WorkbenchError):
        text = exc.message + (f" ({exc.hint})" if exc.hint else "")
    else:
        text = f"{type(exc).__name__}: {exc}"
    return message(text, "error")


def table(frame: pd.DataFrame, *, max_rows: int = 50, css_class: str = "wb-table") -> str:
    """A DataFrame as an HTML table (the first ``max_rows`` rows), every header and cell escaped."""
    if frame.empty:
        return message("nothing to show")
    head = "".join(f"<th>{escape(str(column))}</th>" for column in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{'' if _missing(v) else html_isolated(v)}</td>" for v in row) + "</tr>"
        for row in frame.head(max_rows).itertuples(index=False))
    more = "" if len(frame) <= max_rows else message(f"... and {len(frame) - max_rows:,} more rows")
    return (f'<table class="{escape(css_class)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>{more}")


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        return False
