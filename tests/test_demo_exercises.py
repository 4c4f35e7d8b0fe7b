"""The workshop's checks: right answers pass, wrong ones fail with a hint, none is unanswered."""

import shutil
import sqlite3

import pytest

from workbench.demo.exercises import QUESTIONS, check
from workbench.errors import RetentionError


def test_a_question_left_unanswered_is_said_so_with_its_hint(case):
    result = check("busiest-platform", None, case)
    assert result.status == "unanswered" and not result
    assert "Hint: count the values" in result.message
    with pytest.raises(KeyError, match="no exercise 'nope'"):
        check("nope", 1, case)


def test_answers_are_judged_against_the_case(case, write_jsonl):
    rows = [{"id": str(i), "text": f"evacuation now {i}" if i < 3 else "calm", "author": "a",
             "created_at": f"2024-03-0{1 + i}T10:00:00Z"} for i in range(5)]
    case.import_file(write_jsonl("posts.jsonl", [*rows, "{broken"]), format="jsonl", progress=False)
    assert check("evacuation-count", 3, case)
    wrong = check("evacuation-count", 4, case)
    assert wrong.status == "wrong" and "4 is too many" in wrong.message
    assert check("evacuation-count", "three", case).message.startswith("'three' is not a whole")
    assert check("busiest-platform", " Generic ", case)  # case and spaces do not matter
    assert check("quarantined", 1, case) and not check("quarantined", 0, case)
    first = case.items(limit=1).iloc[0]
    digest = first["raw_sha256"]
    assert check("raw-sha256", digest.upper(), case)
    assert not check("raw-sha256", "0" * 64, case)
    assert check("retention-error", RetentionError, case)
    assert check("retention-error", RetentionError("past"), case)
    assert not check("retention-error", "ValueError", case)
    unscoped = check("lawful-plan", case, case)
    assert not unscoped and "at least one requirement" in unscoped.message
    case.update_plan(requirements=["one", "two"], keywords=["evacuation"])
    assert check("lawful-plan", case.plan, case)
    result = check("evidence-tagged", 0, case)
    assert not result and "0 items are tagged" in result.message
    case.tag(case.items()["uid"].head(3), requirement=2)
    assert check("evidence-tagged", 3, case)


def test_tampering_is_judged_from_the_verify_report(case, write_jsonl, tmp_path):
    from workbench.case import Case

    case.import_file(write_jsonl("p.jsonl", [{"id": "1", "text": "x", "author": "a",
                                               "created_at": "2024-03-01T10:00:00Z"}]),
                     format="jsonl", progress=False)
    assert not check("tampered", case.verify(), case)  # nothing altered yet
    copy = shutil.copytree(case.path, tmp_path / "copy")
    with sqlite3.connect(copy / "case.db") as db:
        db.execute("UPDATE items SET text = 'nothing happened'")
    tampered = Case.open(copy)
    assert check("tampered", tampered.verify(), case)
    tampered.close()


def test_every_demo_question_has_an_answer_the_check_accepts(demo_case):
    from workbench.demo import exercises

    answers = {
        "busiest-platform": exercises.busiest_platform(demo_case),
        "top-hashtag": "#" + exercises.top_hashtag(demo_case).upper().lstrip("#"),
        "burst-start": str(exercises.strongest_burst_start(demo_case)),
        "exif-located": exercises.exif_located(demo_case),
        "top-influencer": "@" + exercises.top_influencer(demo_case),
        "coordinated-accounts": sorted(exercises.coordinated_accounts(demo_case)),
    }
    for question, answer in answers.items():
        assert check(question, answer, demo_case), question
    assert answers["busiest-platform"] == "twitter"
    assert answers["burst-start"].startswith("2024-03-07 23:00")
    assert len(answers["coordinated-accounts"]) == 12
    assert set(QUESTIONS) >= set(answers)
