"""Whether a gazetteer name in a text is a place: the evidence for it, weighed and kept.

A name in the gazetteer is only a candidate: "Jackson", "Middleton", "Mobile" or Cyrillic "порту"
are towns, but in posts they are far more often a person, part of another name, or a word. A
candidate becomes a PLACE when its evidence reaches what its name needs; the reasons are kept with
it (:meth:`Evidence.as_json`, stored on the entity row), so an analyst can see why.

Evidence for (points):

- ``ner:LOC`` (3): the named-entity recogniser labels the span a location (LOC, GPE, FAC);
- ``capitalised`` (1): written with a capital in a script that has capitals, inside a sentence
  and in a text that does not capitalise most of its words (a headline);
- ``context:<word>`` (2): a word before it that introduces a place in the text's language
  ("in", "near", "city of", "naar", "в", "في" ...), a word after it ("Washington state"), or
  ``, <country or state>`` after it ("Carson, California");
- ``country`` (2), ``state`` (1), ``city>=1M`` (2), ``city>=100k`` (1): how prominent the place
  is: a country's name is seldom anything else, a small town's often is;
- ``region:<CC>`` (1): the place is in one of the case's countries;
- ``with:<name>`` (1): another place in the same text has made it on its own evidence.

Evidence against:

- ``ner:<LABEL>``: the recogniser calls the name something else (PERSON, ORG, ...): never a
  place when that is a longer name ("Kate Middleton", "Malaysia Airlines"), -3 when it is the
  name alone ("Obama", "Jackson"; a tweet model also calls many a town a person, so strong
  evidence may outweigh it); the named entity stands either way;
- ``lower-case`` (-2 in Latin script; never a place in other scripts with capitals, where names
  are always capitalised: "порту" is a word, "Порту" may be Porto);
- ``in-name:<word>`` (-1): a capitalised word next to it makes it part of a longer name ("Diablo
  Mobile");
- ``sentence-start``, ``headline``, ``no-case`` (0): the capital says nothing, or the script has
  none (Arabic "خبر" must then be a prominent place or have a context word).

What a name needs: 2 points; one more when the recogniser ran and did not call it anything
(``ner:none``: it had its chance), one more for a short name of a town (``short``: "Ho", "Tak"),
one more for a small town's name in another script (``other-script``: Arabic "انتم", "you", is
an alternate name of Anthem, Arizona).

A location the recogniser finds that the gazetteer does not know (``ner-only``: "Mississippi
River", "Europe", "NY") becomes a PLACE, located or not, when the text names another place too:
the words around it and its capitals are what the recogniser judged by, so they do not count
again. A gazetteer place inside a longer location the recogniser found takes that span
(``span:ner``: "Northern Ireland" rather than "Ireland").

Measured on the Broad Twitter Corpus and GeoWebNews by :mod:`workbench.enrich.places_eval`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

import orjson

from workbench.geo.stoplist import AMBIGUOUS

#: The recogniser's labels for locations (spaCy's OntoNotes names, and the shipped model's LOC).
LOCATION_LABELS = frozenset({"LOC", "GPE", "FAC"})
#: Bump when the rules or the word lists change: enriched items are then enriched again.
VERSION = "place-evidence 2"

NEED = 2
#: What a location only the recogniser found needs beyond :data:`NEED`: another place in the text.
NER_ONLY_NEED = 2
#: The need of a name the stop list says is never a place (:data:`workbench.geo.stoplist.AMBIGUOUS`).
UNREACHABLE = 100
WEIGHTS = {"ner": 3, "ner-other": -2, "capitalised": 1, "context": 2, "country": 2, "state": 1,
           "city>=1M": 2, "city>=100k": 1, "region": 1, "with": 1, "lower-case": -2, "in-name": -1}

#: Words that introduce a place, per language (lower case; two-word phrases with one space).
#: Prepositions only where they mostly introduce places or directions ("in", not "of" or "de").
CONTEXT_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split(",")) for lang, words in {
        "en": "in,at,near,from,to,into,across,around,outside,inside,through,throughout,toward,between,"
              "towards,via,within,visit,visiting,visited,nearby,close to,near to,out of,city of,"
              "town of,state of,province of,county of,republic of,capital of,streets of,downtown,"
              "across from,north of,south of,east of,west of,based in,live in,born in",
        "nl": "in,bij,naar,uit,nabij,rond,rondom,richting,vanuit,door,stad,gemeente,provincie,"
              "regio,centrum,buurt van,noorden van,zuiden van,oosten van,westen van",
        "de": "in,im,bei,nach,aus,nahe,um,durch,stadt,gemeinde,region,nähe von,nördlich von,"
              "südlich von,östlich von,westlich von",
        "fr": "à,en,au,aux,près,vers,depuis,ville de,région de,près de,nord de,sud de",
        "es": "en,desde,hacia,cerca,ciudad de,cerca de,norte de,sur de",
        "it": "a,in,da,verso,presso,vicino,città di,vicino a",
        "pt": "em,no,na,para,perto,cidade de,perto de",
        "ru": "в,во,из,на,под,около,возле,через,до,город,города,городе,г.,области",
        "uk": "в,у,з,із,на,біля,до,місто,міста,місті,області",
        "pl": "w,we,z,do,koło,pod,przy,miasto,mieście",
        "sv": "i,från,till,nära,staden",
        "da": "i,fra,til,nær,byen",
        "no": "i,fra,til,nær,byen",
        "tr": "şehri,ili,kenti",
        "ar": "في,إلى,الى,قرب,مدينة,بمدينة,لمدينة",
        "fa": "در,از,به,شهر",
        "he": "ליד,עיר,בעיר",
    }.items()
}
#: A pipeline without a language of its own (spaCy's "xx") does not know the text's language:
#: any language's words count.
CONTEXT_WORDS["xx"] = frozenset().union(*CONTEXT_WORDS.values())
#: Words after a name that say it is a place (lower case: "Washington state", "Kent county").
AFTER_WORDS = frozenset({"city", "county", "province", "oblast", "region", "district", "state",
                         "stad", "provincie", "stadt", "область"})

_LETTER = re.compile(r"[^\W\d_]")


class Evidence(NamedTuple):
    """The points for a candidate, what its name needs, and the reasons for both."""

    score: int
    need: int
    reasons: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return self.score >= self.need

    def as_json(self) -> str:
        """``{"score": 3, "need": 2, "reasons": ["ner:LOC", ...]}``, as stored with the entity."""
        return orjson.dumps({"score": self.score, "need": self.need,
                             "reasons": list(self.reasons)}).decode()


class Judged(NamedTuple):
    """A place kept: token span, the gazetteer's place (None for a recogniser-only location)."""

    start: int
    end: int
    place: object | None
    evidence: Evidence


