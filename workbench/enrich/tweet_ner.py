"""The workbench's own English named-entity pipeline for social media, shipped in the package.

A small spaCy pipeline (CNN tok2vec with pruned static vectors, and a transition-based ``ner``)
trained on WNUT-17 and the Broad Twitter Corpus by ``models/ner/build.py``; see ``MODEL_CARD.md``
in its folder. It needs no download: it is the English pipeline when the plan names none that is
installed (the plan's default ``en_core_web_sm`` where that is missing), and can be chosen by its
name, :data:`NAME`, in the plan's ``spacy_models`` or in ``WORKBENCH_SPACY_MODEL``.

Its labels are spaCy's (OntoNotes) names where one fits: PERSON, ORG, LOC, PRODUCT, WORK_OF_ART,
and GROUP for WNUT-17's groups (bands, teams, non-corporate organisations), which no OntoNotes
label is. Importing this module imports nothing heavy.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

#: The name that chooses the shipped pipeline in a plan or in WORKBENCH_SPACY_MODEL.
NAME = "tweet_ner"
#: Its folder in the package (``nlp.to_disk``; the social tokenizer is saved with it).
PATH = Path(__file__).with_name("models") / NAME
#: The plan's default English pipeline: where it is not installed, the shipped one stands in.
PLAN_DEFAULT = "en_core_web_sm"

LABELS = ("PERSON", "ORG", "LOC", "GROUP", "PRODUCT", "WORK_OF_ART")
#: The corpora's types -> the pipeline's labels.
WNUT_LABELS = {"person": "PERSON", "corporation": "ORG", "location": "LOC", "group": "GROUP",
               "product": "PRODUCT", "creative-work": "WORK_OF_ART"}
BTC_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
#: A pipeline's labels -> the corpora's types, to score it as the corpora count (OntoNotes' GPE
#: and FAC are locations there; GROUP is an organisation in the Broad Twitter Corpus).
WNUT_TYPES = {"PERSON": "person", "ORG": "corporation", "LOC": "location", "GPE": "location",
              "FAC": "location", "GROUP": "group", "PRODUCT": "product", "WORK_OF_ART": "creative-work"}
BTC_TYPES = {"PERSON": "PER", "ORG": "ORG", "GROUP": "ORG", "LOC": "LOC", "GPE": "LOC", "FAC": "LOC"}


def is_shipped(name: str) -> bool:
    """True when ``name`` chooses the shipped pipeline (its name or its folder)."""
    return name == NAME or _same_path(name, PATH)


def model_path(name: str) -> str:
    """What to load for a configured pipeline name: the shipped folder for :data:`NAME`, else
    ``name`` as it is (an installed package's name or a folder)."""
    return str(PATH) if name == NAME else name


def default_for(name: str) -> str:
    """The pipeline a configured name stands for: the shipped one in place of the plan's default
    ``en_core_web_sm`` when that package is not installed, else ``name``."""
    if name == PLAN_DEFAULT and importlib.util.find_spec(PLAN_DEFAULT) is None:
        return NAME
    return name


def _same_path(name: str, path: Path) -> bool:
    try:
        return Path(name).expanduser().resolve() == path.resolve()
    except (OSError, ValueError):
        return False
