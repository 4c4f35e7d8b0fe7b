"""The case plan: what the case must answer, about whom, from where, on what legal basis, until when."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from workbench.errors import PlanError

CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
HANDLING = ("public", "internal", "restricted", "confidential", "secret")


class CasePlan(BaseModel):
    """The plan kept in ``case.yaml``. ``legal_basis`` and ``retention_until`` are required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    title: str = Field(min_length=1)
    legal_basis: str = Field(min_length=3)
    retention_until: date
    analyst: str | None = None
    requirements: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list)
    platforms: list[str] = Field(default_factory=list)
    feeds: list[str] = Field(
        default_factory=list,
        description="RSS/Atom feed URLs (news, blogs, forums, channel feeds) that `workbench collect "
        "DIR feed` and `workbench watch` read when no --url is given",
    )
    countries: list[str] = Field(default_factory=list)
    languages: list[str] = Field(
        default_factory=list,
        description="ISO 639-1 codes of the languages expected; language detection considers only "
        "these (fewer is faster and leaner). Empty: a wide default set.",
    )
    spacy_models: dict[str, str] = Field(
        default_factory=lambda: {"en": "en_core_web_sm"},
        description="language code -> installed spaCy pipeline (name or path) for named entities",
    )
    since: date | None = None
    until: date | None = None
    handling: str = "internal"
    column_map: dict[str, str] = Field(
        default_factory=dict,
        description="item field -> column name, for generic CSV/JSON imports",
    )

    @field_validator("id")
    @classmethod
    def _id_is_a_folder_name(cls, value: str) -> str:
        if not CASE_ID.match(value):
            raise ValueError("use letters, digits, '.', '_' or '-' (at most 64), starting with one")
        return value

    @field_validator("hashtags")
    @classmethod
    def _strip_hash(cls, values: list[str]) -> list[str]:
        return [v.lstrip("#") for v in values if v.strip("# ")]

    @field_validator("feeds")
    @classmethod
    def _web_addresses(cls, values: list[str]) -> list[str]:
        urls = [v.strip() for v in values if v.strip()]
        bad = [u for u in urls if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc]
        if bad:
            raise ValueError(f"feeds must be http(s) addresses, not {', '.join(bad)}")
        return urls

    @field_validator("languages")
    @classmethod
    def _iso_codes(cls, values: list[str]) -> list[str]:
        codes = [v.strip().lower() for v in values if v.strip()]
        bad = [c for c in codes if not re.fullmatch(r"[a-z]{2}", c)]
        if bad:
            raise ValueError(f"use two-letter ISO 639-1 codes, not {', '.join(bad)}")
        return codes

    @field_validator("handling")
    @classmethod
    def _known_handling(cls, value: str) -> str:
        if value.lower() not in HANDLING:
            raise ValueError(f"must be one of {', '.join(HANDLING)}")
        return value.lower()

    @model_validator(mode="after")
    def _dates_in_order(self) -> CasePlan:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")
        return self

    def is_expired(self, today: date | None = None) -> bool:
        """True when the retention date has passed: nothing more may be collected."""
        return (today or date.today()) > self.retention_until

    @classmethod
    def from_data(cls, data: dict, *, where: str = "case.yaml") -> CasePlan:
        """Validate a plan, turning pydantic's errors into a PlanError naming the field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "plan"
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'plan'}: {e['msg']}" for e in exc.errors()
            )
            raise PlanError(f"{where}: {problems}", field=field) from exc

    @classmethod
    def load(cls, path: Path) -> CasePlan:
        """Read and validate ``case.yaml``."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise PlanError(f"{path}: no case.yaml here", field=None) from exc
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise PlanError(f"{path}: not readable YAML: {exc}", field=None) from exc
        if not isinstance(data, dict):
            raise PlanError(f"{path}: expected a mapping of plan fields", field=None)
        return cls.from_data(data, where=str(path))

    def save(self, path: Path) -> None:
        """Write the plan as YAML, fields in declaration order."""
        data = self.model_dump(mode="json", exclude_defaults=False)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
