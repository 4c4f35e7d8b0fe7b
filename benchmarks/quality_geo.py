"""GeoWebNews: end-to-end toponyms (found and placed) and the geocoder on names alone.

GeoWebNews (Gritta et al. 2019, ``geo/GWN.xml``): 200 news articles, 6,612 annotated spans. The
gold toponyms are the 2,601 spans that carry coordinates (literal, metonymic, mixed, coercion,
embedded and modifier uses); expressions ("the city"), demonyms and languages without coordinates,
homonyms and non-toponyms are not gold, so a place predicted there is a false positive.

End to end, as a user works: the articles are imported into a new case (generic JSON lines), then
``enrich`` and ``locate`` run with the default plan, and the predicted toponyms are the case's
``text_place`` candidates (one per span: the most confident). Counted as the data's README says: a
prediction matches a gold toponym when their character spans overlap (each used once); P, R, F1
of recognition, and acc@161 km over the matched toponyms. The baseline places each matched
toponym at the most populous GeoNames place written as the name (its own or a GeoNames alternate
name: none of the geocoder's aliases or demonyms, no context, no disambiguation).

Names alone: each gold toponym's name as written, geocoded with no context by the offline geocoder
(its answer), against that baseline; a name not found counts as a miss for both.
"""

from __future__ import annotations

import math
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from quality_rows import Row, Skipped, case_of, overlap_match, prf

from workbench.geo.evaluate import most_populous
from workbench.geo.gazetteer import OfflineGeocoder

KM = 161.0
_EARTH_KM = 6371.0088


@dataclass
class Toponym:
    """One annotated span of an article."""

    name: str
    kind: str
    start: int
    end: int
    lat: float | None
    lon: float | None

    @property
    def gold(self) -> bool:
        """A toponym to find and place: it has coordinates."""
        return self.lat is not None and self.lon is not None


@dataclass
class Article:
    """One article: its number, text and annotated spans."""

    number: str
    text: str
    toponyms: list[Toponym]


def read_gwn(path: Path) -> list[Article]:
    """The articles of GeoWebNews' XML file."""
    articles = []
    for element in ET.parse(path).getroot().iter("article"):
        toponyms = []
        annotated = element.find("toponyms")
        for t in annotated if annotated is not None else []:
            lat, lon = t.findtext("latitude"), t.findtext("longitude")
            toponyms.append(Toponym(t.findtext("extractedName") or "", t.findtext("type") or "",
                                    int(t.findtext("start")), int(t.findtext("end")),
                                    float(lat) if lat else None, float(lon) if lon else None))
        articles.append(Article(element.get("file") or str(len(articles)),
                                element.findtext("text") or "", toponyms))
    return articles


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


class Baseline:
    """The issue's baseline: the most populous GeoNames place written as the name (by its own or a
    GeoNames alternate name; never the geocoder's added aliases or demonyms), None when none is."""

    def __init__(self, geocoder: OfflineGeocoder):
        self.min_population = geocoder.min_population
        self.cache: dict[str, tuple[float, float] | None] = {}

    def __call__(self, name: str) -> tuple[float, float] | None:
        if name not in self.cache:
            best = most_populous(name, min_population=self.min_population)
            self.cache[name] = (best.lat, best.lon) if best is not None else None
        return self.cache[name]


def _within(point: tuple[float, float] | None, gold: Toponym) -> bool:
    return point is not None and km(point[0], point[1], gold.lat, gold.lon) <= KM


def end_to_end(articles: list[Article], work: Path) -> dict:
    """Recognition and placement of the product on the articles, and the baseline's placement."""
    records = [{"id": f"gwn-{a.number}", "text": a.text, "created_at": "2018-01-01T00:00:00Z"}
               for a in articles]
    case = case_of(work, "gwn", records)
    case.enrich(progress=False)
    case.locate(progress=False)
    places = case.places(method="text_place")
    stored = {number: (uid, text) for uid, number, text in
              case.db.execute("SELECT uid, id, text FROM items").fetchall()}
    baseline = Baseline(OfflineGeocoder())
    tp = n_pred = n_gold = right = base_right = 0
    for article in articles:
        uid, text = stored[f"gwn-{article.number}"]
        if text != article.text:
            raise RuntimeError(f"article {article.number}: the stored text differs from the file's")
        rows = places[(places["uid"] == uid) & places["start"].notna() & places["end"].notna()]
        best: dict[tuple[int, int], tuple[float, float, float]] = {}
        for row in rows.itertuples():
            span = (int(row.start), int(row.end))
            if span not in best or row.confidence > best[span][2]:
                best[span] = (row.lat, row.lon, row.confidence)
        spans = sorted(best)
        gold = [t for t in article.toponyms if t.gold]
        pairs = overlap_match([(t.start, t.end) for t in gold], spans)
        tp, n_pred, n_gold = tp + len(pairs), n_pred + len(spans), n_gold + len(gold)
        for g, p in pairs:
            right += _within(best[spans[p]][:2], gold[g])
            base_right += _within(baseline(article.text[slice(*spans[p])]), gold[g])
    case.close()
    precision, recall, f1 = prf(tp, n_pred, n_gold)
    return {"precision": precision, "recall": recall, "f1": f1, "matched": tp, "predicted": n_pred,
            "gold": n_gold, "acc161": right / tp if tp else float("nan"),
            "baseline_acc161": base_right / tp if tp else float("nan")}


def names_alone(articles: list[Article]) -> dict:
    """acc@161 km of the geocoder's answer and of the most populous candidate, per gold toponym."""
    geocoder = OfflineGeocoder()
    baseline = Baseline(geocoder)
    answers: dict[str, tuple[float, float] | None] = {}
    gold = [t for a in articles for t in a.toponyms if t.gold]
    right = base_right = found = 0
    for toponym in gold:
        name = toponym.name
        if name not in answers:
            location = geocoder.geocode(name)
            answers[name] = (location.latitude, location.longitude) if location else None
        found += answers[name] is not None
        right += _within(answers[name], toponym)
        base_right += _within(baseline(name), toponym)
    return {"names": len(gold), "distinct": len(answers), "found": found / len(gold),
            "acc161": right / len(gold), "baseline_acc161": base_right / len(gold)}


def rows(data: Path) -> list[Row]:
    """The GeoWebNews figures."""
    path = data / "geo" / "GWN.xml"
    if not path.is_file():
        raise Skipped(f"{path} is absent")
    articles = read_gwn(path)
    with tempfile.TemporaryDirectory(prefix="quality-gwn-") as work:
        e2e = end_to_end(articles, Path(work))
    alone = names_alone(articles)
    size = (f"{len(articles)} articles, {e2e['gold']} gold toponyms, {e2e['predicted']} predicted, "
            f"{e2e['matched']} matched")
    gap = alone["acc161"] - alone["baseline_acc161"]
    return [
        Row("news end to end: toponym precision", e2e["precision"], note=size),
        Row("news end to end: toponym recall", e2e["recall"]),
        Row("news end to end: toponym F1", e2e["f1"], target=">= 0.72"),
        Row("news end to end: acc@161 km (matched)", e2e["acc161"], e2e["baseline_acc161"], ">= 70 %",
            f"baseline: the most populous GeoNames place of that name; of all gold toponyms, "
            f"{e2e['acc161'] * e2e['recall']:.1%} found and placed within 161 km", percent=True),
        Row("names alone: acc@161 km", alone["acc161"], alone["baseline_acc161"],
            ">= baseline + 10 points",
            f"{alone['names']} names ({alone['distinct']} distinct), {alone['found']:.1%} found; "
            f"{gap * 100:+.1f} points over the baseline", percent=True),
    ]
