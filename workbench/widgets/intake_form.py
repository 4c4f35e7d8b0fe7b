"""The case intake form: fill in and validate the plan, and save it to case.yaml (audited).

The logic is in plain functions (:func:`form_values`, :func:`plan_data`, :func:`validate`,
:func:`save`); :class:`IntakeForm` only lays them out as ipywidgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w
from pydantic import ValidationError

from workbench.case import PLAN_FILE, Case
from workbench.errors import WorkbenchError
from workbench.plan import HANDLING, CasePlan
from workbench.widgets import state
from workbench.widgets.render import error_message, message

#: The form's fields in the order shown, with their labels.
FIELDS = {
    "title": "Title", "analyst": "Analyst", "requirements": "Requirements",
    "keywords": "Keywords", "hashtags": "Hashtags", "accounts": "Accounts", "platforms": "Platforms",
    "feeds": "Feeds", "since": "Since", "until": "Until", "legal_basis": "Legal basis",
    "retention_until": "Retain until", "handling": "Handling",
}
#: Fields typed as lists: requirements one per line, the others one per line or comma separated.
LIST_FIELDS = ("requirements", "keywords", "hashtags", "accounts", "platforms", "feeds")
OPTIONAL = ("analyst", "since", "until")
DATE_HINT = "YYYY-MM-DD"


def form_values(plan: CasePlan) -> dict[str, str]:
    """A plan as the text the form's fields show."""
    data = plan.model_dump(mode="json")
    values = {}
    for field in FIELDS:
        value = data.get(field)
        if field in LIST_FIELDS:
            values[field] = "\n".join(value or [])
        else:
            values[field] = "" if value is None else str(value)
    return values


def split_list(text: str, *, commas: bool = True) -> list[str]:
    """Entries of a list field: one per line (and, with ``commas``, comma separated)."""
    parts = text.replace(",", "\n").splitlines() if commas else text.splitlines()
    return [part.strip() for part in parts if part.strip()]


def plan_data(values: dict[str, str]) -> dict[str, Any]:
    """The form's text as plan fields (lists split, empty optional fields as None)."""
    data: dict[str, Any] = {}
    for field, text in values.items():
        text = text or ""
        if field in LIST_FIELDS:
            data[field] = split_list(text, commas=field != "requirements")
        elif field in OPTIONAL and not text.strip():
            data[field] = None
        else:
            data[field] = text.strip()
    return data


