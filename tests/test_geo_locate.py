"""Locating the demo case's items from every source, and the store's place columns."""

from __future__ import annotations

import hashlib

import orjson
import pytest

from workbench import audit
from workbench.demo.images import gps_of
from workbench.geo.gazetteer import haversine_km
from workbench.geo.locate import locate


def test_every_geotag_and_place_box_becomes_a_candidate(demo_case):
    items = demo_case.db.execute("SELECT uid, lat, lon, place_bbox FROM items "
                                 "WHERE lat IS NOT NULL OR place_bbox IS NOT NULL").fetchall()
    places = demo_case.places()
    geotags = places[places.method == "geotag"].set_index("uid")
    boxes = places[places.method == "place"].set_index("uid")
    assert len(geotags) == sum(1 for _, lat, _, _ in items if lat is not None) > 0
    assert len(boxes) == sum(1 for *_, box in items if box) > 0
    for uid, lat, lon, box in items:
        if lat is not None:
            assert (geotags.loc[uid, "lat"], geotags.loc[uid, "lon"]) == (lat, lon)
            assert geotags.loc[uid, "confidence"] == 0.95
        if box:
            west, south, east, north = orjson.loads(box)
            assert boxes.loc[uid, "lat"] == pytest.approx((south + north) / 2)
            assert boxes.loc[uid, "lon"] == pytest.approx((west + east) / 2)


def test_every_photo_with_gps_is_placed_where_its_exif_says(demo_case):
    media = demo_case.db.execute("SELECT uid, item_uid, sha256 FROM media "
                                 "WHERE sha256 IS NOT NULL").fetchall()
    exif = demo_case.places(method="exif").set_index("media_uid")
    with_gps = 0
    for media_uid, item_uid, sha in media:
        point = gps_of(demo_case.media_store.path(sha).read_bytes())
        if point is None:
            continue
        with_gps += 1
        row = exif.loc[media_uid]
        assert row["uid"] == item_uid
        assert (row["lat"], row["lon"]) == pytest.approx(point, abs=1e-4)
        assert orjson.loads(row["evidence"])["GPSLatitude"] == pytest.approx(point[0], abs=1e-4)
    assert with_gps >= 15 and len(exif) == with_gps


def test_place_names_in_text_are_geocoded_where_the_gazetteer_matcher_put_them(demo_case):
    mentions = demo_case.entities(label="PLACE")
    named = demo_case.places(method="text_place")
    assert len(named) == len(mentions)  # every name found is placed
    same = (named.sort_values(["uid", "start"])["geonameid"].astype(str).tolist(),
            # a gazetteer match's norm is "name|geonameid"
            [n.rpartition("|")[2] for n in mentions.sort_values(["uid", "start"])["norm"]])
    agree = sum(a == b for a, b in zip(*same, strict=True)) / len(mentions)
    assert agree >= 0.9
    rotterdam = named[named.name == "Rotterdam"]
    assert len(rotterdam) > 100
    assert all(haversine_km(lat, lon, 51.92, 4.48) < 10
               for lat, lon in zip(rotterdam.lat, rotterdam.lon, strict=True))


def test_each_located_item_has_one_best_guess_its_most_confident(demo_case):
    places = demo_case.places()
    best = places[places.best == 1]
    assert best.uid.is_unique
    assert set(best.uid) == set(places.uid)
    top = places.groupby("uid").confidence.max()
    assert (best.set_index("uid").confidence == top.loc[best.uid]).all()
    geotagged = best[best.uid.isin(places[places.method == "geotag"].uid)]
    assert set(geotagged.method) == {"geotag"}  # an exact geotag beats a name in the text
    located = demo_case.located_items()
    assert len(located) == len(best)
    assert {"place_method", "place_confidence", "place_name", "place_radius_km"} <= set(located.columns)


def test_profiles_are_the_least_confident_source(demo_case):
    places = demo_case.places()
    profile = places[places.method == "profile"]
    assert len(profile) > 100
    assert profile.confidence.max() <= 0.4 < places[places.method == "text_place"].confidence.max()


