"""An enrichment run over a case: pick the items that need it, enrich them in batches, write back.

Incremental: an item is enriched again only when its text changed or the settings did; when only
the watch list changed, only its watch hits and risk are recomputed. Each batch is committed as it
finishes, so an interrupted run keeps what it did and the next run picks up the rest.

Batches run in this process, in ``n_process`` worker processes (forked from one that loaded
everything once: :mod:`workbench.enrich.workers`), or on a Dask cluster (a scheduler address, or
``"local"`` for a local cluster); results are always written here, by one writer.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson
from tqdm.auto import tqdm

from workbench import audit
from workbench.enrich.batch import (
    BY_AUTHOR,
    ENRICHMENT,
    AuthorLanguages,
    Enriched,
    ItemText,
    author_key,
    enrich_items,
)
from workbench.enrich.language import SURE
from workbench.enrich.settings import Settings, model_version
from workbench.enrich.tweet_ner import NAME as TWEET_NER
from workbench.enrich.workers import LoadedPool, results_of
from workbench.errors import UsageError, WorkbenchError
from workbench.models import ENTITY_COLUMNS
from workbench.store import chunks, write
from workbench.timeutil import now_text

if TYPE_CHECKING:
    from workbench.case import Case

BATCH = 500
PAGE = 5000


@dataclass
class EnrichResult:
    """What a run did."""

    run_id: int
    enriched: int = 0
    rewatched: int = 0
    unchanged: int = 0
    entities: int = 0
    seconds: float = 0.0
    missing_models: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{self.enriched} items enriched", f"{self.entities} entities"]
        if self.rewatched:
            parts.append(f"{self.rewatched} re-checked against the watch list")
        parts.append(f"{self.unchanged} unchanged")
        rate = (self.enriched + self.rewatched) / self.seconds if self.seconds else 0
        parts.append(f"{self.seconds:.1f} s ({rate:,.0f} items/s)")
        return ", ".join(parts)


def settings_for(case: Case, *, ner: bool = True, low_accuracy: bool = False) -> Settings:
    """The settings the case's plan and watch list call for."""
    from workbench.enrich.watch import plan_terms
    from workbench.enrich.watchlist import stored_terms

    plan = case.plan
    return Settings.make(models=plan.spacy_models, languages=plan.languages,
                         countries=plan.countries, watch=[*plan_terms(plan), *stored_terms(case)],
                         ner=ner, low_accuracy=low_accuracy)


def enrich(case: Case, *, n_process: int = 1, scheduler: str | None = None,
           batch_size: int = BATCH, ner: bool = True, low_accuracy: bool = False,
           progress: bool = True) -> EnrichResult:
    """Enrich the case's new and changed items; see the module's docstring."""
    if n_process < 1:
        raise UsageError("n_process must be at least 1", hint="--processes 1 or more")
    settings = settings_for(case, ner=ner, low_accuracy=low_accuracy)
    missing = [name for _, name in settings.models if model_version(name) == "missing"]
    if missing:  # said here, once; the workers keep quiet about it
        from workbench.enrich.pipeline import MissingModelWarning

        how = "; ".join(_how_to_get(name) for name in missing)
        warnings.warn(f"named entities (PERSON, ORG, GPE, ...) are skipped: {how}. Selectors "
                      "and places are still found.", MissingModelWarning, stacklevel=2)
    keys = settings.fingerprint(), settings.watch_fingerprint()
    started = time.perf_counter()
    with write(case.db):
        run_id = case.db["runs"].insert({
            "kind": "enrich", "source": scheduler or f"{n_process} process(es)",
            "collector": "enrich", "collector_version": dict(settings.versions).get("rules"),
            "started_at": now_text(), "status": "running", "actor": audit.actor(),
            "detail": audit.canonical({"settings_sha256": keys[0], "watch_sha256": keys[1],
                                       "models": dict(settings.models)}),
        }).last_pk
        audit.append(case.db, "enrich.started", {"run": run_id, "settings_sha256": keys[0],
                                                 "watch_sha256": keys[1]})
    result = EnrichResult(run_id, missing_models=missing)
    try:
        with ExitStack() as stack:
            # Workers start (and load their pipelines) while the items are picked here.
            executor = _executor(stack, n_process, scheduler, settings)
            full, watch_only, result.unchanged, hashes = _select(case, keys)
            _group_by_author(full)
            known = _author_languages(case, keys[0]) if full else {}
            jobs = [(False, b, _known_for(b, known)) for b in chunks(full, batch_size)]
            jobs += [(True, b, None) for b in chunks(watch_only, batch_size)]
            bar = stack.enter_context(tqdm(total=len(full) + len(watch_only), unit=" items",
                                           desc="enrich", disable=not progress, leave=False))
            for is_watch, enriched in _results(executor, settings, jobs):
                _write(case, run_id, keys, hashes, enriched, is_watch, result)
                bar.update(len(enriched.rows))
        _forget_removed(case)
    except BaseException as exc:
        result.seconds = time.perf_counter() - started
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        _finish(case, result, status, str(exc) or type(exc).__name__)
        raise
    result.seconds = time.perf_counter() - started
    _finish(case, result, "done")
    return result


