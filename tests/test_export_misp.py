"""MISP hand-off: selectors and coordination as a MISP event that PyMISP loads back (and that its
bundled event schema accepts), each finding with the items behind it and their raw payloads."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pymisp
import pytest

from tests.handoff_case import BTC, ETH, LINK, copy_of_case
from workbench import handoff
from workbench.errors import WorkbenchError
from workbench.export import export


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    c = copy_of_case(tmp_path_factory)
    yield c
    c.close()


def loaded(path: Path) -> pymisp.MISPEvent:
    schema = json.loads((Path(pymisp.__file__).parent / "data" / "schema-lax.json").read_text())
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)
    event = pymisp.MISPEvent()
    event.load_file(str(path))
    return event


def test_selectors_as_attributes_and_objects_with_their_evidence(case, tmp_path):
    path = tmp_path / "selectors.json"
    assert export(case, "entities", "misp", path) == 8
    event = loaded(path)
    assert event.info == "Hand-off test: selectors" and str(event.distribution) == "0"
    assert [t.name for t in event.tags] == ["tlp:amber"]  # the case's handling is internal
    attributes = {a.type: a for a in event.attributes}
    assert {t: a.value for t, a in attributes.items()} == {
        "domain": "example.net", "url": LINK, "email": "tips@example.org",
        "ip-dst": "185.220.101.4", "phone-number": "+442079460958"}
    assert not any(a.to_ids for a in event.attributes)
    assert attributes["url"].first_seen.isoformat().startswith("2024-03-01T10:00:00")
    objects = {o.name: [] for o in event.objects}
    for o in event.objects:
        objects[o.name].append(o)
    wallets = {o.get_attributes_by_relation("symbol")[0].value: o for o in objects["coin-address"]}
    assert wallets["BTC"].get_attributes_by_relation("address")[0].value == BTC
    assert wallets["ETH"].get_attributes_by_relation("address-crypto")[0].value == ETH
    (handle,) = objects["user-account"]
    assert handle.get_attributes_by_relation("username")[0].value == "fire_watch"
    posts = {o.comment.removeprefix("workbench item "): o for o in objects["microblog"]}
    assert set(posts) == {"generic:p0", "generic:p1", "generic:p2", "generic:p5"}
    mentioned = {r.referenced_uuid for r in posts["generic:p1"].references
                 if r.relationship_type == "mentions"}
    assert mentioned == {attributes["url"].uuid, attributes["domain"].uuid}
    assert posts["generic:p1"].get_attributes_by_relation("link")[0].value == \
        "https://forum.example/p/1"
    (raw,) = objects["file"]
    sha = case.db.execute("SELECT raw_sha256 FROM items WHERE uid = 'generic:p1'").fetchone()[0]
    assert raw.get_attributes_by_relation("sha256")[0].value == sha
    assert any(r.referenced_uuid == raw.uuid and r.relationship_type == "derived-from"
               for r in posts["generic:p1"].references)
    assert "Donate" not in path.read_text()  # no post text is handed off


def test_coordination_as_annotations_of_the_accounts(case, tmp_path):
    path = tmp_path / "coordination.json"
    assert export(case, "coordination", "misp", path, kinds=["co_text"]) == 1
    event = loaded(path)
    accounts = {o.uuid: o.get_attributes_by_relation("user-id")[0].value
                for o in event.objects if o.name == "user-account"}
    assert sorted(accounts.values()) == ["id-bob", "id-carol"]
    (note,) = [o for o in event.objects if o.name == "annotation"]
    text = note.get_attributes_by_relation("text")[0].value
    assert "co_text, 1 pairs of items" in text and "generic:p1 ~ generic:p2" in text
    annotated = {accounts[r.referenced_uuid] for r in note.references
                 if r.relationship_type == "annotates"}
    assert annotated == {"id-bob", "id-carol"}
    posts = {o.uuid: o for o in event.objects if o.name == "microblog"}
    assert {posts[r.referenced_uuid].comment for r in note.references
            if r.relationship_type == "derived-from"} == {"workbench item generic:p1",
                                                          "workbench item generic:p2"}
    authors = {accounts[r.referenced_uuid] for p in posts.values() for r in p.references
               if r.relationship_type == "authored-by"}
    assert authors == {"id-bob", "id-carol"}


def test_places_are_not_misp(case, tmp_path):
    from workbench.errors import WorkbenchError

    with pytest.raises(WorkbenchError, match="places cannot be written as misp"):
        export(case, "places", "misp", tmp_path / "x.json")


def test_a_missing_handoff_library_says_how_to_install_it():
    assert handoff.library("pymisp", "MISP") is pymisp
    with pytest.raises(WorkbenchError, match="MISP export needs the no_such_lib_x library") as err:
        handoff.library("no_such_lib_x", "MISP")
    assert "socmint-workbench[handoff]" in err.value.hint
