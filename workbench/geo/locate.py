"""Where each item is from, and where it talks about: every candidate location and a best guess.

Sources, each a ``method`` in the ``places`` table with its evidence, a point, a radius and a
confidence (0..1):

========== ========================================================= ==========================
method     evidence                                                  confidence
========== ========================================================= ==========================
geotag     the platform's exact coordinates of the post              0.95
exif       GPS in an attached photo's EXIF (the media's uid)         0.9 (0.6 when flagged)
place      the platform's place object: its bounding box's centre    0.85, less for large boxes
text_coord coordinates written in the text (decimal, DMS, map links) 0.75
text_place a place name in the text, geocoded with context           0.75 x the geocoder's
profile    the author's profile location, geocoded                   0.4 x the geocoder's
========== ========================================================= ==========================

Place names are geocoded by :class:`workbench.geo.gazetteer.OfflineGeocoder` with context: the
case's countries, the other locations of the same item (geotag, photos, coordinates, names that
are not ambiguous) and the places the whole case names most (the ten most named unambiguous
places, with half the weight). Names it does not know go to an online geocoder when one is given
(:mod:`workbench.geo.online`; off by default).

The best guess of an item is its most confident candidate (the smaller radius on a tie); it is
marked ``best = 1``. A run recomputes the whole table (the inputs are the items, their entities,
media and authors): run it again after importing or enriching.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import orjson
from tqdm.auto import tqdm

from workbench import audit
from workbench.geo.gazetteer import CONTEXT_CONFIDENCE, OfflineGeocoder, context_of, haversine_km
from workbench.store import write
from workbench.timeutil import now_text

if TYPE_CHECKING:
    from workbench.case import Case
    from workbench.geo.online import CachedGeocoder

#: Entity labels that name places: the gazetteer's, and spaCy's countries/cities and locations.
PLACE_LABELS = ("PLACE", "GPE", "LOC")
CONFIDENCE = {"geotag": 0.95, "exif": 0.9, "place": 0.85, "text_coord": 0.75, "text_place": 0.75,
              "profile": 0.4}
#: Weight of the case's most named places as context, against 0.8 for the item's own.
CASE_CONTEXT_WEIGHT = 0.4
PAGE = 2000
COLUMNS = ("uid", "method", "evidence", "name", "lat", "lon", "radius_km", "confidence", "best",
           "geonameid", "country", "admin1", "feature", "media_uid", "start", "end", "geocoder",
           "run_id")


class Candidate(NamedTuple):
    """One candidate location of an item."""

    uid: str
    method: str
    evidence: str
    name: str | None
    lat: float
    lon: float
    radius_km: float
    confidence: float
    geonameid: int | None = None
    country: str | None = None
    admin1: str | None = None
    feature: str | None = None
    media_uid: str | None = None
    start: int | None = None
    end: int | None = None
    geocoder: str | None = None


@dataclass
class LocateResult:
    """What a run did."""

    run_id: int
    items: int = 0
    located: int = 0
    places: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    best_by_method: dict[str, int] = field(default_factory=dict)
    unknown_names: int = 0
    images_unreadable: int = 0
    online_asked: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        methods = ", ".join(f"{m} {n}" for m, n in sorted(self.best_by_method.items()))
        return (f"{self.located} of {self.items} items located ({methods or 'none'}), "
                f"{self.places} candidate places, {self.unknown_names} names not found, "
                f"{self.seconds:.1f} s")


def locate(case: Case, *, geocoder: OfflineGeocoder | None = None,
           online: CachedGeocoder | None = None, progress: bool = True) -> LocateResult:
    """Find every candidate location of every item and store them; see the module's docstring."""
    geocoder = geocoder or OfflineGeocoder(countries=case.plan.countries)
    started = time.perf_counter()
    with write(case.db):
        run_id = case.db["runs"].insert({
            "kind": "locate", "source": online.name if online else "offline",
            "collector": "locate", "collector_version": geocoder.data_version,
            "started_at": now_text(), "status": "running", "actor": audit.actor(),
        }).last_pk
        audit.append(case.db, "locate.started", {"run": run_id, "gazetteer": geocoder.data_version,
                                                 "online": online.name if online else None})
        case.db.execute("DELETE FROM places")
    result = LocateResult(run_id)
    finder = _Finder(case, geocoder, online, result)
    try:
        total = case.db.execute("SELECT count(*) FROM items").fetchone()[0]
        with tqdm(total=total, unit=" items", desc="locate", disable=not progress,
                  leave=False) as bar:
            for page in _pages(case):
                rows = []
                for item in page:
                    found = finder.candidates(item)
                    rows += _ranked(found, run_id, result)
                result.items += len(page)
                _write(case, run_id, rows)
                bar.update(len(page))
    except BaseException as exc:
        _finish(case, result, started, "interrupted" if isinstance(exc, KeyboardInterrupt)
                else "failed", str(exc) or type(exc).__name__)
        raise
    result.online_asked = online.asked if online else 0
    _finish(case, result, started, "done")
    return result


