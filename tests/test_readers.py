import io
import json
import zipfile

import pytest

from workbench.collect.jsonwalk import array_elements, element_records
from workbench.collect.readers import decode, iter_lines, safe_members
from workbench.errors import UnsafeArchiveError


def test_array_elements_give_exact_spans():
    doc = {"name": "x", "nested": {"messages": [1]}, "messages": [{"id": 1, "text": "a]b"},
                                                                  {"id": 2, "text": "🔥"}]}
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    found = list(array_elements(text, ["messages"]))
    assert [value["id"] for _, _, _, value in found] == [1, 2]
    for _, start, end, value in found:
        assert json.loads(text[start:end]) == value


def test_element_records_quarantine_the_rest_after_a_syntax_error():
    text = '[{"id": 1}, {"id": 2}, {"id": 3 "oops"}, {"id": 4}]'
    records = list(element_records(text))
    assert [r.data["id"] for r in records[:2]] == [1, 2]
    assert records[2].error.startswith("invalid JSON from here on")
    assert records[2].locator == "line 1, column 33"


def test_decode_handles_boms_and_legacy_encodings():
    assert decode("é".encode("utf-8-sig")) == ("é", "utf-8-bom")
    assert decode("é".encode("utf-16")) == ("é", "utf-16-le-bom")
    assert decode("café".encode("cp1252")) == ("café", "cp1252")
    assert decode(b"\x81") == ("\x81", "latin-1")


def test_iter_lines_decodes_each_line_on_its_own():
    stream = io.BytesIO(b"\xef\xbb\xbfone\r\ncaf\xe9\r\nthree")
    assert list(iter_lines(stream)) == [(1, "one", None), (2, "café", "cp1252"),
                                        (3, "three", None)]


@pytest.mark.parametrize("member", ["/etc/passwd", "../../evil.js", "data/../../x", "C:/x"])
def test_hostile_archive_members_are_refused(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data/ok.js", "fine")
        archive.writestr(member, "bad")
    with zipfile.ZipFile(buffer) as archive, pytest.raises(UnsafeArchiveError, match="refusing"):
        safe_members(archive, name="x.zip")


def test_an_element_nested_too_deep_is_that_element_s_problem_only():
    deep = '{"s": "a ] in a string", "v": ' + "[" * 50_000 + "]" * 50_000 + "}"
    text = f'[{{"id": 1}}, {deep}, {{"id": 3}}]'
    records = list(element_records(text))
    assert [r.data["id"] for r in records if r.data] == [1, 3]
    assert records[1].error.startswith("nested too deep to read")
    start, end = map(int, records[1].span[1:].split(":"))
    assert text[start:end] == deep
