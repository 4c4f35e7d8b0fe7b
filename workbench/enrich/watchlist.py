"""The case's own watch list: weighted terms kept in the case store, every change audited.

The plan's keywords, hashtags and accounts are watched too (see :func:`watch.plan_terms`); this
list adds the analyst's weighted terms, phrases and regular expressions by category.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from workbench import audit
from workbench.enrich.watch import WatchTerm
from workbench.store import write
from workbench.timeutil import now_text

if TYPE_CHECKING:
    from workbench.case import Case

FIELDS = ("term", "kind", "category", "weight", "note")


def stored_terms(case: Case) -> list[WatchTerm]:
    """The terms kept in the case, oldest first."""
    rows = case.db.execute(f"SELECT {', '.join(FIELDS)} FROM watch_terms ORDER BY id").fetchall()
    return [WatchTerm(**dict(zip(FIELDS, row, strict=True))) for row in rows]


def add_terms(case: Case, terms: Iterable[WatchTerm]) -> int:
    """Add terms (a term already there with the same kind and category gets the new weight and
    note); returns how many were added or changed."""
    terms = list(terms)
    changed = 0
    with write(case.db):
        for term in terms:
            old = case.db.execute(
                "SELECT weight, note FROM watch_terms WHERE kind = ? AND term = ? AND category = ?",
                [term.kind, term.term, term.category]).fetchone()
            if old == (term.weight, term.note):
                continue
            case.db.execute(
                "INSERT INTO watch_terms (term, kind, category, weight, note, added_at, added_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, term, category) DO UPDATE SET "
                "weight = excluded.weight, note = excluded.note",
                [term.term, term.kind, term.category, term.weight, term.note, now_text(),
                 audit.actor()])
            changed += 1
        if changed:
            audit.append(case.db, "watch.added", {
                "terms": [t.model_dump() for t in terms], "changed": changed})
    return changed


def remove_terms(case: Case, *, terms: Iterable[str] = (), category: str | None = None) -> int:
    """Remove terms by their text (any kind), or a whole category; returns how many went."""
    where, params = [], []
    terms = list(terms)
    if terms:
        where.append(f"term IN ({', '.join('?' * len(terms))})")
        params += terms
    if category:
        where.append("category = ?")
        params.append(category)
    if not where:
        return 0
    with write(case.db):
        gone = case.db.execute(f"DELETE FROM watch_terms WHERE {' AND '.join(where)}",
                               params).rowcount
        if gone:
            audit.append(case.db, "watch.removed", {"terms": terms, "category": category,
                                                    "removed": gone})
    return gone


def watch_frame(case: Case) -> pd.DataFrame:
    """The stored watch list as a DataFrame."""
    return pd.read_sql_query("SELECT * FROM watch_terms ORDER BY id", case.db.conn)