class _Item(NamedTuple):
    uid: str
    lat: float | None
    lon: float | None
    place: str | None
    place_bbox: str | None
    author_uid: str | None


def _pages(case: Case) -> Iterator[list[_Item]]:
    after = ""
    while True:
        rows = case.db.execute(
            "SELECT uid, lat, lon, place, place_bbox, "
            "CASE WHEN author_id IS NULL THEN NULL ELSE platform || ':' || author_id END "
            "FROM items WHERE uid > ? ORDER BY uid LIMIT ?", [after, PAGE]).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        yield [_Item(*row) for row in rows]


class _Finder:
    """Finds an item's candidates, with what the case says around it."""

    def __init__(self, case: Case, geocoder: OfflineGeocoder, online: CachedGeocoder | None,
                 result: LocateResult):
        self.case, self.geocoder, self.online, self.result = case, geocoder, online, result
        db = case.db
        labels = ", ".join("?" * len(PLACE_LABELS))
        self.mentions: dict[str, list[tuple]] = defaultdict(list)
        for row in db.execute(f"SELECT uid, label, text, norm, start, end FROM entities WHERE label "
                              f"IN ({labels}, 'COORD') ORDER BY uid, start", PLACE_LABELS):
            self.mentions[row[0]].append(row[1:])
        # Where the enrichment weighed the evidence for places (entities.evidence), a PLACE is
        # the text naming a place and the recogniser's LOC or GPE alone is not; elsewhere (cases
        # enriched before) a LOC or GPE counts where no PLACE covers it, once.
        judged = db.execute("SELECT 1 FROM entities WHERE label = 'PLACE' AND evidence != '' "
                            "LIMIT 1").fetchone() is not None
        for uid, found in self.mentions.items():
            places = [m for m in found if m[0] == "PLACE"]
            self.mentions[uid] = [m for m in found if m[0] in ("PLACE", "COORD") or (
                not judged and not any(p[3] < m[4] and m[3] < p[4] for p in places))]
        self.photos: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for item_uid, media_uid, sha in db.execute(
                "SELECT item_uid, uid, sha256 FROM media WHERE sha256 IS NOT NULL "
                "AND coalesce(mime, 'image/') LIKE 'image/%'"):
            self.photos[item_uid].append((media_uid, sha))
        self.profiles = dict(db.execute("SELECT uid, location FROM authors "
                                        "WHERE location IS NOT NULL AND location != ''"))
        self._names: dict[tuple, object] = {}
        self._exif: dict[str, object] = {}
        self._profile: dict[str, Candidate | None] = {}
        self.case_points: list[tuple[float, float, float]] = []
        self.case_points = self._case_points()
        self._names.clear()  # resolved without the case's context

    def _case_points(self) -> list[tuple[float, float, float]]:
        """The places the case names most, where the name is not ambiguous: context for the rest."""
        counts = Counter(text for found in self.mentions.values()
                         for label, text, *_ in found if label in PLACE_LABELS)
        points = []
        for name, _ in counts.most_common(200):
            match = self._resolve(name, ())
            if match is not None and match.confidence >= CONTEXT_CONFIDENCE:
                points.append((match.place.lat, match.place.lon, CASE_CONTEXT_WEIGHT))
            if len(points) == 10:
                break
        return points

    def candidates(self, item: _Item) -> list[Candidate]:
        found = [*self._geotag(item), *self._place(item), *self._exif_points(item)]
        mentions = self.mentions.get(item.uid, ())
        found += [c for c in (_coordinate(item.uid, m) for m in mentions if m[0] == "COORD") if c]
        names = [m for m in mentions if m[0] in PLACE_LABELS]
        profile = self._profile_place(item.author_uid)
        if names:
            near = [(c.lat, c.lon, 0.8) for c in found]
            # Names that are not ambiguous place the others of the same item; a country or
            # state named beside a town says where to look for it ("Paris, Texas").
            first = [(m, self._resolve_mention(m, near)) for m in names]
            # countries, regions (and demonyms) said clearly narrow the others; clear towns
            # and counties are points to look near (gazetteer.context_of)
            context = context_of(match for _, match in first)
            countries = set(self.geocoder.countries) | context.countries
            near += context.points
            if profile is not None:
                near.append((profile.lat, profile.lon, CASE_CONTEXT_WEIGHT))
            for mention, match in first:
                if match is None or match.confidence < CONTEXT_CONFIDENCE:
                    match = self._resolve_mention(mention, near, countries=countries,
                                          regions=context.regions)
                found.append(self._named(item.uid, mention, match))
        if profile is not None:
            found.append(profile._replace(uid=item.uid))
        return [c for c in found if c is not None]

    def _geotag(self, item: _Item) -> list[Candidate]:
        if item.lat is None or item.lon is None or not _valid(item.lat, item.lon):
            return []
        return [Candidate(item.uid, "geotag", f"coordinates {item.lat:.6f},{item.lon:.6f}",
                          item.place, item.lat, item.lon, 0.05, CONFIDENCE["geotag"])]

    def _place(self, item: _Item) -> list[Candidate]:
        box = orjson.loads(item.place_bbox) if item.place_bbox else None
        if box:
            west, south, east, north = box
            lat, lon = (south + north) / 2, (west + east) / 2
            radius = haversine_km(south, west, north, east) / 2
            # A box as large as a country says little about where in it.
            confidence = CONFIDENCE["place"] * (1.0 if radius <= 50 else 0.7 if radius <= 300 else 0.4)
            return [Candidate(item.uid, "place", f"place box {box}", item.place, lat, lon,
                              round(max(radius, 0.05), 2), round(confidence, 3))]
        if item.place and item.lat is None:
            match = self._resolve(item.place, ())
            if match is not None:
                return [_from_match(item.uid, "place", f"place name {item.place!r}", item.place,
                                    match, CONFIDENCE["place"] * match.confidence,
                                    self.geocoder.data_version)]
        return []

    def _exif_points(self, item: _Item) -> list[Candidate]:
        found = []
        for media_uid, sha in self.photos.get(item.uid, ()):
            info = self._read(sha)
            if info is None or info.lat is None or info.lon is None:
                continue
            from workbench.geo.exif import edits_flagged

            flags = edits_flagged(info)
            evidence = {"GPSLatitude": info.lat, "GPSLongitude": info.lon,
                        "GPSAltitude": info.altitude,
                        "GPSTime": info.gps_time.isoformat() if info.gps_time else None,
                        "camera": " ".join(p for p in (info.make, info.model) if p) or None,
                        "edits": flags or None, "problems": list(info.problems) or None}
            evidence = {k: v for k, v in evidence.items() if v is not None}
            confidence = CONFIDENCE["exif"] * (0.67 if flags else 1.0)
            found.append(Candidate(item.uid, "exif", orjson.dumps(evidence).decode(), None, info.lat,
                                   info.lon, 0.05, round(confidence, 3), media_uid=media_uid))
        return found

    def _read(self, sha: str):
        if sha not in self._exif:
            from workbench.errors import WorkbenchError
            from workbench.geo.exif import read_exif

            try:
                self._exif[sha] = read_exif(self.case.media_store.path(sha).read_bytes())
            except (OSError, WorkbenchError):  # a missing file, or no image: the run goes on
                self.result.images_unreadable += 1
                self._exif[sha] = None
        return self._exif[sha]

    def _profile_place(self, author_uid: str | None) -> Candidate | None:
        text = self.profiles.get(author_uid) if author_uid else None
        if not text:
            return None
        if text not in self._profile:
            match = self._resolve(text, (), online=False)
            self._profile[text] = None if match is None else _from_match(
                "", "profile", f"profile location {text!r}", text, match,
                CONFIDENCE["profile"] * match.confidence, self.geocoder.data_version)
        return self._profile[text]

    def _resolve_mention(self, mention: tuple, near, **options):
        """The best match for a mention's text, or for the gazetteer's name of a PLACE inside it
        when the text is not known ("Co Antrim": Antrim, "northwest Albuquerque")."""
        match = self._resolve(mention[1], near, **options)
        canonical = (mention[2] or "").partition("|")[0] if mention[0] == "PLACE" else ""
        if match is None and "|" in (mention[2] or "") and canonical and canonical != mention[1]:
            match = self._resolve(canonical, near, **options)
        return match

    def _resolve(self, name: str, near, *, countries: set[str] | None = None,
                 regions: frozenset[tuple[str, str]] = frozenset(), online: bool = True):
        """The best match for ``name`` near the given points (and the case's), cached."""
        points = tuple((round(p[0], 2), round(p[1], 2), p[2]) for p in near)
        wanted = tuple(sorted(countries)) if countries is not None else None
        key = (name, points, wanted, tuple(sorted(regions)))
        if key not in self._names:
            matches = self.geocoder.resolve(name, near=[*points, *self.case_points],
                                            countries=wanted, regions=regions)
            match = matches[0] if matches else None
            if match is None and online and self.online is not None:
                match = self.online.match(name)
            self._names[key] = match
        return self._names[key]

    def _named(self, uid: str, mention: tuple, match) -> Candidate | None:
        label, text, _norm, start, end = mention
        if match is None:
            self.result.unknown_names += 1
            return None
        geocoder = getattr(match, "geocoder", None) or self.geocoder.data_version
        return _from_match(uid, "text_place", f"{label} {text!r}", text, match,
                           CONFIDENCE["text_place"] * match.confidence, geocoder, start, end)


