"""A tiny trained spaCy NER pipeline, made in the tests: the model path without a download."""

from __future__ import annotations

import random
from pathlib import Path

TRAIN = [
    ("Jan Visser works for the Port of Rotterdam.", [(0, 10, "PERSON"), (25, 42, "ORG")]),
    ("The Port of Rotterdam hired Jan Visser last year.", [(4, 21, "ORG"), (28, 38, "PERSON")]),
    ("Yesterday Jan Visser spoke for the Port of Rotterdam again.", [(10, 20, "PERSON"), (35, 52, "ORG")]),
    ("Anna de Vries left the Port of Rotterdam.", [(0, 13, "PERSON"), (23, 40, "ORG")]),
    ("Jan Visser and Anna de Vries met at Acme Shipping.",
     [(0, 10, "PERSON"), (15, 28, "PERSON"), (36, 49, "ORG")]),
    ("Acme Shipping denies everything, says Jan Visser.", [(0, 13, "ORG"), (38, 48, "PERSON")]),
    ("No names in this sentence at all.", []),
    ("The weather is nice today.", []),
]
PROBE = "Jan Visser of the Port of Rotterdam was there. @jan_visser #Rotterdam"


def train(path: Path) -> Path:
    """Train a tok2vec + ner pipeline (the ner listens to the tok2vec, plus a sentencizer NER never
    needs) until it finds the probe's PERSON and ORG, and save it at ``path``."""
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
        "extra_state_tokens": False, "hidden_width": 32, "maxout_pieces": 2, "use_upper": True,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}}})
    nlp.add_pipe("sentencizer")
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in TRAIN]
    spacy.util.fix_random_seed(0)
    optimizer = nlp.initialize(lambda: examples)
    wanted = {("Jan Visser", "PERSON"), ("Port of Rotterdam", "ORG")}
    for i in range(60):
        random.Random(i).shuffle(examples)
        for batch in spacy.util.minibatch(examples, 2):
            nlp.update(batch, sgd=optimizer, drop=0.0)
        if i >= 9 and wanted <= {(e.text, e.label_) for e in nlp(PROBE).ents}:
            break
    assert wanted <= {(e.text, e.label_) for e in nlp(PROBE).ents}, "the tiny model did not learn"
    nlp.meta.update(name="tiny_ner", version="0.1.0")
    nlp.to_disk(path)
    return path