def text_hash(item: ItemText) -> str:
    """What an item's enrichment depends on, hashed: its text, title, language and lists."""
    return hashlib.sha256(orjson.dumps(item[1:])).hexdigest()


_SELECT = (
    "SELECT i.rowid, i.uid, i.text, i.title, i.lang, i.hashtags, i.mentions, i.links, "
    "i.author_handle, i.media, e.text_sha256, e.settings_sha256, e.watch_sha256 FROM items i "
    "LEFT JOIN enrichment e ON e.uid = i.uid WHERE i.rowid > ? ORDER BY i.rowid LIMIT ?"
)


def _select(case: Case, keys: tuple[str, str]
            ) -> tuple[list[ItemText], list[ItemText], int, dict[str, tuple[str, bool]]]:
    """The items to enrich in full (with the hashes of their texts, and whether they have
    results of an earlier run), those to re-check against the watch list, and how many need
    nothing."""
    full, watch_only, unchanged, after, hashes = [], [], 0, 0, {}
    while True:
        page = case.db.execute(_SELECT, [after, PAGE]).fetchall()
        if not page:
            return full, watch_only, unchanged, hashes
        after = page[-1][0]
        for _rowid, uid, text, title, lang, tags, mentions, links, handle, media, *done in page:
            item = ItemText(uid, text or "", title, lang, _list(tags), _list(mentions),
                            _list(links), handle, len(_list(media)))
            old_text, old_settings, old_watch = done
            new_text = text_hash(item)
            if old_text != new_text or old_settings != keys[0]:
                full.append(item)
                hashes[uid] = (new_text, old_text is not None)
            elif old_watch != keys[1]:
                watch_only.append(item)
            else:
                unchanged += 1


def _group_by_author(items: list[ItemText]) -> None:
    """Put each author's items next to each other, and texts that read alike next to those.

    An author's other posts in the same batch are the language prior for their short texts
    (:meth:`workbench.enrich.batch.Enricher.languages`), so a batch should hold as many of one
    author's posts as it can. Each process also remembers the texts it has judged (reposts,
    copy-pasted and templated texts repeat), and within an author sorting by the text itself
    brings those together (they differ in a number, a tag or a link, mostly late in the text).
    The order is the same whichever executor runs the batches, so results are too.
    """
    items.sort(key=lambda item: (author_key(item) or "", item.text))


# The languages each author's items were given by the platform, or by their text alone with
# confidence, in the current settings: the prior for the author's new posts.
_AUTHOR_LANGUAGES = (
    "SELECT substr(i.uid, 1, instr(i.uid, ':') - 1) || ':' || lower(i.author_handle), e.language, "
    "count(*) FROM enrichment e JOIN items i ON i.uid = e.uid "
    "WHERE i.author_handle IS NOT NULL AND i.author_handle != '' AND e.language != 'und' "
    "AND e.settings_sha256 = ? AND (e.language_method = 'platform' OR "
    "(e.language_confidence >= ? AND e.language_method NOT LIKE ?)) GROUP BY 1, 2"
)


def _author_languages(case: Case, settings_key: str) -> dict[str, dict[str, int]]:
    """Per author (:func:`author_key`), the languages of their posts enriched before with these
    settings: language -> posts."""
    known: dict[str, dict[str, int]] = {}
    for author, code, count in case.db.execute(_AUTHOR_LANGUAGES,
                                               [settings_key, SURE, f"%{BY_AUTHOR}"]):
        known.setdefault(author, {})[code] = count
    return known


def _known_for(items: list[ItemText], known: dict[str, dict[str, int]]) -> AuthorLanguages | None:
    """The part of ``known`` about a batch's authors (None when there is none)."""
    if not known:
        return None
    mine = {key: known[key] for key in {author_key(item) for item in items} if key in known}
    return mine or None


def _list(value: str | None) -> list[str]:
    return orjson.loads(value) if value else []