def _from_match(uid: str, method: str, evidence: str, name: str, match, confidence: float,
                geocoder: str, start: int | None = None, end: int | None = None) -> Candidate:
    place = match.place
    return Candidate(uid, method, evidence, name, place.lat, place.lon, place.radius_km,
                     round(confidence, 3), place.geonameid, place.country, place.admin1,
                     f"{place.feature_class}.{place.feature_code}" if place.feature_class else None,
                     start=start, end=end, geocoder=geocoder)


def _coordinate(uid: str, mention: tuple) -> Candidate | None:
    _label, text, norm, start, end = mention
    try:
        lat, lon = (float(v) for v in norm.split(","))
    except (AttributeError, ValueError):
        return None
    if not _valid(lat, lon):
        return None
    return Candidate(uid, "text_coord", f"text {text!r}", None, lat, lon, 0.1,
                     CONFIDENCE["text_coord"], start=start, end=end)


def _valid(lat: float, lon: float) -> bool:
    return (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
            and not (lat == 0 and lon == 0))  # "null island": a default, not a place


def _ranked(found: list[Candidate], run_id: int, result: LocateResult) -> list[tuple]:
    if not found:
        return []
    best = max(range(len(found)), key=lambda i: (found[i].confidence, -found[i].radius_km))
    result.located += 1
    result.best_by_method[found[best].method] = result.best_by_method.get(found[best].method, 0) + 1
    rows = []
    for i, c in enumerate(found):
        result.by_method[c.method] = result.by_method.get(c.method, 0) + 1
        rows.append((c.uid, c.method, c.evidence, c.name, c.lat, c.lon, c.radius_km, c.confidence,
                     int(i == best), c.geonameid, c.country, c.admin1, c.feature, c.media_uid,
                     c.start, c.end, c.geocoder, run_id))
    return rows


def _write(case: Case, run_id: int, rows: list[tuple]) -> None:
    if not rows:
        return
    with write(case.db):
        case.db.conn.executemany(
            f"INSERT INTO places ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            rows)
        audit.append(case.db, "locate.batch", {
            "run": run_id, "places": len(rows),
            "sha256": hashlib.sha256(orjson.dumps(rows)).hexdigest()})


def _finish(case: Case, result: LocateResult, started: float, status: str,
            error: str | None = None) -> None:
    result.seconds = time.perf_counter() - started
    result.places = sum(result.by_method.values())
    with write(case.db):
        case.db["runs"].update(result.run_id, {"finished_at": now_text(), "status": status,
                                               "imported": result.located})
        detail = {"run": result.run_id, "status": status, "items": result.items,
                  "located": result.located, "places": result.places,
                  "by_method": result.by_method, "best_by_method": result.best_by_method,
                  "unknown_names": result.unknown_names, "online_asked": result.online_asked}
        if error:
            detail["error"] = error
        audit.append(case.db, "locate.finished", detail)
