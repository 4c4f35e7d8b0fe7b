"""Enrich one batch of items: language, sentiment, watch hits and risk, entities.

The same code runs in the caller's process, in worker processes and on Dask workers; each keeps
one :class:`Enricher` per settings, so spaCy pipelines and the language detector load once.
"""

from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import NamedTuple

import orjson

from workbench.enrich.settings import Settings
from workbench.models import Entity


class ItemText(NamedTuple):
    """What enrichment reads of an item."""

    uid: str
    text: str
    title: str | None
    lang: str | None
    hashtags: list[str]
    mentions: list[str]
    links: list[str]
    author_handle: str | None
    media: int = 0  # how many photos and videos are attached (a tweet links them with a t.co)


#: The enrichment table's columns a run fills, in the order :class:`Enriched` rows hold them.
ENRICHMENT = ("uid", "language", "language_method", "language_confidence", "sentiment_compound",
              "sentiment_pos", "sentiment_neu", "sentiment_neg", "sentiment_method",
              "watch_hits", "risk", "risk_reasons")
WATCH = ("uid", "watch_hits", "risk", "risk_reasons")
#: Platform language codes that say nothing.
UNKNOWN_LANG = {"", "und", "zxx", "qme", "qht", "qam", "qct", "qst", "art"}
#: Added to the detector's method for a language the author's other posts decided.
BY_AUTHOR = "; by the author's other posts"

#: Per author (:func:`author_key`), the languages of their posts known before a batch: language ->
#: posts.
AuthorLanguages = Mapping[str, Mapping[str, int]]


def author_key(item: ItemText) -> str | None:
    """Who wrote an item, for the language prior: ``platform:handle`` (None when unknown)."""
    if not item.author_handle:
        return None
    return f"{item.uid.partition(':')[0]}:{item.author_handle.lower()}"


class Enriched(NamedTuple):
    """A batch's results: rows for the enrichment table (:data:`ENRICHMENT` order) and for the
    entities table (:data:`workbench.models.ENTITY_COLUMNS` order), as plain tuples: they cross
    from worker processes several times faster than objects."""

    rows: list[tuple]
    entities: list[tuple]