def _executor(stack: ExitStack, n_process: int, scheduler: str | None,
              settings: Settings) -> Executor | LoadedPool | None:
    """None to work here; else a pool of loaded worker processes or a Dask client's executor."""
    if scheduler:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise WorkbenchError("a Dask scheduler needs dask.distributed",
                                 hint="pip install 'dask[distributed]'") from exc
        if scheduler == "local":
            cluster = stack.enter_context(LocalCluster(
                n_workers=n_process, threads_per_worker=1, processes=True,
                dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout=30))
            except OSError as exc:
                raise WorkbenchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                                     hint="start one with `dask scheduler`, or use --scheduler "
                                     "local") from exc
        return client.get_executor(pure=False)
    if n_process == 1:
        return None
    # Started now: the workers load while the items are picked here.
    return stack.enter_context(LoadedPool(settings, n_process))


def _results(executor: Executor | LoadedPool | None, settings: Settings,
             jobs: list[tuple[bool, list[ItemText], AuthorLanguages | None]]
             ) -> Iterator[tuple[bool, Enriched]]:
    """Each job's results, as they finish; at most two jobs per worker in flight."""
    if executor is None:
        for is_watch, items, known in jobs:
            yield is_watch, enrich_items(settings, items, is_watch, known)
        return
    if isinstance(executor, LoadedPool):
        yield from results_of(executor, settings, jobs)
        return
    limit = 2 * max(1, getattr(executor, "_max_workers", 0) or 4)
    pending: dict[Future, bool] = {}
    queue = iter(jobs)
    try:
        while True:
            for is_watch, items, known in queue:
                pending[executor.submit(enrich_items, settings, items, is_watch, known)] = is_watch
                if len(pending) >= limit:
                    break
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield pending.pop(future), future.result()
    finally:
        for future in pending:
            future.cancel()


def _how_to_get(name: str) -> str:
    """What to do about a spaCy pipeline that is missing."""
    if name == TWEET_NER:
        return f"the {name} pipeline shipped with the workbench is missing: reinstall the workbench"
    if "/" in name or "\\" in name:
        return f"no trained spaCy pipeline at {name}"
    return f"install {name} with: python -m spacy download {name}"


def _write(case: Case, run_id: int, keys: tuple[str, str], hashes: dict[str, tuple[str, bool]],
           enriched: Enriched, is_watch: bool, result: EnrichResult) -> None:
    """One batch's results in one transaction, with an audit entry carrying their digest."""
    at = now_text()
    uids = [row[0] for row in enriched.rows]
    db = case.db
    with write(db):
        if is_watch:
            db.conn.executemany(
                "UPDATE enrichment SET watch_hits = ?, risk = ?, risk_reasons = ?, "
                "watch_sha256 = ?, run_id = ? WHERE uid = ?",
                [(*row[1:], keys[1], run_id, row[0]) for row in enriched.rows])
            result.rewatched += len(uids)
        else:
            # Every item's old entities go, not only those known to be enriched when the batch
            # was chosen: another run may have enriched it since (two runs at once doubled them).
            for chunk in chunks(uids):
                db.execute(f"DELETE FROM entities WHERE uid IN ({', '.join('?' * len(chunk))})",
                           chunk)
            columns = ENTITY_COLUMNS
            db.conn.executemany(
                f"INSERT INTO entities ({', '.join(columns)}, run_id) "
                f"VALUES ({', '.join('?' * len(columns))}, {int(run_id)})", enriched.entities)
            names = (*ENRICHMENT, "text_sha256", "settings_sha256", "watch_sha256",
                     "enriched_at", "run_id")
            db.conn.executemany(
                f"INSERT OR REPLACE INTO enrichment ({', '.join(names)}) "
                f"VALUES ({', '.join('?' * len(names))})",
                [(*row, hashes[row[0]][0], *keys, at, run_id) for row in enriched.rows])
            result.enriched += len(uids)
            result.entities += len(enriched.entities)
        body = orjson.dumps([enriched.rows, enriched.entities])
        audit.append(db, "enrich.batch", {
            "run": run_id, "items": len(uids), "entities": len(enriched.entities),
            "only": "watch" if is_watch else None,
            "sha256": hashlib.sha256(body).hexdigest(),
        })


def _forget_removed(case: Case) -> None:
    """Results of items purged while the run went on go with them."""
    with write(case.db):
        for table in ("entities", "enrichment"):
            case.db.execute(f"DELETE FROM {table} WHERE uid NOT IN (SELECT uid FROM items)")


def _finish(case: Case, result: EnrichResult, status: str, error: str | None = None) -> None:
    with write(case.db):
        case.db["runs"].update(result.run_id, {
            "finished_at": now_text(), "status": status, "imported": result.enriched,
        })
        detail = {"run": result.run_id, "status": status, "enriched": result.enriched,
                  "rewatched": result.rewatched, "unchanged": result.unchanged,
                  "entities": result.entities}
        if error:
            detail["error"] = error
        audit.append(case.db, "enrich.finished", detail)
