"""The workshop's exercises: each question's right answer, worked out from the case itself, and a
check that tells a trainee whether an answer is right (with a hint when it is not).

In a notebook: ``check("busiest-platform", answer, case)``. An unanswered question (``None``) is
said to be unanswered, not wrong, so an exercise notebook runs top to bottom before anyone has
answered anything; the solution notebooks assert that every check passes.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from workbench.case import Case


@dataclass(frozen=True)
class Question:
    prompt: str
    judge: Callable[[Any, Case], tuple[bool, str]]
    hint: str


@dataclass(frozen=True)
class Result:
    """What a check found; true only when the answer is right."""

    question: str
    status: str  # "correct", "wrong" or "unanswered"
    message: str

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        return f"{self.question}: {self.status}. {self.message}"

    def _repr_html_(self) -> str:
        colour = {"correct": "#1a7f37", "wrong": "#b42318", "unanswered": "#6b7280"}[self.status]
        return (f'<div style="border-left:4px solid {colour};padding:4px 8px">'
                f"<b>{html.escape(self.question)}: {self.status}</b><br>{html.escape(self.message)}</div>")


def check(question: str, answer: Any, case: Case) -> Result:
    """Judge ``answer`` to ``question`` against ``case``."""
    if question not in QUESTIONS:
        raise KeyError(f"no exercise {question!r}; the exercises are {', '.join(QUESTIONS)}")
    asked = QUESTIONS[question]
    if answer is None or answer is ...:
        return Result(question, "unanswered", f"{asked.prompt} Hint: {asked.hint}")
    ok, detail = asked.judge(answer, case)
    if ok:
        return Result(question, "correct", detail or "Well done.")
    return Result(question, "wrong", f"{detail} Hint: {asked.hint}".strip())


# -- the right answers --------------------------------------------------------------------------


def busiest_platform(case: Case) -> str:
    return str(case.items()["platform"].value_counts().idxmax())


def evacuation_count(case: Case) -> int:
    return len(case.items(text="evacuation"))


def top_hashtag(case: Case) -> str:
    hashtags = case.entities(label="HASHTAG")
    return str(hashtags["norm"].value_counts().idxmax())


def strongest_burst_start(case: Case) -> pd.Timestamp:
    from workbench.analyze.trends import detect_bursts

    bursts = detect_bursts(case.items())
    return bursts.sort_values("score", ascending=False).iloc[0]["start"]


def exif_located(case: Case) -> int:
    return int(case.places(method="exif")["uid"].nunique())


def top_influencer(case: Case) -> str:
    from workbench.analyze.network import influence, interaction_graph

    return str(influence(interaction_graph(case.items()), top=1).iloc[0]["account"])


def coordinated_accounts(case: Case) -> set[str]:
    """The accounts of the co-similar-text cluster (10-minute window) most given to #BOCcoverup."""
    from workbench.analyze.coordination import coordination_clusters, coordination_edges

    items = case.items()
    clusters = coordination_clusters(coordination_edges(items, "co_similar", 600, similarity=0.8))
    pushing = items[items["hashtags"].map(lambda tags: any(t.lower() == "boccoverup" for t in tags))]
    accounts = pushing["platform"] + ":" + pushing["author_id"]
    share = clusters["accounts"].map(lambda members: accounts.isin(members).sum() / len(members))
    return set(clusters.loc[share.idxmax(), "accounts"])


# -- judging -------------------------------------------------------------------------------------


def _same_text(expected: Callable[[Case], str], strip: str = "") -> Callable:
    def judge(answer: Any, case: Case) -> tuple[bool, str]:
        right = expected(case).lower().lstrip(strip)
        if str(answer).strip().lower().lstrip(strip) == right:
            return True, ""
        return False, f"{answer!r} is not it."
    return judge


def _same_number(expected: Callable[[Case], int]) -> Callable:
    def judge(answer: Any, case: Case) -> tuple[bool, str]:
        right = expected(case)
        try:
            given = int(answer)
        except (TypeError, ValueError):
            return False, f"{answer!r} is not a whole number."
        if given == right:
            return True, ""
        return False, f"{given:,} is {'too many' if given > right else 'too few'}."
    return judge


def _judge_burst(answer: Any, case: Case) -> tuple[bool, str]:
    try:
        given = pd.Timestamp(answer)
    except (TypeError, ValueError):
        return False, f"{answer!r} is not a time."
    given = given.tz_localize("UTC") if given.tzinfo is None else given.tz_convert("UTC")
    right = strongest_burst_start(case)
    if abs(given - right) <= pd.Timedelta(hours=1):
        return True, f"The burst starts at {right:%Y-%m-%d %H:%M} UTC."
    return False, f"{given:%Y-%m-%d %H:%M} UTC is {'after' if given > right else 'before'} it."


def _judge_lawful_plan(answer: Any, case: Case) -> tuple[bool, str]:
    from datetime import date

    plan = getattr(answer, "plan", answer)
    missing = []
    if not getattr(plan, "legal_basis", "").strip():
        missing.append("a legal basis")
    if not getattr(plan, "retention_until", None) or plan.retention_until <= date.today():
        missing.append("a retention date in the future")
    if not getattr(plan, "requirements", None):
        missing.append("at least one requirement (a question the case must answer)")
    if not (getattr(plan, "keywords", None) or getattr(plan, "hashtags", None)
            or getattr(plan, "accounts", None)):
        missing.append("something to collect by (keywords, hashtags or accounts)")
    if missing:
        return False, "The plan still needs " + ", ".join(missing) + "."
    return True, "A plan with a basis, a limit, questions and a scope."