def judge(doc, candidates: Sequence[tuple[int, int, object]], *, countries: Sequence[str] = (),
          headline: bool = False, skip: Sequence[tuple[int, int]] = ()) -> list[Judged]:
    """The candidates (``(start token, end token, PlaceName)``) of ``doc`` that are places, and
    the recogniser's locations the gazetteer missed, each with its evidence, in text order.

    ``countries``: the case's (ISO 3166 alpha-2); ``headline``: the text capitalises most of its
    words; ``skip``: character spans (selectors) where no place is taken.
    """
    ner, ents = _recognised(doc)
    words = CONTEXT_WORDS.get(doc.lang_) or CONTEXT_WORDS["xx"]
    wanted = set(countries)
    weighed: list[list] = []  # [start, end, place, reasons, score, need]
    for start, end, place in candidates:
        found = _weigh(doc, start, end, place, ents if ner else None, words, wanted, headline)
        if found is not None:
            weighed.append([start, end, place, *found])
    located = [(s, e, label) for s, e, label in map(_trimmed, ents, [doc] * len(ents))
               if label in LOCATION_LABELS and _LETTER.search(doc[s:e].text)
               and not _selector(doc, s, e, skip)]
    for start, end, label in located:
        if not any(w[0] < end and start < w[1] for w in weighed):
            weighed.append([start, end, None, *_ner_only(doc, start, end, label)])
    # A second look, with the places that made it on their own as context.
    sure = [w for w in weighed if w[4] >= w[5]]
    for w in weighed:
        start, end, place, reasons = w[:4]
        other = next((o for o in sure if o is not w), None)
        if other is not None:
            w[4] += WEIGHTS["with"]
            reasons.append(f"with:{_name(doc, other)}")
        if (place is not None and not any(r.startswith("context:") for r in reasons)
                and end + 1 < len(doc) and doc[end].text == ","
                and any(o[0] == end + 1 and o[2] is not None and o[2].kind in ("country", "state")
                        for o in sure)):
            w[4] += WEIGHTS["context"]
            reasons.append("context:, region")
    kept: list[Judged] = []
    for start, end, place, reasons, score, need in sorted(weighed, key=lambda w: w[0]):
        if score < need:
            continue
        # A place inside a longer location the recogniser found ("Northern Ireland", "Co
        # Antrim") is named by that span; several places inside one ("Headford Galway") are one.
        outer = next(((s, e) for s, e, _ in located if s <= start and end <= e and e - s > end - start),
                     None)
        if place is not None and outer is not None:
            if kept and (kept[-1].start, kept[-1].end) == outer:
                continue
            start, end = outer
            reasons = [*reasons, "span:ner"]
        kept.append(Judged(start, end, place, Evidence(score, need, tuple(reasons))))
    return kept


