"""Tags and notes: recorded, validated, audited, and gone with the items they point at."""

import json
from datetime import date

import pytest

from workbench.case import Case
from workbench.errors import WorkbenchError

ITEMS = [{"id": str(i), "text": f"post {i}", "created_at": f"2024-03-0{i}T10:00:00Z",
          "author": "alice"} for i in range(1, 4)]


@pytest.fixture
def case(tmp_path):
    case = Case.create(tmp_path / "c", title="T", legal_basis="Public interest research",
                       retention_until=date(2099, 1, 1),
                       requirements=["Who posted first?", "Was it coordinated?"])
    source = tmp_path / "posts.jsonl"
    source.write_text("\n".join(json.dumps(item) for item in ITEMS))
    case.import_file(source, format="jsonl", progress=False)
    yield case
    case.close()


def uids(case):
    return case.items()["uid"].tolist()


def audit_actions(case):
    return [row[0] for row in case.db.execute("SELECT action FROM audit ORDER BY seq")]


def test_tagging_evidence_against_a_requirement_is_stored_and_audited(case):
    first, second, _ = uids(case)
    assert case.tag([first, second, first], requirement=1, note="earliest <b>post</b>") == 2
    tagged = case.tags("evidence")
    assert tagged["uid"].tolist() == sorted([first, second])
    assert tagged["requirement"].tolist() == [1, 1]
    assert tagged["note"].tolist() == ["earliest <b>post</b>"] * 2
    assert audit_actions(case)[-1] == "items.tagged"
    assert case.verify().ok

    case.tag(first, requirement=2)  # again: the requirement is replaced, not doubled
    assert case.tags().set_index("uid").loc[first, "requirement"] == 2
    assert len(case.tags()) == 2


def test_untagging_removes_only_what_was_tagged_and_says_how_many(case):
    first, second, third = uids(case)
    case.tag([first, second])
    case.tag(third, "follow-up")
    assert case.untag([second, third]) == 1
    assert case.tags("evidence")["uid"].tolist() == [first]
    assert case.tags("follow-up")["uid"].tolist() == [third]
    assert audit_actions(case)[-1] == "items.untagged"
    before = len(audit_actions(case))
    assert case.untag(second) == 0 and len(audit_actions(case)) == before  # nothing to record


@pytest.mark.parametrize(("call", "message"), [
    (lambda c: c.tag("twitter:nope"), "1 item(s) not in the case: 'twitter:nope'"),
    (lambda c: c.tag([]), "no items given"),
    (lambda c: c.tag(uids(c)[0], requirement=3), "numbered 1 to 2"),
    (lambda c: c.tag(uids(c)[0], requirement=0), "numbered 1 to 2"),
    (lambda c: c.tag(uids(c)[0], "<script>"), "tag '<script>'"),
    (lambda c: c.add_note("   "), "the note is empty"),
    (lambda c: c.add_note("x" * 10_001), "10,001 characters"),
    (lambda c: c.add_note("x", at="not a time"), "note time"),
])
def test_bad_tags_and_notes_are_refused_with_the_reason_and_nothing_is_recorded(case, call, message):
    before = len(audit_actions(case))
    with pytest.raises(WorkbenchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(case)
    assert len(audit_actions(case)) == before and case.tags().empty and case.notes().empty


def test_notes_on_items_requirements_and_moments(case):
    first = uids(case)[0]
    on_item = case.add_note("same photo as the Telegram post", uid=first)
    on_moment = case.add_note("Explosion reported\x00", at="2024-03-07T23:10:00+01:00", requirement=2)
    notes = case.notes()
    assert notes["id"].tolist() == [on_item, on_moment]
    assert notes.loc[1, "text"] == "Explosion reported"  # control characters dropped
    assert str(notes.loc[1, "at"]) == "2024-03-07 22:10:00+00:00"  # UTC inside
    assert case.notes(uid=first)["text"].tolist() == ["same photo as the Telegram post"]
    assert audit_actions(case)[-2:] == ["note.added", "note.added"]


def test_purging_an_item_removes_its_tags_and_notes(case):
    first, second, _ = uids(case)
    case.tag([first, second])
    case.add_note("about the first", uid=first)
    case.add_note("about the case")
    case.purge(items=[first], reason="out of scope")
    assert case.tags()["uid"].tolist() == [second]
    assert case.notes()["text"].tolist() == ["about the case"]
    assert case.verify().ok


def test_key_judgements_are_recorded_once_with_their_evidence_tagged_and_audited(case):
    first, second, third = uids(case)
    case.tag(first, requirement=1, note="the first post")
    made = case.judge("The posts were <b>coordinated</b>", requirement=2, confidence="Moderate",
                      likelihood="probably", evidence=[first, second])
    assert case.judge("The posts were <b>coordinated</b>", requirement=2, confidence="moderate",
                      likelihood="likely", evidence=[first, second]) == made  # a template run again
    other = case.judge("Alice posted first", requirement=1, confidence="high", evidence=third)
    judged = case.judgements()
    assert judged["id"].tolist() == [other, made]  # by requirement
    row = judged.set_index("id").loc[made]
    assert (row["requirement"], row["text"], row["confidence"], row["likelihood"]) == \
        (2, "The posts were <b>coordinated</b>", "moderate", "likely or probably")
    assert row["evidence"] == [first, second] and judged.set_index("id").loc[other, "likelihood"] is None
    # Cited items become evidence (against the judgement's requirement) unless they already were.
    tagged = case.tags("evidence").set_index("uid")["requirement"].to_dict()
    assert tagged == {first: 1, second: 2, third: 1}
    assert audit_actions(case).count("judgement.added") == 2
    assert case.remove_judgement(made) and not case.remove_judgement(made)
    assert case.judgements()["id"].tolist() == [other] and audit_actions(case)[-1] == "judgement.removed"
    assert case.verify().ok


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"requirement": 3, "confidence": "high"}, "numbered 1 to 2"),
    ({"requirement": None, "confidence": "high"}, "give its number"),
    ({"requirement": 1, "confidence": "certain"}, "use one of low, moderate, high"),
    ({"requirement": 1, "confidence": "low", "likelihood": "maybe"}, "likelihood 'maybe'"),
    ({"requirement": 1, "confidence": "low", "evidence": ["twitter:nope"]}, "not in the case"),
])
def test_bad_judgements_are_refused_and_nothing_is_recorded(case, kwargs, message):
    before = len(audit_actions(case))
    with pytest.raises(WorkbenchError, match=message):
        case.judge("It happened", **kwargs)
    with pytest.raises(WorkbenchError, match="the judgement is empty"):
        case.judge("  ", requirement=1, confidence="low")
    assert len(audit_actions(case)) == before and case.judgements().empty and case.tags().empty
