"""The analyst's own marks on a case: tags on items (``evidence`` above all), notes and key judgements.

A tag ties an item to one of the plan's requirements (numbered from 1, as the report shows them)
with an optional note saying why. A note is free text about an item, a requirement, or a moment of
the case (``at``: the timeline shows it as an annotation). A key judgement answers a requirement
with a confidence, resting on evidence items: the report's executive summary. Every change is one
audit entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from workbench import audit
from workbench.errors import WorkbenchError
from workbench.store import chunks, write
from workbench.timeutil import now_text, parse_time, to_text

if TYPE_CHECKING:
    from workbench.case import Case

EVIDENCE = "evidence"
MAX_NOTE_CHARS = 10_000
_TAG = re.compile(r"^[\w][\w .:/-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AnnotationError(WorkbenchError):
    """A tag or note that cannot be recorded as asked."""


def tag(case: Case, uids: str | Iterable[str], tag: str = EVIDENCE, *,
        requirement: int | None = None, note: str | None = None) -> int:
    """Tag items (``evidence`` by default), optionally against requirement number ``requirement``
    of the plan and with a note; tagging again replaces the requirement and note. Returns how many
    items were tagged."""
    uids = _existing(case, uids)
    tag = _tag_name(tag)
    requirement = _requirement(case, requirement)
    note = _text(note, "note") if note is not None else None
    at, who = now_text(), audit.actor()
    with write(case.db):
        case.db.conn.executemany(
            "INSERT OR REPLACE INTO tags (uid, tag, requirement, note, tagged_at, tagged_by) "
            "VALUES (?, ?, ?, ?, ?, ?)", [(uid, tag, requirement, note, at, who) for uid in uids])
        audit.append(case.db, "items.tagged", {"tag": tag, "requirement": requirement, "note": note,
                                               "uids": uids})
    return len(uids)


def untag(case: Case, uids: str | Iterable[str], tag: str = EVIDENCE) -> int:
    """Remove a tag from items; returns how many had it."""
    uids = [uids] if isinstance(uids, str) else list(dict.fromkeys(uids))
    tag = _tag_name(tag)
    removed: list[str] = []
    with write(case.db):
        for chunk in chunks(uids):
            marks = ", ".join("?" * len(chunk))
            removed += [uid for (uid,) in case.db.execute(
                f"SELECT uid FROM tags WHERE tag = ? AND uid IN ({marks})", [tag, *chunk])]
            case.db.execute(f"DELETE FROM tags WHERE tag = ? AND uid IN ({marks})", [tag, *chunk])
        if removed:
            audit.append(case.db, "items.untagged", {"tag": tag, "uids": removed})
    return len(removed)


def tags(case: Case, tag: str | None = None) -> pd.DataFrame:
    """Tagged items: ``uid, tag, requirement, note, tagged_at, tagged_by``, oldest first."""
    where, params = ("WHERE tag = ?", [tag]) if tag else ("", [])
    rows = case.db.execute(
        f"SELECT uid, tag, requirement, note, tagged_at, tagged_by FROM tags {where} "
        "ORDER BY tagged_at, uid", params).fetchall()
    frame = pd.DataFrame(rows, columns=["uid", "tag", "requirement", "note", "tagged_at", "tagged_by"])
    frame["requirement"] = frame["requirement"].astype("Int64")
    frame["tagged_at"] = pd.to_datetime(frame["tagged_at"], utc=True, format="ISO8601")
    return frame


def add_note(case: Case, text: str, *, uid: str | None = None, requirement: int | None = None,
             at: str | datetime | None = None) -> int:
    """Record a note on an item, a requirement, a moment (``at``, shown on timelines) or the case;
    returns the note's id."""
    text = _text(text, "note")
    if uid is not None:
        (uid,) = _existing(case, uid)
    requirement = _requirement(case, requirement)
    when = to_text(parse_time(at, field="note time")[0]) if at is not None else None
    with write(case.db):
        note_id = case.db["notes"].insert({
            "uid": uid, "requirement": requirement, "at": when, "text": text,
            "created_at": now_text(), "author": audit.actor()}).last_pk
        audit.append(case.db, "note.added", {"id": note_id, "uid": uid, "requirement": requirement,
                                             "at": when, "text": text})
    return int(note_id)