def _weigh(doc, start: int, end: int, place, ents: list | None, words: frozenset[str],
           wanted: set[str], headline: bool) -> tuple[list[str], int, int] | None:
    """(reasons, score, need) of a gazetteer candidate, or None when it cannot be a place here.
    ``ents``: the recogniser's entities, None when it did not run."""
    from workbench.enrich.places import starts_sentence  # imports spaCy: not at module import

    reasons: list[str] = []
    score, need = 0, NEED
    if ents is not None:
        over = [(s, e, label) for s, e, label in ents if s < end and start < e]
        located = [label for _, _, label in over if label in LOCATION_LABELS]
        if located:
            score += WEIGHTS["ner"]
            reasons.append(f"ner:{located[0]}")
        elif over:
            s, e, label = over[0]
            if len(over) > 1 or s < start or e > end:
                return None  # part of a longer name: "Kate Middleton", "Port of Rotterdam"
            # The name alone, taken for someone or something else ("Obama", "Jackson"): that
            # stands unless the rest says place loudly ("left Rotterdam" in a Dutch case).
            score += WEIGHTS["ner-other"]
            reasons.append(f"ner:{label}")
        else:
            need += 1
            reasons.append("ner:none")
    letters = "".join(_LETTER.findall(doc[start:end].text))
    if letters.lower() == letters.upper():
        reasons.append("no-case")
    elif letters == letters.lower():
        if not _latin(letters) and not score:
            return None  # Cyrillic, Greek ...: a name there has its capital; this is a word
        score += WEIGHTS["lower-case"]
        reasons.append("lower-case")
    elif headline:
        reasons.append("headline")
    elif starts_sentence(doc, start):
        reasons.append("sentence-start")
    else:
        score += WEIGHTS["capitalised"]
        reasons.append("capitalised")
        beside = _capitalised_neighbour(doc, start, end)
        if beside:
            score += WEIGHTS["in-name"]
            reasons.append(f"in-name:{beside}")
    word = _context_before(doc, start, words)
    if word is None and end < len(doc) and doc[end].lower_ in AFTER_WORDS:
        word = doc[end].lower_
    if word is not None:
        score += WEIGHTS["context"]
        reasons.append(f"context:{word}")
    kind = place.kind
    if kind in ("country", "state"):
        score += WEIGHTS[kind]
        reasons.append(kind)
    elif place.population >= 1_000_000:
        score += WEIGHTS["city>=1M"]
        reasons.append("city>=1M")
    elif place.population >= 100_000:
        score += WEIGHTS["city>=100k"]
        reasons.append("city>=100k")
    if kind == "city" and len(letters) <= 3:
        need += 1
        reasons.append("short")
    if (kind == "city" and place.population < 100_000 and place.name != place.canonical
            and not _latin(letters)):
        need += 1  # a small town's name written in another script: often a word of that script
        reasons.append("other-script")
    if place.country in wanted:
        score += WEIGHTS["region"]
        reasons.append(f"region:{place.country}")
    return reasons, score, need


