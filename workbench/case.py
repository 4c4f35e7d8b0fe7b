"""The case: a folder holding the plan, the store, the evidence, runs and reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench import audit, stale_runs
from workbench.errors import CaseError, RetentionError
from workbench.evidence import BlobStore, sha256_bytes
from workbench.plan import CasePlan
from workbench.store import connect, write

if TYPE_CHECKING:
    import pandas as pd

    from workbench.capture import CaptureResult
    from workbench.enrich.job import EnrichResult
    from workbench.enrich.watch import WatchTerm
    from workbench.geo.locate import LocateResult
    from workbench.geo.online import CachedGeocoder
    from workbench.ingest import ImportResult
    from workbench.purge import PurgeResult
    from workbench.verify import VerifyReport

PLAN_FILE = "case.yaml"
DB_FILE = "case.db"
FOLDERS = ("raw", "media", "runs", "reports")


class Case:
    """An open case. Create one with :meth:`create`, open an existing one with :meth:`open`."""

    def __init__(self, path: Path, plan: CasePlan):
        self.path = path
        self.plan = plan
        self.db = connect(path / DB_FILE)
        self.raw_store = BlobStore(path / "raw")
        self.media_store = BlobStore(path / "media")
        self.capture_store = BlobStore(path / "captures")  # made by the first capture

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, *, title: str, legal_basis: str,
               retention_until: date | str, **plan_fields: Any) -> Case:
        """Make a new case folder with a validated plan; the folder's name is the case id."""
        path = Path(path)
        if (path / PLAN_FILE).exists():
            raise CaseError(f"{path}: a case already exists here",
                            hint="open it with Case.open, or choose another folder")
        plan = CasePlan.from_data({
            "id": plan_fields.pop("id", None) or path.name, "title": title,
            "legal_basis": legal_basis, "retention_until": retention_until, **plan_fields,
        })
        if plan.is_expired():
            raise CaseError(f"retention_until {plan.retention_until} has passed: a new case could "
                            "keep nothing it collects",
                            hint="give the date until which the case may keep its data")
        path.mkdir(parents=True, exist_ok=True)
        for folder in FOLDERS:
            (path / folder).mkdir(exist_ok=True)
        plan.save(path / PLAN_FILE)
        case = cls(path, plan)
        with write(case.db):
            audit.append(case.db, "case.created", {
                "plan": plan.model_dump(mode="json"), "plan_sha256": case._plan_hash(),
            })
        return case

    @classmethod
    def open(cls, path: str | Path) -> Case:
        """Open an existing case; a plan edited by hand since last seen is recorded in the audit,
        and runs whose process was killed are marked interrupted (:mod:`workbench.stale_runs`)."""
        path = Path(path)
        if not (path / PLAN_FILE).is_file():
            raise CaseError(f"{path}: not a case (no {PLAN_FILE})",
                            hint="create one with `workbench new`")
        case = cls(path, CasePlan.load(path / PLAN_FILE))
        case._record_plan_edits()
        stale_runs.mark_abandoned(case.db)
        return case

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Case({str(self.path)!r}, title={self.plan.title!r})"

    # -- the plan ------------------------------------------------------------------------------

    def _plan_hash(self) -> str:
        return sha256_bytes((self.path / PLAN_FILE).read_bytes())

    def _last_plan_hash(self) -> str | None:
        row = self.db.execute(
            "SELECT json_extract(detail, '$.plan_sha256') FROM audit "
            "WHERE action IN ('case.created', 'plan.updated') ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def _record_plan_edits(self) -> None:
        current = self._plan_hash()
        if self._last_plan_hash() not in (None, current):
            with write(self.db):
                if self._last_plan_hash() != current:
                    audit.append(self.db, "plan.updated", {
                        "plan": self.plan.model_dump(mode="json"), "plan_sha256": current,
                        "how": "case.yaml edited outside the workbench",
                    })

    def update_plan(self, **changes: Any) -> CasePlan:
        """Change plan fields, validate, save case.yaml and record the change in the audit."""
        data = {**self.plan.model_dump(mode="json"), **changes}
        plan = CasePlan.from_data(data)
        plan.save(self.path / PLAN_FILE)
        self.plan = plan
        with write(self.db):
            audit.append(self.db, "plan.updated", {
                "changed": sorted(changes), "plan": plan.model_dump(mode="json"),
                "plan_sha256": self._plan_hash(),
            })
        return plan

    def require_collection_allowed(self, today: date | None = None) -> None:
        """Refuse collection past the retention date (the legal basis is required by the plan)."""
        if self.plan.is_expired(today):
            raise RetentionError(
                f"{self.path}: the case's retention date {self.plan.retention_until} has passed; "
                "nothing more may be collected into it",
                hint="purge what is due with `workbench purge --before`, or record a new legal "
                "basis and retention date in case.yaml if one applies",
            )

    # -- the work ------------------------------------------------------------------------------

    def import_file(self, path: str | Path, *, format: str = "auto",
                    column_map: dict[str, str] | None = None, encoding: str | None = None,
                    dayfirst: bool | None = None, time_format: str | None = None,
                    max_file_size: int | str | None = None,
                    max_member_size: int | str | None = None,
                    max_field_size: int | str | None = None,
                    progress: bool = True) -> ImportResult:
        """Import an exported file; see :func:`workbench.ingest.import_file`.

        ``dayfirst`` (True, or False for month-first) and ``time_format`` (strptime) say how a
        generic file's times are written when you know; the ``max_*_size`` raise the size caps
        (bytes, or text such as ``"4G"``; see :class:`workbench.collect.limits.Limits`).
        """
        from workbench.collect.limits import Limits
        from workbench.ingest import import_file

        limits = Limits.of(file_size=max_file_size, member_size=max_member_size,
                           field_size=max_field_size)
        return import_file(self, path, format=format, column_map=column_map, encoding=encoding,
                           dayfirst=dayfirst, time_format=time_format, limits=limits,
                           progress=progress)

    def items(self, *, text: str | None = None, platform: str | None = None,
              since: str | datetime | date | None = None,
              until: str | datetime | date | None = None, author: str | None = None,
              language: str | None = None, sentiment: str | None = None,
              min_risk: float | None = None, entity: str | None = None,
              limit: int | None = None, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The case's items as a DataFrame (only ``columns``, when given); see
        :func:`workbench.query.items`."""
        from workbench.query import items

        return items(self.db, text=text, platform=platform, since=since, until=until,
                     author=author, language=language, sentiment=sentiment, min_risk=min_risk,
                     entity=_entity_query(entity), limit=limit, columns=columns)

    def entities(self, *, label: str | None = None, uid: str | None = None,
                 entity: str | None = None) -> pd.DataFrame:
        """Entities found by enrichment; see :func:`workbench.query.entities`."""
        from workbench.query import entities

        return entities(self.db, label=label, uid=uid, entity=_entity_query(entity))

    def enrich(self, *, n_process: int = 1, scheduler: str | None = None, ner: bool = True,
               progress: bool = True) -> EnrichResult:
        """Enrich new and changed items; see :func:`workbench.enrich.job.enrich`."""
        from workbench.enrich.job import enrich

        return enrich(self, n_process=n_process, scheduler=scheduler, ner=ner, progress=progress)

    def locate(self, *, online: CachedGeocoder | None = None, progress: bool = True) -> LocateResult:
        """Find where items are from and what places they name; see :mod:`workbench.geo.locate`."""
        from workbench.geo.locate import locate

        return locate(self, online=online, progress=progress)

    def places(self, *, best: bool = False, method: str | None = None,
               uid: str | None = None) -> pd.DataFrame:
        """Candidate locations of items (``best``: each item's best guess only)."""
        from workbench.query import places

        return places(self.db, best=best, method=method, uid=uid)

    def located_items(self, *, every_place: bool = False, **filters: Any) -> pd.DataFrame:
        """The items (filtered as :meth:`items` filters) that have a location, at their best
        guess (or once at each candidate place, with ``every_place``), with ``place_method``,
        ``place_confidence``, ``place_name``, ``place_radius_km``: what
        :func:`workbench.geo.maps.map_items` draws."""
        from workbench.query import located

        return located(self.items(**filters), self.places(best=not every_place))

    def add_watch_terms(self, terms: Iterable[WatchTerm] | str | Path) -> int:
        """Add watch terms (or a YAML/CSV watch-list file) to the case; returns how many changed."""
        from workbench.enrich.watchfile import load_terms
        from workbench.enrich.watchlist import add_terms

        if isinstance(terms, str | Path):
            terms = load_terms(Path(terms))
        return add_terms(self, terms)

    def tag(self, uids: str | Iterable[str], tag: str = "evidence", *,
            requirement: int | None = None, note: str | None = None) -> int:
        """Tag items (as evidence by default) against a requirement number; audited.
        See :func:`workbench.annotations.tag`."""
        from workbench.annotations import tag as tag_items

        return tag_items(self, uids, tag, requirement=requirement, note=note)

    def untag(self, uids: str | Iterable[str], tag: str = "evidence") -> int:
        """Remove a tag from items; audited."""
        from workbench.annotations import untag

        return untag(self, uids, tag)

    def tags(self, tag: str | None = None) -> pd.DataFrame:
        """Tagged items (``tag="evidence"``: the evidence the report lists)."""
        from workbench.annotations import tags

        return tags(self, tag)

    def add_note(self, text: str, *, uid: str | None = None, requirement: int | None = None,
                 at: str | datetime | None = None) -> int:
        """Note on an item, a requirement, a moment (``at``) or the case; audited."""
        from workbench.annotations import add_note

        return add_note(self, text, uid=uid, requirement=requirement, at=at)

    def notes(self, *, uid: str | None = None) -> pd.DataFrame:
        """The analyst's notes (on one item with ``uid``)."""
        from workbench.annotations import notes

        return notes(self, uid=uid)

    def judge(self, text: str, *, requirement: int, confidence: str, likelihood: str | None = None,
              evidence: str | Iterable[str] = ()) -> int:
        """Record a key judgement for the report's executive summary: it answers a requirement,
        with a confidence (low, moderate, high), optionally a PHIA likelihood, and evidence item
        uids; audited. See :func:`workbench.annotations.add_judgement`."""
        from workbench.annotations import add_judgement

        return add_judgement(self, text, requirement=requirement, confidence=confidence,
                             likelihood=likelihood, evidence=evidence)

    def judgements(self) -> pd.DataFrame:
        """The key judgements, by requirement."""
        from workbench.annotations import judgements

        return judgements(self)

    def remove_judgement(self, judgement_id: int) -> bool:
        """Withdraw a key judgement; audited."""
        from workbench.annotations import remove_judgement

        return remove_judgement(self, judgement_id)

    def capture(self, urls: Sequence[str] = (), *, from_items: bool = False,
                items: list[str] | None = None, allow_private: Sequence[str] = (),
                progress: bool = True, **limits: Any) -> CaptureResult:
        """Capture pages (these ``urls``, those the items cite, or those ``items`` cite) with
        headless Chromium: WACZ, screenshot, HTML and text, linked to the citing items; see
        :func:`workbench.capture.run.capture`."""
        from workbench.capture import capture

        return capture(self, tuple(urls), from_items=from_items, uids=items,
                       allow_private=tuple(allow_private), progress=progress, **limits)

    def captures(self) -> pd.DataFrame:
        """The captured pages (and failed attempts, with their reasons), with the citing items."""
        from workbench.capture import captures

        return captures(self)

    def authors(self) -> pd.DataFrame:
        from workbench.query import table

        return table(self.db, "authors")

    def quarantine(self) -> pd.DataFrame:
        from workbench.query import table

        return table(self.db, "quarantine")

    def verify(self, *, tsa_ca: str | Path | None = None) -> VerifyReport:
        """Recompute every hash and check the timestamps (their signatures against the CA
        certificates in the PEM file ``tsa_ca``); see :func:`workbench.verify.verify`."""
        from workbench.verify import verify

        return verify(self, tsa_ca=tsa_ca)

    def purge(self, *, before: str | date | None = None, all: bool = False,
              items: list[str] | None = None, reason: str | None = None) -> PurgeResult:
        """Destroy items and their evidence; see :func:`workbench.purge.purge`."""
        from workbench.purge import purge

        return purge(self, before=before, everything=all, uids=items, reason=reason)


def _entity_query(entity: str | None) -> tuple[str | None, list[str]] | None:
    """An entity as a person types it, as the label and keys the store is queried by."""
    if not entity:
        return None
    from workbench.enrich.resolve import query_keys

    return query_keys(entity)
