"""STIX 2.1 hand-off: selectors and coordination as a bundle that the stix2 library parses back,
each finding with its evidence (item uids, URLs, raw payload hashes)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import stix2
from typer.testing import CliRunner

from tests.handoff_case import BTC, ETH, LINK, copy_of_case
from workbench.cli import app
from workbench.export import export


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    c = copy_of_case(tmp_path_factory)
    yield c
    c.close()


def parsed(path):
    return stix2.parse(path.read_text(encoding="utf-8"), allow_custom=True)


def test_selectors_with_their_evidence(case, tmp_path):
    path = tmp_path / "selectors.json"
    assert export(case, "entities", "stix", path) == 8
    bundle = parsed(path)
    by_id = {o.id: o for o in bundle.objects}
    types = Counter(o.type for o in bundle.objects)
    assert types["observed-data"] == 8 and types["report"] == 1 and types["identity"] == 1
    observed = {by_id[o.object_refs[0]].type: o for o in bundle.objects if o.type == "observed-data"}
    assert set(observed) == {"domain-name", "url", "email-addr", "ipv4-addr", "user-account",
                             "x-cryptocurrency-wallet", "x-phone-number"}
    wallets = {by_id[o.object_refs[0]]["value"]: by_id[o.object_refs[0]]["currency"]
               for o in bundle.objects if o.type == "observed-data"
               and by_id[o.object_refs[0]].type == "x-cryptocurrency-wallet"}
    assert wallets == {BTC: "BTC", ETH: "ETH"}
    handle = by_id[observed["user-account"].object_refs[0]]
    assert (handle.account_login, handle.account_type) == ("fire_watch", "generic")
    url = observed["url"]
    assert by_id[url.object_refs[0]].value == LINK and url.number_observed == 3
    hashes = dict(case.db.execute("SELECT uid, raw_sha256 FROM items").fetchall())
    refs = {r["external_id"]: r for r in url.external_references}
    assert set(refs) == {"generic:p0", "generic:p1", "generic:p2"}
    assert refs["generic:p1"]["url"] == "https://forum.example/p/1"
    assert refs["generic:p1"]["hashes"]["SHA-256"] == hashes["generic:p1"]
    posters = {by_id[r].user_id for r in url.object_refs[1:]}
    assert posters == {"id-alice", "id-bob", "id-carol"}
    assert str(url.first_observed).startswith("2024-03-01 10:00:00")
    # the case's handling (internal) as TLP:AMBER on everything written
    assert all(o.object_marking_refs == [stix2.TLP_AMBER.id] for o in bundle.objects
               if o.type in ("observed-data", "report"))
    report = next(o for o in bundle.objects if o.type == "report")
    assert set(report.object_refs) == {o.id for o in bundle.objects if o.type == "observed-data"}
    assert "Donate" not in path.read_text()  # no post text is handed off


def test_a_second_export_names_the_same_findings(case, tmp_path):
    ids = []
    for name in ("a.json", "b.json"):
        export(case, "entities", "stix", tmp_path / name)
        ids.append(sorted(o["id"] for o in json.loads((tmp_path / name).read_text())["objects"]))
    assert ids[0] == ids[1]


def test_coordination_relates_the_accounts(case, tmp_path):
    path = tmp_path / "coordination.json"
    assert export(case, "coordination", "stix", path, kinds=["co_link", "co_text"]) == 4
    bundle = parsed(path)
    by_id = {o.id: o for o in bundle.objects}
    relations = [o for o in bundle.objects if o.type == "relationship"]
    pairs = {(by_id[r.source_ref].user_id, by_id[r.target_ref].user_id, r.x_workbench_kind)
             for r in relations}
    assert pairs == {("id-alice", "id-bob", "co_link"), ("id-alice", "id-carol", "co_link"),
                     ("id-bob", "id-carol", "co_link"), ("id-bob", "id-carol", "co_text")}
    text = next(r for r in relations if r.x_workbench_kind == "co_text")
    assert text.x_workbench_item_pairs == [["generic:p1", "generic:p2"]]
    assert {r["external_id"] for r in text.external_references} == {"generic:p1", "generic:p2"}
    assert text.start_time < text.stop_time
    (group,) = [o for o in bundle.objects if o.type == "grouping"]
    assert group.context == "suspicious-activity"
    assert {by_id[r].user_id for r in group.object_refs if r.startswith("user-account")} == {
        "id-alice", "id-bob", "id-carol"}


def test_the_command_line(case, tmp_path):
    runner = CliRunner()
    out = tmp_path / "x.json"
    run = runner.invoke(app, ["export", str(case.path), "--what", "entities", "--format", "stix",
                              "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "wrote 8 selectors" in run.output
    refused = runner.invoke(app, ["export", str(case.path), "--what", "authors", "--format",
                                  "stix", "-o", str(out)])
    assert "authors cannot be written as stix" in str(refused.exception)  # main() exits 1


def test_a_urls_wayback_snapshot_is_a_reference(tmp_path_factory, tmp_path):
    from tests.wayback_server import Archive
    from workbench import archives
    from workbench.wayback import Wayback

    case = copy_of_case(tmp_path_factory)
    server = Archive({LINK: "20240301093000"})
    try:
        archives.lookup(case, Wayback(server.url, delay=0, keys=()), progress=False)
    finally:
        server.close()
    export(case, "entities", "stix", tmp_path / "s.json")
    bundle = parsed(tmp_path / "s.json")
    url = next(o for o in bundle.objects if o.type == "url")
    observed = next(o for o in bundle.objects if o.type == "observed-data"
                    and o.object_refs[0] == url.id)
    (snapshot,) = [r for r in observed.external_references if r["source_name"] == "wayback-machine"]
    assert snapshot["url"] == f"http://web.archive.org/web/20240301093000/{LINK}"
    case.close()