class Enricher:
    """Enriches batches of items with one set of settings."""

    def __init__(self, settings: Settings):
        from workbench.enrich.language import LanguageDetector
        from workbench.enrich.watch import WatchList

        self.settings = settings
        self.detector = LanguageDetector(settings.languages, low_accuracy=settings.low_accuracy)
        self.watchlist = WatchList(list(settings.watch))
        self._pipelines = None

    @property
    def pipelines(self):
        if self._pipelines is None:
            from workbench.enrich.pipeline import Pipelines

            # The settings have applied WORKBENCH_SPACY_MODEL already (or chose no NER at all).
            self._pipelines = Pipelines(self.settings.model_map, regions=self.settings.countries,
                                        countries=self.settings.countries, environment=False)
        return self._pipelines

    def run(self, items: list[ItemText], known: AuthorLanguages | None = None) -> Enriched:
        """Everything for each item; ``known``: the languages of the authors' posts enriched
        before (see :meth:`languages`)."""
        from workbench.enrich import sentiment

        languages = self.languages(items, known)
        rows, by_language = [], defaultdict(list)
        for item, (code, method, confidence) in zip(items, languages, strict=True):
            scored = sentiment.score(item.text, code)
            hits, risk, reasons = self._watch(item)
            rows.append((
                item.uid, code, method, confidence,
                *((scored.compound, scored.pos, scored.neu, scored.neg, sentiment.METHOD)
                  if scored else (None, None, None, None, f"not scored: language {code}")),
                hits, risk, reasons,
            ))
            by_language[code].append(item)
        return Enriched(rows, self.entities(by_language))

    def run_watch(self, items: list[ItemText]) -> Enriched:
        """Only the watch hits and risk, for a watch list that changed."""
        return Enriched([(item.uid, *self._watch(item)) for item in items], [])

    def languages(self, items: list[ItemText], known: AuthorLanguages | None = None
                  ) -> list[tuple[str, str, float | None]]:
        """The platform's language where it gave one, else the detector's (or ``und``).

        A short or unsure text goes by its author's other posts: those in this batch whose
        language the platform gave or the text alone made sure, and ``known`` (per
        :func:`author_key`, language -> posts enriched before); such a result's method says so.
        """
        found: list[tuple[str, str, float | None] | None] = []
        unknown = []
        authors = [author_key(item) for item in items]
        prior: dict[str, Counter] = {author: Counter(counts) for author, counts in (known or {}).items()}
        for index, item in enumerate(items):
            given = (item.lang or "").split("-")[0].split("_")[0].lower()
            if given and given not in UNKNOWN_LANG:
                found.append((given, "platform", None))
                if authors[index] is not None:
                    prior.setdefault(authors[index], Counter())[given] += 1
            else:
                found.append(None)
                unknown.append(index)
        if unknown:
            detector = self.detector
            detected = detector.detect([items[i].text for i in unknown], [authors[i] for i in unknown],
                                       prior)
            for index, result in zip(unknown, detected, strict=True):
                method = detector.method + BY_AUTHOR if result.basis == "author" else detector.method
                found[index] = (result.code, method, round(result.confidence, 4))
        return found

    def _watch(self, item: ItemText) -> tuple[str, float, str]:
        from workbench.enrich.watch import risk

        text = f"{item.title}\n{item.text}" if item.title else item.text
        hits = self.watchlist.match(text, hashtags=item.hashtags, mentions=item.mentions,
                                    author_handle=item.author_handle)
        if item.title:  # offsets refer to the item's text, as an entity's do
            shift = len(item.title) + 1
            hits = [h._replace(start=h.start - shift, end=h.end - shift)
                    if h.start is not None and h.start >= shift
                    else h._replace(start=None, end=None) for h in hits]
        score, reasons = risk(hits)
        found = [{"term": h.term, "kind": h.kind, "category": h.category, "weight": h.weight,
                  "start": h.start, "end": h.end} for h in hits]
        return (orjson.dumps(found).decode(), score,
                orjson.dumps(reasons).decode())

    def entities(self, by_language: dict[str, list[ItemText]]) -> list[tuple]:
        """Selectors, places and named entities, per language's pipeline, and the platform's own."""
        from workbench.enrich.pipeline import extract
        from workbench.enrich.resolve import entity_key
        from workbench.enrich.selectors import platform_entities, without_shortened

        found: list[tuple] = []
        for code, items in by_language.items():
            nlp = self.pipelines.for_language(code)
            texts = {item.uid: item for item in items}
            for uid, entities in extract(nlp, ((item.text, item.uid) for item in items)):
                item = texts[uid]
                given = platform_entities(uid, item.text, item.mentions, item.hashtags, item.links)
                entities = without_shortened(entities, given, media=item.media > 0)
                found += [(e.uid, e.label, e.text, e.norm, e.start, e.end, e.method, e.model,
                           e.key or entity_key(e.label, e.norm), e.evidence)
                          for e in _merge(entities, given)]
        return found


def _merge(found: list[Entity], given: list[Entity]) -> list[Entity]:
    """The platform's entities win over rule matches of the same label and span."""
    taken = {(e.label, e.start, e.end) for e in given if e.start is not None}
    return [*given, *(e for e in found if (e.label, e.start, e.end) not in taken)]


_ENRICHERS: dict[str, Enricher] = {}


def enrich_items(settings: Settings, items: list[ItemText], watch_only: bool = False,
                 known: AuthorLanguages | None = None) -> Enriched:
    """Enrich a batch with an Enricher kept per settings in this process (or Dask worker);
    ``known``: the languages of the authors' posts enriched before (:meth:`Enricher.languages`)."""
    from workbench.enrich.pipeline import MissingModelWarning

    key = settings.fingerprint() + settings.watch_fingerprint()
    enricher = _ENRICHERS.get(key)
    if enricher is None:
        _ENRICHERS.clear()
        enricher = _ENRICHERS[key] = Enricher(settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingModelWarning)  # the caller said it once
        return enricher.run_watch(items) if watch_only else enricher.run(items, known)


def warm_up(settings: Settings, *, languages: bool = False) -> None:
    """Load what enriching needs (pipelines, gazetteer tables and, with ``languages``, the
    language detector's models) in a new worker process."""
    from workbench.enrich.pipeline import MissingModelWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingModelWarning)
        try:
            enrich_items(settings, [ItemText("warm-up", "Warm-up in Rotterdam", None, "en", [], [],
                                             [], None)])
            if languages:
                _ENRICHERS[settings.fingerprint() + settings.watch_fingerprint()].detector.load()
        except Exception:  # noqa: BLE001 - the first real batch raises it again, with its context
            return