def _ner_only(doc, start: int, end: int, label: str) -> tuple[list[str], int, int]:
    """(reasons, score, need) of a location only the recogniser found. The words around it and
    its capitals are what the recogniser judged by, so they count no more; what it lacks is
    another place in the same text (added later) and, in Latin script, a capital."""
    reasons = [f"ner:{label}", "ner-only"]
    score = WEIGHTS["ner"]
    if " ".join(doc[start:end].text.lower().split()) in AMBIGUOUS:
        return [*reasons, "stop-list"], score, UNREACHABLE  # "White House", "Police": never
    letters = "".join(_LETTER.findall(doc[start:end].text))
    if letters == letters.lower() and letters.lower() != letters.upper():
        score += WEIGHTS["lower-case"]
        reasons.append("lower-case")
    return reasons, score, NEED + NER_ONLY_NEED


def _recognised(doc) -> tuple[bool, list[tuple[int, int, str]]]:
    """Whether a recogniser ran over ``doc``, and its entities as (start, end, label): read from
    the token arrays, as ``doc.ents`` costs about as much as the rest of this module."""
    from spacy.attrs import ENT_IOB, ENT_TYPE

    array = doc.to_array([ENT_IOB, ENT_TYPE]).tolist()
    if not any(iob for iob, _ in array):
        return False, []
    ents, start, kind = [], None, 0
    for i, (iob, label) in enumerate([*array, [2, 0]]):  # 3 begins, 1 continues, 2 is outside
        if start is not None and iob != 1:
            ents.append((start, i, doc.vocab.strings[kind]))
            start = None
        if iob == 3:
            start, kind = i, label
    return True, ents


def _trimmed(ent: tuple[int, int, str], doc) -> tuple[int, int, str]:
    """An entity without the emoji or symbols at its ends that a model's span may take in
    ("Rozenburg 💔")."""
    start, end, label = ent
    while start < end and _symbols(doc[start].text):
        start += 1
    while end > start and _symbols(doc[end - 1].text):
        end -= 1
    return start, end, label


def _symbols(text: str) -> bool:
    return all(unicodedata.category(c)[0] in "SZC" or c in "\u200d\ufe0f" for c in text)


def _selector(doc, start: int, end: int, skip: Sequence[tuple[int, int]]) -> bool:
    span = doc[start:end]
    return any(a < span.end_char and span.start_char < b for a, b in skip)


def _name(doc, weighed: list) -> str:
    place = weighed[2]
    return place.canonical if place is not None else doc[weighed[0]:weighed[1]].text


def _latin(letters: str) -> bool:
    return all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF for c in letters)


def _previous(doc, index: int) -> int | None:
    i = index - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    return i if i >= 0 else None


def _context_before(doc, start: int, words: frozenset[str]) -> str | None:
    """The context word or two-word phrase right before token ``start``, if any."""
    i = _previous(doc, start)
    if i is None:
        return None
    one = doc[i].lower_
    if one in words:
        return one
    j = _previous(doc, i)
    if j is not None:
        two = f"{doc[j].lower_} {one}"
        if two in words:
            return two
    return None


def _capitalised_neighbour(doc, start: int, end: int) -> str | None:
    """A capitalised word right next to the name that is not at a sentence's start itself: the
    name is then likely part of a longer one ("Diablo Mobile", "Kate Middleton")."""
    from workbench.enrich.places import starts_sentence

    i = start - 1
    if i >= 0 and doc[i].whitespace_ and _name_word(doc[i]) and not starts_sentence(doc, i):
        return doc[i].text
    if end < len(doc) and doc[end - 1].whitespace_ and _name_word(doc[end]):
        return doc[end].text
    return None


def _name_word(token) -> bool:
    text = token.text
    return (token.is_alpha and len(text) > 1 and text[0].isupper() and not token.is_stop
            and not text.isupper())
