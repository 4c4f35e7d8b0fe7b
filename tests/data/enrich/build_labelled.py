"""Build labelled.jsonl from labelled.md (see the markup notes at the top of labelled.md).

    python tests/data/enrich/build_labelled.py           # write labelled.jsonl
    python tests/data/enrich/build_labelled.py --check   # also list where the rules disagree

Offsets are computed here, never typed, and checked: every entity's span must show its text.
Norms of selectors come from the rules where they find the same span; a span the rules miss must
carry its norm in the markup (``{{text|LABEL|norm}}``), so a rule miss is never silently copied.
Each URL's DOMAIN (its host, when that has a registered domain) is derived here from the marked URL.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from workbench.enrich.selectors import SELECTOR_LABELS, find_selectors, registered_domain  # noqa: E402

SOURCE, TARGET = HERE / "labelled.md", HERE / "labelled.jsonl"
HEADER = re.compile(r"^### ([a-z]{2,3})(?: ([A-Z]{2}(?:,[A-Z]{2})*))?\s*$")
TOKEN = re.compile(r"\{\{|\|([A-Z_]+(?:\+[A-Z_]+)*)(?:\|([^{}|]*))?\}\}")
HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^/?#@\s]*@)?(\[[0-9A-Fa-f:.]+\]|[^/?#:\s]+)")
IP_LIKE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|\[.*\])$")


def parse_markup(marked: str, where: str) -> tuple[str, list[tuple[int, int, str, str | None]]]:
    """The plain text and its entities (start, end, label, explicit norm or None)."""
    out: list[str] = []
    length = 0
    opened: list[int] = []
    entities = []
    pos = 0
    for m in TOKEN.finditer(marked):
        out.append(marked[pos:m.start()])
        length += m.start() - pos
        pos = m.end()
        if m.group() == "{{":
            opened.append(length)
            continue
        if not opened:
            raise ValueError(f"{where}: '}}}}' without '{{{{'")
        start = opened.pop()
        for label in m.group(1).split("+"):
            entities.append((start, length, label, m.group(2)))
    if opened:
        raise ValueError(f"{where}: '{{{{' never closed")
    out.append(marked[pos:])
    return "".join(out), entities


def read_examples(source: Path = SOURCE) -> list[dict]:
    """The examples of the markup file: id, lang, regions, text, entities (norm possibly None)."""
    examples: list[dict] = []
    current: dict | None = None
    for number, line in enumerate(source.read_text(encoding="utf-8").split("\n"), 1):
        header = HEADER.match(line)
        if header:
            current = {"line": number, "lang": header.group(1),
                       "regions": header.group(2).split(",") if header.group(2) else [], "lines": []}
            examples.append(current)
        elif current is not None:
            current["lines"].append(line)
    for number, example in enumerate(examples, 1):
        lines = example.pop("lines")
        while lines and not lines[-1].strip():
            lines.pop()
        where = f"{source.name}:{example.pop('line')}"
        text, entities = parse_markup("\n".join(lines), where)
        if not text.strip():
            raise ValueError(f"{where}: empty example")
        example.update(id=number, text=text, entities=entities, where=where)
    return examples


def url_hosts(text: str, entities: list) -> list[tuple[int, int, str, None]]:
    """A DOMAIN for each marked URL whose host has a registered domain."""
    derived = []
    for start, end, label, _ in entities:
        if label != "URL":
            continue
        host = HOST.match(text[start:end])
        if host and not IP_LIKE.match(host.group(1)) and registered_domain(host.group(1)):
            derived.append((start + host.start(1), start + host.end(1), "DOMAIN", None))
    return derived


def build(examples: list[dict]) -> tuple[list[dict], list[str]]:
    """The JSON rows, and the disagreements between the gold and the rules."""
    rows, problems = [], []
    for example in examples:
        text, where = example["text"], example["where"]
        entities = example["entities"] + url_hosts(text, example["entities"])
        predicted = {(f.start, f.end, f.label): f for f in find_selectors(text, example["regions"])}
        gold = []
        for start, end, label, norm in entities:
            if label in SELECTOR_LABELS:
                found = predicted.get((start, end, label))
                if norm is None and found is None:
                    problems.append(f"{where}: {label} {text[start:end]!r}: rules miss it, no norm given")
                if found is not None and norm is not None and norm != found.norm:
                    problems.append(f"{where}: {label} {text[start:end]!r}: markup says {norm!r}, "
                                    f"rules say {found.norm!r}")
                norm = norm if norm is not None else (found.norm if found else "")
            else:
                norm = text[start:end]
            gold.append([start, end, label, norm])
        gold_spans = {(s, e, lab) for s, e, lab, _ in gold}
        for (start, end, label), found in predicted.items():
            if (start, end, label) not in gold_spans:
                problems.append(f"{where}: rules found {label} {found.text!r} that the gold does not have")
        for start, end, label, _ in gold:
            if label in SELECTOR_LABELS and (start, end, label) not in predicted:
                problems.append(f"{where}: rules missed {label} {text[start:end]!r}")
        row = {"id": example["id"], "text": text, "lang": example["lang"]}
        if example["regions"]:
            row["regions"] = example["regions"]
        row["entities"] = sorted(gold, key=lambda e: (e[0], -e[1], e[2]))
        rows.append(row)
    return rows, problems


def verify(rows: list[dict]) -> None:
    """Every span is inside its text and not empty, and ids run 1..n."""
    for number, row in enumerate(rows, 1):
        assert row["id"] == number, row["id"]
        for start, end, label, norm in row["entities"]:
            assert 0 <= start < end <= len(row["text"]), (row["id"], start, end, label)
            span = row["text"][start:end]
            assert span == span.strip(), (row["id"], span, label)
            if label not in SELECTOR_LABELS:
                assert norm == span, (row["id"], norm, span)


def main(argv: list[str]) -> int:
    rows, problems = build(read_examples())
    verify(rows)
    TARGET.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    print(f"{len(rows)} examples, {sum(len(r['entities']) for r in rows)} entities -> {TARGET.name}")
    if "--check" in argv:
        print("\n".join(problems) or "the rules agree with the gold")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