def validate(values: dict[str, str], base: dict[str, Any]) -> tuple[CasePlan | None, dict[str, str]]:
    """Validate the form over ``base`` (the plan's other fields): the plan, or the errors by field.

    An error about the whole plan (since after until) is given to ``until``.
    """
    try:
        return CasePlan.model_validate({**base, **plan_data(values)}), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "until"
            text = error["msg"].removeprefix("Value error, ")
            if error["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
                text = f"a date as {DATE_HINT}"
            errors.setdefault(field, text)
        return None, errors


def save(case: Case, values: dict[str, str]) -> tuple[CasePlan | None, dict[str, str]]:
    """Validate the form and save the fields that changed with ``case.update_plan`` (audited).
    Returns the plan (None when invalid) and the errors by field; nothing is written when invalid."""
    current = case.plan.model_dump(mode="json")
    plan, errors = validate(values, current)
    if plan is None:
        return None, errors
    new = plan.model_dump(mode="json")
    changed = {field: new[field] for field in values if new.get(field) != current.get(field)}
    if changed:
        plan = case.update_plan(**changed)
    return plan, {}


def create(path: str | Path, values: dict[str, str], case_id: str = "") -> tuple[Case | None, dict[str, str]]:
    """Create a case at ``path`` from the form; returns the case, or None and the errors by field."""
    path = Path(path)
    plan, errors = validate(values, {"id": case_id.strip() or path.name})
    if plan is None:
        return None, errors
    data = plan.model_dump(mode="json")
    fields = {field: data[field] for field in values if field not in ("title", "legal_basis",
                                                                       "retention_until")}
    case = Case.create(path, title=data["title"], legal_basis=data["legal_basis"],
                       retention_until=data["retention_until"], id=data["id"], **fields)
    return case, {}


class IntakeForm(w.VBox):
    """The intake form. Editing an existing case saves each valid change to case.yaml; for a new
    folder it shows a Create button. Field errors are shown beside their fields."""

    def __init__(self, case_or_path: Case | str | Path, **defaults: Any):
        self.case: Case | None = None
        if isinstance(case_or_path, Case):
            self.case, self.path = case_or_path, case_or_path.path
        else:
            self.path = Path(case_or_path)
            if (self.path / PLAN_FILE).is_file():
                self.case = Case.open(self.path)
        self.key = state.case_key(self.path)
        self.controls = {field: self._control(field) for field in FIELDS}
        self.errors = {field: w.HTML("", layout=w.Layout(margin="0 0 0 8px")) for field in FIELDS}
        self.status = w.HTML()
        self.case_id = w.Text(description="Case id", value=self.path.name,
                              style={"description_width": "110px"}, continuous_update=False)
        self.create_button = w.Button(description="Create case", button_style="primary")
        self.create_button.on_click(lambda _: self.create())
        if self.case is not None:
            self._fill(form_values(self.case.plan))
        else:
            given = {field: _as_text(defaults.get(field)) for field in FIELDS}
            blank = {field: "internal" if field == "handling" else "" for field in FIELDS}
            self._fill(state.initial(self.key, "intake", blank, given))
            state.bind(self.key, "intake", self.controls)
        for control in self.controls.values():
            control.observe(lambda _: self._changed(), names="value")
        rows = [w.HBox([self.controls[f], self.errors[f]]) for f in FIELDS]
        head = [w.HTML(f"<b>Case plan</b> {message(str(self.path))}")]
        tail = [self.status] if self.case is not None else [self.case_id, self.create_button, self.status]
        super().__init__(head + rows + tail)
        self.add_class("wb-intake")

    @staticmethod
    def _control(field: str) -> w.Widget:
        common = {"description": FIELDS[field], "style": {"description_width": "110px"},
                  "layout": w.Layout(width="520px")}
        if field == "handling":
            return w.Dropdown(options=HANDLING, value="internal", **common)
        if field in LIST_FIELDS:
            hint = "one per line" if field == "requirements" else "one per line, or comma separated"
            control = w.Textarea(placeholder=hint, rows=4 if field == "requirements" else 2,
                                 continuous_update=False, **common)
        else:
            hint = DATE_HINT if field in ("since", "until", "retention_until") else ""
            control = w.Text(placeholder=hint, continuous_update=False, **common)
        control.add_class(f"wb-intake-{field.replace('_', '-')}")
        return control

    def values(self) -> dict[str, str]:
        """The form's current text, by field."""
        return {field: control.value for field, control in self.controls.items()}

    def _fill(self, values: dict[str, str]) -> None:
        for field, value in values.items():
            if field in self.controls and value is not None:
                self.controls[field].value = value

    def _show(self, errors: dict[str, str]) -> None:
        for field, shown in self.errors.items():
            shown.value = message(errors[field], "error") if field in errors else ""

    def _changed(self) -> None:
        if self.case is None:
            self._show(validate(self.values(), {"id": self.case_id.value or "new"})[1])
            return
        self.save()

    def save(self) -> bool:
        """Validate and save to case.yaml; True when saved (or nothing changed)."""
        if self.case is None:
            raise WorkbenchError("no case yet: create it first", hint="press Create case")
        try:
            plan, errors = save(self.case, self.values())
        except WorkbenchError as exc:
            self.status.value = error_message(exc)
            return False
        self._show(errors)
        self.status.value = message(f"saved {PLAN_FILE}", "ok") if plan else message(
            "not saved: correct the fields marked", "error")
        return plan is not None

    def create(self) -> Case | None:
        """Create the case from the form (new folders only)."""
        try:
            case, errors = create(self.path, self.values(), self.case_id.value)
        except WorkbenchError as exc:
            self.status.value = error_message(exc)
            return None
        self._show(errors)
        if case is None:
            self.status.value = message("not created: correct the fields marked", "error")
            return None
        self.case = case
        self.children = [c for c in self.children if c not in (self.case_id, self.create_button)]
        self.status.value = message(f"created {case.path / PLAN_FILE}", "ok")
        return case


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return str(value)