def notes(case: Case, *, uid: str | None = None) -> pd.DataFrame:
    """Notes (on one item with ``uid``): ``id, uid, requirement, at, text, created_at, author``."""
    where, params = ("WHERE uid = ?", [uid]) if uid else ("", [])
    rows = case.db.execute(
        f"SELECT id, uid, requirement, at, text, created_at, author FROM notes {where} ORDER BY id",
        params).fetchall()
    frame = pd.DataFrame(rows, columns=["id", "uid", "requirement", "at", "text", "created_at",
                                        "author"])
    frame["requirement"] = frame["requirement"].astype("Int64")
    for column in ("at", "created_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def _existing(case: Case, uids: str | Iterable[str]) -> list[str]:
    wanted = [uids] if isinstance(uids, str) else list(dict.fromkeys(uids))
    if not wanted:
        raise AnnotationError("no items given to tag")
    found: set[str] = set()
    for chunk in chunks(wanted):
        marks = ", ".join("?" * len(chunk))
        found.update(uid for (uid,) in case.db.execute(
            f"SELECT uid FROM items WHERE uid IN ({marks})", chunk))
    missing = [uid for uid in wanted if uid not in found]
    if missing:
        shown = ", ".join(repr(uid) for uid in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise AnnotationError(f"{len(missing)} item(s) not in the case: {shown}",
                              hint="tag items by their uid, as `workbench items` lists them")
    return wanted


def _tag_name(tag: str) -> str:
    name = (tag or "").strip()
    if not _TAG.match(name):
        raise AnnotationError(f"tag {tag!r}: use 1 to 64 letters, digits, spaces or . : / - _")
    return name


def _requirement(case: Case, number: int | None) -> int | None:
    if number is None:
        return None
    count = len(case.plan.requirements)
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= count:
        raise AnnotationError(
            f"requirement {number!r}: the plan has {count} requirement(s), numbered 1 to {count}"
            if count else f"requirement {number!r}: the plan lists no requirements",
            hint="add requirements to the plan (case.yaml or the intake form) first")
    return number


def _text(text: str, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise AnnotationError(f"the {what} is empty")
    text = _CONTROL.sub("", text.strip())
    if len(text) > MAX_NOTE_CHARS:
        raise AnnotationError(f"the {what} has {len(text):,} characters; at most {MAX_NOTE_CHARS:,}")
    return text


# -- key judgements --------------------------------------------------------------------------------

#: Analytic confidence (the US intelligence community's three levels): how far the analyst trusts
#: the sources and the reasoning behind a judgement, apart from how likely it is.
CONFIDENCE = ("low", "moderate", "high")
#: The UK Professional Head of Intelligence Assessment (PHIA) probability yardstick: how likely
#: what a judgement says is, each term with its range.
LIKELIHOOD = {"remote chance": "≤5%", "highly unlikely": "10-20%", "unlikely": "25-35%",
              "realistic possibility": "40-50%", "likely or probably": "55-75%",
              "highly likely": "80-90%", "almost certain": "≥95%"}
_LIKELIHOOD_ALIASES = {"likely": "likely or probably", "probably": "likely or probably",
                       "probable": "likely or probably", "likely or probable": "likely or probably"}


def add_judgement(case: Case, text: str, *, requirement: int, confidence: str,
                  likelihood: str | None = None, evidence: str | Iterable[str] = ()) -> int:
    """Record a key judgement for the report's executive summary; returns its id.

    It answers requirement number ``requirement`` of the plan, with an analytic ``confidence``
    (:data:`CONFIDENCE`: low, moderate or high) and optionally a ``likelihood`` in the words of
    the PHIA yardstick (:data:`LIKELIHOOD`), resting on ``evidence`` (item uids). Evidence items
    not yet tagged ``evidence`` are tagged so, against the same requirement, so the report lists
    them with their provenance. The same judgement recorded again is not doubled (a template run
    twice); its id is returned. Audited as ``judgement.added``.
    """
    text = _text(text, "judgement")
    if requirement is None:
        raise AnnotationError("a judgement answers one of the plan's requirements: give its number",
                              hint="workbench judge DIR --requirement N ...")
    requirement = _requirement(case, requirement)
    confidence = _choice(confidence, CONFIDENCE, "confidence")
    if likelihood is not None and str(likelihood).strip():
        said = " ".join(str(likelihood).split()).lower()
        likelihood = _choice(_LIKELIHOOD_ALIASES.get(said, said), tuple(LIKELIHOOD), "likelihood")
    else:
        likelihood = None
    wanted = [evidence] if isinstance(evidence, str) else list(evidence or [])
    uids = _existing(case, wanted) if wanted else []
    with write(case.db):
        same = case.db.execute(
            "SELECT id FROM judgements WHERE requirement = ? AND text = ? AND confidence = ? "
            "AND likelihood IS ? AND evidence = ?",
            [requirement, text, confidence, likelihood, json.dumps(uids)]).fetchone()
        if same:
            return int(same[0])
        tagged = {uid for (uid,) in case.db.execute("SELECT uid FROM tags WHERE tag = ?", [EVIDENCE])}
        untagged = [uid for uid in uids if uid not in tagged]
        if untagged:
            tag(case, untagged, EVIDENCE, requirement=requirement)
        judgement_id = case.db["judgements"].insert({
            "requirement": requirement, "text": text, "confidence": confidence,
            "likelihood": likelihood, "evidence": json.dumps(uids), "created_at": now_text(),
            "author": audit.actor()}).last_pk
        audit.append(case.db, "judgement.added", {
            "id": judgement_id, "requirement": requirement, "text": text, "confidence": confidence,
            "likelihood": likelihood, "evidence": uids})
    return int(judgement_id)


def remove_judgement(case: Case, judgement_id: int) -> bool:
    """Withdraw a key judgement; audited as ``judgement.removed``. Returns whether it existed."""
    with write(case.db):
        row = case.db.execute("SELECT text FROM judgements WHERE id = ?", [judgement_id]).fetchone()
        if row is None:
            return False
        case.db.execute("DELETE FROM judgements WHERE id = ?", [judgement_id])
        audit.append(case.db, "judgement.removed", {"id": judgement_id, "text": row[0]})
    return True


def judgements(case: Case) -> pd.DataFrame:
    """Key judgements, by requirement then as written: ``id, requirement, text, confidence,
    likelihood, evidence`` (a list of item uids), ``created_at, author``."""
    rows = case.db.execute(
        "SELECT id, requirement, text, confidence, likelihood, evidence, created_at, author "
        "FROM judgements ORDER BY requirement, id").fetchall()
    frame = pd.DataFrame(rows, columns=["id", "requirement", "text", "confidence", "likelihood",
                                        "evidence", "created_at", "author"], dtype=object)
    frame["evidence"] = [json.loads(e) if e else [] for e in frame["evidence"]]
    frame["id"] = frame["id"].astype("int64")
    frame["requirement"] = frame["requirement"].astype("Int64")
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    return frame


def _choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    said = " ".join(str(value or "").split()).lower()
    if said not in allowed:
        raise AnnotationError(f"{what} {value!r}: use one of {', '.join(allowed)}")
    return said
