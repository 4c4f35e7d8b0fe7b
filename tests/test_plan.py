from datetime import date

import pytest
import yaml

from workbench.case import Case
from workbench.errors import CaseError, PlanError, RetentionError
from workbench.plan import CasePlan


def test_plan_requires_legal_basis_and_retention():
    with pytest.raises(PlanError) as info:
        CasePlan.from_data({"id": "c1", "title": "t", "retention_until": "2030-01-01"})
    assert info.value.field == "legal_basis"
    with pytest.raises(PlanError) as info:
        CasePlan.from_data({"id": "c1", "title": "t", "legal_basis": "research"})
    assert info.value.field == "retention_until"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"retention_until": "not a date"}, "retention_until"),
        ({"id": "../escape"}, "id"),
        ({"handling": "top"}, "handling"),
        ({"keywords": "fire"}, "keywords"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_fields_are_named(changes, field):
    data = {"id": "c1", "title": "t", "legal_basis": "research", "retention_until": "2030-01-01"}
    with pytest.raises(PlanError) as info:
        CasePlan.from_data({**data, **changes})
    assert info.value.field == field
    assert field in str(info.value)


def test_dates_must_be_in_order():
    with pytest.raises(PlanError, match="since is after until"):
        CasePlan.from_data({"id": "c", "title": "t", "legal_basis": "research",
                            "retention_until": "2030-01-01", "since": "2024-02-01",
                            "until": "2024-01-01"})


def test_create_writes_the_plan_and_the_folders(tmp_path):
    case = Case.create(tmp_path / "op-river", title="River", legal_basis="research",
                       retention_until="2031-06-30", hashtags=["#Fire", "smoke"],
                       requirements=["Who posted first?"])
    data = yaml.safe_load((tmp_path / "op-river" / "case.yaml").read_text())
    assert data["id"] == "op-river"
    assert data["hashtags"] == ["Fire", "smoke"]
    assert data["retention_until"] == "2031-06-30"
    assert data["requirements"] == ["Who posted first?"]
    for folder in ("raw", "media", "runs", "reports"):
        assert (tmp_path / "op-river" / folder).is_dir()
    reopened = Case.open(tmp_path / "op-river")
    assert reopened.plan == case.plan
    with pytest.raises(CaseError, match="already exists"):
        Case.create(tmp_path / "op-river", title="x", legal_basis="research",
                    retention_until="2031-01-01")


def test_open_refuses_a_folder_without_a_plan(tmp_path):
    with pytest.raises(CaseError, match="not a case"):
        Case.open(tmp_path)


def test_expired_case_refuses_collection(case, tmp_path):
    case.require_collection_allowed(today=date(2098, 1, 1))
    with pytest.raises(RetentionError, match="retention date"):
        case.require_collection_allowed(today=date(2099, 1, 2))
    case.update_plan(retention_until="2020-01-01")
    path = tmp_path / "x.csv"
    path.write_text("id,created_at,text\n1,2024-01-01T00:00:00Z,hi\n")
    with pytest.raises(RetentionError):
        case.import_file(path, progress=False)
    assert case.items().empty


def test_plan_changes_are_audited(case):
    case.update_plan(keywords=["smoke"])
    actions = [row["action"] for row in case.db["audit"].rows]
    assert actions == ["case.created", "plan.updated"]
    # An edit by hand is recorded the next time the case is opened.
    path = case.path / "case.yaml"
    path.write_text(path.read_text().replace("smoke", "ash"))
    reopened = Case.open(case.path)
    assert reopened.plan.keywords == ["ash"]
    last = list(reopened.db.query("SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1"))[0]
    assert last["action"] == "plan.updated" and "outside the workbench" in last["detail"]
    assert reopened.verify().ok
