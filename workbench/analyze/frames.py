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


#: The item columns :mod:`workbench.analyze.coordination` reads: on a large case, load only these
#: (``case.items(columns=COORDINATION_COLUMNS)``), a fraction of the whole frame.
COORDINATION_COLUMNS = ("uid", "platform", "author_id", "author_handle", "created_at", "repost_of",
                        "reply_to", "links", "hashtags", "text")
#: The item columns the timelines (:mod:`workbench.analyze.timeline`) read: the time, an account
#: to pick, and what volumes are split by (platform, kind, language, sentiment band, keyword).
TIMELINE_COLUMNS = ("uid", "platform", "kind", "author_id", "author_handle", "created_at", "lang",
                    "language", "sentiment", "text", "hashtags")