def _judge_retention(answer: Any, case: Case) -> tuple[bool, str]:
    name = answer.__name__ if isinstance(answer, type) else type(answer).__name__ \
        if isinstance(answer, BaseException) else str(answer)
    return name == "RetentionError", "" if name == "RetentionError" else f"{name} is not it."


def _judge_quarantine(answer: Any, case: Case) -> tuple[bool, str]:
    return _same_number(lambda c: len(c.quarantine()))(answer, case)


def _judge_raw_hash(answer: Any, case: Case) -> tuple[bool, str]:
    from workbench.evidence import sha256_bytes

    first = case.items(limit=1).iloc[0]
    stored = case.raw_store.path(first["raw_sha256"])
    actual = sha256_bytes(Path(stored).read_bytes())
    if str(answer).strip().lower() == actual == first["raw_sha256"]:
        return True, "The file's SHA-256 is the one the item points at: the payload is unaltered."
    return False, "That is not the SHA-256 of the first item's raw file."


def _judge_tampered(answer: Any, case: Case) -> tuple[bool, str]:
    if not hasattr(answer, "ok"):
        return False, "Give the report that verify() returned for the tampered copy."
    if answer.ok:
        return False, "That report says all is well: nothing was tampered with yet."
    return True, f"verify() found it: {answer.problems[0] if answer.problems else 'a problem'}"


def _judge_accounts(answer: Any, case: Case) -> tuple[bool, str]:
    given = {str(a) for a in (answer if isinstance(answer, Iterable) and not isinstance(answer, str)
                              else [answer])}
    right = coordinated_accounts(case)
    if given == right:
        return True, f"All {len(right)} accounts, and no others."
    return False, (f"{len(given & right)} of your {len(given)} accounts are in it; it has "
                   f"{len(right)}.")


def _judge_evidence(answer: Any, case: Case) -> tuple[bool, str]:
    tagged = case.tags("evidence")
    for_two = tagged[tagged["requirement"] == 2]
    if len(for_two) >= 3:
        return True, f"{len(for_two)} items are evidence for requirement 2."
    return False, f"{len(for_two)} items are tagged as evidence for requirement 2; tag at least 3."


def _judge_report(answer: Any, case: Case) -> tuple[bool, str]:
    path = Path(str(getattr(answer, "html", answer)))
    if path.suffix == ".html" and path.exists() and path.parent == case.path / "reports":
        return True, f"The report is at {path} ({path.stat().st_size / 1e6:.1f} MB)."
    return False, f"{path} is not a report in the case's reports folder."


QUESTIONS: dict[str, Question] = {
    "busiest-platform": Question(
        "Which platform has the most items in the case?", _same_text(busiest_platform),
        "count the values of the items' platform column."),
    "evacuation-count": Question(
        "How many items does a full-text search for 'evacuation' find?",
        _same_number(evacuation_count), "case.items(text=...) searches the text."),
    "lawful-plan": Question(
        "Write a plan that may be collected under.", _judge_lawful_plan,
        "a case needs a legal basis, a retention date, requirements and a scope."),
    "retention-error": Question(
        "Which error stops collection into a case past its retention date?", _judge_retention,
        "try importing into a case whose retention date has passed, and look at the error's type."),
    "quarantined": Question(
        "How many records has the case quarantined?", _judge_quarantine,
        "case.quarantine() lists them, each with its reason."),
    "raw-sha256": Question(
        "What is the SHA-256 of the first item's raw payload file?", _judge_raw_hash,
        "hashlib.sha256 over the bytes of the file case.raw_store.path(sha) names."),
    "tampered": Question(
        "Alter a copy of the case and verify it.", _judge_tampered,
        "change an item's text in the copy's case.db with sqlite3, then call verify()."),
    "top-hashtag": Question(
        "Which hashtag is used most?", _same_text(top_hashtag, strip="#"),
        "case.entities(label='HASHTAG') and count the norm column."),
    "burst-start": Question(
        "When (UTC) does the strongest burst of posting start?", _judge_burst,
        "workbench.analyze.trends.detect_bursts(items), the row with the highest score."),
    "exif-located": Question(
        "How many items are located by the GPS in a photo's EXIF?", _same_number(exif_located),
        "case.places(method='exif'), counting items, not rows."),
    "top-influencer": Question(
        "Which account ranks first for influence in the interaction network?",
        _same_text(top_influencer, strip="@"),
        "network.influence(network.interaction_graph(items))."),
    "coordinated-accounts": Question(
        "Which accounts post near-identical text together and push #BOCcoverup?", _judge_accounts,
        "co_similar edges with a 600 s window and similarity 0.8, then coordination_clusters; "
        "answer with the accounts column of the right cluster."),
    "evidence-tagged": Question(
        "Tag at least three items as evidence for requirement 2.", _judge_evidence,
        "case.tag(uids, requirement=2, note=...)."),
    "report-written": Question(
        "Write the case report.", _judge_report, "workbench.report.render.render_report(case)."),
}