def test_a_run_is_audited_repeatable_and_leaves_the_case_verifiable(demo_case):
    before = demo_case.places().drop(columns=[]).sort_values(["uid", "method", "start"])
    result = locate(demo_case, progress=False)
    after = demo_case.places().sort_values(["uid", "method", "start"])
    assert len(after) == len(before) == result.places
    assert after[["uid", "method", "lat", "lon"]].values.tolist() == \
        before[["uid", "method", "lat", "lon"]].values.tolist()
    actions = [row[0] for row in demo_case.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions[-1] == "locate.finished" and "locate.batch" in actions
    assert demo_case.verify().ok


def test_an_unreadable_photo_does_not_stop_the_run(case, write_jsonl):
    path = write_jsonl("posts.jsonl", [{"id": "1", "created_at": "2024-03-08T10:00:00Z",
                                        "author": "a", "text": "photo", "lat": 51.9, "lon": 4.4}])
    case.import_file(path, progress=False)
    sha, _ = case.media_store.put_bytes(b"\xff\xd8\xff\xe1 not really a jpeg")
    case.db["media"].insert({"uid": "generic:1#x", "item_uid": "generic:1", "key": "x",
                             "kind": "photo", "sha256": sha})
    result = locate(case, progress=False)
    assert result.images_unreadable == 1 and result.best_by_method == {"geotag": 1}


def test_old_rows_keep_their_hashes_when_the_place_box_column_is_added():
    from workbench.store import HASHED

    values = [f"v{i}" for i in range(len(HASHED["items"]))]
    values[HASHED["items"].index("place_bbox")] = None
    before_the_column = [v for c, v in zip(HASHED["items"], values, strict=True) if c != "place_bbox"]
    assert audit.values_hash(values) == hashlib.sha256(orjson.dumps(before_the_column)).hexdigest()
    values[HASHED["items"].index("place_bbox")] = "[4.3,51.8,4.5,52.0]"
    assert audit.values_hash(values) != hashlib.sha256(orjson.dumps(before_the_column)).hexdigest()


def test_a_place_box_written_outside_the_workbench_shows_in_verify(case, write_jsonl):
    path = write_jsonl("posts.jsonl", [{"id": "1", "created_at": "2024-03-08T10:00:00Z",
                                        "author": "a", "text": "hello"}])
    case.import_file(path, progress=False)
    assert case.verify().ok
    case.db.execute("UPDATE items SET place_bbox = '[4.3,51.8,4.5,52.0]'")
    case.db.conn.commit()
    assert any("edited outside" in p for p in case.verify().problems)


def test_coordinates_written_in_the_text_are_candidates_with_their_span(case, write_jsonl):
    path = write_jsonl("posts.jsonl", [
        {"id": "1", "created_at": "2024-03-08T10:00:00Z", "author": "a",
         "text": "Smoke seen from 51°53'N 4°18'E, and https://www.openstreetmap.org/#map=15/51.885/4.305"},
        {"id": "2", "created_at": "2024-03-08T10:05:00Z", "author": "b",
         "text": "null island 0.0, 0.0 is no place"},
    ])
    case.import_file(path, progress=False)
    case.enrich(ner=False, progress=False)
    locate(case, progress=False)
    coords = case.places(method="text_coord")
    assert sorted(coords.uid) == ["generic:1", "generic:1"]
    dms = coords[coords.evidence.str.contains("°")].iloc[0]
    assert (round(dms.lat, 4), round(dms.lon, 4)) == (51.8833, 4.3)
    text = case.items().set_index("uid").loc["generic:1", "text"]
    assert text[dms.start:dms.end] == "51°53'N 4°18'E"
    assert dms.confidence == 0.75 and dms.best == 1


def test_purging_an_item_removes_its_places(case, write_jsonl):
    path = write_jsonl("posts.jsonl", [
        {"id": str(i), "created_at": "2024-03-08T10:00:00Z", "author": "a", "text": "here",
         "lat": 51.9 + i / 100, "lon": 4.4} for i in range(3)])
    case.import_file(path, progress=False)
    locate(case, progress=False)
    assert len(case.places()) == 3
    case.purge(items=["generic:1"], reason="test")
    assert sorted(case.places().uid) == ["generic:0", "generic:2"]
    assert case.verify().ok
